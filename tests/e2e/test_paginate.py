"""--paginate against the gateway's paged lists: Link headers, body tokens, loops, other
origins, limits, auth per page, and memory bounded by one page."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from urllib.parse import urlencode

import pytest

from tests.e2e.test_iam_gateway import KEY, SECRET, TOKEN


def test_link_pages_one_after_another(cli, profiles, gateway):
    gateway.clear()
    r = cli("get", "keyed", "/pages", "--paginate")
    assert r.code == 0, r.stderr
    pages = [json.loads(line) for line in r.out.splitlines()]
    assert [p["page"] for p in pages] == [1, 2, 3]
    # The relative link was resolved against the page's URL; every page carried the key.
    assert [rec.path for rec in gateway.received] == ["/key/pages"] * 3
    assert [dict(rec.query).get("page") for rec in gateway.received] == [None, "2", "3"]


def test_filter_results_merged_into_one_array(cli, profiles):
    r = cli("get", "keyed", "/pages", "of==4", "--paginate", "-f", "items[].id")
    assert r.code == 0, r.stderr
    assert r.stdout == b'["item-1","item-2","item-3","item-4","item-5","item-6","item-7",' \
        b'"item-8"]\n'
    r = cli("get", "keyed", "/pages", "--paginate", "-f", "items[].id", "-r")
    assert r.stdout == b"item-1\nitem-2\nitem-3\nitem-4\nitem-5\nitem-6\n"
    r = cli("get", "keyed", "/pages", "--paginate", "-f", "items[].id", "--json")
    assert json.loads(r.stdout) == [f"item-{i}" for i in range(1, 7)]


def test_slurp_gives_one_array_of_pages(cli, profiles):
    r = cli("get", "keyed", "/pages", "--paginate", "--slurp")
    assert r.code == 0, r.stderr
    assert [p["page"] for p in r.json()] == [1, 2, 3]
    r = cli("get", "keyed", "/pages", "--paginate", "--slurp", "-f", "items[].id")
    assert r.json() == [["item-1", "item-2"], ["item-3", "item-4"], ["item-5", "item-6"]]


def test_token_pagination_from_the_profile(cli, write_config, gateway, monkeypatch):
    cfg = write_config(f"""
        [profiles.paged]
        endpoint = "{gateway.url}/open"
        auth = "none"
        paginate = {{ next = "nextToken", param = "nextToken" }}
        """)
    gateway.clear()
    r = cli("--config", cfg, "get", "paged", "/pages", "style==token", "of==3", "--paginate",
            "-f", "items[].id", "-r")
    assert r.code == 0, r.stderr
    assert r.out.split() == [f"item-{i}" for i in range(1, 7)]
    assert [dict(rec.query).get("nextToken") for rec in gateway.received] == [
        None, "tok-2", "tok-3"]
    # Without --paginate only the first page.
    r = cli("--config", cfg, "get", "paged", "/pages", "style==token", "-f", "page")
    assert r.out == "1\n"


def test_token_pagination_per_call(cli, profiles, gateway):
    r = cli("get", "keyed", "/pages", "style==token", "--paginate", "--paginate-next",
            "nextToken", "-f", "page")
    assert (r.code, r.stdout) == (0, b"[1,2,3]\n")
    r = cli("get", "keyed", "/pages", "style==token", "--paginate", "--paginate-next",
            "nextToken", "--paginate-param", "nextToken", "-f", "page")
    assert (r.code, r.stdout) == (0, b"[1,2,3]\n")


def test_token_expression_needs_a_parameter(cli, profiles, gateway):
    gateway.clear()
    r = cli("get", "keyed", "/pages", "--paginate", "--paginate-next", "meta.next")
    assert r.code == 2 and "--paginate-param" in r.stderr
    r = cli("get", "keyed", "/pages", "--paginate", "--paginate-next", "a[")
    assert r.code == 2 and "--paginate-next 'a['" in r.stderr
    assert not gateway.received


@pytest.mark.parametrize("value, problem", [
    ('{ param = "t" }', "needs next"),
    ('{ next = "meta.next" }', "needs param"),
    ('{ next = "t", param = "a&b" }', "param must be"),
    ('{ next = "t", page = 1 }', "unknown key 'page'"),
    ('"nextToken"', "must be a table"),
])
def test_profile_paginate_shape_is_validated(cli, write_config, gateway, value, problem):
    cfg = write_config(f"""
        [profiles.paged]
        endpoint = "{gateway.url}/open"
        paginate = {value}
        """)
    r = cli("--config", cfg, "config", "check")
    assert r.code == 8
    assert problem in r.stderr + r.out


def test_a_loop_stops_with_an_error(cli, profiles, gateway):
    gateway.clear()
    r = cli("get", "keyed", "/pages", "loop==1", "of==9", "--paginate", "-f", "page")
    assert r.code == 1
    assert "pagination loop" in r.stderr
    assert len(gateway.received) == 2
    # What was read is still valid JSON.
    assert r.json() == [1, 2]


def test_a_next_page_on_another_origin_is_not_followed(cli, profiles, gateway, other_gateway):
    other_gateway.clear()
    r = cli("get", "keyed", "/pages", f"next_origin=={other_gateway.url}", "--paginate")
    assert r.code == 1
    assert "another origin" in r.stderr
    assert not other_gateway.received


@pytest.mark.parametrize("link", ["http://[::1/x", "http://127.0.0.1:99999/x", "http://h:abc/x"])
def test_a_next_link_that_is_no_url_stops_with_one_line(cli, profiles, link):
    r = cli("get", "open", "/body", 'text=={"a": 1}', f"next=={link}", "--paginate")
    assert r.code == 1, r.stderr
    assert r.stderr.startswith("restcli: error: the API's next link is not a valid URL")
    assert "unexpected" not in r.stderr
    assert r.out == '{"a": 1}\n'


def test_max_pages_bounds_the_walk(cli, profiles, gateway):
    gateway.clear()
    r = cli("get", "keyed", "/pages", "of==50", "--paginate", "--max-pages", "3", "-f", "page")
    assert r.code == 0
    assert r.json() == [1, 2, 3]
    assert r.stderr == "restcli: stopped after 3 pages as --max-pages asked; more remain\n"
    assert len(gateway.received) == 3
    # What was asked for, so -s silences the note.
    r = cli("get", "keyed", "/pages", "of==50", "--paginate", "--max-pages", "3", "-f", "page",
            "-s")
    assert (r.code, r.stderr) == (0, "")
    assert cli("get", "keyed", "/pages", "--paginate", "--max-pages", "0").code == 2


def test_the_default_page_bound_cutting_a_list_short_is_an_error(cli, profiles, gateway,
                                                                   monkeypatch):
    monkeypatch.setattr("restcli.paginate.DEFAULT_MAX_PAGES", 3)
    gateway.clear()
    # The README's CI export runs with -s: the error still prints, and the exit says it.
    r = cli("get", "keyed", "/pages", "of==5", "--paginate", "-f", "page", "-s")
    assert r.code == 1
    assert r.stderr.startswith(
        "restcli: error: stopped after 3 pages (the default --max-pages); more remain\n")
    assert r.json() == [1, 2, 3]  # what was read is still one valid array
    assert len(gateway.received) == 3
    # A list that ends within the bound is no error.
    r = cli("get", "keyed", "/pages", "of==3", "--paginate", "-f", "page", "-s")
    assert (r.code, r.stderr) == (0, "")


def test_an_error_page_stops_with_its_status_and_never_joins_stdout(cli, profiles):
    # Page 4 of 3 is a 404: ask for it by linking past the end.
    r = cli("get", "keyed", "/pages", "page==3", "of==2", "--paginate", "-f", "page")
    assert r.code == 4
    assert r.stdout == b"[]\n"
    assert "No such page" in r.stderr


@pytest.mark.parametrize("args, says", [
    (["post", "keyed", "/pages", "--paginate"], "--paginate follows GET requests only"),
    (["head", "keyed", "/pages", "--paginate"], "--paginate follows GET requests only"),
    (["get", "keyed", "/pages", "--paginate", "-o", "x"], "--paginate does not take -o"),
    (["get", "keyed", "/pages", "--paginate", "-w", "%{http_code}"], "--paginate does not take -w"),
    (["get", "keyed", "/pages", "--paginate", "--headers"], "--paginate does not take --headers"),
    (["get", "keyed", "/pages", "--paginate", "-i", "-f", "page"], "drop -i or -f"),
    (["get", "keyed", "/pages", "--paginate", "-i", "--slurp"], "drop -i or --slurp"),
    (["get", "keyed", "/pages", "--slurp"], "--slurp needs --paginate"),
    (["get", "keyed", "/pages", "--paginate-next", "nextToken"], "--paginate-next needs --paginate"),
    (["get", "keyed", "/pages", "--paginate-param", "t"], "--paginate-param needs --paginate"),
    (["get", "keyed", "/pages", "--max-pages", "3"], "--max-pages needs --paginate"),
])
def test_paginate_refuses_what_it_cannot_honour(cli, profiles, gateway, tmp_path, monkeypatch,
                                                args, says):
    monkeypatch.chdir(tmp_path)
    gateway.clear()
    r = cli(*args)
    assert r.code == 2
    assert r.stderr.startswith("restcli: error: ") and says in r.stderr
    assert r.stderr.count("\n") == 1  # one line
    assert gateway.received == [] and r.stdout == b""


def test_include_without_a_filter_puts_each_head_before_its_page(cli, profiles):
    r = cli("get", "keyed", "/pages", "of==2", "--paginate", "-i")
    assert r.code == 0, r.stderr
    assert r.out.count("HTTP/1.1 200 OK\n") == 2


def test_exit_status_with_pages(cli, profiles):
    r = cli("get", "keyed", "/pages", "per==0", "--paginate", "-f", "items[]", "-e")
    assert (r.code, r.stdout) == (10, b"[]\n")
    r = cli("get", "keyed", "/pages", "--paginate", "-f", "items[]", "-e")
    assert r.code == 0


@pytest.mark.parametrize("second, code", [("[]", 10), ("{}", 10), ("null", 10), ("[1]", 0)])
def test_exit_status_with_pages_and_no_filter(cli, terminal, profiles, second, code):
    """Nothing is selected when no page's body selects anything, in a pipe as on a terminal."""
    link = "body?" + urlencode({"text": second})
    args = ("get", "keyed", "/body", "text==[]", f"next=={link}", "--paginate", "-e")
    r = cli(*args)
    assert r.code == code, r.stderr
    assert r.stdout == f"[]\n{second}\n".encode()
    assert terminal(*args).code == code
    assert cli(*args, "--slurp").code == code


# -- pages behind a redirect ------------------------------------------------------------------

def test_a_relative_link_resolves_against_the_page_after_a_redirect(cli, profiles, gateway):
    gateway.clear()
    r = cli("get", "keyed", "/redirect", "to==/open/pages?per=1", "--paginate", "-f", "items[].id")
    assert r.code == 0, r.stderr
    assert r.json() == ["item-1", "item-2", "item-3"]
    assert [rec.path for rec in gateway.received] == ["/key/redirect"] + ["/open/pages"] * 3


def test_a_token_goes_with_the_page_after_a_redirect(cli, profiles, gateway):
    gateway.clear()
    r = cli("get", "keyed", "/redirect", "to==/open/pages?style=token", "--paginate",
            "--paginate-next", "nextToken", "-f", "page")
    assert (r.code, r.stdout) == (0, b"[1,2,3]\n"), r.stderr
    assert [dict(rec.query).get("nextToken") for rec in gateway.received[1:]] == [
        None, "tok-2", "tok-3"]


def test_a_page_redirected_to_another_origin_does_not_lead_the_walk(cli, profiles, gateway,
                                                                      other_gateway):
    other_gateway.clear()
    r = cli("get", "keyed", "/redirect", f"to=={other_gateway.url}/open/pages?style=token",
            "--paginate", "--paginate-next", "nextToken", "-f", "page")
    assert r.code == 1
    assert "another origin" in r.stderr
    assert len(other_gateway.received) == 1  # the redirect itself; no page asked for there


def test_every_page_is_signed_afresh(cli, write_config, gateway, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    gateway.credentials = {KEY: (SECRET, TOKEN)}
    cfg = write_config(f"""
        [profiles.api]
        endpoint = "{gateway.url}/iam"
        region = "us-east-1"
        """)
    gateway.clear()
    r = cli("--config", cfg, "get", "api", "/pages", "of==3", "--paginate", "-f", "page")
    assert r.code == 0, r.stderr
    assert r.json() == [1, 2, 3]
    signatures = {rec_header(rec, "authorization") for rec in gateway.received}
    # The gateway verified each; each covers its own query, so all differ.
    assert len(gateway.received) == 3 and len(signatures) == 3


def rec_header(rec, name):
    return next(v for k, v in rec.headers if k.lower() == name)


# The child reports its own high-water mark (VmHWM): ru_maxrss would also count the
# test process's memory at the fork.
_MEASURED = (
    "import atexit, sys\n"
    "report = sys.argv.pop(1)\n"
    "atexit.register(lambda: open(report, 'w').write(open('/proc/self/status').read()))\n"
    "from restcli.__main__ import main\n"
    "main()\n"
)


def test_memory_stays_bounded_by_one_page_over_1000_pages(profiles, gateway, tmp_path):
    """1000 pages of 64 KiB (64 MiB in all; restcli alone is about 30 MiB): the peak stays
    far below what holding them would take."""
    out, report = tmp_path / "ids", tmp_path / "status"
    with open(out, "wb") as sink:
        proc = subprocess.run(
            [sys.executable, "-c", _MEASURED, str(report), "get", "keyed", "/pages", "of==1000",
             "per==1", "pad==65536", "--paginate", "-f", "items[].id", "-r"],
            stdout=sink, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=120,
            check=False,
        )
    assert proc.returncode == 0, proc.stderr
    ids = out.read_text().split()
    assert ids == [f"item-{i}" for i in range(1, 1001)]
    peak_kib = int(re.search(r"VmHWM:\s+(\d+) kB", report.read_text()).group(1))
    assert peak_kib / 1024 < 70, peak_kib / 1024
