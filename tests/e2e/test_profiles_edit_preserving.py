"""Profile edits keep the file as the user wrote it (comments, order, blank lines, quoting,
inline tables), follow a symlinked file, and refuse what they cannot write safely."""

from __future__ import annotations

import difflib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "profiles.example.toml"


def _diff(before: str, after: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


@pytest.mark.parametrize("args,removed,added", [
    (("set", "keyed", "timeout", "5"), [], ["timeout = 5"]),
    (("set", "custom", "scheme", "Bearer"),
     [('scheme = ""                              # "" sends the raw token, as Amplify does; '
       '"Bearer" for bearer APIs')],
     [('scheme = "Bearer"                              # "" sends the raw token, as Amplify does; '
       '"Bearer" for bearer APIs')]),
    (("set", "myApi", "headers.X-Trace", "1"), [], ['X-Trace = "1"']),
    (("unset", "custom", "header"),
     ['header = "Authorization"                 # header that carries it (default Authorization)'], []),
    (("rename", "public", "open"), ["[profiles.public]"], ["[profiles.open]"]),
    (("rename", "myApi", "my api"), ["[profiles.myApi]", "[profiles.myApi.headers]"],
     ['[profiles."my api"]', '[profiles."my api".headers]']),
])
def test_edit_of_the_example_changes_only_the_intended_lines(cli, tmp_path, args, removed, added):
    cfg = tmp_path / "profiles.toml"
    shutil.copy(EXAMPLE, cfg)
    cfg.chmod(0o600)
    before = cfg.read_text()
    r = cli("--config", cfg, "profiles", *args)
    assert r.code == 0, r.stderr
    assert _diff(before, cfg.read_text()) == (removed, added)
    assert cfg.with_name("profiles.toml.bak").read_text() == before
    assert cli("--config", cfg, "config", "check").code == 0


def test_two_edits_keep_every_comment(cli, tmp_path):
    cfg = tmp_path / "profiles.toml"
    shutil.copy(EXAMPLE, cfg)
    comments = [line for line in cfg.read_text().splitlines() if "#" in line]
    assert cli("--config", cfg, "profiles", "set", "keyed", "retries", "3").code == 0
    assert cli("--config", cfg, "profiles", "set", "custom", "timeout", "7").code == 0
    after = cfg.read_text()
    assert all(c in after.splitlines() for c in comments)


def test_add_and_remove_touch_only_their_table(cli, tmp_path):
    cfg = tmp_path / "profiles.toml"
    shutil.copy(EXAMPLE, cfg)
    before = cfg.read_text()
    assert cli("--config", cfg, "profiles", "add", "extra", "--endpoint", "https://x.example.com/v1",
               "--auth", "none").code == 0
    removed, added = _diff(before, cfg.read_text())
    assert removed == []
    assert [a for a in added if a] == ["[profiles.extra]", 'endpoint = "https://x.example.com/v1"',
                                       'auth = "none"']
    assert cli("--config", cfg, "profiles", "remove", "extra").code == 0
    assert cfg.read_text().rstrip("\n") == before.rstrip("\n")


def test_inline_tables_and_quoting_stay(cli, write_config):
    text = "[profiles.a]\nendpoint = 'http://127.0.0.1:1/a'  # literal quotes\nheaders = { X-A = '1' }\n"
    cfg = write_config(text)
    assert cli("--config", cfg, "profiles", "set", "a", "headers.X-B", "2").code == 0
    # The new key goes before the closing padding: `{ X-A = '1', X-B = "2" }`.
    assert cfg.read_text() == text.replace("X-A = '1' }", "X-A = '1', X-B = \"2\" }")


def test_edit_follows_a_symlink_and_keeps_it(cli, tmp_path):
    real = tmp_path / "real" / "profiles.toml"
    real.parent.mkdir()
    real.write_text('[profiles.a]\nendpoint = "http://127.0.0.1:1/a"\n')
    real.chmod(0o600)
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    r = cli("--config", link, "profiles", "set", "a", "timeout", "4")
    assert r.code == 0, r.stderr
    assert link.is_symlink() and "timeout = 4" in real.read_text()
    assert Path(f"{real}.lock").exists() or not Path(f"{link}.lock").exists()
    assert not Path(f"{link}.lock").exists()


def test_read_only_file_is_refused_not_replaced(cli, write_config):
    cfg = write_config('[profiles.a]\nendpoint = "http://127.0.0.1:1/a"\n', mode=0o400)
    before = cfg.read_bytes()
    r = cli("--config", cfg, "profiles", "set", "a", "timeout", "4")
    assert r.code == 8, r.stderr
    assert "read-only" in r.stderr and len(r.stderr.splitlines()) <= 2
    assert cfg.read_bytes() == before and stat.S_IMODE(cfg.stat().st_mode) == 0o400


def test_lock_path_that_is_a_symlink_is_refused(cli, write_config, tmp_path):
    cfg = write_config('[profiles.a]\nendpoint = "http://127.0.0.1:1/a"\n')
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    Path(f"{cfg}.lock").symlink_to(victim)
    r = cli("--config", cfg, "profiles", "set", "a", "timeout", "4")
    assert r.code == 8, r.stderr
    assert "symbolic link" in r.stderr
    assert victim.read_text() == "keep me"


def test_profiles_directory_that_cannot_be_made(cli, tmp_path):
    (tmp_path / "file").write_text("")
    r = cli("--config", tmp_path / "file" / "profiles.toml", "profiles", "add", "a",
            "--endpoint", "https://x.example.com")
    assert r.code == 8, r.stderr
    assert "unexpected" not in r.stderr


def test_immutable_file_is_exit_8(cli, write_config):
    cfg = write_config('[profiles.a]\nendpoint = "http://127.0.0.1:1/a"\n')
    if shutil.which("chattr") is None or subprocess.run(
        ["chattr", "+i", str(cfg)], capture_output=True, check=False
    ).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        r = cli("--config", cfg, "profiles", "set", "a", "timeout", "4")
        assert r.code == 8, r.stderr
        assert "unexpected" not in r.stderr
    finally:
        subprocess.run(["chattr", "-i", str(cfg)], check=False)
    os.remove(cfg)


def _example_profiles() -> list[str]:
    # tomllib only to list the example's profiles, in file order
    import tomllib

    return list(tomllib.loads(EXAMPLE.read_text())["profiles"])


def _written_lines(lines: list[str], name: str) -> range:
    """A profile's lines in the example, found line by line (not by tomlkit): the blank
    lines and comment block directly above its header (its heading), the header, and every
    line up to the next profile's heading and the blank lines above that."""
    header = lines.index(f"[profiles.{name}]")
    start = header
    while start and lines[start - 1].startswith("#"):
        start -= 1
    while start and not lines[start - 1].strip():
        start -= 1
    end = header + 1
    while end < len(lines) and not (
        lines[end].startswith("[") and not lines[end].startswith(f"[profiles.{name}.")
    ):
        end += 1
    if end < len(lines):
        while lines[end - 1].startswith("#"):
            end -= 1
        while not lines[end - 1].strip():
            end -= 1
    return range(start, end)


@pytest.mark.parametrize("name", _example_profiles())
def test_remove_takes_the_profile_its_heading_and_nothing_else(cli, tmp_path, name):
    # The heading of the next profile stays; the removed profile's own heading goes.
    cfg = tmp_path / "profiles.toml"
    shutil.copy(EXAMPLE, cfg)
    cfg.chmod(0o600)
    before = cfg.read_text()
    lines = before.splitlines()
    own = _written_lines(lines, name)
    assert cli("--config", cfg, "profiles", "remove", name).code == 0
    after = cfg.read_text()
    assert after.splitlines() == lines[: own.start] + lines[own.stop :]
    removed, added = _diff(before, after)
    assert added == []
    assert [x for x in removed if x.strip()] == [lines[i] for i in own if lines[i].strip()]
    assert cli("--config", cfg, "config", "check").code == 0


def test_emptying_a_sub_table_keeps_the_next_profiles_heading(cli, tmp_path):
    # [profiles.myApi.headers] is followed directly by the next profile's heading comment.
    cfg = tmp_path / "profiles.toml"
    shutil.copy(EXAMPLE, cfg)
    cfg.chmod(0o600)
    before = cfg.read_text()
    assert cli("--config", cfg, "profiles", "unset", "myApi", "headers.X-Request-Source").code == 0
    assert _diff(before, cfg.read_text()) == (
        ["[profiles.myApi.headers]",
         'X-Request-Source = "cli"                 # any header; values may be secret references'],
        [],
    )


def test_a_rename_moves_no_heading(cli, tmp_path):
    cfg = tmp_path / "profiles.toml"
    shutil.copy(EXAMPLE, cfg)
    cfg.chmod(0o600)
    before = cfg.read_text()
    assert cli("--config", cfg, "profiles", "rename", "custom", "bearer").code == 0
    assert _diff(before, cfg.read_text()) == (["[profiles.custom]"], ["[profiles.bearer]"])
    assert cli("--config", cfg, "profiles", "remove", "bearer").code == 0
    assert "# --- token:" not in cfg.read_text() and "# --- none:" in cfg.read_text()
