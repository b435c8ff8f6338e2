"""Predicates as Hurl's runner/predicate.rs and value_impl.rs evaluate them.

asserting-response.md: "Each predicate can be negated by prefixing it with `not`".
predicate.rs: a query without a value fails the predicate without a type mismatch (so
`not` passes); a value of a type the predicate does not take is a type mismatch, which
fails with or without `not`. `isIsoDate` is chrono's `DateTime::parse_from_rfc3339`.
"""

from __future__ import annotations

import pytest

from restcli.runner.codes import EXIT_ASSERT, EXIT_OK


def asserts(run, *lines: str, **variables):
    text = "GET {base}/books\nHTTP 200\n[Asserts]\n" + "\n".join(lines) + "\n"
    return run(text, variables=variables)


@pytest.mark.parametrize("line", [
    'header "X-Missing" not contains "foo"',
    'header "X-Missing" not startsWith "foo"',
    'header "X-Missing" not endsWith "foo"',
    'header "X-Missing" not matches /foo/',
    'header "X-Missing" not > 3',
    'header "X-Missing" not <= 3',
    'header "X-Missing" not == "foo"',
    'header "X-Missing" not != "foo"',
    'header "X-Missing" not includes "foo"',
    'header "X-Missing" not isEmpty',
    'header "X-Missing" not isIsoDate',
    'header "X-Missing" not isString',
    'jsonpath "$.missing" not exists',
])
def test_no_value_fails_the_predicate_so_not_passes(run, line):
    result = asserts(run, line)
    assert (result.code, result.err) == (EXIT_OK, ""), line


@pytest.mark.parametrize("line", [
    'header "X-Missing" contains "foo"',
    'header "X-Missing" > 3',
    'header "X-Missing" isEmpty',
    'header "X-Missing" exists',
])
def test_no_value_fails_the_plain_predicate(run, line):
    result = asserts(run, line)
    assert result.code == EXIT_ASSERT and "actual:   none" in result.err, line


@pytest.mark.parametrize("line", [
    'jsonpath "$.count" not isEmpty',  # count() takes a list, object, string or bytes
    'jsonpath "$.flag" isEmpty',
    'jsonpath "$.count" not isIsoDate',  # is_iso_date() takes a string
    'jsonpath "$.books" not isIsoDate',
    'jsonpath "$.count" not startsWith "3"',
    'jsonpath "$.count" not contains "3"',
    'jsonpath "$.id" not > 3',  # compare() takes two strings or two numbers
    'jsonpath "$.count" not matches /3/',
    'jsonpath "$.count" not includes 3',  # includes() takes a list
    'jsonpath "$.count" not isUuid',
    'jsonpath "$.count" not isIpv4',
])
def test_a_type_mismatch_fails_even_negated(run, line):
    result = asserts(run, line)
    assert result.code == EXIT_ASSERT, line
    assert "f0.hurl:4:1" in result.err


def test_is_empty_counts_collections_strings_and_bytes(run):
    result = asserts(run, 'jsonpath "$.empty" isEmpty', 'jsonpath "$.books" not isEmpty',
                     'jsonpath "$.books[0]" not isEmpty', 'variable "blank" isEmpty',
                     'jsonpath "$.id" not isEmpty', "bytes not isEmpty", blank="")
    assert (result.code, result.err) == (EXIT_OK, "")


@pytest.mark.parametrize(("value", "valid"), [
    ("2023-01-23T18:25:43.511Z", True),
    ("1985-04-12T23:20:50.52Z", True),  # RFC 3339's own examples, as chrono's tests
    ("1996-12-19T16:39:57-08:00", True),
    ("1990-12-31T23:59:60Z", True),  # a leap second
    ("1937-01-01T12:00:27.87+00:20", True),
    ("2024-02-29T00:00:00Z", True),
    ("2023-02-30T00:00:00Z", False),  # no such day
    ("2023-02-29T00:00:00Z", False),
    ("2023-13-01T00:00:00Z", False),
    ("2023-01-01T24:00:00Z", False),
    ("2023-01-01T00:60:00Z", False),
    ("2023-01-01T00:00:61Z", False),
    ("2023-01-01T00:00:00+24:00", False),
    ("1978-01-15", False),
    ("2023-01-01T00:00:00", False),  # no offset
])
def test_is_iso_date_is_rfc3339_with_real_dates(run, value, valid):
    line = 'variable "d" isIsoDate' if valid else 'variable "d" not isIsoDate'
    result = asserts(run, line, d=value)
    assert (result.code, result.err) == (EXIT_OK, ""), value


def test_uuid_and_ip_address_predicates(run):
    result = asserts(
        run,
        'variable "uuid" isUuid', 'variable "braced" isUuid', 'variable "simple" isUuid',
        'variable "v4" not isUuid', 'variable "bad" not isUuid',
        'variable "v4" isIpv4', 'variable "v6" isIpv6', 'variable "v4" not isIpv6',
        'variable "v6" not isIpv4', 'variable "bad" not isIpv4', 'variable "zoned" not isIpv6',
        'variable "octal" not isIpv4', 'variable "mapped" isIpv6',
        uuid="67e55044-10b1-426f-9247-bb680e5fe0c8",
        braced="{67E55044-10B1-426F-9247-BB680E5FE0C8}",
        simple="67e5504410b1426f9247bb680e5fe0c8", v4="192.168.2.1", v6="2001:db8::1",
        bad="67e55044-10b1-426f-9247-bb680e5fe0c", zoned="fe80::1%eth0",
        octal="192.168.02.1", mapped="::ffff:192.168.2.1")
    assert (result.code, result.err) == (EXIT_OK, "")


def test_order_predicates_compare_strings_and_numbers_only(run):
    result = asserts(run, 'jsonpath "$.books[0].name" > "Cat"', 'jsonpath "$.count" >= 3',
                     'jsonpath "$.books[0].price" < 10', 'jsonpath "$.id" <= "123"')
    assert (result.code, result.err) == (EXIT_OK, "")
    date = asserts(run, 'jsonpath "$.published" toDate "%+" not > 3')
    assert date.code == EXIT_ASSERT  # a date is neither: a mismatch, `not` or not
