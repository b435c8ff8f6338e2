"""What API Gateway's error answers usually mean, as one-line hints for stderr."""

from __future__ import annotations

import json
from typing import Any

from ..deadline import ERROR_BODY_LIMIT, read_capped

_BY_TYPE = {
    "MissingAuthenticationTokenException": (
        "API Gateway says this for a path or stage that does not exist, or for an unsigned "
        "call to an IAM route: check the path and the endpoint's stage, and the auth mode"
    ),
    "ForbiddenException": (
        "check the API key (and that it is in a usage plan for this stage), or the "
        "authorizer's policy"
    ),
    "UnauthorizedException": (
        "the authorizer refused or did not find the token: check the token, its header "
        "and scheme, or sign in again"
    ),
    "AccessDeniedException": "the credentials are valid but not allowed to call this route",
    "UnrecognizedClientException": (
        "the access key or session token is not valid: refresh the credentials "
        "(aws sso login, or new keys)"
    ),
    "ExpiredTokenException": "the credentials have expired: log in again (aws sso login)",
    "InvalidSignatureException": (
        "the signature does not match: check the secret key, the region and the service"
    ),
    "ThrottlingException": "too many requests: retry later or raise --retries",
    "TooManyRequestsException": "too many requests: retry later or raise --retries",
}


NO_CREDENTIALS = (
    "no credentials were sent (auth none, or a URL under no profile's endpoint): use a "
    "profile whose endpoint covers this URL, or --auth MODE"
)


def for_response(resp: Any, credentials_sent: bool = True) -> tuple[str, str | None]:
    """A one-line description of an error response and a hint where a fix is known
    (`credentials_sent` False: a 401 or 403 is first of all a call without any)."""
    etype = (resp.headers.get("x-amzn-ErrorType") or "").split(":", 1)[0]
    request_id = resp.headers.get("x-amzn-RequestId") or resp.headers.get("x-amz-apigw-id")
    extra = [x for x in (etype, f"request id {request_id}" if request_id else "") if x]
    line = f"HTTP {resp.status_code} {resp.reason or ''}".rstrip()
    if extra:
        line += f" ({', '.join(extra)})"
    hint = _BY_TYPE.get(etype)
    if not credentials_sent and resp.status_code in (401, 403) and (
            etype != "MissingAuthenticationTokenException"):
        # (That one is about the path and stage first; its hint names the unsigned case.)
        hint = NO_CREDENTIALS
    message = _message(resp)
    if message:
        lowered = message.lower()
        if "signature expired" in lowered or "signature not yet current" in lowered:
            hint = "the request time is outside the allowed window: check this machine's clock"
        elif "security token included in the request is expired" in lowered:
            hint = "the credentials have expired: log in again (aws sso login, or restcli login)"
    return line, hint


def _message(resp: Any) -> str:
    """API Gateway error bodies are small JSON objects with a message field."""
    if "json" not in (resp.headers.get("Content-Type") or ""):
        return ""

    # Counted in decoded bytes, whatever Content-Length says (it counts compressed ones).
    try:
        body, cut = read_capped(resp, ERROR_BODY_LIMIT)
    except RuntimeError:  # already streamed elsewhere
        return ""
    if cut or not body:
        return ""
    try:
        data = json.loads(body)
    except (ValueError, RuntimeError):
        return ""
    if isinstance(data, dict):
        msg = data.get("message") or data.get("Message") or ""
        return msg if isinstance(msg, str) else ""
    return ""
