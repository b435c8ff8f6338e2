"""One unsigned call to an AWS JSON-1.1 API (Cognito user pools and identity pools).

The user-pool sign-in operations and the identity-pool GetId/GetCredentialsForIdentity
are public APIs: a POST of JSON with an X-Amz-Target header, no signature. Made with
requests so that a call never pays for importing boto3.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from .. import __version__

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0


class AwsError(Exception):
    """An error answer from the service: its error code and message."""

    def __init__(self, code: str, message: str, status: int):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.status = status


def _no_netrc(request: Any) -> Any:
    # An explicit auth keeps requests from adding ~/.netrc credentials for the AWS host.
    return request


def call(
    url: str,
    target: str,
    payload: dict,
    timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
) -> dict:
    """POST the payload; the decoded answer, or AwsError. Transport errors propagate."""
    import requests

    resp = requests.post(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": target,
            "User-Agent": f"restcli/{__version__}",
        },
        timeout=timeout,
        auth=_no_netrc,
        allow_redirects=False,
        verify=os.environ.get("AWS_CA_BUNDLE") or True,
    )
    with resp:
        try:
            body = resp.json() if resp.content else {}
        except ValueError:
            body = {}
        if resp.status_code >= 400 or not isinstance(body, dict):
            raise error_from(resp.status_code, body, resp.text)
        return body


NETWORK_HINT = "check the network (and AWS_ENDPOINT_URL* if set)"


def transport_detail(e: BaseException) -> str:
    """One line for a failure to talk to Cognito, as the API path words it (errors.translate)."""
    from ..errors import translate

    return getattr(translate(e), "message", None) or str(e) or type(e).__name__


def is_transport_error(e: BaseException) -> bool:
    """requests' exceptions (connection, TLS, timeout): looked up, never imported."""
    requests = sys.modules.get("requests")
    return requests is not None and isinstance(e, requests.RequestException)


def unreachable(e: BaseException, doing: str, hint: str = NETWORK_HINT) -> BaseException:
    """A transport failure as CredentialsError (exit 9): `cannot {doing}: {detail}`.

    Anything else is returned as it is, to be raised as the bug it is.
    """
    from ..errors import CredentialsError

    if not is_transport_error(e):
        return e
    return CredentialsError(f"cannot {doing}: {transport_detail(e)}", hint=hint)


def error_from(status: int, body: Any, text: str = "") -> AwsError:
    code = ""
    message = ""
    if isinstance(body, dict):
        code = str(body.get("__type") or body.get("code") or "")
        message = str(body.get("message") or body.get("Message") or "")
    # "com.amazonaws.cognito...#NotAuthorizedException" -> "NotAuthorizedException"
    code = code.rsplit("#", 1)[-1] or f"HTTP {status}"
    if not message and not isinstance(body, dict):
        message = text.strip()[:200]
    return AwsError(code, message, status)
