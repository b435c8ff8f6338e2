"""What one HTTP exchange left for queries: status, headers, body, timing, certificate."""

from __future__ import annotations

import json
import re

from restcli.record import Factory, record
from restcli.runner.values import NOTHING

# A JSON document costs many times its size once parsed (a 60 MB `[[],[],...]` took
# 1.6 GB): JSONPath queries parse at most this much of a body.
MAX_JSON_BYTES = 16 * 1024 * 1024


class BodyError(ValueError):
    """The body cannot be read as asked: an unknown charset, bytes that are not text in
    it, or a body too large to parse as JSON. The message says which."""


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
        """The body decoded with its charset (UTF-8 without one), as Hurl decodes it."""
        charset = self.charset
        try:
            return self.body.decode(charset)
        except LookupError:
            raise BodyError(f"the response charset {charset!r} is not a known encoding") from None
        except UnicodeDecodeError as e:
            raise BodyError(f"the response body is not {charset} text (byte {e.start})") from None

    def json(self) -> object:
        """The body as JSON, parsed once; BodyError past the size limit or for a body that
        is not text, another ValueError if it is not JSON."""
        if self._json is NOTHING:
            check_json_size(len(self.body), "the response body")
            self._json = json.loads(self.text())
        return self._json


def check_json_size(size: int, what: str) -> None:
    if size > MAX_JSON_BYTES:
        raise BodyError(f"{what} is larger than {MAX_JSON_BYTES // (1024 * 1024)} MiB, the "
                        "most restcli parses as JSON")
