"""`restcli env PROFILE`: the credentials a profile resolves to, as `export` lines.

For tools that read AWS_* variables (curl --aws-sigv4, the AWS CLI, SDKs). A mode offers
them through its auth's environment(); the output is meant for `eval "$(...)"`.
"""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING

from .. import auth as auth_modes
from ..errors import UsageError
from ..settings import decide

if TYPE_CHECKING:
    from ..app import App


def export(app: App, name: str, overrides: dict, as_json: bool = False) -> None:
    """`overrides`: profile keys set on the command line (--auth, --aws-profile, --guest).

    `as_json`: the variables as one JSON object. Like the export lines, it is a documented
    secret output: the values are the live credentials, never scrubbed.
    """
    profile = decide(app.config.profile(name), overrides)
    mode = profile.mode
    auth = auth_modes.build_auth(profile, mode, app.redactor, app.warn)
    environment = auth.environment()
    if environment is None:
        raise UsageError(
            f"auth mode {mode!r} has no credentials to export as environment variables",
            hint="restcli env is for iam profiles (restcli auth token for cognito)",
        )
    if as_json:
        app.write_secret(json.dumps(environment, indent=2 if app.stdout_tty else None) + "\n")
    else:
        for key, value in environment.items():
            app.write_secret(f"export {key}={shlex.quote(value)}\n")
    if app.stdout_tty:
        app.warn("these are live credentials; use: eval \"$(restcli env " + name + ")\"")
