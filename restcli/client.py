"""Sending: a requests session with TLS verification, deadlines, retries and safe redirects.

Retries and redirects are driven here rather than by urllib3, so that every attempt and
every hop is prepared again and the auth applied afresh (a SigV4 signature covers the
time, the path and the host), and so that credentials never follow a redirect that
leaves the endpoint's origin.

Redirects (301, 302, 303, 307, 308) are followed for every method, at most
MAX_REDIRECTS hops:
- 301, 302 and 303 become a GET without a body (HEAD stays HEAD), as curl -L and
  browsers do;
- 307 and 308 keep the method and the body, within the origin the call started at; to
  another origin they are followed only when there is no body (else exit 3);
- on a hop that changes scheme, host or port, in every auth mode, the mode's auth is
  dropped and so is every credential header: Authorization, Proxy-Authorization, Cookie,
  X-Api-Key, X-Amz-Security-Token, the mode's own header, every header whose value came
  from a secret reference or headers_command. Cookies a response sets are never kept.
The RequestSpec given is never changed: each hop works on its own copy.
"""

from __future__ import annotations

import email.utils
import os
import random
import ssl
import time
import weakref
from collections.abc import Callable
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.utils import DEFAULT_CA_BUNDLE_PATH

from .auth.none import NoAuth
from .config import CLIENT_TLS
from .deadline import HEAD, TOTAL, Watch, watched_session
from .errors import (
    ConfigError,
    CredentialsError,
    DeadlineFailure,
    RedirectFailure,
    TimeoutFailure,
    UsageError,
    translate,
)
from .hosts import hostname_problem
from .http import SENSITIVE_HEADERS, origin, proxy_secrets, seekable
from .output import inert
from .params import ProfileValues
from .record import record
from .request import RequestSpec, wire_auth
from .settings import COMMAND_LINE

RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
BECOME_GET = frozenset({301, 302, 303})
MAX_REDIRECTS = 10
# A script never waits unboundedly: longer Retry-After values end the retries.
MAX_WAIT = 30.0
BACKOFF_BASE = 0.5
# Headers that describe a body: gone with it when a redirect turns the call into a GET.
BODY_HEADERS = frozenset({"content-type", "content-length", "content-encoding",
                          "transfer-encoding", "content-md5"})


@record
class SendOptions:
    # Decided by settings.decide: the profile keys' declared defaults apply there.
    timeout: float
    retries: int
    retry_unsafe: bool = False
    verify: bool | str = True
    # The whole call, retries and redirects included (None: only --timeout bounds it).
    max_time: float | None = None
    # An explicit proxy (--proxy or the profile's proxy key) and which of the two it is.
    proxy: str | None = None
    proxy_source: str = "--proxy"
    # A client certificate for mutual TLS: (cert file, key file or None, key password).
    client_cert: tuple | None = None
    # The header names the profile declares for credentials (api_key_header, header),
    # lower case: never sent to another origin, whatever the mode in use (--auth none too).
    credential_headers: frozenset = frozenset()
    # Where the timeout was set, as messages name it (settings.setting_name).
    timeout_setting: str = "--timeout"


class Client:
    def __init__(
        self,
        options: SendOptions,
        on_request: Callable[[Any, int], None] | None = None,
        on_response: Callable[[Any], None] | None = None,
        on_retry: Callable[[str, float], None] | None = None,
    ):
        self.options = options
        self.on_request = on_request or (lambda prep, attempt: None)
        self.on_response = on_response or (lambda resp: None)
        self.on_retry = on_retry or (lambda why, wait: None)
        self.watch = Watch(options.timeout, options.max_time)
        ssl_context = client_tls(options.client_cert, options.verify) if options.client_cert else None
        self.session = watched_session(self.watch, ssl_context)
        # restcli follows redirects itself (send); requests would still parse a Location
        # ahead of time, and raise on a malformed one before restcli could report it.
        self.session.get_redirect_target = lambda resp: None
        # Cookies a response sets are never sent again (not even after a redirect).
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        if options.verify is False:
            # The caller warned once, in restcli's words; urllib3 would warn per request.
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def prepare(self, spec: RequestSpec, auth: Callable) -> Any:
        headers: dict[str, str | None] = dict(spec.header_items())
        # None removes a session default (User-Agent, Accept, ...) the user took away.
        headers.update({n: None for n, v in spec.user_headers.values() if v is None})
        body = spec.body
        if hasattr(body, "seek"):
            body.seek(0)
        req = requests.Request(
            spec.method,
            spec.url,
            headers=headers,
            data=body,
            # The auth, then the user's header items over it (request.wire_auth).
            auth=wire_auth(auth, spec),
        )
        return self.session.prepare_request(req)

    def send(self, spec: RequestSpec, auth: Callable) -> Any:
        """Send, following redirects (see the module's doc); the final response streams."""
        self.watch.begin()
        start = origin(spec.url)
        spec = _copy(spec)
        hops = 0
        renewed = False
        while True:
            resp = self._send_retrying(spec, auth)
            # A mode holding tokens may renew them once when the API says 401.
            if resp.status_code == 401 and not renewed:
                renewed = True
                if auth.renew_after_401(resp):
                    resp.close()
                    continue
            if resp.status_code not in REDIRECTS or "location" not in resp.headers:
                return self._guarded(resp, spec.url)
            status = resp.status_code
            hops += 1
            if hops > MAX_REDIRECTS:
                resp.close()
                raise RedirectFailure(f"more than {MAX_REDIRECTS} redirects, last to {inert(spec.url)}")
            location = redirect_location(spec.url, resp.headers["location"])
            resp.close()
            nxt = _copy(spec)
            nxt.url = location
            leaves = origin(location) != start
            if status in BECOME_GET:
                if nxt.method != "HEAD":
                    nxt.method = "GET"
                _drop_body(nxt)
            elif spec.body is not None:
                if leaves:
                    raise RedirectFailure(
                        f"HTTP {status} redirect of a {spec.method} with a body to another "
                        f"origin ({_netloc(location)}): not followed, the body is not sent there"
                    )
                if not isinstance(spec.body, bytes) and not seekable(spec.body):
                    raise RedirectFailure(
                        f"HTTP {status} redirect to {inert(location)}: the body was read from a stream "
                        "and cannot be sent again"
                    )
            if leaves:
                # Names from the mode's auth, before it is replaced: its own header may be
                # one only it knows (X-My-Token), set by the mode or by the user.
                leaving = (
                    spec.credential_names(auth) | set(spec.command_header_names) | SENSITIVE_HEADERS
                    | self.options.credential_headers
                )
                auth = NoAuth()
                for name in leaving:
                    nxt.headers.pop(name, None)
                nxt.user_headers = {k: v for k, v in nxt.user_headers.items() if k not in leaving}
            spec = nxt

    def _send_retrying(self, spec: RequestSpec, auth: Callable) -> Any:
        retries = self.options.retries
        may_retry = spec.method in IDEMPOTENT or self.options.retry_unsafe
        # A body read from stdin cannot be sent twice.
        if spec.body is not None and not isinstance(spec.body, bytes) and not seekable(spec.body):
            may_retry = False
        attempt = 0
        while True:
            if self.watch.out_of_time():
                raise self._limit_error(spec.url, TOTAL)
            prep = self.prepare(spec, auth)
            self.on_request(prep, attempt)
            # Proxies and CA bundle from the environment, as Session.request would.
            proxies = {"http": self.options.proxy, "https": self.options.proxy} if self.options.proxy else {}
            settings = self.session.merge_environment_settings(
                prep.url, proxies, True, self.options.verify, None
            )
            try:
                resp = self.session.send(
                    prep,
                    timeout=(self.watch.connect_timeout(), self.options.timeout or None),
                    allow_redirects=False,
                    **settings,
                )
            except requests.RequestException as e:
                if self.watch.hit:
                    raise self._limit_error(prep.url, self.watch.hit) from None
                if isinstance(e, requests.exceptions.ReadTimeout):
                    # Not retried: each retry would wait the full timeout again.
                    raise self._failure(e, prep.url, settings.get("proxies")) from None
                if may_retry and attempt < retries and _is_connection_error(e) and not _is_plain_http(e):
                    wait = backoff(attempt)
                    remaining = self.watch.remaining()
                    if remaining is None or wait < remaining:
                        self.on_retry(f"connection error: {type(e).__name__}", wait)
                        time.sleep(wait)
                        attempt += 1
                        continue
                raise self._failure(e, prep.url, settings.get("proxies")) from None
            if self.watch.hit:
                # A limit ran out as the send returned: whatever came is not a whole answer.
                resp.close()
                raise self._limit_error(prep.url, self.watch.hit)
            self.on_response(resp)
            if may_retry and attempt < retries and resp.status_code in RETRY_STATUSES:
                wait = backoff(attempt, resp.headers.get("Retry-After"))
                remaining = self.watch.remaining()
                if wait is not None and (remaining is None or wait < remaining):
                    resp.close()
                    self.on_retry(f"HTTP {resp.status_code}", wait)
                    time.sleep(wait)
                    attempt += 1
                    continue
            return resp

    def _failure(self, e: BaseException, url: str, proxies: dict | None) -> BaseException:
        return translate(
            e,
            timeout=self.options.timeout,
            proxy=_proxy_for(url, proxies or {}, self.options),
            setting=self.options.timeout_setting,
        )

    def _limit_error(self, url: str, which: str) -> BaseException:
        host = _netloc(url)
        if which == HEAD:
            return TimeoutFailure(
                f"no response from {host} within {self.options.timeout:g} s "
                f"({self.options.timeout_setting})",
                hint=f"raise {self.options.timeout_setting}, or check that the API is reachable",
            )
        return DeadlineFailure(
            f"the call to {host} did not finish within {self.options.max_time:g} s (--max-time)",
            hint="raise --max-time (or the profile's max_time)",
        )

    def _guarded(self, resp: Any, url: str) -> Any:
        """The response, whose body reading reports a limit that ran out as that limit."""
        # Through a weak reference: a cycle would keep the connection open until GC.
        this = weakref.ref(resp)
        read = type(resp).iter_content
        watch = self.watch

        def iter_content(*args: Any, **kwargs: Any):
            try:
                yield from read(this(), *args, **kwargs)
            except requests.RequestException as e:
                if watch.hit:
                    raise self._limit_error(url, watch.hit) from None
                if _read_timed_out(e):
                    # --timeout bounds each read of a body; only --max-time bounds it all.
                    raise TimeoutFailure(
                        f"{_netloc(url)} sent nothing more of the body within "
                        f"{self.options.timeout:g} s ({self.options.timeout_setting})",
                        hint=f"raise {self.options.timeout_setting}; --max-time bounds a whole call",
                    ) from None
                raise
            if watch.hit == TOTAL:
                # The socket was shut: what looked like the end of the body was not.
                raise self._limit_error(url, TOTAL)

        resp.iter_content = iter_content
        return resp

    def close(self) -> None:
        self.watch.stop()
        self.session.close()


def _copy(spec: RequestSpec) -> RequestSpec:
    return spec.replace(
        headers=dict(spec.headers),
        user_headers=dict(spec.user_headers),
        command_header_names=set(spec.command_header_names),
    )


def _drop_body(spec: RequestSpec) -> None:
    spec.body = None
    spec.body_path = None
    for name in BODY_HEADERS:
        spec.headers.pop(name, None)
    spec.user_headers = {k: v for k, v in spec.user_headers.items() if k not in BODY_HEADERS}


def redirect_location(url: str, value: str) -> str:
    """The URL a Location names, checked: a malformed or non-HTTP one, or one whose host is
    not a host name (hosts.py's check for endpoints), is a RedirectFailure (exit 3)."""
    try:
        location = urljoin(url, value)
        parts = urlsplit(location)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise RedirectFailure(f"redirect to an invalid URL: {inert(value)}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RedirectFailure(f"redirect to a non-HTTP URL: {inert(location)}")
    problem = hostname_problem(parts.hostname, lax=True)
    if problem:
        raise RedirectFailure(f"redirect to an invalid URL: {inert(value)} ({problem})")
    return location


def _netloc(url: str) -> str:
    try:
        return urlsplit(url).netloc.rpartition("@")[2]
    except ValueError:
        return url


def _read_timed_out(e: BaseException | None) -> bool:
    """A read that waited --timeout for nothing (requests wraps urllib3's error)."""
    while e is not None:
        if isinstance(e, (urllib3.exceptions.ReadTimeoutError, TimeoutError)):
            return True
        e = e.args[0] if e.args and isinstance(e.args[0], BaseException) else None
    return False


def _is_plain_http(e: BaseException) -> bool:
    # HTTPS to a plain-HTTP port: the same answer every time, never retried.
    return "WRONG_VERSION_NUMBER" in str(e) or "wrong version number" in str(e)


def _proxy_for(url: str, proxies: dict, options: SendOptions) -> tuple[str, str] | None:
    """(proxy host:port, the setting that named it) used for URL, if any."""
    scheme = urlsplit(url).scheme
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy:
        return None
    if options.proxy and proxy == options.proxy:
        source = options.proxy_source
    else:
        source = next(
            (name for name in (f"{scheme.upper()}_PROXY", f"{scheme}_proxy", "ALL_PROXY", "all_proxy")
             if os.environ.get(name) == proxy),
            f"{scheme.upper()}_PROXY",
        )
    return _netloc(proxy if "://" in proxy else "http://" + proxy), source


def client_tls(cert: tuple, verify: bool | str) -> Any:
    """An SSL context presenting the client certificate (mutual TLS), verifying as asked."""
    cert_file, key_file, password, where = (*cert, None, None, None)[:4]
    ctx = ssl.create_default_context()
    if verify is False:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        bundle = verify if isinstance(verify, str) else os.environ.get("REQUESTS_CA_BUNDLE")
        ctx.load_verify_locations(bundle or DEFAULT_CA_BUNDLE_PATH)
    error = UsageError if where == COMMAND_LINE else ConfigError
    for path, flag in ((cert_file, "--cert / client_cert"), (key_file, "--key / client_key")):
        if path and not os.path.isfile(path):
            raise error(f"client certificate file not found: {path} ({flag})")
    try:
        ctx.load_cert_chain(cert_file, key_file or None, password=password or None)
    except ssl.SSLError as e:
        raise CredentialsError(
            f"cannot use the client certificate {cert_file}: {e.reason or e}".rstrip(),
            hint="check client_cert/client_key match, and client_key_password for an encrypted key",
        ) from None
    except OSError as e:
        raise CredentialsError(f"cannot read the client certificate {cert_file}: {e.strerror}") from None
    return ctx


def transport_options(profile: Any, redactor: Any, environ: Any) -> dict:
    """SendOptions' whole-call limit, proxy and client certificate from the decided profile.

    Proxy passwords and the client key's password are registered to be scrubbed.
    """
    from_cli = {k for k, v in profile.sources.items() if v == COMMAND_LINE}
    proxy = profile.get("proxy")
    if proxy:
        _check_proxy(proxy, "--proxy" if "proxy" in from_cli else "the profile's proxy")
    for secret in proxy_secrets(proxy, environ):
        redactor.add(secret)
    options: dict = {
        "max_time": profile.get("max_time"),
        "proxy": proxy or None,
        "proxy_source": "--proxy" if "proxy" in from_cli else "proxy",
        "credential_headers": credential_header_names(profile),
    }
    tls = ProfileValues(profile, CLIENT_TLS, redactor)
    cert, key = tls["client_cert"], tls["client_key"]
    if key and not cert:
        error = UsageError if "client_key" in from_cli else ConfigError
        raise error("a client key needs its certificate (--cert FILE, or client_cert)")
    if cert:
        password = tls["client_key_password"]
        origin_of = COMMAND_LINE if "client_cert" in from_cli else "profile"
        options["client_cert"] = (
            os.path.expanduser(cert), os.path.expanduser(key) if key else None, password,
            origin_of,
        )
    return options


def credential_header_names(profile: Any) -> frozenset:
    """The header names a profile declares for its credentials, whatever mode a call uses:
    every `...header` key (api_key_header, the token modes' header), as config.py reads them."""
    return frozenset(
        value.lower() for key, value in profile.values.items()
        if key.endswith("header") and isinstance(value, str) and value
    )


def _check_proxy(proxy: str, where: str) -> None:
    error = UsageError if where == "--proxy" else ConfigError
    try:
        parts = urlsplit(proxy if "://" in proxy else "http://" + proxy)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise error(f"invalid proxy URL ({where})") from None
    if parts.scheme not in ("http", "https", "socks5", "socks5h") or not parts.hostname:
        raise error(f"invalid proxy URL ({where}): use http://HOST:PORT")


def _is_connection_error(e: Exception) -> bool:
    return isinstance(e, (requests.ConnectionError, requests.exceptions.ConnectTimeout))


def backoff(attempt: int, retry_after: str | None = None) -> float | None:
    """Jittered exponential backoff, or the server's Retry-After when it is reasonable.

    Returns None when the server asks for a longer wait than a script should sit through.
    """
    if retry_after:
        wait = _parse_retry_after(retry_after)
        if wait is not None:
            return wait if wait <= MAX_WAIT else None
    return random.uniform(0, min(MAX_WAIT, BACKOFF_BASE * 2**attempt))


def _parse_retry_after(value: str) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def tls_verify(insecure: bool, profile: Any) -> bool | str:
    """TLS verification for a decided profile: on, or with its CA bundle; off only when
    asked (the caller warns). A missing bundle is the fault of whoever named it."""
    if insecure:
        return False
    path = profile.get("ca_bundle")
    if not path:
        return True
    path = os.path.expanduser(path)
    if not os.path.isfile(path):
        if profile.sources.get("ca_bundle") == COMMAND_LINE:
            raise UsageError(f"CA bundle not found: {path} (--ca-bundle)")
        raise ConfigError(f"CA bundle not found: {path} (the profile's ca_bundle)")
    return path
