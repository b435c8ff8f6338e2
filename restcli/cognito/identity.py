"""AWS credentials from a Cognito identity pool, for `iam` profiles with `identity_pool_id`.

As Amplify does: GetId, then GetCredentialsForIdentity (both unsigned; no AWS credentials
needed). With a cached sign-in of the profile's user pool (`user_pool_id` and `client_id`,
`restcli login`) the Logins map `cognito-idp.{region}.amazonaws.com/{user_pool_id}` =
ID token gives the authenticated role; otherwise (or with `guest`, `--guest`) the
unauthenticated one.

Cached in the token cache (cache.py): the identity id per pool and user ("guest" for the
unauthenticated one: every guest GetId makes a new identity), and the credentials until
CREDENTIALS_MARGIN seconds before they expire. A token handed in from outside
(RESTCLI_TOKEN) is used for the Logins map but nothing derived from it is cached.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..aws.credentials import Frozen, PlaceholderSource
from ..errors import ConfigError, CredentialsError
from ..hosts import REGION
from ..params import ProfileValues
from ..secrets import Redactor
from . import awsjson, claims, endpoints
from .account import Account, injected_token
from .cache import Cache
from .keys import USER_POOL

if TYPE_CHECKING:
    from ..config import Profile

TARGET = "AWSCognitoIdentityService."
# Refetch this long before expiry. Cognito's credentials last an hour; moto's 90 s (a
# margin of 90 s or more would refetch on every call there).
CREDENTIALS_MARGIN = 60.0
GUEST = "guest"


def pool_region(identity_pool_id: str) -> str:
    m = re.match(rf"^({REGION.pattern}):", identity_pool_id or "")
    if not m:
        raise ConfigError(
            f"identity_pool_id {identity_pool_id!r} does not start with a region "
            "(REGION:GUID, e.g. us-east-1:0000aaaa-...)"
        )
    return m.group(1)


class Login:
    """Who asks: the Logins map entry and the subject the caches are kept under."""

    def __init__(self, provider: str, id_token: str, subject: str, injected: bool = False):
        self.provider = provider
        self.id_token = id_token
        self.subject = subject
        self.injected = injected


def _settings(profile: Profile, redactor: Redactor, warn=None) -> ProfileValues:
    return ProfileValues(profile, USER_POOL, redactor, warn)


def _account(profile: Profile, redactor: Redactor, warn, offline: bool = False) -> Account:
    settings = _settings(profile, redactor, warn)
    settings.offline = offline
    return Account(settings, warn=warn)


def provider_name(account: Account) -> str:
    return f"cognito-idp.{account.region}.amazonaws.com/{account.pool_id}"


def login_for(
    profile: Profile, redactor: Redactor, warn=None, offline: bool = False
) -> Login | None:
    """The signed-in user's Login, or None for the unauthenticated (guest) role."""
    # identity_pool_id and guest are read from the profile's values, not the cognito
    # mode's ProfileValues: they may be declared by the iam mode.
    if profile.values.get("guest") or not (
        profile.values.get("user_pool_id") and profile.values.get("client_id")
    ):
        return None
    settings = _settings(profile, redactor, warn)
    account = _account(profile, redactor, warn, offline)
    if account.machine:
        return None  # client_credentials has no ID token: no user to log in
    injected = injected_token(settings)
    if injected is not None:
        token = injected[0]
        c = claims.read(token)
        if c.get("token_use") not in (None, "id"):
            raise CredentialsError(
                f"the token in {injected[1]} is an {c.get('token_use')} token; an identity "
                "pool takes the ID token",
                hint=f"pass the ID token (restcli auth token {profile.name} --id)",
            )
        return Login(provider_name(account), token, _subject(c, "injected"), True)
    if account.cached() is None:
        # Nobody signed in: the guest role, as Amplify does. Said plainly, since the user
        # pool in the profile suggests a user's credentials (--guest, `guest`: asked for).
        if warn is not None:
            warn(f"no one is signed in to profile {profile.name!r}: using the identity "
                 f"pool's guest (unauthenticated) role (restcli login {profile.name} signs in)")
        return None
    tokens = account.tokens()  # refreshed when due; a refused refresh says "restcli login"
    if not tokens.id_token:
        raise account.not_signed_in()
    return _login_of(account, tokens.id_token, tokens.username)


def _key(kind: str, pool: str, login: Login | None) -> tuple[str, ...]:
    if login is None:
        return (kind, pool, "", GUEST)
    return (kind, pool, login.provider, login.subject)


def credentials(
    profile: Profile,
    redactor: Redactor | None = None,
    warn: Callable[[str], None] | None = None,
    offline: bool = False,
) -> tuple[str, str, str, float]:
    """(access_key, secret_key, session_token, expiry as epoch seconds) for the profile.

    `guest` (the profile key, or --guest for one call) forces the unauthenticated role.
    `offline` (--offline, --curl): cached credentials as they are, no connection.
    """
    redactor = redactor if redactor is not None else Redactor()
    warn = warn or _settings(profile, redactor).warn  # no warner given: warnings are dropped
    pool = profile.values.get("identity_pool_id")
    if not pool:
        raise ConfigError(f"profile {profile.name!r} has no identity_pool_id")
    region = pool_region(pool)
    login = login_for(profile, redactor, warn, offline)
    cache = Cache(warn=warn)
    persist = login is None or not login.injected
    if offline:
        # The login as it is: an injected token's credentials are never cached, and the
        # guest role's must not stand in for them.
        creds = _offline_credentials(profile.name, cache, pool, login, warn)
    elif not persist:
        creds = _fetch(profile.name, pool, region, login, None)[1]
    else:
        key = _key("awscreds", pool, login)
        creds = _fresh(cache.read(key))
        if creds is None:
            with cache.lock(key):
                creds = _fresh(cache.read(key))
                if creds is None:
                    id_key = _key("identity", pool, login)
                    known = (cache.read(id_key) or {}).get("identity_id")
                    identity_id, creds = _fetch(profile.name, pool, region, login, known)
                    if identity_id != known:
                        cache.write(id_key, {"identity_id": identity_id})
                    cache.write(key, creds)
    for value in (creds["secret_key"], creds["session_token"]):
        redactor.add(value)
    return creds["access_key"], creds["secret_key"], creds["session_token"], creds["expires_at"]


def _offline_credentials(name: str, cache, pool: str, login: Login | None, warn) -> dict:
    data = cache.read(_key("awscreds", pool, login)) if login is None or not login.injected else None
    fields = ("access_key", "secret_key", "session_token")
    if (not data or not all(isinstance(data.get(k), str) for k in fields)
            or isinstance(data.get("expires_at"), bool)
            or not isinstance(data.get("expires_at"), (int, float))):
        # --curl needs none (the command reads AWS_* from `restcli env`); --offline signs
        # with placeholders and says so.
        warn(f"no cached identity-pool credentials for profile {name!r}: signed with "
             "placeholders (--offline and --curl make no connection to fetch them)")
        placeholder = PlaceholderSource(None).get()
        return {"access_key": placeholder.access_key, "secret_key": placeholder.secret_key,
                "session_token": "placeholder", "expires_at": time.time() + 3600}
    if _fresh(data) is None:
        warn("the cached identity-pool credentials have expired; shown as they are "
             "(--offline and --curl make no connection to refresh them)")
    return data


def _fresh(data: dict | None) -> dict | None:
    if not data:
        return None
    keys = ("access_key", "secret_key", "session_token")
    if not all(isinstance(data.get(k), str) and data[k] for k in keys):
        return None  # a corrupt entry: fetched again
    try:
        if float(data["expires_at"]) - time.time() > CREDENTIALS_MARGIN:
            return data
    except (KeyError, TypeError, ValueError):
        pass
    return None


def _fetch(
    name: str, pool: str, region: str, login: Login | None, identity_id: str | None
) -> tuple[str, dict]:
    """GetId (unless the identity id is known), then GetCredentialsForIdentity."""
    url = endpoints.url_for(endpoints.COGNITO_IDENTITY, region)
    logins = {login.provider: login.id_token} if login else None

    def call(operation: str, payload: dict) -> dict:
        if logins:
            payload["Logins"] = logins
        try:
            return awsjson.call(url, TARGET + operation, payload)
        except awsjson.AwsError:
            raise
        except Exception as e:  # noqa: BLE001 - transport failures
            raise awsjson.unreachable(
                e, f"get credentials from identity pool {pool} for profile {name!r}"
            ) from None

    try:
        for attempt in (1, 2):
            if identity_id is None:
                identity_id = call("GetId", {"IdentityPoolId": pool})["IdentityId"]
            try:
                answer = call("GetCredentialsForIdentity", {"IdentityId": identity_id})
                break
            except awsjson.AwsError as e:
                # A cached identity that was deleted or merged: get a new one, once.
                if attempt == 1 and e.code == "ResourceNotFoundException":
                    identity_id = None
                    continue
                raise
    except awsjson.AwsError as e:
        raise _refused(e, name, pool, login) from None
    c = answer["Credentials"]
    return answer.get("IdentityId") or identity_id, {
        "identity_id": answer.get("IdentityId") or identity_id,
        "access_key": c["AccessKeyId"],
        "secret_key": c["SecretKey"],
        "session_token": c["SessionToken"],
        "expires_at": _epoch(c.get("Expiration")),
        "role": "authenticated" if login else "unauthenticated",
    }


def _epoch(value: Any) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return time.time() + 300
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    return time.time() + 300


def _refused(e: awsjson.AwsError, name: str, pool: str, login: Login | None) -> CredentialsError:
    detail = f"{e.code}{': ' + e.message if e.message else ''}"
    hint = None
    if login is None and "unauthenticated" in e.message.lower():
        hint = f"the identity pool has no guest access: sign in with restcli login {name}"
    elif login is not None and e.code == "NotAuthorizedException":
        hint = (
            "the identity pool does not trust this user pool and app client, or the ID "
            f"token was refused; check the pool's providers, or run restcli login {name}"
        )
    elif e.code == "ResourceNotFoundException":
        hint = "check identity_pool_id (and its region)"
    elif e.code == "InvalidIdentityPoolConfigurationException":
        hint = "the identity pool has no role for this kind of identity"
    return CredentialsError(
        f"identity pool {pool} refused credentials for profile {name!r} "
        f"({'signed in' if login else 'guest'}): {detail}",
        hint=hint,
    )


class IdentityPoolSource:
    """A credential Source for the iam mode (like restcli.aws.credentials' EnvSource).

    get() returns restcli.aws.credentials.Frozen, refetched shortly before expiry.
    """

    aws_profile = None
    reads_environment = False  # --curl: the command needs `eval "$(restcli env PROFILE)"`

    def __init__(self, profile: Profile, redactor: Redactor | None = None,
                 warn: Callable[[str], None] | None = None, offline: bool = False):
        self.profile = profile
        self.redactor = redactor if redactor is not None else Redactor()
        # The application's warner: stderr, scrubbed of every secret this run has resolved.
        self.warn = warn or _settings(profile, self.redactor).warn
        self.pool = profile.values.get("identity_pool_id")
        self.label = f"Cognito identity pool {self.pool}"
        self.offline = offline
        self._creds = credentials(profile, self.redactor, self.warn, offline)

    def get(self):
        if self._creds[3] - time.time() <= CREDENTIALS_MARGIN / 2:
            self._creds = credentials(self.profile, self.redactor, self.warn, self.offline)
        access_key, secret_key, token, _ = self._creds
        return Frozen(access_key, secret_key, token)

    def profile_region(self) -> str | None:
        return pool_region(self.pool)


# -- for auth status and logout ----------------------------------------------------------
def cached_identity_id(account: Account) -> str | None:
    pool = account.settings.profile.values.get("identity_pool_id")
    tokens = account.cached() if pool else None
    if not pool or tokens is None or not tokens.id_token or account.machine:
        return None
    login = _login_of(account, tokens.id_token)
    data = account.cache.read(_key("identity", pool, login))
    return (data or {}).get("identity_id")


def forget(account: Account, id_token: str | None) -> None:
    """On logout: drop the user's authenticated credentials (the identity id may stay)."""
    pool = account.settings.profile.values.get("identity_pool_id")
    if pool and id_token and not account.machine:
        account.cache.delete(_key("awscreds", pool, _login_of(account, id_token)))


def _login_of(account: Account, id_token: str, fallback: str | None = None) -> Login:
    return Login(provider_name(account), id_token, _subject(claims.read(id_token), fallback))


def _subject(id_claims: dict, fallback: str | None) -> str:
    # `sub` never changes for a user; names and aliases can
    return str(id_claims.get("sub") or id_claims.get("cognito:username") or fallback)
