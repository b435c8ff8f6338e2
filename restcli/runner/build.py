"""From a parsed request and the variables, what to send: URL, headers, body, cookies."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import quote, urlsplit

from restcli.record import Factory, record
from restcli.runner.errors import runtime_error
from restcli.runner.files import MultipartStream, content_type_for, resolve_under
from restcli.runner.nodes import (
    BytesBody,
    FileBody,
    FilePart,
    JsonBody,
    KeyValue,
    Pos,
    Request,
    TextBody,
)
from restcli.runner.templates import render, render_json

_TEXT_TYPES = {"json": "application/json", "xml": "application/xml"}


@record
class RequestSpec:
    method: str
    url: str
    headers: list[tuple[str, str]]
    pos: Pos
    # A new body for each attempt (retries and redirects send it again); None: no body.
    body_factory: Callable[[], object] | None = None
    cookies: list[tuple[str, str]] = Factory(list)
    basic_auth: tuple[str, str] | None = None  # [BasicAuth]'s user and password

    def has_header(self, name: str) -> bool:
        return any(k.lower() == name.lower() for k, _ in self.headers)


def build_request(req: Request, variables: Mapping[str, object], root: Path) -> RequestSpec:
    url = render(req.url, variables).strip()
    try:
        scheme = urlsplit(url).scheme
    except ValueError as e:  # `http://[::1`: a bracket left open
        raise runtime_error(f"invalid URL {url!r}: {e}", req.url.pos) from None
    if scheme not in ("http", "https"):
        raise runtime_error(f"invalid URL {url!r}: expecting http:// or https://", req.url.pos)
    if req.query:
        pairs = "&".join(_encode(kv, variables) for kv in req.query)
        base, _, fragment = url.partition("#")
        url = base + ("&" if "?" in base else "?") + pairs + (f"#{fragment}" if fragment else "")
    headers = [(render(h.key, variables), render(h.value, variables)) for h in req.headers]
    spec = RequestSpec(req.method, url, headers, req.pos)
    spec.cookies = [(render(c.key, variables), render(c.value, variables)) for c in req.cookies]
    if req.basic_auth is not None and not spec.has_header("Authorization"):
        user = render(req.basic_auth.key, variables).strip()
        password = render(req.basic_auth.value, variables).strip()
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        spec.headers.append(("Authorization", f"Basic {token}"))
        spec.basic_auth = (user, password)
    _set_body(spec, req, variables, root)
    return spec


def _encode(kv: KeyValue, variables: Mapping[str, object]) -> str:
    """Hurl encodes param names and values itself; a space is %20."""
    return f"{quote(render(kv.key, variables), safe='')}={quote(render(kv.value, variables), safe='')}"


def _set_body(spec: RequestSpec, req: Request, variables, root: Path) -> None:
    body, ctype = req.body, None
    if isinstance(body, JsonBody):
        data = render_json(body.parts, variables).encode("utf-8")
        spec.body_factory, ctype = (lambda: data), "application/json"
    elif isinstance(body, TextBody):
        data = render(body.text, variables).encode("utf-8")
        spec.body_factory, ctype = (lambda: data), _TEXT_TYPES.get(body.lang or "")
    elif isinstance(body, BytesBody):
        spec.body_factory = lambda: body.data
    elif isinstance(body, FileBody):
        path = resolve_under(root, render(body.filename, variables), body.pos)
        spec.body_factory = lambda: open(path, "rb")  # noqa: SIM115 - the sender closes it
    elif req.form:
        data = "&".join(_encode(kv, variables) for kv in req.form).encode("ascii")
        spec.body_factory, ctype = (lambda: data), "application/x-www-form-urlencoded"
    elif req.multipart:
        fields = [_multipart_field(item, variables, root) for item in req.multipart]
        boundary = uuid.uuid4().hex
        ctype = f"multipart/form-data; boundary={boundary}"
        # Every attempt gets its own stream, with the boundary the header names.
        spec.body_factory = lambda: MultipartStream(fields, boundary)
    if ctype and not spec.has_header("Content-Type"):
        spec.headers.append(("Content-Type", ctype))


def _multipart_field(item, variables, root: Path):
    name = render(item.key, variables)
    if isinstance(item, FilePart):
        filename = render(item.filename, variables)
        path = resolve_under(root, filename, item.pos)
        ctype = item.content_type or content_type_for(filename)
        return name, path, Path(filename).name, ctype
    return name, render(item.value, variables).encode("utf-8"), None, None
