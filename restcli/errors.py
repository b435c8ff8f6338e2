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
# --exit-status: the filter (or body) selected nothing: null, [] or {} (jq -e's idea).
NOTHING_SELECTED = 10
# restcli run (Hurl files): Hurl's runtime and assert codes, moved past restcli's own.
RUN_RUNTIME = 11
RUN_ASSERT = 12
INTERRUPTED = 130
BROKEN_PIPE = 141

# Every exit code and what it means: `restcli --help` shows this table.
EXIT_CODES = (
    ("0", "ok (2xx or 304; any status with --ignore-status)"),
    ("1", "other error"),
    ("2", "usage error"),
    ("3 4 5", "HTTP 3xx, 4xx, 5xx"),
    ("6", "timeout (--timeout)"),
    ("7", "connection, proxy or TLS failure, or --max-time reached"),
    ("8", "config error"),
    ("9", "credentials could not be obtained"),
    ("10", "-e/--exit-status and the filter (or body) selected nothing"),
    ("11", "restcli run: a runtime error"),
    ("12", "restcli run: an assert failed"),
    ("130", "interrupted (SIGTERM 143, SIGHUP 129)"),
    ("141", "stdout closed by its reader"),
)


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


class DeadlineFailure(RestcliError):
    """The whole call's time limit (--max-time, max_time) ran out."""

    exit_code = CONNECTION


class Terminated(RestcliError):
    """SIGTERM or SIGHUP arrived: cleaned up, exit 128 + the signal's number."""

    def __init__(self, signum: int, name: str):
        super().__init__(f"terminated by {name}")
        self.exit_code = 128 + signum


class RedirectFailure(RestcliError):
    exit_code = HTTP_3XX


class OutputError(RestcliError):
    exit_code = UNEXPECTED


def succeeded(status: int) -> bool:
    """2xx, and 304 Not Modified: the copy the client holds is current (a conditional GET)."""
    return 200 <= status < 300 or status == 304


def exit_code_for_status(status: int) -> int:
    if succeeded(status):
        return OK
    if 300 <= status < 400:
        return HTTP_3XX
    if 400 <= status < 500:
        return HTTP_4XX
    if 500 <= status < 600:
        return HTTP_5XX
    return UNEXPECTED


def translate(
    exc: BaseException, timeout: float | None = None, proxy: tuple[str, str] | None = None,
    setting: str = "--timeout", url: str | None = None,
) -> BaseException:
    """Turn a transport exception from requests into a RestcliError, in one plain sentence.

    `timeout` is the timeout in force and `setting` where it was set (--timeout, or the
    profile's or [defaults]' key); `proxy` the (host:port, setting) the call went through;
    `url` names the host when the exception does not. requests is looked up rather than
    imported: an exception from it cannot exist unless it is already loaded.
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
    host = _host_of(exc, url)
    within = f" within {timeout:g} s ({setting})" if timeout else ""
    if isinstance(exc, ex.ProxyError) and proxy:
        return ConnectionFailure(
            f"cannot reach proxy {proxy[0]} ({proxy[1]}): {_reason(exc, detail)}",
            hint="check the proxy setting, or NO_PROXY for hosts to reach directly",
        )
    if isinstance(exc, ex.ConnectTimeout):
        return TimeoutFailure(
            f"cannot connect to {host}{within}",
            hint=f"raise {setting}, or check that the API is reachable",
        )
    if isinstance(exc, (ex.ReadTimeout, ex.Timeout)):
        return TimeoutFailure(
            f"no response from {host}{within}",
            hint=f"raise {setting}, or check that the API is reachable",
        )
    if isinstance(exc, ex.SSLError):
        return _tls_failure(exc, host, detail)
    if isinstance(exc, ex.ChunkedEncodingError):
        return ConnectionFailure(f"connection to {host} broke while reading the response: {detail}")
    if isinstance(exc, ex.ConnectionError):
        if _timed_out(exc, detail):
            return TimeoutFailure(f"no response from {host}{within}", hint=f"raise {setting}")
        return ConnectionFailure(f"cannot connect to {host}: {_reason(exc, detail)}")
    if isinstance(exc, (ex.InvalidURL, ex.MissingSchema, ex.InvalidSchema, ex.InvalidHeader)):
        return UsageError(str(exc))
    return ConnectionFailure(f"request to {host} failed: {detail}")


def _timed_out(exc: BaseException, detail: str) -> bool:
    requests = sys.modules["requests"]
    return isinstance(exc, requests.exceptions.Timeout) or "timed out" in detail


def _host_of(exc: BaseException, fallback: str | None = None) -> str:
    url = getattr(getattr(exc, "request", None), "url", None) or fallback
    if not url:
        return "the server"
    # urllib.parse only once a transport error is being reported (start-up of --help)
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).netloc.rpartition("@")[2] or url
    except ValueError:
        return url


def _chain(exc: BaseException):
    """The exception and every one it wraps (args[0], .reason, cause, context)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        args = getattr(e, "args", ())
        for nxt in (args[0] if args else None, getattr(e, "reason", None), e.__cause__, e.__context__):
            if isinstance(nxt, BaseException):
                todo.append(nxt)


def _reason(exc: BaseException, detail: str) -> str:
    # socket only when a transport error is worded; not loaded for --help (start-up)
    import socket

    for e in _chain(exc):
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        if isinstance(e, ConnectionResetError):
            return "connection reset"
        if isinstance(e, socket.gaierror) or type(e).__name__ == "NameResolutionError":
            return "host name not found"
        if isinstance(e, (TimeoutError, socket.timeout)):
            return "timed out"
        if type(e).__name__ in ("RemoteDisconnected", "ProtocolError") and "closed" in str(e):
            return "the connection closed without an answer"
    return detail


def _tls_failure(exc: BaseException, host: str, detail: str) -> RestcliError:
    # ssl only when a TLS error is worded; not loaded for --help (start-up)
    import ssl

    for e in _chain(exc):
        if isinstance(e, ssl.SSLCertVerificationError):
            why = (e.verify_message or "").strip()
            if "self-signed" in why or "self signed" in why:
                why = "self-signed"
            elif "local issuer" in why:
                why = "issued by an unknown CA"
            elif "expired" in why:
                why = "expired"
            if "match" in why or "mismatch" in why.lower():
                return ConnectionFailure(
                    f"certificate for {host} does not match that name: {why}",
                    hint="use the host name the certificate is for",
                )
            return ConnectionFailure(
                f"certificate for {host} is not trusted: {why or 'verification failed'} "
                "(use --ca-bundle FILE)",
                hint="--insecure only for a throwaway test",
            )
        text = str(e)
        if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
            return ConnectionFailure(f"{host} answered in plain HTTP, not TLS: use http://")
        if "certificate required" in text.lower() or "CERTIFICATE_REQUIRED" in text:
            return ConnectionFailure(
                f"{host} asks for a client certificate (use --cert FILE --key FILE, or "
                "client_cert and client_key in the profile)"
            )
    return ConnectionFailure(
        f"TLS failure with {host}: {detail}",
        hint="pass --ca-bundle FILE for a private CA; --insecure only for a throwaway test",
    )


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
    text = text.replace("\n", " ").strip()
    # A whole message in parentheses loses them; a closing one that belongs stays.
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text
