"""--paginate: every page of a list, each sent through the whole pipeline again.

The next page comes from a `Link: <...>; rel="next"` header (RFC 8288), or from a token in
the body: a JMESPath expression (`paginate.next` in the profile, `--paginate-next`) whose
value is sent in a query parameter (`paginate.param`, `--paginate-param`). Either goes
with the URL the page came from (after any redirect) and must stay on the endpoint's
origin. Each page is prepared and authenticated afresh (a SigV4 signature covers time and
query; a Cognito token the API refuses with 401 is renewed and the page sent again). One
page is held in memory at a time. The built-in page bound cutting a list short is an
error; --max-pages N stopping there is what was asked.

Imported only with --paginate (start-up).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote_plus, urldefrag, urljoin, urlsplit, urlunsplit

from . import errors
from .errors import OutputError, UsageError
from .http import origin
from .output import Renderer, inert, parse_json, print_response_head, read_body

if TYPE_CHECKING:
    from .app import App

DEFAULT_MAX_PAGES = 1000
MAX_PAGES_LIMIT = 1_000_000
# A link's parameters may hold quoted strings with "," or ";" in them (title="a, b").
_LINK = re.compile(r'<([^>]*)>((?:\s*;\s*(?:[^;,"]|"(?:[^"\\]|\\.)*")*)*)')
_PARAM = re.compile(r';\s*([^\s=;,]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;,]*))?')


class PaginationError(OutputError):
    """The API's pages cannot be followed (a loop, another origin, a bad token)."""


def next_link(link_header: str | None) -> str | None:
    """The target of the first link whose rel includes "next" (RFC 8288)."""
    if not link_header:
        return None
    for m in _LINK.finditer(link_header):
        for name, value in _PARAM.findall(m.group(2)):
            if name.lower() != "rel":
                continue
            value = value.strip()
            if value.startswith('"') and value.endswith('"') and len(value) >= 2:
                value = value[1:-1]
            if "next" in value.lower().split():
                return m.group(1).strip()
    return None


def with_query(url: str, name: str, value: str) -> str:
    """URL with the query parameter NAME set to VALUE (others kept as they were)."""
    parts = urlsplit(url)
    kept = [p for p in parts.query.split("&") if p and unquote_plus(p.split("=", 1)[0]) != name]
    kept.append(f"{quote(name, safe='')}={quote(value, safe='-._~')}")
    return urlunsplit(parts._replace(query="&".join(kept)))


class Pager:
    def __init__(self, first_url: str, token_expr: str | None, token_param: str | None,
                 where: str):
        self.origin = origin(first_url)
        self.seen = {first_url}
        self.token = None
        self.param = token_param
        self.where = where
        if token_expr:
            # jmespath only for token paging (start-up)
            from .output.filters import compile_expr

            self.token = compile_expr(token_expr, where)

    def next_url(self, resp: Any, body: bytes) -> str | None:
        """The next page's URL, or None on the last page. Both a relative link and a token
        go with the URL the page came from (after any redirect), and only to the endpoint's
        origin: a page redirected elsewhere cannot lead the walk, with credentials, there."""
        url = resp.url
        link = next_link(resp.headers.get("Link"))
        if link is not None:
            target = _resolve(url, link)
        elif self.token is not None:
            # jmespath only for token paging (start-up)
            from .output.filters import search

            value = search(self.token, parse_json(body, resp, "--paginate"), self.where)
            if value is None or value == "":
                return None
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise PaginationError(
                    f"{self.where} selects a {type(value).__name__}, not a token string"
                )
            target = with_query(url, self.param, str(value))
        else:
            return None
        if urlsplit(target).scheme not in ("http", "https") or _origin(target) != self.origin:
            raise PaginationError(
                f"the next page is on another origin ({_shown(target)}); not followed",
                hint="restcli pages only within the endpoint's scheme, host and port",
            )
        if target in self.seen:
            raise PaginationError(
                f"pagination loop: the API sent {_shown(target)} as the next page again",
            )
        self.seen.add(target)
        return target


def _resolve(url: str, link: str) -> str:
    """A Link target against the page's URL. The fragment is never sent: two links that
    differ only there are one page. A target that is no URL (a bad IPv6 literal or port)
    ends the walk with one line."""
    try:
        target = urldefrag(urljoin(url, link))[0]
        urlsplit(target).port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise PaginationError(f"the API's next link is not a valid URL: {_shown(link)}") from None
    return target


def _origin(target: str) -> tuple:
    try:
        return origin(target)
    except ValueError:
        raise PaginationError(f"the next page's URL is not valid: {_shown(target)}") from None


def _shown(url: str) -> str:
    return inert(url)


def check_options(method: str, opts: Any) -> None:
    """Before anything is resolved or sent: --paginate with options it cannot honour is a
    usage error, never an option silently ignored."""
    if method.upper() != "GET":
        raise UsageError("--paginate follows GET requests only")
    out = opts.output
    to_file = out.output_file not in (None, "-")  # `-o -` is stdout, where pages go
    for given, flag in ((to_file, "-o"), (out.headers_only, "--headers"), (opts.write_out, "-w")):
        if given:
            raise UsageError(f"--paginate does not take {flag}; pages go to stdout (> FILE)")
    if out.include and (out.filter_expr or out.slurp):
        # Each page's head would land inside the one JSON array they make.
        flag = "-f" if out.filter_expr else "--slurp"
        raise UsageError(f"--paginate -i prints each page's head before its body; {flag} "
                         "makes the pages one JSON array: drop -i or " + flag)
    if opts.max_pages is not None and not 1 <= opts.max_pages <= MAX_PAGES_LIMIT:
        raise UsageError(f"--max-pages must be from 1 to {MAX_PAGES_LIMIT}")


def pager_for(the_plan: Any, opts: Any) -> Pager:
    """The pager a call asks for (its options checked by check_options already), from the
    profile's paginate table and the options typed over it."""
    # Decided with the other settings (settings.decide): the profile's table, with the
    # fields --paginate-next and --paginate-param typed over it.
    configured = the_plan.profile.get("paginate") or {}
    expr, param = configured.get("next"), configured.get("param")
    where = "--paginate-next" if opts.paginate_next else "profile key paginate.next"
    if opts.paginate_param and not expr:
        raise UsageError("--paginate-param needs --paginate-next (or the profile's paginate)")
    if expr and not param:
        if not expr.isidentifier():
            raise UsageError(
                f"{where} {expr!r} is not a plain name: say which query parameter sends it",
                hint="add --paginate-param NAME",
            )
        param = expr
    return Pager(the_plan.spec.url, expr, param, where)


def send_pages(app: App, client: Any, the_plan: Any, opts: Any,
               render_response: Callable[..., int]) -> int:
    pager = the_plan.pager  # decided and checked by call.plan()
    renderer = Renderer(app, opts.output, paginated=True)
    url = the_plan.spec.url
    pages = 0
    try:
        while True:
            # The client works on its own copy (a redirect strips it, not the plan).
            resp = client.send(the_plan.spec.replace(url=url), the_plan.auth)
            pages += 1
            with resp:
                if not (errors.succeeded(resp.status_code) or opts.ignore_status):
                    return render_response(app, resp, opts, renderer,
                                           credentials=the_plan.sends_credentials)
                if opts.output.include:
                    print_response_head(app, resp, to_stdout=True)
                body = read_body(resp, "--paginate")
                renderer.page(resp, body)
                following = pager.next_url(resp, body)
            if following is None:
                break
            if pages >= (opts.max_pages or DEFAULT_MAX_PAGES):
                _stop_at_limit(app, pages, opts.max_pages)
                break
            url = following
    finally:
        renderer.close()
    if opts.output.exit_status and not renderer.selected:
        return errors.NOTHING_SELECTED
    return errors.OK


def _stop_at_limit(app: App, pages: int, asked: int | None) -> None:
    """--max-pages N typed: stopping there is what was asked (a note, silenced by -s). The
    built-in bound stops a runaway API; a list it cuts short is an error, so a script
    never takes part of a list for all of it."""
    if asked is not None:
        app.note(f"stopped after {pages} pages as --max-pages asked; more remain")
        return
    raise PaginationError(
        f"stopped after {pages} pages (the default --max-pages); more remain",
        hint=f"--max-pages N reads up to N pages ({MAX_PAGES_LIMIT} at most); the output "
        "holds the pages read so far",
    )
