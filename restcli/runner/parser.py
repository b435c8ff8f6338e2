"""Parse a Hurl file into entries (Hurl's grammar.md), refusing what restcli does not run.

Anything out of restcli's scope (xpath, GraphQL bodies, XML bodies, options such as
`proxy`) is a parse error "... is not supported by restcli" at its line and column: a
file never runs with a part silently ignored.
"""

from __future__ import annotations

import re

from restcli.runner import options as opts
from restcli.runner.errors import HurlError, unsupported
from restcli.runner.jsonpath import compile_path
from restcli.runner.nodes import (
    Assert,
    Body,
    BytesBody,
    Capture,
    Entry,
    FileBody,
    FilePart,
    FileValue,
    Filter,
    HurlFile,
    JsonBody,
    KeyValue,
    Option,
    Predicate,
    Query,
    Request,
    Response,
    Template,
    TextBody,
)
from restcli.runner.scanner import Cursor

_METHOD = re.compile(r"[A-Z]+(?=[ \t])")
_SECTION = re.compile(r"\[([A-Za-z]+)\][ \t]*(#.*)?$")
_JSON_SCALAR = re.compile(r"(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)[ \t]*(#.*)?$")
_WORD = re.compile(r"[A-Za-z0-9]+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?(?![A-Za-z0-9_])")

REQUEST_SECTIONS = {
    "QueryStringParams": "query", "Query": "query", "FormParams": "form", "Form": "form",
    "MultipartFormData": "multipart", "Multipart": "multipart", "Cookies": "cookies",
    "BasicAuth": "basic_auth", "Options": "options",
}
RESPONSE_SECTIONS = ("Captures", "Asserts")

QUERIES_NO_ARG = ("status", "version", "url", "body", "bytes", "duration", "sha256", "md5")
QUERIES_QUOTED = ("header", "cookie", "jsonpath", "variable", "certificate")
CERTIFICATE_FIELDS = ("Subject", "Issuer", "Start-Date", "Expire-Date", "Serial-Number")
# `rawbytes` is the body before its Content-Encoding is undone: restcli's transport
# only keeps the decoded body.
QUERIES_UNSUPPORTED = ("xpath", "redirects", "ip", "rawbytes")

# Filter name -> kinds of its arguments.
FILTERS: dict[str, tuple[str, ...]] = {
    "count": (), "nth": ("int",), "regex": ("regex",), "split": ("str",),
    "replace": ("str_or_regex", "str"), "replaceRegex": ("regex", "str"),
    "toInt": (), "toFloat": (), "toString": (), "toHex": (),
    "urlEncode": (), "urlDecode": (), "urlQueryParam": ("str",),
    "base64Encode": (), "base64Decode": (), "base64UrlSafeEncode": (),
    "base64UrlSafeDecode": (), "utf8Encode": (), "utf8Decode": (), "decode": ("str",),
    "htmlEscape": (), "htmlUnescape": (), "jsonpath": ("jsonpath",), "first": (),
    "last": (), "format": ("str",), "dateFormat": ("str",), "toDate": ("str",),
    "daysAfterNow": (), "daysBeforeNow": (),
}
# charsetDecode takes WHATWG encoding labels (encoding_rs), which Python's codecs do not
# all share.
FILTERS_UNSUPPORTED = ("xpath", "location", "charsetDecode")

_PREDICATE_ALIASES = {
    "equals": "==", "notEquals": "!=", "greaterThan": ">", "greaterThanOrEquals": ">=",
    "lessThan": "<", "lessThanOrEquals": "<=",
}
PREDICATES_WITH_VALUE = (
    "==", "!=", ">", ">=", "<", "<=", "startsWith", "endsWith", "contains", "includes",
    "matches",
)
PREDICATES_NO_VALUE = (
    "exists", "isBoolean", "isCollection", "isEmpty", "isFloat", "isInteger", "isNumber",
    "isString", "isIsoDate", "isDate", "isList", "isObject", "isUuid", "isIpv4", "isIpv6",
)


def parse(text: str, filename: str) -> HurlFile:
    """The file's entries; raises HurlError (kind parse) located in `filename`."""
    try:
        return HurlFile(filename, text, _Parser(text).file())
    except HurlError as e:
        raise e.located(filename, text) from None
    except RecursionError:
        # A body nested thousands deep: one parse error, never a crash.
        raise HurlError("parse", "nested too deeply to read").located(filename, text) from None


class _Parser:
    def __init__(self, text: str):
        self.cur = Cursor(text)

    # Structure --------------------------------------------------------------------------
    def file(self) -> list[Entry]:
        entries: list[Entry] = []
        while True:
            self.cur.skip_lt()
            if self.cur.eof:
                return entries
            entries.append(self.entry(len(entries) + 1))

    def entry(self, index: int) -> Entry:
        request = self.request()
        response = self.response() if self.line_kind() == "response" else None
        return Entry(index, request, response)

    def line_kind(self) -> str:
        """What the next line with content starts: response, section, body, method, other."""
        cur = self.cur
        cur.skip_lt()
        if cur.eof:
            return "eof"
        start = cur.i
        cur.skip_sp()
        rest = cur.line_rest()
        cur.i = start
        if rest.startswith("HTTP") and (len(rest) == 4 or rest[4] in " \t/"):
            return "response"
        if _SECTION.match(rest):
            return "section"
        if _METHOD.match(rest):
            return "method"
        if rest[0] in '{["`<' or rest.startswith(("base64,", "hex,", "file,")):
            return "body"
        if _JSON_SCALAR.match(rest):
            return "body"
        return "other"

    def request(self) -> Request:
        cur = self.cur
        cur.skip_sp()
        m = _METHOD.match(cur.text, cur.i)
        if not m:
            raise cur.error("expecting an HTTP method (GET, POST...) starting an entry")
        req = Request(m.group(0), Template((), cur.pos()), cur.pos())
        cur.i = m.end()
        cur.require_sp("the method")
        req.url = cur.read_value_string()
        if not req.url.parts:
            raise cur.error("expecting a URL")
        cur.expect_eol()
        self.key_values(req.headers)
        while self.line_kind() == "section":
            self.request_section(req)
        if self.line_kind() == "body":
            req.body = self.body()
        return req

    def response(self) -> Response:
        cur = self.cur
        cur.skip_sp()
        start = cur.pos()
        m = re.compile(r"HTTP(/1\.0|/1\.1|/2|/3|/\*)?(?=[ \t])").match(cur.text, cur.i)
        if not m:
            raise cur.error("expecting HTTP, HTTP/1.0, HTTP/1.1, HTTP/2, HTTP/3 or HTTP/*")
        cur.i = m.end()
        cur.require_sp("the HTTP version")
        status_pos = cur.pos()
        s = re.compile(r"\d{3}(?![0-9A-Za-z])|\*").match(cur.text, cur.i)
        if not s:
            raise cur.error("expecting a status code (3 digits) or *")
        cur.i = s.end()
        cur.expect_eol()
        status = None if s.group(0) == "*" else int(s.group(0))
        resp = Response(m.group(0), status, start, status_pos)
        self.key_values(resp.headers)
        while self.line_kind() == "section":
            self.response_section(resp)
        if self.line_kind() == "body":
            resp.body = self.body()
        return resp

    # Sections ---------------------------------------------------------------------------
    def section_name(self) -> tuple[str, object]:
        cur = self.cur
        cur.skip_sp()
        pos = cur.pos()
        m = _SECTION.match(cur.line_rest())
        cur.i += 1 + len(m.group(1)) + 1
        cur.expect_eol()
        return m.group(1), pos

    def request_section(self, req: Request) -> None:
        name, pos = self.section_name()
        field = REQUEST_SECTIONS.get(name)
        if field is None:
            if name in RESPONSE_SECTIONS:
                raise HurlError("parse", f"[{name}] belongs to a response: add `HTTP <status>` "
                                "before it", pos)
            raise HurlError("parse", f"unknown section [{name}]", pos)
        if field == "options":
            while self.line_kind() == "other":
                req.options.append(self.option())
        elif field == "multipart":
            while self.line_kind() == "other":
                req.multipart.append(self.multipart_item())
        elif field == "basic_auth":
            items: list[KeyValue] = []
            self.key_values(items)
            if len(items) != 1:
                raise HurlError("parse", "[BasicAuth] expects one line `user: password`", pos)
            req.basic_auth = items[0]
        else:
            self.key_values(getattr(req, field))

    def response_section(self, resp: Response) -> None:
        name, pos = self.section_name()
        if name == "Captures":
            while self.line_kind() == "other":
                resp.captures.append(self.capture())
        elif name == "Asserts":
            while self.line_kind() == "other":
                resp.asserts.append(self.assert_line())
        elif name in REQUEST_SECTIONS:
            raise HurlError("parse", f"[{name}] belongs to the request, before `HTTP`", pos)
        else:
            raise HurlError("parse", f"unknown section [{name}]", pos)

    def key_values(self, into: list[KeyValue]) -> None:
        while self.line_kind() == "other":
            into.append(self.key_value())

    def key_value(self) -> KeyValue:
        cur = self.cur
        cur.skip_sp()
        pos = cur.pos()
        key = self.key_colon()
        value = cur.read_value_string()
        cur.expect_eol()
        return KeyValue(key, value, pos)

    def key_colon(self) -> Template:
        cur = self.cur
        key = cur.read_key_string()
        cur.skip_sp()
        if cur.peek() != ":":
            raise cur.error("expecting ':' after the name")
        cur.i += 1
        cur.skip_sp()
        return key

    def multipart_item(self) -> KeyValue | FilePart:
        cur = self.cur
        cur.skip_sp()
        pos = cur.pos()
        key = self.key_colon()
        if not cur.at("file,"):
            value = cur.read_value_string()
            cur.expect_eol()
            return KeyValue(key, value, pos)
        cur.i += 5
        filename = cur.read_filename()
        cur.skip_sp()
        ctype = None
        if not cur.at_eol():
            m = re.compile(r"[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+(;[^#\n]*)?").match(
                cur.text, cur.i)
            if not m:
                raise cur.error("expecting a content type such as text/plain")
            ctype = m.group(0).strip()
            cur.i = m.end()
        cur.expect_eol()
        return FilePart(key, filename, ctype, pos)

    def option(self) -> Option:
        cur = self.cur
        cur.skip_sp()
        pos = cur.pos()
        m = re.compile(r"[A-Za-z0-9.\-]+").match(cur.text, cur.i)
        name = m.group(0) if m else ""
        if name in opts.HURL_ONLY:
            raise unsupported(f"option {name}", pos)
        if name not in opts.KINDS:
            raise cur.error(f"unknown option '{name}'" if name else "expecting an option name")
        cur.i = m.end()
        cur.skip_sp()
        if cur.peek() != ":":
            raise cur.error("expecting ':' after the option name")
        cur.i += 1
        cur.skip_sp()
        value_pos = cur.i
        value = cur.read_value_string()
        if value.is_literal:
            try:
                opts.convert(name, value.literal())
            except ValueError as e:
                raise cur.error(str(e), value_pos) from None
        cur.expect_eol()
        return Option(name, value, pos)

    # Bodies -----------------------------------------------------------------------------
    def body(self) -> Body:
        cur = self.cur
        cur.skip_sp()
        pos = cur.pos()
        if cur.at("```"):
            text, lang, modifiers = cur.read_multiline()
            self.check_lang(lang, modifiers, pos)
            result: Body = TextBody(text, pos, lang)
        elif cur.peek() == "`":
            result = TextBody(cur.read_backtick(), pos)
        elif cur.at("base64,"):
            cur.i += 7
            result = BytesBody(cur.read_base64(), pos, "base64")
        elif cur.at("hex,"):
            cur.i += 4
            result = BytesBody(cur.read_hex(), pos, "hex")
        elif cur.at("file,"):
            cur.i += 5
            result = FileBody(cur.read_filename(), pos)
        elif cur.peek() == "<":
            raise unsupported("an XML body", pos)
        else:
            parts, pos = cur.read_json()
            result = JsonBody(parts, pos)
        cur.expect_eol()
        return result

    @staticmethod
    def check_lang(lang: str | None, modifiers: set[str], pos) -> None:
        # Hurl's grammar: ``` with no type, or json, xml, graphql, base64, hex.
        if lang == "graphql":
            raise unsupported("a GraphQL body", pos)
        if lang in ("base64", "hex"):
            raise unsupported(f"a multiline {lang} body (use {lang},...; on one line)", pos)
        if lang not in (None, "json", "xml"):
            raise HurlError("parse", f"unknown multiline string type '{lang}' after ```", pos)
        unknown = modifiers - {"escape", "novariable"}
        if unknown:
            raise HurlError("parse", f"unknown modifier '{min(unknown)}' after ```", pos)

    # Captures and asserts ---------------------------------------------------------------
    def capture(self) -> Capture:
        cur = self.cur
        cur.skip_sp()
        pos = cur.pos()
        name = self.key_colon()
        query = self.query()
        filters = self.filters()
        redact = False
        if cur.skip_sp() and cur.at("redact") and cur.peek(6) in ("", " ", "\t", "\n", "\r", "#"):
            cur.i += 6
            redact = True
        cur.expect_eol()
        return Capture(name, query, filters, redact, pos)

    def assert_line(self) -> Assert:
        cur = self.cur
        cur.skip_sp()
        pos = cur.pos()
        query = self.query()
        filters = self.filters()
        if not cur.skip_sp():
            raise cur.error("expecting a predicate (==, contains, exists...)")
        predicate = self.predicate()
        cur.expect_eol()
        return Assert(query, filters, predicate, pos)

    def query(self) -> Query:
        cur = self.cur
        pos = cur.pos()
        m = _WORD.match(cur.text, cur.i)
        kind = m.group(0) if m else ""
        if kind in QUERIES_UNSUPPORTED:
            raise unsupported(f"the {kind} query", pos)
        if kind not in QUERIES_NO_ARG + QUERIES_QUOTED + ("regex",):
            raise cur.error(f"unknown query '{kind}'" if kind else "expecting a query")
        cur.i = m.end()
        if kind in QUERIES_NO_ARG:
            return Query(kind, None, pos)
        cur.require_sp(kind)
        if kind == "regex":
            return Query(kind, cur.read_regex_or_quoted(), pos)
        arg_i = cur.i
        arg = cur.read_quoted()
        if kind == "jsonpath":
            check_jsonpath(arg, cur, arg_i)
        if kind == "certificate" and arg.literal() not in CERTIFICATE_FIELDS:
            raise cur.error("certificate fields: " + ", ".join(CERTIFICATE_FIELDS), arg_i)
        return Query(kind, arg, pos)

    def filters(self) -> tuple[Filter, ...]:
        cur = self.cur
        found: list[Filter] = []
        while True:
            start = cur.i
            cur.skip_sp()
            m = _WORD.match(cur.text, cur.i)
            name = m.group(0) if m else ""
            if name in FILTERS_UNSUPPORTED:
                raise unsupported(f"the {name} filter", cur.pos())
            if not m or name not in FILTERS or start == cur.i:
                cur.i = start
                return tuple(found)
            pos = cur.pos()
            cur.i = m.end()
            args = tuple(self.filter_arg(kind, name) for kind in FILTERS[name])
            found.append(Filter(name, args, pos))

    def filter_arg(self, kind: str, name: str) -> object:
        cur = self.cur
        cur.require_sp(name)
        start = cur.i
        if kind == "int":
            if cur.at("{{"):
                return cur.read_expr()  # an integer variable, checked at run time
            m = re.compile(r"-?\d+").match(cur.text, cur.i)
            if not m:
                raise cur.error(f"{name} expects an integer")
            cur.i = m.end()
            return int(m.group(0))
        if kind == "regex":
            return cur.read_regex_or_quoted()
        if kind == "str_or_regex" and cur.peek() == "/":
            return cur.read_regex()
        tpl = cur.read_quoted()
        if kind == "jsonpath":
            check_jsonpath(tpl, cur, start)
        return tpl

    def predicate(self) -> Predicate:
        cur = self.cur
        pos = cur.pos()
        negated = False
        if cur.at("not") and cur.peek(3) in (" ", "\t"):
            negated = True
            cur.i += 3
            cur.skip_sp()
        m = re.compile(r"==|!=|>=|<=|>|<|[A-Za-z][A-Za-z0-9]*").match(cur.text, cur.i)
        word = m.group(0) if m else ""
        func = _PREDICATE_ALIASES.get(word, word)
        if func not in PREDICATES_WITH_VALUE + PREDICATES_NO_VALUE:
            raise cur.error(f"unknown predicate '{word}'" if word else "expecting a predicate")
        cur.i = m.end()
        if func in PREDICATES_NO_VALUE:
            return Predicate(func, None, negated, pos)
        cur.require_sp(word)
        value_pos = cur.pos()
        return Predicate(func, self.predicate_value(func), negated, pos, value_pos)

    def predicate_value(self, func: str) -> object:
        cur = self.cur
        if cur.peek() == '"':
            return cur.read_quoted()
        if cur.peek() == "/":
            return cur.read_regex()
        if cur.at("{{"):
            return cur.read_expr()
        if cur.at("```"):
            return cur.read_multiline()[0]
        if cur.peek() == "`":
            return cur.read_backtick()
        for prefix, reader in (("hex,", cur.read_hex), ("base64,", cur.read_base64)):
            if cur.at(prefix):
                cur.i += len(prefix)
                return reader()
        if cur.at("file,"):
            cur.i += 5
            tpl = cur.read_filename()
            return FileValue(tpl.parts, tpl.pos)
        for word, value in (("null", None), ("true", True), ("false", False)):
            if cur.at(word) and not re.match(r"[A-Za-z0-9_]", cur.peek(len(word))):
                cur.i += len(word)
                return value
        m = _NUMBER.match(cur.text, cur.i)
        if m:
            cur.i = m.end()
            text = m.group(0)
            return float(text) if m.group(1) or m.group(2) else int(text)
        raise cur.error(f"expecting a value after {func}")


def check_jsonpath(arg: Template, cur: Cursor, at: int) -> None:
    """A literal JSONPath is compiled now, so a typo is a parse error with its position."""
    if not arg.is_literal:
        return

    try:
        compile_path(arg.literal())
    except ValueError as e:
        raise cur.error(f"invalid JSONPath: {e}", at + 1) from None
