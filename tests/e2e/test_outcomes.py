"""Exit codes, output modes, redaction, redirects, retries and downloads, one by one."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import API_KEY, TOKEN


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --- exit codes ----------------------------------------------------------------------


def test_exit_0_success_and_raw_body_into_pipe(cli, profiles, gateway):
    r = cli("get", "open", "/text")
    assert r.code == 0
    assert r.stdout == "hello from the test gateway \u2713\n".encode()
    assert r.stderr == ""


def test_exit_1_filter_on_non_json(cli, profiles, gateway):
    r = cli("get", "open", "/fake-json", "-f", "a")
    assert r.code == 1
    assert r.stderr.startswith("restcli: error: --filter needs a JSON body")
    assert "Traceback" not in r.stderr


def test_exit_2_usage(cli, profiles):
    assert cli("get").code == 2
    assert cli("get", "open", "/x", "--timeout", "abc").code == 2
    r = cli("get", "open", "/x", "not-an-item")
    assert r.code == 2
    assert "cannot read request item" in r.stderr
    r = cli("get", "open", "/x", "Bad Header:x")
    assert r.code == 2


def test_exit_3_unresolved_redirect_for_post(cli, profiles, gateway, other_gateway):
    r = cli("post", "open", "/redirect", "code==307", f"to=={other_gateway.url}/open/x", "a=1")
    assert r.code == 3
    assert "307" in r.stderr and "another origin" in r.stderr
    assert other_gateway.received == []


def test_exit_3_too_many_redirects(cli):
    import http.server
    import threading

    class Loop(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Loop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        r = cli("get", f"http://127.0.0.1:{server.server_address[1]}/loop")
    finally:
        server.shutdown()
        server.server_close()
    assert r.code == 3
    assert "more than 10 redirects" in r.stderr


def test_exit_4_and_error_body_on_stdout(cli, profiles, gateway):
    r = cli("get", "keyed", "/x", "X-Api-Key:wrong")
    assert r.code == 4
    assert r.json() == {"message": "Forbidden"}
    assert "HTTP 403 Forbidden (ForbiddenException, request id " in r.stderr
    assert "hint: check the API key" in r.stderr


def test_missing_authentication_token_hint(cli, write_config, gateway):
    cfg = write_config(f'[profiles.w]\nendpoint = "{gateway.url}/nostage"\nauth = "none"\n')
    r = cli("--config", cfg, "get", "w", "/x")
    assert r.code == 4
    assert "MissingAuthenticationTokenException" in r.stderr
    assert "wrong path" in r.stderr or "does not exist" in r.stderr


def test_exit_5(cli, profiles, gateway):
    r = cli("get", "open", "/status/500")
    assert r.code == 5
    assert "HTTP 500" in r.stderr


def test_ignore_status(cli, profiles, gateway):
    assert cli("get", "open", "/status/404", "--ignore-status").code == 0


def test_a_timeout_names_where_it_was_set(cli, write_config, gateway):
    cfg = write_config(f'[defaults]\ntimeout = 0.5\n[profiles.s]\nendpoint = "{gateway.url}/open"\n'
                       'auth = "none"\n[profiles.t]\nendpoint = "{gateway.url}/open"\nauth = "none"\n'
                       'timeout = 0.5\n'.replace("{gateway.url}", gateway.url))
    r = cli("--config", cfg, "get", "t", "/hang", "seconds==5", "--no-retry")
    assert r.code == 6 and "within 0.5 s (profile t's timeout)" in r.stderr, r.stderr
    r = cli("--config", cfg, "get", "s", "/slow", "n==4", "delay==1.5")
    assert r.code == 6 and "body within 0.5 s ([defaults] timeout)" in r.stderr, r.stderr
    r = cli("--config", cfg, "get", "s", "/hang", "seconds==5", "--timeout", "0.5", "--no-retry")
    assert r.code == 6 and "(--timeout)" in r.stderr


def test_exit_6_timeout(cli, profiles, gateway):
    start = time.monotonic()
    r = cli("get", "open", "/hang", "seconds==10", "--timeout", "0.5")
    assert r.code == 6
    assert time.monotonic() - start < 5
    assert r.stderr.startswith(
        f"restcli: error: no response from {gateway.url[7:]} within 0.5 s (--timeout)"
    )


def test_exit_7_connection_refused(cli):
    port = _closed_port()
    r = cli("get", f"http://127.0.0.1:{port}/x", "--no-retry")
    assert r.code == 7
    assert f"cannot connect to 127.0.0.1:{port}: connection refused" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_exit_7_tls_failure(cli, gateway):
    r = cli("get", f"https://127.0.0.1:{gateway.port}/open/x", "--no-retry")
    assert r.code == 7
    assert "TLS" in r.stderr


def test_exit_8_unknown_profile_with_suggestion(cli, profiles):
    r = cli("get", "kyed", "/x")
    assert r.code == 8
    assert "unknown profile 'kyed'" in r.stderr
    assert "did you mean 'keyed'?" in r.stderr
    assert "open" in r.stderr and "custom" in r.stderr


def test_profile_names_in_the_unknown_profile_hint_are_inert(cli, write_config):
    cfg = write_config('[profiles."a\\u001b[2Kb"]\nendpoint = "http://127.0.0.1:9/x"\nauth = "none"\n')
    r = cli("--config", cfg, "get", "nope", "/x")
    assert r.code == 8
    assert "\x1b" not in r.stderr and "a\\x1b[2Kb" in r.stderr


def test_exit_9_missing_env_var(cli, profiles, monkeypatch):
    monkeypatch.delenv("ITEMS_KEY")
    r = cli("get", "keyed", "/x")
    assert r.code == 9
    assert "ITEMS_KEY is not set" in r.stderr and "keyed" in r.stderr


def test_exit_9_failing_command(cli, write_config, gateway, tmp_path):
    helper = tmp_path / "fail.py"
    helper.write_text("import sys\nsys.stderr.write('token service unreachable\\n')\nsys.exit(3)\n")
    cfg = write_config(
        f"""
        [profiles.c]
        endpoint = "{gateway.url}/token"
        auth = "token"
        token = "command:{sys.executable} {helper}"
        """
    )
    r = cli("--config", cfg, "get", "c", "/x")
    assert r.code == 9
    assert "exited with status 3" in r.stderr
    assert "profile 'c', key 'token'" in r.stderr
    assert "token service unreachable" in r.stderr
    assert gateway.received == []


def _default_sigint():
    # A shell's background job ignores SIGINT, and a child inherits that (Python then
    # installs no KeyboardInterrupt handler): give the child Ctrl-C as a terminal would.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_exit_130_on_sigint(profiles, gateway, tmp_path):
    out = tmp_path / "dl.bin"
    proc = subprocess.Popen(
        [sys.executable, "-m", "restcli", "get", "open", "/slow", "n==1000", "delay==0.05",
         "-o", str(out)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not any(gateway.received):
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert not out.exists()
    assert [p for p in os.listdir(tmp_path) if p.startswith(".dl.bin")] == []


# --- redaction -------------------------------------------------------------------------


def test_offline_prints_request_without_sending(cli, profiles, gateway):
    r = cli("post", "keyed", "/items", "a=1", "--offline")
    assert r.code == 0
    assert gateway.received == []
    text = r.out
    assert text.startswith("POST /key/items HTTP/1.1\r\n")
    assert "X-Api-Key: test…" in text
    assert API_KEY not in text
    assert '{"a": "1"}' in text


def test_verbose_redacts_on_stderr(cli, profiles, gateway):
    r = cli("get", "custom", "/text", "-v")
    assert r.code == 0
    assert "Authorization: cust…" in r.stderr
    assert TOKEN not in r.stderr and TOKEN not in r.out
    assert "HTTP/1.1 200" in r.stderr


def test_secret_echoed_in_error_message_is_scrubbed(cli, write_config, gateway, tmp_path, monkeypatch):
    monkeypatch.setenv("K", API_KEY)
    helper = tmp_path / "fail.py"
    helper.write_text(f"import sys\nsys.stderr.write('bad key {API_KEY}\\n')\nsys.exit(1)\n")
    cfg = write_config(
        f"""
        [profiles.c]
        endpoint = "{gateway.url}/key"
        auth = "api_key"
        api_key = "env:K"
        headers_command = "{sys.executable} {helper}"
        """
    )
    r = cli("--config", cfg, "get", "c", "/x")
    assert r.code == 9
    assert API_KEY not in r.stderr


def test_short_secrets_are_masked_entirely(cli, write_config, gateway, monkeypatch):
    monkeypatch.setenv("K", "short1")
    cfg = write_config(f'[profiles.c]\nendpoint = "{gateway.url}/key"\nauth = "api_key"\napi_key = "env:K"\n')
    r = cli("--config", cfg, "get", "c", "/x", "--offline")
    assert "short1" not in r.out and "shor" not in r.out


# --- output ----------------------------------------------------------------------------


def test_headers_only(cli, profiles, gateway):
    r = cli("get", "open", "/x", "--headers")
    assert r.code == 0
    assert r.out.startswith("HTTP/1.1 200 OK\n")
    assert "x-amzn-RequestId:" in r.out
    assert '"method"' not in r.out


def test_json_flag_pretty_prints_into_pipe(cli, profiles, gateway):
    r = cli("get", "open", "/x", "--json")
    assert r.out.startswith('{\n  "method": "GET"')


def test_filter(cli, profiles, gateway):
    r = cli("get", "open", "/x", "k==v", "-f", "query[0]")
    assert r.code == 0
    assert json.loads(r.out) == ["k", "v"]
    r = cli("get", "open", "/x", "-f", "[[[")
    assert r.code == 2


def test_binary_body_into_pipe_is_exact(cli, profiles, gateway):
    r = cli("get", "open", "/binary")
    assert r.stdout == bytes(range(256))


def test_output_file_streamed_and_complete(cli, profiles, gateway, tmp_path):
    out = tmp_path / "big.bin"
    r = cli("get", "open", "/bytes", "n==3000000", "-o", out)
    assert r.code == 0, r.stderr
    assert out.stat().st_size == 3_000_000
    assert out.read_bytes()[:16] == b"0123456789abcdef"
    assert r.stdout == b""


def test_truncated_body_leaves_no_file(cli, profiles, gateway, tmp_path):
    out = tmp_path / "t.bin"
    r = cli("get", "open", "/truncate", "n==100000", "-o", out)
    assert r.code == 7
    assert not out.exists()
    assert os.listdir(tmp_path) == [p for p in os.listdir(tmp_path) if not p.startswith(".t.bin")]
    assert len(r.stderr.strip().splitlines()) == 1


def test_truncated_body_into_pipe_fails(cli, profiles, gateway):
    r = cli("get", "open", "/truncate", "n==100000")
    assert r.code == 7


def test_reset_connection(cli, profiles, gateway):
    r = cli("get", "open", "/reset", "--no-retry")
    assert r.code == 7
    assert "Traceback" not in r.stderr


# --- retries ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [503, 502, 504, 429])
def test_retry_then_success(cli, profiles, gateway, status):
    r = cli("get", "open", f"/status/{status}", "times==2", "then==200")
    assert r.code == 0, r.stderr
    assert len(gateway.received) == 3


def test_retry_after_honoured(cli, profiles, gateway):
    start = time.monotonic()
    r = cli("get", "open", "/status/429", "times==1", "then==200", "retry_after==1")
    assert r.code == 0
    assert time.monotonic() - start >= 0.9


def test_retry_after_too_long_is_not_waited(cli, profiles, gateway):
    start = time.monotonic()
    r = cli("get", "open", "/status/503", "times==1", "then==200", "retry_after==3600")
    assert r.code == 5
    assert time.monotonic() - start < 5
    assert len(gateway.received) == 1


def test_post_not_retried_unless_asked(cli, profiles, gateway):
    assert cli("post", "open", "/status/503", "times==1", "then==200").code == 5
    assert len(gateway.received) == 1
    gateway.clear()
    assert cli("post", "open", "/status/503", "times==1", "then==200", "--retry-unsafe").code == 0


def test_no_retry_and_retries_option(cli, profiles, gateway):
    assert cli("get", "open", "/status/503", "times==1", "then==200", "--no-retry").code == 5
    gateway.clear()
    assert cli("get", "open", "/status/503", "times==3", "then==200", "--retries", "1").code == 5
    assert len(gateway.received) == 2


def test_retry_reapplies_auth(cli, profiles, gateway):
    assert cli("get", "keyed", "/status/503", "times==1", "then==200").code == 0
    assert [r.header("x-api-key") for r in gateway.received] == [API_KEY, API_KEY]


# --- TLS options -----------------------------------------------------------------------


def test_insecure_warns(cli, profiles, gateway):
    r = cli("get", "open", "/x", "--insecure")
    assert r.code == 0
    assert "TLS verification is off" in r.stderr


def test_missing_ca_bundle(cli, profiles, gateway, tmp_path):
    r = cli("get", "open", "/x", "--ca-bundle", tmp_path / "nope.pem")
    assert r.code == 2
    assert "CA bundle not found" in r.stderr


def test_exit_130_on_sigint_while_waiting_for_an_answer(profiles, gateway):
    proc = subprocess.Popen(
        [sys.executable, "-m", "restcli", "get", "open", "/hang", "seconds==20"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not gateway.received:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 130
    assert b"Traceback" not in err
    assert out == b""


def _run_with_ptys(args, env_changes, stdout_tty=True, stderr_tty=False):
    import pty

    env = {**os.environ, "COLUMNS": "120", **env_changes}
    env = {k: v for k, v in env.items() if v is not None}
    masters, kwargs = [], {}
    for name, wanted in (("stdout", stdout_tty), ("stderr", stderr_tty)):
        if wanted:
            master, slave = pty.openpty()
            masters.append((name, master, slave))
            kwargs[name] = slave
        else:
            kwargs[name] = subprocess.PIPE
    proc = subprocess.Popen([sys.executable, "-m", "restcli", *args], stdin=subprocess.DEVNULL,
                            env=env, **kwargs)
    out = {}
    for _, _, slave in masters:
        os.close(slave)
    for name, master, _ in masters:
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        out[name] = b"".join(chunks).decode("utf-8", "replace")
    proc.wait(timeout=30)
    return proc.returncode, out


def test_colour_on_a_terminal_and_no_color_honoured(profiles, gateway):
    # The one end-to-end check on a real pseudo-terminal; the rest of terminal behaviour is
    # tested in process (tests/e2e/test_terminal.py, the `terminal` fixture).
    colour = re.compile(r"\x1b\[[0-9;]*3[0-9][;m]")
    code, out = _run_with_ptys(["get", "open", "/x"], {"NO_COLOR": None, "TERM": "xterm-256color"})
    assert code == 0
    assert colour.search(out["stdout"]), out["stdout"][:300]
    code, out = _run_with_ptys(["get", "open", "/x"], {"NO_COLOR": "1", "TERM": "xterm-256color"})
    assert code == 0
    assert not colour.search(out["stdout"])
    assert '"method": "GET"' in out["stdout"]


def test_a_refusal_of_a_call_without_credentials_says_none_were_sent(cli, profiles, gateway):
    r = cli("get", "keyed", "/items", "--auth", "none")
    assert r.code == 4
    assert "HTTP 403" in r.stderr and "no credentials were sent" in r.stderr
    assert "check the API key" not in r.stderr
    # With the key, the hint is API Gateway's usual one.
    r = cli("get", "keyed", "/status/403")
    assert "no credentials were sent" not in r.stderr


def test_an_error_body_the_filter_cannot_read_keeps_the_status_exit_code(cli, profiles, gateway):
    r = cli("get", "open", "/body", "text==<html>bad gateway</html>", "status==502",
            "type==text/html", "-f", "message")
    assert r.code == 5, r.stderr
    assert "<html>bad gateway</html>" in r.stderr and r.out == ""
    assert "HTTP 502" in r.stderr
