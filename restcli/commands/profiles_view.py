"""`profiles list`, `profiles show` and `config check`: reading the config, never resolving it.

Secret references are shown as written (a reference names where a secret lives, not
the secret); literal secrets are masked. Which keys are secret comes from the modes'
declared parameters, so this works for every mode without knowing any of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..secrets import is_reference, mask

if TYPE_CHECKING:
    from ..app import App


def _require_file(app: "App") -> None:
    from ..errors import ConfigError

    if not app.config.exists:
        raise ConfigError(
            f"no config file at {app.config_path}",
            hint="create it from profiles.example.toml, or pass --config PATH",
        )


def list_profiles(app: "App") -> None:
    from ..output import print_table

    _require_file(app)
    rows = [(p.name, p.endpoint, p.mode) for p in app.config.profiles.values()]
    print_table(app, ("profile", "endpoint", "auth"), rows)


def shown(value: Any, secret: bool) -> str:
    if isinstance(value, str):
        if secret and value and not is_reference(value):
            return mask(value)
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "(unset)"
    return str(value)


def show_profile(app: "App", name: str) -> None:
    from .. import auth
    from ..params import Param
    from ..config import COMMON, all_params
    from ..http import SENSITIVE_HEADERS

    _require_file(app)
    profile = app.config.profile(name)
    params: dict[str, Param] = all_params()
    # Built-in defaults of other modes' keys are noise; their set values are shown.
    own = {p.name for p in COMMON} | {p.name for p in auth.get(profile.mode).params}
    rows: list[tuple[str, str, str]] = [("endpoint", profile.endpoint, "profile")]
    for key, value in profile.values.items():
        if key == "endpoint":
            continue
        source = profile.sources.get(key, "")
        if source == "built-in" and (value is None or key not in own):
            continue
        rows.append((key, shown(value, params[key].secret), source))
    for h in profile.headers:
        secret = h.secret or h.name.lower() in SENSITIVE_HEADERS
        rows.append((f"headers.{h.name}", shown(h.value, secret), h.source))
    app.out.write(f"# profile {profile.name} in {profile.file}\n")
    width = max(len(r[0]) for r in rows)
    for key, value, source in rows:
        app.out.write(f"{key:<{width}} = {value}   # {source}\n")


def check(app: "App") -> None:
    _require_file(app)
    config = app.config
    config.check()  # ConfigError (exit 8) listing every problem in the file
    n = len(config.profiles)
    app.out.write(f"{config.path}: ok, {n} profile{'s' if n != 1 else ''}\n")
