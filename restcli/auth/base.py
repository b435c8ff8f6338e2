"""The one interface every auth mode implements.

A mode declares its parameters (name, type, whether secret, default), so config
validation, `profiles show` and redaction work for every mode from one code path,
and builds an auth: a callable that takes a prepared request and returns it, as
requests' own auth classes do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ..params import Param, ProfileValues
from ..record import record


class Auth(Protocol):
    def __call__(self, request: Any) -> Any: ...


@record
class Mode:
    name: str
    summary: str
    params: tuple[Param, ...]
    # build(settings) -> Auth; imports anything heavy inside, never at module import.
    build: Callable[[ProfileValues], Auth]
    # credentials_from(settings) -> where the credentials come from, for `auth status`:
    # names and references only, never a value, and nothing is fetched.
    credentials_from: Callable[[ProfileValues], str] | None = None
    # Keys a profile of this mode cannot do without (`restcli config init` asks for them).
    required: tuple[str, ...] = ()
    # `auth token` prints the resolved credential (the token modes), else a usage error.
    prints_token: bool = False
    # readable(value) -> the part of an Authorization value this mode made that is safe and
    # useful to show (-v, --offline), or None when the value is not this mode's.
    readable: Callable[[str], str | None] | None = None


class AuthBase:
    """What every mode's auth offers; a mode overrides what applies to it.

    Like requests' own auth classes, an auth is a callable that takes a prepared request
    and returns it. The rest is optional behaviour the pipeline asks every auth about.
    """

    # Headers that carry credentials: dropped when a redirect leaves the endpoint's origin.
    sensitive_headers: tuple[str, ...] = ()
    # curl's native support for this auth needs AWS_* variables exported first.
    curl_needs_env_export = False

    @property
    def secret_headers(self) -> tuple[str, ...]:
        """Headers masked when shown; by default every sensitive one."""
        return self.sensitive_headers

    def __call__(self, request: Any) -> Any:
        return request

    def renew_after_401(self, response: Any) -> bool:
        """Refresh credentials once after the API answered 401; True to send again."""
        return False

    def curl_options(self) -> list[str] | None:
        """Shell words for curl's own support of this auth, or None to send its headers."""
        return None

    def curl_url(self, url: str, profile: str, warn: Callable[[str], None]) -> str:
        """The URL as curl's own support of this auth needs it (warn: what it gets wrong)."""
        return url

    def environment(self) -> dict[str, str] | None:
        """The credentials as environment variables for other tools (restcli env)."""
        return None


class HeaderAuth(AuthBase):
    """Puts a credential in one header: API keys, custom tokens, user-pool tokens."""

    def __init__(self, header: str, token: str, scheme: str = ""):
        self.header = header
        self.token = token
        self.scheme = scheme

    def __call__(self, request: Any) -> Any:
        request.headers[self.header] = f"{self.scheme} {self.token}" if self.scheme else self.token
        return request

    @property
    def sensitive_headers(self) -> tuple[str, ...]:
        return (self.header,)
