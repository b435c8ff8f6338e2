"""restcli's main job: one request from a profile (or URL) to an exit code.

A call is planned first (settings, validation, secrets, auth and the request: no
connection), then delivered one of three ways: shown (--offline), exported (--curl), or
sent and rendered.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import __version__, errors
from . import auth as auth_modes
from . import request
from .client import Client, SendOptions, tls_verify
from .output import OutputOptions, print_request, print_response_head, render
from .record import Factory, record
from .settings import decide

if TYPE_CHECKING:
    from .app import App
    from .config import Profile

USER_AGENT = f"restcli/{__version__}"


@record
class CallOptions:
    headers: list[str] = Factory(list)
    queries: list[str] = Factory(list)
    data: str | None = None
    offline: bool = False
    curl: bool = False
    verbose: bool = False
    retry_unsafe: bool = False
    insecure: bool = False
    ignore_status: bool = False
    # Profile keys typed on the command line (--auth, --timeout, ...): key -> value or None.
    overrides: dict = Factory(dict)
    output: OutputOptions = Factory(OutputOptions)


@record
class Plan:
    """Everything a call needs, decided before any connection opens."""

    profile: Any
    auth: Any
    spec: Any
    send: SendOptions
    secret_names: set = Factory(set)


def is_url(api: str) -> bool:
    return api[:8].lower().startswith(("http://", "https://"))


def target(app: "App", api: str, path: str) -> tuple["Profile", str]:
    if is_url(api):
        _check_url(api)
        url = request.join_url(api, path)
        return app.config.for_url(url), url
    profile = app.config.profile(api)
    return profile, request.join_url(profile.endpoint, path)


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as e:
        raise errors.UsageError(f"invalid URL {url!r}: {e}") from None
    if not parts.hostname:
        raise errors.UsageError(f"invalid URL {url!r}: no host")


def _check_output_file(path: str) -> None:
    """Before anything is sent: -o must name a file in a directory restcli can write to."""
    path = os.path.expanduser(path)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise errors.UsageError(f"-o {path}: is a directory")
    if not os.path.isdir(directory):
        raise errors.UsageError(f"-o {path}: no directory {directory}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise errors.UsageError(f"-o {path}: cannot write in {directory}")


def plan(app: "App", method: str, api: str, path: str, items: list[str], opts: CallOptions) -> Plan:
    """Settings, validation, secrets, auth and the request; nothing is sent."""
    parsed = [request.parse_item(i) for i in items]
    parsed += [request.parse_header_option(h) for h in opts.headers]
    parsed += [request.parse_query_option(q) for q in opts.queries]
    profile, url = target(app, api, path)
    profile = decide(profile, opts.overrides)
    if opts.insecure:
        app.warn("TLS verification is off (--insecure): the connection can be intercepted")
    verify = tls_verify(
        opts.insecure, opts.overrides.get("ca_bundle"), profile.get("ca_bundle")
    )
    if opts.output.output_file:
        _check_output_file(opts.output.output_file)
    # The auth first: its secrets are then known to the redactor if a header command fails.
    auth = auth_modes.build_auth(profile, profile.mode, app.redactor, app.warn)
    spec = request.build(
        profile, method, url, parsed, opts.data, app.redactor, USER_AGENT, app.read_bytes
    )
    send = SendOptions(
        timeout=profile.get("timeout"),
        retries=profile.get("retries"),
        retry_unsafe=opts.retry_unsafe,
        verify=verify,
    )
    return Plan(profile, auth, spec, send, spec.masked_names(auth))


def call(app: "App", method: str, api: str, path: str, items: list[str], opts: CallOptions) -> int:
    the_plan = plan(app, method, api, path, items, opts)
    client = _client(app, the_plan, opts)
    try:
        if opts.offline:
            prepared = client.prepare(the_plan.spec, the_plan.auth)
            print_request(app, prepared, the_plan.secret_names, to_stdout=True)
            return errors.OK
        if opts.curl:
            from .curl_export import to_curl  # only for --curl (start-up)

            prepared = client.prepare(the_plan.spec, the_plan.auth)
            app.out.line(to_curl(app, the_plan.spec, prepared, the_plan.auth, the_plan.profile.name))
            return errors.OK
        return _send_and_render(app, client, the_plan, opts)
    except Exception as e:
        raise errors.translate(e) from None
    finally:
        client.close()
        body = the_plan.spec.body
        if hasattr(body, "close"):
            body.close()


def _client(app: "App", the_plan: Plan, opts: CallOptions) -> Client:
    verbose = opts.verbose
    return Client(
        the_plan.send,
        on_request=(lambda prep, n: print_request(app, prep, the_plan.secret_names, to_stdout=False))
        if verbose
        else None,
        on_response=(lambda resp: print_response_head(app, resp)) if verbose else None,
        on_retry=lambda why, wait: app.note(f"{why}; retrying in {wait:.1f} s"),
    )


def _send_and_render(app: "App", client: Client, the_plan: Plan, opts: CallOptions) -> int:
    resp = client.send(the_plan.spec, the_plan.auth)
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


def _read_error_body(resp) -> None:
    # A small error body read first lets the hint quote its message; one of unknown
    # length (chunked) is left to stream.
    length = resp.headers.get("Content-Length")
    if length is not None and length.isdigit() and int(length) <= 1 << 20:
        resp.content  # noqa: B018


def _report(app: "App", resp) -> None:
    from .hints import for_response  # only for a failed call (start-up)

    line, hint = for_response(resp)
    if 300 <= resp.status_code < 400 and resp.headers.get("Location"):
        line += f" to {resp.headers['Location']}"
        hint = hint or "restcli follows redirects for GET and HEAD only"
    app.error(line, hint)
