"""Where an AWS call goes: the SDKs' endpoint variables, honoured without boto3.

As botocore resolves them (configprovider.ConfiguredEndpointProvider), first wins:
  1. AWS_ENDPOINT_URL_<SERVICE>: the service's SDK id, upper-cased, spaces (and hyphens)
     as underscores: COGNITO_IDENTITY_PROVIDER, COGNITO_IDENTITY, STS;
  2. AWS_ENDPOINT_URL;
  3. the service's public endpoint in the region.
AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns 1 and 2 off, as it does in the SDKs.
(The SDKs also read `endpoint_url` from ~/.aws/config; restcli's own calls do not.)
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..hosts import aws_host

COGNITO_IDP = "Cognito Identity Provider"
COGNITO_IDENTITY = "Cognito Identity"
STS = "STS"

_HOSTS = {COGNITO_IDP: "cognito-idp", COGNITO_IDENTITY: "cognito-identity", STS: "sts"}


def env_name(service_id: str) -> str:
    return "AWS_ENDPOINT_URL_" + service_id.upper().replace(" ", "_").replace("-", "_")


def configured(service_id: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The endpoint the environment sets for a service, or None."""
    environ = os.environ if environ is None else environ
    if environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() == "true":
        return None
    return environ.get(env_name(service_id)) or environ.get("AWS_ENDPOINT_URL") or None


def default(service_id: str, region: str) -> str:
    """The public endpoint; ConfigError (exit 8) unless `region` is a region name."""
    return f"https://{aws_host(_HOSTS[service_id], region)}/"


def url_for(service_id: str, region: str, environ: Mapping[str, str] | None = None) -> str:
    return configured(service_id, environ) or default(service_id, region)
