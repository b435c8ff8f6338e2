"""Declared profile keys (Param) and a profile's values for a set of them (ProfileValues).

A leaf both the auth modes and the providers (aws/, cognito/) build on: a mode declares
its keys, so config validation, `profiles show` and redaction work from one code path,
and a provider reads its keys through ProfileValues without knowing which mode asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .record import record
from .secrets import resolve

if TYPE_CHECKING:
    from .config import Profile
    from .secrets import Redactor


@record
class Param:
    name: str
    help: str
    kind: type = str
    secret: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    # value -> a problem ("must be ...") or None; the one place a key's bounds are written.
    check: Callable[[Any], str | None] | None = None

    def problem(self, value: Any) -> str | None:
        return self.check(value) if self.check is not None else None


def within(low: float, high: float, low_open: bool = False, unit: str = ""):
    """A check for a number in [low, high] (or (low, high]); NaN is never within."""
    unit = f" {unit}" if unit else ""
    if low_open:
        message = f"must be more than {low:g} and at most {high:g}{unit}"
    else:
        message = f"must be from {low:g} to {high:g}{unit}"

    def check(value: float) -> str | None:
        inside = (low < value if low_open else low <= value) and value <= high
        return None if inside else message

    return check


@record
class Declared:
    """A named set of keys: an auth mode's, or a provider's (a Cognito user pool)."""

    name: str
    params: tuple[Param, ...]


class ProfileValues:
    """A profile's values for one set of declared keys, resolved on first use.

    Secret references are resolved lazily so that switching a profile to another
    mode per call (`--auth none`) never asks for credentials it will not use.
    `warn` is the application's scrubbing warning writer.
    """

    # True for --offline and --curl: the providers use what is cached and connect nowhere.
    offline = False

    def __init__(
        self,
        profile: Profile,
        mode: Any,
        redactor: Redactor,
        warn: Callable[[str], None] | None = None,
    ):
        self.profile = profile
        self.mode = mode  # anything with .name and .params: a Mode or a Declared
        self.redactor = redactor
        self.warn = warn or (lambda message: None)
        self._cache: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._cache:
            self._cache[name] = self._load(name)
        return self._cache[name]

    def get(self, name: str, default: Any = None) -> Any:
        value = self[name]
        return default if value is None else value

    def _load(self, name: str) -> Any:
        param = next(p for p in self.mode.params if p.name == name)
        value = self.profile.values.get(name, param.default)
        if param.secret and isinstance(value, str):
            reference = value
            value = resolve(value, where=self.where(name))
            self.redactor.add(value, reference)
        return value

    def where(self, key: str) -> str:
        return f"profile {self.profile.name!r}, key {key!r}"

    def require(self, name: str) -> Any:
        value = self[name]
        if value in (None, ""):
            raise ConfigError(
                f"auth {self.mode.name!r} needs {name!r} ({self.where(name)}"
                f"{', in ' + str(self.profile.file) if self.profile.file else ''})",
                hint=f"restcli profiles set {self.profile.name} {name} VALUE",
            )
        return value
