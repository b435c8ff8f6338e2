"""`restcli config init`: a first profile from a few questions, as `aws configure` does.

On a terminal it asks for a profile name, an endpoint, an auth mode and what that mode
cannot work without, then writes the profile through the same validated, locked, atomic
writer as `profiles add`. A secret is asked for as a reference (env:NAME, file:PATH,
command:CMD), never as a literal. Without a terminal nothing is asked: exit 2 naming the
`profiles add` flags. `--print` prints a starter file instead (pip users have no
profiles.example.toml to copy).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .. import auth as auth_modes
from ..config import all_params
from ..errors import ConfigError, UsageError
from ..secrets import is_reference
from .profiles_edit import add

if TYPE_CHECKING:
    from ..app import App

# What a first profile of each mode cannot work without (the others need nothing: iam
# reads the AWS credential chain, none sends no credentials). Asked in this order.
STARTER = """\
# A restcli profiles file: one [profiles.NAME] table per API.
# Save it where `restcli config path` says (or pass --config FILE), then check it with
# `restcli config check`. Every key: restcli profiles show NAME, and the README.

[profiles.myApi]
# Base URL, stage included.
endpoint = "https://abc123.execute-api.us-east-1.amazonaws.com/prod"
# iam (SigV4, the AWS credential chain), cognito, token, api_key or none.
auth = "api_key"
# Where the secret lives, never the secret: env:NAME, file:PATH or command:CMD.
api_key = "env:MYAPI_API_KEY"
"""

NO_TERMINAL_HINT = (
    "restcli profiles add NAME --endpoint URL --auth MODE --set key=value "
    "(restcli config init --print shows a starter file)"
)


def init(app: App, print_only: bool) -> None:
    if print_only:
        app.out.write(STARTER)
        app.out.flush()
        return
    if not app.interactive:
        raise UsageError(
            "restcli config init asks its questions at a terminal, and there is none",
            hint=NO_TERMINAL_HINT,
        )
    existing = app.config.profiles if app.config.exists else {}
    app.note(f"adding a profile to {app.config_path}")
    name = _ask(app, "Profile name", "default")
    if not name.isprintable():
        raise UsageError("a profile name cannot hold control characters")
    if name in existing:
        raise ConfigError(
            f"profile {name!r} exists in {app.config_path}",
            hint=f"restcli profiles set {name} KEY VALUE changes it; pick another name to add one",
        )
    endpoint = _ask(app, "Endpoint (base URL, stage included)")
    mode = _ask(app, f"Auth mode ({', '.join(auth_modes.NAMES)})", auth_modes.DEFAULT_MODE)
    if mode not in auth_modes.NAMES:
        raise UsageError(f"unknown auth mode {mode!r}", hint="known modes: " + ", ".join(auth_modes.NAMES))
    params = all_params()
    sets = []
    for key in auth_modes.get(mode).required:
        if params[key].secret:
            default = "env:" + re.sub(r"\W", "_", name).upper() + "_" + key.upper()
            value = _ask(app, f"{key}: where the secret lives (env:NAME, file:PATH or command:CMD)", default)
            if not is_reference(value):
                raise UsageError(
                    f"refusing to write a literal secret to {key}",
                    hint=f"answer with a reference such as {default}; to store a literal "
                    f"anyway: restcli profiles set {name} {key} VALUE --literal",
                )
        else:
            value = _ask(app, f"{key} ({params[key].help})")
        sets.append(f"{key}={value}")
    add(app, name, endpoint, mode, sets, literal=False)
    app.note(f"try it: restcli get {name} /PATH (restcli profiles show {name} lists its settings)")


def _ask(app: App, question: str, default: str | None = None) -> str:
    """One answer from the terminal; empty takes the default, or is refused without one."""
    app.err.write(f"{question}{f' [{default}]' if default else ''}: ")
    app.err.flush()
    answer = app.read_line().strip()
    if answer:
        return answer
    if default is None:
        raise UsageError(f"no answer given for: {question.split(' (')[0].lower()}")
    return default
