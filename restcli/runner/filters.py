"""Filters (Hurl's filters.md): transform a query's value, chained left to right."""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, quote, unquote, urlsplit

from restcli.runner import jsonpath
from restcli.runner.nodes import Filter, Regex, Template
from restcli.runner.queries import compile_regex, regex_search
from restcli.runner.templates import render
from restcli.runner.values import NOTHING, to_text, type_name


class FilterError(Exception):
    """A filter that cannot apply to its input; the caller adds the position."""


def apply_all(filters, value: object, variables: Mapping[str, object]) -> object:
    for f in filters:
        if value is NOTHING:
            raise FilterError(f"filter {f.name} has no value to apply to")
        value = apply(f, value, variables)
    return value


def apply(f: Filter, value: object, variables: Mapping[str, object]) -> object:
    args = [render(a, variables) if isinstance(a, Template) else a for a in f.args]
    fn = _FILTERS[f.name]
    try:
        return fn(value, *args, variables=variables) if f.name in _WITH_VARS else fn(value, *args)
    except FilterError:
        raise
    except (ValueError, TypeError, IndexError, binascii.Error, re.error, OverflowError) as e:
        raise FilterError(f"filter {f.name} failed on {type_name(value)}: {e}") from None


def _need(value: object, *kinds: type, name: str) -> None:
    if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds:
        raise FilterError(f"filter {name} does not apply to {type_name(value)}")


def _count(value):
    _need(value, list, dict, bytes, str, name="count")
    return len(value)


def _nth(value, index: int):
    _need(value, list, name="nth")
    if not -len(value) <= index < len(value):
        raise FilterError(f"filter nth: index {index} out of range (size {len(value)})")
    return value[index]


def _first(value):
    _need(value, list, name="first")
    return value[0] if value else NOTHING


def _last(value):
    _need(value, list, name="last")
    return value[-1] if value else NOTHING


def _regex(value, pattern, variables):
    _need(value, str, name="regex")
    return regex_search(pattern, value, variables)


def _replace(value, old, new, variables):
    _need(value, str, name="replace")
    if isinstance(old, Regex):
        return compile_regex(old, variables).sub(lambda _m: new, value)
    return value.replace(old, new)


def _replace_regex(value, pattern, new, variables):
    _need(value, str, name="replaceRegex")
    return compile_regex(pattern, variables).sub(lambda _m: new, value)


def _split(value, sep: str):
    _need(value, str, name="split")
    return value.split(sep)


def _to_int(value):
    if isinstance(value, str):
        return int(value.strip())
    _need(value, int, float, name="toInt")
    return int(value)


def _to_float(value):
    if isinstance(value, str):
        return float(value.strip())
    _need(value, int, float, name="toFloat")
    return float(value)


def _to_bytes(value, name: str) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    _need(value, bytes, name=name)
    return value


def _b64decode(value, altchars=None):
    _need(value, str, name="base64Decode")
    raw = re.sub(r"\s+", "", value)
    return base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=altchars, validate=True)


def _jsonpath(value, path: str):
    if isinstance(value, (bytes, str)):
        value = json.loads(value)
    return jsonpath.evaluate(path, value)


def _url_query_param(value, name: str):
    _need(value, str, name="urlQueryParam")
    found = parse_qs(urlsplit(value).query, keep_blank_values=True).get(name)
    return found[0] if found else NOTHING


# Dates: Hurl's formats are chrono's; the common specifiers are strftime's, plus these.
def _strftime_format(fmt: str) -> str:
    return fmt.replace("%.f", ".%f").replace("%3f", "%f").replace("%6f", "%f")


def _to_date(value, fmt: str):
    _need(value, str, name="toDate")
    if fmt == "%+":
        parsed = datetime.fromisoformat(value)
    else:
        parsed = datetime.strptime(value, _strftime_format(fmt))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _as_date(value, name: str) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return parsedate_to_datetime(value)  # Set-Cookie Expires, Date headers
        except (TypeError, ValueError):
            pass
    raise FilterError(f"filter {name} does not apply to {type_name(value)}")


def _format(value, fmt: str):
    date = _as_date(value, "format")
    if fmt == "%+":
        return date.isoformat()
    return date.strftime(_strftime_format(fmt))


def _days(value, future: bool, name: str):
    """Whole days between now and the date, truncated toward zero (chrono's num_days)."""
    delta = _as_date(value, name) - datetime.now(UTC)
    days = int(delta.total_seconds() / 86400)
    return days if future else -days


_FILTERS = {
    "count": _count,
    "nth": _nth,
    "first": _first,
    "last": _last,
    "regex": _regex,
    "split": _split,
    "replace": _replace,
    "replaceRegex": _replace_regex,
    "toInt": _to_int,
    "toFloat": _to_float,
    "toString": lambda v: v if isinstance(v, str) else to_text(v),
    "toHex": lambda v: _to_bytes(v, "toHex").hex(),
    "urlEncode": lambda v: quote(_str(v, "urlEncode"), safe="/"),
    "urlDecode": lambda v: unquote(_str(v, "urlDecode")),
    "urlQueryParam": _url_query_param,
    "base64Encode": lambda v: base64.b64encode(_to_bytes(v, "base64Encode")).decode(),
    "base64Decode": _b64decode,
    "base64UrlSafeEncode": lambda v: base64.urlsafe_b64encode(
        _to_bytes(v, "base64UrlSafeEncode")).decode().rstrip("="),
    "base64UrlSafeDecode": lambda v: _b64decode(v.replace("-", "+").replace("_", "/")
                                                if isinstance(v, str) else v),
    "utf8Encode": lambda v: _str(v, "utf8Encode").encode("utf-8"),
    "utf8Decode": lambda v: _to_bytes(v, "utf8Decode").decode("utf-8"),
    "decode": lambda v, enc: _to_bytes(v, "decode").decode(enc),
    "htmlEscape": lambda v: html.escape(_str(v, "htmlEscape"), quote=False),
    "htmlUnescape": lambda v: html.unescape(_str(v, "htmlUnescape")),
    "jsonpath": _jsonpath,
    "format": _format,
    "dateFormat": _format,
    "toDate": _to_date,
    "daysAfterNow": lambda v: _days(v, True, "daysAfterNow"),
    "daysBeforeNow": lambda v: _days(v, False, "daysBeforeNow"),
}
_WITH_VARS = {"regex", "replace", "replaceRegex"}


def _str(value, name: str) -> str:
    _need(value, str, name=name)
    return value

