"""The syntax tree of a Hurl file: every node keeps the line and column it came from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pos:
    """A 1-based line and column, as Hurl reports them."""

    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.line}:{self.col}"


@dataclass(frozen=True)
class Expr:
    """`{{name}}` inside a template; `name` may be a function such as newUuid."""

    name: str
    pos: Pos


@dataclass(frozen=True)
class Template:
    """Text with `{{...}}` placeholders: literal str parts and Expr parts, in order."""

    parts: tuple[str | Expr, ...]
    pos: Pos

    @property
    def is_literal(self) -> bool:
        return all(isinstance(p, str) for p in self.parts)

    def literal(self) -> str:
        return "".join(p for p in self.parts if isinstance(p, str))


@dataclass(frozen=True)
class JsonExpr:
    """A placeholder in a JSON body: inside a string it is escaped, bare it is a JSON value."""

    expr: Expr
    in_string: bool


@dataclass(frozen=True)
class Regex:
    """A `/pattern/` literal or a quoted pattern, compiled once at parse time."""

    pattern: Template
    pos: Pos


class FileValue(Template):
    """`file,path;` as a predicate value: the bytes are read at run time."""


@dataclass(frozen=True)
class KeyValue:
    key: Template
    value: Template
    pos: Pos


@dataclass(frozen=True)
class FilePart:
    """`field: file,path; type` in a multipart section."""

    key: Template
    filename: Template
    content_type: str | None
    pos: Pos


# Bodies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class JsonBody:
    parts: tuple[str | JsonExpr, ...]
    pos: Pos


@dataclass(frozen=True)
class TextBody:
    """A multiline (```) or one-line (`) string; `lang` is the hint after ``` if any."""

    text: Template
    pos: Pos
    lang: str | None = None


@dataclass(frozen=True)
class BytesBody:
    """`base64,...;` or `hex,...;`: decoded at parse time."""

    data: bytes
    pos: Pos
    kind: str = "base64"


@dataclass(frozen=True)
class FileBody:
    filename: Template
    pos: Pos


Body = JsonBody | TextBody | BytesBody | FileBody


# Options ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One `[Options]` line; `value` is rendered and checked against the key's kind at run time."""

    name: str
    value: Template
    pos: Pos


# Queries, filters, predicates ---------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """`kind` is status, header, jsonpath...; `arg` the quoted argument or regex, if any."""

    kind: str
    arg: Template | Regex | None
    pos: Pos


@dataclass(frozen=True)
class Filter:
    name: str
    args: tuple[object, ...]
    pos: Pos


@dataclass(frozen=True)
class Predicate:
    """`func` is the canonical name (==, !=, >, startsWith, exists...); `value` its operand."""

    func: str
    value: object
    negated: bool
    pos: Pos
    value_pos: Pos | None = None


@dataclass(frozen=True)
class Capture:
    name: Template
    query: Query
    filters: tuple[Filter, ...]
    redact: bool
    pos: Pos


@dataclass(frozen=True)
class Assert:
    query: Query
    filters: tuple[Filter, ...]
    predicate: Predicate
    pos: Pos


# Entries ------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    url: Template
    pos: Pos
    headers: list[KeyValue] = field(default_factory=list)
    query: list[KeyValue] = field(default_factory=list)
    form: list[KeyValue] = field(default_factory=list)
    multipart: list[KeyValue | FilePart] = field(default_factory=list)
    cookies: list[KeyValue] = field(default_factory=list)
    basic_auth: KeyValue | None = None
    options: list[Option] = field(default_factory=list)
    body: Body | None = None


@dataclass
class Response:
    version: str  # "HTTP", "HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/3" or "HTTP/*"
    status: int | None  # None for `*`
    pos: Pos
    status_pos: Pos
    headers: list[KeyValue] = field(default_factory=list)
    captures: list[Capture] = field(default_factory=list)
    asserts: list[Assert] = field(default_factory=list)
    body: Body | None = None


@dataclass
class Entry:
    index: int  # 1-based, as --from-entry/--to-entry count
    request: Request
    response: Response | None = None


@dataclass
class HurlFile:
    filename: str
    source: str
    entries: list[Entry]
