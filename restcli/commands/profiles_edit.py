"""Editing the profiles file: validate first, keep a .bak, write atomically under a lock.

tomli-w writes TOML without comments; an edit of a commented file says so before it
writes, and the .bak keeps the original text.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..errors import ConfigError, UsageError

if TYPE_CHECKING:
    from ..app import App

LOCK_TIMEOUT = 30.0
_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'[^\'\n]*\'')


def has_comments(text: str) -> bool:
    return "#" in _STRINGS.sub("", text)


def edit(app: "App", change: Callable[[dict], str]) -> None:
    """Apply change(doc) -> summary to the file; nothing is written unless the result is valid."""
    import tomllib

    import tomli_w
    from filelock import FileLock, Timeout

    from ..config import parse

    path = app.config_path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT, mode=0o600):
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                text = None
            try:
                doc = tomllib.loads(text) if text else {}
            except tomllib.TOMLDecodeError as e:
                raise ConfigError(f"{path}: invalid TOML: {e}", hint="fix it by hand first") from None
            summary = change(doc)
            new_text = tomli_w.dumps(doc)
            try:
                parse(new_text.encode("utf-8"), path)
            except ConfigError as e:
                e.message = f"edit refused, {path} left unchanged: {e.message}"
                raise
            if text is not None and has_comments(text):
                app.warn(f"{path} has comments, which this edit drops; the original is kept in {path}.bak")
            _write(path, new_text, text)
    except Timeout:
        raise ConfigError(f"{path} is locked by another restcli; try again") from None
    app.note(summary)


def _write(path: Path, text: str, previous: str | None) -> None:
    from ..atomic import replacing

    mode = stat.S_IMODE(path.stat().st_mode) if previous is not None else 0o600
    writes = [(path, text)]
    if previous is not None:
        writes.insert(0, (Path(f"{path}.bak"), previous))
    for target, content in writes:
        with replacing(target, mode) as f:
            f.write(content.encode("utf-8"))


def _profiles(doc: dict) -> dict:
    profiles = doc.setdefault("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError("'profiles' in the file is not a table")
    return profiles


def _existing(doc: dict, name: str) -> dict:
    profiles = _profiles(doc)
    if name not in profiles:
        import difflib

        close = difflib.get_close_matches(name, list(profiles), n=1)
        raise ConfigError(
            f"no profile {name!r}",
            hint=f"did you mean {close[0]!r}?" if close else "restcli profiles list",
        )
    return profiles[name]


def typed_value(key: str, raw: str, literal: bool) -> Any:
    """A command-line string as the type the key declares; literal secrets need --literal."""
    from ..config import all_params
    from ..http import SENSITIVE_HEADERS
    from ..secrets import is_reference

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


def _assign(table: dict, key: str, value: Any) -> None:
    if key.startswith("headers."):
        table.setdefault("headers", {})[key.split(".", 1)[1]] = value
    else:
        table[key] = value


def add(app: "App", name: str, endpoint: str, mode: str | None, sets: list[str], literal: bool):
    pairs = [_split_set(s) for s in sets]

    def change(doc: dict) -> str:
        profiles = _profiles(doc)
        if name in profiles:
            raise ConfigError(f"profile {name!r} exists", hint=f"restcli profiles set {name} KEY VALUE")
        table: dict[str, Any] = {"endpoint": endpoint}
        if mode:
            table["auth"] = mode
        for key, raw in pairs:
            _assign(table, key, typed_value(key, raw, literal))
        profiles[name] = table
        return f"added profile {name}"

    edit(app, change)


def _split_set(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise UsageError(f"--set takes key=value, not {item!r}")
    return key.strip(), value


def set_key(app: "App", name: str, key: str, raw: str, literal: bool) -> None:
    value = typed_value(key, raw, literal)

    def change(doc: dict) -> str:
        _assign(_existing(doc, name), key, value)
        return f"set {key} in profile {name}"

    edit(app, change)


def unset_key(app: "App", name: str, key: str) -> None:
    def change(doc: dict) -> str:
        table = _existing(doc, name)
        if key.startswith("headers."):
            headers = table.get("headers", {})
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


def remove(app: "App", name: str) -> None:
    def change(doc: dict) -> str:
        _existing(doc, name)
        del _profiles(doc)[name]
        return f"removed profile {name}"

    edit(app, change)


def rename(app: "App", old: str, new: str) -> None:
    def change(doc: dict) -> str:
        table = _existing(doc, old)
        profiles = _profiles(doc)
        if new in profiles:
            raise ConfigError(f"profile {new!r} exists")
        # Keep the order of the file: rebuild with the new name in the old place.
        doc["profiles"] = {(new if k == old else k): (table if k == old else v) for k, v in profiles.items()}
        return f"renamed profile {old} to {new}"

    edit(app, change)
