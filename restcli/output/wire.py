"""The request as it goes on the wire, for --offline (stdout) and -v (stderr).

The bytes come from urllib3's own HTTPConnection.request() writing into memory instead
of a socket, called as requests' adapter calls it: the request line, every header the
transport adds (Host, Accept-Encoding, User-Agent, Content-Length or
Transfer-Encoding) in wire order, and the body. Only secret header values are masked
(and a SigV4 signature shortened); everything else is byte for byte what a server reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import REQUEST_LINE_COLOUR, display_header, painted_head

if TYPE_CHECKING:
    from ..app import App


def wire_head(prep: Any, sink: Callable[[bytes], None] | None = None) -> bytes:
    """The request head as sent. With a sink, every write goes to it as made, the head
    first, then the body as it is read (a file is streamed, never held in memory)."""
    # urllib3 is loaded with requests on a call's path, not before (start-up)
    from urllib3.connection import HTTPConnection

    parts = urlsplit(prep.url)
    sent: list[bytes] = []

    class Recorder(HTTPConnection):
        default_port = 443 if parts.scheme == "https" else 80

        def send(self, data):  # never a socket: every write lands here
            data = bytes(data)
            if not sent:
                sent.append(data)
            if sink is not None:
                sink(data)

    conn = Recorder(parts.hostname or "", parts.port)
    # As requests' HTTPAdapter.send: no body length known means chunked.
    chunked = not (prep.body is None or "Content-Length" in prep.headers)
    conn.request(prep.method, prep.path_url, body=prep.body if sink else None,
                 headers=prep.headers, chunked=chunked)
    return sent[0]


def _scrubbed(app: App, data: bytes) -> bytes:
    """Any secret value restcli resolved, masked wherever it stands (as every writer does)."""
    # surrogateescape: bytes that are not UTF-8 survive the round trip, and a secret next to
    # them is still masked (never fail open).
    text = data.decode("utf-8", "surrogateescape")
    scrubbed = app.redactor.scrub(text)
    return data if scrubbed == text else scrubbed.encode("utf-8", "surrogateescape")


def _masked_head(head: bytes, secret_names: set[str]) -> bytes:
    lines = head.split(b"\r\n")
    out = [lines[0]]
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            out.append(line)
            continue
        text = value.strip().decode("utf-8", "surrogateescape")
        shown = display_header(name.decode("latin-1"), text, secret_names)
        out.append(name + b": " + shown.encode("utf-8", "surrogateescape") if shown != text else line)
    return b"\r\n".join(out)


def print_request(app: App, prep: Any, secret_names: set[str], to_stdout: bool) -> None:
    """--offline: the exact bytes to stdout. -v: the head as text, the body described."""
    if to_stdout:
        writes = 0

        def sink(data: bytes) -> None:
            nonlocal writes
            writes += 1
            app.write_raw(_scrubbed(app, _masked_head(data, secret_names) if writes == 1 else data))

        wire_head(prep, sink)
        app.flush()
        return
    head = wire_head(prep)
    text = _masked_head(head, secret_names).decode("utf-8", "backslashreplace")
    first, *rest = text.rstrip("\r\n").split("\r\n")
    headers = [(name, value) for name, _, value in (line.partition(": ") for line in rest)]
    # Coloured on a terminal as the response head is (print_response_head), plain otherwise.
    lines = painted_head(app, app.err, first, REQUEST_LINE_COLOUR, headers)
    if prep.body is not None:
        lines += ["", _describe_body(prep.body)]
    app.err.write("\n".join(lines) + "\n\n")
    app.err.flush()


def _describe_body(body: Any) -> str:
    if isinstance(body, str):
        body = body.encode("utf-8")
    if isinstance(body, bytes):
        if len(body) <= 4096:
            try:
                return body.decode("utf-8")
            except UnicodeDecodeError:
                pass
        return f"[{len(body)} bytes of body]"
    name = getattr(body, "name", "a stream")
    return f"[body streamed from {name}]"
