"""Filters' inputs and dates as Hurl's runner/filter/*.rs have them.

filters.md's table gives each filter's input: `count` a collection (count.rs: a list or
bytes), `daysAfterNow`/`daysBeforeNow`/`dateFormat` a date, `toDate` a string. Dates are
chrono's: to_date.rs converts a parsed offset to UTC, and the formats are chrono's
strftime (https://docs.rs/chrono/latest/chrono/format/strftime/index.html). nth.rs takes
an integer or a placeholder holding one.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from restcli.runner import dates
from restcli.runner.codes import EXIT_ASSERT, EXIT_OK, EXIT_RUNTIME


def asserts(run, *lines: str, **variables):
    text = "GET {base}/books\nHTTP 200\n[Asserts]\n" + "\n".join(lines) + "\n"
    return run(text, variables=variables)


@pytest.mark.parametrize(("line", "message"), [
    ('jsonpath "$.books[0].name" count == 4', "filter count does not apply to string"),
    ('jsonpath "$.books[0]" count == 3', "filter count does not apply to object"),
    ('jsonpath "$.published" daysBeforeNow > 1', "filter daysBeforeNow does not apply to string"),
    ('jsonpath "$.published" daysAfterNow < 1', "filter daysAfterNow does not apply to string"),
    ('jsonpath "$.published" dateFormat "%Y" == "2023"', "filter dateFormat does not apply to string"),
    ('jsonpath "$.published" format "%Y" == "2023"', "filter format does not apply to string"),
    ('jsonpath "$.count" toDate "%Y" == "2023"', "filter toDate does not apply to integer"),
])
def test_filters_refuse_the_inputs_hurl_refuses(run, line, message):
    result = asserts(run, line)
    assert result.code == EXIT_ASSERT, line
    assert message in result.err and "f0.hurl:4:" in result.err


def test_count_takes_lists_and_bytes(run):
    result = asserts(run, 'jsonpath "$.books" count == 3', "bytes count > 100",
                     'jsonpath "$.token" base64Decode count == 7')
    assert (result.code, result.err) == (EXIT_OK, "")


def test_to_date_converts_to_utc_and_formats_as_chrono(run):
    result = asserts(
        run,
        'variable "local" toDate "%Y-%m-%d %H:%M:%S %:z" dateFormat "%H:%M:%S %:z" == "07:07:46 +00:00"',
        'variable "local" toDate "%Y-%m-%d %H:%M:%S %:z" dateFormat "%+" == "2020-08-27T07:07:46+00:00"',
        'jsonpath "$.published" toDate "%+" dateFormat "%+" == "2023-01-23T18:25:43.511+00:00"',
        'jsonpath "$.published" toDate "%+" dateFormat "%.f|%.3f|%6f|%f" == ".511|.511|511000|511000000"',
        'jsonpath "$.published" toDate "%Y-%m-%dT%H:%M:%S%.fZ" dateFormat "%A %e %B %j %Z" '
        '== "Monday 23 January 023 UTC"',
        'variable "plain" toDate "%Y-%m-%d %H:%M:%S" dateFormat "%s" == "1598519266"',
        'variable "day" toDate "%Y-%m-%d" dateFormat "%F %T" == "2020-08-27 00:00:00"',
        'variable "rfc2822" toDate "%a %b %d %H:%M:%S %Y %z" dateFormat "%c" == "Thu Aug 27 07:07:46 2020"',
        local="2020-08-27 09:07:46 +02:00", plain="2020-08-27 09:07:46", day="2020-08-27",
        rfc2822="Thu Aug 27 09:07:46 2020 +0200")
    assert (result.code, result.err) == (EXIT_OK, "")


@pytest.mark.parametrize(("value", "fmt", "message"), [
    ("2023-02-30", "%Y-%m-%d", "could not be parsed with <%Y-%m-%d> format"),
    ("Fri Aug 27 09:07:46 2020 +0200", "%a %b %d %H:%M:%S %Y %z", "could not be parsed"),
    ("2020-08-27", "ymd", "could not be parsed with <ymd> format"),
])
def test_to_date_refuses_what_chrono_refuses(run, value, fmt, message):
    result = asserts(run, f'variable "d" toDate "{fmt}" isDate', d=value)
    assert result.code == EXIT_ASSERT and message in result.err


def test_an_unsupported_format_specifier_is_named(run):
    result = asserts(run, 'jsonpath "$.published" toDate "%+" dateFormat "%Q" == "x"')
    assert result.code == EXIT_ASSERT
    assert "date format specifier %Q is not supported by restcli" in result.err
    lone = asserts(run, 'jsonpath "$.published" toDate "%+" dateFormat "%%%" == "x"')
    assert lone.code == EXIT_ASSERT and "a % with no specifier" in lone.err


def test_dates_module_matches_chronos_documented_examples():
    # chrono's strftime page: 2001-07-08T00:34:60.026490+09:30 style values.
    moment = datetime(2001, 7, 8, 0, 34, 59, 26490, tzinfo=UTC)
    assert dates.format_date(moment, "%Y-%m-%d %a %b %e %I %p %P") == "2001-07-08 Sun Jul  8 12 AM am"
    assert dates.format_date(moment, "%.f %.3f %.6f %.9f %3f") == ".026490 .026 .026490 .026490000 026"
    assert dates.format_date(moment, "%-d|%_m|%0e|%k|%l") == "8| 7|08| 0|12"
    assert dates.to_date("07/08/01", "%m/%d/%y") == datetime(2001, 7, 8, tzinfo=UTC)
    assert dates.to_date("07/08/70", "%D").year == 1970
    assert dates.to_date("2020-08-27T09:07:46.123456789+02:00", "%+").microsecond == 123456
    assert dates.to_date("12:30 PM 2020-01-02", "%I:%M %p %Y-%m-%d").hour == 12
    assert dates.to_date("1598519266", "%s") == datetime(2020, 8, 27, 9, 7, 46, tzinfo=UTC)
    with pytest.raises(dates.DateError, match="%u is not supported by restcli for toDate"):
        dates.to_date("3 2020-01-01", "%u %Y-%m-%d")


def test_nth_takes_an_integer_placeholder(run):
    result = asserts(run, 'jsonpath "$.books" nth {{i}} jsonpath "$.name" == "Children of Dune"',
                     'jsonpath "$.books[*].name" nth {{last}} == "Les Misérables"',
                     i=1, last=-1)
    assert (result.code, result.err) == (EXIT_OK, "")
    wrong = asserts(run, 'jsonpath "$.books" nth {{i}} exists', i="one")
    assert wrong.code == EXIT_ASSERT and "expecting an integer" in wrong.err
    missing = run("GET {base}/books\nHTTP 200\n[Captures]\nx: jsonpath \"$.books\" nth {{nope}}\n")
    assert missing.code == EXIT_RUNTIME and "nope" in missing.err
