"""Rendering: pretty on a terminal (rich), the raw bytes into a pipe, notes on stderr.

Every header shown passes through display_header(), and every line through the
run's Redactor, so no output path can show a secret.
"""

from __future__ import annotations

import json
import os
import re
from .record import record
from typing import TYPE_CHECKING, Any, Iterable

from .http import SENSITIVE_HEADERS
from .errors import OutputError
from .secrets import mask

if TYPE_CHECKING:
    from .app import App

CHUNK = 64 * 1024
# Response headers that can carry credentials back (a session, an echoed authorization).
RESPONSE_SECRETS = frozenset({"set-cookie", "x-amzn-remapped-authorization"})
PRETTY_LIMIT = 16 * 1024 * 1024
_SIGV4 = re.compile(r"^(AWS4-HMAC-SHA256 Credential=[^,]+,\s*SignedHeaders=[^,]+,\s*Signature=)(\S+)")


@record
class OutputOptions:
    output_file: str | None = None
    headers_only: bool = False
    force_json: bool = False
    filter_expr: str | None = None


def print_table(app: "App", columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """A table on a terminal; tab-separated lines into a pipe, for cut and awk."""
    if app.stdout_tty:
        from rich.table import Table

        table = Table(*columns, box=None, header_style="bold")
        for row in rows:
            table.add_row(*row)
        app.console.print(table)
        return
    for row in rows:
        app.out.write("\t".join(row) + "\n")
    app.out.flush()


def display_header(name: str, value: str, secret_names: Iterable[str] = ()) -> str:
    """A header value fit to print: secrets masked, a SigV4 scope kept readable."""
    lname = name.lower()
    if lname == "authorization":
        m = _SIGV4.match(value)
        if m:
            # The scope (key id, date, region, service) is what a user needs to debug.
            return m.group(1) + "…"
    if lname in SENSITIVE_HEADERS or lname in secret_names:
        return mask(value)
    return value


def print_request(app: "App", prep: Any, secret_names: set[str], to_stdout: bool) -> None:
    """The request as it goes on the wire (for --offline and -v)."""
    from urllib.parse import urlsplit

    parts = urlsplit(prep.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{prep.method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
    for name, value in prep.headers.items():
        lines.append(f"{name}: {display_header(name, value, secret_names)}")
    body = prep.body
    if body is not None:
        lines.append("")
        lines.append(_describe_body(body))
    writer = app.out if to_stdout else app.err
    writer.write("\n".join(lines) + "\n")
    if not to_stdout:
        writer.write("\n")
    writer.flush()


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


def print_response_head(app: "App", resp: Any, to_stdout: bool = False) -> None:
    writer = app.out if to_stdout else app.err
    lines = [f"HTTP/{_version(resp)} {resp.status_code} {resp.reason or ''}".rstrip()]
    for name, value in resp.headers.items():
        lines.append(f"{name}: {display_header(name, value, RESPONSE_SECRETS)}")
    writer.write("\n".join(lines) + "\n\n")
    writer.flush()


def _version(resp: Any) -> str:
    v = getattr(resp.raw, "version", 11)
    return {10: "1.0", 11: "1.1", 20: "2"}.get(v, "1.1")


def render(app: "App", resp: Any, opts: OutputOptions) -> None:
    """Write the response body where the user wants it."""
    if opts.headers_only:
        print_response_head(app, resp, to_stdout=True)
        return
    if opts.output_file:
        save(app, resp, opts.output_file)
        return
    if opts.filter_expr:
        _print_json(app, _filtered(resp, opts.filter_expr))
        return
    if app.stdout_tty:
        _pretty(app, resp)
        return
    if opts.force_json:
        body = resp.content
        try:
            data = json.loads(body)
            text = json.dumps(data, indent=2, ensure_ascii=False)
        except (ValueError, RecursionError):
            # Not JSON (or nested beyond what can be re-indented): the bytes as they came.
            _raw(app, [body])
            return
        app.write_raw((text + "\n").encode("utf-8"))
        app.flush()
        return
    _raw(app, resp.iter_content(CHUNK))


def _raw(app: "App", chunks: Iterable[bytes]) -> None:
    for chunk in chunks:
        app.write_raw(chunk)
    app.flush()


def _filtered(resp: Any, expr: str) -> Any:
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        compiled = jmespath.compile(expr)
    except JMESPathError as e:
        from .errors import UsageError

        raise UsageError(f"invalid --filter expression: {str(e).splitlines()[0]}") from None
    try:
        data = json.loads(resp.content)
    except (ValueError, RecursionError):
        ctype = resp.headers.get("Content-Type", "no content type")
        raise OutputError(
            f"--filter needs a JSON body; this one is not JSON ({ctype})",
            hint="drop -f to see the body as it is",
        ) from None
    try:
        return compiled.search(data)
    except RecursionError:
        raise OutputError("--filter: the JSON body is nested too deeply to search") from None


def _print_json(app: "App", data: Any) -> None:
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False)
    except RecursionError:
        raise OutputError("the JSON is nested too deeply to print; save it with -o") from None
    if app.stdout_tty and app.color:
        from rich.json import JSON

        app.body_console.print(JSON(text))
    else:
        app.write_raw((text + "\n").encode("utf-8"))
        app.flush()


def _pretty(app: "App", resp: Any) -> None:
    status = f"HTTP/{_version(resp)} {resp.status_code} {resp.reason or ''}".rstrip()
    style = "green" if resp.ok else ("yellow" if resp.status_code < 500 else "red")
    app.console.print(status, style=f"bold {style}", markup=False, highlight=False)
    if resp.request.method == "HEAD":
        return
    body = _read_up_to(resp, PRETTY_LIMIT)
    if body is None:
        app.console.print(f"[body over {PRETTY_LIMIT} bytes; save it with -o FILE]", markup=False)
        return
    if not body:
        return
    if _is_binary(body):
        app.console.print(f"[binary body: {len(body)} bytes; save it with -o FILE]", markup=False)
        return
    text = body.decode(resp.encoding or "utf-8", "replace") if resp.encoding else _decode(body)
    ctype = resp.headers.get("Content-Type", "")
    if "json" in ctype or text.lstrip()[:1] in ("{", "["):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            pass
        else:
            try:
                _print_json(app, data)
                return
            except OutputError:
                pass
    app.write_raw((text if text.endswith("\n") else text + "\n").encode("utf-8"))
    app.flush()


def _read_up_to(resp: Any, limit: int) -> bytes | None:
    """The body if it is at most `limit` bytes (None if longer), never holding more."""
    length = resp.headers.get("Content-Length")
    if length is not None and length.isdigit() and int(length) > limit:
        return None
    data = bytearray()
    for chunk in resp.iter_content(CHUNK):
        data += chunk
        if len(data) > limit:
            return None
    return bytes(data)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("latin-1")


def _is_binary(body: bytes) -> bool:
    sample = body[:8192]
    if b"\x00" in sample:
        return True
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as e:
        # A multi-byte character cut at the sample's end is still text.
        return e.start < len(sample) - 4
    return False


def save(app: "App", resp: Any, path: str) -> None:
    """Stream the body to PATH, which appears only once the body is complete."""
    from .atomic import replacing

    path = os.path.expanduser(path)
    # Not synced to disk: a download is as durable as curl's; the rename still means a
    # broken transfer never leaves a complete-looking file (syncing 1 GiB costs ~1.5 s).
    with replacing(path, durable=False) as f:
        chunks = resp.iter_content(CHUNK)
        if app.stderr_tty:
            chunks = _with_progress(app, resp, chunks)
        for chunk in chunks:
            f.write(chunk)
    if app.stderr_tty:
        app.note(f"saved {resp.status_code} response body to {path}")


def _with_progress(app: "App", resp: Any, chunks: Iterable[bytes]) -> Iterable[bytes]:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TransferSpeedColumn,
    )

    total = int(resp.headers.get("Content-Length") or 0) or None
    with Progress(
        BarColumn(), DownloadColumn(), TransferSpeedColumn(), console=app.err_console, transient=True
    ) as progress:
        task = progress.add_task("download", total=total)
        for chunk in chunks:
            progress.update(task, advance=len(chunk))
            yield chunk
