"""`--curl`: the request as an equivalent curl command that names secrets, never prints them.

Every secret restcli resolved is known to the Redactor with the reference it came from,
so substituting a shell expression for it works the same for every auth mode. A mode
that curl can do natively (SigV4) offers `curl_options()` instead of its headers.

The command holds no secret by construction (every header that carries one names it
instead), so it is written as it is built (`export`, through the app's secret-output
writer): scrubbing it afterwards would also rewrite the user's own URL and body
wherever a secret's value happens to appear there as ordinary text.
"""

from __future__ import annotations

import os
import re
import shlex
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..request import header_text

if TYPE_CHECKING:
    from ..app import App
    from ..request import RequestSpec

# Headers requests adds on its own; curl has its own equivalents.
_TRANSPORT = {"content-length", "connection", "accept-encoding", "host"}


def shell_expression(reference: str | None, fallback: str) -> str:
    """The shell form of a secret reference, for use inside double quotes."""
    if reference and reference.startswith("env:"):
        name = reference[4:]
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            return "${" + name + "}"
        # Not a shell identifier (MY-KEY, 1KEY): ${...} would misread it; printenv does not.
        return "$(printenv " + shlex.quote(name) + ")"
    # A command substitution is parsed afresh even inside double quotes: the words only
    # need quoting as restcli itself splits them (shlex, no shell).
    if reference and reference.startswith("file:"):
        return "$(cat " + shlex.quote(os.path.expanduser(reference[5:])) + ")"
    if reference and reference.startswith("command:"):
        return "$(" + shlex.join(shlex.split(reference[8:])) + ")"
    return "${" + fallback + "}"


class Quoter:
    """Quotes words for a POSIX shell, putting shell expressions where secrets were."""

    def __init__(self, app: App):
        self.secrets = sorted(app.redactor.values, key=len, reverse=True)
        self.origins = app.redactor.origins
        self.literals: dict[str, str] = {}

    def word(self, text: str, secret: bool = False) -> str:
        """Quote text; in a secret-bearing value, put shell expressions for the secrets."""
        hits = [s for s in self.secrets if s in text] if secret else []
        if not hits:
            return shlex.quote(text)
        pattern = re.compile("|".join(re.escape(s) for s in hits))
        out, pos = [], 0
        for m in pattern.finditer(text):
            out.append(_dq(text[pos : m.start()]))
            reference = self.origins.get(m.group())
            fallback = "" if reference else self._literal_name(m.group())
            out.append(shell_expression(reference, fallback))
            pos = m.end()
        out.append(_dq(text[pos:]))
        return '"' + "".join(out) + '"'

    def _literal_name(self, value: str) -> str:
        if value not in self.literals:
            self.literals[value] = f"RESTCLI_SECRET_{len(self.literals) + 1}"
        return self.literals[value]


def _dq(text: str) -> str:
    return re.sub(r'([\\$"`])', r"\\\1", text)


def export(app: App, spec: RequestSpec, prep: Any, auth: Any, profile: str) -> None:
    """The curl command on stdout, exactly as built (see the module's doc)."""
    app.write_secret(to_curl(app, spec, prep, auth, profile) + "\n")


def to_curl(app: App, spec: RequestSpec, prep: Any, auth: Any, profile: str) -> str:
    q = Quoter(app)
    native = auth.curl_options()
    skip = set(_TRANSPORT) | spec.command_header_names
    url = prep.url
    words = ["curl", "--silent", "--show-error"]
    # restcli asks for gzip unless `Accept-Encoding:` took it away; curl then sends none.
    removed = {n.lower() for n, v in prep.headers.items() if header_text(v) is None}
    if "accept-encoding" not in removed:
        words.append("--compressed")
    if native is not None:
        skip |= {h.lower() for h in auth.sensitive_headers}
        url = auth.curl_url(url, profile, app.warn)
    if prep.method == "HEAD":
        words.append("--head")
    elif prep.method != "GET" or prep.body is not None:
        words += ["--request", prep.method]
    words.append(q.word(url))
    secret_names = spec.credential_names(auth)
    for name, value in prep.headers.items():
        if name.lower() in skip:
            continue
        text = header_text(value)  # None: not sent (curl: `Name:` removes its own)
        line = f"{name}:" if text is None else f"{name}: {text}" if text else f"{name};"
        words += ["--header", q.word(line, secret=name.lower() in secret_names)]
    if native is not None:
        words += native  # already shell words, naming variables rather than values
        if auth.curl_needs_env_export:
            app.note(f'the command reads AWS_* variables: first run eval "$(restcli env {profile})"')
    if spec.headers_command:
        # The argv restcli runs (shlex, no shell), quoted so bash runs the same words.
        words += ["--header", f"@<({shlex.join(shlex.split(spec.headers_command))})"]
    words += _body(spec, prep, q)
    if q.literals:
        app.warn(
            "the profile holds literal secrets; set "
            + ", ".join(sorted(q.literals.values()))
            + " before running this command (better: use env:, file: or command: references)"
        )
    return " ".join(words)


def _body(spec: RequestSpec, prep: Any, q: Quoter) -> list[str]:
    body = prep.body
    if body is None:
        return []
    # curl adds a form Content-Type to any body; restcli sent none, so neither may curl.
    words = [] if "content-type" in {h.lower() for h in prep.headers} else ["--header", "Content-Type:"]
    if spec.body_path:
        return words + ["--data-binary", shlex.quote("@" + spec.body_path)]
    if not isinstance(body, (bytes, str)):
        # A multipart form (--form with files, --multipart): curl would pick its own boundary.
        raise UsageError(
            "--curl cannot export a multipart body", hint="--offline prints the exact request"
        )
    if isinstance(body, str):
        body = body.encode("utf-8")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return words + ["--data-binary", "@-", "# binary body: pipe it in on stdin"]
    # --data-raw: a leading @ is data, not a file name.
    return words + ["--data-raw", q.word(text)]

