"""Fixtures for the runner's tests: two loopback servers (two origins) and a runner."""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

import pytest

from restcli.runner.api import run_files
from restcli.runner.execute import RunOptions
from tests.runner.loopback import Server


@pytest.fixture(scope="module")
def server():
    srv = Server().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def other_server():
    srv = Server().start()
    yield srv
    srv.stop()


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture
def run(tmp_path, server, other_server):
    """Write Hurl text to files ({base} and {other} are the servers' URLs), run them."""

    def go(*texts: str, names=None, variables=None, secrets=(), jobs: int = 1,
           **option_values) -> Outcome:
        paths = []
        for i, text in enumerate(texts):
            name = names[i] if names else f"f{i}.hurl"
            path = tmp_path / name
            body = textwrap.dedent(text).replace("{base}", server.url)
            path.write_text(body.replace("{other}", other_server.url), encoding="utf-8")
            paths.append(str(path))
        hooks = {k: option_values.pop(k) for k in ("auth_for", "sigv4_auth", "transport_for")
                 if k in option_values}
        out, err = io.StringIO(), io.StringIO()
        code = run_files(paths, variables=variables or {}, secrets=secrets,
                         options=RunOptions(**option_values), out=out, err=err, jobs=jobs,
                         **hooks)
        return Outcome(code, out.getvalue(), err.getvalue())

    return go
