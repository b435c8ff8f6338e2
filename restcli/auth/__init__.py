"""The registry of auth modes: name -> Mode, and build_auth() for a profile."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..params import ProfileValues

if TYPE_CHECKING:
    from ..config import Profile
    from ..secrets import Redactor
    from .base import Auth, Mode

# Amplify's default mode is IAM; so is restcli's.
DEFAULT_MODE = "iam"
_MODULES = {
    "iam": "iam",
    "cognito": "cognito",
    "token": "token",
    "api_key": "api_key",
    "none": "none",
}
NAMES = tuple(_MODULES)


def _load(name: str) -> Mode:
    # Mode modules declare their parameters at import and defer anything heavy to build().
    return importlib.import_module(f"{__name__}.{_MODULES[name]}").MODE


def get(name: str) -> Mode:
    if name not in _MODULES:
        raise ConfigError(f"unknown auth mode {name!r}", hint="known modes: " + ", ".join(NAMES))
    return _load(name)


def all_modes() -> list[Mode]:
    return [_load(n) for n in NAMES]


def readable_authorization(value: str) -> str | None:
    """An Authorization value shown in part, as the mode that made it allows (SigV4: the
    scope, without the signature); None when no mode claims it."""
    for mode in all_modes():
        shown = mode.readable(value) if mode.readable is not None else None
        if shown is not None:
            return shown
    return None


def build_auth(
    profile: Profile, mode_name: str, redactor: Redactor, warn=None, offline: bool = False
) -> Auth:
    """The mode's auth for a profile; `warn` is the application's scrubbing warner.

    `offline` (--offline, --curl): no connection of any kind; cached credentials as they are.
    """
    mode = get(mode_name)
    settings = ProfileValues(profile, mode, redactor, warn)
    settings.offline = offline
    return mode.build(settings)
