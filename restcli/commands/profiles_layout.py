"""How a profile is written in the profiles file, and tomlkit edits that keep it so.

A profile is written in one of three forms, and every edit keeps its form:
- a table: `[profiles.NAME]`, with sub-tables such as `[profiles.NAME.headers]`;
- dotted keys under `[profiles]`: `NAME.endpoint = "..."`, one line per key;
- an inline table: `NAME = { endpoint = "..." }`.

A profile's heading is the comment block directly above its first line (up to the
previous blank line). tomlkit files the comments below a table's last key under that
table, so the heading of a profile written as a table would go with the table above it:
`attach_headings` first moves each such heading, with the blank lines above it, into the
leading text of its own table. Removing or replacing a profile then takes its heading and
leaves the next profile's.

Loaded only by an edit, which needs tomlkit anyway (start-up).
"""

from __future__ import annotations

from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.items import AoT, Comment, InlineTable, Null, SingleKey, Table, Whitespace

from ..errors import ConfigError


def _body(owner: Any) -> list:
    """The (key, item) pairs of a document, a table or an inline table, in file order."""
    return owner.body if isinstance(owner, Container) else owner.value.body


def attach_headings(doc: Any, text: str) -> Any:
    """The document with each profile table's heading moved into the table; the text it
    renders is unchanged (else the document as parsed, headings where tomlkit put them)."""
    _walk(doc, [(doc, 0)], depth=0, in_profiles=False)
    return doc if tomlkit.dumps(doc) == text else tomlkit.parse(text)


def _walk(owner: Any, last: list, depth: int, in_profiles: bool) -> None:
    """Visit owner's items in the order they are written. last[0] is (table, index): the
    comments above the next header end just before that index of that table's items."""
    for index, (key, item) in enumerate(_body(owner)):
        if isinstance(item, Table) and not (key is not None and key.is_dotted()):
            if not item.is_super_table():
                if in_profiles:
                    _take_heading(*last[0], item)
                last[0] = (item, 0)
            top = depth == 0 and key is not None and key.key == "profiles"
            _walk(item, last, depth + 1, in_profiles=top)
        elif isinstance(item, AoT):
            for table in item.body:
                last[0] = (table, 0)
                _walk(table, last, depth + 1, in_profiles=False)
        else:
            last[0] = (owner, index + 1)


def _take_heading(owner: Any, end: int, table: Table) -> None:
    body = _body(owner)
    start = _heading_start(body, end)
    if start == end:
        return
    heading = "".join(item.as_string() for _, item in body[start:end])
    table.trivia.indent = heading + table.trivia.indent
    for i in range(start, end):
        body[i] = (None, Null())  # blanked, not removed: no index in the table's map moves


def _heading_start(body: list, end: int) -> int:
    """Where the heading above body[end] starts: its comment lines, then the blank lines
    above them (which go with the profile, as a table's trailing blank lines do)."""
    start = end
    while start and isinstance(body[start - 1][1], Comment):
        start -= 1
    while start and isinstance(body[start - 1][1], Whitespace):
        start -= 1
    return start


class Written:
    """A table as the file writes it: the entries holding its keys (one, or one per line
    for dotted keys: `b.endpoint = ...`, `b.auth = ...`)."""

    def __init__(self, name: str, entries: list[tuple[Any, Any]]):
        self.name = name
        self.entries = entries

    @classmethod
    def find(cls, owner: Any, key: str) -> Written | None:
        entries = [(k, v) for k, v in _body(owner) if k is not None and k.key == key]
        return cls(key, entries) if entries else None

    def _holders(self, key: str) -> list:
        return [item for _, item in self.entries if isinstance(item, dict) and key in item]

    def __contains__(self, key: str) -> bool:
        return bool(self._holders(key))

    def parts(self) -> list:
        """The tables holding its keys (a dotted line is a table of one key)."""
        return [item for _, item in self.entries if isinstance(item, (Table, InlineTable))]

    def is_empty(self) -> bool:
        return not any(len(item) for _, item in self.entries if isinstance(item, dict))

    def child(self, key: str) -> Written | None:
        """The sub-table at key (headers, paginate), however it is written; None if unset."""
        entries = [e for _, item in self.entries if isinstance(item, (Table, InlineTable))
                   for e in _body(item) if e[0] is not None and e[0].key == key]
        if not entries:
            return None
        if not all(isinstance(item, dict) for _, item in entries):
            what = f"profile {key!r}" if self.name == "profiles" else (
                f"{key!r} in profile {self.name!r}")
            raise ConfigError(f"{what} is not a table", hint="fix it by hand first")
        return Written(key, entries)

    def set(self, key: str, value: Any) -> None:
        """Replace the key where it is written, or add it after the last key written."""
        holders = self._holders(key)
        if len(holders) > 1:
            raise ConfigError(f"{key!r} in {self.name!r} is written in several places",
                              hint="edit it by hand")
        if holders:
            holders[0][key] = value
            return
        put(self._target(), key, value)

    def _target(self) -> Any:
        """Where a new key goes: the last dotted line or the inline table, else the table
        under the `[...]` header (not a sub-table's implicit parent)."""
        for key, item in reversed(self.entries):
            if isinstance(item, InlineTable) or key.is_dotted():
                return item
            if isinstance(item, Table) and not item.is_super_table():
                return item
        raise ConfigError(f"{self.name!r} is written in a form restcli cannot edit",
                          hint="edit it by hand")

    def delete(self, key: str) -> None:
        for holder in self._holders(key):
            if isinstance(holder, InlineTable):
                _drop_inline(holder, key)
            else:
                del holder[key]  # an emptied dotted line is written as nothing


def put(table: Any, key: str, value: Any) -> None:
    """Set a key in place; a new key goes after the table's last key, before its trailing
    comments and sub-tables (tomlkit would append it after them)."""
    if key in table:
        table[key] = value
        return
    if isinstance(table, InlineTable):
        _put_inline(table, key, value)
        return
    body = table.value.body
    last = None
    for k, item in body:
        if k is not None and not isinstance(item, (Table, AoT)):
            last = k
    if last is None:
        # Through the container: a table's own setter would indent the new key like the
        # table's leading text, which may hold its heading.
        table.value.append(key, value)
    else:
        table.value._insert_after(last, key, value)


def add_profile(profiles: Written, name: str, table: Table) -> None:
    """A new profile goes after the last one, as a `[profiles.NAME]` table (inline when the
    profiles are themselves one inline table)."""
    part = profiles.parts()[-1]
    if isinstance(part, InlineTable):
        inline = tomlkit.inline_table()
        inline.update(table)
        table = inline
    part[name] = table


def _put_inline(table: InlineTable, key: str, value: Any) -> None:
    """A new key at the end of an inline table, before its closing padding, after ", ":
    `{ a = 1 }` -> `{ a = 1, b = 2 }` (tomlkit writes `{ a = 1,  b = 2}`)."""
    body = table.value.body
    end = len(body)
    while end and _is_padding(body[end - 1][1]):
        end -= 1
    separator = [(None, Whitespace(",")), (None, Whitespace(" "))] if len(table) else []
    table.append(key, value)
    entry = body.pop()
    entry[1].trivia.indent = ""
    body[end:end] = [*separator, entry]
    # Only padding followed the insertion point: no other key's index moved.
    table.value._map[entry[0]] = end + len(separator)


def _drop_inline(table: InlineTable, key: str) -> None:
    """Remove a key and its separator: `{ a = 1, b = 2 }` -> `{ b = 2 }`."""
    body = table.value.body
    index = table.value._map[SingleKey(key)]
    del table[key]
    # The comma after it (or, for the last key, the one before it) goes too; entries are
    # blanked, not removed, so no other key's index moves.
    after = _separator(body, index, 1)
    for i in after or _separator(body, index, -1):
        body[i] = (None, Null())


def _separator(body: list, index: int, step: int) -> list[int]:
    """The indices of the padding and the comma next to body[index], in one direction."""
    found, i, comma = [], index + step, False
    while 0 <= i < len(body) and body[i][0] is None:
        item = body[i][1]
        if isinstance(item, Whitespace) and item.s.strip() == "," and not comma:
            comma = True
        elif not (_is_padding(item) or isinstance(item, Null)):
            break
        found.append(i)
        i += step
    return found if comma else []


def _is_padding(item: Any) -> bool:
    return isinstance(item, Whitespace) and not item.s.strip()


def remove_profile(profiles: Written, name: str) -> None:
    """Remove every entry of the profile, and the heading above its first line."""
    heading_done = False
    for part in profiles.parts():
        body = _body(part)
        first = next((i for i, (k, _) in enumerate(body) if k is not None and k.key == name), None)
        if first is None:
            continue
        key, item = body[first]
        if not heading_done and (key.is_dotted() or not isinstance(item, Table)):
            # A table's heading is in its leading text; a line's is above it.
            for i in range(_heading_start(body, first), first):
                body[i] = (None, Null())
        heading_done = True
        del part[name]


def rename_profile(profiles: Written, old: str, new: str) -> None:
    """Rename a profile where it stands: its table headers, or the key of each of its
    lines, change; nothing moves."""
    old_key = SingleKey(old)
    for part in profiles.parts():
        container = part.value
        if old_key not in container._map:
            continue
        new_key = None
        for i, (key, item) in enumerate(container.body):
            if key is None or key.key != old:
                continue
            new_key = _renamed(key, new)
            container.body[i] = (new_key, item)
            if isinstance(item, Table) and not key.is_dotted():
                _rename_headers(item, new_key)
        # tomlkit finds a key through its map (keys compare by name) and its dict.
        container._map[new_key] = container._map.pop(old_key)
        dict.__setitem__(container, new, dict.pop(container, old))


def _renamed(key: Any, new: str) -> SingleKey:
    """The key `new` written as `key` was: same spacing around it, same separator, and a
    dotted line (`b.endpoint = ...`) stays one."""
    fresh = SingleKey(new)
    written = key.as_string()
    stripped = written.strip()
    lead, trail = written[: len(written) - len(written.lstrip())], written[len(written.rstrip()):]
    renamed = SingleKey(new, t=fresh.t, sep=key.sep,
                        original=lead + fresh.as_string() + trail if stripped else None)
    renamed._dotted = key.is_dotted()  # no public way to say so
    return renamed


def _rename_headers(table: Table, new_key: SingleKey) -> None:
    """`[profiles.old]` and `[profiles.old.headers]` -> new: the headers written under the
    table (a part that is only the implicit parent of later sub-tables has none itself)."""
    named = table if table.display_name else next(
        (t for _, t in table.value.body if isinstance(t, Table) and t.display_name), None)
    if named is None:
        return
    old_prefix = named.display_name if named is table else _without_last(named.display_name)
    last = _last_part(old_prefix)
    new_prefix = old_prefix[: len(old_prefix) - len(last)] + new_key.as_string()
    _replace_prefix(table, old_prefix, new_prefix)


def _without_last(header: str) -> str:
    """A table header as written without its last key: `profiles.a.headers` -> `profiles.a`."""
    head = header[: len(header) - len(_last_part(header))].rstrip()
    return head[:-1].rstrip() if head.endswith(".") else head


def _last_part(dotted: str) -> str:
    """The last key of a table header as written: `profiles."a.b"` -> `"a.b"`."""
    quote = None
    for i in range(len(dotted) - 1, -1, -1):
        c = dotted[i]
        if c in "\"'" and quote is None:
            quote = c
        elif c == quote:
            quote = None
        elif c == "." and quote is None:
            return dotted[i + 1 :].lstrip()
    return dotted


def _replace_prefix(table: Any, old_prefix: str, new_prefix: str) -> None:
    name = table.display_name
    if name and (name == old_prefix or name.startswith(old_prefix + ".")):
        table.display_name = new_prefix + name[len(old_prefix):]
    for _, item in table.value.body:
        if isinstance(item, Table):
            _replace_prefix(item, old_prefix, new_prefix)
