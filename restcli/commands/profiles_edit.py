"""Editing the profiles file: validate first, keep a .bak, write atomically under a lock.

Edits go through tomlkit, so the file stays as the user wrote it: comments, key order,
blank lines, quoting and inline tables are kept, and only the edited key or table
changes. A symlinked profiles file is followed (the link stays a link; the lock is the
target's, whichever path was used).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import replacing
from ..config import MAX_FILE, all_params, problems_of
from ..errors import ConfigError, UsageError
from ..http import SENSITIVE_HEADERS
from ..secrets import is_reference, read_regular

if TYPE_CHECKING:
    from ..app import App

LOCK_TIMEOUT = 30.0


def target_of(path: Path) -> Path:
    """The file an edit writes: a symlink's target, so the link stays a link."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def edit(app: App, change: Callable[[Any], str]) -> None:
    """Apply change(doc) -> summary to the file; nothing is written unless the result is valid."""
    # filelock only when a file is edited (start-up)
    from filelock import Timeout

    path = target_of(app.config_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(f"cannot create the directory of {path}: {e.strerror}") from None
    lock = _lock(path)
    try:
        with lock:
            summary = _edit_locked(app, path, change)
    except Timeout:
        raise ConfigError(f"{path} is locked by another restcli; try again") from None
    except OSError as e:
        raise ConfigError(f"cannot lock {path}: {e.strerror} ({lock.lock_file})") from None
    app.note(summary)


def _lock(path: Path):
    # filelock only when a file is edited (start-up)
    from filelock import FileLock

    lock_path = Path(f"{path}.lock")
    if lock_path.is_symlink():
        # Opening it would create or truncate whatever it points to.
        raise ConfigError(
            f"refusing to lock {path}: {lock_path} is a symbolic link",
            hint=f"remove {lock_path} if no restcli is running",
        )
    return FileLock(str(lock_path), timeout=LOCK_TIMEOUT, mode=0o600)


def _edit_locked(app: App, path: Path, change: Callable[[Any], str]) -> str:
    # tomlkit only to edit the file, keeping its comments (start-up)
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        text = read_regular(path, MAX_FILE).decode("utf-8")
    except FileNotFoundError:
        text = None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text", hint="fix it by hand first") from None
    except (OSError, ValueError) as e:
        raise ConfigError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    if text is not None:
        _check_writable(path)
    try:
        doc = tomlkit.parse(text) if text else tomlkit.document()
    except (TOMLKitError, RecursionError) as e:
        raise ConfigError(f"{path}: invalid TOML: {e}", hint="fix it by hand first") from None
    before = {_unplaced(p, path) for p in problems_of(text.encode("utf-8"), path)} if text else set()
    summary = change(doc)
    new_text = tomlkit.dumps(doc)
    # Refuse only what this edit breaks: another profile's old problem is not its fault.
    new_problems = [
        p for p in problems_of(new_text.encode("utf-8"), path) if _unplaced(p, path) not in before
    ]
    if new_problems:
        n = len(new_problems)
        raise ConfigError(
            f"edit refused, {path} left unchanged: {n} problem{'s' if n > 1 else ''} in the config",
            problems=new_problems,
        )
    try:
        _write(path, new_text, text)
    except OSError as e:
        raise ConfigError(f"cannot write {path}: {e.strerror}; the file is unchanged") from None
    return summary


def _unplaced(problem: str, path: Path) -> str:
    """A problem without its line number (an edit moves lines)."""
    head = f"{path}:"
    if problem.startswith(head):
        rest = problem[len(head):]
        number, sep, tail = rest.partition(": ")
        if sep and number.isdigit():
            return f"{path}: {tail}"
    return problem


def _check_writable(path: Path) -> None:
    """A file the user cannot (or chose not to) write is refused, never replaced."""
    st = path.stat()
    owner_cannot = st.st_uid == os.geteuid() and not st.st_mode & stat.S_IWUSR
    if owner_cannot or not os.access(path, os.W_OK):
        raise ConfigError(
            f"cannot write {path}: the file is read-only",
            hint=f"make it writable first (chmod u+w {path})",
        )


def _write(path: Path, text: str, previous: str | None) -> None:
    mode = stat.S_IMODE(path.stat().st_mode) if previous is not None else 0o600
    writes = [(path, text)]
    if previous is not None:
        writes.insert(0, (Path(f"{path}.bak"), previous))
    for target, content in writes:
        with replacing(target, mode) as f:
            f.write(content.encode("utf-8"))


def put(table: Any, key: str, value: Any) -> None:
    """Set a key in place; a new key goes after the table's last key, before its trailing
    comments and sub-tables (tomlkit would append it after them)."""
    # tomlkit only to edit the file, keeping its comments (start-up)
    from tomlkit.items import AoT, InlineTable, Table

    if key in table or isinstance(table, InlineTable) or not hasattr(table, "value"):
        table[key] = value
        return
    body = table.value.body
    last = None
    for k, item in body:
        if k is not None and not isinstance(item, (Table, AoT)):
            last = k
    if last is None:
        table[key] = value
    else:
        table.value._insert_after(last, key, value)


def _profiles(doc: Any) -> Any:
    # tomlkit only to edit the file, keeping its comments (start-up)
    import tomlkit

    if "profiles" not in doc:
        doc["profiles"] = tomlkit.table(is_super_table=True)
    profiles = doc["profiles"]
    if not isinstance(profiles, dict):
        raise ConfigError("'profiles' in the file is not a table")
    return profiles


def _headers_table(table: Any, name: str) -> Any:
    headers = table.get("headers", {})
    if not isinstance(headers, dict):
        raise ConfigError(f"profile {name!r}: headers is not a table", hint="fix it by hand first")
    return headers


def _existing(doc: dict, name: str) -> dict:
    profiles = _profiles(doc)
    if name not in profiles:
        # difflib only to suggest a name (start-up)
        import difflib

        close = difflib.get_close_matches(name, list(profiles), n=1)
        raise ConfigError(
            f"no profile {name!r}",
            hint=f"did you mean {close[0]!r}?" if close else "restcli profiles list",
        )
    if not isinstance(profiles[name], dict):
        raise ConfigError(f"profile {name!r} is not a table", hint="fix it by hand first")
    return profiles[name]


def typed_value(key: str, raw: str, literal: bool) -> Any:
    """A command-line string as the type the key declares; literal secrets need --literal."""
    if key.startswith("headers."):
        header = key.split(".", 1)[1]
        if header.lower() in SENSITIVE_HEADERS and not is_reference(raw) and not literal:
            raise UsageError(*_literal_refused(key))
        return raw
    param = all_params().get(key)
    if param is None:
        return raw  # validation names the unknown key with a suggestion
    if param.secret and raw and not is_reference(raw) and not literal:
        raise UsageError(*_literal_refused(key))
    if param.kind is bool:
        if raw.lower() in ("true", "yes", "1", "on"):
            return True
        if raw.lower() in ("false", "no", "0", "off"):
            return False
        raise UsageError(f"{key} takes true or false, not {raw!r}")
    if param.kind in (int, float):
        try:
            return int(raw) if param.kind is int or raw.lstrip("-").isdigit() else float(raw)
        except ValueError:
            raise UsageError(f"{key} takes a number, not {raw!r}") from None
    return raw


def _literal_refused(key: str) -> tuple[str, str]:
    return (
        f"refusing to write a literal secret to {key}",
        "use a reference (env:NAME, file:PATH, command:CMD), or pass --literal",
    )


def _assign(table: Any, key: str, value: Any) -> None:
    # tomlkit only to edit the file, keeping its comments (start-up)
    import tomlkit

    if key.startswith("headers."):
        if "headers" not in table:
            put(table, "headers", tomlkit.inline_table())
        headers = table["headers"]
        if not isinstance(headers, dict):
            raise ConfigError("'headers' in the profile is not a table")
        put(headers, key.split(".", 1)[1], value)
    else:
        put(table, key, value)


def add(app: App, name: str, endpoint: str, mode: str | None, sets: list[str], literal: bool):
    pairs = [_split_set(s) for s in sets]

    def change(doc: dict) -> str:
        profiles = _profiles(doc)
        if name in profiles:
            raise ConfigError(f"profile {name!r} exists", hint=f"restcli profiles set {name} KEY VALUE")
        # tomlkit only to edit the file, keeping its comments (start-up)
        import tomlkit

        table = tomlkit.table()
        table["endpoint"] = endpoint
        if mode:
            table["auth"] = mode
        for key, raw in pairs:
            _assign(table, key, typed_value(key, raw, literal))
        profiles[name] = table
        return f"added profile {name}"

    edit(app, change)


def _rename_in_place(profiles: Any, old: str, new: str) -> None:
    """Rename a profile where it stands: its header (and its sub-tables') change, no more."""
    # tomlkit only to edit the file, keeping its comments (start-up)
    from tomlkit.items import SingleKey, Table

    container = profiles.value
    new_key = SingleKey(new)
    for i, (key, item) in enumerate(container.body):
        if key is not None and key.key == old:
            container.body[i] = (new_key, item)
            container._map[new_key] = container._map.pop(key)
            break
    item = profiles[new]
    if isinstance(item, Table) and item.display_name:
        old_prefix = item.display_name
        new_prefix = old_prefix[: len(old_prefix) - len(_last_part(old_prefix))] + new_key.as_string()
        _rename_tables(item, old_prefix, new_prefix)


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
            return dotted[i + 1 :]
    return dotted


def _rename_tables(table: Any, old_prefix: str, new_prefix: str) -> None:
    # tomlkit only to edit the file, keeping its comments (start-up)
    from tomlkit.items import Table

    if isinstance(table, Table) and table.display_name and table.display_name.startswith(old_prefix):
        table.display_name = new_prefix + table.display_name[len(old_prefix):]
    for _, item in table.value.body if isinstance(table, Table) else ():
        if isinstance(item, Table):
            _rename_tables(item, old_prefix, new_prefix)


def _split_set(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise UsageError(f"--set takes key=value, not {item!r}")
    return key.strip(), value


def set_key(app: App, name: str, key: str, raw: str, literal: bool) -> None:
    value = typed_value(key, raw, literal)

    def change(doc: dict) -> str:
        _assign(_existing(doc, name), key, value)
        return f"set {key} in profile {name}"

    edit(app, change)


def unset_key(app: App, name: str, key: str) -> None:
    def change(doc: dict) -> str:
        table = _existing(doc, name)
        if key.startswith("headers."):
            headers = _headers_table(table, name)
            header = key.split(".", 1)[1]
            if header not in headers:
                raise ConfigError(f"profile {name!r} has no header {header!r}")
            del headers[header]
            if not headers:
                del table["headers"]
        elif key not in table:
            raise ConfigError(f"profile {name!r} has no key {key!r}")
        else:
            del table[key]
        return f"unset {key} in profile {name}"

    edit(app, change)


def remove(app: App, name: str) -> None:
    def change(doc: dict) -> str:
        # tomlkit only to edit the file, keeping its comments (start-up)
        import tomlkit

        _existing(doc, name)
        profiles = _profiles(doc)
        del profiles[name]
        if not profiles:
            doc["profiles"] = tomlkit.table()  # an empty [profiles], not nothing
        return f"removed profile {name}"

    edit(app, change)


def rename(app: App, old: str, new: str) -> None:
    def change(doc: dict) -> str:
        _existing(doc, old)
        profiles = _profiles(doc)
        if new in profiles:
            raise ConfigError(f"profile {new!r} exists")
        _rename_in_place(profiles, old, new)
        return f"renamed profile {old} to {new}"

    edit(app, change)
