"""A call's settings, decided in one step: CLI option > profile > [defaults] > built-in.

config.py has already layered profile over `[defaults]` over each key's built-in default
(keeping where each value came from); this adds the command line on top. Each request
option names the profile key it overrides (cli/options.py), and each key declares its
default and bounds once (config.COMMON and the modes' params), so this one function
serves every command that resolves a profile: calls, --curl, --offline and env.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .config import Profile, all_params
from .errors import UsageError

COMMAND_LINE = "command line"


def flag(key: str, flags: Mapping[str, str] | None = None) -> str:
    """The option that set a profile key, as the CLI named it (`--cert` for client_cert);
    by default `--` and the key with dashes."""
    return (flags or {}).get(key) or "--" + key.replace("_", "-")


def decide(
    profile: Profile, overrides: Mapping[str, Any], flags: Mapping[str, str] | None = None
) -> Profile:
    """The profile with every key given on the command line set, each value checked.

    `overrides` maps a profile key to the value typed (None: not given); `flags` maps a key
    to the option that set it, for messages.
    """
    given = {k: v for k, v in overrides.items() if v is not None}
    if not given:
        return profile
    params = all_params()
    for key, value in list(given.items()):
        param = params[key]
        if param.kind is dict:
            # A table's fields typed on the command line replace the profile's ("" unsets
            # one); the table is checked where it is used, with the option's name.
            merged = {**(profile.get(key) or {}), **value}
            given[key] = {k: v for k, v in merged.items() if v != ""}
            continue
        # An unknown --auth is left to the mode registry, which lists the known modes.
        problem = param.problem(value)
        if problem:
            raise UsageError(f"{flag(key, flags)} {problem}")
    return profile.replace(
        values={**profile.values, **given},
        sources={**profile.sources, **{k: COMMAND_LINE for k in given}},
    )


def setting_name(profile: Any, key: str, flag: str) -> str:
    """Where a decided value came from, as a message names it: the option, the profile's
    key or [defaults]' (a built-in default is changed with the option)."""
    source = profile.sources.get(key)
    if source == "profile":
        return f"profile {profile.name}'s {key}"
    if source == "defaults":
        return f"[defaults] {key}"
    return flag
