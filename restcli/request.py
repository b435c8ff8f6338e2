"""What to send: method, URL (endpoint + path + query), layered headers and the body.

Nothing here touches the network; the result is a plain description that client.py
turns into a requests.Request.
"""

from __future__ import annotations

import json
import os
import re
from .record import Factory, record
from typing import Any, BinaryIO, Callable
from urllib.parse import quote, urlsplit, urlunsplit

from .errors import CredentialsError, UsageError
from .http import SENSITIVE_HEADERS, seekable, valid_header_name

# Characters allowed unescaped in a path (RFC 3986 pchar and "/"); "%" is handled apart.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
# Query keys and values: everything but unreserved is escaped (%20, %2B), as SigV4 expects.
_QUERY_SAFE = "-._~"
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")

# Separators of request items, longest first where they share a prefix (as in HTTPie).
_SEPARATORS = (":=", "==", "=", ":", ";")


@record
class Item:
    kind: str  # header | header-remove | header-empty | query | field | json
    key: str
    value: Any = None


@record
class RequestSpec:
    method: str
    url: str
    # lower-cased name -> (name as written, value, is_secret), in the order layered.
    headers: dict[str, tuple[str, str, bool]] = Factory(dict)
    # Headers the user set (or removed: None) on the command line win over the auth mode;
    # lower-cased name -> (name as written, value).
    user_headers: dict[str, tuple[str, str | None]] = Factory(dict)
    body: bytes | BinaryIO | None = None
    body_path: str | None = None
    # headers_command and the names it printed (an export re-runs the command instead).
    headers_command: str | None = None
    command_header_names: set[str] = Factory(set)

    def header_items(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value, _ in self.headers.values()]

    def secret_header_names(self) -> set[str]:
        return {k for k, (_, _, secret) in self.headers.items() if secret}

    def masked_names(self, auth) -> set[str]:
        """Headers whose values are masked wherever restcli shows them."""
        return self.secret_header_names() | {h.lower() for h in auth.secret_headers}

    def credential_names(self, auth) -> set[str]:
        """Headers that carry credentials: never sent to another origin, never exported."""
        names = set(SENSITIVE_HEADERS) | self.secret_header_names()
        return names | {h.lower() for h in auth.sensitive_headers}


def parse_item(arg: str) -> Item:
    """`Header:value`, `Header:`, `Header;`, `name==value`, `name=value`, `name:=json`."""
    best = None
    for sep in _SEPARATORS:
        i = _find_unescaped(arg, sep)
        if i > 0 and (best is None or i < best[0]):
            best = (i, sep)
    if best is None:
        raise UsageError(
            f"cannot read request item {arg!r}",
            hint="use Header:value, name==query, name=string, name:=json (see restcli get --help)",
        )
    i, sep = best
    key, value = _unescape(arg[:i]), _unescape(arg[i + len(sep) :])
    if sep == ":":
        _check_header_name(key)
        if value == "":
            return Item("header-remove", key)
        return Item("header", key, value.strip())
    if sep == ";":
        _check_header_name(key)
        if value:
            raise UsageError(f"cannot read request item {arg!r}: 'Header;' takes no value")
        return Item("header-empty", key, "")
    if sep == "==":
        return Item("query", key, value)
    if sep == "=":
        return Item("field", key, value)
    try:
        return Item("json", key, json.loads(value))
    except ValueError as e:
        raise UsageError(f"invalid JSON in {arg!r}: {e}") from None


def _find_unescaped(s: str, sep: str) -> int:
    start = 0
    while True:
        i = s.find(sep, start)
        if i <= 0 or s[i - 1] != "\\":
            return i
        start = i + 1


def _unescape(s: str) -> str:
    return re.sub(r"\\([:=;\\])", r"\1", s)


def _check_header_name(name: str) -> None:
    if not valid_header_name(name):
        raise UsageError(f"invalid header name {name!r}")


def parse_header_option(arg: str) -> Item:
    """-H 'Name: value' (curl style)."""
    if ":" not in arg:
        raise UsageError(f"invalid header {arg!r}", hint="use -H 'Name: value'")
    name, value = arg.split(":", 1)
    name = name.strip()
    _check_header_name(name)
    if value.strip() == "":
        return Item("header-remove", name)
    return Item("header", name, value.strip())


def parse_query_option(arg: str) -> Item:
    if "=" not in arg:
        raise UsageError(f"invalid query {arg!r}", hint="use -q name=value")
    key, value = arg.split("=", 1)
    return Item("query", key, value)


def join_url(endpoint: str, path: str) -> str:
    """Join PATH to the endpoint's path exactly once, escaping what a path may not hold."""
    base = urlsplit(endpoint)
    # A fragment is never sent to a server (and must never reach a signature).
    path = path.partition("#")[0]
    path, q, query = path.partition("?")
    joined = base.path.rstrip("/") + "/" + path.lstrip("/") if path else base.path or "/"
    url = urlunsplit((base.scheme, base.netloc, escape_path(joined), "", ""))
    # A bare URL may carry its own query; one typed in PATH follows it.
    queries = [escape_query_text(x) for x in (base.query, query) if x]
    if queries:
        url += "?" + "&".join(queries)
    return url


def escape_path(path: str) -> str:
    """Percent-encode (UTF-8) characters not allowed in a path; keep existing escapes."""
    return _escape(path, _PATH_SAFE)


def escape_query_text(query: str) -> str:
    """A query typed inside PATH: keep its structure and escapes, encode the rest."""
    return _escape(query, _QUERY_SAFE + "=&")


def _escape(text: str, safe: str) -> str:
    out = []
    i = 0
    while i < len(text):
        if text[i] == "%" and _ESCAPE.match(text, i):
            out.append(text[i : i + 3].upper())
            i += 3
            continue
        out.append(quote(text[i], safe=safe))
        i += 1
    return "".join(out)


def encode_query(pairs: list[tuple[str, str]]) -> str:
    """RFC 3986: %20 for a space, %2B for a plus, repeated keys kept in order."""
    return "&".join(f"{quote(k, safe=_QUERY_SAFE)}={quote(v, safe=_QUERY_SAFE)}" for k, v in pairs)


def add_query(url: str, pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return url
    return url + ("&" if "?" in url else "?") + encode_query(pairs)


def run_headers_command(cmd: str, where: str) -> list[tuple[str, str]]:
    """Amplify's `headers: async () => ({...})`, as a program printing `Name: value` lines."""
    from .secrets import run_command

    headers = []
    for line in run_command(cmd, where).splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not valid_header_name(name.strip()):
            raise CredentialsError(
                f"headers_command printed a line that is not 'Name: value' ({where})"
            )
        headers.append((name.strip(), value.strip()))
    return headers


def read_data(data: str, read_stdin: Callable[[], bytes]) -> tuple[bytes | BinaryIO, str | None]:
    """-d TEXT, -d @FILE (streamed from disk), -d @- (stdin, read only when asked)."""
    if data == "@-":
        return read_stdin(), None
    if data.startswith("@"):
        path = os.path.expanduser(data[1:])
        try:
            return open(path, "rb"), path
        except OSError as e:
            raise UsageError(f"cannot read {path}: {e.strerror}") from None
    return data.encode("utf-8"), None


def build_body(
    items: list[Item], data: str | None, read_stdin: Callable[[], bytes]
) -> tuple[Any, str | None, bool]:
    """The body and whether it is JSON. Fields and -d together are ambiguous: refused."""
    fields = [it for it in items if it.kind in ("field", "json")]
    if fields and data is not None:
        raise UsageError("request fields (name=value) and -d/--data cannot be combined")
    if fields:
        obj: dict[str, Any] = {}
        for it in fields:
            obj[it.key] = it.value
        return json.dumps(obj, ensure_ascii=False).encode("utf-8"), None, True
    if data is not None:
        body, path = read_data(data, read_stdin)
        return body, path, False
    return None, None, False


def build(
    profile,
    method: str,
    url: str,
    items: list[Item],
    data: str | None,
    redactor,
    user_agent: str,
    read_stdin: Callable[[], bytes],
) -> RequestSpec:
    """Layer headers (defaults < profile < headers_command < command line) and the body.

    Header values from secret references are resolved here, before any connection opens.
    """
    from .secrets import resolve

    spec = RequestSpec(method=method.upper(), url=url)
    spec.headers["user-agent"] = ("User-Agent", user_agent, False)
    for h in profile.headers:
        value = resolve(h.value, where=f"profile {profile.name!r}, header {h.name!r}")
        if h.secret:
            redactor.add(value, h.value)
        spec.headers[h.name.lower()] = (h.name, value, h.secret)
    command = profile.get("headers_command")
    if command:
        where = f"profile {profile.name!r}, key 'headers_command'"
        for name, value in run_headers_command(command, where):
            # Its output is usually a credential: treated as secret for display.
            redactor.add(value)
            spec.headers[name.lower()] = (name, value, True)
            spec.command_header_names.add(name.lower())
        spec.headers_command = command
    for it in items:
        if it.kind in ("header", "header-empty"):
            spec.headers[it.key.lower()] = (it.key, it.value, False)
            spec.user_headers[it.key.lower()] = (it.key, it.value)
        elif it.kind == "header-remove":
            spec.headers.pop(it.key.lower(), None)
            spec.user_headers[it.key.lower()] = (it.key, None)
    spec.url = add_query(url, [(it.key, it.value) for it in items if it.kind == "query"])
    body, path, is_json = build_body(items, data, read_stdin)
    spec.body, spec.body_path = body, path
    if is_json and "content-type" not in spec.headers and "content-type" not in spec.user_headers:
        spec.headers["content-type"] = ("Content-Type", "application/json", False)
    return spec
