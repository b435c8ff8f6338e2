"""Rendering: pretty on a terminal (rich), the raw bytes into a pipe, notes on stderr.

Every header shown passes through display_header(), and every line through the
run's Redactor, so no output path can show a secret.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..auth import readable_authorization
from ..deadline import CHUNK, size_text
from ..errors import OutputError
from ..http import SENSITIVE_HEADERS
from ..inert import inert  # also imported from here by the call pipeline
from ..record import record
from ..secrets import mask

if TYPE_CHECKING:
    from ..app import App

# Response headers that can carry credentials back (a session, an echoed authorization).
RESPONSE_SECRETS = frozenset({"set-cookie", "x-amzn-remapped-authorization"})
# Decoded bytes of one body held in memory (--json, -f, -r, --paginate, a terminal).
BUFFER_LIMIT = 64 * 1024 * 1024
# An error body shown on stderr (with -o, or during --paginate) is cut here.
ERROR_BODY_SHOWN = 2048
# Above this, JSON on a terminal is indented without colour.
COLOUR_LIMIT = 16 * 1024 * 1024
_UNSAFE_JSON = re.compile("[\x7f-\x9f]")
_JSON_TOKEN = re.compile(
    r'("(?:[^"\\]|\\.)*")(:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b'
)
_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_GREEN = "\x1b[32m"
_YELLOW = "\x1b[33m"
_RED = "\x1b[31m"
_HEADER_NAME = "\x1b[36m"
# The request line of -v, beside the response's status line in its status colour.
REQUEST_LINE_COLOUR = _BOLD
_KEY = "\x1b[34m"
_STRING = "\x1b[33m"
_NUMBER = "\x1b[36m"
_LITERAL = "\x1b[35m"


@record
class OutputOptions:
    output_file: str | None = None
    headers_only: bool = False
    force_json: bool = False
    filter_expr: str | None = None
    raw: bool = False
    include: bool = False
    slurp: bool = False
    exit_status: bool = False


def print_table(app: App, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """A table on a terminal; tab-separated lines into a pipe, for cut and awk.

    A value is never cut: a table wider than the terminal is printed at its own width,
    each row one line the terminal wraps (an endpoint stays whole, to read and to copy).
    Values come from files a user may not have written (imports, a shared profiles file):
    control characters are escaped, and a tab too where tabs separate the columns.
    """
    rows = [tuple(inert(cell) for cell in row) for row in rows]
    if app.stdout_tty:
        # rich only when a terminal shows the table (start-up)
        from rich.measure import Measurement
        from rich.table import Table

        table = Table(*columns, box=None, header_style="bold")
        for row in rows:
            table.add_row(*row)
        console = app.console
        needed = Measurement.get(console, console.options.update(width=1 << 20), table).maximum
        if needed <= console.width:
            console.print(table)
            return
        detected = console._width  # None: the terminal's width, asked again after this table
        console.width = needed
        try:
            console.print(table)
        finally:
            console._width = detected
        return
    for row in rows:
        app.out.write("\t".join(cell.replace("\t", "\\t") for cell in row) + "\n")
    app.out.flush()


def display_header(name: str, value: str, secret_names: Iterable[str] = ()) -> str:
    """A header value fit to print: secrets masked, but the part of an Authorization its
    mode allows kept readable (SigV4's scope)."""
    lname = name.lower()
    if lname == "authorization":
        shown = readable_authorization(value)
        if shown is not None:
            return shown
    if lname in SENSITIVE_HEADERS or lname in secret_names:
        return mask(value)
    return value


def status_line(resp: Any) -> str:
    return inert(f"HTTP/{_version(resp)} {resp.status_code} {resp.reason or ''}".rstrip())


def print_response_head(app: App, resp: Any, to_stdout: bool = False) -> None:
    """Status line and headers (-v on stderr, --headers and -i on stdout), each escaped;
    coloured on a terminal."""
    writer = app.out if to_stdout else app.err
    headers = [(inert(name), inert(display_header(name, value, RESPONSE_SECRETS)))
               for name, value in resp.headers.items()]
    lines = painted_head(app, writer, status_line(resp), _status_colour(resp.status_code),
                         headers)
    writer.write("\n".join(lines) + "\n\n")
    writer.flush()


def painted_head(app: App, writer: Any, first: str, first_colour: str,
                 headers: list[tuple[str, str]]) -> list[str]:
    """A message head as lines: the first line and the header names coloured when the
    writer is a terminal and colour is wanted (NO_COLOR), plain otherwise. The request
    (-v) and the response are painted alike, so a reader tells them apart by colour."""
    colour = writer.isatty() and app.color
    lines = [_paint(first, first_colour, colour)]
    lines += [f"{_paint(name, _HEADER_NAME, colour)}: {value}" for name, value in headers]
    return lines


def print_error_body(app: App, resp: Any, limit: int = ERROR_BODY_SHOWN) -> None:
    """An error body on stderr, at most `limit` characters, escaped (with -o or pages)."""
    if resp.request.method == "HEAD":
        return
    body = bytearray()
    more = False
    for chunk in resp.iter_content(CHUNK):
        body += chunk
        if len(body) > limit:
            more = True
            break
    if not body:
        return
    text = _decode(bytes(body[:limit])).rstrip("\n")
    tail = f"\n[error body truncated to {limit} bytes]" if more else ""
    shown = "\n".join(inert(line) for line in text.split("\n"))
    app.err.write(shown + tail + "\n")
    app.err.flush()


def _version(resp: Any) -> str:
    v = getattr(resp.raw, "version", 11)
    return {10: "1.0", 11: "1.1", 20: "2"}.get(v, "1.1")


def _status_colour(code: int) -> str:
    return _GREEN if code < 300 else (_YELLOW if code < 500 else _RED)


def _paint(text: str, sgr: str, colour: bool) -> str:
    return f"{sgr}{text}{_RESET}" if colour else text


def render(app: App, resp: Any, opts: OutputOptions, target: Any = None) -> bool:
    """Write one response where the user wants it (`target`: the -o file, checked before
    sending). Returns whether the body selected something, for --exit-status (refused with
    -o, which saves the body as received)."""
    if opts.headers_only:
        print_response_head(app, resp, to_stdout=True)
        return True
    if opts.include:
        print_response_head(app, resp, to_stdout=True)
    if opts.output_file == "-":
        # `-o -`: the body as received on stdout, as curl writes it; never an error page.
        for chunk in resp.iter_content(CHUNK):
            app.write_raw(chunk)
        app.flush()
        return True
    if opts.output_file:
        from .download import save  # only for -o (start-up)

        save(app, resp, target)
        return True
    renderer = Renderer(app, opts)
    renderer.page(resp)
    renderer.close()
    return renderer.selected


class Selection:
    """Whether a body selects something for --exit-status, decided from its bytes whatever
    they are printed as (so a terminal and a pipe agree), one chunk at a time: an empty
    body, or JSON null, [] or {} (with JSON's whitespace), selects nothing."""

    # JSON's whitespace runs made one space: the longest body selecting nothing is " null ".
    _SPACES = re.compile(rb"[ \t\r\n]+")
    _NOTHING = re.compile(rb" ?(?:null|\[ ?\]|\{ ?\})? ?")
    _LONGEST = len(b" null ")
    _STEP = 256

    def __init__(self) -> None:
        self.held = b""
        self.something = False

    def feed(self, chunk: bytes) -> None:
        # A slice at a time: a large body is decided by its first bytes, never copied.
        for start in range(0, len(chunk), self._STEP):
            if self.something:
                return
            self.held = self._SPACES.sub(b" ", self.held + chunk[start:start + self._STEP])
            self.something = len(self.held) > self._LONGEST

    def selects(self) -> bool:
        return self.something or not self._NOTHING.fullmatch(self.held)


class Renderer:
    """Bodies (one response, or the pages of --paginate) to stdout, one page in memory at
    most: JSON compact on one line into a pipe, indented (and coloured) on a terminal or
    with --json; -f applied per page; -r for shell words. `selected`: some page's body
    (or -f result) was not empty, null, [] or {}."""

    def __init__(self, app: App, opts: OutputOptions, paginated: bool = False):
        self.app = app
        self.opts = opts
        self.compiled = None
        if opts.filter_expr:
            from .filters import compile_expr  # only with -f (start-up)

            self.compiled = compile_expr(opts.filter_expr)
        mode = "each"
        if paginated and opts.slurp:
            mode = "slurp"
        elif paginated and self.compiled is not None:
            mode = "merge"
        pretty = app.stdout_tty or opts.force_json
        self.sink = JsonSink(app, pretty, app.stdout_tty and app.color, opts.raw, mode)
        self.pages = 0
        self.paginated = paginated
        self.selected = False

    def page(self, resp: Any, body: bytes | None = None) -> None:
        """One response's body; `body` when the caller read it already (bounded)."""
        self.pages += 1
        app, opts = self.app, self.opts
        terminal = app.stdout_tty and not (self.compiled or opts.raw or opts.include)
        if terminal and self.pages == 1:
            app.out.write(_paint(status_line(resp), _BOLD + _status_colour(resp.status_code),
                                 app.color) + "\n")
            app.out.flush()
        if resp.request.method == "HEAD":
            return
        buffered = self.compiled is not None or opts.raw or opts.force_json or opts.slurp
        if buffered:
            if body is None:
                body = read_body(resp, _need(opts))
            if self.compiled is not None:
                # jmespath only for --filter (start-up)
                from .filters import search

                result = search(self.compiled, parse_json(body, resp))
                self.selected = self.selected or not _empty(result)
                self.sink.emit(result)
                return
            self._note(body)
            data = _loads(body)
            if data is _NOT_JSON:
                if opts.slurp:
                    parse_json(body, resp, "--slurp")
                self._bytes(body)
            else:
                self.sink.emit(data)
            return
        if terminal:
            self._terminal(resp, body)
            return
        self._pipe(resp, body)

    def _note(self, body: bytes) -> None:
        """A page's body counts for --exit-status (the -f result counts instead with -f)."""
        if not self.selected:
            seen = Selection()
            seen.feed(body)
            self.selected = seen.selects()

    def _terminal(self, resp: Any, body: bytes | None) -> None:
        app = self.app
        if body is None:
            body = _read_up_to(resp, BUFFER_LIMIT)
        if body is None:
            self.selected = True  # longer than any empty document
            app.out.line(f"[body over {size_text(BUFFER_LIMIT)}; save it with -o FILE]")
            return
        self._note(body)
        if not body:
            return
        if _is_binary(body):
            app.out.line(f"[binary body: {len(body)} bytes; save it with -o FILE]")
            return
        ctype = resp.headers.get("Content-Type", "")
        if ("json" in ctype or body.lstrip()[:1] in (b"{", b"[")) and self._emit_json(body):
            return
        text = body.decode(resp.encoding, "replace") if resp.encoding else _decode(body)
        self.app.write_raw((text if text.endswith("\n") else text + "\n").encode("utf-8"))
        self.app.flush()

    def _pipe(self, resp: Any, body: bytes | None) -> None:
        """Into a pipe: a JSON body on one line ending with a newline (as received when it is
        one line already); anything else, or a JSON body over the buffer limit, streamed as
        received."""
        if body is None:
            if "json" not in resp.headers.get("Content-Type", "").lower():
                self._stream(resp.iter_content(CHUNK))
                return
            chunks = resp.iter_content(CHUNK)
            held = bytearray()
            for chunk in chunks:
                held += chunk
                if len(held) > BUFFER_LIMIT:
                    self._stream(itertools.chain([bytes(held)], chunks))
                    return
            body = bytes(held)
        self._note(body)
        line = body.rstrip(b"\r\n")
        if b"\n" not in line:
            # One line already: kept as the server wrote it (numbers, spacing), but a line
            # a shell reads (`wc -l`, `while read`) ends with a newline.
            self._bytes(line + b"\n" if line and _loads(line) is not _NOT_JSON else body)
        elif not self._emit_json(body):
            self._bytes(body)

    def _emit_json(self, body: bytes) -> bool:
        """The body as JSON through the sink; False when it is not JSON or cannot be shown."""
        data = _loads(body)
        if data is _NOT_JSON:
            return False
        try:
            self.sink.emit(data)
        except OutputError:
            return False
        return True

    def _bytes(self, body: bytes) -> None:
        if body:
            # Pages one after another: each ends its line.
            end = b"\n" if self.paginated and not body.endswith(b"\n") else b""
            self.app.write_raw(body + end)
        self.app.flush()

    def _stream(self, chunks: Iterable[bytes]) -> None:
        seen = Selection()
        for chunk in chunks:
            seen.feed(chunk)
            self.app.write_raw(chunk)
        self.app.flush()
        self.selected = self.selected or seen.selects()

    def close(self) -> None:
        self.sink.close()


class JsonSink:
    """JSON values to stdout. `each`: one document per value; `merge`: the elements of
    every value (a list's items, any other value but null) streamed as one array;
    `slurp`: every value as one element of one array. With `raw`, strings bare and one
    element per line instead."""

    def __init__(self, app: App, pretty: bool, colour: bool, raw: bool, mode: str = "each"):
        self.app = app
        self.pretty = pretty
        self.colour = colour
        self.raw = raw
        self.mode = mode
        self.count = 0

    def emit(self, value: Any) -> None:
        if self.mode == "each":
            if self.raw:
                self._raw(value)
            else:
                self._write(self._dumps(value) + "\n")
        elif self.mode == "merge":
            items = value if isinstance(value, list) else ([] if value is None else [value])
            for item in items:
                self._element(item)
        else:
            self._element(value)
        self.app.flush()

    def _raw(self, value: Any) -> None:
        if value is None:
            return
        for item in value if isinstance(value, list) else [value]:
            self._write(self._raw_line(item))

    def _raw_line(self, value: Any) -> str:
        if isinstance(value, str):
            return value + "\n"
        return _dumps(value, None) + "\n"

    def _element(self, value: Any) -> None:
        if self.raw:
            self._write(self._raw_line(value))
            return
        text = self._dumps(value)
        if self.pretty:
            text = "  " + text.replace("\n", "\n  ")
            prefix = ",\n" if self.count else "[\n"
        else:
            prefix = "," if self.count else "["
        self.count += 1
        self._write(prefix + text)

    def close(self) -> None:
        if self.mode != "each" and not self.raw:
            if not self.count:
                self._write("[]\n")
            else:
                self._write("\n]\n" if self.pretty else "]\n")
        self.app.flush()

    def _dumps(self, value: Any) -> str:
        text = _dumps(value, 2 if self.pretty else None)
        if self.pretty:
            # On a terminal: DEL and C1 escaped as JSON escapes (json leaves them raw).
            text = _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
            if self.colour and len(text) <= COLOUR_LIMIT:
                text = colourise(text)
        return text

    def _write(self, text: str) -> None:
        self.app.write_raw(text.encode("utf-8"))


def colourise(text: str) -> str:
    """ANSI colours over json.dumps output: keys, strings, numbers, true/false/null.

    One regular-expression pass; much faster than a general highlighter on large bodies.
    """
    return _JSON_TOKEN.sub(_colour_token, text)


def _colour_token(m: re.Match[str]) -> str:
    string, colon, number, literal = m.groups()
    if string is not None:
        if colon is not None:
            return f"{_KEY}{string}{_RESET}{colon}"
        return f"{_STRING}{string}{_RESET}"
    if number is not None:
        return f"{_NUMBER}{number}{_RESET}"
    return f"{_LITERAL}{literal}{_RESET}"


def _dumps(value: Any, indent: int | None) -> str:
    try:
        if indent is None:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return json.dumps(value, ensure_ascii=False, indent=indent)
    except RecursionError:
        raise OutputError("the JSON is nested too deeply to print; save it with -o") from None


def _empty(value: Any) -> bool:
    """What --exit-status counts as selecting nothing: null, an empty array or object."""
    return value is None or value == [] or value == {}


_NOT_JSON = object()


def _loads(body: bytes) -> Any:
    try:
        return json.loads(body, parse_float=_finite, parse_constant=_not_json)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _finite(text: str) -> float:
    """A JSON number past a float's range is the largest float of its sign (as jq reads
    it), never Infinity, which is not JSON and would make the output unreadable."""
    value = float(text)
    if value in (_INF, -_INF):
        return _MAX if value > 0 else -_MAX
    return value


def _not_json(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


_INF = float("inf")
_MAX = 1.7976931348623157e308


def _need(opts: OutputOptions) -> str:
    if opts.filter_expr:
        return "-f"
    if opts.slurp:
        return "--slurp"
    if opts.raw:
        return "-r"
    return "--json"


def read_body(resp: Any, need: str, limit: int | None = None) -> bytes:
    """The whole body, for an option that must hold it: an error past the limit
    (counted in decoded bytes)."""
    limit = BUFFER_LIMIT if limit is None else limit
    body = _read_up_to(resp, limit)
    if body is None:
        raise OutputError(
            f"the body is over {size_text(limit)}, the most {need} holds in memory",
            hint="save it with -o FILE, or pipe it without --json, -f, -r or --paginate",
        )
    return body


def parse_json(body: bytes, resp: Any, need: str = "--filter") -> Any:
    data = _loads(body)
    if data is _NOT_JSON:
        ctype = inert(resp.headers.get("Content-Type", "no content type"))
        raise OutputError(
            f"{need} needs a JSON body; this one is not JSON ({ctype})",
            hint=f"drop {need} to see the body as it is",
        )
    return data


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
