"""restcli's main job: one request from a profile (or URL) to an exit code.

The order matters: config, then per-call overrides, then secrets resolved, then the
auth built, all before a connection opens.
"""

from __future__ import annotations

from .record import Factory, record
from typing import TYPE_CHECKING

from . import __version__, errors
from .output import OutputOptions

if TYPE_CHECKING:
    from .app import App
    from .config import Profile

USER_AGENT = f"restcli/{__version__}"


@record
class CallOptions:
    auth: str | None = None
    headers: list[str] = Factory(list)
    queries: list[str] = Factory(list)
    data: str | None = None
    offline: bool = False
    curl: bool = False
    verbose: bool = False
    timeout: float | None = None
    retries: int | None = None
    retry_unsafe: bool = False
    insecure: bool = False
    ca_bundle: str | None = None
    ignore_status: bool = False
    # Profile keys set for this call only (--aws-profile, --guest).
    overrides: dict = Factory(dict)
    output: OutputOptions = Factory(OutputOptions)


def is_url(api: str) -> bool:
    return api.startswith(("http://", "https://"))


def target(app: "App", api: str, path: str) -> tuple["Profile", str]:
    from .request import join_url

    if is_url(api):
        _check_url(api)
        url = join_url(api, path)
        return app.config.for_url(url), url
    profile = app.config.profile(api)
    return profile, join_url(profile.endpoint, path)


def _check_url(url: str) -> None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as e:
        raise errors.UsageError(f"invalid URL {url!r}: {e}") from None
    if not parts.hostname:
        raise errors.UsageError(f"invalid URL {url!r}: no host")


def _check_timeout(timeout: float | None) -> None:
    from .config import MAX_TIMEOUT

    # NaN fails both comparisons: refused too. Timeouts are never off.
    if timeout is not None and not 0 < timeout <= MAX_TIMEOUT:
        raise errors.UsageError(f"--timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds")


def _check_output_file(path: str) -> None:
    """Before anything is sent: -o must name a file in a directory restcli can write to."""
    import os

    path = os.path.expanduser(path)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise errors.UsageError(f"-o {path}: is a directory")
    if not os.path.isdir(directory):
        raise errors.UsageError(f"-o {path}: no directory {directory}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise errors.UsageError(f"-o {path}: cannot write in {directory}")


def call(app: "App", method: str, api: str, path: str, items: list[str], opts: CallOptions) -> int:
    from . import auth as auth_modes
    from . import request
    from .client import Client, SendOptions, tls_verify
    from .output import print_request, print_response_head, render

    parsed = [request.parse_item(i) for i in items]
    parsed += [request.parse_header_option(h) for h in opts.headers]
    parsed += [request.parse_query_option(q) for q in opts.queries]
    profile, url = target(app, api, path)
    profile = profile.overridden(opts.overrides)
    mode = opts.auth or profile.mode
    if opts.insecure:
        app.warn("TLS verification is off (--insecure): the connection can be intercepted")
        import urllib3

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    verify = tls_verify(opts.insecure, opts.ca_bundle, profile.get("ca_bundle"))
    _check_timeout(opts.timeout)
    if opts.output.output_file:
        _check_output_file(opts.output.output_file)
    # The auth first: its secrets are then known to the redactor if a header command fails.
    auth = auth_modes.build_auth(profile, mode, app.redactor, app.warn)
    spec = request.build(
        profile, method, url, parsed, opts.data, app.redactor, USER_AGENT, app.read_bytes
    )
    secret_names = spec.masked_names(auth)

    client = Client(
        SendOptions(
            timeout=opts.timeout if opts.timeout is not None else profile.get("timeout", 30.0),
            retries=opts.retries if opts.retries is not None else profile.get("retries", 2),
            retry_unsafe=opts.retry_unsafe,
            verify=verify,
        ),
        on_request=(lambda prep, n: print_request(app, prep, secret_names, to_stdout=False))
        if opts.verbose
        else None,
        on_response=(lambda resp: print_response_head(app, resp)) if opts.verbose else None,
        on_retry=lambda why, wait: app.note(f"{why}; retrying in {wait:.1f} s"),
    )
    try:
        if opts.offline:
            print_request(app, client.prepare(spec, auth), secret_names, to_stdout=True)
            return errors.OK
        if opts.curl:
            from .curl_export import to_curl

            app.out.line(to_curl(app, spec, client.prepare(spec, auth), auth, profile.name))
            return errors.OK
        resp = client.send(spec, auth)
        with resp:
            success = 200 <= resp.status_code < 300
            if not success and not opts.ignore_status:
                # The body goes to stdout as for any response; the diagnosis to stderr.
                _read_error_body(resp)
            accepted = success or opts.ignore_status
            # An error page never replaces the file the user asked for: it goes to stdout.
            render(app, resp, opts.output if accepted else opts.output.replace(output_file=None))
            if accepted:
                return errors.OK
            _report(app, resp)
            return errors.exit_code_for_status(resp.status_code)
    except Exception as e:
        raise errors.translate(e) from None
    finally:
        client.close()
        body = spec.body
        if hasattr(body, "close"):
            body.close()


def _read_error_body(resp) -> None:
    # A small error body read first lets the hint quote its message; one of unknown
    # length (chunked) is left to stream.
    length = resp.headers.get("Content-Length")
    if length is not None and length.isdigit() and int(length) <= 1 << 20:
        resp.content  # noqa: B018


def _report(app: "App", resp) -> None:
    from .hints import for_response

    line, hint = for_response(resp)
    if 300 <= resp.status_code < 400 and resp.headers.get("Location"):
        line += f" to {resp.headers['Location']}"
        hint = hint or "restcli follows redirects for GET and HEAD only"
    app.error(line, hint)
