"""The README's try-it command works: the demo profiles against the demo gateway."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.support.gateway import Gateway

ROOT = Path(__file__).resolve().parents[2]


def _try_it() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Try it"):]
    return re.search(r"```sh\n(.*?)\n```", section, re.S).group(1)


def test_try_it_calls_with_an_api_key_and_with_sigv4(cli, tmp_path, monkeypatch):
    steps = [shlex.split(step.strip(" ()&")) for step in _try_it().split(" && ")]
    (gateway_step,) = [s for s in steps if s[:3] == ["python", "-m", "tests.support.gateway"]]
    calls = [s for s in steps if "restcli" in s and "--config" in s]
    assert len(calls) == 2

    def arg(name):
        return gateway_step[gateway_step.index(name) + 1]

    gw = Gateway(api_keys={arg("--api-key")}, tokens={arg("--token")},
                 credentials={arg("--aws-access-key-id"): (arg("--aws-secret-access-key"), None)})
    gw.start()
    try:
        example = (ROOT / "profiles.example.toml").read_text().replace("127.0.0.1:8080", gw.url[7:])
        (tmp_path / "profiles.example.toml").write_text(example)
        monkeypatch.chdir(tmp_path)
        for call in calls:
            at = call.index("restcli")
            for assignment in call[:at]:
                name, _, value = assignment.partition("=")
                monkeypatch.setenv(name, value)
            r = cli(*call[at + 1:])
            assert r.code == 0, (call, r.stderr)
        assert gw.received[-1].header("authorization").startswith("AWS4-HMAC-SHA256 Credential=AKIDDEMO/")
    finally:
        gw.stop()
