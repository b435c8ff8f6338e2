"""Errors with a position in a Hurl file, rendered as Hurl shows them.

Three kinds, each with its own exit code (see the package docstring): a parse error
(nothing of the file ran), a runtime error (the request could not be made, a capture
failed, a variable is missing) and an assert failure (the response was not the one
described).
"""

from __future__ import annotations

from restcli.output import inert
from restcli.record import Factory, record
from restcli.runner.nodes import Pos

PARSE = "parse"
RUNTIME = "runtime"
ASSERT = "assert"

NOT_SUPPORTED = "not supported by restcli"


@record
class HurlError(Exception):
    """An error at a position; `expected`/`actual` are shown for assert failures."""

    kind: str
    message: str
    pos: Pos | None = None
    expected: str | None = None
    actual: str | None = None
    filename: str = ""
    source_line: str = ""
    notes: list[str] = Factory(list)

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)

    def __str__(self) -> str:
        return self.message

    def located(self, filename: str, source: str) -> HurlError:
        """Attach the file and its source line (once) so the error renders on its own."""
        if not self.filename:
            self.filename = filename
        if self.pos is not None and not self.source_line:
            lines = source.splitlines()
            if 1 <= self.pos.line <= len(lines):
                self.source_line = lines[self.pos.line - 1]
        return self

    @property
    def location(self) -> str:
        if self.pos is None:
            return self.filename
        return f"{self.filename}:{self.pos.line}:{self.pos.col}"


def parse_error(message: str, pos: Pos) -> HurlError:
    return HurlError(PARSE, message, pos)


def unsupported(what: str, pos: Pos) -> HurlError:
    return HurlError(PARSE, f"{what} is {NOT_SUPPORTED}", pos)


def runtime_error(message: str, pos: Pos | None = None) -> HurlError:
    return HurlError(RUNTIME, message, pos)


_TITLES = {PARSE: "Parsing error", RUNTIME: "Runtime error", ASSERT: "Assert failure"}


def render(err: HurlError, redact=lambda s: s) -> str:
    """Hurl's layout: title, `--> file:line:col`, the source line, a caret, the details.

    Values may come from a server: control characters are escaped for the terminal."""
    given = redact

    def redact(text: str) -> str:
        return inert(given(text))

    lines = [f"error: {_TITLES.get(err.kind, 'Error')}", f"  --> {err.location}"]
    if err.pos is not None and err.source_line:
        num = str(err.pos.line)
        pad = " " * len(num)
        caret_pad = _caret_padding(err.source_line, err.pos.col)
        lines.append(f"{pad} |")
        lines.append(f"{num} | {redact(err.source_line)}")
        lines.append(f"{pad} | {caret_pad}^ {redact(err.message)}")
        for label, value in (("actual:  ", err.actual), ("expected:", err.expected)):
            if value is not None:
                lines.append(f"{pad} | {caret_pad}  {label} {redact(value)}")
        for note in err.notes:
            lines.append(f"{pad} | {caret_pad}  {redact(note)}")
        lines.append(f"{pad} |")
    else:
        lines.append(f"  {redact(err.message)}")
        for label, value in (("actual:  ", err.actual), ("expected:", err.expected)):
            if value is not None:
                lines.append(f"  {label} {redact(value)}")
    return "\n".join(lines)


def _caret_padding(source_line: str, col: int) -> str:
    """Spaces up to the column, keeping tabs so the caret lines up in a terminal."""
    prefix = source_line[: max(col - 1, 0)]
    return "".join("\t" if ch == "\t" else " " for ch in prefix)
