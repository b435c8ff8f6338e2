"""How a response is checked, in Hurl's order and with Hurl's comparisons.

- asserting-response.md: a JSON body is "syntactic sugar" over a body assert with
  `equals`; Hurl's assert.rs (eval_implicit_body_asserts) compares the JSON text as
  written with the response decoded as text: spaces, key order and number spelling count.
- runner/entry.rs: "first, check implicit assert on status and version. If KO, test is
  failed"; captures and the other asserts are not evaluated.
- restcli parses at most 16 MiB of a body as JSON (README), whatever its byte limit.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from restcli.runner.codes import EXIT_ASSERT, EXIT_OK, EXIT_RUNTIME
from restcli.runner.response import MAX_JSON_BYTES


def raw(body: str) -> str:
    return "{base}/raw?body=" + quote(body, safe="")


@pytest.mark.parametrize(("sent", "expected"), [
    ('{"a":1}', '{"a": 1}'),  # spacing
    ('{"b": 1, "a": 2}', '{"a": 2, "b": 1}'),  # key order
    ('{"n": 1}', '{"n": 1.0}'),  # number spelling
    ('{\n  "a": 1\n}', '{"a": 1}'),  # line breaks
])
def test_json_body_is_compared_as_text(run, sent, expected):
    result = run(f"GET {raw(sent)}\nHTTP 200\n{expected}\n")
    assert result.code == EXIT_ASSERT, (sent, expected)
    assert "f0.hurl:3:1" in result.err


def test_json_body_equal_as_text_passes(run):
    multiline = '{\n  "greeting": "Hello",\n  "n": [1, 2]\n}'
    result = run(f"""
        GET {raw('{"a": 1, "b": "x"}')}
        HTTP 200
        {{"a": 1, "b": "{{{{b}}}}"}}

        GET {raw(multiline)}
        HTTP 200
        {{
          "greeting": "Hello",
          "n": [1, 2]
        }}
        """, variables={"b": "x"})
    assert (result.code, result.err) == (EXIT_OK, "")


def test_a_failed_status_ends_the_entry_before_captures_and_asserts(run):
    result = run("""
        GET {base}/status?code=404
        HTTP 200
        [Captures]
        missing: jsonpath "$.nothing"
        [Asserts]
        jsonpath "$.nothing" == 1
        {"other": true}
        """)
    assert result.code == EXIT_ASSERT, result.err  # not 11: the capture never ran
    assert "f0.hurl:3:6" in result.err and "HTTP status code" in result.err
    assert "capture" not in result.err and "f0.hurl:7:" not in result.err
    assert "f0.hurl:8:" not in result.err


def test_a_failed_version_ends_the_entry_too(run):
    result = run("""
        GET {base}/books
        HTTP/2 200
        [Captures]
        missing: jsonpath "$.nothing"
        """)
    assert result.code == EXIT_ASSERT and "HTTP version" in result.err
    assert "capture" not in result.err


def test_json_past_the_parse_limit_is_an_error_naming_it(run):
    size = MAX_JSON_BYTES + 1
    capture = run(f"""
        GET {{base}}/big?size={size}
        HTTP 200
        [Captures]
        x: jsonpath "$.a"
        """)
    assert capture.code == EXIT_RUNTIME
    assert "larger than 16 MiB" in capture.err and "f0.hurl:5:4" in capture.err
    asserted = run(f"""
        GET {{base}}/big?size={size}
        HTTP 200
        [Asserts]
        jsonpath "$.a" exists
        body jsonpath "$.a" exists
        """)
    assert asserted.code == EXIT_ASSERT
    assert asserted.err.count("larger than 16 MiB") == 2


def test_the_jsonpath_filter_has_the_same_limit(run):
    text = 'GET {base}/books\nHTTP 200\n[Asserts]\nvariable "doc" jsonpath "$" isString\n'
    at_limit = '"' + "x" * (MAX_JSON_BYTES - 2) + '"'
    assert run(text, variables={"doc": at_limit}).code == EXIT_OK
    over = run(text, variables={"doc": at_limit + " "})
    assert over.code == EXIT_ASSERT and "larger than 16 MiB" in over.err
