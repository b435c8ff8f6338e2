"""One profile's Cognito tokens: from the cache while fresh, refreshed under the lock, removed.

An Account is made from a profile's settings (the cognito mode's parameters). Secret
values (the client secret) are resolved only when a call to Cognito needs them, so a call
with fresh cached tokens reads one file and nothing else.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, CredentialsError
from ..hosts import REGION, region_problem, valid_region
from ..secrets import is_reference
from . import awsjson, claims
from .awsjson import NETWORK_HINT, AwsError
from .cache import Cache
from .oauth import client_credentials, token_url
from .userpool import UserPool

if TYPE_CHECKING:
    from ..params import ProfileValues

# Tokens are refreshed when they have less than this left, so one never expires in flight.
REFRESH_MARGIN = 300.0
ENV_TOKEN = "RESTCLI_TOKEN"
USER_FLOWS = ("srp", "password")
_POOL_REGION = rf"^({REGION.pattern})_"
# A token (a JWT, or any opaque one) is visible ASCII: one holding a line break, a control
# or a non-ASCII character cannot go in a header, so an entry holding one is corrupt.
_TOKEN = re.compile(r"[\x21-\x7e]+")


class Tokens:
    """What a cache entry holds (the cache adds its format and key).

    A plain class: dataclasses (with inspect) would add milliseconds to every call.
    """

    __slots__ = ("access_token", "expires_at", "id_token", "refresh_token", "username", "flow")

    def __init__(
        self,
        access_token: str,
        expires_at: float,
        id_token: str | None = None,
        refresh_token: str | None = None,
        username: str | None = None,  # as typed at login (an alias, perhaps)
        flow: str = "",
    ):
        self.access_token = access_token
        self.expires_at = expires_at
        self.id_token = id_token
        self.refresh_token = refresh_token
        self.username = username
        self.flow = flow

    def __repr__(self) -> str:  # never the tokens
        return f"Tokens(username={self.username!r}, flow={self.flow!r}, expires_at={self.expires_at})"

    @classmethod
    def from_entry(cls, data: dict[str, Any]) -> Tokens | None:
        """Tokens from a cache entry, or None when a field is missing, of the wrong type, or
        a token that no header could carry."""
        access, expires = data.get("access_token"), data.get("expires_at")
        optional = [data.get(k) for k in ("id_token", "refresh_token", "username")]
        flow = data.get("flow", "")
        if not (isinstance(access, str) and _TOKEN.fullmatch(access)):
            return None
        if any(isinstance(v, str) and v and not _TOKEN.fullmatch(v) for v in optional[:2]):
            return None
        if isinstance(expires, bool) or not isinstance(expires, (int, float)):
            return None
        if expires != expires or not isinstance(flow, str):  # NaN
            return None
        if not all(v is None or isinstance(v, str) for v in optional):
            return None
        return cls(access, float(expires), *optional, flow=flow)

    def entry(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "expires_at": self.expires_at,
            "id_token": self.id_token,
            "refresh_token": self.refresh_token,
            "username": self.username,
            "flow": self.flow,
        }

    def token(self, use: str) -> str | None:
        return self.id_token if use == "id" else self.access_token

    def fresh(self, margin: float = REFRESH_MARGIN, now: float | None = None) -> bool:
        return self.expires_at - (time.time() if now is None else now) > margin

    @classmethod
    def from_result(cls, result: dict, username: str | None, flow: str,
                    previous: Tokens | None = None) -> Tokens:
        """From an AuthenticationResult; a refresh keeps the old refresh token if none came."""
        return cls(
            access_token=result["AccessToken"],
            id_token=result.get("IdToken"),
            refresh_token=result.get("RefreshToken") or (previous and previous.refresh_token),
            expires_at=time.time() + float(result.get("ExpiresIn") or 3600),
            username=username,
            flow=flow,
        )


def pool_region(pool_id: str | None) -> str | None:
    m = re.match(_POOL_REGION, pool_id or "")
    return m.group(1) if m else None


class Account:
    def __init__(
        self,
        settings: ProfileValues,
        warn: Callable[[str], None] | None = None,
        username: str | None = None,
        cache: Cache | None = None,
    ):
        self.settings = settings
        self.profile_name = settings.profile.name
        self.warn = warn or (lambda message: None)
        self._username = username
        self.cache = cache or Cache(warn=self.warn)

    # -- settings --------------------------------------------------------------------
    def _need(self, name: str, why: str = "") -> Any:
        value = self.settings[name]
        if value in (None, ""):
            where = self.settings.profile.file
            raise ConfigError(
                f"profile {self.profile_name!r} needs {name!r} for Cognito{why}"
                + (f" (in {where})" if where else ""),
                hint=f'add {name} = "..." to [profiles.{self.profile_name}]',
            )
        return value

    @cached_property
    def flow(self) -> str:
        return self.settings["flow"] or "srp"

    @property
    def machine(self) -> bool:
        return self.flow == "client_credentials"

    @cached_property
    def pool_id(self) -> str | None:
        if self.machine:
            return self.settings["user_pool_id"] or None
        return self._need("user_pool_id")

    @cached_property
    def client_id(self) -> str:
        return self._need("client_id")

    @cached_property
    def region(self) -> str:
        region = self.settings["region"] or pool_region(self.pool_id)
        if region and not valid_region(region):
            raise ConfigError(
                f"profile {self.profile_name!r}, key 'region': {region_problem(region)}"
                + (f" (in {self.settings.profile.file})" if self.settings.profile.file else "")
            )
        if not region:
            raise ConfigError(
                f"no region for the user pool of profile {self.profile_name!r}: "
                f"user_pool_id {self.pool_id!r} does not start with one",
                hint=f'add region = "REGION" to [profiles.{self.profile_name}]',
            )
        return region

    @cached_property
    def token_use(self) -> str:
        use = self.settings["token_use"]
        if self.machine:
            if use == "id":
                raise ConfigError(
                    f"profile {self.profile_name!r}: flow client_credentials gives an access "
                    "token only; token_use = \"id\" cannot work",
                    hint="remove token_use, or set it to \"access\"",
                )
            return "access"
        return use or "id"

    def client_secret(self) -> str | None:
        return self.settings["client_secret"] or None

    def userpool(self, timeout=None):
        kwargs = {"timeout": timeout} if timeout else {}
        return UserPool(self.pool_id, self.region, self.client_id, self.client_secret(), **kwargs)

    # -- cache keys ------------------------------------------------------------------
    def _last_user_key(self) -> tuple[str, ...]:
        return ("last", self.pool_id or "", self.client_id)

    @property
    def username(self) -> str | None:
        """The user whose tokens a call uses: --username, the profile's, or the last login."""
        if self._username:
            return self._username
        if self.settings["username"]:
            return self.settings["username"]
        if self.machine:
            return None
        last = self.cache.read(self._last_user_key())
        name = last.get("username") if last else None
        return name if isinstance(name, str) and name else None

    def key(self) -> tuple[str, ...] | None:
        if self.machine:
            scopes = " ".join(sorted((self.settings["scopes"] or "").split()))
            return ("oauth", self._need("domain"), self.client_id, scopes)
        user = self.username
        return ("tokens", self.pool_id, self.client_id, user) if user else None

    def cache_path(self):
        key = self.key()
        return self.cache.path(key) if key else None

    # -- tokens ----------------------------------------------------------------------
    def cached(self) -> Tokens | None:
        key = self.key()
        if key is None:
            return None
        data = self.cache.read(key)
        if data is None:
            return None
        tokens = Tokens.from_entry(data)
        if tokens is None:
            self.warn(
                f"ignoring corrupt token cache entry {self.cache.path(key)} "
                "(missing fields, fields of the wrong type, or a token no header can carry)"
            )
            return None
        # Known to the redactor from the moment they are read: a service that quotes one
        # in an error (logout, refresh) never gets it printed.
        for token in (tokens.id_token, tokens.access_token, tokens.refresh_token):
            self.settings.redactor.add(token)
        return tokens

    def not_signed_in(self) -> CredentialsError:
        who = f" as {self._username or self.settings['username']}" if (
            self._username or self.settings["username"]) else ""
        return CredentialsError(
            f"not signed in to Cognito{who} for profile {self.profile_name!r}",
            hint=f"run: restcli login {self.profile_name}",
        )

    def tokens(self) -> Tokens:
        """Tokens good for at least REFRESH_MARGIN seconds; no Cognito call while cached."""
        tokens = self.cached()
        if tokens is not None and tokens.fresh():
            return tokens
        if self.settings.offline:
            return self._offline(tokens)
        if tokens is None and not self.machine:
            raise self.not_signed_in()
        return self._renew(stale=None)

    def _offline(self, tokens: Tokens | None) -> Tokens:
        """--offline and --curl connect nowhere: a stale cached token is shown as it is."""
        if tokens is None:
            if self.machine:
                raise CredentialsError(
                    f"no cached token for profile {self.profile_name!r}, and --offline and "
                    "--curl make no connection to fetch one",
                    hint=f"make one call first: restcli get {self.profile_name} /",
                )
            raise self.not_signed_in()
        state = "has expired" if not tokens.fresh(margin=0) else "is about to expire"
        self.warn(
            f"the cached Cognito token {state}; shown as it is (--offline and --curl "
            "make no connection to refresh it)"
        )
        return tokens

    def renew(self, stale: str) -> Tokens:
        """After a 401: new tokens, unless another process has already replaced `stale`."""
        return self._renew(stale=stale)

    def _renew(self, stale: str | None) -> Tokens:
        key = self.key()
        if key is None:
            raise self.not_signed_in()
        with self.cache.lock(key):
            current = self.cached()
            if current is not None and current.fresh():
                if stale is None or current.token(self.token_use) != stale:
                    return current  # refreshed by another process while we waited
            if self.machine:
                tokens = self._fetch_client_credentials()
            else:
                if current is None or not current.refresh_token:
                    raise self.not_signed_in()
                tokens = self._refresh(current)
            self.cache.write(key, tokens.entry())
            return tokens

    def _refresh(self, current: Tokens) -> Tokens:
        self.settings.redactor.add(current.refresh_token)
        internal = claims.internal_username(current.id_token, current.access_token)
        try:
            result = self.userpool().refresh(current.refresh_token, internal or current.username)
        except AwsError as e:
            raise CredentialsError(
                f"cannot refresh the Cognito tokens of profile {self.profile_name!r}: "
                f"{e.code}{': ' + e.message if e.message else ''}",
                hint=f"run: restcli login {self.profile_name}",
            ) from None
        except Exception as e:  # noqa: BLE001 - transport failures, translated with the hint
            raise self._unreachable(e, "refresh the tokens") from None
        tokens = Tokens.from_result(result, current.username, current.flow, previous=current)
        self._register(tokens)
        return tokens

    def _fetch_client_credentials(self) -> Tokens:
        domain = self._need("domain", " (flow client_credentials)")
        where = self.settings.where("domain")
        token_url(domain, where)  # a plain-http domain is refused before the secret is read
        secret = self.client_secret()
        if not secret:
            self._need("client_secret", " (flow client_credentials)")
        try:
            body = client_credentials(
                domain, self.client_id, secret, self.settings["scopes"], where)
        except AwsError as e:
            raise CredentialsError(
                f"the Cognito domain {domain} refused a client_credentials token for profile "
                f"{self.profile_name!r}: {e.code}{': ' + e.message if e.message else ''}",
                hint="check client_id, client_secret and scopes (the app client must allow "
                "the client_credentials grant and those scopes)",
            ) from None
        except Exception as e:  # noqa: BLE001 - transport failures
            raise self._unreachable(e, "get a client_credentials token") from None
        tokens = Tokens(
            access_token=body["access_token"],
            expires_at=time.time() + float(body.get("expires_in") or 3600),
            flow="client_credentials",
        )
        self._register(tokens)
        return tokens

    def _unreachable(self, e: BaseException, doing: str) -> BaseException:
        """A transport failure talking to Cognito: CredentialsError (exit 9) with the hints."""
        return awsjson.unreachable(
            e,
            f"{doing} for profile {self.profile_name!r}",
            f"{NETWORK_HINT}; if it persists, run: restcli login {self.profile_name}",
        )

    def _register(self, tokens: Tokens) -> None:
        for value in (tokens.access_token, tokens.id_token, tokens.refresh_token):
            self.settings.redactor.add(value)

    # -- sign-in and out -------------------------------------------------------------
    def store_login(self, result: dict, username: str) -> Tokens:
        self._username = username
        tokens = Tokens.from_result(result, username, self.flow)
        self._register(tokens)
        key = self.key()
        assert key is not None
        with self.cache.lock(key):
            self.cache.write(key, tokens.entry())
        self.cache.write(self._last_user_key(), {"username": username})
        return tokens

    def store_client_credentials(self) -> Tokens:
        key = self.key()
        assert key is not None
        with self.cache.lock(key):
            tokens = self._fetch_client_credentials()
            self.cache.write(key, tokens.entry())
        return tokens

    def forget(self) -> bool:
        """Remove this user's entry (and the last-login pointer when it names them)."""
        key = self.key()
        if key is None:
            return False
        removed = self.cache.delete(key)
        if not self.machine:
            last = self.cache.read(self._last_user_key())
            if last and last.get("username") == key[-1]:
                self.cache.delete(self._last_user_key())
        return removed


def injected_token(settings: ProfileValues) -> tuple[str, str] | None:
    """A token handed in from outside (CI): RESTCLI_TOKEN, else the profile's `token` key."""
    value = os.environ.get(ENV_TOKEN, "").strip()
    if value:
        settings.redactor.add(value, f"env:{ENV_TOKEN}")
        return value, ENV_TOKEN
    value = settings["token"]
    if value:
        token = str(value).strip()
        settings.redactor.add(token, settings.profile.values.get("token"))  # as sent
        return token, f"the profile's token key ({token_source(settings)})"
    return None


def token_source(settings: ProfileValues) -> str:
    """Where the profile's `token` comes from, never the token: its reference, if it is one."""
    raw = settings.profile.values.get("token")
    return raw if is_reference(raw) else "a literal in the profiles file"
