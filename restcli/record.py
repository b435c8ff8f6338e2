"""`@record`: plain data classes without importing dataclasses.

dataclasses imports inspect; together they cost about 15 ms of every call's start-up,
more than all of restcli's own code (benchmarks/RESULTS.md), and requests loads neither.
This covers what restcli uses: fields from annotations, defaults, Factory for mutable
defaults, keyword or positional construction, equality, a repr that can hide secrets,
and replace().
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]):
        self.make = make


_MISSING = object()


def _fields(cls: type) -> tuple[list[str], dict[str, Any]]:
    """Annotated names (base classes first) and the defaults given for them."""
    fields: list[str] = []
    defaults: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name in klass.__dict__.get("__annotations__", {}):
            if name.startswith("_") or name in fields:
                continue
            fields.append(name)
            if name in klass.__dict__:
                defaults[name] = klass.__dict__[name]
    return fields, defaults


def _arguments(name: str, fields: list[str], args: tuple, kwargs: dict) -> dict[str, Any]:
    if len(args) > len(fields):
        raise TypeError(f"{name}() takes at most {len(fields)} arguments")
    given = dict(zip(fields, args, strict=False))  # fewer arguments than fields is fine
    for key, value in kwargs.items():
        if key not in fields:
            raise TypeError(f"{name}() got an unexpected argument {key!r}")
        if key in given:
            raise TypeError(f"{name}() got {key!r} twice")
        given[key] = value
    return given


def record(cls: type) -> type:
    fields, defaults = _fields(cls)
    hidden = frozenset(getattr(cls, "__hidden__", ()))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        given = _arguments(cls.__name__, fields, args, kwargs)
        for name in fields:
            value = given.get(name, _MISSING)
            if value is _MISSING:
                value = defaults.get(name, _MISSING)
                if value is _MISSING:
                    raise TypeError(f"{cls.__name__}() missing argument {name!r}")
                if isinstance(value, Factory):
                    value = value.make()
            object.__setattr__(self, name, value)
        post = getattr(self, "__post_init__", None)
        if post is not None:
            post()

    def __repr__(self) -> str:
        shown = (f"{n}=…" if n in hidden else f"{n}={getattr(self, n)!r}" for n in fields)
        return f"{cls.__name__}({', '.join(shown)})"

    def __eq__(self, other: Any) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in fields)

    def replace(self, **changes: Any):
        values = {n: getattr(self, n) for n in fields}
        values.update(changes)
        return cls(**values)

    cls.__init__ = __init__
    cls.__repr__ = __repr__
    cls.__eq__ = __eq__
    cls.__hash__ = lambda self: hash(tuple(getattr(self, n) for n in fields))
    cls.replace = replace
    cls.__fields__ = tuple(fields)
    for name, value in defaults.items():
        if isinstance(value, Factory) and name in cls.__dict__:
            delattr(cls, name)
    return cls
