"""restcli's main job: one request from a profile (or URL) to an exit code.

A call is planned first (settings, validation, secrets, auth and the request: no
connection), then delivered one of three ways: shown (--offline), exported (--curl), or
sent and rendered.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from . import __version__, errors, request
from . import auth as auth_modes
from .client import Client, SendOptions, tls_verify, transport_options
from .deadline import ERROR_BODY_LIMIT, limit_call, read_capped, size_text, whole_call
from .http import is_url
from .output import OutputOptions, inert, print_response_head, render
from .output.wire import print_request
from .record import Factory, record
from .settings import decide, setting_name

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
    form: bool = False
    multipart: bool = False
    silent: bool = False
    write_out: str | None = None
    paginate: bool = False
    paginate_next: str | None = None
    paginate_param: str | None = None
    max_pages: int | None = None
    # Profile keys typed on the command line (--auth, --timeout, ...): key -> value or None.
    overrides: dict = Factory(dict)
    # Profile key -> the option that set it (`--cert` sets client_cert), for messages.
    flags: dict = Factory(dict)
    output: OutputOptions = Factory(OutputOptions)


@record
class Plan:
    """Everything a call needs, decided before any connection opens."""

    profile: Any
    auth: Any
    spec: Any
    send: SendOptions
    secret_names: set = Factory(set)
    pager: Any = None  # --paginate: how the next page is found, checked before sending
    output: Any = None  # -o FILE: the download.Target checked before sending

    @property
    def sends_credentials(self) -> bool:
        """Whether the call carries any (auth none, or a URL under no profile: none)."""
        return self.profile.mode != "none"


def target(app: App, api: str, path: str) -> tuple[Profile, str]:
    if is_url(api):
        request.check_url(api)
        url = request.join_url(api, path)
        return app.config.for_url(url), url
    if "://" in api:
        raise errors.UsageError(
            f"{api.partition('://')[0]}:// URLs are not supported: restcli speaks http and https"
        )
    profile = app.config.profile(api)
    return profile, request.join_url(profile.endpoint, path)


def _check_output_file(path: str):
    """Before anything is sent: -o must name something restcli can write (download.check)."""
    from .output.download import check  # only for -o (start-up)

    return check(path)


def plan(app: App, method: str, api: str, path: str, items: list[str], opts: CallOptions) -> Plan:
    """ProfileValues, validation, secrets, auth and the request; nothing is sent."""
    _check_output_options(method, opts)
    parsed = [request.parse_item(i) for i in items]
    parsed += [request.parse_header_option(h) for h in opts.headers]
    parsed += [request.parse_query_option(q) for q in opts.queries]
    profile, url = target(app, api, path)
    profile = decide(profile, opts.overrides, opts.flags)
    limit_call(profile.get("max_time"))  # the call's clock bounds credentials too
    if opts.insecure:
        app.warn("TLS verification is off (--insecure): the connection can be intercepted")
    verify = tls_verify(opts.insecure, profile)
    output = None
    if opts.output.output_file is not None and opts.output.output_file != "-":
        output = _check_output_file(opts.output.output_file)
    # The auth first: its secrets are then known to the redactor if a header command fails.
    auth = auth_modes.build_auth(
        profile, profile.mode, app.redactor, app.warn, offline=opts.offline or opts.curl
    )
    spec = request.build(
        profile, method, url, parsed, opts.data, app.redactor, USER_AGENT, app.read_bytes,
        form=opts.form, multipart=opts.multipart,
    )
    send = SendOptions(
        timeout=profile.get("timeout"),
        retries=profile.get("retries"),
        retry_unsafe=opts.retry_unsafe,
        verify=verify,
        timeout_setting=setting_name(profile, "timeout", "--timeout"),
        **transport_options(profile, app.redactor, app.environ),
    )
    the_plan = Plan(profile, auth, spec, send, spec.masked_names(auth), output=output)
    if opts.paginate:
        from .paginate import pager_for  # only with --paginate (start-up)

        the_plan.pager = pager_for(the_plan, opts)
    return the_plan


def _check_output_options(method: str, opts: CallOptions) -> None:
    """Before anything else (nothing resolved, nothing sent), each a usage error: -w and -f
    parse, and no option is given that another one would silently ignore."""
    out = opts.output
    if opts.write_out:
        from .output.writeout import check  # only with -w (start-up)

        check(opts.write_out)
    if out.filter_expr:
        from .output.filters import compile_expr  # only with -f (start-up)

        compile_expr(out.filter_expr)
    if out.output_file is not None:
        for given, flag in ((out.filter_expr, "-f"), (out.raw, "-r"), (out.force_json, "--json"),
                            (out.exit_status, "-e")):
            if given:
                raise errors.UsageError(
                    f"{flag} applies to what is printed; -o saves the body as received"
                )
    if opts.paginate:
        from .paginate import check_options  # only with --paginate (start-up)

        check_options(method, opts)
        return
    for given, flag in ((out.slurp, "--slurp"), (opts.paginate_next is not None, "--paginate-next"),
                        (opts.paginate_param is not None, "--paginate-param"),
                        (opts.max_pages is not None, "--max-pages")):
        if given:
            raise errors.UsageError(f"{flag} needs --paginate")


def call(app: App, method: str, api: str, path: str, items: list[str], opts: CallOptions) -> int:
    if opts.silent:
        app.silent = True
    # The call's clock starts now: --max-time also bounds getting its credentials.
    with whole_call():
        return _call(app, method, api, path, items, opts)


def _call(app: App, method: str, api: str, path: str, items: list[str], opts: CallOptions) -> int:
    the_plan = plan(app, method, api, path, items, opts)
    if opts.verbose:
        app.note(credentials_note(the_plan.profile))
    counts = Counts()
    client = _client(app, the_plan, opts, counts)
    try:
        if opts.offline:
            prepared = client.prepare(the_plan.spec, the_plan.auth)
            print_request(app, prepared, the_plan.secret_names, to_stdout=True)
            return errors.OK
        if opts.curl:
            from .output.curl import export  # only for --curl (start-up)

            prepared = client.prepare(the_plan.spec, the_plan.auth)
            export(app, the_plan.spec, prepared, the_plan.auth, the_plan.profile.name)
            return errors.OK
        if opts.paginate:
            from .paginate import send_pages  # only with --paginate (start-up)

            return send_pages(app, client, the_plan, opts, _render_response)
        return _send_and_render(app, client, the_plan, opts, counts)
    except Exception as e:
        # What the client has not already worded (it wraps the head and body reads).
        raise errors.translate(
            e, timeout=the_plan.send.timeout, url=the_plan.spec.url,
            setting=the_plan.send.timeout_setting,
        ) from None
    finally:
        client.close()
        body = the_plan.spec.body
        if hasattr(body, "close"):
            body.close()


def credentials_note(profile: Profile) -> str:
    """What -v says about credentials: the profile and mode used, or plainly that none go."""
    if profile.file is None:
        return f"no credentials: {profile.endpoint} is under no profile's endpoint"
    if profile.mode == "none":
        return f"profile {profile.name}, auth none: no credentials are sent"
    return f"profile {profile.name}, auth {profile.mode}"


class Counts:
    """What -w reports about a transfer: requests retried, redirects followed."""

    def __init__(self) -> None:
        self.retries = 0
        self.redirects = 0


def _client(app: App, the_plan: Plan, opts: CallOptions, counts: Counts) -> Client:
    verbose = opts.verbose

    def on_request(prep, attempt: int) -> None:
        counts.retries += attempt > 0
        if verbose:
            print_request(app, prep, the_plan.secret_names, to_stdout=False)

    def on_response(resp) -> None:
        counts.redirects += resp.is_redirect
        if verbose:
            print_response_head(app, resp)

    return Client(
        the_plan.send,
        on_request=on_request,
        on_response=on_response,
        on_retry=lambda why, wait: app.note(f"{why}; retrying in {wait:.1f} s"),
    )


def _send_and_render(
    app: App, client: Client, the_plan: Plan, opts: CallOptions, counts: Counts
) -> int:
    started = time.monotonic()
    try:
        resp = client.send(the_plan.spec, the_plan.auth)
    except Exception:  # noqa: BLE001 - reported, then raised as it was
        if opts.write_out:
            # curl's convention: a transfer that got no response reports http_code 000.
            from .output.writeout import write_out  # only with -w (start-up)

            write_out(app, opts.write_out, None, the_plan.spec, started, counts)
        raise
    with resp:
        code = _render_response(app, resp, opts, target=the_plan.output,
                                credentials=the_plan.sends_credentials)
        if opts.write_out:
            from .output.writeout import write_out  # only with -w (start-up)

            write_out(app, opts.write_out, resp, the_plan.spec, started, counts)
        return code


def _render_response(app: App, resp, opts: CallOptions, renderer=None, target=None,
                     credentials: bool = True) -> int:
    """One response rendered (through `renderer` for a page of --paginate), then its code.
    `credentials`: whether the call sent any (a 401 or 403 to a call without is said so)."""
    success = errors.succeeded(resp.status_code)
    accepted = success or opts.ignore_status
    if not accepted:
        _read_error_body(app, resp)
        if opts.output.output_file or renderer is not None:
            # An error body never replaces the file asked for, nor joins the pages or the
            # body a script reads from stdout: a truncated copy goes to stderr.
            from .output import print_error_body  # only for a failed call (start-up)

            print_error_body(app, resp)
        else:
            # The body goes to stdout as for any response; the diagnosis to stderr.
            _render_error_body(app, resp, opts)
        _report(app, resp, credentials)
        return errors.exit_code_for_status(resp.status_code)
    if renderer is not None:
        renderer.page(resp)
        return errors.OK
    selected = render(app, resp, opts.output, target)
    if opts.output.exit_status and not selected:
        return errors.NOTHING_SELECTED
    return errors.OK


def _render_error_body(app: App, resp, opts: CallOptions) -> None:
    """An error body to stdout, through -f if it applies. One that -f cannot read (not
    JSON, or cut at the error-body limit) is shown on stderr instead: the call's outcome
    is still the HTTP status, never a filter failure."""
    try:
        render(app, resp, opts.output)
    except errors.OutputError as e:
        from .output import print_error_body  # only for a failed call (start-up)

        app.note(f"{e.message}: the error body is shown here instead")
        print_error_body(app, resp)


def _read_error_body(app: App, resp) -> None:
    # Read first, up to a limit of decoded bytes (a small compressed body can inflate to
    # gigabytes), so the hint can quote its message; a longer one is shown cut.
    if resp.request.method == "HEAD":
        return
    _, cut = read_capped(resp, ERROR_BODY_LIMIT)
    if cut:
        app.note(f"error body truncated: only its first {size_text(ERROR_BODY_LIMIT)} are shown")


def _report(app: App, resp, credentials_sent: bool = True) -> None:
    from .output.hints import for_response  # only for a failed call (start-up)

    line, hint = for_response(resp, credentials_sent)
    if 300 <= resp.status_code < 400 and resp.headers.get("Location"):
        line += f" to {resp.headers['Location']}"
        hint = hint or "restcli follows 301, 302, 303, 307 and 308 only; send the request to the new URL yourself"
    # Reason phrase, error type, request id and Location are the server's: made inert.
    app.error(inert(line), hint)
