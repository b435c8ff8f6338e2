"""Regexes as Hurl runs them. filters.md: "The regex syntax is documented at
https://docs.rs/regex/latest/regex/#syntax" (Rust's regex crate: linear time, `\\p{..}`,
`\\z`), and "Pattern must have at least one capture group, otherwise the capture will
fail"."""

from __future__ import annotations

import time

import pytest

from restcli.runner.codes import EXIT_ASSERT, EXIT_OK, EXIT_PARSE, EXIT_RUNTIME
from restcli.runner.patterns import RegexError, compile_regex

EVIL = "a" * 40 + "!"


def test_a_catastrophic_pattern_returns_at_once(run):
    """Rust's regex (and RE2) match in linear time: `^(a+)+$` on 40 a's and "!" is
    instant, where a backtracking engine takes 2^40 steps."""
    start = time.monotonic()
    result = run(f"""
        GET {{base}}/raw?type=text/plain&body={EVIL}
        HTTP 200
        [Asserts]
        body not matches /^(a+)+$/
        body not matches "^(a+)+$"
        body regex /^((a+)+)!$/ == "{"a" * 40}"
        body replaceRegex /(a+)+$/ "x" == "{EVIL}"
        """)
    assert (result.code, result.err) == (EXIT_OK, "")
    assert time.monotonic() - start < 5


def test_rust_syntax_unicode_classes_and_end_of_text(run):
    r"""`\p{Lu}` (a Unicode class), `\z` (end of text) and `(?i)` are Rust's syntax."""
    result = run(r"""
        GET {base}/books
        HTTP 200
        [Asserts]
        jsonpath "$.books[0].name" matches /^\p{Lu}\p{Ll}+\z/
        jsonpath "$.books[2].name" matches /\p{Lu}\p{Ll}+ra\p{Ll}les\z/
        jsonpath "$.books[0].name" matches /(?i)^dune$/
        jsonpath "$.books[0].name" regex /(\p{Lu})/ == "D"
        jsonpath "$.ips" matches /\.10\z/
        jsonpath "$.ips" not matches /\.20\z/
        """)
    assert (result.code, result.err) == (EXIT_OK, "")


def test_dollar_is_the_end_of_text_as_in_rust():
    # Python's `$` also matches before a final newline; Rust's (without (?m)) does not.
    assert compile_regex("a$").search("a\n") is None
    assert compile_regex("(?m)a$").search("a\n") is not None


def test_an_invalid_literal_pattern_is_a_parse_error_with_its_position(run):
    result = run("GET {base}/books\nHTTP 200\n[Asserts]\nbody matches /(?=a)b/\n")
    assert result.code == EXIT_PARSE
    assert "f0.hurl:4:15" in result.err and "invalid regex" in result.err
    with pytest.raises(RegexError):
        compile_regex("a(")


def test_regex_without_a_capture_group_fails_the_capture(run):
    """The first capture group is the value; without one there is none, so a capture
    fails (a runtime error) and an assert sees no value."""
    capture = run("""
        GET {base}/books
        HTTP 200
        [Captures]
        ip: jsonpath "$.ips" regex /\\d+\\.\\d+/
        """)
    assert capture.code == EXIT_RUNTIME
    assert "f0.hurl:5:5" in capture.err and "capture group" in capture.err
    query = run("""
        GET {base}/text
        HTTP 200
        [Captures]
        hello: regex "Hello"
        """)
    assert query.code == EXIT_RUNTIME and "capture group" in query.err
    asserts = run("""
        GET {base}/text
        HTTP 200
        [Asserts]
        regex "Hello" not exists
        regex "(Hello)" == "Hello"
        body regex /(x)?World/ not exists
        """)
    assert (asserts.code, asserts.err) == (EXIT_OK, "")
    exists = run("GET {base}/text\nHTTP 200\n[Asserts]\nregex \"Hello\" exists\n")
    assert exists.code == EXIT_ASSERT


def test_replace_regex_expands_group_references_as_rust_does(run):
    """replace_regex.rs calls Regex::replace_all with the new value, which expands `$1`,
    `${name}` and `$$`."""
    result = run("""
        GET {base}/books
        HTTP 200
        [Asserts]
        jsonpath "$.ips" replaceRegex "(\\\\d+)\\\\.(\\\\d+)\\\\.(\\\\d+)\\\\.(\\\\d+)" "$4.$3" == "1.2, 20.0, 10.0"
        jsonpath "$.books[0].name" replaceRegex /(?P<w>u)/ "${w}$$" == "Du$ne"
        jsonpath "$.books[0].name" replace /u/ "[$0]" == "D[u]ne"
        """)
    assert (result.code, result.err) == (EXIT_OK, "")
