"""Generated command lines sent by HTTPie 3 (the `http` CLI of the test extra) and by
restcli to the raw recording server: equal, apart from the deliberate differences README's
"Differences from HTTPie" lists, which are normalised here and only here:

1. User-Agent names the client.
2. Header order: restcli sends Host first and its own headers in the order layered.
3. A repeated header is one line with its values joined by ", " ("; " for Cookie);
   HTTPie sends one line per value.
4. `name==value` items: restcli encodes a space as %20 (RFC 3986), HTTPie as "+".
5. A JSON body: restcli writes non-ASCII characters as UTF-8, HTTPie as \\u escapes (the
   same JSON value; Content-Length differs).
6. Repeated query or form names: restcli keeps the order typed, HTTPie groups a name's
   values.
Keys HTTPie reads as numbers ("00", "0 ") are not generated (README: HTTPie's own quirk).
Paths mixing a stray "%" with a valid escape are not generated (README: requests, and so
HTTPie, then escapes every "%" in the URL; restcli only the stray one).
Keys hold no backslash (README: restcli reads `\\\\` in every key as one backslash, HTTPie
only in JSON keys); values do, and are read alike.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.support.recorder import Recorder, split

HTTP = shutil.which("http", path=os.path.dirname(sys.executable))
pytestmark = pytest.mark.skipif(HTTP is None, reason="HTTPie (test extra) is not installed")


@pytest.fixture(scope="module")
def part(tmp_path_factory):
    path = tmp_path_factory.mktemp("parts") / "part.txt"
    path.write_bytes("a file part: é\n".encode())
    return path


@pytest.fixture(scope="module")
def rec():
    server = Recorder().start()
    yield server
    server.stop()


def _grouped(pairs):
    """Each name's values together, in the order of the name's first appearance (stable)."""
    first: dict[str, int] = {}
    for i, (name, _) in enumerate(pairs):
        first.setdefault(name, i)
    return sorted(pairs, key=lambda pair: first[pair[0]])


def normalised(raw: bytes):
    line, headers, body = split(raw)
    # A multipart boundary is random: the same placeholder on both sides.
    boundary = re.search(rb"boundary=([0-9a-f]+)", raw)
    if boundary:
        headers = [(n, v.replace(boundary.group(1), b"B")) for n, v in headers]
        body = body.replace(boundary.group(1), b"B")
    method, target, version = line.split(b" ")
    parts = urlsplit(target.decode())
    query = parse_qsl(parts.query, keep_blank_values=True)  # "+" and %20 both a space
    query = _grouped(query)
    joined: dict[str, list[bytes]] = {}
    for name, value in headers:
        lname = name.decode().lower()
        if lname == "user-agent":
            continue
        joined.setdefault(lname, []).append(value)
    headers_ = {
        n: (b"; " if n == "cookie" else b", ").join(v) for n, v in joined.items()
    }
    try:
        body_ = json.loads(body) if body else None
    except ValueError:
        body_ = body
        if b"x-www-form-urlencoded" in headers_.get("content-type", b""):
            body_ = _grouped(parse_qsl(body.decode(), keep_blank_values=True))
        elif b"multipart/form-data" in headers_.get("content-type", b""):
            pieces = body.split(b"--B--")[0].split(b"--B\r\n")[1:]
            named = [(re.search(rb'name="([^"]*)"', piece).group(1), piece) for piece in pieces]
            body_ = _grouped(named)
    else:
        headers_.pop("content-length", None)
    return method, parts.path, query, version, headers_, body_


def _as_httpie_reads(key: str) -> bool:
    """HTTPie reads a key Python's int() accepts as a number ("00", " 0" become "0");
    restcli keeps it as typed. An item starting with "-" is an option to HTTPie."""
    try:
        return str(int(key)) == key
    except ValueError:
        return not key.startswith("-")


_KEY = st.text(alphabet="abcXYZ_-.é€ 0", min_size=0, max_size=5).filter(_as_httpie_reads)
_VALUE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    max_size=8,
)
_HEADER = st.sampled_from(["X-A", "X-B", "Cookie", "X-Amz-Meta"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=4,
)
_SEGMENT = st.text(alphabet="abc019-._~é ;%!$'()*,=@:?&+", min_size=1, max_size=6).filter(
    lambda s: s not in (".", "..")
)


def _escape(key: str) -> str:
    return "".join("\\" + c if c in ":;=@[]" else c for c in key)


@st.composite
def command_lines(draw):
    method = draw(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]))
    path = "/" + "/".join(draw(st.lists(_SEGMENT, max_size=3)))
    form = [] if method == "GET" else draw(st.sampled_from([[], [], ["--form"], ["--multipart"]]))
    kinds = ["header", "query", "field", "file"] if form else [
        "header", "query", "field", "json", "nested", "append"]
    items = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(kinds))
        value = draw(_VALUE)
        if kind == "header":
            v = value.strip()
            if v:
                items.append(f"{draw(_HEADER)}:{v}")
        elif kind == "query":
            items.append(f"{_escape(draw(_KEY))}=={value}")
        elif method != "GET" and kind == "field":
            items.append(f"{_escape(draw(_KEY))}={value}")
        elif method != "GET" and kind == "json":
            items.append(f"{_escape(draw(_KEY))}:={json.dumps(draw(_JSON))}")
        elif method != "GET" and kind == "nested":
            items.append(f"obj[{_escape(draw(_KEY))}]={value}")
        elif method != "GET" and kind == "append":
            items.append(f"list[]:={draw(st.integers(0, 9))}")
        elif kind == "file":
            items.append(f"{_escape(draw(_KEY))}@{{file}}" + draw(st.sampled_from(["", ";type=text/x"])))
    # _KEY cannot spell "obj" or "list": plain keys never clash with the nested ones.
    return method, path, form, items


def _run_httpie(url, method, items, flags):
    return subprocess.run(
        [HTTP, "--ignore-stdin", "--print=", "--timeout=5", *flags, method, url, *items],
        capture_output=True, timeout=30, check=False, env={**os.environ, "HTTPIE_CONFIG_DIR": os.devnull},
    )


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(command_lines())
def test_httpie_and_restcli_send_the_same_request(cli, rec, part, case):
    method, path, flags, items = case
    items = [i.replace("{file}", str(part)) for i in items]
    stray = re.search(r"%(?![0-9A-Fa-f]{2})", path)
    assume(not (stray and re.search(r"%[0-9A-Fa-f]{2}", path)))
    url = rec.url + path
    rec.clear()
    httpie = _run_httpie(url, method, items, flags)
    if httpie.returncode != 0 or len(rec.requests) != 1:
        # HTTPie refused it (a type conflict): restcli refuses it too, and sends nothing.
        rec.clear()
        r = cli(method.lower(), *flags, "--", rec.url, path, *items)
        assert r.code == 2, (items, httpie.stderr, r.stderr)
        assert rec.requests == []
        return
    theirs = rec.requests[0]
    rec.clear()
    r = cli(method.lower(), *flags, "--", rec.url, path, *items)
    assert r.code == 0, r.stderr
    assert normalised(rec.requests[0]) == normalised(theirs), (items, rec.requests[0], theirs)
