"""`api_key`: an API Gateway API key in X-Api-Key (or another header)."""

from __future__ import annotations

from ..hosts import header_name_problem
from .base import HeaderAuth, Mode, Param, ProfileValues

PARAMS = (
    Param("api_key", "the API key (a secret reference: env:, file:, command:)", secret=True),
    Param("api_key_header", "header that carries the key", default="X-Api-Key",
          check=header_name_problem),
)


def build(settings: ProfileValues) -> HeaderAuth:
    return HeaderAuth(settings["api_key_header"], settings.require("api_key"))


MODE = Mode(
    name="api_key", summary="API key header", params=PARAMS, build=build,
    # The header's declared default applies (ProfileValues): written once, in PARAMS.
    credentials_from=lambda settings: f"the api_key key, sent in {settings['api_key_header']}",
    required=("api_key",),
)
