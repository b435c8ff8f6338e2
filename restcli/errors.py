"""Error classes with their exit codes, and the one place that maps an outcome to one.

Every expected failure is a RestcliError: one line of message, an optional hint, and
the exit status a shell script can branch on (documented in the README).
"""

from __future__ import annotations

import re
import sys

OK = 0
UNEXPECTED = 1
USAGE = 2
HTTP_3XX = 3
HTTP_4XX = 4
HTTP_5XX = 5
TIMEOUT = 6
CONNECTION = 7
CONFIG = 8
CREDENTIALS = 9
INTERRUPTED = 130


class RestcliError(Exception):
    exit_code = UNEXPECTED

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(RestcliError):
    exit_code = USAGE


class ConfigError(RestcliError):
    exit_code = CONFIG

    def __init__(self, message: str, hint: str | None = None, problems: list[str] | None = None):
        super().__init__(message, hint)
        # Validation reports every problem at once; each is one line.
        self.problems = problems or []


class CredentialsError(RestcliError):
    exit_code = CREDENTIALS


class TimeoutFailure(RestcliError):
    exit_code = TIMEOUT


class ConnectionFailure(RestcliError):
    exit_code = CONNECTION


class RedirectFailure(RestcliError):
    exit_code = HTTP_3XX


class OutputError(RestcliError):
    exit_code = UNEXPECTED


def exit_code_for_status(status: int) -> int:
    if 200 <= status < 300:
        return OK
    if 300 <= status < 400:
        return HTTP_3XX
    if 400 <= status < 500:
        return HTTP_4XX
    if 500 <= status < 600:
        return HTTP_5XX
    return UNEXPECTED


def translate(exc: BaseException) -> BaseException:
    """Turn a transport exception from requests into a RestcliError.

    requests is imported only on the HTTP path, so it is looked up rather than imported:
    an exception from it cannot exist unless it is already loaded.
    """
    if isinstance(exc, RestcliError):
        return exc
    if isinstance(exc, ValueError) and "Invalid header" in str(exc):
        # http.client's check of a header value: a control character typed by the user.
        return UsageError("a header name or value holds a line break or control character")
    requests = sys.modules.get("requests")
    if requests is None or not isinstance(exc, requests.RequestException):
        return exc
    ex = requests.exceptions
    detail = _innermost(exc)
    url = getattr(getattr(exc, "request", None), "url", None)
    if url and isinstance(exc, ex.ConnectionError) and not isinstance(exc, ex.Timeout):
        from urllib.parse import urlsplit

        detail = f"{urlsplit(url).netloc}: {detail}"
    if isinstance(exc, (ex.ConnectTimeout, ex.ReadTimeout, ex.Timeout)):
        return TimeoutFailure(
            f"timed out: {detail}", hint="raise --timeout, or check that the API is reachable"
        )
    if isinstance(exc, ex.SSLError):
        return ConnectionFailure(
            f"TLS failure: {detail}",
            hint="pass --ca-bundle PATH for a private CA; --insecure only for a throwaway test",
        )
    if isinstance(exc, ex.ChunkedEncodingError):
        return ConnectionFailure(f"connection broken while reading the response: {detail}")
    if isinstance(exc, ex.ConnectionError):
        if "Read timed out" in detail or "timed out" in detail:
            return TimeoutFailure(f"timed out: {detail}", hint="raise --timeout")
        return ConnectionFailure(f"connection failed: {detail}")
    if isinstance(exc, (ex.InvalidURL, ex.MissingSchema, ex.InvalidSchema, ex.InvalidHeader)):
        return UsageError(str(exc))
    return ConnectionFailure(f"request failed: {detail}")


def _innermost(exc: BaseException) -> str:
    """The most specific message in a chain of wrapped urllib3/requests exceptions."""
    seen = exc
    while True:
        nxt = None
        args = getattr(seen, "args", ())
        if args and isinstance(args[0], BaseException):
            nxt = args[0]
        elif getattr(seen, "reason", None) is not None and isinstance(seen.reason, BaseException):
            nxt = seen.reason
        if nxt is None or nxt is seen:
            break
        seen = nxt
    text = str(seen) or type(seen).__name__
    # urllib3 prefixes messages with object reprs; keep the human part.
    text = re.sub(r"^\S*(Connection|Pool)\S*\([^)]*\):\s*", "", text)
    text = re.sub(r"^<[^>]*>:\s*", "", text)
    text = text.replace("Failed to establish a new connection: ", "")
    return text.strip("() ").replace("\n", " ")
