"""-w/--write-out FORMAT: curl's variables about the transfer, printed after it.

Imported only when -w is given (start-up). Everything printed goes through the app's
scrubbing writers, and response headers are shown as `-v` shows them (masked where they
can carry a credential), so a secret never appears.
"""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..output import RESPONSE_SECRETS, display_header, inert

if TYPE_CHECKING:
    from ..app import App

VARIABLES = (
    "http_code", "method", "url_effective", "time_total", "size_download", "content_type",
    "num_redirects", "num_retries",
)
_TOKEN = re.compile(r"%\{([a-z_]+)\}|%header\{([^}]*)\}|%%|\\[nt\\]|%")


def check(fmt: str) -> None:
    """Before anything is sent: every %{...} in FORMAT is known."""
    for m in _TOKEN.finditer(fmt):
        name = m.group(1)
        if name is not None and name not in VARIABLES and name not in ("json", "stderr", "stdout"):
            raise UsageError(
                f"-w: unknown variable %{{{name}}}",
                hint="known: " + " ".join(f"%{{{v}}}" for v in (*VARIABLES, "json", "stderr", "stdout"))
                + " %header{NAME}",
            )


def values(resp: Any, spec: Any, started: float, counts: Any) -> dict[str, Any]:
    """The variables of a finished transfer (resp None: no response, http_code 000)."""
    if resp is None:
        return {
            "http_code": "000", "method": spec.method, "url_effective": spec.url,
            "time_total": round(time.monotonic() - started, 6), "size_download": 0,
            "content_type": "", "num_redirects": counts.redirects, "num_retries": counts.retries,
        }
    try:
        size = int(resp.raw.tell())
    except (AttributeError, TypeError, ValueError, OSError):
        size = len(resp.content or b"")
    return {
        "http_code": f"{resp.status_code:03d}",
        "method": resp.request.method,
        "url_effective": resp.url,
        "time_total": round(time.monotonic() - started, 6),
        "size_download": size,
        "content_type": inert(resp.headers.get("Content-Type", "")),
        "num_redirects": counts.redirects - (1 if resp.is_redirect else 0),
        "num_retries": counts.retries,
    }


def render(fmt: str, vals: dict[str, Any], resp: Any) -> list[tuple[bool, str]]:
    """FORMAT expanded, as (to_stderr, text) pieces: %{stderr} switches the stream."""
    pieces: list[tuple[bool, str]] = []
    to_stderr = False
    text: list[str] = []
    pos = 0

    def flush() -> None:
        if text:
            pieces.append((to_stderr, "".join(text)))
            text.clear()

    for m in _TOKEN.finditer(fmt):
        text.append(fmt[pos:m.start()])
        pos = m.end()
        token = m.group(0)
        name, header = m.group(1), m.group(2)
        if name == "stderr" or name == "stdout":
            flush()
            to_stderr = name == "stderr"
        elif name == "json":
            text.append(json.dumps({**vals, "http_code": int(vals["http_code"])}))
        elif name is not None:
            text.append(str(vals[name]))
        elif header is not None:
            text.append(_header(resp, header))
        elif token == "%%":
            text.append("%")
        elif token == "\\n":
            text.append("\n")
        elif token == "\\t":
            text.append("\t")
        else:
            text.append(token if token != "\\\\" else "\\")
    text.append(fmt[pos:])
    flush()
    return pieces


def _header(resp: Any, name: str) -> str:
    if resp is None:
        return ""
    value = resp.headers.get(name)
    if value is None:
        return ""
    return inert(display_header(name, value, RESPONSE_SECRETS))


def write_out(app: App, fmt: str, resp: Any, spec: Any, started: float, counts: Any) -> None:
    for to_stderr, text in render(fmt, values(resp, spec, started, counts), resp):
        writer = app.err if to_stderr else app.out
        writer.write(text)
        writer.flush()
