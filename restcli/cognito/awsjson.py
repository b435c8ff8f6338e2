"""One unsigned call to an AWS JSON-1.1 API (Cognito user pools and identity pools).

The user-pool sign-in operations and the identity-pool GetId/GetCredentialsForIdentity
are public APIs: a POST of JSON with an X-Amz-Target header, no signature. Made with
requests so that a call never pays for importing boto3.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from .. import __version__
from ..errors import CredentialsError, translate
from ..inert import inert

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0


class AwsError(Exception):
    """An error answer from the service: its error code and message."""

    def __init__(self, code: str, message: str, status: int):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.status = status


def _no_netrc(request: Any) -> Any:
    # An explicit auth keeps requests from adding ~/.netrc credentials for the AWS host.
    return request


def call(
    url: str,
    target: str,
    payload: dict,
    timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
) -> dict:
    """POST the payload; the decoded answer, or AwsError. Transport errors propagate.

    The whole exchange takes at most connect + read timeout seconds (a trickling service
    cannot hold a login or logout), and the answer is read up to SERVICE_ANSWER_LIMIT
    decoded bytes.
    """
    data = json.dumps(payload).encode("utf-8")
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": target,
        "User-Agent": f"restcli/{__version__}",
    }
    with bounded_post(url, timeout, data=data, headers=headers, auth=_no_netrc) as (resp, body):
        try:
            answer = json.loads(body) if body else {}
        except (ValueError, RecursionError):
            answer = {}
        if resp.status_code >= 400 or not isinstance(answer, dict):
            raise error_from(resp.status_code, answer, body.decode("utf-8", "replace"))
        return answer


@contextmanager
def bounded_post(url: str, timeout: tuple[float, float], **kwargs: Any) -> Iterator[tuple[Any, bytes]]:
    """POST with a total deadline and a decoded-size limit: (response, body bytes).

    Running out of time raises requests' ReadTimeout (a transport error: `unreachable`
    words it); inside a call with --max-time (deadline.whole_call) the exchange also ends
    with the call, as DeadlineFailure (exit 7). An answer over the limit is an AwsError.
    """
    # requests and the deadline session only when Cognito is called; a cached token needs
    # neither (start-up).
    import requests

    from ..deadline import SERVICE_ANSWER_LIMIT, Watch, call_overrun, read_capped, size_text, watched_session

    connect, read = timeout
    # Begun here: its end is the call's when that comes first.
    watch = Watch(read, connect + read)
    watch.begin()
    waiting_for = f"an answer from {_host(url)}"
    if watch.call_bound and watch.out_of_time():
        raise call_overrun(waiting_for)
    session = watched_session(watch)
    try:
        try:
            resp = session.post(
                url,
                timeout=(min(connect, watch.remaining() or connect), read),
                allow_redirects=False,
                verify=os.environ.get("AWS_CA_BUNDLE") or True,
                stream=True,
                **kwargs,
            )
            with resp:
                body, cut = read_capped(resp, SERVICE_ANSWER_LIMIT)
        except requests.RequestException as e:
            if watch.call_bound and watch.out_of_time():
                raise call_overrun(waiting_for) from None
            if watch.hit:
                raise requests.exceptions.ReadTimeout(
                    f"no complete answer within {connect + read:g} s", request=e.request
                ) from None
            raise
        if watch.call_bound and watch.out_of_time():
            raise call_overrun(waiting_for)
        if watch.hit:
            raise requests.exceptions.ReadTimeout(f"no complete answer within {connect + read:g} s")
        if cut:
            raise AwsError(
                f"HTTP {resp.status_code}",
                f"the answer is larger than {size_text(SERVICE_ANSWER_LIMIT)}",
                resp.status_code,
            )
        yield resp, body
    finally:
        watch.stop()
        session.close()


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.rpartition("@")[2] or url
    except ValueError:
        return url


NETWORK_HINT = "check the network (and AWS_ENDPOINT_URL* if set)"


def transport_detail(e: BaseException) -> str:
    """One line for a failure to talk to Cognito, as the API path words it (errors.translate)."""
    return getattr(translate(e), "message", None) or str(e) or type(e).__name__


def is_transport_error(e: BaseException) -> bool:
    """requests' exceptions (connection, TLS, timeout): looked up, never imported."""
    requests = sys.modules.get("requests")
    return requests is not None and isinstance(e, requests.RequestException)


def unreachable(e: BaseException, doing: str, hint: str = NETWORK_HINT) -> BaseException:
    """A transport failure as CredentialsError (exit 9): `cannot {doing}: {detail}`.

    Anything else is returned as it is, to be raised as the bug it is.
    """
    if not is_transport_error(e):
        return e
    return CredentialsError(f"cannot {doing}: {transport_detail(e)}", hint=hint)


def error_from(status: int, body: Any, text: str = "") -> AwsError:
    """The service's error code and message, made inert: they reach the terminal."""
    code = ""
    message = ""
    if isinstance(body, dict):
        code = str(body.get("__type") or body.get("code") or "")
        message = str(body.get("message") or body.get("Message") or "")
    # "com.amazonaws.cognito...#NotAuthorizedException" -> "NotAuthorizedException"
    code = code.rsplit("#", 1)[-1] or f"HTTP {status}"
    if not message and not isinstance(body, dict):
        message = text.strip()[:200]
    return AwsError(inert(code), inert(message), status)
