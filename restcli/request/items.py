"""Nested JSON from request items, HTTPie 3 syntax: `o[k]=v`, `arr[]:=1`, `[0]=a`, `a[b][c]:=true`.

Imported only when an item's key holds an unescaped "[" or "]" (request.build_body).
A key is a name followed by bracketed parts: `[]` appends, `[N]` sets index N (the
array is padded with null; N at most MAX_INDEX), `[text]` sets a key. `\\[` and `\\]` are ordinary
characters. A later item overwrites a value set earlier at the same place; using a
value as a container of another type is a usage error worded as HTTPie words it.
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageError

# The highest array index a key may set: the array is padded with null up to it.
MAX_INDEX = 10_000
_TYPE = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null",
         int: "number", float: "number"}


def parse_path(chars: tuple, arg: str) -> list[tuple[str, Any]]:
    """(kind, value) steps: ("key", str), ("index", int) or ("append", None)."""
    steps: list[tuple[str, Any]] = []
    i, n = 0, len(chars)
    name = []
    while i < n and not (chars[i][0] == "[" and not chars[i][1]):
        c, esc = chars[i]
        if c == "]" and not esc:
            raise _syntax(arg, "Expecting '['")
        name.append(c)
        i += 1
    if name or i == n:
        steps.append(("key", "".join(name)))
    while i < n:
        c, esc = chars[i]
        if not (c == "[" and not esc):
            raise _syntax(arg, "Expecting '['")
        i += 1
        inner = []
        while i < n and not (chars[i][0] == "]" and not chars[i][1]):
            c, esc = chars[i]
            if c == "[" and not esc:
                raise _syntax(arg, "Expecting ']'")
            inner.append((c, esc))
            i += 1
        if i == n:
            raise _syntax(arg, "Expecting ']'")
        i += 1
        text = "".join(c for c, _ in inner)
        index = _index(text) if all(not esc for _, esc in inner) else None
        if not inner:
            steps.append(("append", None))
        elif index is not None:
            steps.append(("index", _checked(index, arg)))
        elif not steps:
            # As HTTPie: a key that starts with a bracket is a top-level array.
            raise _syntax(arg, "Expecting a number or ']'")
        else:
            steps.append(("key", text))
    return steps


def _index(text: str) -> int | None:
    """HTTPie reads bracketed text that Python's int() accepts as an index ("1", "+1",
    " 1", "1_0"); anything else is a key."""
    try:
        return int(text)
    except ValueError:
        return None


def _checked(index: int, arg: str) -> int:
    if index < 0:
        raise UsageError(f"request item {arg!r}: negative indexes are not supported")
    if index > MAX_INDEX:
        raise UsageError(
            f"request item {arg!r}: index {index} is above restcli's limit ({MAX_INDEX})"
        )
    return index


def _syntax(arg: str, what: str) -> UsageError:
    return UsageError(f"request item {arg!r}: syntax error in nested key: {what}")


def _container(step: tuple[str, Any]) -> type:
    return dict if step[0] == "key" else list


def _conflict(arg: str, step, where: str, value: Any) -> UsageError:
    needed = "object" if step[0] == "key" else "array"
    return UsageError(
        f"request item {arg!r}: cannot perform {step[0]!r} based access on {where!r} which "
        f"has a type of {_TYPE.get(type(value), 'value')!r} but this operation requires a "
        f"type of {needed!r}"
    )


def nested_json(fields: list) -> Any:
    """The JSON document the items describe, in order."""
    root: Any = None
    for it in fields:
        arg = it.key
        if it.path is None:
            steps = [("key", it.key)]
        else:
            arg = "".join(("\\" + c) if esc else c for c, esc in it.path)
            steps = parse_path(it.path, arg)
        if root is None:
            root = _container(steps[0])()
        elif not isinstance(root, _container(steps[0])):
            raise _conflict(arg, steps[0], "", root)
        cur, where = root, ""
        for i, step in enumerate(steps):
            last = i == len(steps) - 1
            kind, k = step
            want = None if last else _container(steps[i + 1])
            if kind == "key":
                if last:
                    cur[k] = it.value
                    break
                child = cur.get(k)
                slot = k
            elif kind == "index":
                cur.extend([None] * (k + 1 - len(cur)))
                if last:
                    cur[k] = it.value
                    break
                child = cur[k]
                slot = k
            else:
                if last:
                    cur.append(it.value)
                    break
                cur.append(None)
                child, slot = None, len(cur) - 1
            where += (f"[{k}]" if where or kind != "key" else str(k)) if kind != "append" else "[]"
            if child is None:
                child = want()
                cur[slot] = child
            elif not isinstance(child, want):
                raise _conflict(arg, steps[i + 1], where, child)
            cur = child
    return root
