"""Filters (Hurl's filters.md): transform a query's value, chained left to right."""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import parse_qs, quote, unquote, urlsplit

from restcli.runner import dates, jsonpath
from restcli.runner.nodes import Expr, Filter, Regex, Template
from restcli.runner.queries import compile_regex, regex_search
from restcli.runner.response import MAX_JSON_BYTES, check_json_size
from restcli.runner.templates import evaluate as eval_expr
from restcli.runner.templates import render
from restcli.runner.values import NOTHING, is_integer, to_text, type_name


class FilterError(Exception):
    """A filter that cannot apply to its input; the caller adds the position."""


def apply_all(filters, value: object, variables: Mapping[str, object]) -> object:
    for f in filters:
        if value is NOTHING:
            raise FilterError(f"filter {f.name} has no value to apply to")
        value = apply(f, value, variables)
    return value


def apply(f: Filter, value: object, variables: Mapping[str, object]) -> object:
    args = [_argument(a, f, variables) for a in f.args]
    fn = _FILTERS[f.name]
    try:
        return fn(value, *args, variables=variables) if f.name in _WITH_VARS else fn(value, *args)
    except FilterError:
        raise
    except (ValueError, TypeError, IndexError, LookupError, binascii.Error, OverflowError) as e:
        raise FilterError(f"filter {f.name} failed on {type_name(value)}: {e}") from None


def _argument(arg: object, f: Filter, variables: Mapping[str, object]) -> object:
    if isinstance(arg, Template):
        return render(arg, variables)
    if isinstance(arg, Expr):  # `nth {{index}}`: an integer variable (nth.rs)
        value = eval_expr(arg, variables)
        if not is_integer(value):
            raise FilterError(f"filter {f.name}: {{{{{arg.name}}}}} is {type_name(value)}, "
                              "expecting an integer")
        return value
    return arg


def _need(value: object, *kinds: type, name: str) -> None:
    if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds:
        raise FilterError(f"filter {name} does not apply to {type_name(value)}")


def _count(value):
    _need(value, list, bytes, name="count")  # count.rs: a list or bytes, not a string
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
        return compile_regex(old, variables).replace_all(value, new)
    return value.replace(old, new)


def _replace_regex(value, pattern, new, variables):
    _need(value, str, name="replaceRegex")
    return compile_regex(pattern, variables).replace_all(value, new)


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
    try:
        query = jsonpath.compile_path(path)
    except ValueError as e:  # a path from a variable, known only now
        raise FilterError(f"filter jsonpath: invalid JSONPath {path!r}: {e}") from None
    if isinstance(value, (bytes, str)):
        size = len(value)
        if isinstance(value, str) and size * 4 > MAX_JSON_BYTES:  # 1 to 4 bytes a character
            size = len(value.encode("utf-8", "surrogatepass"))
        check_json_size(size, "the value given to filter jsonpath")
        value = json.loads(value)
    return jsonpath.select(query, value)


def _url_query_param(value, name: str):
    _need(value, str, name="urlQueryParam")
    found = parse_qs(urlsplit(value).query, keep_blank_values=True).get(name)
    return found[0] if found else NOTHING


# Dates (filters.md): toDate takes a string, the others a date; formats are chrono's.
def _to_date(value, fmt: str):
    _need(value, str, name="toDate")
    return dates.to_date(value, fmt)


def _format(value, fmt: str, name: str = "dateFormat"):
    _need(value, datetime, name=name)
    return dates.format_date(value, fmt)


def _days(value, future: bool, name: str):
    """Whole days between now and the date, truncated toward zero (chrono's num_days)."""
    _need(value, datetime, name=name)
    delta = value - datetime.now(UTC)
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
    "format": lambda v, fmt: _format(v, fmt, "format"),
    "dateFormat": _format,
    "toDate": _to_date,
    "daysAfterNow": lambda v: _days(v, True, "daysAfterNow"),
    "daysBeforeNow": lambda v: _days(v, False, "daysBeforeNow"),
}
_WITH_VARS = {"regex", "replace", "replaceRegex"}


def _str(value, name: str) -> str:
    _need(value, str, name=name)
    return value

