"""A JWT's claims, read without verifying it: for expiry and for `auth status` only.

restcli is the token's holder, not its audience: the API verifies the signature.
"""

from __future__ import annotations

import base64
import json
from typing import Any


def read(token: str | None) -> dict[str, Any]:
    """The payload of a JWT, or {} when the value is not one."""
    if not token or token.count(".") != 2:
        return {}
    payload = token.split(".")[1]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        data = json.loads(raw)
    except (ValueError, TypeError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def internal_username(id_token: str | None, access_token: str | None) -> str | None:
    """The user's name inside the pool (the `sub` for email-as-username pools), not an alias."""
    return read(access_token).get("username") or read(id_token).get("cognito:username") or None
