"""The registry of auth modes: name -> Mode, and build_auth() for a profile."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..errors import ConfigError

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


def available() -> tuple[str, ...]:
    return tuple(n for n in NAMES if _load(n) is not None)


def _load(name: str) -> "Mode | None":
    try:
        module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    except ModuleNotFoundError as e:
        if e.name == f"{__name__}.{_MODULES[name]}":
            return None  # a mode not built yet
        raise
    return module.MODE


def get(name: str) -> "Mode":
    mode = _load(name) if name in _MODULES else None
    if mode is None:
        raise ConfigError(
            f"unknown auth mode {name!r}", hint="known modes: " + ", ".join(available())
        )
    return mode


def all_modes() -> list["Mode"]:
    return [m for m in (_load(n) for n in NAMES) if m is not None]


def build_auth(profile: "Profile", mode_name: str, redactor: "Redactor") -> "Auth":
    from .base import Settings

    mode = get(mode_name)
    return mode.build(Settings(profile, mode, redactor))
