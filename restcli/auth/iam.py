"""`iam`: AWS Signature Version 4 (Amplify's default mode, and restcli's).

Credentials come from boto3 (a named AWS profile, or its default chain), or straight from
the environment without importing boto3 (restcli/aws/credentials.py); the region and
service from the profile or the endpoint's host (restcli/aws/region.py); signing is
requests-aws4auth with its defects fixed (restcli/aws/sigv4.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import ConfigError
from ..hosts import identity_pool_id_problem, region_problem
from .base import AuthBase, Mode, Param, ProfileValues

# Set by the signer; the date and content hash are worthless to another origin but
# belong to the signature.
SIGNED_HEADERS = ("Authorization", "X-Amz-Security-Token", "X-Amz-Date", "X-Amz-Content-SHA256")

PARAMS = (
    Param("identity_pool_id", "Cognito identity pool id: credentials come from it, as Amplify does",
          check=identity_pool_id_problem),
    Param(
        "guest",
        "with identity_pool_id: always the unauthenticated role (--guest per call)",
        kind=bool,
        default=False,
    ),
    Param(
        "region",
        "AWS region to sign for (default: from the endpoint's host, then AWS_REGION or "
        "AWS_DEFAULT_REGION, then the AWS profile's region)",
        check=region_problem,
    ),
    Param(
        "service",
        "service to sign for (default: execute-api; lambda for a Lambda function URL)",
    ),
    Param(
        "aws_profile",
        "AWS profile for credentials, any kind: keys, assume-role, SSO, credential_process "
        "(default: boto3's credential chain); --aws-profile per call",
    ),
)


def build(settings: ProfileValues):
    # Every mode module loads with the config; the providers only when the mode builds (start-up).
    from ..aws import credentials
    from ..aws import region as regions

    profile = settings.profile
    aws_profile = settings["aws_profile"] or None
    host_region, host_service = regions.from_host(urlsplit(profile.endpoint).hostname)
    service = settings["service"] or host_service or regions.DEFAULT_SERVICE
    if profile.values.get("identity_pool_id"):
        # As Amplify does: guest or signed-in credentials from a Cognito identity pool.
        # identity pools only for the profiles that use one (start-up)
        from ..cognito.identity import IdentityPoolSource

        source = IdentityPoolSource(
            profile, settings.redactor, warn=settings.warn, offline=settings.offline
        )
    else:
        source = credentials.load(aws_profile, offline=settings.offline, warn=settings.warn)
    region = (
        settings["region"] or host_region or regions.from_env() or source.profile_region()
    )
    if not region:
        raise _no_region(settings, aws_profile)
    return SigV4Auth(source, region, service, on_secret=settings.redactor.add)


def _no_region(settings: ProfileValues, aws_profile: str | None):
    profile = settings.profile
    if profile.file is not None:
        what = f"profile {profile.name!r}"
        fix = (
            f'add region = "REGION" (the API\'s region) to [profiles.{profile.name}] '
            f"in {profile.file}"
        )
    else:
        what = profile.name
        fix = "use a profile with a region key"
    also = f"set region in AWS profile {aws_profile!r}" if aws_profile else "export AWS_REGION"
    return ConfigError(
        f"no AWS region for {what} (auth iam): the endpoint's host does not name one, and "
        "neither AWS_REGION, AWS_DEFAULT_REGION nor the AWS profile sets one",
        hint=f"{fix}, or {also}",
    )


class SigV4Auth(AuthBase):
    """The iam mode's auth: a request signed with credentials read for this request."""

    sensitive_headers = SIGNED_HEADERS
    secret_headers = ("Authorization", "X-Amz-Security-Token")

    def __init__(
        self,
        credentials: Any,
        region: str,
        service: str,
        on_secret: Callable[[str | None], None] | None = None,
        now: Callable[[], datetime] | None = None,
    ):
        self.credentials = credentials  # a Source: .get() -> Frozen
        self.region = region
        self.service = service
        self.on_secret = on_secret or (lambda value: None)
        self.now = now or (lambda: datetime.now(UTC))

    def __call__(self, req: Any) -> Any:
        creds = self.credentials.get()
        self.on_secret(creds.secret_key)
        self.on_secret(creds.token)
        # requests-aws4auth loads requests: imported when a request is signed (start-up).
        from ..aws.sigv4 import Signer

        signer = Signer(
            creds.access_key,
            creds.secret_key,
            self.region,
            self.service,
            session_token=creds.token,
            now=self.now,
        )
        return signer(req)

    def environment(self) -> dict[str, str]:
        """The credentials as the AWS_* variables other tools read (restcli env)."""
        creds = self.credentials.get()
        env = {
            "AWS_ACCESS_KEY_ID": creds.access_key,
            "AWS_SECRET_ACCESS_KEY": creds.secret_key,
            "AWS_REGION": self.region,
        }
        if creds.token:
            env["AWS_SESSION_TOKEN"] = creds.token
        return env

    def curl_options(self) -> list[str]:
        """Shell words for curl's own signer, credentials named by the variables above."""
        words = [
            "--aws-sigv4",
            f"'aws:amz:{self.region}:{self.service}'",
            "--user",
            '"${AWS_ACCESS_KEY_ID}:${AWS_SECRET_ACCESS_KEY}"',
        ]
        if self.credentials.get().token:
            words += ["--header", '"X-Amz-Security-Token: ${AWS_SESSION_TOKEN}"']
        return words

    def curl_url(self, url: str, profile: str, warn: Callable[[str], None]) -> str:
        """curl's SigV4 signer does not sort the query (it gets a sorted one), and signs
        percent-escapes in the path differently from AWS (said, not fixable here)."""
        parts = urlsplit(url)
        if "%" in parts.path:
            warn(
                "curl's SigV4 signer signs percent-escapes in the path differently from AWS, "
                "so API Gateway may refuse this command; call restcli itself, or export the "
                f'credentials with eval "$(restcli env {profile})" for a tool that signs them right'
            )
        if not parts.query:
            return url
        pairs = [p.split("=", 1) if "=" in p else [p, ""] for p in parts.query.split("&")]
        query = "&".join(f"{k}={v}" for k, v in sorted(pairs, key=lambda kv: (kv[0], kv[1])))
        return urlunsplit(parts._replace(query=query))

    @property
    def curl_needs_env_export(self) -> bool:
        return not self.credentials.reads_environment

    def __repr__(self) -> str:
        return f"SigV4Auth(region={self.region!r}, service={self.service!r})"


def credentials_from(settings: ProfileValues) -> str:
    """Where SigV4 credentials would come from; nothing is fetched or resolved."""
    values = settings.profile.values
    if values.get("identity_pool_id"):
        role = "the guest role" if values.get("guest") else (
            "the authenticated role when signed in (restcli login), else the guest role")
        return f"Cognito identity pool {values['identity_pool_id']}: {role}"
    if values.get("aws_profile"):
        return f"AWS profile {values['aws_profile']!r} (its keys, role, SSO or credential_process)"
    if os.environ.get("AWS_ACCESS_KEY_ID"):
        return "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment"
    if os.environ.get("AWS_PROFILE"):
        return f"AWS profile {os.environ['AWS_PROFILE']!r} (from AWS_PROFILE)"
    return ("the AWS credential chain: environment, ~/.aws/credentials and config, SSO, "
            "container or instance role")


_SIGNATURE = re.compile(
    r"^(AWS4-HMAC-SHA256 Credential=[^,]+,\s*SignedHeaders=[^,]+,\s*Signature=)(\S+)")


def readable(value: str) -> str | None:
    """A SigV4 Authorization without its signature: the scope (key id, date, region,
    service) and the signed headers are what a user needs to debug a 403."""
    m = _SIGNATURE.match(value)
    return m.group(1) + "…" if m else None


MODE = Mode(name="iam", summary="AWS SigV4 (IAM)", params=PARAMS, build=build,
            credentials_from=credentials_from, readable=readable)
