"""HTTP facts every layer shares: header names, credential headers, origins, bodies."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

# RFC 9110 token: what a header name may be.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

URLENCODED = "application/x-www-form-urlencoded; charset=utf-8"

# Headers that carry credentials whatever the mode: masked when shown, never sent to
# another origin.
SENSITIVE_HEADERS = frozenset(
    {"authorization", "x-api-key", "x-amz-security-token", "cookie", "proxy-authorization"}
)


def valid_header_name(name: str) -> bool:
    return _HEADER_NAME.fullmatch(name) is not None


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port: what redirects compare.

    A backslash ends the host here as it does where requests connects (urllib3, as
    browsers): `http://a\\@b/` goes to `a`, though urlsplit alone would say `b`.
    """
    parts = urlsplit(url.replace("\\", "/"))
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def seekable(body: Any) -> bool:
    """Whether a body can be read again (for a retry, or after hashing it to sign)."""
    try:
        return bool(body.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def proxy_secrets(proxy: str | None, environ: Any) -> list[str]:
    """Passwords in proxy URLs (--proxy, proxy, *_PROXY): registered to be scrubbed."""
    found = []
    names = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
    for value in (proxy, *(environ.get(n) for n in names)):
        if not value:
            continue
        try:
            parts = urlsplit(value if "://" in value else "http://" + value)
        except ValueError:
            continue
        for secret in (parts.password, parts.username and parts.password and
                       f"{parts.username}:{parts.password}"):
            if secret:
                found.append(secret)
    return found


def is_url(text: str) -> bool:
    """An absolute http(s) URL, the scheme in any case (`HTTP://` too)."""
    return text[:8].lower().startswith(("http://", "https://"))
