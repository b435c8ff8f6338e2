"""Secrets: values replaced by *** in everything restcli writes (as Hurl's --secret).

A secret rarely travels as typed: a `[Query]` value is percent-encoded in the URL that
-v, `url` asserts and reports show, a value inside a JSON document is JSON-escaped, a
`[BasicAuth]` password is sent as base64 of `user:password`. Each secret is therefore
masked in those forms too.
"""

from __future__ import annotations

import base64
import json
import threading
from urllib.parse import quote, quote_plus

MASK = "***"


def encoded_forms(text: str) -> set[str]:
    """The secret as written, and as URL encoding (both of Python's, with and without `/`
    kept) and JSON escaping (ASCII-only or not) would write it."""
    forms = {text, quote(text, safe=""), quote(text, safe="/"), quote_plus(text, safe=""),
             quote_plus(text, safe="/")}
    for ascii_only in (True, False):
        forms.add(json.dumps(text, ensure_ascii=ascii_only)[1:-1])
    return {f for f in forms if f}


class Redactor:
    """A growing set of secret values; captures marked `redact` join it while files run."""

    def __init__(self, secrets=()):
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._values: tuple[str, ...] = ()
        for value in secrets:
            self.add(value)

    def add(self, value: object) -> None:
        text = value if isinstance(value, str) else str(value)
        if not text or text in self._secrets:
            return
        self._extend(text, encoded_forms(text))

    def add_basic_auth(self, user: str, password: str) -> None:
        """`[BasicAuth]` sends base64(`user:password`): masked when that pair holds a secret."""
        pair = f"{user}:{password}"
        if self(pair) != pair:
            self._extend(pair, {base64.b64encode(pair.encode("utf-8")).decode("ascii")})

    def _extend(self, secret: str, forms: set[str]) -> None:
        with self._lock:
            self._secrets.add(secret)
            # Longest first, so a secret that contains another is masked whole.
            merged = set(self._values) | forms
            self._values = tuple(sorted(merged, key=len, reverse=True))

    @property
    def values(self) -> tuple[str, ...]:
        return self._values

    def __call__(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        return text

    def redact_bytes(self, data: bytes) -> bytes:
        for value in self._values:
            raw = value.encode("utf-8")
            if raw in data:
                data = data.replace(raw, MASK.encode())
        return data
