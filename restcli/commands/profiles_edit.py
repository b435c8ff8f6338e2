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


def edit(app: App, change: Callable[[Any], str],
         meaning: Callable[[dict], None] | None = None) -> None:
    """Apply change(doc) -> summary to the file; nothing is written unless the result is valid.

    meaning(data), when given, makes the same change to the file's data as plain values:
    the written file must read back as exactly that, or nothing is written.
    """
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
            summary = _edit_locked(app, path, change, meaning)
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


def _edit_locked(app: App, path: Path, change: Callable[[Any], str],
                 meaning: Callable[[dict], None] | None) -> str:
    text = _read(path)
    if text is not None:
        _check_writable(path)
    # tomlkit only to edit the file, keeping its comments (start-up)
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    from .profiles_layout import attach_headings

    try:
        doc = attach_headings(tomlkit.parse(text), text) if text else tomlkit.document()
    except (TOMLKitError, RecursionError) as e:
        raise ConfigError(f"{path}: invalid TOML: {e}", hint="fix it by hand first") from None
    before = {_unplaced(p, path) for p in problems_of(text.encode("utf-8"), path)} if text else set()
    summary = change(doc)
    new_text = tomlkit.dumps(doc)
    if meaning is not None:
        _check_meaning(path, text, new_text, meaning)
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


def _read(path: Path) -> str | None:
    try:
        return read_regular(path, MAX_FILE).decode("utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text", hint="fix it by hand first") from None
    except (OSError, ValueError) as e:
        raise ConfigError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None


def _check_meaning(path: Path, text: str | None, new_text: str,
                   meaning: Callable[[dict], None]) -> None:
    """The edited text must mean the old data with the one change, nothing else: a form of
    writing that the layout-keeping edit gets wrong is refused, never written."""
    # tomllib only when a file is edited (start-up)
    import tomllib

    want = tomllib.loads(text) if text else {}
    meaning(want)
    try:
        got = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        got = None
    if got != want:
        raise ConfigError(
            f"edit refused, {path} left unchanged: restcli cannot make this change while "
            "keeping the way the file is written",
            hint="make it by hand",
        )


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


def _profiles(doc: Any) -> Any:
    """The profiles as written: one [profiles] table, or several parts of it (a file may
    write `[profiles.a]`, then `[defaults]`, then `[profiles.b]`)."""
    # tomlkit only to edit the file, keeping its comments (start-up)
    import tomlkit

    from .profiles_layout import Written

    if "profiles" not in doc:
        doc["profiles"] = tomlkit.table(is_super_table=True)
    profiles = Written.find(doc, "profiles")
    if profiles is None or not profiles.parts():
        raise ConfigError("'profiles' in the file is not a table")
    return profiles


def _existing(doc: Any, name: str) -> Any:
    profiles = _profiles(doc)
    profile = profiles.child(name) if name in profiles else None
    if profile is None:
        # difflib only to suggest a name (start-up)
        import difflib

        names = [k for part in profiles.parts() for k in part]
        close = difflib.get_close_matches(name, names, n=1)
        raise ConfigError(
            f"no profile {name!r}",
            hint=f"did you mean {close[0]!r}?" if close else "restcli profiles list",
        )
    return profile


def _table_key(key: str) -> tuple[str, str] | None:
    """`headers.X-Team` -> ("headers", "X-Team"): a key inside a table-valued key."""
    head, dot, sub = key.partition(".")
    param = all_params().get(head)
    if dot and sub and param is not None and param.kind is dict:
        return head, sub
    return None


def typed_value(key: str, raw: str, literal: bool) -> Any:
    """A command-line string as the type the key declares; literal secrets need --literal."""
    inner = _table_key(key)
    if inner and inner[0] == "headers":
        if inner[1].lower() in SENSITIVE_HEADERS and not is_reference(raw) and not literal:
            raise UsageError(*_literal_refused(key))
        return raw
    if inner:
        return raw  # paginate.next, paginate.param: validation checks them
    param = all_params().get(key)
    if param is None:
        return raw  # validation names the unknown key with a suggestion
    if param.secret and raw and not is_reference(raw) and not literal:
        raise UsageError(*_literal_refused(key))
    if param.kind is dict:
        return _table_value(key, raw, literal)
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


def _table_value(key: str, raw: str, literal: bool) -> dict:
    """A whole table given as a TOML inline table: `{ next = "meta.next", param = "nt" }`."""
    # tomllib only to read an inline table (start-up)
    import tomllib

    try:
        value = tomllib.loads(f"value = {raw}").get("value")
    except tomllib.TOMLDecodeError:
        value = None
    if not isinstance(value, dict):
        sample = '{ next = "EXPR", param = "NAME" }' if key == "paginate" else '{ NAME = "VALUE" }'
        raise UsageError(f"{key} takes a table, not {raw!r}",
                         hint=f"set one key with {key}.KEY VALUE, or give {key} '{sample}'")
    for sub, item in value.items():
        if isinstance(item, str):
            typed_value(f"{key}.{sub}", item, literal)  # the same literal-secret rule
    return value


def _literal_refused(key: str) -> tuple[str, str]:
    return (
        f"refusing to write a literal secret to {key}",
        "use a reference (env:NAME, file:PATH, command:CMD), or pass --literal",
    )


def _written(value: Any) -> Any:
    """A table value is written inline, padded as TOML's own examples are:
    `paginate = { next = "nextToken" }` (tomlkit would write `{next = "nextToken"}`)."""
    if not isinstance(value, dict):
        return value
    # tomlkit only to edit the file, keeping its comments (start-up)
    import tomlkit

    pairs = ", ".join(f"{tomlkit.key(k).as_string()} = {tomlkit.item(_written(v)).as_string()}"
                      for k, v in value.items())
    return tomlkit.parse(f"value = {{ {pairs} }}\n" if pairs else "value = {}\n")["value"]


def _assign(profile: Any, key: str, value: Any) -> None:
    """Set key (or headers.NAME, paginate.next) in the profile, however it is written; a
    new table goes inline."""
    inner = _table_key(key)
    if inner is None:
        profile.set(key, _written(value))
        return
    head, sub = inner
    table = profile.child(head)
    if table is None:
        profile.set(head, _written({sub: value}))
    else:
        table.set(sub, value)


def _plain_assign(table: dict, key: str, value: Any) -> None:
    """_assign's meaning, on the file's data (the check that the layout kept it)."""
    inner = _table_key(key)
    if inner is None:
        table[key] = value
    else:
        table.setdefault(inner[0], {})[inner[1]] = value


def add(app: App, name: str, endpoint: str, mode: str | None, sets: list[str], literal: bool):
    pairs = [(key, typed_value(key, raw, literal)) for key, raw in map(_split_set, sets)]
    plain: dict[str, Any] = {"endpoint": endpoint, **({"auth": mode} if mode else {})}
    for key, value in pairs:
        _plain_assign(plain, key, value)

    def change(doc: Any) -> str:
        profiles = _profiles(doc)
        if name in profiles:
            raise ConfigError(f"profile {name!r} exists", hint=f"restcli profiles set {name} KEY VALUE")
        # tomlkit only to edit the file, keeping its comments (start-up)
        import tomlkit

        from .profiles_layout import Written, add_profile

        table = tomlkit.table()
        table["endpoint"] = endpoint
        if mode:
            table["auth"] = mode
        new = Written(name, [(tomlkit.key(name), table)])
        for key, value in pairs:
            _assign(new, key, value)
        add_profile(profiles, name, table)
        return f"added profile {name}"

    def meaning(data: dict) -> None:
        data.setdefault("profiles", {})[name] = plain

    edit(app, change, meaning)


def _split_set(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise UsageError(f"--set takes key=value, not {item!r}")
    return key.strip(), value


def set_key(app: App, name: str, key: str, raw: str, literal: bool) -> None:
    value = typed_value(key, raw, literal)

    def change(doc: Any) -> str:
        _assign(_existing(doc, name), key, value)
        return f"set {key} in profile {name}"

    def meaning(data: dict) -> None:
        _plain_assign(data["profiles"][name], key, value)

    edit(app, change, meaning)


def unset_key(app: App, name: str, key: str) -> None:
    inner = _table_key(key)

    def change(doc: Any) -> str:
        profile = _existing(doc, name)
        if inner is None:
            if key not in profile:
                raise ConfigError(f"profile {name!r} has no key {key!r}")
            profile.delete(key)
            return f"unset {key} in profile {name}"
        head, sub = inner
        table = profile.child(head)
        if table is None or sub not in table:
            what = "header" if head == "headers" else f"{head} key"
            raise ConfigError(f"profile {name!r} has no {what} {sub!r}")
        table.delete(sub)
        if table.is_empty():
            profile.delete(head)
        return f"unset {key} in profile {name}"

    def meaning(data: dict) -> None:
        table = data["profiles"][name]
        if inner is None:
            del table[key]
            return
        del table[inner[0]][inner[1]]
        if not table[inner[0]]:
            del table[inner[0]]

    edit(app, change, meaning)


def remove(app: App, name: str) -> None:
    def change(doc: Any) -> str:
        # tomlkit only to edit the file, keeping its comments (start-up)
        import tomlkit

        from .profiles_layout import remove_profile

        _existing(doc, name)
        profiles = _profiles(doc)
        remove_profile(profiles, name)
        if profiles.is_empty():
            doc["profiles"] = tomlkit.table()  # an empty [profiles], not nothing
        return f"removed profile {name}"

    def meaning(data: dict) -> None:
        del data["profiles"][name]

    edit(app, change, meaning)


def rename(app: App, old: str, new: str) -> None:
    def change(doc: Any) -> str:
        # tomlkit only to edit the file, keeping its comments (start-up)
        from .profiles_layout import rename_profile

        _existing(doc, old)
        profiles = _profiles(doc)
        if new in profiles:
            raise ConfigError(f"profile {new!r} exists")
        rename_profile(profiles, old, new)
        return f"renamed profile {old} to {new}"

    def meaning(data: dict) -> None:
        data["profiles"][new] = data["profiles"].pop(old)

    edit(app, change, meaning)
