"""`{{name}}` placeholders (Hurl's templates.md): variables and the two built-in functions."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from restcli.runner.errors import runtime_error
from restcli.runner.nodes import Expr, JsonExpr, Template
from restcli.runner.values import to_json, to_text

# Hurl's generators: a fresh value at each evaluation, unless a variable of that name exists.
_FUNCTIONS = {
    "newUuid": lambda: str(uuid.uuid4()),
    "newDate": lambda: datetime.now(UTC).isoformat().replace("+00:00", "Z"),
}


def evaluate(expr: Expr, variables: Mapping[str, object]) -> object:
    if expr.name in variables:
        return variables[expr.name]
    if expr.name in _FUNCTIONS:
        return _FUNCTIONS[expr.name]()
    raise runtime_error(f"you must set the variable {expr.name}", expr.pos)


def render(tpl: Template, variables: Mapping[str, object]) -> str:
    if tpl.is_literal:
        return tpl.literal()
    out: list[str] = []
    for part in tpl.parts:
        if isinstance(part, str):
            out.append(part)
            continue
        value = evaluate(part, variables)
        try:
            out.append(to_text(value))
        except TypeError as e:
            raise runtime_error(f"variable {part.name}: {e}", part.pos) from None
    return "".join(out)


def render_json(parts: tuple, variables: Mapping[str, object]) -> str:
    """A JSON body's text: a placeholder in a string is JSON-escaped, a bare one is a value."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        assert isinstance(part, JsonExpr)
        value = evaluate(part.expr, variables)
        try:
            if part.in_string:
                out.append(json.dumps(to_text(value), ensure_ascii=False)[1:-1])
            else:
                out.append(to_json(value))
        except TypeError as e:
            raise runtime_error(f"variable {part.expr.name}: {e}", part.expr.pos) from None
    return "".join(out)
