"""Regexes as Hurl reads them: Rust's regex syntax, matched in linear time.

Hurl compiles every pattern (the `regex` query and filter, `matches`, `replaceRegex`,
`replace /.../`) with Rust's regex crate: no backtracking, so `/^(a+)+$/` cannot hang a
run, and the syntax has `\\p{Lu}`, `\\z`, `(?i)`. RE2 (google-re2) is the engine that
syntax follows, with the same linear-time guarantee; Python's `re` has neither. Every
pattern a Hurl file gives goes through compile_regex() here, at parse time and at run time.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A Rust replacement string's references: $1, $name, ${name}, and $$ for a dollar.
_REFERENCE = re.compile(r"\$(?:\$|\{([^}]*)\}|([0-9A-Za-z_]+))")


class RegexError(ValueError):
    """A pattern RE2 refuses; the message says why (`missing ): (a`)."""


class Pattern:
    """A compiled pattern and the text it came from (shown in failure messages)."""

    __slots__ = ("_compiled", "source")

    def __init__(self, source: str, compiled) -> None:
        self.source = source
        self._compiled = compiled

    @property
    def groups(self) -> int:
        return self._compiled.groups

    def search(self, text: str):
        return self._compiled.search(text)

    def replace_all(self, text: str, replacement: str) -> str:
        """Every match replaced, `$1`/`${name}` expanded as Rust's Regex::replace_all does."""
        if "$" not in replacement:
            return self._compiled.sub(lambda _m: replacement, text)
        return self._compiled.sub(lambda m: expand(replacement, m), text)


@lru_cache(maxsize=256)
def compile_regex(source: str) -> Pattern:
    """The pattern compiled by RE2; RegexError when it is not a valid pattern."""
    # Only a file with a regex pays for loading RE2 (start-up of other runs and calls).
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own copy of the error on stderr
    try:
        return Pattern(source, re2.compile(source, options))
    except re2.error as e:
        reason = e.args[0] if e.args else "invalid pattern"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise RegexError(str(reason)) from None


def expand(replacement: str, match) -> str:
    """Rust's rule: the longest name after `$` (digits: a group number); unknown is empty."""

    def one(ref: re.Match[str]) -> str:
        name = ref.group(1) if ref.group(1) is not None else ref.group(2)
        if name is None:
            return "$"
        key: int | str = int(name) if name.isdigit() else name
        try:
            return match.group(key) or ""
        except (IndexError, KeyError, ValueError, TypeError):
            return ""

    return _REFERENCE.sub(one, replacement)
