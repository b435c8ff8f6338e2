"""Sending: a requests session with TLS verification, timeouts, retries and safe redirects.

Retries and redirects are driven here rather than by urllib3, so that every attempt and
every hop is prepared again and the auth applied afresh (a SigV4 signature covers the
time, the path and the host), and so that credentials never follow a redirect that
leaves the endpoint's origin.
"""

from __future__ import annotations

import email.utils
import random
import time
from .record import record
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

import requests

from .auth.none import NoAuth
from .errors import ConfigError, RedirectFailure, UsageError, translate
from .http import origin, seekable
from .request import RequestSpec

RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
FOLLOW = frozenset({"GET", "HEAD"})
MAX_REDIRECTS = 10
# A script never waits unboundedly: longer Retry-After values end the retries.
MAX_WAIT = 30.0
BACKOFF_BASE = 0.5


@record
class SendOptions:
    # Decided by settings.decide: the profile keys' declared defaults apply there.
    timeout: float
    retries: int
    retry_unsafe: bool = False
    verify: bool | str = True


class UserHeadersWin:
    """Applies the auth, then the user's own command-line headers (and removals) over it."""

    def __init__(self, auth: Callable, user_headers: dict[str, tuple[str, str | None]]):
        self.auth = auth
        self.user_headers = user_headers

    def __call__(self, request: Any) -> Any:
        request = self.auth(request)
        for name, value in self.user_headers.values():
            if value is None:
                request.headers.pop(name, None)
            else:
                request.headers[name] = value
        return request


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
        self.session = requests.Session()
        if options.verify is False:
            # The caller warned once, in restcli's words; urllib3 would warn per request.
            import urllib3

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
            auth=UserHeadersWin(auth, spec.user_headers),
        )
        return self.session.prepare_request(req)

    def send(self, spec: RequestSpec, auth: Callable) -> Any:
        """Send, following redirects for GET/HEAD; the final response is open for streaming."""
        start = origin(spec.url)
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
            if not (resp.is_redirect and spec.method in FOLLOW):
                return resp
            hops += 1
            if hops > MAX_REDIRECTS:
                resp.close()
                raise RedirectFailure(f"more than {MAX_REDIRECTS} redirects, last to {spec.url}")
            location = urljoin(spec.url, resp.headers["location"])
            resp.close()
            if urlsplit(location).scheme not in ("http", "https"):
                raise RedirectFailure(f"redirect to a non-HTTP URL: {location}")
            spec.url = location
            if origin(location) != start and not isinstance(auth, NoAuth):
                # Names from the mode's auth, before it is replaced: its own header may be
                # one only it knows (X-My-Token), set by the mode or by the user.
                leaving = spec.credential_names(auth)
                auth = NoAuth()
                for name in leaving:
                    spec.headers.pop(name, None)
                spec.user_headers = {
                    k: v for k, v in spec.user_headers.items() if k not in leaving
                }

    def _send_retrying(self, spec: RequestSpec, auth: Callable) -> Any:
        retries = self.options.retries
        may_retry = spec.method in IDEMPOTENT or self.options.retry_unsafe
        # A body read from stdin cannot be sent twice.
        if spec.body is not None and not isinstance(spec.body, bytes) and not seekable(spec.body):
            may_retry = False
        attempt = 0
        while True:
            prep = self.prepare(spec, auth)
            self.on_request(prep, attempt)
            # Proxies and CA bundle from the environment, as Session.request would.
            settings = self.session.merge_environment_settings(
                prep.url, {}, True, self.options.verify, None
            )
            try:
                resp = self.session.send(
                    prep,
                    timeout=self.options.timeout or None,
                    allow_redirects=False,
                    **settings,
                )
            except requests.exceptions.ReadTimeout as e:
                # Not retried: each retry would wait the full timeout again.
                raise translate(e) from None
            except requests.RequestException as e:
                if may_retry and attempt < retries and _is_connection_error(e):
                    wait = backoff(attempt)
                    self.on_retry(f"connection error: {type(e).__name__}", wait)
                    time.sleep(wait)
                    attempt += 1
                    continue
                raise translate(e) from None
            self.on_response(resp)
            if may_retry and attempt < retries and resp.status_code in RETRY_STATUSES:
                wait = backoff(attempt, resp.headers.get("Retry-After"))
                if wait is not None:
                    resp.close()
                    self.on_retry(f"HTTP {resp.status_code}", wait)
                    time.sleep(wait)
                    attempt += 1
                    continue
            return resp

    def close(self) -> None:
        self.session.close()


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


def tls_verify(insecure: bool, ca_bundle: str | None, from_profile: str | None = None) -> bool | str:
    """TLS verification: on, or with a CA bundle; off only when asked (the caller warns)."""
    if insecure:
        return False
    import os

    for path, error in ((ca_bundle, UsageError), (from_profile, ConfigError)):
        if path:
            path = os.path.expanduser(path)
            if not os.path.isfile(path):
                where = "--ca-bundle" if error is UsageError else "the profile's ca_bundle"
                raise error(f"CA bundle not found: {path} ({where})")
            return path
    return True
