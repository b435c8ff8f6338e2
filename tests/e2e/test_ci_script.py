"""The README's CI script, run as written against the test gateway."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def ci_script() -> str:
    text = README.read_text()
    m = re.search(r"<!-- ci-script -->\n```sh\n(.*?)```\n<!-- /ci-script -->", text, re.DOTALL)
    assert m, "the README's CI script is marked with <!-- ci-script -->"
    return m.group(1)


def run_script(tmp_path, env) -> subprocess.CompletedProcess:
    script = tmp_path / "ci.sh"
    script.write_text(ci_script())
    bin_dir = os.path.dirname(sys.executable)  # where `restcli` is installed
    return subprocess.run(
        ["bash", str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**env, "PATH": bin_dir + os.pathsep + env.get("PATH", "")}, check=False,
    )


def test_readme_ci_script_runs(profiles, gateway, tmp_path):
    proc = run_script(tmp_path, dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "catalog reachable", "checked item-1", "checked item-2", "checked item-3",
        "exported 6 items",
    ]
    assert json.loads((tmp_path / "catalog.json").read_text())["items"][0]["id"] == "item-1"
    assert [i["id"] for i in json.loads((tmp_path / "export.json").read_text())] == [
        f"item-{i}" for i in range(1, 7)]


def test_readme_ci_script_branches_on_a_refused_key(profiles, gateway, tmp_path):
    proc = run_script(tmp_path, {**os.environ, "ITEMS_KEY": "wrong-key-0123456789"})
    assert proc.returncode == 1
    assert "the API key was refused" in proc.stderr
    assert "checked" not in proc.stdout


def test_readme_ci_script_needs_the_secret(profiles, gateway, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ITEMS_KEY"}
    proc = run_script(tmp_path, env)
    assert proc.returncode != 0
    assert "ITEMS_KEY" in proc.stderr
