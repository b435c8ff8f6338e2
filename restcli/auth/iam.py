"""`iam`: AWS Signature Version 4 (Amplify's default mode, and restcli's).

Credentials come from boto3 (a named AWS profile, or its default chain), or straight from
the environment without importing boto3 (restcli/aws/credentials.py); the region and
service from the profile or the endpoint's host (restcli/aws/region.py); signing is
requests-aws4auth with its defects fixed (restcli/aws/sigv4.py).
"""

from __future__ import annotations

from .base import Mode, Param, Settings

PARAMS = (
    Param("identity_pool_id", "Cognito identity pool id: credentials come from it, as Amplify does"),
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


def build(settings: Settings):
    from urllib.parse import urlsplit

    from ..aws import credentials
    from ..aws import region as regions
    from ..aws.sigv4 import SigV4Auth

    profile = settings.profile
    aws_profile = settings["aws_profile"] or None
    host_region, host_service = regions.from_host(urlsplit(profile.endpoint).hostname)
    service = settings["service"] or host_service or regions.DEFAULT_SERVICE
    if profile.values.get("identity_pool_id"):
        # As Amplify does: guest or signed-in credentials from a Cognito identity pool.
        from ..cognito.identity import IdentityPoolSource

        source = IdentityPoolSource(profile, settings.redactor, warn=settings.warn)
    else:
        source = credentials.load(aws_profile)
    region = (
        settings["region"] or host_region or regions.from_env() or source.profile_region()
    )
    if not region:
        raise _no_region(settings, aws_profile)
    return SigV4Auth(source, region, service, on_secret=settings.redactor.add)


def _no_region(settings: Settings, aws_profile: str | None):
    from ..errors import ConfigError

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


MODE = Mode(name="iam", summary="AWS SigV4 (IAM)", params=PARAMS, build=build)
