"""A profiles file from Python values, so a test states what it needs, not TOML syntax.

    path = profile_file(tmp_path, defaults={"timeout": 5},
                        api={"endpoint": url, "auth": "api_key", "api_key": "env:K"})
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string is a JSON string
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def _table(name: str, values: dict[str, Any]) -> list[str]:
    lines = [f"[{name}]"]
    nested = {k: v for k, v in values.items() if k == "headers" and isinstance(v, dict)}
    lines += [f"{json.dumps(k)} = {_value(v)}" for k, v in values.items() if k not in nested]
    for key, table in nested.items():
        lines += ["", f"[{name}.{key}]"]
        lines += [f"{json.dumps(k)} = {_value(v)}" for k, v in table.items()]
    return lines + [""]


def profiles_toml(defaults: dict[str, Any] | None = None, **profiles: dict[str, Any]) -> str:
    lines: list[str] = []
    if defaults:
        lines += _table("defaults", defaults)
    for name, values in profiles.items():
        lines += _table(f"profiles.{json.dumps(name)}", values)
    return "\n".join(lines)


def profile_file(directory: Path, defaults: dict[str, Any] | None = None,
                 name: str = "profiles.toml", **profiles: dict[str, Any]) -> Path:
    """Write the file (mode 0600, as a user's profiles file should be) and return its path."""
    path = directory / name
    path.write_text(profiles_toml(defaults, **profiles), encoding="utf-8")
    path.chmod(0o600)
    return path
