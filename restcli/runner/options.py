"""`[Options]` keys restcli runs, their value kinds, and the Hurl keys it refuses.

Values are checked at parse time when they hold no template, and converted again at run
time (a `{{variable}}` is only known then), by the same function.
"""

from __future__ import annotations

import re

BOOL, INT, MS, SECONDS, PATH, TEXT, VARIABLE = "bool", "int", "ms", "s", "path", "str", "var"

KINDS = {
    "location": BOOL,
    "insecure": BOOL,
    "compressed": BOOL,
    "skip": BOOL,
    "verbose": BOOL,
    "max-redirs": INT,
    "retry": INT,
    "repeat": INT,
    "retry-interval": MS,
    "delay": MS,
    "max-time": SECONDS,
    "connect-timeout": SECONDS,
    "cacert": PATH,
    "cert": PATH,
    "key": PATH,
    "output": PATH,
    "aws-sigv4": TEXT,
    "variable": VARIABLE,
}

# Hurl options that restcli does not run: refused at parse time, never ignored.
HURL_ONLY = frozenset({
    "http1.0", "http1.1", "http2", "http3", "ipv4", "ipv6", "location-trusted", "netrc",
    "netrc-file", "netrc-optional", "path-as-is", "proxy", "resolve", "unix-socket", "user",
    "very-verbose", "limit-rate", "pinnedpubkey", "connect-to", "header", "ntlm", "negotiate",
    "digest", "verbosity",
})

# Bounds that keep every wait finite (restcli never waits without a deadline).
MAX_RETRY = 1000
MAX_REPEAT = 100_000
MAX_REDIRS = 1000
MAX_DURATION_S = 3600.0

_DURATION = re.compile(r"(\d+)(ms|s|m)?")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0}


def convert(name: str, text: str) -> object:
    """The option's value from its text; ValueError with a message saying what is expected."""
    kind = KINDS[name]
    text = text.strip()
    if kind == BOOL:
        if text not in ("true", "false"):
            raise ValueError(f"option {name} expects true or false")
        return text == "true"
    if kind == INT:
        return _bounded_int(name, text)
    if kind in (MS, SECONDS):
        return _duration(name, text, "ms" if kind == MS else "s")
    if kind == VARIABLE:
        var, sep, value = text.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-.]*", var):
            raise ValueError("option variable expects name=value")
        return var, value
    if not text:
        raise ValueError(f"option {name} expects a value")
    return text


def _bounded_int(name: str, text: str) -> int:
    limits = {"retry": MAX_RETRY, "repeat": MAX_REPEAT, "max-redirs": MAX_REDIRS}
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"option {name} expects an integer")
    value = int(text)
    if value < 0:
        # Hurl's -1 means "without limit"; restcli keeps every loop bounded.
        raise ValueError(f"option {name}: negative (unlimited) values are not supported by "
                         f"restcli; use a count up to {limits[name]}")
    if value > limits[name]:
        raise ValueError(f"option {name} is at most {limits[name]}")
    return value


def _duration(name: str, text: str, default_unit: str) -> float:
    """Seconds, from `500`, `500ms`, `2s` or `1m` (Hurl's units; no space allowed)."""
    m = _DURATION.fullmatch(text)
    if not m:
        raise ValueError(f"option {name} expects a duration such as 500ms, 2s or 1m")
    seconds = int(m.group(1)) * _UNIT_S[m.group(2) or default_unit]
    if seconds > MAX_DURATION_S:
        raise ValueError(f"option {name} is at most {int(MAX_DURATION_S)}s")
    return seconds
