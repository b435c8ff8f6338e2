"""The fast parser (cli/fast.py) and the Typer CLI give the same call for the same argv.

Every ordinary request command line of the corpus is parsed both ways and the resulting
call (method, API, PATH, items and every option) compared; a line the fast parser leaves
to Typer must be one Typer handles.
"""

from __future__ import annotations

import pytest

from restcli.cli import fast
from restcli.cli.options import call_options, split_target

CORPUS = [
    ["get", "keyed", "/items"],
    ["get", "keyed"],
    ["post", "keyed", "/items", "name=widget", "count:=3", "X-Trace:abc", "q==1"],
    ["put", "https://h.example/base", "a=1"],
    ["delete", "https://h.example/base", "/x", "X-A:1"],
    ["patch", "p", "/x", "-H", "X-A: 1", "-H", "X-B: 2", "-q", "a=1", "-q", "b=2"],
    ["head", "p", "/x", "--timeout", "2.5", "--retries", "3"],
    ["options", "p", "/x", "--no-retry", "--retry-unsafe"],
    ["request", "PURGE", "p", "/x"],
    ["request", "purge", "p", "/x", "-v", "--offline"],
    ["get", "p", "/x", "--auth", "none", "--aws-profile", "dev", "--guest"],
    ["get", "p", "/x", "-o", "out.bin", "--headers", "--json", "-f", "items[].id"],
    ["get", "p", "/x", "--ignore-status", "--insecure", "--ca-bundle", "ca.pem", "--curl"],
    ["get", "p", "/x", "--timeout=7", "--auth=token", "--filter=a"],
    ["post", "p", "/x", "-d", "@body.json"],
    ["post", "p", "/x", "-d", "@-"],
    ["get", "p", "--", "/x", "-not-an-option"],
    ["--config", "c.toml", "get", "p", "/x"],
    ["--config=c.toml", "get", "p", "/x", "-"],
    ["get", "p", "/x", "--retries", "99"],
    ["get", "p", "/x", "--timeout", "0"],
]


def _fast(argv):
    parsed = fast.parse(argv)
    if parsed is None:
        return None
    path, items = split_target(parsed.api, parsed.path, parsed.items)
    return parsed.config, parsed.method, parsed.api, path, items, call_options(parsed.values)


def _typer(argv, monkeypatch):
    from typer.main import get_command

    import restcli.call
    from restcli.app import App
    from restcli.cli.app import app

    seen = []

    def record(application, method, api, path, items, opts):
        seen.append((application.config_option, method, api, path, items, opts))
        return 0

    monkeypatch.setattr(restcli.call, "call", record)
    get_command(app).main(args=list(argv), prog_name="restcli", standalone_mode=False, obj=App())
    (result,) = seen
    return result


@pytest.mark.parametrize("argv", CORPUS, ids=" ".join)
def test_fast_parser_and_typer_agree(argv, monkeypatch):
    fast_result = _fast(argv)
    assert fast_result is not None, "an ordinary request line must not need Typer"
    assert fast_result == _typer(argv, monkeypatch)


@pytest.mark.parametrize("argv", [
    ["get", "-h"],
    ["get", "p", "/x", "-vH", "X:1"],
    ["get", "p", "/x", "--unknown"],
    ["get", "p", "/x", "--timeout"],
    ["profiles", "list"],
])
def test_lines_the_fast_parser_leaves_to_typer(argv):
    assert fast.parse(argv) is None


RUN_CORPUS = [
    ["run", "smoke.hurl"],
    ["run", "a.hurl", "b.hurl", "--test", "--profile", "shop", "--profile", "keyed"],
    ["run", "a.hurl", "--auth", "none", "--variable", "a=1", "--variable", "b=2",
     "--variables-file", "v.env", "--secret", "pw=x"],
    ["run", "a.hurl", "--report-junit", "j.xml", "--report-json", "r.json", "--jobs", "4"],
    ["run", "a.hurl", "--continue-on-error", "--from-entry", "2", "--to-entry", "3", "-L",
     "--max-redirs", "5", "-k", "--retry", "2", "--retry-interval", "0.5", "--max-time", "9",
     "-v"],
    ["--config", "c.toml", "run", "a.hurl", "--jobs=2"],
]


@pytest.mark.parametrize("argv", RUN_CORPUS, ids=" ".join)
def test_fast_parser_and_typer_agree_on_run(argv, monkeypatch):
    from typer.main import get_command

    import restcli.commands.run
    from restcli.app import App
    from restcli.cli.app import app

    fast_result = fast.parse_run(argv)
    assert fast_result is not None, "an ordinary run line must not need Typer"
    seen = []

    def record(application, files, values):
        seen.append((application.config_option, list(files),
                     {k: v for k, v in values.items() if v not in (None, False)}))
        return 0

    monkeypatch.setattr(restcli.commands.run, "run_from_values", record)
    get_command(app).main(args=list(argv), prog_name="restcli", standalone_mode=False, obj=App())
    config, files, values = fast_result
    assert seen == [(config, files, {k: v for k, v in values.items() if v not in (None, False)})]


def _one_line_per_option() -> list[list[str]]:
    """Every request option, each flag spelling, with a value of its kind."""
    from restcli.cli.options import OPTIONS

    sample = {str: "x.txt", int: "3", float: "2.5"}
    lines = []
    for opt in OPTIONS:
        for flag in opt.flags:
            words = [flag] if opt.kind is bool else [flag, sample[opt.kind]]
            if opt.name == "header":
                words = [flag, "X-A: 1"]
            elif opt.name == "query":
                words = [flag, "a=1"]
            lines.append(["get", "p", "/x", *words])
    return lines


@pytest.mark.parametrize("argv", _one_line_per_option(), ids=" ".join)
def test_every_option_parses_the_same_both_ways(argv, monkeypatch):
    fast_result = _fast(argv)
    assert fast_result is not None, "an ordinary request line must not need Typer"
    assert fast_result == _typer(argv, monkeypatch)
