"""The request sent is the request typed: items, queries, headers and bodies as a raw
recording server on loopback receives them, and --offline equal to those bytes."""

from __future__ import annotations

import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.recorder import Recorder, split


@pytest.fixture
def rec():
    server = Recorder().start()
    yield server
    server.stop()


def _one(rec):
    assert len(rec.requests) == 1, rec.requests
    return split(rec.requests[0])


def _headers(headers):
    return {n.decode().lower(): v for n, v in headers}


# -- silent wrong requests -----------------------------------------------------------------


def test_bad_item_after_a_bare_url_is_refused_not_sent_as_path(cli, rec):
    r = cli("post", f"{rec.url}/dev/items", "count:=three", "name=x")
    assert r.code == 2
    assert "invalid JSON" in r.stderr
    assert rec.requests == []


def test_a_word_after_a_url_is_an_item_and_a_slash_word_is_the_path(cli, rec):
    assert cli("post", f"{rec.url}/dev", "name=x").code == 0
    line, _, body = _one(rec)
    assert line == b"POST /dev HTTP/1.1" and json.loads(body) == {"name": "x"}
    rec.clear()
    assert cli("get", f"{rec.url}/dev", "/items", "q==1").code == 0
    assert _one(rec)[0] == b"GET /dev/items?q=1 HTTP/1.1"


@pytest.fixture
def loc(rec, write_config, monkeypatch):
    """A profile `loc` with no auth whose endpoint is the recorder's /dev."""
    cfg = write_config(f'[profiles.loc]\nendpoint = "{rec.url}/dev"\nauth = "none"\n')
    monkeypatch.setenv("RESTCLI_CONFIG", str(cfg))
    return rec


@pytest.mark.parametrize("item", ["count:=three", "x==@/nonexistent/file", "Bad Header:x"])
def test_bad_item_after_a_profile_is_refused_not_sent_as_path(cli, loc, item):
    r = cli("post", "loc", item, "name=x")
    assert r.code == 2 and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert loc.requests == []


@pytest.mark.parametrize(
    "words, line",
    [
        (["get", "loc", "q==1"], b"GET /dev?q=1 HTTP/1.1"),
        (["post", "loc", "name=x"], b"POST /dev HTTP/1.1"),
        (["get", "loc", "X-A:1"], b"GET /dev HTTP/1.1"),
        (["get", "loc", "items"], b"GET /dev/items HTTP/1.1"),
        (["get", "loc", "items/1"], b"GET /dev/items/1 HTTP/1.1"),
        (["get", "loc", "items?limit=5"], b"GET /dev/items?limit=5 HTTP/1.1"),
        (["get", "loc", "items/a=b"], b"GET /dev/items/a=b HTTP/1.1"),
        (["get", "loc", "/a=b"], b"GET /dev/a=b HTTP/1.1"),
        (["get", "loc", "/q==1"], b"GET /dev/q==1 HTTP/1.1"),
        (["get", "loc", r"a\=b"], b"GET /dev/a%5C=b HTTP/1.1"),  # no item: the path as typed
    ],
)
def test_a_word_after_a_profile_is_an_item_when_it_reads_as_one(cli, loc, words, line):
    r = cli(*words)
    assert r.code == 0, r.stderr
    assert _one(loc)[0] == line


def test_profile_and_url_forms_send_the_same_request(cli, loc):
    for api in ("loc", f"{loc.url}/dev"):
        assert cli("post", api, "q==1", "name=x", "X-A:1").code == 0
    assert len(loc.requests) == 2
    assert loc.requests[0] == loc.requests[1]


@pytest.mark.parametrize(
    "args, target",
    [
        (["{url}/dev/items?q=a+b"], b"/dev/items?q=a+b"),
        (["{url}/dev", "/items?q=a+b&r=%2b"], b"/dev/items?q=a+b&r=%2B"),
        (["{url}/dev", "/items?q=a b"], b"/dev/items?q=a%20b"),
        (["{url}/dev/items", "q==a b+c"], b"/dev/items?q=a%20b%2Bc"),
        (["{url}/dev/items?a=1&&b=2&", "c==3"], b"/dev/items?a=1&b=2&c=3"),
        (["{url}/dev/items?a=b=c"], b"/dev/items?a=b%3Dc"),
        (["{url}/dev/items?x=!$'()*,;:@/?"], b"/dev/items?x=!$'()*,;:@/?"),
    ],
)
def test_query_typed_in_path_or_url_goes_out_as_typed(cli, rec, args, target):
    r = cli("get", *[a.format(url=rec.url) for a in args])
    assert r.code == 0, r.stderr
    assert _one(rec)[0] == b"GET " + target + b" HTTP/1.1"


def test_repeated_header_items_all_reach_the_server(cli, rec):
    r = cli("get", f"{rec.url}/x", "X-D:1", "X-D:2", "Cookie:a=1", "Cookie:b=2", "-H", "X-D: 3")
    assert r.code == 0
    headers = _headers(_one(rec)[1])
    assert headers["x-d"] == b"1, 2, 3"
    assert headers["cookie"] == b"a=1; b=2"


def test_removed_headers_are_not_sent_at_all_but_host_stays(cli, rec):
    r = cli("get", f"{rec.url}/x", "User-Agent:", "Accept-Encoding:", "Accept:", "Host:")
    assert r.code == 0
    names = [n.lower() for n, _ in _one(rec)[1]]
    assert b"user-agent" not in names and b"accept-encoding" not in names
    assert b"accept" not in names
    assert names.count(b"host") == 1


@pytest.mark.parametrize(
    "items, sent",
    [
        (["X-A:   "], b""),  # whitespace only: sent, empty (HTTPie does the same)
        (["X-A;"], b""),
        (["X-A;", "X-A:v"], b"v"),  # an empty value adds nothing to a combined line
        (["X-A:v", "X-A;"], b"v"),
        (["X-A:v", "X-A: ", "X-A:w"], b"v, w"),
        (["X-A:", "X-A:v"], b"v"),
        (["X-A:v", "X-A:"], None),  # removed: nothing sent
    ],
)
def test_empty_and_whitespace_header_values(cli, rec, items, sent):
    assert cli("get", f"{rec.url}/x", *items).code == 0
    headers = _one(rec)[1]
    values = [v for n, v in headers if n.lower() == b"x-a"]
    assert values == ([] if sent is None else [sent])


def test_header_and_query_options_apply_after_the_items_wherever_typed(cli, rec):
    # -H and -q are read after every positional item, whatever their place on the line.
    r = cli("get", f"{rec.url}/x", "-H", "X-D:", "X-D:1", "-q", "a=1", "a==2", "-H", "X-E: 2",
            "X-E:1")
    assert r.code == 0, r.stderr
    line, headers, _ = _one(rec)
    assert line == b"GET /x?a=2&a=1 HTTP/1.1"
    names = _headers(headers)
    assert "x-d" not in names
    assert names["x-e"] == b"1, 2"


def test_header_values_go_as_utf8(cli, rec):
    r = cli("get", f"{rec.url}/x", "X-U:é€😀", "-H", "X-L: ü")
    assert r.code == 0
    headers = _headers(_one(rec)[1])
    assert headers["x-u"] == "é€😀".encode()
    assert headers["x-l"] == "ü".encode()


# -- items -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "items, expected",
    [
        (["o[k]=v", "o[n]:=1"], {"o": {"k": "v", "n": 1}}),
        (["arr[]:=1", "arr[]:=2"], {"arr": [1, 2]}),
        (["a[b][c]:=true"], {"a": {"b": {"c": True}}}),
        (["a[2]=x"], {"a": [None, None, "x"]}),
        ([r"x\[y\]=1"], {"x[y]": "1"}),
        ([r"a\\[b]=1"], {"a\\": {"b": "1"}}),
        ([r"k\\=v", r"k\=x=y", r"u\:v=w", r"m\@n=o"], {"k\\": "v", "k=x": "y", "u:v": "w", "m@n": "o"}),
        (["=v"], {"": "v"}),
        (["a=1", "a=2"], {"a": "2"}),
    ],
)
def test_json_items(cli, rec, items, expected):
    r = cli("post", f"{rec.url}/x", *items)
    assert r.code == 0, r.stderr
    _, headers, body = _one(rec)
    assert json.loads(body) == expected
    h = _headers(headers)
    assert h["content-type"] == b"application/json"
    assert h["accept"] == b"application/json, */*;q=0.5"


@pytest.mark.parametrize(
    "items, expected",
    [
        (["a[+1]=x"], {"a": [None, "x"]}),  # HTTPie reads what int() reads as an index
        (["a[ 1]=x"], {"a": [None, "x"]}),
        (["a[10000]:=1"], {"a": [None] * 10000 + [1]}),
        (["a[x]=1", "a[+]=2"], {"a": {"x": "1", "+": "2"}}),
    ],
)
def test_index_as_httpie_reads_it(cli, rec, items, expected):
    r = cli("post", f"{rec.url}/x", *items)
    assert r.code == 0, r.stderr
    assert json.loads(_one(rec)[2]) == expected


def test_top_level_array(cli, rec):
    assert cli("post", f"{rec.url}/x", "[0]=a", "[]:=2").code == 0
    assert json.loads(_one(rec)[2]) == ["a", 2]


@pytest.mark.parametrize(
    "items, words",
    [
        (["a=1", "a[b]=2"], "cannot perform 'key' based access on 'a' which has a type of 'string'"),
        (["a[]=1", "a[x]=2"], "which has a type of 'array' but this operation requires a type of 'object'"),
        (["[0]=a", "b=1"], "requires a type of 'object'"),
        (["a[-1]=x"], "negative indexes"),
        (["a[b=1"], "Expecting ']'"),
        (["[x]=1"], "Expecting a number or ']'"),
        (["a[10001]=x"], "index 10001 is above restcli's limit (10000)"),
        (["a[1000000000]=x"], "index 1000000000 is above restcli's limit (10000)"),
    ],
)
def test_nested_json_conflicts_are_usage_errors(cli, rec, items, words):
    for offline in ([], ["--offline"]):
        r = cli("post", f"{rec.url}/x", *items, *offline)
        assert r.code == 2 and words in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    assert rec.requests == []


def test_file_items(cli, rec, tmp_path):
    (tmp_path / "t.txt").write_text("line1\nline2\n")
    (tmp_path / "j.json").write_text('{"a": [1, true]}')
    (tmp_path / "h.txt").write_text("from-file\n")
    os.chdir(tmp_path)
    r = cli("post", f"{rec.url}/x", "text=@t.txt", "doc:=@j.json", "X-F:@h.txt", "q==@h.txt",
            r"at=\@literal")
    assert r.code == 0, r.stderr
    line, headers, body = _one(rec)
    assert line == b"POST /x?q=from-file HTTP/1.1"
    assert _headers(headers)["x-f"] == b"from-file"
    assert json.loads(body) == {"text": "line1\nline2\n", "doc": {"a": [1, True]}, "at": "@literal"}


def test_empty_query_key(cli, rec):
    assert cli("get", f"{rec.url}/x", "==v").code == 0
    assert _one(rec)[0] == b"GET /x?=v HTTP/1.1"


def test_missing_file_is_a_usage_error(cli, rec, tmp_path):
    r = cli("post", f"{rec.url}/x", f"a=@{tmp_path}/nope")
    assert r.code == 2 and "cannot read" in r.stderr
    assert rec.requests == []


def test_form_urlencoded(cli, rec):
    r = cli("post", f"{rec.url}/x", "--form", "a=1", "b=x y+z", "é=ü")
    assert r.code == 0, r.stderr
    _, headers, body = _one(rec)
    assert _headers(headers)["content-type"] == b"application/x-www-form-urlencoded; charset=utf-8"
    assert body == b"a=1&b=x+y%2Bz&%C3%A9=%C3%BC"
    assert "accept" not in _headers(headers) or _headers(headers)["accept"] == b"*/*"


def test_form_with_files_is_multipart_and_streamed(cli, rec, tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(300_000))
    r = cli("post", f"{rec.url}/x", "--form", "a=1", f"f@{big};type=application/x-big")
    assert r.code == 0, r.stderr
    _, headers, body = _one(rec)
    h = _headers(headers)
    ctype = h["content-type"].decode()
    assert ctype.startswith("multipart/form-data; boundary=")
    assert int(h["content-length"]) == len(body)
    boundary = ctype.split("boundary=")[1].encode()
    parts = body.split(b"--" + boundary)
    assert parts[-1] == b"--\r\n"
    assert parts[1] == b'\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
    assert parts[2].startswith(
        b'\r\nContent-Disposition: form-data; name="f"; filename="big.bin"\r\n'
        b"Content-Type: application/x-big\r\n\r\n"
    )
    assert parts[2].endswith(big.read_bytes() + b"\r\n")


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("multipart/form-data", "multipart/form-data; boundary={b}"),
        ("multipart/mixed", "multipart/mixed; boundary={b}"),
        ("multipart/form-data; charset=utf-8", "multipart/form-data; charset=utf-8; boundary={b}"),
        ("multipart/form-data; boundary=mine", "multipart/form-data; boundary=mine"),
        ("text/plain", "text/plain"),
    ],
)
def test_a_typed_multipart_content_type_gets_the_bodys_boundary(cli, rec, tmp_path, typed,
                                                               expected):
    (tmp_path / "t.txt").write_text("text")
    for how in (["Content-Type:" + typed], ["-H", "Content-Type: " + typed]):
        rec.clear()
        r = cli("post", f"{rec.url}/x", "--form", f"f@{tmp_path}/t.txt", *how)
        assert r.code == 0, r.stderr
        _, headers, body = _one(rec)
        boundary = body.split(b"\r\n", 1)[0][2:].decode()
        assert _headers(headers)["content-type"].decode() == expected.format(b=boundary)


def test_multipart_forces_multipart(cli, rec):
    assert cli("post", f"{rec.url}/x", "--multipart", "a=1").code == 0
    _, headers, body = _one(rec)
    assert _headers(headers)["content-type"].startswith(b"multipart/form-data; boundary=")
    assert b'name="a"\r\n\r\n1\r\n' in body


def test_file_part_without_form_and_json_in_form_are_refused(cli, rec, tmp_path):
    (tmp_path / "f").write_text("x")
    assert cli("post", f"{rec.url}/x", f"f@{tmp_path}/f").code == 2
    assert cli("post", f"{rec.url}/x", "--form", "n:=1").code == 2
    assert rec.requests == []


def _fifo_with_writer(tmp_path, data: bytes):
    """A FIFO and a thread that writes `data` into it once a reader opens it."""
    import threading

    fifo = tmp_path / "body.fifo"
    os.mkfifo(fifo)

    def write():
        try:
            with open(fifo, "wb") as f:
                f.write(data)
        except BrokenPipeError:
            pass  # the reader stopped at its limit

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    return fifo, writer


@pytest.mark.parametrize("offline", [False, True])
def test_data_from_a_fifo_is_read_into_memory_and_sent(cli, rec, tmp_path, offline):
    fifo, writer = _fifo_with_writer(tmp_path, b"hello from a fifo")
    r = cli("post", f"{rec.url}/x", "-d", f"@{fifo}", *(["--offline"] if offline else []))
    writer.join(5)
    assert r.code == 0, r.stderr
    raw = r.stdout if offline else rec.requests[0]
    _, headers, body = split(raw)
    assert body == b"hello from a fifo"
    assert _headers(headers)["content-length"] == b"17"


def test_data_from_dev_stdin_is_read_into_memory_and_sent(run, rec):
    r = run("post", f"{rec.url}/x", "-d", "@/dev/stdin", input=b"hello from stdin")
    assert r.code == 0, r.stderr
    assert _one(rec)[2] == b"hello from stdin"


def test_data_from_a_pipe_past_the_limit_is_a_usage_error(cli, rec, tmp_path, monkeypatch):
    import restcli.request

    monkeypatch.setattr(restcli.request, "PIPED_BODY_LIMIT", 1024)
    fifo, writer = _fifo_with_writer(tmp_path, b"x" * 5000)
    r = cli("post", f"{rec.url}/x", "-d", f"@{fifo}")
    writer.join(5)
    assert r.code == 2
    assert r.stderr.strip().splitlines() == [
        f"restcli: error: -d @{fifo}: more than 1 KiB from a pipe or device (the most restcli "
        "holds in memory); save it to a file and give -d @FILE"
    ]
    assert rec.requests == []
    # A regular file is streamed from disk, whatever its size.
    big = tmp_path / "big.bin"
    big.write_bytes(b"y" * 5000)
    assert cli("post", f"{rec.url}/x", "-d", f"@{big}").code == 0
    assert _one(rec)[2] == b"y" * 5000


# -- paths, URLs and arguments -------------------------------------------------------------


def test_dot_segments_within_the_base_path_are_resolved(cli, rec):
    assert cli("get", f"{rec.url}/dev/a/../b").code == 0
    assert _one(rec)[0] == b"GET /dev/b HTTP/1.1"


def test_dot_segments_climbing_above_the_base_path_are_refused(cli, write_config, rec, monkeypatch):
    cfg = write_config(f'[profiles.p]\nendpoint = "{rec.url}/dev"\nauth = "none"\n')
    monkeypatch.setenv("RESTCLI_CONFIG", str(cfg))
    r = cli("get", "p", "/../x")
    assert r.code == 2 and "climbs above" in r.stderr
    assert cli("get", "p", "/a/../../x").code == 2
    assert cli("get", f"{rec.url}/../x").code == 2
    assert rec.requests == []


def test_encoded_dots_are_not_decoded_on_the_wire(cli, rec):
    assert cli("get", f"{rec.url}/dev", "/%2E%2E/x").code == 0
    assert _one(rec)[0] == b"GET /dev/%2E%2E/x HTTP/1.1"


def test_profile_for_a_bare_url_is_chosen_after_dot_segments(cli, write_config, rec, monkeypatch):
    cfg = write_config(
        f'[profiles.key]\nendpoint = "{rec.url}/key"\nauth = "api_key"\napi_key = "secret-key-123456"\n'
    )
    monkeypatch.setenv("RESTCLI_CONFIG", str(cfg))
    assert cli("get", f"{rec.url}/key/../open").code == 0
    line, headers, _ = _one(rec)
    assert line == b"GET /open HTTP/1.1"
    assert "x-api-key" not in _headers(headers)


def test_userinfo_in_a_bare_url_is_refused_and_never_printed(cli, rec):
    r = cli("get", f"http://alice:s3cr3t-pw@127.0.0.1:{rec.port}/x")
    assert r.code == 2
    assert "s3cr3t-pw" not in r.stderr + r.out and "alice" not in r.stderr
    r = cli("get", f"http://alice:s3cr3t-pw@127.0.0.1:{rec.port}:bad/x")
    assert r.code == 2 and "s3cr3t-pw" not in r.stderr
    assert rec.requests == []


def test_upper_case_scheme_is_a_url_and_other_schemes_are_usage_errors(cli, rec):
    assert cli("get", f"HTTP://127.0.0.1:{rec.port}/x").code == 0
    assert _one(rec)[0] == b"GET /x HTTP/1.1"
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/x"):
        r = cli("get", url)
        assert r.code == 2, (url, r.stderr)
        assert "not supported" in r.stderr


@pytest.mark.parametrize(
    "where",
    ["path", "query", "header", "field", "url", "-H", "-q", "-d"],
)
def test_invalid_utf8_arguments_are_usage_errors(cli, rec, where):
    bad = b"a\xff".decode("utf-8", "surrogateescape")
    args = {
        "path": [f"{rec.url}/dev", "/" + bad],
        "query": [f"{rec.url}/x", f"q=={bad}"],
        "header": [f"{rec.url}/x", f"X-A:{bad}"],
        "field": [f"{rec.url}/x", f"f={bad}"],
        "url": [f"{rec.url}/{bad}"],
        "-H": [f"{rec.url}/x", "-H", f"X-A: {bad}"],
        "-q": [f"{rec.url}/x", "-q", f"a={bad}"],
        "-d": [f"{rec.url}/x", "-d", bad],
    }[where]
    r = cli("post", *args)
    assert r.code == 2, r.stderr
    assert "not valid UTF-8" in r.stderr and "Traceback" not in r.stderr
    assert rec.requests == []


# -- --offline is the wire ------------------------------------------------------------------

CORPUS = [
    ["get", "{url}/dev/items?q=a+b", "x==1 2", "X-D:1", "X-D:2"],
    ["post", "{url}/dev", "/items", "a=1", "o[k]:=true", "X-U:é€"],
    ["put", "{url}/x", "User-Agent:", "Accept-Encoding:", "Connection:", "-d", "raw body"],
    ["delete", "{url}/x;p=1", "Cookie:a=1", "Cookie:b=2"],
    ["patch", "{url}/x", "--form", "a=1", "b=2 3"],
    ["post", "{url}/x", "--multipart", "a=1", "f@{tmp}/f.txt;type=text/plain"],
    ["options", "{url}/%2E%2E/x?y=%7e"],
    ["head", "{url}/x", "Host:", "Accept:", "X-E;"],
    ["post", "{url}/x", "-d", "@{tmp}/f.txt"],
]


# Shown masked by --offline (or, for the date, different between two runs).
MASKED = (b"authorization", b"cookie", b"x-api-key", b"x-amz-security-token", b"x-amz-date")


def normalised(raw: bytes) -> bytes:
    """Masked values and the multipart boundary (random per run) replaced on both sides."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    for i, line in enumerate(lines[1:], 1):
        name, _, _ = line.partition(b":")
        if name.lower() in MASKED:
            lines[i] = name + b": <masked>"
    return re.sub(rb"[0-9a-f]{32}", b"BOUNDARY", b"\r\n".join(lines) + sep + body)


@pytest.mark.parametrize("args", CORPUS, ids=lambda a: " ".join(a[:2]))
def test_offline_is_byte_for_byte_what_the_server_receives(cli, rec, tmp_path, args):
    (tmp_path / "f.txt").write_text("file body\n")
    words = [a.format(url=rec.url, tmp=tmp_path) for a in args]
    offline = cli(*words, "--offline")
    assert offline.code == 0, offline.stderr
    assert rec.requests == []
    sent = cli(*words)
    assert sent.code == 0, sent.stderr
    assert normalised(offline.stdout) == normalised(rec.requests[0])


def test_curl_export_of_a_multipart_body_is_refused_not_a_crash(cli, rec, tmp_path):
    (tmp_path / "f.txt").write_text("x")
    r = cli("post", f"{rec.url}/x", "--form", f"f@{tmp_path}/f.txt", "--curl")
    assert r.code == 2 and "multipart" in r.stderr and "unexpected" not in r.stderr


def test_an_ordinary_call_imports_neither_the_items_nor_the_forms_module(rec):
    import subprocess
    import sys

    code = (
        "import sys; from restcli.__main__ import main; "
        f"rc = main(['get', '{rec.url}/x', 'q==1', 'a=1', 'X-A:1']); "
        "print('', rc, 'restcli.request.items' in sys.modules, 'restcli.request.forms' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-3:] == ["0", "False", "False"]
    code = code.replace("'a=1'", "'o[k]=1'")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-3:] == ["0", "True", "False"]


_WORD = st.text(alphabet="abé€ %+;=&?[]\\:@-", max_size=5)


@st.composite
def _command_lines(draw):
    method = draw(st.sampled_from(["get", "post", "put", "delete"]))
    path = "/" + draw(st.text(alphabet="ab;é %+?=&", max_size=6)).lstrip("/")
    items = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["X-H:", "q==", "f=", "n:=", "X-H;", "User-Agent:"]))
        value = draw(_WORD)
        if kind == "X-H:":
            items.append(f"X-H:{value}")
        elif kind == "q==":
            items.append(f"q{len(items)}=={value}")
        elif kind == "f=" and method != "get":
            items.append(f"f{len(items)}={value}")
        elif kind == "n:=" and method != "get":
            items.append(f"n{len(items)}:={draw(st.integers())}")
        elif kind in ("X-H;", "User-Agent:"):
            items.append(kind)
    return method, path, items


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(_command_lines())
def test_generated_offline_equals_wire(cli, rec, case):
    method, path, items = case
    words = [method, "--", rec.url, path, *items]
    rec.clear()
    offline = cli(*words[:1], "--offline", *words[1:])
    if offline.code != 0:
        assert offline.code == 2, offline.stderr  # e.g. a header value of only spaces
        assert cli(*words).code == 2 and rec.requests == []
        return
    assert rec.requests == []
    assert cli(*words).code == 0
    assert normalised(offline.stdout) == normalised(rec.requests[0])


def test_curl_export_shows_utf8_values_and_removed_headers_as_curl_reads_them(cli, rec):
    r = cli("get", f"{rec.url}/x", "X-U:é€", "User-Agent:", "--curl")
    assert r.code == 0, r.stderr
    assert "--header 'X-U: é€'" in r.out and "--header User-Agent:" in r.out
    assert "SKIP" not in r.out and "\\x" not in r.out


def test_offline_masks_a_resolved_secret_wherever_it_stands(cli, write_config, rec, monkeypatch):
    monkeypatch.setenv("THE_KEY", "resolved-secret-value-123")
    cfg = write_config(
        f'[profiles.k]\nendpoint = "{rec.url}/k"\nauth = "api_key"\napi_key = "env:THE_KEY"\n'
    )
    r = cli("--config", cfg, "post", "k", "/x", "echo=resolved-secret-value-123", "--offline")
    assert r.code == 0, r.stderr
    assert b"resolved-secret-value-123" not in r.stdout
    assert b"X-Api-Key: reso" in r.stdout


def test_readme_states_the_limits_and_the_order_the_code_has():
    from pathlib import Path

    from restcli.deadline import size_text
    from restcli.request import PIPED_BODY_LIMIT
    from restcli.request.items import MAX_INDEX

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    items = readme[readme.index("Request items (HTTPie 3 syntax"):readme.index("### Differences from")]
    assert f"at most {MAX_INDEX} (exit 2 beyond)" in items
    assert f"at most {size_text(PIPED_BODY_LIMIT)} (exit 2 past it" in items
    # What test_header_and_query_options_apply_after_the_items_wherever_typed pins.
    assert "`-H` and `-q` are applied after the positional items, whatever their place" in items
