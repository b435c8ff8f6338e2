"""Queries (Hurl's capturing-response.md): extract a value from an exchange."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from restcli.runner import jsonpath
from restcli.runner.dates import DateError, to_date
from restcli.runner.errors import ASSERT, HurlError, runtime_error
from restcli.runner.nodes import Query, Regex, Template
from restcli.runner.patterns import Pattern, RegexError
from restcli.runner.patterns import compile_regex as compile_pattern
from restcli.runner.response import BodyError, Call
from restcli.runner.templates import render
from restcli.runner.values import NOTHING, Flag

# Queries that read the call and need no argument.
_PLAIN = {
    "status": lambda call: call.status,
    "version": lambda call: call.version,
    "url": lambda call: call.url,
    "duration": lambda call: call.duration_ms,
    "bytes": lambda call: call.body,
    "sha256": lambda call: hashlib.sha256(call.body).digest(),
    "md5": lambda call: hashlib.md5(call.body, usedforsecurity=False).digest(),
}


def evaluate(query: Query, call: Call, variables: Mapping[str, object]) -> object:
    """The query's value, or NOTHING; raises HurlError for a body that cannot be read so."""
    kind = query.kind
    if kind in _PLAIN:
        return _PLAIN[kind](call)
    if kind == "body":
        return _text(call, query)
    if kind == "regex":
        return regex_search(query.arg, _text(call, query), variables)
    arg = render(query.arg, variables)  # type: ignore[arg-type]
    if kind == "header":
        values = call.header_values(arg)
        return NOTHING if not values else values[0] if len(values) == 1 else values
    if kind == "cookie":
        return _cookie(call, arg)
    if kind == "variable":
        return variables.get(arg, NOTHING)
    if kind == "certificate":
        return (call.certificate or {}).get(arg, NOTHING)
    if kind == "jsonpath":
        return _jsonpath(call, query, arg)
    raise AssertionError(kind)


def _jsonpath(call: Call, query: Query, path: str) -> object:
    try:
        compiled = jsonpath.compile_path(path)
    except ValueError as e:  # a path from a variable, known only now
        raise runtime_error(f"invalid JSONPath {path!r}: {e}", query.arg.pos) from None
    try:
        document = call.json()
    except BodyError as e:
        raise runtime_error(str(e), query.pos) from None
    except ValueError:
        raise HurlError(ASSERT, "the response body is not valid JSON", query.pos) from None
    return jsonpath.select(compiled, document)


def _text(call: Call, query: Query) -> str:
    try:
        return call.text()
    except BodyError as e:
        raise runtime_error(str(e), query.pos) from None


def compile_regex(arg: Regex | Template, variables: Mapping[str, object]) -> Pattern:
    """The pattern of a `/regex/` or quoted argument, rendered; an invalid one is an error
    at its position (one from a variable is only known now)."""
    tpl = arg.pattern if isinstance(arg, Regex) else arg
    source = render(tpl, variables)
    try:
        return compile_pattern(source)
    except RegexError as e:
        raise runtime_error(f"invalid regex {source!r}: {e}", tpl.pos) from None


def regex_search(arg, text: str, variables: Mapping[str, object]) -> object:
    """The first capture group of the first match, as Hurl: nothing when the pattern has
    no group (filters.md: "Pattern must have at least one capture group") or the group
    took no part in the match."""
    m = compile_regex(arg, variables).search(text)
    if not m:
        return NOTHING
    try:
        found = m.group(1)
    except IndexError:
        return NOTHING
    return NOTHING if found is None else found


_COOKIE_ATTRS = {"value", "expires", "max-age", "domain", "path", "secure", "httponly",
                 "samesite"}


def _cookie(call: Call, spec: str) -> object:
    """`name` or `name[Attribute]` from the response's Set-Cookie headers."""
    m = re.fullmatch(r"([^\[\]]+)(?:\[([A-Za-z\-]+)\])?", spec)
    if not m:
        return NOTHING
    name, attr = m.group(1), (m.group(2) or "Value")
    for header in reversed(call.header_values("Set-Cookie")):
        parsed = _parse_set_cookie(header)
        if parsed and parsed[0] == name:
            return _cookie_attr(parsed[1], parsed[2], attr)
    return NOTHING


def _parse_set_cookie(header: str) -> tuple[str, str, dict[str, object]] | None:
    first, *rest = header.split(";")
    name, sep, value = first.partition("=")
    if not sep:
        return None
    attrs: dict[str, object] = {}
    for item in rest:
        key, eq, val = item.strip().partition("=")
        if key:
            attrs[key.lower()] = val.strip() if eq else Flag()
    return name.strip(), value.strip(), attrs


def _cookie_attr(value: str, attrs: dict[str, object], attr: str) -> object:
    low = attr.lower()
    if low not in _COOKIE_ATTRS:
        return NOTHING
    if low == "value":
        return value
    found = attrs.get(low, NOTHING)
    if low == "max-age" and isinstance(found, str) and re.fullmatch(r"-?\d+", found):
        return int(found)
    if low == "expires" and isinstance(found, str):
        return _expires(found)
    return found


def _expires(text: str) -> datetime:
    """`Expires` is a date, as Hurl's query.rs reads it: RFC 2822 (`Wed, 13 Jan 2021
    22:23:01 GMT`) or the dashed form `Wed, 13-Jan-2021 22:23:01 GMT`."""
    try:
        found = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    else:  # a zone of -0000 leaves it naive: that is UTC too
        return (found if found.tzinfo else found.replace(tzinfo=UTC)).astimezone(UTC)
    try:
        return to_date(text, "%a, %d-%b-%Y %H:%M:%S%.f GMT")
    except DateError:
        raise HurlError(ASSERT, f"cannot read the cookie's Expires date {text!r}") from None


__all__ = ["compile_regex", "evaluate", "regex_search"]
