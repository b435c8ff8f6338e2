"""Time and memory are bounded: a dripping server, a whole-call limit, a decompression bomb.

The servers here are tiny sockets on 127.0.0.1 that misbehave on purpose. A server
that drips stops after DRIP_FOR seconds, so a broken restcli fails the test rather than
hanging it.
"""

from __future__ import annotations

import gzip
import io
import socket
import threading
import time
import zlib

import pytest
import requests

from restcli.cognito import awsjson
from restcli.deadline import ERROR_BODY_LIMIT
from restcli.output import BUFFER_LIMIT

DRIP_FOR = 20.0


class Server:
    """Accepts connections on loopback and runs `serve(conn)` for each, in a thread."""

    def __init__(self, serve):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.serve = serve
        self.stop = threading.Event()
        self.requests = 0
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.requests += 1
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        try:
            _read_head(conn)
            self.serve(conn, self.stop)
        except OSError:
            pass
        finally:
            _close(conn)

    def close(self):
        self.stop.set()
        self.sock.close()


def _close(conn) -> None:
    """Close after the client has read what was sent: closing a socket with unread request
    bytes (a body after the head) resets the connection, and a reset can discard the
    response still in flight to the client."""
    try:
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(1.0)
        while conn.recv(65536):
            pass
    except OSError:
        pass
    conn.close()


def _read_head(conn) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            break
        data += piece
    return data


def _drip(conn, stop, data: bytes):
    for i in range(len(data)):
        conn.sendall(data[i:i + 1])
        if stop.wait(0.2):
            return


def drip_head(conn, stop):
    _drip(conn, stop, b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * int(DRIP_FOR / 0.2))


def drip_body(conn, stop):
    n = int(DRIP_FOR / 0.2)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                 + f"Content-Length: {n}\r\n\r\n".encode())
    _drip(conn, stop, b"x" * n)


def drip_json_body(conn, stop):
    n = int(DRIP_FOR / 0.2)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
                 + f"Content-Length: {n}\r\n\r\n".encode())
    _drip(conn, stop, b" " * n)


@pytest.fixture
def server():
    made = []

    def make(serve):
        s = Server(serve)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def test_head_must_arrive_within_the_timeout_in_total(cli, server):
    s = server(drip_head)
    r = cli("get", f"{s.url}/x", "--timeout", "1", "--no-retry")
    assert r.code == 6, r.stderr
    host = s.url[len("http://"):]
    assert r.stderr.startswith(f"restcli: error: no response from {host} within 1 s (--timeout)")


def test_max_time_bounds_a_dripping_body(cli, server):
    s = server(drip_body)
    r = cli("get", f"{s.url}/x", "--max-time", "1")
    assert r.code == 7, r.stderr
    assert "did not finish within 1 s (--max-time)" in r.stderr


def test_max_time_bounds_a_download_and_leaves_no_file(cli, server, tmp_path):
    s = server(drip_body)
    (tmp_path / "dl").mkdir()
    target = tmp_path / "dl" / "out.bin"
    r = cli("get", f"{s.url}/x", "--max-time", "1", "-o", target)
    assert r.code == 7, r.stderr
    assert "(--max-time)" in r.stderr
    assert list((tmp_path / "dl").iterdir()) == []


def test_max_time_profile_key_and_waiting_for_a_head(cli, write_config, gateway):
    cfg = write_config(f"""
        [profiles.slow]
        endpoint = "{gateway.url}/open"
        auth = "none"
        timeout = 30
        max_time = 1
        """)
    r = cli("--config", cfg, "get", "slow", "/hang", "seconds==20")
    assert r.code == 7, r.stderr
    assert "within 1 s (--max-time)" in r.stderr


def test_max_time_includes_retries(cli, profiles, gateway):
    r = cli("get", "open", "/hang", "seconds==20", "--timeout", "0.5", "--retries", "10",
            "--max-time", "30")
    assert r.code == 6  # a read timeout is not retried: the head limit hit first
    r = cli("get", "open", "/status/503", "times==100", "retry_after==1", "--retries", "10",
            "--max-time", "1.5")
    assert r.code == 5, r.stderr  # no retry that would end past the limit
    assert len(gateway.received) <= 3


def test_max_time_is_checked(cli, profiles):
    r = cli("get", "open", "/x", "--max-time", "0")
    assert r.code == 2
    assert "--max-time must be more than 0" in r.stderr


def test_service_calls_have_a_total_deadline(server):
    s = server(drip_json_body)
    with pytest.raises(requests.exceptions.ReadTimeout) as e:
        awsjson.call(s.url, "AWSCognitoIdentityProviderService.RevokeToken", {}, timeout=(0.5, 0.5))
    assert "no complete answer within 1 s" in str(e.value)
    err = awsjson.unreachable(e.value, "sign out")
    assert err.exit_code == 9


def test_service_answers_are_bounded(server):
    size = 3 * (1 << 20)

    def big(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
                     + f"Content-Length: {size}\r\n\r\n".encode())
        conn.sendall(b" " * size)

    s = server(big)
    with pytest.raises(awsjson.AwsError) as e:
        awsjson.call(s.url, "AWSCognitoIdentityProviderService.InitiateAuth", {})
    assert "larger than 1 MiB" in str(e.value)


def _bomb(inflated: int) -> bytes:
    """gzip(gzip(zeros)): a few kilobytes that decode to `inflated` bytes."""
    inner = io.BytesIO()
    with gzip.GzipFile(fileobj=inner, mode="wb", compresslevel=9) as f:
        block = b"\0" * (1 << 20)
        for _ in range(inflated // len(block)):
            f.write(block)
    return gzip.compress(inner.getvalue(), 9)


def test_gzip_in_gzip_error_body_is_read_up_to_the_limit(cli, server):
    body = _bomb(256 << 20)
    assert len(body) < 64 * 1024

    def bomb(conn, stop):
        conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                     b"Content-Encoding: gzip, gzip\r\n"
                     + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)

    s = server(bomb)
    r = cli("get", f"{s.url}/x", "--no-retry")
    assert r.code == 5
    assert len(r.stdout) == ERROR_BODY_LIMIT
    assert "error body truncated: only its first 1 MiB are shown" in r.stderr


def test_decoded_size_not_content_length_decides_the_hint(cli, server):
    # A compressed error body under any Content-Length cap still has its message quoted.
    payload = zlib.compress(b'{"message": "Signature expired: 20240101T000000Z"}')

    def small(conn, stop):
        conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n"
                     b"Content-Encoding: deflate\r\n"
                     + f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)

    s = server(small)
    r = cli("get", f"{s.url}/x")
    assert r.code == 4
    assert "check this machine's clock" in r.stderr


# -- a head that stops half way, and a body ended by closing the connection ------------------
def stall_head(conn, stop):
    # A status line and one header, then silence: no blank line ends the head.
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Partial: yes\r\n")
    stop.wait(DRIP_FOR)


def drip_until_closed(conn, stop):
    # No Content-Length, not chunked: the body ends when the server closes the connection.
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n")
    _drip(conn, stop, b"x" * int(DRIP_FOR / 0.2))


def stop_mid_body(conn, stop):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome")
    stop.wait(DRIP_FOR)


def _profile(write_config, url: str, **keys) -> str:
    lines = "".join(f"{k} = {v}\n" for k, v in keys.items())
    return str(write_config(f'[profiles.s]\nendpoint = "{url}"\nauth = "none"\n{lines}'))


def _hurl(tmp_path, text: str) -> str:
    path = tmp_path / "entry.hurl"
    path.write_text(text)
    return str(path)


def test_a_head_cut_short_is_a_timeout_not_a_response(cli, server):
    s = server(stall_head)
    host = s.url[len("http://"):]
    start = time.monotonic()
    r = cli("get", f"{s.url}/x", "--timeout", "1", "--no-retry")
    assert time.monotonic() - start < DRIP_FOR / 4
    assert r.code == 6, r.stderr
    assert r.stderr.startswith(f"restcli: error: no response from {host} within 1 s (--timeout)")
    assert r.stdout == b""
    r = cli("get", f"{s.url}/x", "--max-time", "1")
    assert r.code == 7, r.stderr
    assert "did not finish within 1 s (--max-time)" in r.stderr


def test_run_a_head_cut_short_is_a_timeout(cli, server, write_config, tmp_path):
    s = server(stall_head)
    cfg = _profile(write_config, s.url, timeout=1)
    r = cli("--config", cfg, "run", "--test", _hurl(tmp_path, f"GET {s.url}/x\nHTTP 200\n"))
    assert r.code == 11, r.stderr
    assert "timeout: no response within 1 s" in r.stderr
    r = cli("run", "--test", "--max-time", "1", _hurl(tmp_path, f"GET {s.url}/x\nHTTP 200\n"))
    assert r.code == 11, r.stderr
    assert "timeout: max-time reached" in r.stderr


@pytest.mark.parametrize("how", [["--max-time", "1"], ["--max-time", "1", "-o", "OUT"]])
def test_max_time_stops_a_dripping_body_ended_by_close(run, server, tmp_path, how):
    s = server(drip_until_closed)
    (tmp_path / "dl").mkdir()
    args = [str(tmp_path / "dl" / "out.bin") if a == "OUT" else a for a in how]
    start = time.monotonic()
    r = run("get", f"{s.url}/x", *args, timeout=DRIP_FOR)  # a real process, stdout a pipe
    assert time.monotonic() - start < DRIP_FOR / 4
    assert r.code == 7, r.stderr
    assert "did not finish within 1 s (--max-time)" in r.stderr
    assert list((tmp_path / "dl").iterdir()) == []


def test_profile_max_time_stops_a_dripping_body_ended_by_close(cli, server, write_config):
    s = server(drip_until_closed)
    cfg = _profile(write_config, s.url, max_time=1)
    start = time.monotonic()
    r = cli("--config", cfg, "get", "s", "/x")
    assert time.monotonic() - start < DRIP_FOR / 4
    assert r.code == 7, r.stderr
    assert "(--max-time)" in r.stderr


@pytest.mark.parametrize("where", ["option", "entry", "profile"])
def test_run_max_time_stops_a_dripping_body_ended_by_close(cli, server, write_config, tmp_path,
                                                           where):
    s = server(drip_until_closed)
    before, after, options = [], [], ""
    if where == "option":
        after = ["--max-time", "1"]
    elif where == "entry":
        options = "[Options]\nmax-time: 1\n"
    else:
        before = ["--config", _profile(write_config, s.url, max_time=1)]
    hurl = _hurl(tmp_path, f"GET {s.url}/x\n{options}HTTP 200\n")
    start = time.monotonic()
    r = cli(*before, "run", "--test", *after, hurl)
    assert time.monotonic() - start < DRIP_FOR / 4
    assert r.code == 11, r.stderr
    assert "max-time reached" in r.stderr


def test_without_max_time_a_body_is_bounded_per_read(cli, server):
    # --timeout bounds each read of a body (only --max-time bounds the whole of it).
    s = server(stop_mid_body)
    r = cli("get", f"{s.url}/x", "--timeout", "1")
    assert r.code == 6, r.stderr
    host = s.url[len("http://"):]
    assert f"{host} sent nothing more of the body within 1 s (--timeout)" in r.stderr


# -- buffered reads: the 64 MiB limit (restcli.output.BUFFER_LIMIT), in decoded bytes ----------
def _big_json_until_closed(conn, stop):
    # Over the limit, and no Content-Length: only counting what arrives can stop it.
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[")
    block = b"0," * (1 << 19)
    for _ in range(BUFFER_LIMIT // len(block) + 1):
        if stop.is_set():
            return
        conn.sendall(block)
    conn.sendall(b"0]")


@pytest.mark.parametrize("option", [["--json"], ["-f", "length(@)"]])
def test_a_buffered_option_stops_at_the_limit(cli, server, option):
    s = server(_big_json_until_closed)
    r = cli("get", f"{s.url}/x", *option)
    assert r.code == 1, r.stderr
    assert "the body is over 64 MiB" in r.stderr
    assert "save it with -o FILE" in r.stderr
    assert r.stdout == b""


def test_a_gzip_bomb_with_a_2xx_status_stops_at_the_limit(cli, server, tmp_path):
    body = _bomb(BUFFER_LIMIT + (16 << 20))
    assert len(body) < 64 * 1024

    def bomb(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Encoding: gzip, gzip\r\n"
                     + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)

    s = server(bomb)
    r = cli("get", f"{s.url}/x", "--json")
    assert r.code == 1, r.stderr
    assert "the body is over 64 MiB" in r.stderr
    r = cli("run", _hurl(tmp_path, f"GET {s.url}/x\nHTTP 200\n"))
    assert r.code == 11, r.stderr
    assert f"response body larger than {BUFFER_LIMIT} bytes" in r.stderr
