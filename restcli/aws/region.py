"""Region and service for SigV4: from the profile, the endpoint's host, or the environment.

The order (the first that gives a value wins):
  region:  the profile's `region` key > the host (execute-api, Lambda function URL) >
           AWS_REGION / AWS_DEFAULT_REGION > the AWS profile's region > an error.
  service: the profile's `service` key > the host (`lambda` for function URLs) > execute-api.
There is never a silent us-east-1: a wrong region is an opaque 403 from AWS.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from ..hosts import REGION

DEFAULT_SERVICE = "execute-api"
_REGION = f"({REGION.pattern})"
# {api-id}.execute-api.{region}.amazonaws.com, private APIs ({api-id}-{vpce-id}.execute-api
# ... and {vpce-id}.execute-api.{region}.vpce.amazonaws.com), and the China partition.
_EXECUTE_API = re.compile(rf"^[^.]+\.execute-api\.{_REGION}\.(?:vpce\.)?amazonaws\.com(?:\.cn)?$")
# Lambda function URLs: {url-id}.lambda-url.{region}.on.aws, signed for service `lambda`.
_LAMBDA_URL = re.compile(rf"^[^.]+\.lambda-url\.{_REGION}\.on\.aws$")


def from_host(host: str | None) -> tuple[str | None, str | None]:
    """(region, service) that an AWS hostname names, or (None, None) for any other host."""
    host = (host or "").lower().rstrip(".")
    m = _EXECUTE_API.match(host)
    if m:
        return m.group(1), "execute-api"
    m = _LAMBDA_URL.match(host)
    if m:
        return m.group(1), "lambda"
    return None, None


def from_env(environ: Mapping[str, str] | None = None) -> str | None:
    environ = os.environ if environ is None else environ
    return environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None
