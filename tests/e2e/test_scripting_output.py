"""Output a shell script can use: compact JSON in a pipe, -r, --exit-status, -w, -i,
-o -, --silent, --config anywhere, help and version."""

from __future__ import annotations

import json
import os

import pytest

from restcli import errors
from tests.conftest import API_KEY

# -- filters --------------------------------------------------------------------------------

def test_filter_into_a_pipe_is_one_compact_line(cli, profiles):
    r = cli("get", "keyed", "/catalog", "-f", "items[].id")
    assert r.code == 0, r.stderr
    assert r.stdout == b'["item-1","item-2","item-3"]\n'


def test_json_forces_pretty_into_a_pipe(cli, profiles):
    r = cli("get", "keyed", "/catalog", "-f", "items[].id", "--json")
    assert r.stdout == b'[\n  "item-1",\n  "item-2",\n  "item-3"\n]\n'


def test_filter_on_a_terminal_is_pretty(profiles, terminal):
    r = terminal("get", "keyed", "/catalog", "-f", "items[].n", stdin_tty=False)
    code, out, _ = r.code, r.out, r.stderr
    assert code == 0
    assert out == "[\n  1,\n  2,\n  3\n]\n"


def test_raw_prints_strings_bare_one_per_line(cli, profiles):
    r = cli("get", "keyed", "/catalog", "-f", "items[].id", "-r")
    assert r.stdout == b"item-1\nitem-2\nitem-3\n"
    r = cli("get", "keyed", "/catalog", "-f", "items[0].id", "--raw")
    assert r.stdout == b"item-1\n"
    r = cli("get", "keyed", "/catalog", "-f", "items[0]", "-r")
    assert r.stdout == b'{"id":"item-1","n":1}\n'
    r = cli("get", "keyed", "/catalog", "-f", "missing", "-r")
    assert (r.code, r.stdout) == (0, b"")


def test_raw_array_of_mixed_values_is_bare_or_compact_per_line(cli, profiles):
    r = cli("get", "keyed", "/catalog", "n==2", "-f", "[items[0].id, items[0].n, items[0]]", "-r")
    assert r.stdout == b'item-1\n1\n{"id":"item-1","n":1}\n'


def test_headline_example_feeds_xargs(run, profiles):
    import subprocess
    import sys

    script = f"{sys.executable} -m restcli get keyed /catalog -f 'items[].id' -r | xargs -n1 echo"
    proc = subprocess.run(["bash", "-c", "set -o pipefail; " + script], capture_output=True, check=False,
                          timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"item-1\nitem-2\nitem-3\n"


def test_exit_status_when_the_filter_selects_nothing(cli, profiles):
    for expr in ("missing", "items[?n > `5`]", "items[0].nothing"):
        r = cli("get", "keyed", "/catalog", "-f", expr, "-e")
        assert r.code == errors.NOTHING_SELECTED == 10, (expr, r.stderr)
    r = cli("get", "keyed", "/catalog", "-f", "items[?n > `5`]", "--exit-status", "-r")
    assert (r.code, r.stdout) == (10, b"")
    r = cli("get", "keyed", "/catalog", "-f", "items[].id", "-e")
    assert r.code == 0
    # Without -e an empty selection is success.
    assert cli("get", "keyed", "/catalog", "-f", "missing").code == 0


def test_exit_status_on_an_http_error_keeps_the_http_code(cli, profiles):
    r = cli("get", "keyed", "/status/404", "-f", "missing", "-e")
    assert r.code == 4


def test_filter_syntax_error_names_expression_and_position(cli, profiles):
    r = cli("get", "keyed", "/catalog", "-f", "items[.id")
    assert r.code == 2
    first = r.stderr.splitlines()[0]
    assert "'items[.id'" in first and "position 6" in first
    assert "items[ >>> .id" in r.stderr
    r = cli("get", "keyed", "/catalog", "-f", "items[].id |")
    assert r.code == 2 and "end of expression" in r.stderr and "position 12" in r.stderr
    r = cli("get", "keyed", "/catalog", "-f", "length(`1`)")
    assert r.code == 2 and "length" in r.stderr and "unexpected" not in r.stderr.lower()


def test_filter_error_is_reported_before_sending(cli, profiles, gateway):
    gateway.clear()
    assert cli("get", "keyed", "/catalog", "-f", "a[").code == 2
    assert not gateway.received


def test_a_multi_line_json_body_into_a_pipe_is_compacted(cli, profiles):
    r = cli("get", "keyed", "/catalog", "-f", "@", "--json")
    assert r.stdout.count(b"\n") > 3
    # A body that really spans several lines: one compact line, ending with a newline.
    r = cli("get", "keyed", "/body", "text=={\n  \"a\": [1, 2],\n  \"b\": \"x y\"\n}\n")
    assert (r.code, r.stdout) == (0, b'{"a":[1,2],"b":"x y"}\n')
    r = cli("get", "keyed", "/catalog", "-r")
    assert r.stdout == b'{"items":[{"id":"item-1","n":1},{"id":"item-2","n":2},' \
        b'{"id":"item-3","n":3}]}\n'


def test_a_one_line_json_body_keeps_its_bytes_and_ends_its_line(cli, profiles):
    r = cli("get", "keyed", "/catalog")
    assert r.stdout == b'{"items": [{"id": "item-1", "n": 1}, {"id": "item-2", "n": 2}, ' \
        b'{"id": "item-3", "n": 3}]}\n'
    for text in ('{"a": 1.50}', '{"a": 1.50}\r\n', "[]", "null", '"s"'):
        r = cli("get", "keyed", "/body", f"text=={text}")
        assert r.stdout == text.rstrip("\r\n").encode() + b"\n", text


@pytest.mark.parametrize("path, expected", [
    ("/body?text=no%20newline&type=text/plain", b"no newline"),  # not JSON: as received
    ("/fake-json", b"not json <html>"),  # says JSON, is not: as received
    ("/text", "hello from the test gateway \u2713\n".encode()),
])
def test_a_body_that_is_not_json_is_written_as_received(cli, profiles, path, expected):
    r = cli("get", "keyed", path)
    assert (r.code, r.stdout) == (0, expected)


def test_dash_o_dash_adds_no_newline(cli, profiles):
    r = cli("get", "keyed", "/body", "text==[1]", "-o", "-")
    assert r.stdout == b"[1]"


def test_a_one_line_body_reaches_wc_and_while_read(profiles):
    import subprocess
    import sys

    restcli = f"{sys.executable} -m restcli get keyed /body text=='{{\"id\": 7}}'"
    script = (f"set -o pipefail; {restcli} | wc -l; "
              f"{restcli} | while read -r line; do echo \"got $line\"; done")
    proc = subprocess.run(["bash", "-c", script], capture_output=True, check=False, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split(b"\n")[0].strip() == b"1"
    assert proc.stdout.endswith(b'got {"id": 7}\n')


# -- what -e counts as selecting nothing ------------------------------------------------------

@pytest.mark.parametrize("text", ["[]", "null", "{}", " [ ]\n", "{\n}"])
def test_an_empty_document_selects_nothing_in_a_pipe_as_on_a_terminal(cli, terminal, profiles,
                                                                      text):
    for extra in ([], ["-f", "@"], ["--json"], ["-r"]):
        args = ("get", "keyed", "/body", f"text=={text}", "-e", *extra)
        assert cli(*args).code == 10, (text, extra)
        assert terminal(*args).code == 10, (text, extra)
    # The same bytes sent as text, streamed into the pipe, select nothing too.
    assert cli("get", "keyed", "/body", f"text=={text}", "type==text/plain", "-e").code == 10


def test_an_empty_body_selects_nothing(cli, terminal, profiles):
    assert cli("get", "keyed", "/body", "-e").code == 10
    assert terminal("get", "keyed", "/body", "-e").code == 10


@pytest.mark.parametrize("path", [
    "/body?text=%5B0%5D", "/body?text=0", "/body?text=%22%22", "/body?text=nul&type=text/plain",
    "/text", "/binary", "/fake-json",
])
def test_a_body_with_content_selects_something_in_a_pipe_as_on_a_terminal(cli, terminal,
                                                                          profiles, path):
    assert cli("get", "keyed", path, "-e").code == 0
    assert terminal("get", "keyed", path, "-e").code == 0


# -- options -o would ignore ------------------------------------------------------------------

@pytest.mark.parametrize("target", ["-", "saved.json"])
@pytest.mark.parametrize("option", [["-f", "items"], ["-r"], ["--json"], ["-e"]])
def test_options_for_printed_output_are_refused_with_dash_o(cli, profiles, gateway, tmp_path,
                                                            monkeypatch, target, option):
    monkeypatch.chdir(tmp_path)
    gateway.clear()
    r = cli("get", "keyed", "/catalog", "-o", target, *option)
    assert r.code == 2
    assert r.stderr == (f"restcli: error: {option[0]} applies to what is printed; -o saves the "
                        "body as received\n")
    assert gateway.received == [] and r.stdout == b""
    assert not (tmp_path / "saved.json").exists()


# -- write-out and include --------------------------------------------------------------------

def test_write_out_variables(cli, profiles, gateway):
    r = cli("get", "keyed", "/catalog", "-o", "-", "-w",
            "\\n%{http_code}|%{method}|%{url_effective}|%{content_type}|%{size_download}"
            "|%{num_redirects}|%{num_retries}|%header{x-amzn-requestid}\\t%%\\n")
    assert r.code == 0, r.stderr
    body, line, end = r.out.rsplit("\n", 2)
    assert json.loads(body)["items"][0]["id"] == "item-1"
    fields = line.split("|")
    assert fields[:5] == ["200", "GET", f"{gateway.url}/key/catalog", "application/json",
                          str(len(body))]
    assert fields[5:7] == ["0", "0"]
    assert fields[7].endswith("\t%") and len(fields[7]) == 36 + 2
    assert end == ""


def test_write_out_json_and_stderr(cli, profiles, gateway, tmp_path):
    target = tmp_path / "err.json"
    r = cli("get", "keyed", "/status/404", "-o", target, "-w", "%{json}%{stderr}%{http_code}")
    assert r.code == 4
    data = json.loads(r.stdout)
    assert data["http_code"] == 404 and data["method"] == "GET"
    assert data["url_effective"] == f"{gateway.url}/key/status/404"
    assert isinstance(data["time_total"], float)
    assert r.stderr.startswith('{"message": "Not Found"}\n')
    assert r.stderr.endswith("404")
    assert not target.exists()


def test_write_out_counts_retries_and_redirects(cli, profiles, gateway):
    r = cli("get", "keyed", "/status/503", "times==1", "then==200", "-o", "-", "-w",
            "\\n%{num_retries}")
    assert r.code == 0, r.stderr
    assert r.out.endswith("\n1")
    r = cli("get", "open", "/redirect", "to==/open/catalog", "-o", "-", "-w",
            "\\n%{num_redirects} %{url_effective}")
    assert r.code == 0, r.stderr
    assert r.out.endswith(f"\n1 {gateway.url}/open/catalog")


def test_write_out_without_a_response_says_000(cli, profiles, write_config, monkeypatch):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = cli("get", f"http://127.0.0.1:{port}/x", "--no-retry", "-w", "%{http_code}")
    assert r.code == 7
    assert r.stdout == b"000"


def test_write_out_never_shows_a_secret(cli, profiles, gateway):
    # The echo body holds the key, but -w only shows what it is asked for, scrubbed.
    r = cli("get", "keyed", f"/catalog?key={API_KEY}", "-o", os.devnull, "-w",
            "%{url_effective} %header{x-amzn-requestid} %{json}")
    assert r.code == 0, r.stderr
    assert API_KEY not in r.out
    assert "key=" in r.out


def test_write_out_unknown_variable_is_a_usage_error(cli, profiles, gateway):
    gateway.clear()
    r = cli("get", "keyed", "/catalog", "-w", "%{nope}")
    assert r.code == 2 and "%{nope}" in r.stderr
    assert not gateway.received


def test_include_prints_head_then_body_on_stdout(cli, profiles):
    r = cli("get", "keyed", "/catalog", "-i")
    assert r.code == 0
    head, body = r.out.split("\n\n", 1)
    assert head.startswith("HTTP/1.1 200 OK\n")
    assert "Content-Type: application/json" in head
    assert json.loads(body)["items"]


# -- small things ---------------------------------------------------------------------------

def test_output_dash_is_stdout(cli, profiles, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("get", "keyed", "/catalog", "-o", "-")
    assert r.code == 0 and json.loads(r.stdout)["items"]
    assert not (tmp_path / "-").exists()


def test_error_body_with_output_goes_to_stderr_truncated(cli, profiles, tmp_path):
    message = "x" * 5000
    r = cli("get", "keyed", "/status/500", f"message=={message}", "-o", tmp_path / "out",
            "--no-retry")
    assert r.code == 5
    assert r.stdout == b""
    assert "truncated to 2048 bytes" in r.stderr
    assert message not in r.stderr and "x" * 1000 in r.stderr


def test_config_before_or_after_the_subcommand(cli, profiles, monkeypatch):
    monkeypatch.delenv("RESTCLI_CONFIG")
    assert cli("get", "keyed", "/catalog", "--config", profiles).code == 0
    assert cli("--config", profiles, "get", "keyed", "/catalog").code == 0
    assert cli("get", "keyed", "/catalog", f"--config={profiles}", "-f", "items[0].n").out == "1\n"
    r = cli("profiles", "list", "--config", profiles)
    assert r.code == 0 and "keyed" in r.out
    # A header whose value is "--config" stays a header.
    r = cli("get", "keyed", "/catalog", "-H", "X-Note: --config", "--config", profiles)
    assert r.code == 0


def test_no_arguments_prints_help_and_exits_0(cli):
    r = cli()
    assert r.code == 0
    assert "Usage:" in r.out and "Exit codes" in r.out


def test_version(cli):
    from restcli import __version__

    r = cli("--version")
    assert (r.code, r.out) == (0, f"restcli {__version__}\n")


def test_silent_suppresses_notes_and_warnings_not_errors(cli, profiles):
    r = cli("get", "keyed", "/status/503", "times==1", "then==200", "--insecure")
    assert "retrying" in r.stderr and "warning" in r.stderr
    r = cli("get", "keyed", "/status/503", "times==1", "then==200", "--insecure", "-s")
    assert r.code == 0 and r.stderr == ""
    r = cli("get", "keyed", "/status/404", "--silent")
    assert r.code == 4 and "error" in r.stderr


def test_dash_o_dash_is_stdout_and_an_error_page_goes_to_stderr(cli, profiles, gateway):
    ok = cli("get", "open", "/x", "-o", "-")
    assert ok.code == 0 and b'"method"' in ok.stdout
    failed = cli("get", "open", "/status/404", "-o", "-")
    assert failed.code == 4
    assert failed.stdout == b""
    assert "404" in failed.stderr


@pytest.mark.parametrize("extra", [
    ["--paginate", "--offline", "-X"],
    ["--paginate", "-o", "f.json", "--curl"],
    ["--paginate", "--max-pages", "0", "--offline"],
    ["-w", "%{nope}", "--offline"],
    ["-f", "items[", "--curl"],
])
def test_output_options_are_checked_even_when_nothing_is_sent(cli, profiles, gateway, extra):
    if extra[-1] == "-X":  # a POST cannot be paginated
        r = cli("post", "open", "/x", *extra[:-1])
    else:
        r = cli("get", "open", "/x", *extra)
    assert r.code == 2, r.stderr
    assert gateway.received == []
