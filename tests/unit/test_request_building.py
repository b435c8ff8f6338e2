"""Request items, URL joining and query encoding, without a network."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from restcli.cli.options import split_target
from restcli.errors import UsageError
from restcli.request import encode_query, escape_path, join_url, parse_item, reads_as_item


@pytest.mark.parametrize(
    "arg, kind, key, value",
    [
        ("X-A:1", "header", "X-A", "1"),
        ("X-A: spaced ", "header", "X-A", "spaced"),
        ("X-A:", "header-remove", "X-A", None),
        ("X-A:   ", "header", "X-A", ""),  # only an exactly empty value removes (HTTPie)
        ("X-A;", "header-empty", "X-A", ""),
        ("q==a b", "query", "q", "a b"),
        ("q==", "query", "q", ""),
        ("q==a==b", "query", "q", "a==b"),
        ("name=value", "field", "name", "value"),
        ("name=a:b", "field", "name", "a:b"),
        ("url=http://x", "field", "url", "http://x"),
        ("n:=3", "json", "n", 3),
        ("o:={\"a\": [1]}", "json", "o", {"a": [1]}),
        ("X-Time:12:30", "header", "X-Time", "12:30"),
        (r"a\=b=c", "field", "a=b", "c"),
        (r"a\:b==c", "query", "a:b", "c"),
    ],
)
def test_parse_item(arg, kind, key, value):
    item = parse_item(arg)
    assert (item.kind, item.key, item.value) == (kind, key, value)


@pytest.mark.parametrize("arg", ["plain", ":x", "Bad Header:x", "n:=nope"])
def test_parse_item_refuses(arg):
    with pytest.raises(UsageError):
        parse_item(arg)


@pytest.mark.parametrize(
    "endpoint, path, url",
    [
        ("https://h/dev", "items/1", "https://h/dev/items/1"),
        ("https://h/dev", "/items/1", "https://h/dev/items/1"),
        ("https://h/dev/", "/items/1", "https://h/dev/items/1"),
        ("https://h", "/items", "https://h/items"),
        ("https://h", "", "https://h/"),
        ("https://h/dev", "", "https://h/dev"),
        ("https://h/dev", "/a%2Fb", "https://h/dev/a%2Fb"),
        ("https://h/dev", "/a%2fb", "https://h/dev/a%2Fb"),
        ("https://h/dev", "/100%", "https://h/dev/100%25"),
        ("https://h/dev", "/ü b", "https://h/dev/%C3%BC%20b"),
        ("https://h/dev", "/a;b=c:d@e", "https://h/dev/a;b=c:d@e"),
        ("https://h/dev", "/x#frag", "https://h/dev/x"),
        ("https://h/dev", "/x?a=1 2", "https://h/dev/x?a=1%202"),
    ],
)
def test_join_url(endpoint, path, url):
    assert join_url(endpoint, path) == url


def test_encode_query():
    assert encode_query([("a", "x y"), ("b", "1+1"), ("a", "2"), ("e", "")]) == (
        "a=x%20y&b=1%2B1&a=2&e="
    )
    assert encode_query([("k", "é/?&=~")]) == "k=%C3%A9%2F%3F%26%3D~"


@given(st.text(min_size=1))
def test_escaped_path_holds_only_legal_characters_and_means_the_same(segment):
    escaped = escape_path("/" + segment.replace("%", ""))
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/%")
    assert set(escaped) <= allowed
    assert unquote(escaped) == "/" + segment.replace("%", "")
    assert escape_path(escaped) == escaped  # idempotent: existing escapes are kept


@given(st.lists(st.tuples(st.text(), st.text()), min_size=1, max_size=5))
def test_query_roundtrip(pairs):
    encoded = encode_query(pairs)
    assert "+" not in encoded and " " not in encoded
    decoded = [tuple(unquote(x) for x in p.split("=")) for p in encoded.split("&")]
    assert decoded == pairs


@given(st.text())
def test_parse_item_only_ever_raises_usage_errors(arg):
    try:
        parse_item(arg)
    except UsageError:
        pass


def test_join_keeps_host_and_scheme():
    url = join_url("http://127.0.0.1:8080/prod", "/x")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "127.0.0.1:8080")


def test_bare_url_keeps_its_own_query():
    assert join_url("https://h/x?a=b c", "") == "https://h/x?a=b%20c"
    assert join_url("https://h/x?a=1", "/y?b=2") == "https://h/x/y?a=1&b=2"


@pytest.mark.parametrize(
    "word, item",
    [
        ("q==1", True),
        ("count:=three", True),
        ("name=x", True),
        ("X-A:1", True),
        ("X-A;", True),
        ("f@file.txt", True),
        ("items", False),
        ("items/1", False),
        ("items?limit=5", False),
        ("items/a=b", False),
        ("a/b:c", False),
        (r"a\=b", False),  # escaped: no separator
        ("", False),
    ],
)
def test_reads_as_item(word, item):
    assert reads_as_item(word) is item


@pytest.mark.parametrize(
    "api, path, items, expected",
    [
        # After a profile: PATH if it starts with "/" or does not read as an item.
        ("p", "/x", ["a=1"], ("/x", ["a=1"])),
        ("p", "items/1", [], ("items/1", [])),
        ("p", "items?limit=5", [], ("items?limit=5", [])),
        ("p", "q==1", ["a=1"], ("", ["q==1", "a=1"])),
        ("p", "count:=three", [], ("", ["count:=three"])),
        ("p", "", [], ("", [])),
        # After a URL: PATH only if it starts with "/".
        ("https://h/dev", "/x", [], ("/x", [])),
        ("HTTPS://h/dev", "items/1", [], ("", ["items/1"])),
        ("http://h/dev", "q==1", [], ("", ["q==1"])),
    ],
)
def test_split_target(api, path, items, expected):
    assert split_target(api, path, items) == expected
