"""The OAuth 2.0 client_credentials grant at a user pool's domain (machine to machine).

POST https://{domain}/oauth2/token with grant_type=client_credentials, the client id and
secret as HTTP Basic, and the scopes; the answer holds an access token only.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from .. import __version__
from ..errors import ConfigError
from ..hosts import LOOPBACK_HOSTS
from ..inert import inert
from .awsjson import CONNECT_TIMEOUT, READ_TIMEOUT, AwsError, bounded_post

# The client secret goes in the request: plain http only to this machine (a local stub).


def token_url(domain: str, where: str = "key 'domain'") -> str:
    """`domain` is a host (myapp.auth.us-east-1.amazoncognito.com) or a base URL.

    An http:// URL would send the client secret in clear text: ConfigError (exit 8) unless
    its host is a loopback one. `where` names the profile and key for that error.
    """
    lower = domain.lower()
    if lower.startswith("https://"):
        base = domain
    elif lower.startswith("http://"):
        try:
            host = urlsplit(domain).hostname
        except ValueError:
            host = None
        if host not in LOOPBACK_HOSTS:
            raise ConfigError(
                f"domain {domain!r} is plain http: the client secret would travel in clear "
                f"text ({where}); http:// is allowed only for 127.0.0.1, ::1 and localhost",
                hint="use the https:// domain, or just its host name",
            )
        base = domain
    else:
        base = f"https://{domain}"
    return base.rstrip("/") + "/oauth2/token"


def client_credentials(
    domain: str, client_id: str, client_secret: str, scopes: str | None,
    where: str = "key 'domain'",
) -> dict:
    """{"access_token", "expires_in", "token_type"}, or AwsError(error, description)."""
    url = token_url(domain, where)  # before anything is sent

    data = {"grant_type": "client_credentials"}
    if scopes:
        data["scope"] = " ".join(scopes.split())
    with bounded_post(
        url,
        (CONNECT_TIMEOUT, READ_TIMEOUT),
        data=data,
        auth=(client_id, client_secret),
        headers={"User-Agent": f"restcli/{__version__}", "Accept": "application/json"},
    ) as (resp, raw):
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            body = None
        if resp.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
            # The server's words reach the terminal: made inert.
            if isinstance(body, dict) and body.get("error"):
                raise AwsError(inert(str(body["error"])),
                               inert(str(body.get("error_description") or "")), resp.status_code)
            text = raw.decode("utf-8", "replace")
            raise AwsError(f"HTTP {resp.status_code}", inert(text.strip()[:200]), resp.status_code)
        return body
