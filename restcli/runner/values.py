"""The values queries, filters and variables carry, and how they compare and print.

Python types stand for Hurl's: str (string), int and float (number), bool, None (JSON
null), bytes, list and dict (collections and objects), datetime (date). NOTHING stands for
"no value" (a header that is absent, a JSONPath that selects nothing): distinct from null.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime


class _Nothing:
    def __repr__(self) -> str:
        return "NOTHING"

    def __bool__(self) -> bool:
        return False


NOTHING = _Nothing()


class Flag:
    """A cookie attribute present without a value (Secure, HttpOnly): only `exists` tests it."""

    def __repr__(self) -> str:
        return "Flag"


def type_name(value: object) -> str:
    if value is NOTHING:
        return "none"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (bytes, bytearray)):
        return "bytes"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, datetime):
        return "date"
    return "unit"


def describe(value: object, limit: int = 200) -> str:
    """Hurl's style in failure messages: the type, then the value, e.g. `integer <3>`."""
    if value is NOTHING:
        return "none"
    if value is None:
        return "null"
    if isinstance(value, Flag):
        return "unit (an attribute without a value)"
    if isinstance(value, (bytes, bytearray)):
        shown = value[: limit // 2].hex() + ("..." if len(value) > limit // 2 else "")
        return f"bytes <{shown}>"
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, datetime):
        text = value.isoformat()
    else:
        text = to_text(value)
    if len(text) > limit:
        text = text[:limit] + "..."
    return f"{type_name(value)} <{text}>"


def to_text(value: object) -> str:
    """A value rendered into a template or converted by toString."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, (bytes, bytearray)):
        raise TypeError("bytes cannot be rendered as text; use base64Encode or toHex")
    if value is NOTHING or isinstance(value, Flag):
        raise TypeError("no value to render")
    return str(value)


def format_float(value: float) -> str:
    if math.isfinite(value) and value == int(value) and abs(value) < 1e16:
        return f"{int(value)}.0"
    return repr(value)


def to_json(value: object) -> str:
    """A value placed bare in a JSON body: numbers, booleans and null as JSON, text as is."""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return format_float(value)
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, datetime) else (
        json.dumps(to_text(value)))


def typed_value(text: str) -> object:
    """A `--variable name=value` value typed as Hurl types it: boolean, null, number, string."""
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def equal(actual: object, expected: object) -> bool:
    """Equality without coercion between kinds: "1" is not 1, true is not 1, 1 is 1.0."""
    if is_number(actual) and is_number(expected):
        return actual == expected
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if isinstance(actual, (bytes, bytearray)) and isinstance(expected, (bytes, bytearray)):
        return bytes(actual) == bytes(expected)
    if type_name(actual) != type_name(expected):
        return False
    return actual == expected
