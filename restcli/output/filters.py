"""JMESPath filters (-f, a pagination token): compiled once, errors naming the position.

Imported only when a call filters its output or pages by a token (start-up).
"""

from __future__ import annotations

from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError, LexerError, ParseError

from ..errors import OutputError, UsageError


def compile_expr(expr: str, option: str = "--filter") -> Any:
    """The compiled expression, or a usage error naming the expression and the position."""
    try:
        return jmespath.compile(expr)
    except (LexerError, ParseError) as e:
        position = getattr(e, "lex_position", None)
        if position is None:
            position = getattr(e, "lexer_position", None)
        reason = _reason(e)
        where = f" at position {position}" if isinstance(position, int) else ""
        hint = None
        if isinstance(position, int) and 0 <= position <= len(expr):
            hint = f"here: {expr[:position]} >>> {expr[position:]}"
        raise UsageError(f"{option} {expr!r}: {reason}{where}", hint=hint) from None
    except JMESPathError as e:
        reason = "empty expression" if not expr.strip() else _first_line(e)
        raise UsageError(f"{option} {expr!r}: {reason}") from None


def search(compiled: Any, data: Any, option: str = "--filter") -> Any:
    try:
        return compiled.search(data)
    except RecursionError:
        raise OutputError(f"{option}: the JSON body is nested too deeply to search") from None
    except JMESPathError as e:
        # A function given the wrong type (length(`1`)): the expression, not restcli, is wrong.
        raise UsageError(f"{option} {compiled.expression!r}: {_first_line(e)}") from None


def _reason(e: Exception) -> str:
    if isinstance(e, LexerError):
        message = getattr(e, "message", "") or "invalid character"
        return message[:1].lower() + message[1:]
    token = getattr(e, "token_value", None)
    if token is None or getattr(e, "token_type", None) == "eof":
        return "unexpected end of expression"
    msg = getattr(e, "msg", "")
    detail = f" ({msg.lower()})" if msg and msg != "Invalid jmespath expression" else ""
    return f"unexpected {token!r}{detail}"


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
