"""Parser corpus from Hurl's documented examples (re-expressed), and errors with positions."""

from __future__ import annotations

import pytest

from restcli.runner.errors import HurlError, render
from restcli.runner.nodes import (
    BytesBody,
    Expr,
    FileBody,
    FilePart,
    FileValue,
    JsonBody,
    JsonExpr,
    Pos,
    Regex,
    TextBody,
)
from restcli.runner.parser import FILTERS, PREDICATES_NO_VALUE, PREDICATES_WITH_VALUE, parse


def one(text: str):
    entries = parse(text, "t.hurl").entries
    assert len(entries) == 1
    return entries[0]


def test_request_line_headers_and_every_request_section():
    entry = one("""# a comment
GET https://example.org/api/dogs?id=4567   # trailing comment
User-Agent: My User Agent
If-Match: "e0023aa4e"
X-Escaped: a\\#b
[Options]
location: true
max-redirs: 3
insecure: false
cacert: ca.pem
cert: client.pem
key: client.key
retry: 2
retry-interval: 500ms
delay: 2s
skip: false
repeat: 2
max-time: 10
connect-timeout: 1m
compressed: true
variable: host=example.net
verbose: true
output: out.bin
aws-sigv4: aws:amz:eu-central-1:sts
[QueryStringParams]
order: newest
search: {{custom-search}}
[Query]
count: 100
[FormParams]
token: {{token}}
[Form]
email: john.doe@rookie.org
[MultipartFormData]
field1: value1
field2: file,example.txt;
field3: file,example.zip; application/zip
[Multipart]
field4: file,{{name}}.txt;
[Cookies]
theme: light
[BasicAuth]
bob: secret
""")
    req = entry.request
    assert (req.method, req.url.literal(), req.pos) == ("GET", "https://example.org/api/dogs?id=4567",
                                                       Pos(2, 1))
    assert [h.value.literal() for h in req.headers] == ["My User Agent", '"e0023aa4e"', "a#b"]
    assert len(req.options) == 18
    assert [q.key.literal() for q in req.query] == ["order", "search", "count"]
    assert req.query[1].value.parts[0] == Expr("custom-search", Pos(27, 9))
    assert [f.key.literal() for f in req.form] == ["token", "email"]
    assert isinstance(req.multipart[1], FilePart) and req.multipart[1].content_type is None
    assert req.multipart[2].content_type == "application/zip"
    assert req.multipart[3].filename.parts[0] == Expr("name", Pos(39, 14))
    assert req.cookies[0].value.literal() == "light"
    assert (req.basic_auth.key.literal(), req.basic_auth.value.literal()) == ("bob", "secret")


@pytest.mark.parametrize("body, kind, check", [
    ('{\n  "id": 0,\n  "name": "{{n}}",\n  "age": {{age}}\n}', JsonBody,
     lambda b: [p for p in b.parts if isinstance(p, JsonExpr)] == [
         JsonExpr(Expr("n", Pos(5, 12)), True), JsonExpr(Expr("age", Pos(6, 10)), False)]),
    ('[1, 2, {"a": null}]', JsonBody, lambda b: b.parts == ('[1, 2, {"a": null}]',)),
    ("```\nline1\nline2\n```", TextBody, lambda b: b.text.literal() == "line1\nline2\n"),
    ("```json\n{\"a\": 1}\n```", TextBody, lambda b: b.lang == "json"),
    ("```\n```", TextBody, lambda b: b.text.parts == ()),
    ("```novariable\n{{x}}\n```", TextBody, lambda b: b.text.literal() == "{{x}}\n"),
    ("```escape\na\\tb\n```", TextBody, lambda b: b.text.literal() == "a\tb\n"),
    ("`Hello {{who}}!`", TextBody, lambda b: b.text.parts[1] == Expr("who", Pos(3, 8))),
    ("base64,TG9yZW0g\naXBzdW0=;", BytesBody, lambda b: b.data == b"Lorem ipsum"),
    ("hex,636166c3a90a;", BytesBody, lambda b: b.data == "café\n".encode()),
    ("file,data.bin;", FileBody, lambda b: b.filename.literal() == "data.bin"),
])
def test_request_bodies(body, kind, check):
    entry = one(f"POST https://example.org\n# Some comment before the body\n{body}\n")
    assert isinstance(entry.request.body, kind)
    assert check(entry.request.body)


def test_response_with_captures_asserts_and_body():
    entries = parse("""GET https://example.org/1
HTTP/1.1 200
Set-Cookie: theme=light
[Captures]
csrf: header "X-Csrf" regex "token=(\\\\w+)"
token: jsonpath "$.token" redact
[Asserts]
status < 300
header "Location" contains "www.example.net"
cookie "LSID[Max-Age]" not exists
body matches /\\d{4}-\\d{2}-\\d{2}/
bytes startsWith hex,efbbbf;
sha256 == hex,039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81;
md5 == base64,7Qdih1MuhjZehB6Sv8UNjA==;
variable "pets" count == 200
duration < 1000
certificate "Expire-Date" daysAfterNow > 15
version == "1.1"
url == "https://example.org/1"
regex "^(\\\\d{4})" == "2018"
jsonpath "$.slideshow.date" != null
jsonpath "$.x" == {{expected}}
jsonpath "$.y" == `raw`
body == file,expected.json;
jsonpath "$.f" == 3.5
jsonpath "$.b" equals false
{"ok": true}

GET https://example.org/2
HTTP *

GET https://example.org/3
HTTP/* 404
""", "t.hurl").entries
    resp = entries[0].response
    assert (resp.version, resp.status, resp.status_pos) == ("HTTP/1.1", 200, Pos(2, 10))
    assert [c.redact for c in resp.captures] == [False, True]
    assert resp.captures[0].filters[0].name == "regex"
    kinds = [a.query.kind for a in resp.asserts]
    assert kinds == ["status", "header", "cookie", "body", "bytes", "sha256", "md5",
                     "variable", "duration", "certificate", "version", "url", "regex",
                     "jsonpath", "jsonpath", "jsonpath", "body", "jsonpath", "jsonpath"]
    preds = [a.predicate for a in resp.asserts]
    assert preds[2].negated and preds[2].func == "exists"
    assert isinstance(preds[3].value, Regex)
    assert preds[4].value == bytes.fromhex("efbbbf")
    assert preds[13].value is None and preds[13].func == "!="
    assert preds[14].value == Expr("expected", Pos(22, 19))
    assert isinstance(preds[16].value, FileValue)
    assert preds[17].value == 3.5 and isinstance(preds[17].value, float)
    assert preds[18].func == "==" and preds[18].value is False
    assert isinstance(resp.body, JsonBody)
    assert entries[1].response.status is None
    assert (entries[2].response.version, entries[2].response.status) == ("HTTP/*", 404)


def test_every_filter_and_predicate_in_scope_parses():
    args = {"nth": " 0", "regex": ' "(a)"', "split": ' ","', "replace": ' "a" "b"',
            "replaceRegex": " /a/ \"b\"", "urlQueryParam": ' "q"', "decode": ' "utf-8"',
            "jsonpath": ' "$.a"', "format": ' "%Y"', "dateFormat": ' "%Y"',
            "toDate": ' "%+"'}
    lines = [f'body {name}{args.get(name, "")} exists' for name in FILTERS]
    for func in PREDICATES_WITH_VALUE:
        lines.append(f'body {func} "x"')
        lines.append(f'body not {func} "x"')
    lines += [f"body {func}" for func in PREDICATES_NO_VALUE]
    entry = one("GET https://x\nHTTP 200\n[Asserts]\n" + "\n".join(lines) + "\n")
    assert len(entry.response.asserts) == len(lines)
    assert [a.filters[0].name for a in entry.response.asserts[: len(FILTERS)]] == list(FILTERS)


def test_chained_filters_keep_their_columns():
    entry = one('GET https://x\nHTTP 200\n[Asserts]\njsonpath "$.name" split "," nth 0 == "H"\n')
    a = entry.response.asserts[0]
    assert [(f.name, f.pos) for f in a.filters] == [("split", Pos(4, 19)), ("nth", Pos(4, 29))]
    assert a.predicate.pos == Pos(4, 35) and a.predicate.value_pos == Pos(4, 38)


ERRORS = [
    ("GET https://x\nHTTP 200\n[Asserts]\nxpath \"//h1\" exists\n", 4, 1,
     "the xpath query is not supported by restcli"),
    ("GET https://x\nHTTP 200\n[Asserts]\nbody xpath \"//a\" exists\n", 4, 6,
     "the xpath filter is not supported by restcli"),
    ("POST https://x\n```graphql\n{ a }\n```\n", 2, 1, "a GraphQL body is not supported by restcli"),
    ("POST https://x\n<?xml version=\"1.0\"?><a/>\n", 2, 1, "an XML body is not supported by restcli"),
    ("GET https://x\n[Options]\nproxy: localhost:3128\n", 3, 1,
     "option proxy is not supported by restcli"),
    ("GET https://x\n[Options]\nvery-verbose: true\n", 3, 1,
     "option very-verbose is not supported by restcli"),
    ("GET https://x\n[Options]\nretry: -1\n", 3, 8, "not supported by restcli"),
    ("GET https://x\n[Options]\nbogus: 1\n", 3, 1, "unknown option 'bogus'"),
    ("GET https://x\n[Options]\nlocation: yes\n", 3, 11, "expects true or false"),
    ("GET https://x\n[Options]\ndelay: 2 s\n", 3, 8, "expects a duration"),
    ("GET https://x\n[Foo]\na: b\n", 2, 1, "unknown section [Foo]"),
    ("GET https://x\n[Asserts]\nstatus == 200\n", 2, 1, "belongs to a response"),
    ("GET https://x\nHTTP 200\n[Query]\na: b\n", 3, 1, "belongs to the request"),
    ("get https://x\n", 1, 1, "expecting an HTTP method"),
    ("GET https://x\nHTTP 20\n", 2, 6, "expecting a status code"),
    ("GET https://x\nHTTP/1.2 200\n", 2, 1, "expecting HTTP"),
    ("GET https://x\nHTTP 200\n[Asserts]\nstatus equal 200\n", 4, 8, "unknown predicate 'equal'"),
    ("GET https://x\nHTTP 200\n[Asserts]\nstatus\n", 4, 7, "expecting a predicate"),
    ("GET https://x\nHTTP 200\n[Asserts]\nfoo == 1\n", 4, 1, "unknown query 'foo'"),
    ("GET https://x\nHTTP 200\n[Asserts]\njsonpath \"$..[\" exists\n", 4, 11, "invalid JSONPath"),
    ("GET https://x\nHTTP 200\n[Asserts]\nheader \"a\" == \"b\n", 4, 15,
     "unterminated quoted string"),
    ("GET https://x\nHTTP 200\n[Asserts]\nbody matches /a(/\n", 4, 15, "invalid regex"),
    ("GET https://x/{{a b}}\n", 1, 17, "invalid variable name 'a b'"),
    ("GET https://x/{{a\n", 1, 15, "unterminated template"),
    ("POST https://x\n{\"a\": 1\n", 2, 1, "unterminated JSON"),
    ("POST https://x\n{\"a\" 1}\n", 2, 6, "expecting ':' after a JSON key"),
    ("POST https://x\nhex,zz;\n", 2, 5, "invalid hex value"),
    ("POST https://x\nbase64,abc\n", 2, 8, "unterminated base64 value"),
    ("POST https://x\n```\nabc\n", 2, 1, "unterminated multiline string"),
    ("GET https://x\nHTTP 200\n[Asserts]\nbody nth x exists\n", 4, 10, "nth expects an integer"),
    ("GET https://x\nHTTP 200\n[Asserts]\ncertificate \"Owner\" exists\n", 4, 13,
     "certificate fields"),
    ("GET https://x\nX-Header\n", 2, 9, "expecting ':' after the name"),
]


@pytest.mark.parametrize("text, line, col, message", ERRORS)
def test_errors_have_exact_positions(text, line, col, message):
    with pytest.raises(HurlError) as info:
        parse(text, "bad.hurl")
    err = info.value
    assert message in err.message
    assert (err.pos.line, err.pos.col) == (line, col), err.message
    assert err.location == f"bad.hurl:{line}:{col}"


def test_error_rendering_has_source_line_and_caret():
    with pytest.raises(HurlError) as info:
        parse("GET https://x\nHTTP 200\n[Asserts]\njsonpath \"$.a\" == 1 xpath\n", "a.hurl")
    text = render(info.value)
    assert text.splitlines() == [
        "error: Parsing error",
        "  --> a.hurl:4:21",
        "  |",
        '4 | jsonpath "$.a" == 1 xpath',
        "  |                     ^ unexpected character 'x'",
        "  |",
    ]


def test_empty_and_comment_only_files_have_no_entries():
    assert parse("", "e.hurl").entries == []
    assert parse("# only a comment\n\n   \n", "e.hurl").entries == []


def test_entries_are_numbered_for_from_and_to_entry():
    entries = parse("GET https://a\n\nPOST https://b\nHTTP 201\n\nDELETE https://c\n", "n.hurl")
    assert [(e.index, e.request.method, e.request.pos.line) for e in entries.entries] == [
        (1, "GET", 1), (2, "POST", 3), (3, "DELETE", 6)]


@pytest.mark.parametrize(("text", "line", "col", "what"), [
    ("GET https://x\nHTTP 200\n[Asserts]\nrawbytes count > 0\n", 4, 1, "the rawbytes query"),
    ("GET https://x\nHTTP 200\n[Asserts]\nbytes charsetDecode \"utf-8\" == \"a\"\n", 4, 7,
     "the charsetDecode filter"),
    ("GET https://x\n[Options]\nverbosity: verbose\n", 3, 1, "option verbosity"),
])
def test_hurl_names_restcli_does_not_run_are_refused_by_name(text, line, col, what):
    """Every query, filter, predicate and option in Hurl's grammar is run or refused."""
    with pytest.raises(HurlError) as e:
        parse(text, "a.hurl")
    assert (e.value.pos.line, e.value.pos.col) == (line, col)
    assert str(e.value) == f"{what} is not supported by restcli"


def test_newer_predicates_and_nth_placeholder_parse():
    entry = one("GET https://x\nHTTP 200\n[Asserts]\nbody isUuid\nbody not isIpv4\n"
                "body isIpv6\njsonpath \"$.a\" nth {{i}} exists\n")
    funcs = [a.predicate.func for a in entry.response.asserts]
    assert funcs == ["isUuid", "isIpv4", "isIpv6", "exists"]
    nth = entry.response.asserts[3].filters[0]
    assert nth.name == "nth" and nth.args[0].name == "i"
