"""Low-level reading of Hurl text: positions, blank lines and comments, strings, templates.

The structure of entries and sections is in parser.py; this module knows the lexical
rules shared by all of them (Hurl's grammar.md: key-string, value-string, quoted-string,
regex, multiline and one-line strings, base64/hex/file literals, JSON with templates).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import re

from restcli.runner.errors import HurlError, parse_error
from restcli.runner.nodes import Expr, JsonExpr, Pos, Regex, Template
from restcli.runner.patterns import RegexError, compile_regex

_SIMPLE_ESCAPES = {
    "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
    "\\": "\\", '"': '"', "/": "/", "#": "#", ":": ":", "`": "`",
    "{": "{", "}": "}", "[": "[", "]": "]", "'": "'", " ": " ", ",": ",", ";": ";",
}
_EXPR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-.]*")
_KEY_CHAR = re.compile(r"[A-Za-z0-9_.\-\[\]@$]")


class Cursor:
    """An offset into the file text, with line/column lookup and small reading helpers."""

    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    # Position ---------------------------------------------------------------------------
    def pos(self, i: int | None = None) -> Pos:
        at = self.i if i is None else i
        line = bisect.bisect_right(self._starts, at)
        return Pos(line, at - self._starts[line - 1] + 1)

    def error(self, message: str, i: int | None = None) -> HurlError:
        return parse_error(message, self.pos(i))

    # Characters -------------------------------------------------------------------------
    def peek(self, n: int = 0) -> str:
        j = self.i + n
        return self.text[j] if j < len(self.text) else ""

    def at(self, s: str) -> bool:
        return self.text.startswith(s, self.i)

    @property
    def eof(self) -> bool:
        return self.i >= len(self.text)

    def line_rest(self) -> str:
        end = self.text.find("\n", self.i)
        return self.text[self.i : len(self.text) if end < 0 else end].rstrip("\r")

    def skip_sp(self) -> int:
        start = self.i
        while self.peek() in (" ", "\t"):
            self.i += 1
        return self.i - start

    def require_sp(self, after: str) -> None:
        if not self.skip_sp():
            raise self.error(f"expecting a space after {after}")

    def at_eol(self) -> bool:
        return self.peek() in ("", "\n", "\r", "#")

    def expect_eol(self) -> None:
        """Spaces, an optional comment, then a line end (or the end of the file)."""
        self.skip_sp()
        if self.peek() == "#":
            while self.peek() not in ("", "\n"):
                self.i += 1
        if self.at("\r\n"):
            self.i += 2
        elif self.peek() == "\n":
            self.i += 1
        elif not self.eof:
            raise self.error(f"unexpected character '{self.peek()}'")

    def skip_lt(self) -> None:
        """Blank lines and comment lines; stops at the start of a line with content."""
        while not self.eof:
            start = self.i
            self.skip_sp()
            if self.at_eol():
                self.expect_eol()
            else:
                self.i = start
                return

    # Templates --------------------------------------------------------------------------
    def read_expr(self) -> Expr:
        """`{{ name }}`: the cursor is on the first brace."""
        start = self.i
        end = self.text.find("}}", self.i + 2)
        newline = self.text.find("\n", self.i)
        if end < 0 or (0 <= newline < end):
            raise self.error("unterminated template, expecting '}}'", start)
        name = self.text[self.i + 2 : end].strip()
        if not _EXPR_NAME.fullmatch(name):
            raise self.error(f"invalid variable name '{name}'", start + 2)
        self.i = end + 2
        return Expr(name, self.pos(start))

    def read_escape(self) -> str:
        """A backslash escape; the cursor is on the backslash."""
        start = self.i
        ch = self.peek(1)
        if ch == "u" and self.peek(2) == "{":
            end = self.text.find("}", self.i + 3)
            digits = self.text[self.i + 3 : end] if end > 0 else ""
            if not re.fullmatch(r"[0-9A-Fa-f]{1,6}", digits):
                raise self.error("invalid unicode escape, expecting \\u{hex}", start)
            self.i = end + 1
            return chr(int(digits, 16))
        if ch in _SIMPLE_ESCAPES:
            self.i += 2
            return _SIMPLE_ESCAPES[ch]
        raise self.error(f"invalid escape sequence '\\{ch}'", start)

    def read_template(self, stop, escapes: bool = True, variables: bool = True) -> Template:
        """Text up to a character `stop(ch)` accepts (not consumed) or a line end."""
        start = self.i
        return self._template(
            start, lambda: not self.eof and self.peek() not in ("\n", "\r") and not stop(self.peek()),
            escapes, variables,
        )

    def _template(self, start: int, more, escapes: bool, variables: bool) -> Template:
        """Literal text and {{expressions}} from here while `more()` holds."""
        parts: list[str | Expr] = []
        buf: list[str] = []
        while more():
            if variables and self.at("{{"):
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(self.read_expr())
            elif escapes and self.peek() == "\\":
                buf.append(self.read_escape())
            else:
                buf.append(self.peek())
                self.i += 1
        if buf:
            parts.append("".join(buf))
        return Template(tuple(parts), self.pos(start))

    def read_value_string(self) -> Template:
        """A header, param or option value: up to a comment or the line end, trimmed."""
        tpl = self.read_template(lambda ch: ch == "#")
        parts = list(tpl.parts)
        if parts and isinstance(parts[-1], str):
            parts[-1] = parts[-1].rstrip(" \t")
            if not parts[-1]:
                parts.pop()
        return Template(tuple(parts), tpl.pos)

    def read_key_string(self) -> Template:
        """A header, param or capture name: Hurl's key-string characters, escapes, templates."""
        start = self.i
        tpl = self.read_template(lambda ch: not _KEY_CHAR.fullmatch(ch) and ch not in "{\\")
        if not tpl.parts:
            raise self.error("expecting a key (name: value)", start)
        return tpl

    def read_quoted(self) -> Template:
        """`"text"`; the cursor is on the opening quote."""
        start = self.i
        if self.peek() != '"':
            raise self.error("expecting a quoted string")
        self.i += 1
        tpl = self.read_template(lambda ch: ch == '"')
        if self.peek() != '"':
            raise self.error("unterminated quoted string", start)
        self.i += 1
        return Template(tpl.parts, self.pos(start))

    def read_backtick(self) -> Template:
        """A one-line string `` `text` ``; the cursor is on the opening backtick."""
        start = self.i
        self.i += 1
        tpl = self.read_template(lambda ch: ch == "`")
        if self.peek() != "`":
            raise self.error("unterminated one-line string, expecting '`'", start)
        self.i += 1
        return Template(tpl.parts, self.pos(start))

    def read_regex(self) -> Regex:
        """`/pattern/`: backslashes are the regex's own, except `\\/` for a slash."""
        start = self.i
        self.i += 1
        buf: list[str] = []
        while self.peek() not in ("/", "", "\n"):
            if self.at("\\/"):
                buf.append("/")
                self.i += 2
            else:
                buf.append(self.peek())
                self.i += 1
        if self.peek() != "/":
            raise self.error("unterminated regex, expecting '/'", start)
        self.i += 1
        pattern = "".join(buf)
        check_regex(pattern, self.pos(start + 1))
        return Regex(Template((pattern,), self.pos(start + 1)), self.pos(start))

    def read_regex_or_quoted(self) -> Regex:
        if self.peek() == "/":
            return self.read_regex()
        start = self.i
        tpl = self.read_quoted()
        if tpl.is_literal:
            check_regex(tpl.literal(), self.pos(start + 1))
        return Regex(tpl, tpl.pos)

    # Literal bytes ----------------------------------------------------------------------
    def read_until_semicolon(self, what: str) -> str:
        start = self.i
        end = self.text.find(";", self.i)
        if end < 0:
            raise self.error(f"unterminated {what}, expecting ';'", start)
        self.i = end + 1
        return self.text[start:end]

    def read_base64(self) -> bytes:
        """`base64,...;` (whitespace and newlines allowed inside); cursor after the comma."""
        start = self.i
        raw = re.sub(r"\s+", "", self.read_until_semicolon("base64 value"))
        try:
            return base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
        except binascii.Error:
            raise self.error("invalid base64 value", start) from None

    def read_hex(self) -> bytes:
        start = self.i
        raw = self.read_until_semicolon("hex value").strip()
        if not re.fullmatch(r"([0-9A-Fa-f]{2})*", raw):
            raise self.error("invalid hex value", start)
        return bytes.fromhex(raw)

    def read_filename(self) -> Template:
        """`file,path;` file name (escapes and templates allowed); cursor after the comma."""
        start = self.i
        self.skip_sp()
        tpl = self.read_template(lambda ch: ch == ";")
        if self.peek() != ";":
            raise self.error("unterminated file name, expecting ';'", start)
        self.i += 1
        parts = list(tpl.parts)
        if parts and isinstance(parts[-1], str):
            parts[-1] = parts[-1].rstrip()
        if not parts:
            raise self.error("empty file name", start)
        return Template(tuple(parts), tpl.pos)

    # Multiline strings ------------------------------------------------------------------
    def read_multiline(self) -> tuple[Template, str | None, set[str]]:
        """```lang modifiers\\n ... ```: returns (text, lang, modifiers)."""
        start = self.i
        self.i += 3
        header = self.line_rest()
        words = header.split()
        self.i += len(header)
        if self.at("\r\n"):
            self.i += 2
        elif self.peek() == "\n":
            self.i += 1
        else:
            raise self.error("expecting a line end after ```", start)
        lang = words[0] if words and words[0] not in ("escape", "novariable") else None
        modifiers = set(words[1:] if lang else words)
        end = self.text.find("```", self.i)
        if end < 0:
            raise self.error("unterminated multiline string, expecting ```", start)
        body_start = self.i
        tpl = self._template_span(body_start, end, "escape" in modifiers,
                                  "novariable" not in modifiers)
        self.i = end + 3
        return tpl, lang, modifiers

    def _template_span(self, begin: int, end: int, escapes: bool, variables: bool) -> Template:
        """A template over text[begin:end], where newlines are ordinary characters."""
        self.i = begin
        return self._template(begin, lambda: self.i < end, escapes, variables)

    # JSON -------------------------------------------------------------------------------
    def read_json(self) -> tuple[tuple[str | JsonExpr, ...], Pos]:
        """A JSON value with `{{...}}` placeholders; its structure is checked here."""
        start = self.i
        out = _JsonReader(self)
        out.value()
        # Trailing blanks belong to the lines after the body, not to the body.
        while self.i > start and self.text[self.i - 1] in " \t\r\n":
            self.i -= 1
        out.flush()
        return tuple(out.parts), self.pos(start)


def check_regex(pattern: str, pos: Pos) -> None:
    """A literal pattern is compiled now, by the engine that runs it (Rust's syntax)."""
    try:
        compile_regex(pattern)
    except RegexError as e:
        raise parse_error(f"invalid regex: {e}", pos) from None


class _JsonReader:
    """Checks JSON structure over the cursor, splitting out placeholders."""

    def __init__(self, cur: Cursor):
        self.cur = cur
        self.parts: list[str | JsonExpr] = []
        self.mark = cur.i

    def flush(self, upto: int | None = None) -> None:
        end = self.cur.i if upto is None else upto
        if end > self.mark:
            self.parts.append(self.cur.text[self.mark : end])
        self.mark = end

    def ws(self) -> None:
        while self.cur.peek() in (" ", "\t", "\n", "\r"):
            self.cur.i += 1

    def placeholder(self, in_string: bool) -> None:
        self.flush()
        expr = self.cur.read_expr()
        self.parts.append(JsonExpr(expr, in_string))
        self.mark = self.cur.i

    def value(self) -> None:
        cur = self.cur
        self.ws()
        ch = cur.peek()
        if cur.at("{{"):
            self.placeholder(False)
        elif ch == "{":
            self.container("{", "}", self.member)
        elif ch == "[":
            self.container("[", "]", self.value)
        elif ch == '"':
            self.string()
        else:
            m = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null").match(
                cur.text, cur.i)
            if not m:
                raise cur.error("invalid JSON value" if ch else "unexpected end of JSON")
            cur.i = m.end()
        self.ws()

    def container(self, open_: str, close: str, item) -> None:
        cur = self.cur
        start = cur.i
        cur.i += 1
        self.ws()
        if cur.peek() == close:
            cur.i += 1
            return
        while True:
            item()
            if cur.peek() == ",":
                cur.i += 1
                continue
            if cur.peek() == close:
                cur.i += 1
                return
            if cur.eof:
                raise cur.error(f"unterminated JSON, expecting '{close}'", start)
            raise cur.error(f"expecting ',' or '{close}' in JSON")

    def member(self) -> None:
        self.ws()
        if self.cur.peek() != '"':
            raise self.cur.error("expecting a JSON key in double quotes")
        self.string()
        self.ws()
        if self.cur.peek() != ":":
            raise self.cur.error("expecting ':' after a JSON key")
        self.cur.i += 1
        self.value()

    def string(self) -> None:
        cur = self.cur
        start = cur.i
        cur.i += 1
        while cur.peek() != '"':
            if cur.peek() in ("", "\n"):
                raise cur.error("unterminated JSON string", start)
            if cur.at("{{"):
                self.placeholder(True)
            elif cur.peek() == "\\":
                cur.i += 2
            else:
                cur.i += 1
        cur.i += 1
