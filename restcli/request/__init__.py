"""What to send: method, URL (endpoint + path + query), request items, headers and the body.

Nothing here touches the network; the result is a plain description (RequestSpec) that
client.py turns into a requests.Request, and `wire_auth` makes the prepared request
exactly what restcli means to send (path and query as built here, header values as
UTF-8, removed headers not sent at all).

Request items follow HTTPie 3 (README, "Request items"); nested JSON keys and forms
live in items.py and forms.py, imported only when an item needs them.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from typing import Any, BinaryIO
from urllib.parse import quote, urlsplit, urlunsplit

from ..deadline import size_text
from ..errors import CredentialsError, UsageError
from ..http import SENSITIVE_HEADERS, URLENCODED, valid_header_name
from ..record import Factory, record
from ..secrets import resolve, run_command

# Characters allowed unescaped in a path (RFC 3986 pchar and "/"); "%" is handled apart.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
# A query typed in PATH or a URL: every character a request target may hold (RFC 3986
# query: pchar, "/" and "?") goes out as typed; "+" stays "+".
_TYPED_QUERY_SAFE = "/?:@!$&'()*+,;=-._~"
# name==value items: everything but unreserved is escaped (%20, %2B), as SigV4 expects.
_QUERY_SAFE = "-._~"
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")

# Separators of request items (HTTPie 3). At one position the longest wins; the first
# position wins over all.
_SEPARATORS = (":=@", "==@", ":=", "==", "=@", ":@", "=", ":", ";", "@")
# A backslash before one of these makes it an ordinary character in a key; in a value
# only before a separator character (":;=@"), as in HTTPie.
_ESCAPABLE = frozenset(":;=@\\[]")
# Repeated header items are sent as one line, values joined as RFC 9110 5.3 allows.
_JOIN = {"cookie": "; "}
JSON_ACCEPT = "application/json, */*;q=0.5"
# -d @FILE from a pipe, FIFO or device is read into memory (read_data): at most this much.
PIPED_BODY_LIMIT = 64 << 20
# urllib3's marker (urllib3.util.SKIP_HEADER) for "do not send this header at all",
# which it takes for User-Agent and Accept-Encoding.
_SKIPPABLE = frozenset({"user-agent", "accept-encoding"})
_NOT_SENT = "@@@SKIP_HEADER@@@"
_BOUNDARY = re.compile(r";\s*boundary\s*=", re.IGNORECASE)

_ITEM_HINT = (
    "use Header:value, name==query, name=string, name:=json, name=@file "
    "(see restcli get --help)"
)


@record
class Item:
    # header | header-remove | header-empty | query | field | json | file
    kind: str
    key: str
    value: Any = None
    # A field key using nested JSON syntax (o[k], arr[]): its characters, each with
    # whether it was escaped; None for a plain key.
    path: tuple | None = None
    # file parts (name@path;type=...): the part's content type, if given.
    mime: str | None = None


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
    # The auth mode the request goes with: a header it sets cannot be removed (wire_auth).
    auth_mode: str = "none"

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


# -- arguments ---------------------------------------------------------------------------


def check_text(text: str, what: str) -> str:
    """Refuse an argument that was not valid UTF-8 (Python hands it over surrogate-escaped)."""
    if any("\udc80" <= c <= "\udcff" for c in text):
        shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        raise UsageError(f"{what} {shown!r} is not valid UTF-8")
    return text


def _tokenize(arg: str) -> list[tuple[str, bool]]:
    """The argument as (character, escaped) pairs; `\\X` escapes X in _ESCAPABLE only."""
    out = []
    i = 0
    while i < len(arg):
        c = arg[i]
        if c == "\\" and i + 1 < len(arg) and arg[i + 1] in _ESCAPABLE:
            out.append((arg[i + 1], True))
            i += 2
            continue
        out.append((c, False))
        i += 1
    return out


def _split(chars: list[tuple[str, bool]]) -> tuple[int, str] | None:
    text = "".join("\0" if esc else c for c, esc in chars)  # escaped: never a separator
    best = None
    for sep in _SEPARATORS:
        i = text.find(sep)
        if i >= 0 and (best is None or i < best[0] or (i == best[0] and len(sep) > len(best[1]))):
            best = (i, sep)
    return best


def reads_as_item(word: str) -> bool:
    """Whether a word reads as a request item rather than a PATH: it holds an unescaped
    item separator, with no "/" or "?" before the first one (`q==1` and `count:=3` are
    items; `items`, `items/1`, `items?limit=5` and `items/a=b` are paths)."""
    chars = _tokenize(word)
    found = _split(chars)
    return found is not None and not any(c in "/?" for c, _ in chars[: found[0]])


def _plain(chars) -> str:
    return "".join(c for c, _ in chars)


def _value(chars) -> str:
    """A value: only an escaped separator character loses its backslash (`\\` stays two
    characters, so a JSON value like "a\\\\b" is read as typed)."""
    return "".join("\\" + c if esc and c in "\\[]" else c for c, esc in chars)


def parse_item(arg: str) -> Item:
    """One request item, HTTPie 3 syntax (README, "Request items")."""
    check_text(arg, "request item")
    chars = _tokenize(arg)
    found = _split(chars)
    if found is None:
        raise UsageError(f"cannot read request item {arg!r}", hint=_ITEM_HINT)
    i, sep = found
    key_chars, value = chars[:i], _value(chars[i + len(sep) :])
    key = _plain(key_chars)
    if sep in (":", ":@", ";"):
        _check_header_name(key)
        if sep == ":@":
            return Item("header", key, _read_text(value, arg).rstrip("\n").strip())
        if sep == ";":
            if value:
                raise UsageError(f"cannot read request item {arg!r}: 'Header;' takes no value")
            return Item("header-empty", key, "")
        if value == "":
            return Item("header-remove", key)
        # As HTTPie: a value of only whitespace sends the header with an empty value.
        return Item("header", key, value.strip())
    if sep == "==":
        return Item("query", key, value)
    if sep == "==@":
        return Item("query", key, _read_text(value, arg).rstrip("\n"))
    if sep == "@":
        path, _, mime = value.partition(";type=")
        if not path:
            raise UsageError(f"cannot read request item {arg!r}: no file after '@'")
        return Item("file", key, path, mime=mime or None)
    path = tuple(key_chars) if any(c in "[]" and not esc for c, esc in key_chars) else None
    if sep == "=":
        return Item("field", key, value, path=path)
    if sep == "=@":
        return Item("field", key, _read_text(value, arg), path=path)
    text = _read_text(value, arg) if sep == ":=@" else value
    try:
        return Item("json", key, json.loads(text, parse_float=_exact_float,
                                            parse_constant=_not_json), path=path)
    except _Inexact as e:
        raise UsageError(
            f"request item {arg!r}: the number {e.args[0]} cannot be sent as typed "
            f"(it would go out as {e.args[1]})",
            hint="send the exact JSON with -d",
        ) from None
    except ValueError as e:
        raise UsageError(f"invalid JSON in {arg!r}: {e}") from None


class _Inexact(ValueError):
    """A JSON number a float cannot carry: it would be sent as another number."""


def _exact_float(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise _Inexact(text, "Infinity, which is not JSON")
    from decimal import Decimal  # only for a JSON number with a fraction (start-up)

    if Decimal(text) != Decimal(repr(value)):
        raise _Inexact(text, repr(value))
    return value


def _not_json(text: str) -> Any:
    raise ValueError(f"{text} is not JSON (RFC 8259)")


def _read_text(path: str, arg: str) -> str:
    path = os.path.expanduser(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise UsageError(f"{arg!r}: cannot read {path}: {e.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{arg!r}: {path} is not UTF-8 text") from None


def _check_header_name(name: str) -> None:
    if not valid_header_name(name):
        raise UsageError(f"invalid header name {name!r}")


def parse_header_option(arg: str) -> Item:
    """-H 'Name: value' (curl style)."""
    check_text(arg, "header")
    if ":" not in arg:
        raise UsageError(f"invalid header {arg!r}", hint="use -H 'Name: value'")
    name, value = arg.split(":", 1)
    name = name.strip()
    _check_header_name(name)
    if value.strip() == "":
        return Item("header-remove", name)
    return Item("header", name, value.strip())


def parse_query_option(arg: str) -> Item:
    check_text(arg, "query")
    if "=" not in arg:
        raise UsageError(f"invalid query {arg!r}", hint="use -q name=value")
    key, value = arg.split("=", 1)
    return Item("query", key, value)


# -- URL ---------------------------------------------------------------------------------


def check_url(url: str) -> None:
    """A bare URL: http(s) with a host, no user:password@ (never echoed), valid UTF-8."""
    check_text(url, "URL")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as e:
        raise UsageError(f"invalid URL {_without_userinfo(url)!r}: {e}") from None
    if "@" in parts.netloc:
        raise UsageError(
            "a URL with user:password@ is refused (its credentials would travel in clear "
            "and show in logs)",
            hint="use a profile with an auth mode, or -H 'Authorization: ...'",
        )
    if not parts.hostname:
        raise UsageError(f"invalid URL {url!r}: no host")


def _without_userinfo(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    netloc, slash, tail = rest.partition("/")
    return scheme + sep + netloc.rpartition("@")[2] + slash + tail


def join_url(endpoint: str, path: str) -> str:
    """Join PATH to the endpoint's path exactly once, escaping what a path may not hold.

    Dot segments are resolved here; PATH may not climb above the endpoint's base path.
    A query typed in the URL or in PATH goes out as typed (empty segments dropped, "="
    inside a value as %3D, so that every SigV4 signer computes the same canonical query).
    """
    check_text(path, "path")
    base = urlsplit(endpoint)
    # A fragment is never sent to a server (and must never reach a signature).
    path = path.partition("#")[0]
    path, _, query = path.partition("?")
    base_path = _resolve_dots(base.path, "/", endpoint)
    if path:
        joined = base_path.rstrip("/") + "/" + path.lstrip("/")
        joined = _resolve_dots(joined, base_path.rstrip("/") + "/", endpoint)
    else:
        joined = base_path or "/"
    url = urlunsplit((base.scheme, base.netloc, escape_path(joined), "", ""))
    # A bare URL may carry its own query; one typed in PATH follows it.
    queries = [q for q in (escape_query_text(x) for x in (base.query, query)) if q]
    if queries:
        url += "?" + "&".join(queries)
    return url


def _resolve_dots(path: str, floor: str, endpoint: str) -> str:
    """RFC 3986 5.2.4 on literal "." and ".." segments (never on %2E); refused above floor."""
    segments = path.split("/")
    if not any(s in (".", "..") for s in segments):
        return path
    out: list[str] = []
    floor_depth = len([s for s in floor.split("/") if s])
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
            continue
        if seg == "..":
            # out[0] is the empty segment before the leading "/".
            if len(out) - 1 <= floor_depth:
                shown = urlsplit(endpoint).path or "/"
                raise UsageError(
                    f"path {path!r} climbs above the endpoint's base path {shown!r}",
                    hint="'..' may only go back within the endpoint's path",
                )
            out.pop()
            if last:
                out.append("")
            continue
        out.append(seg)
    return "/".join(out) or "/"


def escape_path(path: str) -> str:
    """Percent-encode (UTF-8) characters not allowed in a path; keep existing escapes."""
    return _escape(path, _PATH_SAFE)


def escape_query_text(query: str) -> str:
    """A query typed in PATH or a URL, as typed: only what a request target cannot hold is
    escaped; empty segments are dropped and "=" inside a value becomes %3D."""
    out = []
    for segment in query.split("&"):
        if not segment:
            continue
        name, eq, value = segment.partition("=")
        value = value.replace("=", "%3D")
        out.append(_escape(name, _TYPED_QUERY_SAFE.replace("&", "")) + eq
                   + _escape(value, _TYPED_QUERY_SAFE.replace("&", "")))
    return "&".join(out)


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


# -- headers and body --------------------------------------------------------------------


def run_headers_command(cmd: str, where: str) -> list[tuple[str, str]]:
    """Amplify's `headers: async () => ({...})`, as a program printing `Name: value` lines."""
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
    """-d TEXT, -d @FILE (streamed from disk), -d @- (stdin, read only when asked).

    A FILE that is not a regular file (a pipe, a FIFO, /dev/stdin, a device) can be read
    only once and not rewound, while a body must be sized, signed and sent again on a
    retry: it is read into memory, up to PIPED_BODY_LIMIT.
    """
    check_text(data, "-d")
    if data == "@-":
        return read_stdin(), None
    if not data.startswith("@"):
        return data.encode("utf-8"), None
    path = os.path.expanduser(data[1:])
    try:
        f = open(path, "rb")  # noqa: SIM115 - streamed by the client, closed by the call
        if stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return f, path
        with f:
            body = f.read(PIPED_BODY_LIMIT + 1)
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror}") from None
    if len(body) > PIPED_BODY_LIMIT:
        raise UsageError(
            f"-d @{path}: more than {size_text(PIPED_BODY_LIMIT)} from a pipe or device "
            "(the most restcli holds in memory); save it to a file and give -d @FILE"
        )
    return body, None


def build_body(
    items: list[Item],
    data: str | None,
    read_stdin: Callable[[], bytes],
    form: bool = False,
    multipart: bool = False,
) -> tuple[Any, str | None, str | None]:
    """The body, the file it streams from, and its Content-Type (None: leave unset).

    Fields and -d together are ambiguous: refused.
    """
    fields = [it for it in items if it.kind in ("field", "json", "file")]
    if fields and data is not None:
        raise UsageError("request fields (name=value) and -d/--data cannot be combined")
    if form or multipart or any(it.kind == "file" for it in fields):
        if not fields and not multipart:
            return _raw_body(data, read_stdin, form)
        from .forms import form_body  # only for --form and file parts (start-up)

        body, content_type = form_body(fields, multipart, form)
        return body, None, content_type
    if fields:
        if any(it.path is not None for it in fields):
            from .items import nested_json  # only for nested keys (start-up)

            obj: Any = nested_json(fields)
        else:
            obj = {}
            for it in fields:
                obj[it.key] = it.value
        return json.dumps(obj, ensure_ascii=False).encode("utf-8"), None, "application/json"
    return _raw_body(data, read_stdin, False)


def _raw_body(data, read_stdin, form: bool):
    if data is None:
        # --form with no fields: an empty form, declared as one (as HTTPie does).
        return None, None, URLENCODED if form else None
    body, path = read_data(data, read_stdin)
    return body, path, URLENCODED if form else None


def _join_header(lname: str, old: str | None, new: str) -> str:
    # An empty value adds nothing to a combined line ("X-A; X-A:v" sends "X-A: v").
    if not old:
        return new
    if not new:
        return old
    return old + _JOIN.get(lname, ", ") + new


def _typed_headers(spec: RequestSpec, items: list[Item]) -> dict[str, str | None]:
    """The header items over the layered headers, in order: lower-cased name -> the value
    sent (None: removed). The first typed value replaces the profile's; later ones join it."""
    typed: dict[str, str | None] = {}
    for it in items:
        lname = it.key.lower()
        if it.kind in ("header", "header-empty"):
            value = _join_header(lname, typed.get(lname), it.value)
            typed[lname] = value
            spec.headers[lname] = (it.key, value, False)
            spec.user_headers[lname] = (it.key, value)
        elif it.kind == "header-remove":
            typed[lname] = None
            spec.headers.pop(lname, None)
            spec.user_headers[lname] = (it.key, None)
    return typed


def build(
    profile,
    method: str,
    url: str,
    items: list[Item],
    data: str | None,
    redactor,
    user_agent: str,
    read_stdin: Callable[[], bytes],
    form: bool = False,
    multipart: bool = False,
) -> RequestSpec:
    """Layer headers (defaults < profile < headers_command < command line) and the body.

    Header values from secret references are resolved here, before any connection opens.
    A header typed more than once is sent once with its values joined by ", " ("; " for
    Cookie), as RFC 9110 5.3 allows; SigV4 signs that one line.
    """
    spec = RequestSpec(method=method.upper(), url=url, auth_mode=profile.mode)
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
    typed = _typed_headers(spec, items)
    spec.url = add_query(url, [(it.key, it.value) for it in items if it.kind == "query"])
    body, path, content_type = build_body(items, data, read_stdin, form, multipart)
    spec.body, spec.body_path = body, path
    if content_type and "content-type" not in spec.headers and "content-type" not in typed:
        spec.headers["content-type"] = ("Content-Type", content_type, False)
    elif content_type and content_type.startswith("multipart/"):
        _add_boundary(spec, body.boundary)
    if content_type == "application/json" and "accept" not in spec.headers and "accept" not in typed:
        # What HTTPie sends with JSON items: JSON preferred, anything accepted.
        spec.headers["accept"] = ("Accept", JSON_ACCEPT, False)
    return spec


def _add_boundary(spec: RequestSpec, boundary: str) -> None:
    """A multipart body under a Content-Type the user set: as HTTPie does, a multipart/*
    type without a boundary gets the body's (a server could not split the parts)."""
    entry = spec.headers.get("content-type")
    if entry is None:
        return
    name, value, secret = entry
    value = value.strip()
    if not value.lower().startswith("multipart/") or _BOUNDARY.search(value):
        return
    value += f"; boundary={boundary}"
    spec.headers["content-type"] = (name, value, secret)
    if "content-type" in spec.user_headers:
        spec.user_headers["content-type"] = (name, value)


# -- the prepared request ----------------------------------------------------------------


class wire_auth:
    """The auth, with what restcli builds kept exactly as built on the prepared request.

    Before the auth: the path and query as join_url/add_query built them (requests would
    decode %2E and other unreserved escapes). After it: the user's own header items (and
    removals) win over the auth's; a removed User-Agent or Accept-Encoding is not sent at
    all (urllib3 and http.client would add their own); values go out as UTF-8 bytes.
    """

    def __init__(self, auth: Callable, spec: RequestSpec):
        self.auth = auth
        self.spec = spec

    def __call__(self, request: Any) -> Any:
        request.url = _exact_target(request.url, self.spec.url)
        before = dict(request.headers.lower_items())
        request = self.auth(request)
        self._refuse_removing_the_auths(before, request.headers)
        for lname, (name, value) in self.spec.user_headers.items():
            if value is not None:
                request.headers[name] = value
                continue
            request.headers.pop(name, None)
            if lname in _SKIPPABLE:
                request.headers[name] = _NOT_SENT
        for name, value in list(request.headers.items()):
            if isinstance(value, str) and not value.isascii():
                request.headers[name] = value.encode("utf-8")
        return request

    def _refuse_removing_the_auths(self, before: dict, after: Any) -> None:
        """A header the auth set (the credential, a signed date or token) cannot be removed:
        the request would be refused for certain. Checked as it is prepared, before sending."""
        for lname, (name, value) in self.spec.user_headers.items():
            if value is None and lname in after and after[lname] != before.get(lname):
                raise UsageError(
                    f"{name}: cannot be removed: the {self.spec.auth_mode} mode sets it; "
                    "use --auth none to send without credentials"
                )


_TARGET = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*")


def header_text(value: str | bytes) -> str | None:
    """A prepared header value as text: None for a header wire_auth keeps from being sent."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return None if value == _NOT_SENT else value


def _exact_target(prepared_url: str, url: str) -> str:
    """requests' scheme and host (IDNA-encoded), restcli's path and query.

    A URL restcli did not build (a redirect's Location) may hold characters a request
    target cannot: requests' own quoting of it is kept then.
    """
    p, mine = urlsplit(prepared_url), urlsplit(url)
    if p.query == mine.query and p.path == mine.path:
        return prepared_url
    if not _TARGET.fullmatch(mine.path + "?" + mine.query):
        return prepared_url
    return urlunsplit((p.scheme, p.netloc, mine.path or "/", mine.query, ""))
