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
7. `Host:` keeps Host in restcli (HTTP/1.1 requires it); HTTPie sends none: Host is left
   out of the comparison when `Host:` was typed.
8. Empty values of a repeated header: restcli leaves them out of its combined line,
   HTTPie sends each on its own line; the normalised join leaves them out on both sides.
9. A typed Content-Type over a multipart body gets the body's boundary only when it is
   multipart/*, and `Content-Type:` removes it (HTTPie appends the boundary to any type,
   and sends its own type when it was removed): such lines are not generated.
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


def normalised(raw: bytes, host_removed: bool = False):
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
        if lname == "user-agent" or (host_removed and lname == "host"):
            continue
        joined.setdefault(lname, []).append(value)
    headers_ = {
        n: (b"; " if n == "cookie" else b", ").join(x for x in v if x) for n, v in joined.items()
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
_HEADER = st.sampled_from(["X-A", "X-B", "Cookie", "X-Amz-Meta", "Accept", "Accept-Encoding"])
# Headers a removal may take away (Host: is difference 7).
_REMOVABLE = st.sampled_from(["X-A", "Cookie", "Accept", "Accept-Encoding", "Connection",
                              "User-Agent", "Content-Type", "Host"])
_CONTENT_TYPE = st.sampled_from(["text/x", "application/json", "multipart/form-data",
                                 "multipart/mixed; charset=utf-8", "application/x-www-form-urlencoded"])
_BLANK = st.text(alphabet=" \t", min_size=1, max_size=3)
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


def _header_item(draw, kind: str, value: str) -> str:
    if kind == "header":
        return f"{draw(_HEADER)}:{value}"
    if kind == "blank":
        return f"{draw(_HEADER)}:{draw(_BLANK)}"
    if kind == "remove":
        return f"{draw(_REMOVABLE)}:"
    if kind == "empty":
        return f"{draw(_HEADER)};"
    return f"Content-Type:{draw(_CONTENT_TYPE)}"


@st.composite
def command_lines(draw):
    method = draw(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]))
    path = "/" + "/".join(draw(st.lists(_SEGMENT, max_size=3)))
    form = [] if method == "GET" else draw(st.sampled_from([[], [], ["--form"], ["--multipart"]]))
    headers = ["header", "blank", "remove", "empty", "content-type"]
    kinds = [*headers, "query", "field", "file"] if form else [
        *headers, "query", "field", "json", "nested", "append"]
    items = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(kinds))
        value = draw(_VALUE)
        if kind in headers:
            items.append(_header_item(draw, kind, value))
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
    # How restcli is told where to send it: after a URL or a profile, PATH with its "/",
    # without it (a profile's word that does not read as an item), or left out.
    target = draw(st.sampled_from(["url", "profile", "profile-bare", "url-none", "profile-none"]))
    return method, path, form, items, target


def _run_httpie(url, method, items, flags):
    return subprocess.run(
        [HTTP, "--ignore-stdin", "--print=", "--timeout=5", *flags, method, url, *items],
        capture_output=True, timeout=30, check=False, env={**os.environ, "HTTPIE_CONFIG_DIR": os.devnull},
    )


def _typed_type_over_multipart(flags, items) -> bool:
    """A multipart body under a typed Content-Type other than one multipart/* value
    (difference 9)."""
    multipart = "--multipart" in flags or ("--form" in flags and any("{file}" in i for i in items))
    typed = [i.partition(":")[2] for i in items if i.startswith("Content-Type:")]
    return multipart and (len(typed) > 1 or any(not t.startswith("multipart/") for t in typed))


def _restcli_words(target: str, path: str, base: str, config):
    """restcli's words (before and after the method) for the target form, and the path the
    URL gets (for HTTPie)."""
    from restcli.request import reads_as_item

    if target.endswith("-none"):
        path = ""
    api = base + "/dev" if target.startswith("url") else "loc"
    word = path
    bare = path[1:]
    # Without its "/" a word means the same path only if it has one before any "?".
    if target == "profile-bare" and bare.partition("?")[0] and not reads_as_item(bare):
        word = bare
    config_words = [] if target.startswith("url") else ["--config", str(config)]
    return (config_words, ["--", api, *([word] if word else [])]), path


@pytest.fixture(scope="module")
def config(tmp_path_factory, rec):
    path = tmp_path_factory.mktemp("config") / "profiles.toml"
    path.write_text(f'[profiles.loc]\nendpoint = "{rec.url}/dev"\nauth = "none"\n')
    path.chmod(0o600)
    return path


def send_both(cli, rec, config, method, flags, items, target="url", path=""):
    """The request HTTPie sends and the one restcli sends (None: refused, nothing sent)."""
    words, path = _restcli_words(target, path, rec.url, config)
    rec.clear()
    httpie = _run_httpie(rec.url + "/dev" + path, method, items, flags)
    theirs = rec.requests[0] if httpie.returncode == 0 and len(rec.requests) == 1 else None
    rec.clear()
    config_words, target_words = words
    r = cli(*config_words, method.lower(), *flags, *target_words, *items)
    if theirs is None:
        # HTTPie refused it (a type conflict): restcli refuses it too, and sends nothing.
        assert r.code == 2, (items, httpie.stderr, r.stderr)
        assert rec.requests == []
        return None, None
    assert r.code == 0, r.stderr
    host_removed = any(i.lower() == "host:" for i in items)
    return normalised(rec.requests[0], host_removed), normalised(theirs, host_removed)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(command_lines())
def test_httpie_and_restcli_send_the_same_request(cli, rec, part, config, case):
    method, path, flags, items, target = case
    stray = re.search(r"%(?![0-9A-Fa-f]{2})", path)
    assume(not (stray and re.search(r"%[0-9A-Fa-f]{2}", path)))
    assume(not _typed_type_over_multipart(flags, items))
    items = [i.replace("{file}", str(part)) for i in items]
    ours, theirs = send_both(cli, rec, config, method, flags, items, target, path)
    assert ours == theirs, items


@pytest.mark.parametrize(
    "method, flags, items, target, path",
    [
        # A profile's second word: an item when it reads as one, PATH otherwise.
        ("POST", [], ["count:=3", "name=x"], "profile-none", ""),
        ("GET", [], ["q==1", "X-A:1"], "profile-none", ""),
        ("GET", [], ["q==1"], "profile-bare", "/items/1"),
        ("GET", [], [], "profile-bare", "/items?limit=5"),
        ("GET", [], [], "profile-bare", "/items/a=b"),
        ("POST", [], ["count:=three", "name=x"], "profile-none", ""),  # both refuse it
        # A typed multipart Content-Type gets the body's boundary.
        ("POST", ["--form"], ["f@{file}", "Content-Type:multipart/form-data"], "url", "/x"),
        ("POST", ["--multipart"], ["a=1", "Content-Type:multipart/mixed"], "url", "/x"),
        ("POST", ["--multipart"], ["a=1", "Content-Type:multipart/mixed;"], "url", "/x"),
        # Whitespace-only values send the header empty; only "Name:" removes.
        ("GET", [], ["X-A:   "], "url", "/x"),
        ("GET", [], ["X-A;"], "url", "/x"),
        ("GET", [], ["X-A;", "X-A:v"], "url", "/x"),
        ("GET", [], ["X-A:v", "X-A;"], "url", "/x"),
        ("GET", [], ["X-A:v", "X-A:"], "url", "/x"),
        ("GET", [], ["X-A:", "X-A:v"], "url", "/x"),
        ("GET", [], ["Host:", "Accept:", "Accept-Encoding:", "Connection:"], "url", "/x"),
        # Indexes as HTTPie reads them.
        ("POST", [], ["a[+1]=x"], "url", "/x"),
        ("POST", [], ["[x]=1"], "url", "/x"),
    ],
)
def test_explicit_cases(cli, rec, part, config, method, flags, items, target, path):
    items = [i.replace("{file}", str(part)) for i in items]
    ours, theirs = send_both(cli, rec, config, method, flags, items, target, path)
    assert ours == theirs
