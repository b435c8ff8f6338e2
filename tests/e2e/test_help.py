"""Help that teaches: every command ends with real examples; the top level lists exit codes."""

from __future__ import annotations

import pytest
from typer.main import get_command

from restcli.cli.app import app


def _commands(group, prefix=()):
    for name, command in sorted(getattr(group, "commands", {}).items()):
        if getattr(command, "commands", None):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


COMMANDS = list(_commands(get_command(app)))


def test_the_corpus_sees_every_command():
    assert ("get",) in COMMANDS and ("profiles", "set") in COMMANDS and ("run",) in COMMANDS


@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_every_command_help_ends_with_examples(cli, words):
    r = cli(*words, "--help")
    assert r.code == 0
    tail = r.out.split("Examples:")
    assert len(tail) == 2, r.out
    examples = [line.strip() for line in tail[1].splitlines() if line.strip()]
    assert len(examples) >= 2
    assert all("restcli" in line for line in examples)
    assert "{" not in r.out.splitlines()[0]  # usage line: API, not {API}


def test_top_level_help_lists_every_exit_code(cli):
    r = cli("--help")
    listed = {line.split()[0] for line in r.out.split("Exit codes:")[1].splitlines() if line.strip()}
    assert {"0", "1", "2", "3", "6", "7", "8", "9", "10", "11", "12", "130", "141"} <= listed


def test_items_help_matches_the_readme_forms(cli):
    out = cli("get", "--help").out
    for form in ("Header:value", "Header;", "name==query", "name:=json", "field=@file"):
        assert form in out
    assert "(remove)" not in out
    assert "Send an OPTIONS request" in cli("options", "--help").out


def test_readme_and_help_list_the_same_exit_codes():
    import re
    from pathlib import Path

    from restcli.errors import EXIT_CODES

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme[readme.index("## Exit codes"):]
    table = table[:table.index("\n## ")]
    in_readme = set(re.findall(r"^\| (\d+) \|", table, re.M))
    in_help = {code for codes, _ in EXIT_CODES for code in codes.split()}
    assert in_readme == in_help


def test_readme_names_the_defaults_a_bare_url_gets():
    from pathlib import Path

    from restcli.config import URL_DEFAULTS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    sentence = readme[readme.index("`headers_command` (only "):][:200]
    assert all(f"`{key}`" in sentence for key in URL_DEFAULTS)


def test_defaults_quoted_in_help_are_the_declared_ones():
    import re

    from restcli.cli.options import OPTIONS, RUN_OPTIONS
    from restcli.paginate import DEFAULT_MAX_PAGES
    from restcli.runner.execute import RunOptions

    declared = {"max_pages": DEFAULT_MAX_PAGES, "jobs": 1}
    declared.update({name: getattr(RunOptions(), name)
                     for name in ("max_redirs", "retry", "retry_interval")})
    for opt in (*OPTIONS, *RUN_OPTIONS):
        m = re.search(r"\[default: ([^\]]+)\]", opt.help)
        if m and opt.name in declared:
            assert float(m.group(1)) == float(declared[opt.name]), opt.name
    numeric = {o.name for o in (*OPTIONS, *RUN_OPTIONS) if re.search(r"\[default: [0-9]", o.help)}
    assert numeric <= set(declared)


def test_an_option_over_a_profile_key_says_the_profile_decides_first(cli):
    # `--auth` on a profile of api_key mode does not default to iam: the profile's mode
    # applies when the option is absent, so the help must not claim otherwise.
    text = " ".join(cli("get", "-h").out.split())
    assert "[default: the profile's auth, else iam]" in text
    assert "[default: the profile's timeout, else 30]" in text
    assert "[default: iam]" not in text
