"""Secrets: values replaced by *** in everything restcli writes (as Hurl's --secret)."""

from __future__ import annotations

import threading

MASK = "***"


class Redactor:
    """A growing set of secret values; captures marked `redact` join it while files run."""

    def __init__(self, secrets=()):
        self._lock = threading.Lock()
        self._values: tuple[str, ...] = ()
        for value in secrets:
            self.add(value)

    def add(self, value: object) -> None:
        text = value if isinstance(value, str) else str(value)
        if not text:
            return
        with self._lock:
            if text not in self._values:
                # Longest first, so a secret that contains another is masked whole.
                self._values = tuple(sorted(self._values + (text,), key=len, reverse=True))

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
