"""`restcli run FILE...`: Hurl files, each entry sent with the auth of the profile its
URL falls under (the rule bare URLs follow), so the files themselves hold no secret.

The runner (restcli/runner/) knows nothing of profiles: this module hands it hooks that
pick a profile per URL, build that profile's auth once per run (every request is still
signed afresh), and register every secret so reports and errors never show it.
"""

from __future__ import annotations

import os
import re
import threading
from typing import TYPE_CHECKING, Any

from .. import auth as auth_modes
from ..auth.iam import SigV4Auth
from ..aws import credentials
from ..client import tls_verify
from ..errors import UsageError
from ..runner.api import Redactor, RunOptions, Transport, run_files, typed_value
from ..settings import decide

if TYPE_CHECKING:
    from ..app import App

ENV_PREFIX = "RESTCLI_VARIABLE_"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_SIGV4 = re.compile(r"aws:amz:([a-z0-9-]+):([a-z0-9-]+)")


class ProfileAuth:
    """Per-URL hooks for the runner: the profile's auth and transport settings."""

    def __init__(self, app: App, mode: str | None, redactor: Redactor):
        self.app = app
        self.mode = mode
        self.redactor = redactor
        self._auths: dict[str, Any] = {}
        self._lock = threading.Lock()  # --jobs: files run in threads

    def profile(self, url: str):
        return decide(self.app.config.for_url(url), {"auth": self.mode})

    def auth_for(self, url: str):
        profile = self.profile(url)
        with self._lock:
            if profile.name not in self._auths:
                self._auths[profile.name] = auth_modes.build_auth(
                    profile, profile.mode, self.app.redactor, self.app.warn
                )
            self._share_secrets()
            return self._auths[profile.name]

    def transport_for(self, url: str) -> Transport:
        profile = self.profile(url)
        verify = tls_verify(False, None, profile.get("ca_bundle"))
        return Transport(verify=verify, timeout=profile.get("timeout"))

    def sigv4_auth(self, spec: str):
        """`aws-sigv4: aws:amz:REGION:SERVICE`, signed with restcli's AWS credential chain."""
        m = _SIGV4.fullmatch(spec.strip())
        if not m:
            raise UsageError(f"aws-sigv4 {spec!r}: expected aws:amz:REGION:SERVICE")
        return SigV4Auth(credentials.load(None), m.group(1), m.group(2), on_secret=self._secret)

    def _secret(self, value: str | None) -> None:
        self.app.redactor.add(value)
        if value:
            self.redactor.add(value)

    def _share_secrets(self) -> None:
        for value in self.app.redactor.values:
            self.redactor.add(value)


def variables(app: App, profiles: list[str], given: list[str], files: list[str]) -> dict:
    """Profiles' endpoints, then RESTCLI_VARIABLE_*, then --variables-file, then --variable."""
    found: dict[str, Any] = {}
    for i, name in enumerate(profiles):
        endpoint = app.config.profile(name).endpoint.rstrip("/")
        if i == 0:
            found["endpoint"] = endpoint
        found[name] = endpoint
    for key, value in app.environ.items():
        if key.startswith(ENV_PREFIX) and _NAME.fullmatch(key[len(ENV_PREFIX):]):
            found[key[len(ENV_PREFIX):]] = typed_value(value)
    for path in files:
        found.update(_read_variables_file(path))
    for item in given:
        name, value = _pair(item, "--variable")
        found[name] = typed_value(value)
    return found


def _read_variables_file(path: str) -> dict:
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as f:
            lines = f.read(1 << 20).splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"--variables-file {path}: {getattr(e, 'strerror', None) or e}") from None
    found = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, value = _pair(line.strip(), f"--variables-file {path}:{number}")
        found[name] = typed_value(value)
    return found


def _pair(item: str, where: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep or not _NAME.fullmatch(name):
        raise UsageError(f"{where}: expected NAME=VALUE, not {item!r}")
    return name, value


def run_from_values(app: App, files: list[str], values: dict) -> int:
    """The run as either parser gives it: option values by name (cli/options.RUN_OPTIONS)."""
    def given(name, default):
        value = values.get(name)
        return default if value is None else value

    options = RunOptions(
        test=bool(values.get("test")), continue_on_error=bool(values.get("continue_on_error")),
        from_entry=values.get("from_entry"), to_entry=values.get("to_entry"),
        location=bool(values.get("location")), max_redirs=given("max_redirs", 50),
        insecure=bool(values.get("insecure")), retry=given("retry", 0),
        retry_interval=given("retry_interval", 1.0), max_time=values.get("max_time"),
        verbose=bool(values.get("verbose")),
        report_junit=values.get("report_junit"), report_json=values.get("report_json"),
    )
    return run(app, files, options, given("profile", []), values.get("auth"),
               given("variable", []), given("variables_file", []), given("secret", []),
               given("jobs", 1))


def run(app: App, files: list[str], options: RunOptions, profiles: list[str], mode: str | None,
        given: list[str], variable_files: list[str], secrets: list[str], jobs: int) -> int:
    if not files:
        raise UsageError("restcli run needs at least one Hurl file")
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    found = variables(app, profiles, given, variable_files)
    redactor = Redactor()
    for item in secrets:
        name, value = _pair(item, "--secret")
        found[name] = value
        redactor.add(value)
        app.redactor.add(value)
    hooks = ProfileAuth(app, mode, redactor)
    return run_files(
        files, variables=found, options=options, auth_for=hooks.auth_for,
        sigv4_auth=hooks.sigv4_auth, transport_for=hooks.transport_for,
        out=app.out, err=app.err, jobs=jobs, redactor=redactor,
    )
