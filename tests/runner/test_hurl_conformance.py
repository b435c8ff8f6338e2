"""Hurl's documentation (filters.md, asserting-response.md, templates.md) re-expressed
against loopback servers: where a documented semantic is easy to get subtly wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from restcli.runner.codes import EXIT_ASSERT, EXIT_OK


def test_matches_on_a_number_fails_even_negated(run):
    # "matches only works on string. If a query returns a number, using a matches
    # predicate will cause a runner error": negating it must not turn that into a pass.
    result = run("""
        GET {base}/books
        HTTP 200
        [Asserts]
        jsonpath "$.count" not matches /x/
    """)
    assert result.code == EXIT_ASSERT, result.err
    assert "f0.hurl:5:1" in result.err


def test_string_predicates_on_a_number_fail_even_negated(run):
    # "startWith and contains can only be used with strings and bytes".
    for line in ('jsonpath "$.count" not startsWith "x"',
                 'jsonpath "$.count" not endsWith "x"',
                 'jsonpath "$.count" not contains "x"',
                 'jsonpath "$.id" not > 1000'):
        result = run(f"""
            GET {{base}}/books
            HTTP 200
            [Asserts]
            {line}
        """)
        assert result.code == EXIT_ASSERT, line


def test_negated_predicates_of_the_right_type_still_pass(run):
    result = run("""
        GET {base}/books
        HTTP 200
        [Asserts]
        jsonpath "$.id" not matches /x/
        jsonpath "$.id" not startsWith "x"
        jsonpath "$.count" not > 1000
        bytes not contains hex,beefbeef;
        jsonpath "$.missing" not exists
        jsonpath "$.count" not isString
    """)
    assert result.code == EXIT_OK, result.err


def _stamp(date: datetime) -> str:
    return date.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_days_after_and_before_now_count_whole_days(run):
    # A date 36 hours away is one whole day away (chrono's num_days), in both directions.
    now = datetime.now(UTC)
    past, future = _stamp(now - timedelta(hours=36)), _stamp(now + timedelta(hours=36))
    result = run("""
        GET {base}/books
        HTTP 200
        [Asserts]
        variable "past" toDate "%Y-%m-%dT%H:%M:%SZ" daysBeforeNow == 1
        variable "past" toDate "%Y-%m-%dT%H:%M:%SZ" daysAfterNow == -1
        variable "future" toDate "%Y-%m-%dT%H:%M:%SZ" daysAfterNow == 1
        variable "future" toDate "%Y-%m-%dT%H:%M:%SZ" daysBeforeNow == -1
    """, variables={"past": past, "future": future})
    assert result.code == EXIT_OK, result.err


def test_documented_filter_examples(run):
    result = run("""
        GET {base}/books
        HTTP 200
        [Asserts]
        jsonpath "$.url" urlEncode == "https%3A//mozilla.org/%3Fx%3D%D1%88%D0%B5%D0%BB%D0%BB%D1%8B"
        jsonpath "$.encoded" urlDecode == "https://mozilla.org/?x=шеллы"
        jsonpath "$.published" toDate "%Y-%m-%dT%H:%M:%S%.fZ" format "%A" == "Monday"
        jsonpath "$.published" toDate "%+" format "%A" == "Monday"
        jsonpath "$.text" htmlEscape == "a &gt; b"
        jsonpath "$.token" base64Decode == hex,3c3c3f3f3f3e3e;
        jsonpath "$.ips" split ", " nth 2 == "10.0.0.10"
        jsonpath "$.ips" replace ", " "|" == "192.168.2.1|10.0.0.20|10.0.0.10"

        GET {base}/set-cookie
        HTTP 200
        [Asserts]
        cookie "theme[Expires]" format "%a, %d %b %Y %H:%M:%S" == "Wed, 13 Jan 2021 22:23:01"
        cookie "theme[Expires]" dateFormat "%a, %d %b %Y" == "Wed, 13 Jan 2021"
    """)
    assert result.code == EXIT_OK, result.err


def test_nth_out_of_range_is_an_error_with_position(run):
    result = run("""
        GET {base}/books
        HTTP 200
        [Asserts]
        jsonpath "$.books" nth 3 exists
    """)
    assert result.code == EXIT_ASSERT
    assert "f0.hurl:5:" in result.err


def test_template_in_json_string_is_escaped(run):
    result = run("""
        POST {base}/echo
        {
            "key0": "{{a_string}}",
            "key1": {{a_bool}},
            "key2": {{a_null}},
            "key3": {{a_number}}
        }
        HTTP 200
        [Asserts]
        jsonpath "$.body" exists
    """, variables={"a_string": 'say "hi"\\', "a_bool": True, "a_null": None,
                    "a_number": 42})
    assert result.code == EXIT_OK, result.err
    sent = json.loads(json.loads(result.out)["body"])
    assert sent == {"key0": 'say "hi"\\', "key1": True, "key2": None, "key3": 42}


def test_multiline_string_types_follow_hurls_grammar(tmp_path):
    from restcli.runner.errors import HurlError
    from restcli.runner.parser import parse

    for kind in ("base64", "hex"):
        with pytest.raises(HurlError) as e:
            parse(f"POST http://127.0.0.1:1/x\n```{kind}\nAAAA\n```\n", "f.hurl")
        assert "not supported by restcli" in str(e.value)
    with pytest.raises(HurlError) as e:
        parse("POST http://127.0.0.1:1/x\n```csv\na,b\n```\n", "f.hurl")
    assert "unknown multiline string type 'csv'" in str(e.value)
    parse("POST http://127.0.0.1:1/x\n```json\n{}\n```\n", "f.hurl")
