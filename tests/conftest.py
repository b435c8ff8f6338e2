"""Isolation and real servers for every test.

Each test gets its own HOME, config and cache dirs, no proxies, no ~/.netrc of the
developer, no AWS credentials of the machine, and NO_COLOR; servers bind 127.0.0.1 only.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.gateway import Gateway

API_KEY = "test-api-key-0123456789abcdef"
TOKEN = "custom-token-abcdefghijklmnop"

_CLEARED = (
    "RESTCLI_CONFIG",
    "RESTCLI_TOKEN",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "NETRC",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return home


@pytest.fixture
def gateway():
    gw = Gateway(api_keys={API_KEY}, tokens={TOKEN, f"Bearer {TOKEN}"}).start()
    yield gw
    gw.stop()


@pytest.fixture
def other_gateway():
    """A second gateway: another origin, for redirects that leave the endpoint's host."""
    gw = Gateway(api_keys={API_KEY}).start()
    yield gw
    gw.stop()


@pytest.fixture
def write_config(tmp_path):
    """Write a profiles file (0600) and return its path."""

    def write(text: str, name: str = "profiles.toml", mode: int = 0o600) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        path.chmod(mode)
        return path

    return write


@dataclass
class Result:
    code: int
    stdout: bytes
    stderr: str

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def cli(capfdbinary):
    """Run restcli in process (fast); stdout is not a terminal, as in a pipe."""
    from restcli.__main__ import main

    def run(*args: str) -> Result:
        code = main([str(a) for a in args])
        captured = capfdbinary.readouterr()
        return Result(code, captured.out, captured.err.decode("utf-8", "replace"))

    return run


@pytest.fixture
def run():
    """Run restcli as a separate process, for pipes, stdin and real exit statuses."""

    def run(*args: str, input: bytes | None = None, env: dict | None = None, timeout=30) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "restcli", *map(str, args)],
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            env={**os.environ, **(env or {})},
            timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"))

    return run


@pytest.fixture
def profiles(write_config, gateway, monkeypatch):
    """A profiles file with one profile per header mode, pointing at the gateway."""
    monkeypatch.setenv("ITEMS_KEY", API_KEY)
    monkeypatch.setenv("ITEMS_TOKEN", TOKEN)
    path = write_config(
        f"""
        [defaults]
        timeout = 5
        [defaults.headers]
        X-Client = "restcli-tests"

        [profiles.open]
        endpoint = "{gateway.url}/open"
        auth = "none"

        [profiles.keyed]
        endpoint = "{gateway.url}/key"
        auth = "api_key"
        api_key = "env:ITEMS_KEY"

        [profiles.custom]
        endpoint = "{gateway.url}/token"
        auth = "token"
        token = "env:ITEMS_TOKEN"

        [profiles.bearer]
        endpoint = "{gateway.url}/token"
        auth = "token"
        token = "env:ITEMS_TOKEN"
        scheme = "Bearer"
        """
    )
    monkeypatch.setenv("RESTCLI_CONFIG", str(path))
    return path


class _Stream(io.TextIOWrapper):
    """A text stream over bytes, as sys.stdout is, whose bytes a test can read back."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", errors="replace", write_through=True)

    def value(self) -> bytes:
        self.flush()
        return self.buffer.getvalue()


@pytest.fixture
def terminal():
    """Run restcli in process with its streams injected: as on a terminal (tty) or not, with
    stdin answering prompts, and no pseudo-terminal needed."""
    from restcli.__main__ import main
    from restcli.app import App

    def run(*args: str, stdin: str = "", tty: bool = True, stdout_tty: bool | None = None,
            stderr_tty: bool | None = None, stdin_tty: bool | None = None,
            color: bool = False) -> Result:
        out, err = _Stream(), _Stream()
        # The isolation sets NO_COLOR; colour=True is a terminal whose user wants colour.
        environ = {k: v for k, v in os.environ.items() if not (color and k == "NO_COLOR")}
        app = App(
            stdin=io.StringIO(stdin), stdout=out, stderr=err, environ=environ,
            stdin_tty=tty if stdin_tty is None else stdin_tty,
            stdout_tty=tty if stdout_tty is None else stdout_tty,
            stderr_tty=tty if stderr_tty is None else stderr_tty,
        )
        code = main([str(a) for a in args], app=app)
        return Result(code, out.value(), err.value().decode("utf-8", "replace"))

    return run
