"""The syntax tree of a Hurl file: every node keeps the line and column it came from."""

from __future__ import annotations

from typing import NamedTuple

from restcli.record import Factory, record


class Pos(NamedTuple):
    """A 1-based line and column, as Hurl reports them (a tuple: made for every token)."""

    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.line}:{self.col}"


@record
class Expr:
    """`{{name}}` inside a template; `name` may be a function such as newUuid."""

    name: str
    pos: Pos


@record
class Template:
    """Text with `{{...}}` placeholders: literal str parts and Expr parts, in order."""

    parts: tuple[str | Expr, ...]
    pos: Pos

    @property
    def is_literal(self) -> bool:
        return all(isinstance(p, str) for p in self.parts)

    def literal(self) -> str:
        return "".join(p for p in self.parts if isinstance(p, str))


@record
class JsonExpr:
    """A placeholder in a JSON body: inside a string it is escaped, bare it is a JSON value."""

    expr: Expr
    in_string: bool


@record
class Regex:
    """A `/pattern/` literal or a quoted pattern, compiled once at parse time."""

    pattern: Template
    pos: Pos


class FileValue(Template):
    """`file,path;` as a predicate value: the bytes are read at run time."""


@record
class KeyValue:
    key: Template
    value: Template
    pos: Pos


@record
class FilePart:
    """`field: file,path; type` in a multipart section."""

    key: Template
    filename: Template
    content_type: str | None
    pos: Pos


# Bodies -------------------------------------------------------------------------------


@record
class JsonBody:
    parts: tuple[str | JsonExpr, ...]
    pos: Pos


@record
class TextBody:
    """A multiline (```) or one-line (`) string; `lang` is the hint after ``` if any."""

    text: Template
    pos: Pos
    lang: str | None = None


@record
class BytesBody:
    """`base64,...;` or `hex,...;`: decoded at parse time."""

    data: bytes
    pos: Pos
    kind: str = "base64"


@record
class FileBody:
    filename: Template
    pos: Pos


Body = JsonBody | TextBody | BytesBody | FileBody


# Options ------------------------------------------------------------------------------


@record
class Option:
    """One `[Options]` line; `value` is rendered and checked against the key's kind at run time."""

    name: str
    value: Template
    pos: Pos


# Queries, filters, predicates ---------------------------------------------------------


@record
class Query:
    """`kind` is status, header, jsonpath...; `arg` the quoted argument or regex, if any."""

    kind: str
    arg: Template | Regex | None
    pos: Pos


@record
class Filter:
    name: str
    args: tuple[object, ...]
    pos: Pos


@record
class Predicate:
    """`func` is the canonical name (==, !=, >, startsWith, exists...); `value` its operand."""

    func: str
    value: object
    negated: bool
    pos: Pos
    value_pos: Pos | None = None


@record
class Capture:
    name: Template
    query: Query
    filters: tuple[Filter, ...]
    redact: bool
    pos: Pos


@record
class Assert:
    query: Query
    filters: tuple[Filter, ...]
    predicate: Predicate
    pos: Pos


# Entries ------------------------------------------------------------------------------


@record
class Request:
    method: str
    url: Template
    pos: Pos
    headers: list[KeyValue] = Factory(list)
    query: list[KeyValue] = Factory(list)
    form: list[KeyValue] = Factory(list)
    multipart: list[KeyValue | FilePart] = Factory(list)
    cookies: list[KeyValue] = Factory(list)
    basic_auth: KeyValue | None = None
    options: list[Option] = Factory(list)
    body: Body | None = None


@record
class Response:
    version: str  # "HTTP", "HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/3" or "HTTP/*"
    status: int | None  # None for `*`
    pos: Pos
    status_pos: Pos
    headers: list[KeyValue] = Factory(list)
    captures: list[Capture] = Factory(list)
    asserts: list[Assert] = Factory(list)
    body: Body | None = None


@record
class Entry:
    index: int  # 1-based, as --from-entry/--to-entry count
    request: Request
    response: Response | None = None


@record
class HurlFile:
    filename: str
    source: str
    entries: list[Entry]
