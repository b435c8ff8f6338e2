"""`token`: a custom (Lambda authorizer) or bearer token in a header."""

from __future__ import annotations

from ..hosts import header_name_problem
from .base import HeaderAuth, Mode, Param, ProfileValues

PARAMS = (
    Param("token", "the token (a secret reference: env:, file:, command:)", secret=True),
    Param("header", "header that carries the token", default="Authorization",
          check=header_name_problem),
    Param("scheme", 'prefix before the token, e.g. "Bearer"; "" sends it raw', default=""),
)


def build(settings: ProfileValues) -> HeaderAuth:
    return HeaderAuth(settings["header"], settings.require("token"), settings["scheme"])


def credentials_from(settings: ProfileValues) -> str:
    scheme = settings["scheme"]
    return f"the token key, sent in {settings['header']}" + (f" after {scheme!r}" if scheme else "")


MODE = Mode(name="token", summary="custom or bearer token", params=PARAMS, build=build,
            credentials_from=credentials_from, prints_token=True, required=("token",))
