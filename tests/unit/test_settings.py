"""CLI option > profile > [defaults] > built-in, for every option that names a profile key.

Each case goes through the real pieces: a profiles file parsed by config.py, a command
line parsed by the fast parser into CallOptions, and settings.decide().
"""

from __future__ import annotations

import pytest

from restcli.cli import fast
from restcli.cli.options import OPTIONS, call_options
from restcli.config import all_params, parse
from restcli.errors import UsageError
from restcli.settings import decide
from tests.support.profiles import profile_file

# key -> (value in [defaults], value in the profile, what the command line types, its value)
LEVELS = {
    "auth": ("token", "api_key", "none", "none"),
    "aws_profile": ("from-defaults", "from-profile", "from-cli", "from-cli"),
    "guest": (True, False, None, True),  # a flag: the command line can only switch it on
    "timeout": (5.0, 6.0, "7", 7.0),
    "retries": (3, 4, "5", 5),
    "ca_bundle": ("d.pem", "p.pem", "c.pem", "c.pem"),
    "max_time": (10.0, 20.0, "30", 30.0),
    "proxy": ("http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3", "http://127.0.0.1:3"),
    "client_cert": ("d.crt", "p.crt", "c.crt", "c.crt"),
    "client_key": ("d.key", "p.key", "c.key", "c.key"),
}
KEYED = [opt for opt in OPTIONS if opt.key]


def test_every_profile_backed_option_is_in_the_table():
    assert {opt.key for opt in KEYED} == set(LEVELS)


def _profile(tmp_path, defaults: dict, profile: dict):
    path = profile_file(tmp_path, defaults=defaults,
                        api={"endpoint": "https://h.example/dev", **profile})
    return parse(path.read_bytes(), path).profile("api")


def _decided(profile, argv: list[str]):
    parsed = fast.parse(["get", "api", "/x", *argv])
    opts = call_options(parsed.values)
    return decide(profile, opts.overrides, opts.flags)


@pytest.mark.parametrize("opt", KEYED, ids=lambda o: o.key)
def test_each_level_wins_over_the_ones_below(opt, tmp_path):
    key = opt.key
    in_defaults, in_profile, typed, from_cli = LEVELS[key]
    built_in = all_params()[key].default
    flag = [] if typed is None else [opt.flags[-1], typed]
    if opt.kind is bool:
        flag = [opt.flags[-1]]

    assert _decided(_profile(tmp_path, {}, {}), []).get(key) == built_in
    assert _decided(_profile(tmp_path, {key: in_defaults}, {}), []).get(key) == in_defaults
    both = _profile(tmp_path, {key: in_defaults}, {key: in_profile})
    assert _decided(both, []).get(key) == in_profile
    decided = _decided(both, flag)
    assert decided.get(key) == from_cli
    assert decided.sources[key] == "command line"


@pytest.mark.parametrize(("argv", "message"), [
    (["--timeout", "0"], "--timeout must be more than 0"),
    (["--retries", "11"], "--retries must be from 0 to 10"),
    (["--max-time", "-1"], "--max-time must be"),
])
def test_bounds_come_from_the_key_and_name_the_option(argv, message, tmp_path):
    with pytest.raises(UsageError) as e:
        _decided(_profile(tmp_path, {}, {}), argv)
    assert str(e.value).startswith(message)


def test_paginate_fields_typed_over_the_profiles_table(tmp_path):
    profile = _profile(tmp_path, {"paginate": {"next": "d", "param": "dp"}},
                       {"paginate": {"next": "meta.next", "param": "cursor"}})
    assert _decided(profile, []).get("paginate") == {"next": "meta.next", "param": "cursor"}
    assert _decided(profile, ["--paginate-param", "after"]).get("paginate") == {
        "next": "meta.next", "param": "after"}
    # A new expression brings its own parameter: the profile's is not kept with it.
    assert _decided(profile, ["--paginate-next", "nextToken"]).get("paginate") == {
        "next": "nextToken"}
    assert _decided(profile, ["--paginate-next", "n", "--paginate-param", "p"]).get(
        "paginate") == {"next": "n", "param": "p"}
