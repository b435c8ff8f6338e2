"""Predicates (Hurl's asserting-response.md): test a value; `not` negates any of them.

The semantics are Hurl's predicate.rs: a query that returned nothing fails every predicate
without a type error, so `not` makes it pass (`header "X-Missing" not contains "a"`); a
value of a type the predicate does not take (a number with `startsWith`, `isEmpty` on a
number, `isIsoDate` on a list) is a type mismatch, which fails with or without `not`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from datetime import datetime

from restcli.runner.dates import parse_rfc3339
from restcli.runner.errors import runtime_error
from restcli.runner.nodes import Expr, FileValue, Predicate, Regex, Template
from restcli.runner.patterns import Pattern, RegexError, compile_regex
from restcli.runner.queries import compile_regex as compile_regex_arg
from restcli.runner.templates import evaluate as eval_expr
from restcli.runner.templates import render
from restcli.runner.values import NOTHING, describe, equal, is_integer, is_number

# Rust's uuid crate (Uuid::parse_str): hyphenated, simple, braced or URN.
_HEX = "[0-9A-Fa-f]"
_UUID = re.compile(
    rf"(?:urn:uuid:)?({_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}})"
    rf"|\{{{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}\}}|{_HEX}{{32}}")

_WORDS = {
    "==": "", "!=": "not ", ">": "greater than ", ">=": "greater than or equal to ",
    "<": "less than ", "<=": "less than or equal to ", "startsWith": "starts with ",
    "endsWith": "ends with ", "contains": "contains ", "includes": "includes ",
    "matches": "matches ",
}


def expected_value(pred: Predicate, variables: Mapping[str, object], read_file) -> object:
    """The predicate's operand at run time: templates rendered, files read, patterns
    compiled (an invalid one, known only now from its variables, is an error at it)."""
    value = pred.value
    if isinstance(value, FileValue):
        return read_file(render(value, variables), pred.value_pos)
    if isinstance(value, Regex):
        return compile_regex_arg(value, variables)
    if isinstance(value, Template):
        value = render(value, variables)
    elif isinstance(value, Expr):
        value = eval_expr(value, variables)
    if pred.func == "matches" and isinstance(value, str):  # `matches "..."` is a pattern
        try:
            return compile_regex(value)
        except RegexError as e:
            raise runtime_error(f"invalid regex {value!r}: {e}", pred.value_pos) from None
    return value


def check(pred: Predicate, actual: object, expected: object) -> tuple[bool, str]:
    """(passed, expected text for the report).

    No value fails the predicate, so `not` passes; a function returns None when the
    value's type does not fit it, which fails with or without `not` (predicate.rs).
    """
    ok = False if actual is NOTHING else _FUNCS[pred.func](actual, expected)
    text = _expected_text(pred, expected)
    if pred.negated:
        return ok is False, "not " + text
    return ok is True, text


def _expected_text(pred: Predicate, expected: object) -> str:
    if pred.func in _WORDS:
        shown = f"/{expected.source}/" if isinstance(expected, Pattern) else describe(expected)
        return _WORDS[pred.func] + shown
    names = {"exists": "something", "isEmpty": "empty", "isIsoDate": "an RFC 3339 date",
             "isUuid": "a UUID", "isIpv4": "an IPv4 address", "isIpv6": "an IPv6 address"}
    if pred.func in names:
        return names[pred.func]
    return pred.func[2:].lower()  # isString -> string


def _order(op):
    """Hurl compares two strings or two numbers; anything else is a type mismatch."""
    def compare(actual, expected) -> bool | None:
        both_numbers = is_number(actual) and is_number(expected)
        both_strings = isinstance(actual, str) and isinstance(expected, str)
        return op(actual, expected) if both_numbers or both_strings else None
    return compare


def _starts(actual, expected) -> bool | None:
    return actual.startswith(expected) if _same_text_kind(actual, expected) else None


def _ends(actual, expected) -> bool | None:
    return actual.endswith(expected) if _same_text_kind(actual, expected) else None


def _contains(actual, expected) -> bool | None:
    if isinstance(actual, list):
        return any(equal(item, expected) for item in actual)
    return expected in actual if _same_text_kind(actual, expected) else None


def _same_text_kind(actual, expected) -> bool:
    return (isinstance(actual, str) and isinstance(expected, str)) or (
        isinstance(actual, bytes) and isinstance(expected, bytes))


def _matches(actual, expected) -> bool | None:
    if not isinstance(actual, str) or not isinstance(expected, Pattern):
        return None
    return expected.search(actual) is not None


def _string_check(test):
    """A predicate on a string's form (isIsoDate, isUuid...): other types are a mismatch."""
    return lambda a, _e: test(a) if isinstance(a, str) else None


def _is_ip(a: str, version: int) -> bool:
    if "%" in a:  # Rust's address parsers take no zone index
        return False
    try:
        return ipaddress.ip_address(a).version == version
    except ValueError:
        return False


def _is_empty(a) -> bool | None:
    """Hurl's count: a list, an object, a string or bytes; anything else is a mismatch."""
    return len(a) == 0 if isinstance(a, (list, dict, bytes, str)) else None


_FUNCS = {
    "==": lambda a, e: equal(a, e),
    "!=": lambda a, e: not equal(a, e),
    ">": _order(lambda a, e: a > e),
    ">=": _order(lambda a, e: a >= e),
    "<": _order(lambda a, e: a < e),
    "<=": _order(lambda a, e: a <= e),
    "startsWith": _starts,
    "endsWith": _ends,
    "contains": _contains,
    "includes": lambda a, e: _contains(a, e) if isinstance(a, list) else None,
    "matches": _matches,
    "exists": lambda a, _e: True,
    "isBoolean": lambda a, _e: isinstance(a, bool),
    "isInteger": lambda a, _e: is_integer(a),
    "isFloat": lambda a, _e: isinstance(a, float),
    "isNumber": lambda a, _e: is_number(a),
    "isString": lambda a, _e: isinstance(a, str),
    "isCollection": lambda a, _e: isinstance(a, (list, dict, bytes)),
    "isList": lambda a, _e: isinstance(a, list),
    "isObject": lambda a, _e: isinstance(a, dict),
    "isEmpty": lambda a, _e: _is_empty(a),
    "isDate": lambda a, _e: isinstance(a, datetime),
    "isIsoDate": _string_check(lambda a: parse_rfc3339(a) is not None),
    "isUuid": _string_check(lambda a: _UUID.fullmatch(a) is not None),
    "isIpv4": _string_check(lambda a: _is_ip(a, 4)),
    "isIpv6": _string_check(lambda a: _is_ip(a, 6)),
}
