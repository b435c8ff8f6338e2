"""`cognito`: a Cognito user-pool token in a header (API Gateway's Cognito authorizer).

Tokens come from `restcli login` (SRP or password sign-in, cached and refreshed), from the
client_credentials grant (machine to machine, fetched on demand), or from outside:
RESTCLI_TOKEN or the profile's `token` key, never cached. The work lives in
restcli/cognito/; this module declares the keys and builds the auth.
"""

from __future__ import annotations

import re
from typing import Any

from ..cognito.keys import PARAMS
from .base import HeaderAuth, Mode, ProfileValues


class CognitoAuth(HeaderAuth):
    """Sets the token header, refreshed when due before each request (every page of
    --paginate, every retry); renews the token once when the API answers 401."""

    def __init__(self, header: str, scheme: str, token: str, account: Any = None,
                 tokens: Any = None):
        super().__init__(header, token, scheme)
        self.account = account  # None for an injected token: nothing to renew
        self.tokens = tokens  # the cached Tokens the token came from (their expiry)

    def __call__(self, request: Any) -> Any:
        if self.account is not None and self.tokens is not None and not self.tokens.fresh():
            # A long call (many pages, slow retries) outlives the refresh margin: the
            # account refreshes (once, under its lock) as a new call would.
            self.tokens = self.account.tokens()
            self.token = self.tokens.token(self.account.token_use) or self.token
        return super().__call__(request)

    def renew_after_401(self, response: Any) -> bool:
        if self.account is None:
            return False
        token = self.account.renew(self.token).token(self.account.token_use)
        if not token or token == self.token:
            return False
        self.token = token
        return True


def build(settings: ProfileValues) -> CognitoAuth:
    # Every mode module loads with the config; the provider only when the mode builds (start-up).
    from ..cognito.account import Account, injected_token

    header, scheme = settings["header"], settings["scheme"]
    injected = injected_token(settings)
    if injected is not None:
        return CognitoAuth(header, scheme, injected[0])
    account = Account(settings, warn=settings.warn)
    tokens = account.tokens()
    token = tokens.token(account.token_use)
    if not token:
        raise account.not_signed_in()
    # Known to the redactor with where a fresh one comes from, so `--curl` prints
    # $(restcli auth token PROFILE) instead of the token.
    settings.redactor.add(token, token_reference(settings, account.token_use))
    return CognitoAuth(header, scheme, token, account, tokens)


def token_reference(settings: ProfileValues, use: str) -> str:
    """`command:restcli [--config FILE] auth token PROFILE --id|--access`."""
    from ..locations import default_path  # not loaded for --help (start-up)

    profile = settings.profile
    words = ["restcli"]
    if profile.file is not None and profile.file != default_path():
        words += ["--config", str(profile.file)]
    words += ["auth", "token", profile.name, f"--{use}"]
    return "command:" + " ".join(_quote(w) for w in words)


def _quote(word: str) -> str:
    if re.fullmatch(r"[\w@%+=:,./-]+", word):
        return word
    import shlex  # only for a word that needs quoting (start-up)

    return shlex.quote(word)


MODE = Mode(
    name="cognito", summary="Cognito user-pool token", params=PARAMS, build=build,
    required=("user_pool_id", "client_id"),
)
