"""A profile written as a [profiles.NAME] table, as dotted keys under [profiles], or as an
inline table: every edit works on it and keeps that form, and the heading comment above it
goes only with it."""

from __future__ import annotations

import difflib
import tomllib

import pytest

FORMS = {
    "table": (
        "# b, a table\n"
        "[profiles.b]\n"
        'endpoint = "http://127.0.0.1:1/b"\n'
        'auth = "none"  # public\n'
        "[profiles.b.headers]\n"
        'X-A = "1"\n'
        "\n"
        "# the next one\n"
        "[profiles.c]\n"
        'endpoint = "http://127.0.0.1:1/c"\n'
    ),
    "dotted": (
        "[profiles]\n"
        "# b, dotted keys\n"
        'b.endpoint = "http://127.0.0.1:1/b"\n'
        'b.auth = "none"  # public\n'
        'b.headers.X-A = "1"\n'
        "\n"
        "# the next one\n"
        'c.endpoint = "http://127.0.0.1:1/c"\n'
    ),
    "inline": (
        "[profiles]\n"
        "# b, an inline table\n"
        'b = { endpoint = "http://127.0.0.1:1/b", auth = "none", headers = { X-A = "1" } }  # public\n'
        "\n"
        "# the next one\n"
        'c = { endpoint = "http://127.0.0.1:1/c" }\n'
    ),
}
INLINE_B = 'b = { endpoint = "http://127.0.0.1:1/b", auth = "none", headers = { X-A = "1" } }  # public'

# (form, command) -> (lines removed, lines added), in file order.
EXPECTED = {
    ("table", "set b timeout 6"): ([], ["timeout = 6"]),
    ("dotted", "set b timeout 6"): ([], ["b.timeout = 6"]),
    ("inline", "set b timeout 6"): (
        [INLINE_B], [INLINE_B.replace('"1" } }', '"1" }, timeout = 6 }')]),
    ("table", "set b auth token"): (['auth = "none"  # public'], ['auth = "token"  # public']),
    ("dotted", "set b auth token"): (['b.auth = "none"  # public'], ['b.auth = "token"  # public']),
    ("inline", "set b auth token"): ([INLINE_B], [INLINE_B.replace('"none"', '"token"')]),
    ("table", "set b headers.X-B 2"): ([], ['X-B = "2"']),
    ("dotted", "set b headers.X-B 2"): ([], ['b.headers.X-B = "2"']),
    ("inline", "set b headers.X-B 2"): ([INLINE_B], [INLINE_B.replace('"1" }', '"1", X-B = "2" }')]),
    ("table", "unset b headers.X-A"): (["[profiles.b.headers]", 'X-A = "1"'], []),
    ("dotted", "unset b headers.X-A"): (['b.headers.X-A = "1"'], []),
    ("inline", "unset b headers.X-A"): ([INLINE_B], [INLINE_B.replace(', headers = { X-A = "1" }', "")]),
    ("table", "unset b auth"): (['auth = "none"  # public'], []),
    ("dotted", "unset b auth"): (['b.auth = "none"  # public'], []),
    ("inline", "unset b auth"): ([INLINE_B], [INLINE_B.replace(' auth = "none",', "")]),
    ("table", "rename b bb"): (["[profiles.b]", "[profiles.b.headers]"],
                               ["[profiles.bb]", "[profiles.bb.headers]"]),
    ("dotted", "rename b bb"): (
        ['b.endpoint = "http://127.0.0.1:1/b"', 'b.auth = "none"  # public', 'b.headers.X-A = "1"'],
        ['bb.endpoint = "http://127.0.0.1:1/b"', 'bb.auth = "none"  # public', 'bb.headers.X-A = "1"']),
    ("inline", "rename b bb"): ([INLINE_B], ["b" + INLINE_B]),
    ("table", "remove b"): (
        ["# b, a table", "[profiles.b]", 'endpoint = "http://127.0.0.1:1/b"', 'auth = "none"  # public',
         "[profiles.b.headers]", 'X-A = "1"'], []),
    ("dotted", "remove b"): (
        ["# b, dotted keys", 'b.endpoint = "http://127.0.0.1:1/b"', 'b.auth = "none"  # public',
         'b.headers.X-A = "1"'], []),
    ("inline", "remove b"): (["# b, an inline table", INLINE_B], []),
}

# What each command means for the file's data: the edit must mean exactly that.
B = {"endpoint": "http://127.0.0.1:1/b", "auth": "none", "headers": {"X-A": "1"}}
C = {"endpoint": "http://127.0.0.1:1/c"}
MEANING = {
    "set b timeout 6": {"b": {**B, "timeout": 6}, "c": C},
    "set b auth token": {"b": {**B, "auth": "token"}, "c": C},
    "set b headers.X-B 2": {"b": {**B, "headers": {"X-A": "1", "X-B": "2"}}, "c": C},
    "unset b headers.X-A": {"b": {"endpoint": B["endpoint"], "auth": "none"}, "c": C},
    "unset b auth": {"b": {"endpoint": B["endpoint"], "headers": {"X-A": "1"}}, "c": C},
    "rename b bb": {"bb": B, "c": C},
    "remove b": {"c": C},
}


def _diff(before: str, after: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


@pytest.mark.parametrize("form,command", sorted(EXPECTED))
def test_every_edit_keeps_the_profiles_form(cli, write_config, form, command):
    cfg = write_config(FORMS[form])
    assert tomllib.loads(FORMS[form])["profiles"] == {"b": B, "c": C}
    r = cli("--config", cfg, "profiles", *command.split())
    assert r.code == 0, r.stderr
    after = cfg.read_text()
    assert _diff(FORMS[form], after) == EXPECTED[form, command]
    assert tomllib.loads(after)["profiles"] == MEANING[command]
    assert "# the next one" in after
    assert cli("--config", cfg, "config", "check").code == 0


@pytest.mark.parametrize("form", sorted(FORMS))
def test_paginate_is_set_and_unset_in_the_profiles_form(cli, write_config, form):
    cfg = write_config(FORMS[form])
    assert cli("--config", cfg, "profiles", "set", "b", "paginate.next", "nextToken").code == 0
    assert cli("--config", cfg, "profiles", "set", "b", "paginate.param", "nt").code == 0
    assert tomllib.loads(cfg.read_text())["profiles"]["b"]["paginate"] == {
        "next": "nextToken", "param": "nt"}
    assert cli("--config", cfg, "profiles", "unset", "b", "paginate").code == 0
    assert cfg.read_text() == FORMS[form]


def test_a_profile_split_around_another_table_is_edited_in_place(cli, write_config):
    # [profiles.a], then [defaults], then [profiles.b]: tomlkit holds profiles in two parts.
    text = ('[profiles.a]\nendpoint = "http://127.0.0.1:1/a"\n\n[defaults]\ntimeout = 3\n\n'
            '# b\n[profiles.b]\nendpoint = "http://127.0.0.1:1/b"\n')
    cfg = write_config(text)
    assert cli("--config", cfg, "profiles", "set", "b", "retries", "1").code == 0
    assert cli("--config", cfg, "profiles", "rename", "a", "first").code == 0
    assert cfg.read_text() == text.replace("profiles.a]", "profiles.first]").replace(
        'b"\n', 'b"\nretries = 1\n')
    assert cli("--config", cfg, "profiles", "remove", "b").code == 0
    assert cfg.read_text() == text.replace("profiles.a]", "profiles.first]").split("\n\n# b")[0] + "\n"
