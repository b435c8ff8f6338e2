"""One HTTP exchange over the shared session: auth per hop, redirects, deadlines, limits.

Redirects are followed here (not by requests) so that each hop is prepared and signed
again, and so that credentials never follow a redirect to another origin: the
credential headers the file set, and every header the auth hook set, are dropped, and
the auth hook is not asked again for the new origin.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from datetime import UTC, datetime

import requests

from restcli.client import BECOME_GET, redirect_location
from restcli.client import REDIRECTS as REDIRECT_STATUSES  # one list with calls
from restcli.config import all_params
from restcli.deadline import CHUNK, HEAD, ThreadWatch, Watch
from restcli.errors import RedirectFailure
from restcli.http import SENSITIVE_HEADERS, origin
from restcli.output import BUFFER_LIMIT
from restcli.record import record
from restcli.runner.build import RequestSpec
from restcli.runner.errors import runtime_error
from restcli.runner.response import Call

# A buffered body is never larger than this once decoded (gzip bombs included).
# The limits restcli holds every buffered body and every request to, declared once.
MAX_BODY_BYTES = BUFFER_LIMIT
DEFAULT_TIMEOUT = all_params()["timeout"].default
DEFAULT_MAX_REDIRS = 50
# The limits of the request each thread is sending (the shared adapter reports to it).
WATCH = ThreadWatch()


@record
class Transport:
    """TLS and timeout settings for a URL, from the caller's hook (then [Options])."""

    verify: bool | str = True
    cert: str | tuple[str, str] | None = None
    timeout: float = DEFAULT_TIMEOUT  # seconds for connecting and for each read
    proxies: dict | None = None  # the caller's proxy for this URL (environment ones too)
    max_time: float | None = None  # seconds a request may take at most, all of it


@record
class SendSettings:
    transport: Transport
    location: bool = False
    max_redirs: int = DEFAULT_MAX_REDIRS
    connect_timeout: float | None = None
    max_time: float | None = None
    compressed: bool = False
    max_body: int = MAX_BODY_BYTES


class Sender:
    """Sends RequestSpecs over one requests.Session; `log` receives verbose lines."""

    def __init__(self, session: requests.Session, auth_for: Callable | None,
                 log: Callable[[str], None] | None = None):
        self.session = session
        self.auth_for = auth_for
        self.log = log

    def send(self, spec: RequestSpec, settings: SendSettings, auth_override=None) -> Call:
        t = settings.transport
        limits = [x for x in (settings.max_time, t.max_time) if x]
        watch = Watch(t.timeout, min(limits) if limits else None)
        WATCH.use(watch)
        watch.begin()
        try:
            return self._send(spec, settings, auth_override)
        finally:
            watch.stop()

    def _send(self, spec: RequestSpec, settings: SendSettings, auth_override) -> Call:
        start = time.monotonic()
        deadline = start + settings.max_time if settings.max_time else float("inf")
        hop = _Hop(spec.method, spec.url, list(spec.headers), spec.body_factory,
                   list(spec.cookies))
        auth = auth_override or self._auth_for(hop.url, spec)
        redirects: list[str] = []
        renewed = False
        while True:
            prepared, auth_names = self._prepare(hop, auth, settings, spec)
            resp = self._transmit(prepared, settings, deadline, spec)
            if resp.status_code == 401 and not renewed and hasattr(auth, "renew_after_401"):
                renewed = True  # a token mode may renew its token once, as restcli does
                if auth.renew_after_401(resp):
                    resp.close()
                    continue
            location = resp.headers.get("Location")
            if not (settings.location and resp.status_code in REDIRECT_STATUSES and location):
                return self._finish(resp, prepared, settings, deadline, start, redirects, spec)
            _drain(resp)
            if len(redirects) >= settings.max_redirs:
                raise runtime_error(f"too many redirects (max-redirs {settings.max_redirs})",
                                    spec.pos)
            target = _redirect_target(hop.url, location, spec)
            redirects.append(target)
            if origin(target) != origin(hop.url):
                hop.leave_origin(resp.status_code, target, spec)
                # The mode's own header, whether the auth or the file set it, and any the
                # auth hook changed: none of them is sent to the other origin.
                own = {h.lower() for h in getattr(auth, "sensitive_headers", ())}
                hop.drop_credentials(auth_names | own)
                auth = None
            hop.follow(target, resp.status_code)

    def _auth_for(self, url: str, spec: RequestSpec):
        if self.auth_for is None:
            return None
        try:
            return self.auth_for(url)
        except Exception as e:  # the hook's own failure (credentials, config) is the entry's
            raise runtime_error(f"auth for {url}: {e}", spec.pos) from e

    def _prepare(self, hop: _Hop, auth, settings: SendSettings, spec: RequestSpec):
        headers: dict[str, str] = {}
        for name, value in hop.headers:
            key = next((k for k in headers if k.lower() == name.lower()), name)
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        if settings.compressed and not any(k.lower() == "accept-encoding" for k in headers):
            headers["Accept-Encoding"] = "gzip, deflate"
        body = hop.body_factory() if hop.body_factory else None
        req = requests.Request(hop.method, hop.url, headers=headers, data=body)
        try:
            prepared = self.session.prepare_request(req)
        except (requests.exceptions.RequestException, ValueError) as e:
            raise runtime_error(f"invalid request: {e}", spec.pos) from e
        if hop.cookies:
            extra = "; ".join(f"{k}={v}" for k, v in hop.cookies)
            current = prepared.headers.get("Cookie")
            prepared.headers["Cookie"] = f"{current}; {extra}" if current else extra
        before = dict(prepared.headers)
        if auth is not None:
            try:
                prepared = auth(prepared)
            except Exception as e:
                raise runtime_error(f"auth for {hop.url}: {e}", spec.pos) from e
        auth_names = {k.lower() for k, v in prepared.headers.items() if before.get(k) != v}
        if self.log:
            self.log(f"> {prepared.method} {prepared.url}")
            for k, v in prepared.headers.items():
                self.log(f"> {k}: {v}")
        return prepared, auth_names

    def _transmit(self, prepared, settings: SendSettings, deadline: float, spec: RequestSpec):
        t = settings.transport
        remaining = deadline - time.monotonic()
        if t.max_time is not None:
            remaining = min(remaining, t.max_time)
        if remaining <= 0:
            raise runtime_error("timeout: max-time reached before sending", spec.pos)
        connect = min(settings.connect_timeout or t.timeout, remaining)
        read = min(t.timeout, remaining)
        try:
            resp = self.session.send(prepared, stream=True, allow_redirects=False,
                                     timeout=(connect, read), verify=t.verify, cert=t.cert,
                                     **({"proxies": t.proxies} if t.proxies else {}))
            if WATCH.hit:
                # A limit ran out as the send returned: whatever came is not a whole answer.
                resp.close()
                raise runtime_error(_limit_message(WATCH.hit, t), spec.pos)
            return resp
        except requests.exceptions.RequestException as e:
            if WATCH.hit:
                raise runtime_error(_limit_message(WATCH.hit, t), spec.pos) from e
            if isinstance(e, requests.exceptions.Timeout):
                raise runtime_error(f"timeout: {_reason(e)}", spec.pos) from e
            if isinstance(e, requests.exceptions.SSLError):
                raise runtime_error(f"TLS error: {_reason(e)}", spec.pos) from e
            if isinstance(e, requests.exceptions.ConnectionError):
                raise runtime_error(f"connection failed: {_reason(e)}", spec.pos) from e
            raise runtime_error(f"request failed: {_reason(e)}", spec.pos) from e
        except OSError as e:
            raise runtime_error(f"request failed: {_reason(e)}", spec.pos) from e
        finally:
            body = prepared.body
            if hasattr(body, "close"):
                body.close()

    def _finish(self, resp, prepared, settings, deadline, start, redirects, spec) -> Call:
        certificate = _certificate(resp) if prepared.url.startswith("https:") else None
        body = _read_limited(resp, settings.max_body, deadline, spec)
        version = {10: "1.0", 11: "1.1", 20: "2"}.get(getattr(resp.raw, "version", 11), "1.1")
        headers = list(resp.raw.headers.items()) if resp.raw is not None else []
        if self.log:
            self.log(f"< HTTP/{version} {resp.status_code}")
            for k, v in headers:
                self.log(f"< {k}: {v}")
        return Call(
            method=prepared.method, url=prepared.url, status=resp.status_code,
            version=version, headers=headers, body=body,
            duration_ms=int((time.monotonic() - start) * 1000),
            certificate=certificate,
            redirects=redirects,
        )


class _Hop:
    """The request as it is sent at each hop of a redirect chain."""

    def __init__(self, method, url, headers, body_factory, cookies):
        self.method, self.url, self.headers = method, url, headers
        self.body_factory, self.cookies = body_factory, cookies

    def leave_origin(self, status: int, target: str, spec: RequestSpec) -> None:
        """As restcli's calls: a 307 or 308 keeps its body, so it is not followed to
        another origin with one (the body is not sent there)."""
        if status not in BECOME_GET and self.body_factory is not None:
            _, host, port = origin(target)
            where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            raise runtime_error(
                f"HTTP {status} redirect of a {self.method} with a body to another origin "
                f"({where}): not followed, the body is not sent there", spec.pos)

    def drop_credentials(self, names: set[str]) -> None:
        drop = SENSITIVE_HEADERS | names
        self.headers = [(k, v) for k, v in self.headers if k.lower() not in drop]
        self.cookies = []

    def follow(self, target: str, status: int) -> None:
        self.url = target
        # As Hurl (its get_redirect_method) and restcli's calls: 301, 302 and 303 become a
        # bodiless GET (HEAD stays HEAD); 307 and 308 keep method and body.
        if status in BECOME_GET and self.method != "HEAD":
            self.method = "GET"
            self.body_factory = None
            self.headers = [(k, v) for k, v in self.headers
                            if k.lower() not in ("content-type", "content-length")]


def _redirect_target(url: str, location: str, spec: RequestSpec) -> str:
    """The next hop, or a runtime error for a Location restcli would refuse (client.py)."""
    try:
        return redirect_location(url, location)
    except RedirectFailure as e:
        raise runtime_error(e.message, spec.pos) from None


def _limit_message(which: str, t: Transport) -> str:
    if which == HEAD:
        return f"timeout: no response within {t.timeout:g} s"
    return "timeout: max-time reached"


def _read_limited(resp, limit: int, deadline: float, spec: RequestSpec) -> bytes:
    """The body, up to `limit` decoded bytes; the deadline is checked after every socket
    read (the shared adapter streams a read at a time), and a read the watch stopped is a
    timeout, not the end of the body."""
    chunks: list[bytes] = []
    total = 0
    late = runtime_error("timeout: max-time reached while reading the body", spec.pos)
    try:
        for chunk in resp.iter_content(CHUNK):
            total += len(chunk)
            if total > limit:
                raise runtime_error(f"response body larger than {limit} bytes", spec.pos)
            if time.monotonic() > deadline or WATCH.hit:
                raise late
            chunks.append(chunk)
    except requests.exceptions.RequestException as e:
        if WATCH.hit:
            raise late from e
        raise runtime_error(f"reading the response failed: {_reason(e)}", spec.pos) from e
    finally:
        resp.close()
    if WATCH.hit:
        raise late
    return b"".join(chunks)


def _drain(resp, limit: int = CHUNK) -> None:
    """Read a small redirect body so the connection can be reused; then release it."""
    try:
        read = 0
        for chunk in resp.iter_content(CHUNK):
            read += len(chunk)
            if read > limit:
                break
    except requests.exceptions.RequestException:
        pass
    finally:
        resp.close()


def _reason(e: Exception) -> str:
    text = str(e.args[0]) if e.args else type(e).__name__
    return text if len(text) < 300 else text[:300] + "..."


def _certificate(resp) -> dict | None:
    """Subject, Issuer, dates and serial of the server's certificate, when verified."""
    conn = getattr(resp.raw, "_connection", None) or getattr(resp.raw, "connection", None)
    sock = getattr(conn, "sock", None)
    if not isinstance(sock, ssl.SSLSocket):
        return None
    try:
        cert = sock.getpeercert()
    except (ValueError, OSError):
        return None
    if not cert:
        return None

    def name(entries) -> str:
        return ", ".join(f"{k}={v}" for rdn in entries for k, v in rdn)

    def date(text: str) -> datetime:
        return datetime.fromtimestamp(ssl.cert_time_to_seconds(text), UTC)

    serial = cert.get("serialNumber", "")
    serial = ":".join(serial[i:i + 2] for i in range(0, len(serial), 2)).lower()
    return {
        "Subject": name(cert.get("subject", ())), "Issuer": name(cert.get("issuer", ())),
        "Start-Date": date(cert["notBefore"]), "Expire-Date": date(cert["notAfter"]),
        "Serial-Number": serial,
    }
