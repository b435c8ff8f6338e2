"""AWS credentials for the iam mode: where they come from, and what to say when they do not.

Two paths, both giving a Source whose get() returns the credentials to sign one request:

* the fast path: no AWS profile named, and AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set
  (with AWS_SECURITY_TOKEN or AWS_SESSION_TOKEN when present). These are exactly what
  boto3's chain would pick first, and boto3's import is a large share of a call's start-up,
  so it is skipped.
* boto3: the named profile (`aws_profile` or --aws-profile), whatever it is (static keys,
  assume-role, SSO, credential_process), or else the default chain (environment, shared
  files, SSO, web identity, container and instance roles). The profile name is never
  defaulted to "default" here; boto3 decides, as the AWS CLI would.

Temporary credentials are read with get_frozen_credentials() for every signing: botocore
refreshes them (under its own lock) when they near expiry, and the frozen triple can never
mix one generation's key id with another's secret.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..errors import CredentialsError
from ..record import record

ENV_HINT = "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)"


@record
class Frozen:
    """One generation of credentials: key id, secret and session token travel together."""

    __hidden__ = ("secret_key", "token")

    access_key: str
    secret_key: str
    token: str | None = None


class EnvSource:
    """Credentials from the environment (the fast path): fixed for the whole run."""

    label = "environment variables"
    reads_environment = True

    def __init__(self, frozen: Frozen, aws_profile: str | None = None):
        self.frozen = frozen
        self.aws_profile = aws_profile

    def get(self) -> Frozen:
        return self.frozen

    def profile_region(self) -> str | None:
        # Only asked when neither the profile, the host nor AWS_REGION gave a region; the
        # region in ~/.aws/config is then botocore's to read, as the chain would.
        return _boto_session(None).get_config_variable("region")


class BotoSource:
    """Credentials from a boto3 session; refreshable ones are refreshed by botocore."""

    reads_environment = False

    def __init__(self, session: Any, credentials: Any, aws_profile: str | None):
        self.session = session
        self.credentials = credentials
        self.aws_profile = aws_profile
        self.label = f"AWS profile {aws_profile!r}" if aws_profile else "the AWS credential chain"

    def get(self) -> Frozen:
        try:
            c = self.credentials.get_frozen_credentials()
        except Exception as e:  # noqa: BLE001 - botocore's errors are turned into one with a hint
            raise translate(e, self.aws_profile) from None
        if not c.access_key or not c.secret_key:
            raise missing(self.aws_profile)
        return Frozen(c.access_key, c.secret_key, c.token or None)

    def profile_region(self) -> str | None:
        try:
            return self.session.get_config_variable("region")
        except Exception as e:  # noqa: BLE001
            raise translate(e, self.aws_profile) from None


class PlaceholderSource:
    """--offline and --curl connect nowhere: credentials that only botocore could get (a
    role, SSO, a container or instance role) are not fetched, and the request shown is
    signed with these made-up ones instead (the caller says so on stderr)."""

    reads_environment = False
    label = "placeholder credentials (--offline, --curl)"

    def __init__(self, aws_profile: str | None):
        self.aws_profile = aws_profile

    def get(self) -> Frozen:
        return Frozen("AKIDOFFLINEPLACEHOLDER", "offline-placeholder-secret", None)

    def profile_region(self) -> str | None:
        return None


def load(
    aws_profile: str | None,
    environ: Mapping[str, str] | None = None,
    offline: bool = False,
    warn=None,
) -> EnvSource | BotoSource | StaticProfileSource | PlaceholderSource:
    """The credential source for a call; boto3 is imported only off the fast path.

    `offline` (--offline, --curl): plain keys from the environment or the AWS files are
    used as usual; anything botocore would have to fetch is replaced by placeholders.
    """
    environ = os.environ if environ is None else environ
    if offline:
        return _offline(aws_profile, environ, warn or (lambda message: None))
    if not aws_profile:
        frozen = from_environment(environ)
        if frozen is not None:
            return EnvSource(frozen)
    else:
        static = StaticProfileSource.read(aws_profile, environ)
        if static is not None:
            return static
    session = _boto_session(aws_profile)
    try:
        credentials = session.get_credentials()
    except Exception as e:  # noqa: BLE001
        raise translate(e, aws_profile) from None
    if credentials is None:
        raise missing(aws_profile)
    return BotoSource(session, credentials, aws_profile)


def _offline(aws_profile: str | None, environ: Mapping[str, str], warn) -> Any:
    if not aws_profile:
        frozen = from_environment(environ)
        if frozen is not None:
            return EnvSource(frozen)
    name = aws_profile or environ.get("AWS_PROFILE") or "default"
    static = StaticProfileSource.read(name, environ)
    if static is not None:
        return static
    keys = _profile_keys(name, environ)
    if "credential_process" in keys and not keys & _fetched():
        # A program of the user's, run locally as a `command:` reference would be.
        return load(aws_profile, environ)
    warn(
        f"the credentials of AWS profile {name!r} would have to be fetched (a role, SSO, or "
        "an instance role), and --offline and --curl connect nowhere: the request shown is "
        "signed with placeholder credentials"
    )
    return PlaceholderSource(aws_profile)


# Profile keys that make botocore ask a service (STS, SSO) or a metadata endpoint.
def _fetched() -> frozenset[str]:
    return StaticProfileSource._NEEDS_BOTOCORE - {"credential_process"}


def _profile_keys(name: str, environ: Mapping[str, str]) -> set[str]:
    """The keys a named profile sets in ~/.aws/config and ~/.aws/credentials."""
    import configparser  # only off the fast path (start-up)

    home = os.path.expanduser("~")
    found: set[str] = set()
    for path, section in (
        (environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(home, ".aws", "credentials"), name),
        (environ.get("AWS_CONFIG_FILE") or os.path.join(home, ".aws", "config"),
         "default" if name == "default" else f"profile {name}"),
    ):
        parser = configparser.RawConfigParser()
        try:
            parser.read(os.path.expanduser(path), encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue
        if parser.has_section(section):
            found.update(parser.options(section))
    return found


class StaticProfileSource:
    """A named AWS profile that holds plain keys, read without importing boto3.

    botocore would return exactly these keys for such a profile; anything it would have
    to act on (roles, SSO, credential_process, web identity) leaves the profile to it.
    """

    reads_environment = False
    _NEEDS_BOTOCORE = frozenset({
        "role_arn", "source_profile", "credential_source", "credential_process",
        "sso_session", "sso_start_url", "sso_account_id", "sso_role_name",
        "web_identity_token_file", "login_session",
    })

    def __init__(self, frozen: Frozen, region: str | None, aws_profile: str):
        self.frozen = frozen
        self.region = region
        self.aws_profile = aws_profile
        self.label = f"AWS profile {aws_profile!r}"

    @classmethod
    def read(cls, name: str, environ: Mapping[str, str]) -> StaticProfileSource | None:
        # configparser only to read a static profile (start-up)
        import configparser

        home = os.path.expanduser("~")
        config_path = environ.get("AWS_CONFIG_FILE") or os.path.join(home, ".aws", "config")
        creds_path = environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(
            home, ".aws", "credentials"
        )
        sections = []
        for path, section in ((creds_path, name), (config_path, f"profile {name}")):
            parser = configparser.RawConfigParser()
            try:
                parser.read(os.path.expanduser(path), encoding="utf-8")
            except (configparser.Error, UnicodeDecodeError):
                return None  # botocore reports a broken file better
            if parser.has_section(section):
                sections.append(dict(parser.items(section)))
            elif name == "default" and parser.has_section("default"):
                sections.append(dict(parser.items("default")))
            else:
                sections.append({})
        creds, config = sections
        if cls._NEEDS_BOTOCORE & (set(creds) | set(config)):
            return None
        source = creds if creds.get("aws_access_key_id") else config
        key = source.get("aws_access_key_id", "").strip()
        secret = source.get("aws_secret_access_key", "").strip()
        if not key or not secret:
            return None
        token = (source.get("aws_session_token") or source.get("aws_security_token") or "").strip()
        region = (config.get("region") or "").strip() or None
        return cls(Frozen(key, secret, token or None), region, name)

    def get(self) -> Frozen:
        return self.frozen

    def profile_region(self) -> str | None:
        return self.region


def from_environment(environ: Mapping[str, str]) -> Frozen | None:
    """The environment's credentials when the chain would certainly pick them, else None.

    Mirrors botocore's EnvProvider: both variables non-empty, AWS_SECURITY_TOKEN before
    AWS_SESSION_TOKEN. Only one of the two set is left to botocore, which names the one
    missing. An expiry (AWS_CREDENTIAL_EXPIRATION) already past is an error here, as it is
    there; one that cannot be read is left to botocore too.
    """
    access_key = environ.get("AWS_ACCESS_KEY_ID", "")
    secret_key = environ.get("AWS_SECRET_ACCESS_KEY", "")
    if not access_key or not secret_key:
        return None
    expiry = environ.get("AWS_CREDENTIAL_EXPIRATION", "")
    if expiry:
        when = _parse_time(expiry)
        if when is None:
            return None
        if when <= datetime.now(UTC):
            raise CredentialsError(
                f"the AWS credentials in the environment expired at {expiry} "
                "(AWS_CREDENTIAL_EXPIRATION)",
                hint="get new temporary credentials and export them again",
            )
    token = environ.get("AWS_SECURITY_TOKEN") or environ.get("AWS_SESSION_TOKEN") or None
    return Frozen(access_key, secret_key, token)


def _parse_time(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _boto_session(aws_profile: str | None) -> Any:
    # botocore's session, not boto3's: boto3 would also import s3transfer and more that
    # signing never uses (~30 ms, benchmarks/RESULTS.md). The credential chain is the same.
    # botocore only when the chain is needed (start-up)
    import botocore.session

    try:
        return botocore.session.Session(profile=aws_profile or None)
    except Exception as e:  # noqa: BLE001
        raise translate(e, aws_profile) from None


def missing(aws_profile: str | None) -> CredentialsError:
    if aws_profile:
        return CredentialsError(
            f"no AWS credentials in AWS profile {aws_profile!r}",
            hint=f"run: aws configure --profile {aws_profile}, or for SSO: "
            f"aws sso login --profile {aws_profile}",
        )
    return CredentialsError(
        "no AWS credentials found (environment, ~/.aws files, SSO, container or instance role)",
        hint=f"run: aws configure, or aws sso login --profile NAME and pass --aws-profile NAME "
        f"(or set aws_profile in the profile), or {ENV_HINT}",
    )


def translate(exc: BaseException, aws_profile: str | None) -> BaseException:
    """botocore's credential errors as CredentialsError (exit 9) with the fix in the hint."""
    # botocore only when the chain is needed (start-up)
    import botocore.exceptions as bx

    if isinstance(exc, CredentialsError):
        return exc
    who = f"AWS profile {aws_profile!r}" if aws_profile else "the default AWS credentials"
    profile_arg = f" --profile {aws_profile}" if aws_profile else ""
    for kind in (_config_problem, _login_problem, _source_problem):
        found = kind(exc, bx, aws_profile, who, profile_arg)
        if found is not None:
            return found
    return exc


def _config_problem(exc, bx, aws_profile, who, profile_arg) -> CredentialsError | None:
    """The AWS config names no usable credentials."""
    if isinstance(exc, bx.ProfileNotFound):
        name = exc.kwargs.get("profile", aws_profile)
        where = "named by AWS_PROFILE " if not aws_profile else ""
        return CredentialsError(
            f"AWS profile {name!r} {where}not found in {_config_file()}",
            hint=_known_profiles_hint(name),
        )
    if isinstance(exc, bx.NoCredentialsError):
        return missing(aws_profile)
    if isinstance(exc, bx.PartialCredentialsError):
        return CredentialsError(
            f"incomplete AWS credentials: {exc}",
            hint=f"set both parts ({exc.kwargs.get('cred_var', 'the missing one')} is missing), "
            f"or {ENV_HINT}",
        )
    return None


def _login_problem(exc, bx, aws_profile, who, profile_arg) -> CredentialsError | None:
    """A login session (SSO, aws login, credential_process) that cannot give credentials."""
    if isinstance(exc, bx.SSOError) or (
        isinstance(exc, bx.TokenRetrievalError) and "sso" in str(exc).lower()
    ):
        return CredentialsError(
            f"the SSO session for {who} has expired or is not logged in",
            hint=f"log in again: aws sso login{profile_arg or ' --profile NAME'}",
        )
    if isinstance(exc, (bx.LoginError, bx.TokenRetrievalError)):
        return CredentialsError(
            f"cannot refresh the login session for {who}: {exc}",
            hint=f"log in again: aws login{profile_arg}",
        )
    if isinstance(exc, bx.CredentialRetrievalError):
        return CredentialsError(
            f"cannot get AWS credentials for {who}: {exc}",
            hint="check the profile's credential_process command, or its role",
        )
    if isinstance(exc, OSError):
        # botocore runs credential_process itself; a missing program surfaces as OSError.
        return CredentialsError(
            f"cannot get AWS credentials for {who}: {exc.strerror or exc}"
            + (f": {exc.filename}" if exc.filename else ""),
            hint="check the profile's credential_process command",
        )
    return None


def _source_problem(exc, bx, aws_profile, who, profile_arg) -> CredentialsError | None:
    """The service behind the credentials (STS, a role) refused or they expired."""
    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code, message = error.get("Code", ""), error.get("Message", str(exc))
        if "expired" in code.lower() or "expired" in message.lower():
            return CredentialsError(
                f"the credentials behind {who} have expired ({code}: {message})",
                hint=f"log in again (aws sso login{profile_arg}) or renew the source keys",
            )
        return CredentialsError(
            f"cannot get AWS credentials for {who}: {code}: {message}",
            hint="check the role (role_arn, its trust policy) and the source credentials",
        )
    if isinstance(exc, bx.RefreshWithMFAUnsupportedError):
        return CredentialsError(
            f"the credentials of {who} need a new MFA code, which restcli cannot ask for",
            hint=f"run: aws sts get-session-token, or aws sso login{profile_arg}",
        )
    if isinstance(exc, RuntimeError) and "expired" in str(exc):
        # botocore: "Credentials were refreshed, but the refreshed credentials are still expired."
        return CredentialsError(
            f"the credentials of {who} have expired and could not be refreshed",
            hint=f"log in again (aws sso login{profile_arg}) or get new credentials",
        )
    if isinstance(exc, bx.BotoCoreError):
        return CredentialsError(
            f"cannot get AWS credentials for {who}: {exc}",
            hint=f"check {'the profile in ' if aws_profile else ''}{_config_file()}",
        )
    return None


def _config_file() -> str:
    return os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"


def _known_profiles_hint(name: str | None) -> str:
    try:
        # botocore only for this hint (start-up)
        import botocore.session

        known = sorted(botocore.session.Session().available_profiles)
    except Exception:  # noqa: BLE001 - a hint must never fail
        known = []
    listed = ", ".join(known) if known else "(none)"
    return f"known AWS profiles: {listed}; create it with: aws configure --profile {name}"
