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
from ..client import tls_verify, transport_options
from ..errors import UsageError
from ..runner.api import MAX_JOBS, Redactor, RunOptions, Transport, run_files, typed_value
from ..runner.options import MAX_DURATION_S, MAX_REDIRS, MAX_RETRY
from ..secrets import NotRegular, TooLarge, read_regular
from ..settings import decide

if TYPE_CHECKING:
    from ..app import App

ENV_PREFIX = "RESTCLI_VARIABLE_"
VARIABLES_FILE_LIMIT = 1 << 20  # name=value lines: a MiB is plenty
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
        """The profile's TLS, timeout, whole-request limit, proxy and client certificate."""
        profile = self.profile(url)
        verify = tls_verify(False, profile)
        options = transport_options(profile, self.app.redactor, self.app.environ)
        self._share_secrets()
        cert = options.get("client_cert")
        if cert is not None:
            certificate, key, password, _ = cert
            if password:
                raise UsageError(
                    f"profile {profile.name!r}: restcli run cannot use an encrypted client key "
                    "(client_key_password); use a key without a password for run"
                )
            cert = (certificate, key) if key else certificate
        proxy = options["proxy"]
        return Transport(
            verify=verify, timeout=profile.get("timeout"), cert=cert,
            proxies={"http": proxy, "https": proxy} if proxy else None,
            max_time=options["max_time"],
        )

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
    # Through the regular-file reader: a FIFO or device given here is refused, not waited on.
    try:
        lines = read_regular(os.path.expanduser(path), VARIABLES_FILE_LIMIT).decode(
            "utf-8").splitlines()
    except NotRegular:
        raise UsageError(f"--variables-file {path}: not a regular file") from None
    except TooLarge:
        raise UsageError(f"--variables-file {path}: larger than "
                         f"{VARIABLES_FILE_LIMIT // (1024 * 1024)} MiB") from None
    except (OSError, ValueError) as e:  # UnicodeDecodeError too
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


# Bounds of the command-line options: every loop and wait of a run stays finite.
BOUNDS = {
    "retry": (0, MAX_RETRY), "max_redirs": (0, MAX_REDIRS), "jobs": (1, MAX_JOBS),
    "from_entry": (1, None), "to_entry": (1, None),
    "retry_interval": (0.0, MAX_DURATION_S), "max_time": (0.001, MAX_DURATION_S),
}


def check_values(values: dict) -> None:
    """Usage errors (exit 2) for command-line values out of bounds, before anything runs."""
    for name, (low, high) in BOUNDS.items():
        value = values.get(name)
        if value is None:
            continue
        if value != value or value < low or (high is not None and value > high):  # NaN too
            limit = f"from {low:g} to {high:g}" if high is not None else f"at least {low:g}"
            raise UsageError(f"--{name.replace('_', '-')} must be {limit}")
    if values.get("auth"):
        auth_modes.get(values["auth"])  # an unknown mode: exit 8 with the known ones


def run_from_values(app: App, files: list[str], values: dict) -> int:
    """The run as either parser gives it: option values by name (cli/options.RUN_OPTIONS)."""
    check_values(values)

    def given(name, default):
        value = values.get(name)
        return default if value is None else value

    # Given values only: RunOptions' own defaults are the defaults (the help quotes them,
    # and a test holds the two together).
    fields = ("from_entry", "to_entry", "max_redirs", "retry", "retry_interval", "max_time",
              "report_junit", "report_json")
    flags = ("test", "continue_on_error", "location", "insecure", "verbose")
    options = RunOptions(
        **{name: values[name] for name in fields if values.get(name) is not None},
        **{name: bool(values.get(name)) for name in flags},
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
