"""Predicates (Hurl's asserting-response.md): test a value; `not` negates any of them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from restcli.runner.nodes import Expr, FileValue, Predicate, Regex, Template
from restcli.runner.templates import evaluate as eval_expr
from restcli.runner.templates import render
from restcli.runner.values import NOTHING, describe, equal, is_number, type_name

_ISO_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.IGNORECASE)

_WORDS = {
    "==": "", "!=": "not ", ">": "greater than ", ">=": "greater than or equal to ",
    "<": "less than ", "<=": "less than or equal to ", "startsWith": "starts with ",
    "endsWith": "ends with ", "contains": "contains ", "includes": "includes ",
    "matches": "matches ",
}


def expected_value(pred: Predicate, variables: Mapping[str, object], read_file) -> object:
    """The predicate's operand at run time: templates rendered, files read."""
    value = pred.value
    if isinstance(value, FileValue):
        return read_file(render(value, variables), pred.value_pos)
    if isinstance(value, Template):
        return render(value, variables)
    if isinstance(value, Expr):
        return eval_expr(value, variables)
    if isinstance(value, Regex):
        return re.compile(render(value.pattern, variables))
    return value


def check(pred: Predicate, actual: object, expected: object) -> tuple[bool, str]:
    """(passed, expected text for the report).

    A function returns None when the value's type does not fit it (a number tested with
    `matches`, a string with `>`): that fails with or without `not`, as in Hurl.
    """
    ok = _FUNCS[pred.func](actual, expected)
    text = _expected_text(pred, expected)
    if pred.negated:
        return ok is False, "not " + text
    return ok is True, text


def _expected_text(pred: Predicate, expected: object) -> str:
    if pred.func in _WORDS:
        shown = f"/{expected.pattern}/" if isinstance(expected, re.Pattern) else describe(
            expected)
        return _WORDS[pred.func] + shown
    names = {"exists": "something", "isEmpty": "empty", "isIsoDate": "an ISO 8601 date"}
    if pred.func in names:
        return names[pred.func]
    return pred.func[2:].lower()  # isString -> string


def _order(op):
    def compare(actual, expected) -> bool:
        both_numbers = is_number(actual) and is_number(expected)
        same = type_name(actual) == type_name(expected) and isinstance(actual, (str, datetime))
        return op(actual, expected) if both_numbers or same else None
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
    if not isinstance(actual, str):
        return None
    pattern = expected if isinstance(expected, re.Pattern) else re.compile(str(expected))
    return pattern.search(actual) is not None


_FUNCS = {
    "==": lambda a, e: a is not NOTHING and equal(a, e),
    "!=": lambda a, e: a is not NOTHING and not equal(a, e),
    ">": _order(lambda a, e: a > e),
    ">=": _order(lambda a, e: a >= e),
    "<": _order(lambda a, e: a < e),
    "<=": _order(lambda a, e: a <= e),
    "startsWith": _starts,
    "endsWith": _ends,
    "contains": _contains,
    "includes": lambda a, e: _contains(a, e) if isinstance(a, list) else None,
    "matches": _matches,
    "exists": lambda a, _e: a is not NOTHING,
    "isBoolean": lambda a, _e: isinstance(a, bool),
    "isInteger": lambda a, _e: isinstance(a, int) and not isinstance(a, bool),
    "isFloat": lambda a, _e: isinstance(a, float),
    "isNumber": lambda a, _e: is_number(a),
    "isString": lambda a, _e: isinstance(a, str),
    "isCollection": lambda a, _e: isinstance(a, (list, dict, bytes)),
    "isList": lambda a, _e: isinstance(a, list),
    "isObject": lambda a, _e: isinstance(a, dict),
    "isEmpty": lambda a, _e: isinstance(a, (list, dict, bytes, str)) and len(a) == 0,
    "isDate": lambda a, _e: isinstance(a, datetime),
    "isIsoDate": lambda a, _e: isinstance(a, str) and _ISO_DATE.fullmatch(a) is not None,
}
