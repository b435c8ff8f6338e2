"""Queries (Hurl's capturing-response.md): extract a value from an exchange."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from restcli.runner import jsonpath
from restcli.runner.errors import ASSERT, HurlError
from restcli.runner.nodes import Query, Regex, Template
from restcli.runner.response import Call
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
        try:
            document = call.json()
        except ValueError:
            raise HurlError(ASSERT, "the response body is not valid JSON", query.pos) from None
        return jsonpath.evaluate(arg, document)
    raise AssertionError(kind)


def _text(call: Call, query: Query) -> str:
    try:
        return call.text()
    except UnicodeDecodeError:
        raise HurlError(ASSERT, f"the response body is not {call.charset} text",
                        query.pos) from None


def compile_regex(arg: Regex | Template, variables: Mapping[str, object]) -> re.Pattern:
    tpl = arg.pattern if isinstance(arg, Regex) else arg
    return re.compile(render(tpl, variables))


def regex_search(arg, text: str, variables: Mapping[str, object]) -> object:
    """The first capture group of the first match (the whole match without a group)."""
    m = compile_regex(arg, variables).search(text)
    if not m:
        return NOTHING
    return m.group(1) if m.re.groups else m.group(0)


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
    return found


__all__ = ["compile_regex", "evaluate", "regex_search"]
