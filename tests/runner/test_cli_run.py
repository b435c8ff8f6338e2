"""`restcli run` end to end: Hurl files through the CLI, auth from the profile a URL is under."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.conftest import API_KEY
from tests.support.profiles import profile_file

SMOKE = """\
# Create, read, check, delete: the shape of an Amplify smoke test.
POST {{endpoint}}/things
{"name": "widget", "count": 3}
HTTP 200
[Captures]
method: jsonpath "$.method"
sent: jsonpath "$.body"

GET {{endpoint}}/things/1?seen={{method}}
HTTP 200
[Asserts]
jsonpath "$.method" == "GET"
jsonpath "$.query[0][1]" == "POST"
jsonpath "$.principal" exists
"""


@pytest.fixture
def hurl(tmp_path):
    def write(text: str, name: str = "smoke.hurl"):
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


def test_api_key_profile_authenticates_every_entry(cli, profiles, gateway, hurl):
    r = cli("run", "--test", hurl(SMOKE), "--profile", "keyed")
    assert r.code == 0, r.stderr
    assert [rec.header("x-api-key") for rec in gateway.received] == [API_KEY, API_KEY]
    assert "Success" in r.stderr or "passed" in r.stderr.lower()


def test_profile_name_variable_and_last_body_printed_scrubbed(cli, profiles, gateway, hurl):
    r = cli("run", hurl("GET {{keyed}}/echo\nHTTP 200\n"), "--profile", "open", "--profile", "keyed")
    assert r.code == 0, r.stderr
    assert gateway.last.header("x-api-key") == API_KEY
    # The echo quotes the key back: restcli never prints a secret it resolved.
    assert b'"method": "GET"' in r.stdout or b'"method":"GET"' in r.stdout
    assert API_KEY.encode() not in r.stdout


def test_url_outside_every_profile_gets_no_credentials(cli, profiles, gateway, other_gateway, hurl):
    r = cli("run", hurl(f"GET {other_gateway.url}/open/x\nHTTP 200\n"), "--profile", "keyed")
    assert r.code == 0, r.stderr
    assert other_gateway.last.header("x-api-key") is None


def test_auth_override_for_the_whole_run(cli, profiles, gateway, hurl):
    r = cli("run", "--test", hurl("GET {{endpoint}}/x\nHTTP 403\n"), "--profile", "keyed",
            "--auth", "none")
    assert r.code == 0, r.stderr
    assert gateway.last.header("x-api-key") is None


def test_iam_profile_signs_every_entry_verified_by_the_gateway(cli, tmp_path, gateway, hurl,
                                                               monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDRUNNER")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "runner-secret-key-0123456789")
    gateway.credentials = {"AKIDRUNNER": ("runner-secret-key-0123456789", None)}
    cfg = profile_file(tmp_path, api={"endpoint": f"{gateway.url}/iam", "region": "us-east-1"})
    text = "GET {{endpoint}}/a?x=1\nHTTP 200\n\nPOST {{endpoint}}/b\n{\"n\": 1}\nHTTP 200\n" * 2
    r = cli("--config", cfg, "run", "--test", hurl(text), "--profile", "api")
    assert r.code == 0, r.stderr
    assert len(gateway.received) == 4
    # HTTP 200 asserted in the file: the gateway verified each signature (403 otherwise).
    assert all(rec.header("authorization").startswith("AWS4-HMAC-SHA256") for rec in gateway.received)


def test_failed_assert_exit_code_and_junit_report_without_secrets(cli, profiles, gateway, hurl,
                                                                  tmp_path):
    report = tmp_path / "junit.xml"
    body = "GET {{endpoint}}/echo\nHTTP 200\n[Asserts]\njsonpath \"$.headers['x-api-key']\" == \"nope\"\n"
    r = cli("run", "--test", hurl(body), "--profile", "keyed", "--report-junit", report)
    assert r.code == 12, r.stderr
    assert API_KEY not in r.stderr
    text = report.read_text()
    assert API_KEY not in text
    suite = ET.fromstring(text)
    assert len(suite.findall(".//testcase")) == 1
    assert suite.findall(".//failure")


def test_secret_option_is_redacted(cli, profiles, gateway, hurl):
    r = cli("run", hurl('GET {{endpoint}}/echo\nX-Thing: {{pw}}\nHTTP 200\n'), "--profile", "open",
            "--secret", "pw=hunter2-long-secret")
    assert r.code == 0, r.stderr
    assert gateway.last.header("x-thing") == "hunter2-long-secret"
    assert b"hunter2-long-secret" not in r.stdout


def test_variables_from_environment_file_and_option(cli, profiles, gateway, hurl, tmp_path,
                                                    monkeypatch):
    monkeypatch.setenv("RESTCLI_VARIABLE_a", "from-env")
    (tmp_path / "vars.env").write_text("# comment\nb=from-file\n")
    r = cli("run", hurl("GET {{endpoint}}/x?a={{a}}&b={{b}}&c={{c}}\nHTTP 200\n"), "--profile",
            "open", "--variables-file", tmp_path / "vars.env", "--variable", "c=3")
    assert r.code == 0, r.stderr
    assert gateway.last.query == [("a", "from-env"), ("b", "from-file"), ("c", "3")]


def test_bad_variable_and_unsupported_feature(cli, profiles, hurl):
    assert cli("run", hurl("GET http://127.0.0.1:1/\n"), "--variable", "no-equals").code == 2
    r = cli("run", hurl("GET http://127.0.0.1:1/\nHTTP 200\n[Asserts]\nxpath \"//a\" exists\n"))
    assert r.code == 2
    assert "not supported by restcli" in r.stderr
    assert ":4:" in r.stderr


def test_aws_sigv4_option_signs_with_restclis_credential_chain(cli, tmp_path, gateway, hurl,
                                                              monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDOPTION")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "option-secret-key-0123456789")
    gateway.credentials = {"AKIDOPTION": ("option-secret-key-0123456789", None)}
    cfg = profile_file(tmp_path, other={"endpoint": "https://h.example/x", "auth": "none"})
    text = (f"GET {gateway.url}/iam/signed\n[Options]\naws-sigv4: aws:amz:us-east-1:execute-api\n"
            "HTTP 200\n")
    r = cli("--config", cfg, "run", "--test", hurl(text))
    assert r.code == 0, r.stderr
    assert "option-secret-key-0123456789" not in r.stderr


def test_jobs_run_files_in_parallel_with_one_auth_per_profile(cli, profiles, gateway, hurl):
    files = [hurl(f"GET {{{{endpoint}}}}/job/{i}\nHTTP 200\n", name=f"f{i}.hurl") for i in range(6)]
    r = cli("run", "--test", "--jobs", "3", *files, "--profile", "keyed")
    assert r.code == 0, r.stderr
    assert sorted(rec.path for rec in gateway.received) == [f"/key/job/{i}" for i in range(6)]
    assert {rec.header("x-api-key") for rec in gateway.received} == {API_KEY}


@pytest.mark.parametrize("argv", [
    ["--retry", "-1"], ["--retry", "100000"], ["--max-redirs", "-5"], ["--jobs", "0"],
    ["--retry-interval", "-1"], ["--max-time", "0"], ["--from-entry", "0"],
])
def test_command_line_values_out_of_bounds_are_usage_errors(cli, profiles, gateway, hurl, argv):
    r = cli("run", hurl("GET {{endpoint}}/x\nHTTP 200\n"), "--profile", "open", *argv)
    assert r.code == 2, r.stderr
    assert "unexpected" not in r.stderr
    assert gateway.received == []


def test_unknown_auth_mode_is_a_config_error_before_anything_runs(cli, profiles, gateway, hurl):
    r = cli("run", hurl("GET {{endpoint}}/x\nHTTP 200\n"), "--profile", "open", "--auth", "kerberos")
    assert r.code == 8
    assert "unknown auth mode 'kerberos'" in r.stderr
    assert gateway.received == []


def test_profile_proxy_and_max_time_apply_to_run(cli, write_config, gateway, hurl):
    cfg = write_config(f'[defaults]\nproxy = "http://127.0.0.1:1"\n'
                       f'[profiles.api]\nendpoint = "{gateway.url}/open"\nauth = "none"\n')
    r = cli("--config", cfg, "run", "--test", hurl("GET {{endpoint}}/x\nHTTP 200\n"),
            "--profile", "api")
    assert r.code == 11, r.stderr  # the dead proxy was used, so the entry failed
    assert gateway.received == []


def test_a_dripping_server_cannot_hold_a_run(cli, write_config, hurl):
    """The head must come within the profile's timeout in total, not per read."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def drip():
        conn, _ = server.accept()
        conn.recv(65536)
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
            if stop.wait(0.2):
                break
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                break
        conn.close()

    threading.Thread(target=drip, daemon=True).start()
    port = server.getsockname()[1]
    cfg = write_config(f'[profiles.slow]\nendpoint = "http://127.0.0.1:{port}/x"\nauth = "none"\n'
                       "timeout = 1\n")
    try:
        r = cli("--config", cfg, "run", "--test", hurl("GET {{endpoint}}/y\nHTTP 200\n"),
                "--profile", "slow")
    finally:
        stop.set()
        server.close()
    assert r.code == 11, r.stderr
    assert "no response within 1 s" in r.stderr


def test_backslash_location_is_another_origin_for_run_too(cli, profiles, gateway, other_gateway,
                                                         hurl):
    other_port = other_gateway.url.rsplit(":", 1)[1]
    to = f"http://localhost:{other_port}%5C@{gateway.url[len('http://'):]}/key/landed"
    text = f"GET {{{{endpoint}}}}/redirect?to={to}\n[Options]\nlocation: true\nHTTP *\n"
    r = cli("run", hurl(text), "--profile", "keyed")
    assert gateway.received[0].header("x-api-key") == API_KEY
    landed = other_gateway.last
    assert landed is not None, (r.code, r.stderr)
    assert landed.header("x-api-key") is None


def test_a_malformed_location_is_a_runtime_error_not_a_crash(cli, profiles, gateway, hurl):
    text = ("GET {{endpoint}}/redirect?to=http://127.0.0.1:99999/x\n[Options]\nlocation: true\n"
            "HTTP *\n")
    r = cli("run", hurl(text), "--profile", "open")
    assert r.code == 11, r.stderr
    assert "unexpected" not in r.stderr and "redirect to an invalid URL" in r.stderr


def test_deeply_nested_json_is_an_error_not_a_crash(cli, profiles, gateway, hurl):
    deep = "[" * 5000 + "]" * 5000
    r = cli("run", hurl(f"POST {{{{endpoint}}}}/x\n{deep}\nHTTP 200\n"), "--profile", "open")
    assert r.code == 2 and "nested too deeply" in r.stderr and "unexpected" not in r.stderr
    r = cli("run", hurl("GET {{endpoint}}/nested?depth=100000\nHTTP *\n[Asserts]\n"
                        'jsonpath "$..*" exists\n'), "--profile", "open")
    assert r.code in (11, 12), r.stderr
    assert "unexpected" not in r.stderr


def test_output_option_to_a_directory_or_a_lonely_fifo_is_a_runtime_error(
        cli, profiles, gateway, hurl, tmp_path, monkeypatch):
    import os

    import restcli.output.download

    monkeypatch.setattr(restcli.output.download, "READER_WAIT", 0.2)
    (tmp_path / "adir").mkdir()
    os.mkfifo(tmp_path / "pipe")
    for target in ("adir", "pipe", "missing/x.json"):
        r = cli("run", hurl(f"GET {{{{endpoint}}}}/x\n[Options]\noutput: {target}\nHTTP 200\n"),
                "--profile", "open")
        assert r.code == 11, (target, r.stderr)
        assert "unexpected" not in r.stderr


def test_server_text_in_an_assert_failure_is_inert(cli, profiles, gateway, hurl):
    text = ('GET {{endpoint}}/x?v=%1B%5B2Kfake\nHTTP 200\n[Asserts]\n'
            'jsonpath "$.query[0][1]" == "other"\n')
    r = cli("run", hurl(text), "--profile", "open")
    assert r.code == 12
    assert "\x1b" not in r.stderr and "\\x1b[2Kfake" in r.stderr


@pytest.mark.parametrize(("method", "code"), [("PUT", 301), ("DELETE", 302), ("PATCH", 303)])
def test_301_to_303_become_a_get_as_in_hurl(cli, profiles, gateway, hurl, method, code):
    text = (f"{method} {{{{endpoint}}}}/redirect?code={code}&to=/open/landed\n"
            '[Options]\nlocation: true\n{"a": 1}\nHTTP 200\n')
    r = cli("run", hurl(text), "--profile", "open")
    assert r.code == 0, r.stderr
    landed = gateway.received[-1]
    assert (landed.method, landed.path, landed.body) == ("GET", "/open/landed", b"")
