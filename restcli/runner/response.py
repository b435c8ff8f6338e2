"""What one HTTP exchange left for queries: status, headers, body, timing, certificate."""

from __future__ import annotations

import json
import re

from restcli.record import Factory, record
from restcli.runner.values import NOTHING


@record
class Call:
    method: str
    url: str  # the final URL, after redirects
    status: int
    version: str  # "1.0", "1.1"
    headers: list[tuple[str, str]]
    body: bytes
    duration_ms: int
    certificate: dict | None = None
    redirects: list[str] = Factory(list)
    _json: object = NOTHING  # parsed once, on first use

    def header_values(self, name: str) -> list[str]:
        low = name.lower()
        return [v for k, v in self.headers if k.lower() == low]

    @property
    def charset(self) -> str:
        ctype = ",".join(self.header_values("Content-Type"))
        m = re.search(r"charset=\"?([A-Za-z0-9_\-:.]+)", ctype, re.IGNORECASE)
        return m.group(1) if m else "utf-8"

    def text(self) -> str:
        try:
            return self.body.decode(self.charset)
        except LookupError:
            return self.body.decode("utf-8")

    def json(self) -> object:
        """The body as JSON, parsed once; ValueError if it is not JSON."""
        if self._json is NOTHING:
            self._json = json.loads(self.text())
        return self._json
