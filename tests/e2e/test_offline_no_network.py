"""--offline and --curl connect nowhere, even for AWS credentials only a service could give."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest


@pytest.fixture
def listener():
    """A TCP port that counts connections: standing in for STS, which must never be asked."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            seen.append(conn)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", seen
    stop.set()
    thread.join()
    server.close()


def _role_profile(endpoint: str) -> None:
    creds = Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
    creds.parent.mkdir(parents=True, exist_ok=True)
    creds.write_text("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n")
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = base\n"
        f"region = us-east-1\nendpoint_url = {endpoint}\n"
    )


@pytest.mark.parametrize("flag", ["--offline", "--curl"])
def test_a_role_profile_is_not_assumed_offline(cli, write_config, listener, monkeypatch, flag):
    endpoint, seen = listener
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", endpoint)
    _role_profile(endpoint)
    cfg = write_config('[profiles.api]\nendpoint = "https://abc.execute-api.us-east-1.amazonaws.com/dev"\n'
                       'aws_profile = "role"\n')
    r = cli("--config", cfg, "get", "api", "/items", flag)
    assert r.code == 0, r.stderr
    assert seen == []
    assert "placeholder credentials" in r.stderr
    if flag == "--offline":
        assert "Credential=AKIDOFFLINEPLACEHOLDER/" in r.out


def test_the_same_profile_does_assume_the_role_when_sending(cli, write_config, listener,
                                                           monkeypatch):
    endpoint, seen = listener
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", endpoint)
    _role_profile(endpoint)
    cfg = write_config('[profiles.api]\nendpoint = "http://127.0.0.1:9/dev"\nregion = "us-east-1"\n'
                       'aws_profile = "role"\ntimeout = 2\n')
    r = cli("--config", cfg, "get", "api", "/items")
    assert r.code == 9  # the stand-in STS closes every connection
    assert seen, "the check above is only meaningful if STS is asked when sending"


def test_plain_keys_sign_offline_as_usual(cli, write_config, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDPLAIN")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "plain-secret-0123456789")
    cfg = write_config('[profiles.api]\nendpoint = "https://abc.execute-api.us-east-1.amazonaws.com/dev"\n')
    r = cli("--config", cfg, "get", "api", "/items", "--offline")
    assert r.code == 0, r.stderr
    assert "Credential=AKIDPLAIN/" in r.out
    assert "placeholder" not in r.stderr
