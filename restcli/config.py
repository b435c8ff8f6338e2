"""The profiles file: where it is, parsing, and validation into frozen Profiles.

Validation collects every problem before failing, and each problem names the file,
the line where one is known, the profile and the key.
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import auth
from .errors import ConfigError
from .hosts import escaped, hostname_problem
from .http import SENSITIVE_HEADERS, valid_header_name
from .params import Declared, Param, within
from .record import Factory, record
from .secrets import is_reference, read_regular

# Keys every profile may hold, whatever its mode. Mode keys are declared by the modes.
COMMON = (
    Param("endpoint", "base URL of the API, stage included"),
    Param("auth", "auth mode: " + " | ".join(auth.NAMES), default=auth.DEFAULT_MODE,
          choices=auth.NAMES),
    Param("headers", "headers for every call; values may be secret references", kind=dict),
    Param("headers_command", "program printing 'Name: value' lines, run for each call"),
    # Timeouts are always on, and retries bounded, so a script never waits unboundedly.
    Param("timeout", "seconds to wait for connect and for each read", kind=float, default=30.0,
          check=within(0, 3600, low_open=True, unit="seconds")),
    Param("retries", "retries for idempotent calls on 429/502/503/504", kind=int, default=2,
          check=within(0, 10)),
    Param("ca_bundle", "CA certificates file for TLS verification"),
    Param("max_time", "seconds the whole call may take, retries and redirects included",
          kind=float, check=within(0, 86400, low_open=True, unit="seconds")),
    Param("proxy", "proxy URL for every request of this profile (else HTTPS_PROXY/HTTP_PROXY)"),
    Param("client_cert", "client certificate file (PEM) for mutual TLS"),
    Param("client_key", "private key file (PEM) of client_cert, if not in the same file"),
    Param("client_key_password", "password of an encrypted client_key (a secret reference)",
          secret=True),
    Param("paginate", "--paginate by a token in the body: { next = EXPR, param = NAME }",
          kind=dict, check=lambda value: paginate_problem(value)),
)
NOT_IN_DEFAULTS = ("endpoint",)
# The client certificate's keys, read through ProfileValues like a mode's (the password is
# a secret reference, resolved when a call uses it and registered to be scrubbed).
CLIENT_TLS = Declared("mutual TLS", tuple(p for p in COMMON if p.name.startswith("client_")))
# Problem scopes: a profile's is ("profile", name), so no profile name (not even "")
# can be taken for these two.
SHARED, OTHER = ("shared",), ("other",)


def paginate_problem(value: dict) -> str | None:
    """`paginate = { next = "nextToken", param = "nextToken" }`: JMESPath to the token in a
    page's body, and the query parameter that sends it (default: `next`, if a plain name)."""
    unknown = sorted(set(value) - {"next", "param"})
    if unknown:
        return f"unknown key {unknown[0]!r} (paginate takes next and param)"
    if not isinstance(value.get("next"), str) or not value["next"].strip():
        return "needs next = \"EXPR\" (JMESPath to the next-page token in the body)"
    param = value.get("param")
    if param is None:
        if not value["next"].isidentifier():
            return "needs param = \"NAME\" (the query parameter for the token)"
    elif not isinstance(param, str) or not param or any(c in param for c in "&=#? "):
        return "param must be a query parameter name"
    return None
URL_DEFAULTS = ("timeout", "retries", "ca_bundle", "max_time", "proxy")
# Said wherever no profiles file is found: pip users have no example file to copy.
NO_FILE_HINT = (
    "run restcli config init to write a first profile (restcli config init --print shows a "
    "starter file), or pass --config PATH"
)


@record
class Header:
    name: str
    value: str
    source: str
    secret: bool = False


@record
class Profile:
    name: str
    endpoint: str
    values: Mapping[str, Any]
    sources: Mapping[str, str] = Factory(dict)
    headers: tuple[Header, ...] = ()
    file: Path | None = None

    @property
    def mode(self) -> str:
        return self.values.get("auth") or auth.DEFAULT_MODE

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value


@record
class Config:
    path: Path
    exists: bool
    defaults: Mapping[str, Any]
    profiles: Mapping[str, Profile]
    # Problems by scope: SHARED ([defaults], the file's shape), ("profile", name), or OTHER
    # (an unknown top-level table). A call needs SHARED and its own profile clean.
    problems: Mapping[tuple, list] = Factory(dict)
    warn: Any = None
    warned: list = Factory(list)  # once per run

    def check(self) -> None:
        """Every problem in the file (config check): ConfigError, exit 8."""
        every = [p for scope in self.problems.values() for p in scope]
        if every:
            n = len(every)
            raise ConfigError(
                f"{self.path}: {n} problem{'s' if n > 1 else ''} in the config",
                problems=every,
            )

    def usable(self, name: str | None) -> None:
        """Refuse a call whose [defaults] or profile has problems; warn once about others."""
        own = list(self.problems.get(SHARED, ()))
        if name is not None:
            own += self.problems.get(("profile", name), ())
        if own:
            n = len(own)
            raise ConfigError(
                f"{self.path}: {n} problem{'s' if n > 1 else ''} in the config",
                problems=own,
            )
        others = [s for s in self.problems if s not in (SHARED, ("profile", name), OTHER)]
        if self.warn is None or self.warned or not (others or OTHER in self.problems):
            return
        self.warned.append(True)
        if others:
            n = len(others)
            what = f"{n} other profile{'s have' if n > 1 else ' has'} problems"
        else:
            what = "the file has problems outside this profile"
        self.warn(f"{what}; run restcli config check")

    def profile(self, name: str) -> Profile:
        if name in self.profiles or ("profile", name) in self.problems:
            self.usable(name)
            return self.profiles[name]
        self.usable(None)
        if not self.exists:
            raise ConfigError(
                f"unknown profile {name!r}: no config file at {self.path}",
                hint=NO_FILE_HINT,
            )
        # difflib only to suggest a name (start-up)
        import difflib

        known = sorted(self.profiles)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        # Names come from the file: one that is not printable is shown escaped.
        shown = [n if n.isprintable() else escaped(n) for n in known]
        hint += "known profiles: " + (", ".join(shown) if shown else "(none)")
        raise ConfigError(f"unknown profile {name!r} in {self.path}", hint=hint)

    def for_url(self, url: str) -> Profile:
        """A bare URL: the profile whose endpoint it starts with, else built-in defaults.

        A URL that no profile claims gets no credentials and no profile headers, so a
        secret configured for one API is never sent to an arbitrary host.
        """
        for profile in self.profiles.values():
            base = profile.endpoint.rstrip("/")
            if url == base or url.startswith(base + "/") or url.startswith(base + "?"):
                self.usable(profile.name)
                return profile
        self.usable(None)
        values = {p.name: p.default for p in all_params().values()}
        # Transport settings only: defaults' headers, headers_command and credentials
        # belong to the APIs the profiles name.
        values.update({k: v for k, v in self.defaults.items() if k in URL_DEFAULTS})
        values["auth"] = "none"
        return Profile(name=url, endpoint=url, values=values, file=None)


def all_params() -> dict[str, Param]:
    params: dict[str, Param] = {p.name: p for p in COMMON}
    for mode in auth.all_modes():
        for p in mode.params:
            params.setdefault(p.name, p)
    return params


# A profiles file is a few kilobytes: a larger one (or a device) is not one.
MAX_FILE = 4 << 20


def load(path: Path, warn=None, expression=None) -> Config:
    """The profiles file as frozen profiles; a missing file is an empty Config.

    expression(text) -> problem or None checks the JMESPath of each paginate.next: config
    check passes one; a call compiles its own expression when it pages.
    """
    try:
        data = read_regular(path, MAX_FILE)
    except FileNotFoundError:
        return Config(path=path, exists=False, defaults={}, profiles={})
    except (OSError, ValueError) as e:
        raise ConfigError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    return parse(data, path, warn=warn, expression=expression)


def problems_of(data: bytes, path: Path) -> list[str]:
    """Every validation problem of a file's text; a TOML syntax error raises ConfigError."""
    config = parse(data, path)
    return [p for scope in config.problems.values() for p in scope]


def parse(data: bytes, path: Path, warn=None, expression=None) -> Config:
    # tomllib only when a file is read, not for --help (start-up)
    import tomllib

    try:
        text = data.decode("utf-8")
        doc = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None
    return Validator(doc, text, path, warn, expression).run()


class Validator:
    def __init__(self, doc: dict, text: str, path: Path, warn=None, expression=None):
        self.doc = doc
        self.expression = expression
        self.path = path
        self.text = text
        self._lines = None
        self.problems: dict[tuple, list[str]] = {}
        self.params = all_params()
        self.warn = warn
        self.literal_secrets: list[str] = []

    @property
    def lines(self) -> dict:
        # Only a file with problems needs line numbers: computed on the first one.
        if self._lines is None:
            self._lines = _key_lines(self.text)
        return self._lines

    def problem(self, table: tuple[str, ...], key: str | None, message: str) -> None:
        line = self.lines.get((table, key)) or self.lines.get((table, None))
        if not line and table:  # a key in an inline table: the table's line
            line = self.lines.get((table[:-1], table[-1]))
        where = f"{self.path}:{line}" if line else str(self.path)
        # Names come from the file as written: escaped, like the values quoted.
        dotted = ".".join(table + ((key,) if key else ()))
        dotted = dotted if dotted.isprintable() else escaped(dotted)
        self.problems.setdefault(_scope(table, key), []).append(f"{where}: {dotted}: {message}")

    def run(self) -> Config:
        for key in self.doc:
            if key not in ("defaults", "profiles"):
                self.problem((), key, "unknown table" + _suggest(key, ["defaults", "profiles"]))
        defaults = self.doc.get("defaults", {})
        if not isinstance(defaults, dict):
            self.problem((), "defaults", "must be a table")
            defaults = {}
        self.check_table(("defaults",), defaults, is_defaults=True)
        profiles_doc = self.doc.get("profiles", {})
        if not isinstance(profiles_doc, dict):
            self.problem((), "profiles", "must be a table of profiles")
            profiles_doc = {}
        profiles = {}
        for name, table in profiles_doc.items():
            if not isinstance(table, dict):
                self.problem(("profiles",), name, "must be a table")
                continue
            self.check_table(("profiles", name), table, is_defaults=False)
            profiles[name] = self.merge(name, defaults, table)
        if self.literal_secrets and self.warn and _readable_by_others(self.path):
            self.warn(
                f"{self.path} holds literal secrets ({', '.join(self.literal_secrets)}) and is "
                f"readable by others; run: chmod 600 {self.path}"
            )
        return Config(path=self.path, exists=True, defaults=defaults, profiles=profiles,
                      problems=self.problems, warn=self.warn)

    def check_table(self, table: tuple[str, ...], values: dict, is_defaults: bool) -> None:
        if not is_defaults and "endpoint" not in values:
            self.problem(table, None, "missing required key 'endpoint'")
        for key, value in values.items():
            param = self.params.get(key)
            if param is None or (is_defaults and key in NOT_IN_DEFAULTS):
                names = [n for n in self.params if not (is_defaults and n in NOT_IN_DEFAULTS)]
                self.problem(table, key, "unknown key" + _suggest(key, names))
                continue
            if not _has_kind(value, param.kind):
                self.problem(
                    table, key, f"must be {_kind_name(param.kind)}, not {_kind_name(type(value))}"
                )
                continue
            if key == "auth" and value not in auth.NAMES:
                self.problem(
                    table, key, f"unknown auth mode {value!r}" + _suggest(value, list(auth.NAMES))
                )
            elif param.choices and value not in param.choices:
                self.problem(table, key, f"must be one of {', '.join(param.choices)}")
            elif key == "endpoint":
                self.check_endpoint(table, value)
            elif key == "headers":
                self.check_headers(table, value)
            elif param.problem(value):
                self.problem(table, key, param.problem(value))
            elif key == "paginate" and self.expression:
                if problem := self.expression(value["next"]):
                    self.problem(table + (key,), "next", problem)
            elif param.secret and not _is_ref(value) and value:
                self.literal_secrets.append(".".join(table + (key,)))

    def check_endpoint(self, table, value: str) -> None:
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError as e:
            self.problem(table, "endpoint", f"invalid URL: {e}")
            return
        # Credentials first: no other message may quote a value that holds a password.
        if parts.username is not None or parts.password is not None:
            self.problem(
                table, "endpoint", "must not hold credentials (user:password@); use an auth mode"
            )
        elif parts.scheme not in ("http", "https") or not parts.hostname:
            self.problem(table, "endpoint", f"must be an http(s) URL, not {escaped(value)}")
        elif parts.query or parts.fragment:
            self.problem(table, "endpoint", "must not hold a query or fragment")
        elif not value.isprintable():
            # Shown in tables and plans: no escape sequence may reach a terminal.
            self.problem(table, "endpoint", f"holds a control character: {escaped(value)}")
        elif problem := hostname_problem(_netloc_host(parts.netloc), lax=True):
            self.problem(table, "endpoint", f"{problem}: {escaped(value)}")

    def check_headers(self, table, headers: dict) -> None:
        for name, value in headers.items():
            if not isinstance(value, str):
                self.problem(table + ("headers",), name, "header values must be strings")
            elif not valid_header_name(name):
                self.problem(table + ("headers",), name, "is not a valid header name")
            elif "\n" in value or "\r" in value:
                self.problem(table + ("headers",), name, "header values must be one line")
            elif name.lower() in SENSITIVE_HEADERS and value and not _is_ref(value):
                self.literal_secrets.append(".".join(table + ("headers", name)))

    def merge(self, name: str, defaults: dict, table: dict) -> Profile:
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for key, param in self.params.items():
            if key == "headers":
                continue
            if key in table:
                values[key], sources[key] = table[key], "profile"
            elif key in defaults:
                values[key], sources[key] = defaults[key], "defaults"
            else:
                values[key], sources[key] = param.default, "built-in"
        headers: dict[str, Header] = {}
        sensitive = _sensitive_names(values)
        for source, layer in (("defaults", defaults), ("profile", table)):
            layer_headers = layer.get("headers")
            if not isinstance(layer_headers, dict):
                continue  # already reported
            for hname, hvalue in layer_headers.items():
                # A literal Authorization or Cookie is as secret as a reference to one.
                secret = _is_ref(hvalue) or hname.lower() in sensitive
                headers[hname.lower()] = Header(hname, hvalue, source, secret=secret)
        return Profile(
            name=name,
            endpoint=str(table.get("endpoint", "")),
            values=values,
            sources=sources,
            headers=tuple(headers.values()),
            file=self.path,
        )


def _scope(table: tuple[str, ...], key: str | None) -> tuple:
    """Whose problem it is: a profile's, everyone's (SHARED) or nobody's in use (OTHER)."""
    path = table + ((key,) if key else ())
    if len(path) >= 2 and path[0] == "profiles":
        return ("profile", path[1])
    if path[:1] in (("defaults",), ("profiles",)):
        return SHARED
    return OTHER


def _sensitive_names(values: Mapping[str, Any]) -> set[str]:
    """Header names whose values are credentials: the shared list and the mode's own header."""
    names = set(SENSITIVE_HEADERS)
    mode = values.get("auth")
    if mode in auth.NAMES:
        for param in auth.get(mode).params:
            if param.name.endswith("header") and isinstance(values.get(param.name), str):
                names.add(values[param.name].lower())
    return names


def _netloc_host(netloc: str) -> str:
    """The host of a netloc as written (urlsplit's hostname lower-cases and trims it)."""
    host = netloc.rpartition("@")[2]
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rpartition(":")[0] if ":" in host else host


def _is_ref(value: Any) -> bool:
    return is_reference(value)


def _has_kind(value: Any, kind: type) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _kind_name(kind: type) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        dict: "a table",
        list: "an array",
    }.get(kind, kind.__name__)


def _suggest(word: str, choices: list[str]) -> str:
    # difflib only to suggest a name (start-up)
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _readable_by_others(path: Path) -> bool:
    if sys.platform == "win32":
        return False
    try:
        return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        return False


_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _dotted_key(text: str, i: int) -> tuple[tuple[str, ...], int] | None:
    """A dotted key starting at text[i]: (parts, index after it), or None. Linear time."""
    parts: list[str] = []
    n = len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] in "\"'":
            close = text.find(text[i], i + 1)
            if close < 0:
                return None
            parts.append(text[i + 1 : close])
            i = close + 1
        else:
            j = i
            while j < n and text[j] in _BARE:
                j += 1
            if j == i:
                return None
            parts.append(text[i:j])
            i = j
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == ".":
            i += 1
            continue
        return tuple(parts), i


def _key_lines(text: str) -> dict[tuple[tuple[str, ...], str | None], int]:
    """Best-effort map of (table, key) to a line number, for messages about valid TOML.

    Linear in the length of the text: no pattern here can backtrack.
    """
    lines: dict[tuple[tuple[str, ...], str | None], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" \t")
        if stripped.startswith("["):
            start = 2 if stripped.startswith("[[") else 1
            found = _dotted_key(stripped, start)
            if found and stripped[found[1] : found[1] + 1] == "]":
                table = found[0]
                lines.setdefault((table, None), number)
            continue
        found = _dotted_key(stripped, 0)
        if found and stripped[found[1] : found[1] + 1] == "=":
            parts = found[0]
            full = table + parts[:-1]
            lines.setdefault((full, parts[-1]), number)
            lines.setdefault((full, None), number)
    return lines
