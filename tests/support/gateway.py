"""A small protected REST API on 127.0.0.1, standing in for Amazon API Gateway.

Standard library HTTP server (``ThreadingHTTPServer`` in a daemon thread) plus
PyJWT/cryptography for the Cognito-style JWT routes.  It only ever binds to
and fetches from loopback addresses.

Usage in tests::

    with Gateway() as gw:
        gw.api_keys = {"k1"}
        requests.get(gw.url + "/key/hello", headers={"X-Api-Key": "k1"})
        gw.received[-1].headers

Routes (first path segment = "stage" protected by an authorizer):

* ``/open/...``   no auth
* ``/key/...``    ``X-Api-Key`` must be in ``api_keys`` (403 ForbiddenException)
* ``/token/...``  header ``token_header`` must equal one of ``tokens``
                  (401 UnauthorizedException)
* ``/iam/...``    AWS SigV4 (tests/support/sigv4_verify.py) against ``credentials``,
                  ``region``, ``service`` (403 with API Gateway's error types)
* ``/jwt/...``    Cognito user-pool authorizer: RS256 JWT in Authorization
                  (raw or "Bearer ..."), keys from ``jwks_url``;
                  ``/jwt/id/...`` needs token_use=id, ``/jwt/access/...``
                  token_use=access (401 Unauthorized)
* anything else   403 MissingAuthenticationTokenException

After the auth segment (and an optional ``fault`` segment) a behaviour can be
selected: ``status/<code>``, ``redirect``, ``bytes``, ``truncate``, ``reset``,
``hang``, ``slow``, ``binary``, ``invalid-utf8``, ``nested``, ``fake-json``,
``text``, ``upload``, ``items``, ``pages``, ``orders``, ``body`` -- e.g. ``/open/fault/status/503`` or
``/key/status/429?times=2&then=200``.  Any other path answers a JSON echo of
the request.

``catalog?n=3`` answers ``{"items": [{"id": "item-1", ...}, ...]}``. ``pages`` is a
paginated list: ``of`` pages (default 3) of ``per`` items (default 2), ``pad`` bytes of
padding per page; ``style=link`` (default) links the next page with a relative
``Link: <pages?page=N...>; rel="next"``, ``style=token`` puts ``nextToken`` in the body
and reads it back from the ``nextToken`` query parameter; ``loop=1`` always names page 2
as the next one; ``next_origin=URL`` links page 2 on another origin; ``delay=S``
answers page 1 after S seconds (at most 5).

``body?text=T`` answers T exactly as given (a one-line or multi-line JSON document, ``[]``,
``null``, or not JSON at all), as ``type`` (default ``application/json``); ``next=URL``
adds ``Link: <URL>; rel="next"``.

Demo: ``python -m tests.support.gateway --port 8080 --api-key KEY --token TOKEN``.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import io
import ipaddress
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

from .sigv4_verify import SIGNATURE_MISMATCH_MESSAGE
from .sigv4_verify import verify as sigv4_verify

__all__ = ["Gateway", "Received", "JwtIssuer", "pattern_bytes", "main"]

LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
PATTERN = b"0123456789abcdef"
INVALID_UTF8 = b"caf\xe9 \xff\xfe \xc3\x28 not valid utf-8\n"
FAKE_JSON = b"not json <html>"
TEXT_BODY = "hello from the test gateway \u2713\n".encode("utf-8")
BEHAVIOURS = {
    "status", "redirect", "bytes", "truncate", "reset", "hang", "slow", "binary",
    "invalid-utf8", "nested", "fake-json", "text", "upload", "catalog", "pages", "hostile", "orders",
    "body",
}

# status -> (x-amzn-ErrorType, message) in the style of API Gateway
ERROR_STYLE = {
    400: ("BadRequestException", "Bad Request"),
    401: ("UnauthorizedException", "Unauthorized"),
    403: ("ForbiddenException", "Forbidden"),
    404: ("NotFoundException", "Not Found"),
    405: ("MethodNotAllowedException", "Method Not Allowed"),
    409: ("ConflictException", "Conflict"),
    413: ("RequestTooLongException", "Request Too Long"),
    415: ("UnsupportedMediaTypeException", "Unsupported Media Type"),
    429: ("TooManyRequestsException", "Too Many Requests"),
    500: ("InternalServerErrorException", "Internal server error"),
    502: ("BadGatewayException", "Internal server error"),
    503: ("ServiceUnavailableException", "Service Unavailable"),
    504: ("IntegrationTimeoutException", "Endpoint request timed out"),
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Received:
    """One request as the gateway saw it (recorded before auth is checked)."""

    method: str
    target: str  # raw request target as on the wire (one char per byte)
    path: str  # percent-decoded path
    query: list[tuple[str, str]]  # decoded pairs, '+' = space, in order
    headers: list[tuple[str, str]]  # as received, in order, duplicates kept
    body: bytes  # b"" for the streaming /upload behaviour (see body_length)
    body_length: int = 0
    body_sha256: str = ""
    stage: str = ""  # first path segment
    client: tuple[str, int] = ("", 0)  # client address (same port = same connection)

    def header(self, name: str, default: str | None = None) -> str | None:
        """First value of a header, case-insensitive."""
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return default

    def header_values(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    def query_dict(self) -> dict[str, str]:
        return dict(self.query)


class _AuthFailure(Exception):
    def __init__(self, status: int, error_type: str, message: str):
        super().__init__(message)
        self.status, self.error_type, self.message = status, error_type, message


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    gateway: Gateway

    def __init__(self, address, handler, gateway: Gateway):
        self.gateway = gateway
        self._conns: set = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):  # keep quiet
        self.gateway._note_error(sys.exc_info()[1])


class Gateway:
    """A protected API on 127.0.0.1 (see module docstring)."""

    def __init__(
        self,
        *,
        port: int = 0,
        api_keys=None,
        tokens=None,
        token_header: str = "Authorization",
        credentials: dict[str, tuple[str, str | None]] | None = None,
        region: str | None = "us-east-1",
        service: str | None = "execute-api",
        jwks_url: str | None = None,
        jwt_issuer: str | None = None,
        clock: Callable[[], datetime] | None = None,
        sigv4_window: timedelta = timedelta(minutes=5),
        sigv4_details: bool = True,
    ):
        self.port = port
        # api_keys / tokens: a set of accepted values, or a dict value -> principal
        self.api_keys = api_keys if isinstance(api_keys, dict) else set(api_keys or ())
        self.tokens = tokens if isinstance(tokens, dict) else set(tokens or ())
        self.token_header = token_header
        self.credentials: dict[str, tuple[str, str | None]] = dict(credentials or {})
        self.region = region
        self.service = service
        self.jwks_url = jwks_url
        self.jwt_issuer = jwt_issuer
        self.clock: Callable[[], datetime] = clock or _utcnow
        self.sigv4_window = sigv4_window
        # like the real API Gateway, append the canonical request and string
        # to sign to the signature-mismatch message
        self.sigv4_details = sigv4_details
        self.received: list[Received] = []
        self.errors: list[BaseException] = []  # handler exceptions (server is quiet)
        self.jwks_fetches = 0
        self._lock = threading.Lock()
        self._counters: dict[str, int] = {}
        self._jwks_cache: dict[str, dict] = {}
        self._stop_event = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> Gateway:
        if self._server is not None:
            return self
        self._stop_event.clear()
        self._server = _Server(("127.0.0.1", self.port), _Handler, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"gateway-{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stop_event.set()  # wake hang/slow handlers
        server.shutdown()
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)

    close = stop

    def __enter__(self) -> Gateway:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- recorded state ----------------------------------------------------
    def clear(self) -> None:
        with self._lock:
            self.received.clear()
            self._counters.clear()
            self.errors.clear()

    @property
    def last(self) -> Received | None:
        with self._lock:
            return self.received[-1] if self.received else None

    def _record(self, rec: Received) -> None:
        with self._lock:
            self.received.append(rec)

    def _note_error(self, exc: BaseException | None) -> None:
        if exc is None or isinstance(exc, (ConnectionError, TimeoutError)):
            return
        with self._lock:
            self.errors.append(exc)

    def _count(self, key: str) -> int:
        with self._lock:
            n = self._counters.get(key, 0) + 1
            self._counters[key] = n
            return n

    # -- authorizers -------------------------------------------------------
    def _principal_of(self, accepted, value: str) -> str | None:
        if isinstance(accepted, dict):
            if value in accepted:
                return str(accepted[value])
            return None
        return value if value in accepted else None

    def _fetch_jwks(self, url: str) -> dict:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "http" or not _is_loopback_host(parts.hostname):
            raise ValueError(f"jwks_url must be an http URL on a loopback address: {url!r}")
        # no proxies, no redirects: never leave the loopback interface
        class _NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **kw):
                return None

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)
        with opener.open(url, timeout=5) as resp:
            data = json.loads(resp.read().decode("utf-8"))
        with self._lock:
            self.jwks_fetches += 1
            self._jwks_cache[url] = data
        return data

    def _jwk_for(self, kid: str | None):
        import jwt  # PyJWT

        url = self.jwks_url
        if not url:
            raise ValueError("jwks_url is not configured")
        with self._lock:
            data = self._jwks_cache.get(url)
        for attempt in range(2):
            if data is None:
                data = self._fetch_jwks(url)
            for jwk in data.get("keys", []):
                if kid is None or jwk.get("kid") == kid:
                    return jwt.PyJWK.from_dict(jwk, algorithm="RS256").key
            if attempt == 0:
                data = None  # unknown kid: refetch once (key rotation)
        raise ValueError(f"no key {kid!r} in JWKS")

    def _check_jwt(self, value: str | None, rest: list[str]) -> str:
        import jwt  # PyJWT

        unauthorized = _AuthFailure(401, "UnauthorizedException", "Unauthorized")
        if not value:
            raise unauthorized
        token = value.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != "RS256":
                raise unauthorized
            key = self._jwk_for(header.get("kid"))
            claims = jwt.decode(
                token, key, algorithms=["RS256"],
                issuer=self.jwt_issuer if self.jwt_issuer else None,
                options={
                    "verify_exp": False, "verify_nbf": False, "verify_iat": False,
                    "verify_aud": False, "verify_iss": bool(self.jwt_issuer),
                    "require": ["exp"],
                },
            )
        except _AuthFailure:
            raise
        except Exception as exc:  # invalid token, bad signature, JWKS trouble
            if not isinstance(exc, jwt.PyJWTError):
                self._note_error(exc)
            raise unauthorized from None
        now = self.clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        ts = now.timestamp()
        try:
            exp = float(claims["exp"])
            nbf = float(claims.get("nbf", 0))
        except (TypeError, ValueError):
            raise unauthorized from None
        if ts >= exp:
            raise _AuthFailure(401, "UnauthorizedException", "The incoming token has expired")
        if ts < nbf:
            raise unauthorized
        wanted = rest[0] if rest and rest[0] in ("id", "access") else None
        if wanted is not None and claims.get("token_use") != wanted:
            raise unauthorized
        return str(claims.get("sub") or claims.get("username") or claims.get("cognito:username") or "")


class _Handler(http.server.BaseHTTPRequestHandler):
    # The head and the body go out in two writes: with Nagle's algorithm and delayed ACKs
    # a reused connection would wait ~40 ms for every response.
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    server_version = "restcli-test-gateway/1.0"
    sys_version = ""
    server: _Server
    timeout = 60  # idle keep-alive connections

    # -- plumbing ----------------------------------------------------------
    def log_message(self, format, *args):  # quiet
        pass

    def version_string(self):
        return self.server_version

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception as exc:  # keep the server quiet, but keep the error
            self.server.gateway._note_error(exc)
            self.close_connection = True

    def __getattr__(self, name):
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    @property
    def gw(self) -> Gateway:
        return self.server.gateway

    def _raw_target(self) -> str:
        words = self.requestline.split()
        if len(words) >= 2:
            return words[1]
        return self.path

    def _headers_list(self) -> list[tuple[str, str]]:
        out = []
        for k, v in self.headers.items():
            try:  # http.client decodes as latin-1; recover UTF-8 values
                v = v.encode("latin-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
            out.append((k, v))
        return out

    def _iter_body(self) -> Iterator[bytes]:
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionError("connection closed inside chunked body")
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers
                        trailer = self.rfile.readline(65537)
                        if trailer in (b"\r\n", b"\n", b""):
                            return
                remaining = size
                while remaining:
                    piece = self.rfile.read(min(remaining, 65536))
                    if not piece:
                        raise ConnectionError("connection closed inside chunk")
                    remaining -= len(piece)
                    yield piece
                self.rfile.readline(3)  # CRLF after chunk
        else:
            length = self.headers.get("Content-Length")
            if not length:
                return
            remaining = int(length)
            while remaining > 0:
                piece = self.rfile.read(min(remaining, 65536))
                if not piece:
                    raise ConnectionError("connection closed inside body")
                remaining -= len(piece)
                yield piece

    def _send(self, status: int, body: bytes = b"", content_type: str | None = "application/json",
              headers: list[tuple[str, str]] | None = None, error_type: str | None = None):
        self.send_response(status)
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        for k, v in headers or ():
            self.send_header(k, v)
        if status in (204, 304) or 100 <= status < 200:
            self.end_headers()
            return
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _send_json(self, status: int, obj, **kw):
        self._send(status, json.dumps(obj).encode("utf-8"), "application/json", **kw)

    def _send_error(self, status: int, error_type: str | None, message: str, headers=None):
        self._send_json(status, {"message": message}, error_type=error_type, headers=headers)

    def _start_stream(self, status: int, length: int, content_type: str):
        self.send_response(status)
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    # -- request handling --------------------------------------------------
    def _dispatch(self):
        gw = self.gw
        target = self._raw_target()
        path_part, _, query_part = target.partition("?")
        if path_part.lower().startswith(("http://", "https://")):  # absolute-form
            path_part = urllib.parse.urlsplit(path_part).path or "/"
        raw_segments = path_part.split("/")
        if path_part.startswith("/"):
            raw_segments = raw_segments[1:]
        segments = [_decode(s) for s in raw_segments]
        stage = segments[0] if segments else ""
        rest = segments[1:]
        # behaviour after the auth segment (jwt has one more: id/access) and
        # an optional "fault" segment
        brest = rest[1:] if stage == "jwt" and rest and rest[0] in ("id", "access") else rest
        if brest and brest[0] == "fault":
            brest = brest[1:]
        behaviour = brest[0] if brest and brest[0] in BEHAVIOURS else None
        query = _parse_query(query_part)
        headers = self._headers_list()

        # body: always read fully (keeps keep-alive in sync); /upload is only hashed
        hasher = hashlib.sha256()
        length = 0
        buf = bytearray()
        try:
            for piece in self._iter_body():
                hasher.update(piece)
                length += len(piece)
                if behaviour != "upload":
                    buf += piece
        except ConnectionError:
            self.close_connection = True
            return
        except ValueError:
            self.close_connection = True
            self._send_error(400, "BadRequestException", "Bad Request")
            return
        req = _Req(
            method=self.command, target=target, path=_decode(path_part), query=query,
            headers=headers, body=bytes(buf), length=length, sha256=hasher.hexdigest(),
            args=brest[1:], params=dict(query),
        )
        gw._record(Received(req.method, target, req.path, query, headers, req.body, length,
                            req.sha256, stage, tuple(self.client_address[:2])))

        try:
            req.principal = self._authorize(stage, rest, req)
        except _AuthFailure as fail:
            self._send_error(fail.status, fail.error_type, fail.message)
            return
        if behaviour is None:
            self._echo(req)
        else:
            getattr(self, "_b_" + behaviour.replace("-", "_"))(req)

    def _authorize(self, stage: str, rest: list[str], req: _Req) -> str | None:
        gw = self.gw
        if stage == "open":
            return None
        if stage == "key":
            key = req.header("x-api-key")
            principal = gw._principal_of(gw.api_keys, key) if key is not None else None
            if principal is None:
                raise _AuthFailure(403, "ForbiddenException", "Forbidden")
            return principal
        if stage == "token":
            value = req.header(gw.token_header)
            principal = gw._principal_of(gw.tokens, value) if value is not None else None
            if principal is None:
                raise _AuthFailure(401, "UnauthorizedException", "Unauthorized")
            if principal == value and principal[:7].lower() == "bearer ":
                principal = principal[7:]
            return principal
        if stage == "iam":
            result = sigv4_verify(
                req.method, req.target.encode("latin-1", "replace"), req.headers, None,
                gw.credentials, gw.region, gw.service, gw.clock(), gw.sigv4_window,
                payload_hash=req.sha256,
            )
            if not result.ok:
                message = result.message
                if gw.sigv4_details and message == SIGNATURE_MISMATCH_MESSAGE and result.canonical_request:
                    # what the real API Gateway appends
                    message += (
                        "\n\nThe Canonical String for this request should have been\n'"
                        + result.canonical_request
                        + "'\n\nThe String-to-Sign should have been\n'"
                        + result.string_to_sign + "'\n"
                    )
                raise _AuthFailure(result.status, result.error_type, message)
            return result.access_key
        if stage == "jwt":
            return gw._check_jwt(req.header("authorization"), rest)
        raise _AuthFailure(403, "MissingAuthenticationTokenException", "Missing Authentication Token")

    def _echo(self, req: _Req, status: int = 200):
        hdrs: dict[str, str] = {}
        for k, v in req.headers:
            k = k.lower()
            hdrs[k] = hdrs[k] + "," + v if k in hdrs else v
        try:
            text: str | None = req.body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        self._send_json(status, {
            "method": req.method,
            "path": req.path,
            "target": req.target,
            "query": [[k, v] for k, v in req.query],
            "headers": hdrs,
            "body": text,
            "body_sha256": req.sha256,
            "body_length": req.length,
            "principal": req.principal,
        })

    # -- behaviours --------------------------------------------------------
    def _status_response(self, req: _Req, code: int, message: str | None = None, extra_headers=()):
        if code == 200 and message is None:
            return self._echo(req)
        error_type, default = ERROR_STYLE.get(code, (None, None))
        if default is None:
            try:
                default = HTTPStatus(code).phrase
            except ValueError:
                default = f"Status {code}"
        if code < 400:
            error_type = None
        self._send_error(code, error_type, message or default, headers=list(extra_headers))

    def _b_status(self, req: _Req):
        try:
            code = int(req.args[0]) if req.args else 200
        except ValueError:
            code = 0
        if not 200 <= code <= 599:
            return self._send_error(400, "BadRequestException", "Invalid status code")
        if "times" in req.params:
            n = self.gw._count(req.target)
            if n > req.int("times", 0):
                then = req.int("then", 200)
                if not 200 <= then <= 599:
                    then = 200
                return self._status_response(req, then)
        extra = []
        if "retry_after" in req.params:
            extra.append(("Retry-After", req.params["retry_after"]))
        self._status_response(req, code, req.params.get("message"), extra)

    def _b_redirect(self, req: _Req):
        code = req.int("code", 302)
        if not 300 <= code <= 399:
            code = 302
        location = req.params.get("to", "/open/")
        self._send_json(code, {"message": "Redirecting", "location": location},
                        headers=[("Location", location)])

    def _b_bytes(self, req: _Req):
        n = max(0, req.int("n", 1024))
        chunk = max(1, req.int("chunk", 65536))
        self._start_stream(200, n, "application/octet-stream")
        if self.command == "HEAD":
            return
        block = PATTERN * (chunk // len(PATTERN) + 2)
        sent = 0
        while sent < n:
            k = min(chunk, n - sent)
            start = sent % len(PATTERN)
            self.wfile.write(block[start:start + k])
            sent += k

    def _b_truncate(self, req: _Req):
        n = max(0, req.int("n", 1000))
        self._start_stream(200, n, "application/octet-stream")
        if self.command != "HEAD":
            self.wfile.write(pattern_bytes(n // 2))
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _b_reset(self, req: _Req):
        self.close_connection = True
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        for f in (self.wfile, self.rfile):
            try:
                f.close()
            except OSError:
                pass
        sock.close()  # linger on, timeout 0: the kernel sends RST
        self.rfile, self.wfile = io.BytesIO(), io.BytesIO()

    def _b_hang(self, req: _Req):
        if self.gw._stop_event.wait(max(0.0, req.float("seconds", 30.0))):
            self.close_connection = True
            return
        self._echo(req)

    def _b_slow(self, req: _Req):
        n = max(0, req.int("n", 10))
        delay = max(0.0, req.float("delay", 0.1))
        self._start_stream(200, n, "application/octet-stream")
        if self.command == "HEAD":
            return
        data = pattern_bytes(n)
        for i in range(n):
            self.wfile.write(data[i:i + 1])
            if i + 1 < n and self.gw._stop_event.wait(delay):
                self.close_connection = True
                return

    def _b_binary(self, req: _Req):
        self._send(200, bytes(range(256)), "application/octet-stream")

    def _b_invalid_utf8(self, req: _Req):
        self._send(200, INVALID_UTF8, "text/plain; charset=utf-8")

    def _b_nested(self, req: _Req):
        depth = max(0, min(req.int("depth", 100), 1_000_000))
        self._send(200, ('{"a":' * depth + "0" + "}" * depth).encode("ascii"), "application/json")

    def _b_fake_json(self, req: _Req):
        self._send(200, FAKE_JSON, "application/json")

    def _b_text(self, req: _Req):
        self._send(200, TEXT_BODY, "text/plain; charset=utf-8")

    def _b_hostile(self, req: _Req):
        """Terminal control sequences in every server-controlled string (``code``, default 403)."""
        code = req.int("code", 403)
        self.send_response(code, "\x1b[2K\x1b[1A\x1b[32mOK")
        self.send_header("x-amzn-RequestId", "req\x1b]0;title\x07")
        self.send_header("x-amzn-ErrorType", "Forbidden\x1b[2K")
        self.send_header("X-Note", "\x9b31mred\x7f")
        self.send_header("Location", "/open/\x1b[1Aaway")
        body = b'{"message": "denied \\u009b31m"}'
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _b_catalog(self, req: _Req):
        n = max(0, min(req.int("n", 3), 10_000))
        self._send_json(200, {"items": [{"id": f"item-{i}", "n": i} for i in range(1, n + 1)]})

    def _b_pages(self, req: _Req):
        of = max(1, req.int("of", 3))
        per = max(0, req.int("per", 2))
        style = req.params.get("style", "link")
        if style == "token":
            token = req.params.get("nextToken", "")
            page = int(token[4:]) if token.startswith("tok-") and token[4:].isdigit() else 1
        else:
            page = max(1, req.int("page", 1))
        if page > of:
            return self._send_error(404, "NotFoundException", "No such page")
        if page == 1 and req.float("delay", 0) > 0:
            time.sleep(min(req.float("delay", 0), 5.0))  # a slow first page (bounded)
        first = (page - 1) * per + 1
        body = {"page": page, "items": [{"id": f"item-{i}"} for i in range(first, first + per)]}
        if req.int("pad", 0):
            body["pad"] = "x" * req.int("pad", 0)
        following = 2 if req.params.get("loop") else page + 1
        headers = []
        if following <= of or req.params.get("loop"):
            if style == "token":
                body["nextToken"] = f"tok-{following}"
            else:
                keep = [(k, v) for k, v in req.query if k != "page"]
                query = urllib.parse.urlencode([("page", str(following)), *keep])
                base = req.params.get("next_origin") if page == 1 else None
                target = f"{base}{req.path}?{query}" if base else f"pages?{query}"
                headers.append(("Link", f'<{target}>; rel="next", <pages?page=1>; rel="first"'))
        self._send_json(200, body, headers=headers)

    def _b_body(self, req: _Req):
        """The body a test asks for, byte for byte (JSON on one line or several, empty
        documents, text), with a next link and a status (status=N) if asked."""
        headers = [("Link", f'<{req.params["next"]}>; rel="next"')] if "next" in req.params else []
        status = req.int("status", 200)
        self._send(status if 200 <= status <= 599 else 200, req.params.get("text", "").encode("utf-8"),
                   req.params.get("type", "application/json"), headers=headers)

    def _b_orders(self, req: _Req):
        """A small resource for smoke tests: POST creates (201, with an id and who made
        it), GET lists, GET /orders/ID reads one, DELETE removes it (204); unknown ids 404."""
        gw = self.gw
        with gw._lock:
            store = gw.__dict__.setdefault("orders", {})
            if req.method == "POST" and not req.args:
                try:
                    order = json.loads(req.body or b"{}")
                except ValueError:
                    return self._send_error(400, "BadRequestException", "Invalid JSON")
                order = {**order, "id": f"order-{len(store) + 1}", "owner": req.principal}
                store[order["id"]] = order
                return self._send_json(201, order)
            if not req.args:
                return self._send_json(200, {"orders": list(store.values())})
            order = store.get(req.args[0])
            if order is None:
                return self._send_error(404, "NotFoundException", "No such order")
            if req.method == "DELETE":
                del store[order["id"]]
                return self._send(204, b"", "application/json")
        self._send_json(200, order)

    def _b_upload(self, req: _Req):
        self._send_json(200, {"body_length": req.length, "body_sha256": req.sha256})


@dataclass
class _Req:
    method: str
    target: str
    path: str
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    body: bytes
    length: int
    sha256: str
    args: list[str]
    params: dict[str, str]
    principal: str | None = None

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def int(self, name: str, default: int) -> int:
        try:
            return int(self.params.get(name, default))
        except (TypeError, ValueError):
            return default

    def float(self, name: str, default: float) -> float:
        try:
            return float(self.params.get(name, default))
        except (TypeError, ValueError):
            return default


def _decode(s: str, plus: bool = False) -> str:
    """Percent-decode a wire string (one char per byte) as UTF-8."""
    raw = s.encode("latin-1", "replace")
    if plus:
        raw = raw.replace(b"+", b" ")
    return urllib.parse.unquote_to_bytes(raw).decode("utf-8", "replace")


def _parse_query(query: str) -> list[tuple[str, str]]:
    pairs = []
    for part in query.split("&"):
        if part:
            k, _, v = part.partition("=")
            pairs.append((_decode(k, True), _decode(v, True)))
    return pairs


def pattern_bytes(n: int, offset: int = 0) -> bytes:
    """The deterministic content of /bytes (and /truncate, /slow): 0123456789abcdef..."""
    start = offset % len(PATTERN)
    return (PATTERN * ((start + n) // len(PATTERN) + 1))[start:start + n]


# --------------------------------------------------------------------------
# Cognito-like JWT issuer serving a JWKS on loopback (for the /jwt routes)


class JwtIssuer:
    """Mints RS256 JWTs like a Cognito user pool and serves its JWKS.

    ``issuer.jwks_url`` and ``issuer.issuer`` go into ``Gateway.jwks_url`` /
    ``Gateway.jwt_issuer``; ``issuer.mint(token_use="id", sub="alice")``.
    """

    def __init__(self, pool_id: str = "us-east-1_TestPool", kid: str = "test-key-1"):
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.pool_id = pool_id
        self.kid = kid
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.jwks: dict = {"keys": [self._public_jwk(self.private_key, kid)]}
        self._server: http.server.ThreadingHTTPServer | None = None
        self.port = 0

    @staticmethod
    def _public_jwk(private_key, kid: str) -> dict:
        import jwt

        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
        jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
        return jwk

    def start(self) -> JwtIssuer:
        issuer = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                if self.path.split("?")[0] == f"/{issuer.pool_id}/.well-known/jwks.json":
                    body, status = json.dumps(issuer.jwks).encode(), 200
                else:
                    body, status = b'{"message":"Not Found"}', 404
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> JwtIssuer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.pool_id}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/.well-known/jwks.json"

    def mint(self, token_use: str = "id", sub: str = "test-user", expires_in: float = 3600,
             now: float | None = None, key=None, kid: str | None = None, **claims) -> str:
        import jwt

        now = time.time() if now is None else now
        payload = {
            "sub": sub,
            "iss": self.issuer,
            "token_use": token_use,
            "iat": int(now),
            "auth_time": int(now),
            "exp": int(now + expires_in),
        }
        if token_use == "id":
            payload.update({"aud": "testclientid", "cognito:username": sub})
        else:
            payload.update({"client_id": "testclientid", "username": sub, "scope": "aws.cognito.signin.user.admin"})
        payload.update(claims)
        return jwt.encode(payload, key or self.private_key, algorithm="RS256",
                          headers={"kid": kid or self.kid})


# --------------------------------------------------------------------------
# demo


def main(argv: list[str] | None = None) -> int:
    env = os.environ
    p = argparse.ArgumentParser(
        prog="python -m tests.support.gateway",
        description="Run the restcli test gateway (a fake protected API) on 127.0.0.1.",
    )
    p.add_argument("--port", type=int, default=int(env.get("GATEWAY_PORT", "8080")))
    p.add_argument("--api-key", action="append", default=None,
                   help="accepted X-Api-Key for /key/... (repeatable; env GATEWAY_API_KEY)")
    p.add_argument("--token", action="append", default=None,
                   help="accepted Authorization value for /token/... (repeatable; env GATEWAY_TOKEN)")
    p.add_argument("--token-header", default=env.get("GATEWAY_TOKEN_HEADER", "Authorization"))
    p.add_argument("--aws-access-key-id", default=env.get("GATEWAY_AWS_ACCESS_KEY_ID"))
    p.add_argument("--aws-secret-access-key", default=env.get("GATEWAY_AWS_SECRET_ACCESS_KEY"))
    p.add_argument("--aws-session-token", default=env.get("GATEWAY_AWS_SESSION_TOKEN"))
    p.add_argument("--region", default=env.get("GATEWAY_REGION", "us-east-1"))
    p.add_argument("--service", default=env.get("GATEWAY_SERVICE", "execute-api"))
    p.add_argument("--jwks-url", default=env.get("GATEWAY_JWKS_URL"))
    p.add_argument("--jwt-issuer", default=env.get("GATEWAY_JWT_ISSUER"))
    args = p.parse_args(argv)

    api_keys = args.api_key or ([env["GATEWAY_API_KEY"]] if env.get("GATEWAY_API_KEY") else [])
    tokens = args.token or ([env["GATEWAY_TOKEN"]] if env.get("GATEWAY_TOKEN") else [])
    credentials = {}
    if args.aws_access_key_id or args.aws_secret_access_key:
        if not (args.aws_access_key_id and args.aws_secret_access_key):
            p.error("--aws-access-key-id and --aws-secret-access-key go together")
        credentials[args.aws_access_key_id] = (args.aws_secret_access_key, args.aws_session_token)
    gw = Gateway(
        port=args.port, api_keys=api_keys, tokens=tokens, token_header=args.token_header,
        credentials=credentials, region=args.region, service=args.service,
        jwks_url=args.jwks_url, jwt_issuer=args.jwt_issuer,
    )
    try:
        gw.start()
    except OSError as exc:
        print(f"cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"restcli test gateway listening on {gw.url} (routes: /open /key /token /iam /jwt; Ctrl-C to stop)",
          flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        gw.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
