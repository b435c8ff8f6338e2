"""Typed requests that used to go out as something else, and script output that was not
JSON, each against a real loopback server: JSON numbers a float cannot carry, pages linked
with quoted parameters or fragments, out-of-range numbers in a filtered body."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.recorder import Recorder


@pytest.fixture
def rec():
    server = Recorder().start()
    yield server
    server.stop()


class _Pages(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    pages: dict[str, tuple[bytes, str | None]] = {}

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        body, link = self.pages.get(self.path, (b'{"missing": true}', None))
        self.send_response(200 if self.path in self.pages else 404)
        self.send_header("Content-Type", "application/json")
        if link:
            self.send_header("Link", link)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def pages():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Pages.pages = {}
    yield f"http://127.0.0.1:{server.server_address[1]}", _Pages.pages
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("item", ["x:=1e400", "x:=-1e400", "x:=NaN", "x:=[1, Infinity]",
                                  "x:=1.00000000000000000001", "x:=1e-400"])
def test_json_item_number_a_float_cannot_carry_is_refused(cli, rec, item):
    r = cli("post", rec.url + "/a", item)
    assert r.code == 2, r.stderr
    assert item in r.stderr
    assert rec.requests == []


def test_json_item_numbers_a_float_carries_are_sent(cli, rec):
    r = cli("post", rec.url + "/a", "x:=[1.5, 0.1, 1e2, 1e-300, 12345678901234567890123]")
    assert r.code == 0, r.stderr
    body = rec.requests[0].partition(b"\r\n\r\n")[2]
    assert json.loads(body) == {"x": [1.5, 0.1, 100.0, 1e-300, 12345678901234567890123]}


def _strict(text: bytes):
    def refuse(name):
        raise AssertionError(f"{name} in output")

    return json.loads(text, parse_constant=refuse)


def test_out_of_range_number_in_a_body_prints_as_json(cli, pages):
    url, table = pages
    table["/n"] = (b'{"n": -1e400, "m": [1e400, 2.5]}', None)
    for args in (("-f", "n"), ("-f", "m"), ("--json",)):
        r = cli("get", url + "/n", *args)
        assert r.code == 0, r.stderr
        _strict(r.stdout)
    r = cli("get", url + "/n", "-f", "m[0]")
    assert _strict(r.stdout) == 1.7976931348623157e308


def test_next_link_after_a_quoted_parameter_with_a_comma_is_followed(cli, pages):
    url, table = pages
    table["/a"] = (b'{"p": 1}', '<https://elsewhere.example/prev>; rel="prev"; title="a, b", '
                                '</b>; title="x; y, z"; rel="next"')
    table["/b"] = (b'{"p": 2}', None)
    r = cli("get", url + "/a", "--paginate")
    assert r.code == 0, r.stderr
    assert [json.loads(line)["p"] for line in r.stdout.splitlines()] == [1, 2]


def test_next_links_differing_only_in_the_fragment_are_one_page(cli, pages):
    url, table = pages
    table["/a"] = (b'{"p": 1}', '</b#first>; rel="next"')
    table["/b"] = (b'{"p": 2}', '</b#second>; rel="next"')
    r = cli("get", url + "/a", "--paginate")
    # The fragment is never sent: /b#second is /b again, a loop, and /b is printed once.
    assert r.code == 1
    assert "loop" in r.stderr
    assert [json.loads(line)["p"] for line in r.stdout.splitlines()] == [1, 2]
