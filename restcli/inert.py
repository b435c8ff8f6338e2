"""Text a server (or a token's claims) chose, made fit for a terminal: a leaf, so that the
providers (cognito/) escape what they quote as the output layer does."""

from __future__ import annotations

import re

# C0 controls but tab, DEL and C1: what can move the cursor, recolour or fake a line.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def inert(text: str) -> str:
    """Server-controlled text fit for a terminal: control characters (C0 but tab, DEL, C1)
    escaped, so a reason phrase or header cannot move the cursor or fake a line."""
    return _CONTROL.sub(_escape_control, text) if _CONTROL.search(text) else text


def _escape_control(m: re.Match[str]) -> str:
    return f"\\x{ord(m.group()):02x}"
