"""`profiles list`, `profiles show`, `config check` and `config path`: reading the config,
never resolving it. Each prints a table or text, or with --json one JSON document.

Secret references are shown as written (a reference names where a secret lives, not
the secret); literal secrets are masked. Which keys are secret comes from the modes'
declared parameters, so this works for every mode without knowing any of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import auth
from ..config import COMMON, NO_FILE_HINT, all_params, load
from ..errors import ConfigError, UsageError
from ..http import SENSITIVE_HEADERS, proxy_secrets
from ..params import Param
from ..secrets import is_reference, mask

if TYPE_CHECKING:
    from ..app import App


def _require_file(app: App) -> None:
    if not app.config.exists:
        raise ConfigError(
            f"no config file at {app.config_path}",
            hint=NO_FILE_HINT,
        )


def list_profiles(app: App, as_json: bool = False) -> None:
    _require_file(app)
    profiles = app.config.profiles.values()
    if as_json:
        from .document import print_document  # only for --json (start-up)

        print_document(app, [{"name": p.name, "endpoint": p.endpoint, "auth": p.mode}
                             for p in profiles])
        return
    from ..output import print_table  # only for the table; `profiles show` needs none (start-up)

    print_table(app, ("profile", "endpoint", "auth"), [(p.name, p.endpoint, p.mode) for p in profiles])


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


def show_profile(app: App, name: str, as_json: bool = False) -> None:
    _require_file(app)
    profile = app.config.profile(name)
    # A proxy URL's password is a secret too: the writers then mask it wherever it shows.
    for secret in proxy_secrets(profile.get("proxy"), {}):
        app.redactor.add(secret)
    params: dict[str, Param] = all_params()
    # Built-in defaults of other modes' keys are noise; their set values are shown.
    own = {p.name for p in COMMON} | {p.name for p in auth.get(profile.mode).params}
    rows: list[tuple[str, str, str]] = [("endpoint", profile.endpoint, "profile")]
    settings: dict[str, dict] = {"endpoint": {"value": profile.endpoint, "source": "profile"}}
    for key, value in profile.values.items():
        if key == "endpoint":
            continue
        source = profile.sources.get(key, "")
        if source == "built-in" and (value is None or key not in own):
            continue
        rows.append((key, shown(value, params[key].secret), source))
        settings[key] = {"value": _typed(value, params[key].secret), "source": source}
    headers: dict[str, dict] = {}
    for h in profile.headers:
        secret = h.secret or h.name.lower() in SENSITIVE_HEADERS
        rows.append((f"headers.{h.name}", shown(h.value, secret), h.source))
        headers[h.name] = {"value": shown(h.value, secret), "source": h.source}
    if as_json:
        from .document import print_document  # only for --json (start-up)

        print_document(app, {"name": profile.name, "file": str(profile.file), "auth": profile.mode,
                             "settings": settings, "headers": headers})
        return
    app.out.write(f"# profile {profile.name} in {profile.file}\n")
    width = max(len(r[0]) for r in rows)
    for key, value, source in rows:
        app.out.write(f"{key:<{width}} = {value}   # {source}\n")


def _typed(value: Any, secret: bool) -> Any:
    """A value for JSON: its own type (true, 30, null), a literal secret masked as in text."""
    return shown(value, secret) if isinstance(value, str) else value


def check(app: App, as_json: bool = False) -> None:
    """Every problem in the file, exit 8 if there is one. With --json, one document always:
    a file that is missing or cannot be read is its one problem."""
    try:
        config = load(app.config_path, warn=app.warn, expression=_expression_problem)
        if not config.exists:
            raise ConfigError(f"no config file at {app.config_path}", hint=NO_FILE_HINT)
    except ConfigError as e:
        if as_json:
            _print_check(app, app.config_path, 0, [e.message])
        raise
    n = len(config.profiles)
    if as_json:
        problems = [p for scope in config.problems.values() for p in scope]
        _print_check(app, config.path, n, problems)
        if problems:
            # Exit 8 as without --json; the problems are in the document, not repeated.
            raise ConfigError(f"{config.path}: {len(problems)} problem"
                              f"{'s' if len(problems) > 1 else ''} in the config")
        return
    config.check()  # ConfigError (exit 8) listing every problem in the file
    app.out.write(f"{config.path}: ok, {n} profile{'s' if n != 1 else ''}\n")


def _print_check(app: App, path: Any, profiles: int, problems: list[str]) -> None:
    from .document import print_document  # only for --json (start-up)

    print_document(app, {"path": str(path), "valid": not problems, "profiles": profiles,
                         "problems": problems})


def _expression_problem(expr: str) -> str | None:
    """paginate.next compiled as a call would compile it: config check reports a bad one
    (exit 8) instead of the first paginated call (exit 2)."""
    # jmespath, through the filters, only for config check (start-up)
    from ..output.filters import compile_expr

    try:
        compile_expr(expr, "invalid JMESPath")
    except UsageError as e:
        return e.message
    return None


def path(app: App, as_json: bool = False) -> None:
    if as_json:
        from .document import print_document  # only for --json (start-up)

        print_document(app, {"path": str(app.config_path), "exists": app.config_path.exists()})
        return
    app.out.line(str(app.config_path))
