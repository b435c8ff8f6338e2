"""The options of the request commands, declared once.

cli/app.py builds the Typer commands (help, completion, usage errors) from this table, and
cli/fast.py parses an ordinary request from it without loading Typer at all: in CI a
call's start-up is most of its cost. Importing this module does nothing but define data.
"""

from __future__ import annotations

from typing import Any

REQUEST = "Request"
OUTPUT = "Output"
CONNECTION = "Connection"
METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


class Opt:
    """One request option. `key` names the profile key it overrides for one call: its
    default, bounds and help's [default: ...] are that key's (config.COMMON, the modes)."""

    __slots__ = ("name", "flags", "kind", "metavar", "help", "panel", "multiple", "key")

    def __init__(self, name, flags, kind, help, panel, metavar=None, multiple=False, key=None):
        self.name = name
        self.flags = flags
        self.kind = kind
        self.metavar = metavar
        self.help = help
        self.panel = panel
        self.multiple = multiple
        self.key = key

    @property
    def default(self) -> Any:
        if self.multiple:
            return None
        return False if self.kind is bool else None


OPTIONS = (
    Opt("header", ("-H", "--header"), str, "'Name: value' header.", REQUEST, "'NAME: VALUE'", True),
    Opt("query", ("-q", "--query"), str, "name=value query parameter.", REQUEST, "NAME=VALUE", True),
    Opt("data", ("-d", "--data"), str, "Raw body: TEXT, @FILE or @- (stdin).", REQUEST, "DATA"),
    Opt("form", ("--form",), bool,
        "Fields as a form (urlencoded; multipart with name@FILE parts).", REQUEST),
    Opt("multipart", ("--multipart",), bool, "Fields as multipart/form-data, always.", REQUEST),
    Opt("auth", ("--auth",), str, "Auth mode for this call.", REQUEST, "MODE", key="auth"),
    Opt("aws_profile", ("--aws-profile",), str, "AWS profile for iam signing.", REQUEST, "NAME",
        key="aws_profile"),
    Opt("guest", ("--guest",), bool, "iam through an identity pool: the unauthenticated role.",
        REQUEST, key="guest"),
    Opt("offline", ("--offline",), bool, "Print the request (auth included) without sending it.",
        REQUEST),
    Opt("curl", ("--curl",), bool, "Print an equivalent curl command (secrets as shell variables).",
        REQUEST),
    Opt("verbose", ("-v", "--verbose"), bool, "Print request and response headers to stderr.",
        OUTPUT),
    Opt("output", ("-o", "--output"), str, "Write the body to FILE (streamed).", OUTPUT, "FILE"),
    Opt("headers_only", ("--headers",), bool, "Print the response headers only.", OUTPUT),
    Opt("json", ("--json",), bool, "Pretty JSON even into a pipe.", OUTPUT),
    Opt("filter", ("-f", "--filter"), str, "JMESPath expression over a JSON body.", OUTPUT, "EXPR"),
    Opt("ignore_status", ("--ignore-status",), bool, "Exit 0 whatever the HTTP status.", OUTPUT),
    Opt("raw", ("-r", "--raw"), bool,
        "Strings bare, an array one element per line, null nothing (for xargs, while read).",
        OUTPUT),
    Opt("exit_status", ("-e", "--exit-status"), bool,
        "Exit 10 when the filter (or body) selects nothing: null, [] or {}.", OUTPUT),
    Opt("write_out", ("-w", "--write-out"), str,
        "After the transfer print FORMAT: %{http_code} %{method} %{url_effective} %{time_total} "
        "%{size_download} %{content_type} %{num_redirects} %{num_retries} %header{NAME} %{json}; "
        "%{stderr} sends what follows to stderr, %{stdout} back to stdout; \\n and \\t work.", OUTPUT, "FORMAT"),
    Opt("include", ("-i", "--include"), bool, "Status line and headers, then the body, on stdout.",
        OUTPUT),
    Opt("silent", ("-s", "--silent"), bool, "No progress bar, retry notes or warnings.", OUTPUT),
    Opt("paginate", ("--paginate",), bool,
        "Follow every page: Link rel=\"next\", or the profile's (or --paginate-next) token.",
        OUTPUT),
    Opt("paginate_next", ("--paginate-next",), str,
        "JMESPath to the next-page token in a page's body.", OUTPUT, "EXPR"),
    Opt("paginate_param", ("--paginate-param",), str,
        "Query parameter that sends the token [default: the --paginate-next name].", OUTPUT,
        "NAME"),
    Opt("max_pages", ("--max-pages",), int,
        "Pages at most with --paginate (reaching the default is an error) [default: 1000].",
        OUTPUT, "N"),
    Opt("slurp", ("--slurp",), bool, "With --paginate: one JSON array of the pages.", OUTPUT),
    Opt("timeout", ("--timeout",), float, "Connect and read timeout.", CONNECTION, "SECONDS",
        key="timeout"),
    Opt("retries", ("--retries",), int, "Retries on 429/502/503/504 and connection errors.",
        CONNECTION, "N", key="retries"),
    Opt("no_retry", ("--no-retry",), bool, "Never retry (--retries 0).", CONNECTION),
    Opt("retry_unsafe", ("--retry-unsafe",), bool, "Retry POST and PATCH too.", CONNECTION),
    Opt("insecure", ("--insecure",), bool, "Skip TLS verification (warns).", CONNECTION),
    Opt("ca_bundle", ("--ca-bundle",), str, "CA certificates for TLS verification.", CONNECTION,
        "PATH", key="ca_bundle"),
    Opt("max_time", ("--max-time",), float, "Limit for the whole call, retries and redirects "
        "included (exit 7).", CONNECTION, "SECONDS", key="max_time"),
    Opt("proxy", ("--proxy",), str, "Proxy URL (instead of HTTPS_PROXY/HTTP_PROXY).", CONNECTION,
        "URL", key="proxy"),
    Opt("cert", ("--cert",), str, "Client certificate (PEM) for mutual TLS.", CONNECTION, "FILE",
        key="client_cert"),
    Opt("key", ("--key",), str, "Private key of --cert, if not in the same file.", CONNECTION,
        "FILE", key="client_key"),
)

RUN = "Run"
# `restcli run FILE...`: Typer's command and the fast parser are both built from this.
RUN_OPTIONS = (
    Opt("test", ("--test",), bool, "A line per file and a summary; no bodies.", RUN),
    Opt("profile", ("--profile",), str,
        "Define {{endpoint}} (the first) and {{NAME}} from a profile's endpoint.", RUN, "NAME", True),
    Opt("auth", ("--auth",), str, "Auth mode for every entry.", RUN, "MODE"),
    Opt("variable", ("--variable",), str, "A variable.", RUN, "NAME=VALUE", True),
    Opt("variables_file", ("--variables-file",), str, "NAME=VALUE lines.", RUN, "FILE", True),
    Opt("secret", ("--secret",), str, "A variable redacted everywhere.", RUN, "NAME=VALUE", True),
    Opt("report_junit", ("--report-junit",), str, "JUnit XML report.", RUN, "FILE"),
    Opt("report_json", ("--report-json",), str, "JSON report.", RUN, "FILE"),
    Opt("jobs", ("--jobs",), int, "Files run in parallel [default: 1].", RUN, "N"),
    Opt("continue_on_error", ("--continue-on-error",), bool, "Run every entry.", RUN),
    Opt("from_entry", ("--from-entry",), int, "First entry to run.", RUN, "N"),
    Opt("to_entry", ("--to-entry",), int, "Last entry to run.", RUN, "N"),
    Opt("location", ("-L", "--location"), bool, "Follow redirects.", RUN),
    Opt("max_redirs", ("--max-redirs",), int, "Redirects at most [default: 50].", RUN, "N"),
    Opt("insecure", ("-k", "--insecure"), bool, "Skip TLS verification.", RUN),
    Opt("retry", ("--retry",), int, "Retries of a failing entry [default: 0].", RUN, "N"),
    Opt("retry_interval", ("--retry-interval",), float, "Seconds between retries [default: 1].",
        RUN, "SECONDS"),
    Opt("max_time", ("--max-time",), float, "Seconds for each request at most.", RUN, "SECONDS"),
    Opt("verbose", ("-v", "--verbose"), bool, "Requests and responses on stderr.", RUN),
)


def call_options(values: dict[str, Any]):
    """The parsed option values (by Opt.name) as CallOptions, for either parser."""
    # The call pipeline's types, loaded once a request is certain (start-up of --help).
    from ..call import CallOptions
    from ..output import OutputOptions

    if values.get("no_retry"):
        values = {**values, "retries": 0}
    return CallOptions(
        headers=list(values.get("header") or []),
        queries=list(values.get("query") or []),
        data=values.get("data"),
        offline=bool(values.get("offline")),
        curl=bool(values.get("curl")),
        verbose=bool(values.get("verbose")),
        retry_unsafe=bool(values.get("retry_unsafe")),
        insecure=bool(values.get("insecure")),
        ignore_status=bool(values.get("ignore_status")),
        form=bool(values.get("form")),
        multipart=bool(values.get("multipart")),
        silent=bool(values.get("silent")),
        write_out=values.get("write_out"),
        paginate=bool(values.get("paginate")),
        paginate_next=values.get("paginate_next"),
        paginate_param=values.get("paginate_param"),
        max_pages=values.get("max_pages"),
        overrides=profile_overrides(values),
        flags={**{opt.key: opt.flags[-1] for opt in OPTIONS if opt.key},
               "paginate": "--paginate-next"},
        output=OutputOptions(
            # `-o -`: standard output, as curl.
            output_file=values.get("output"),
            headers_only=bool(values.get("headers_only")),
            force_json=bool(values.get("json")),
            filter_expr=values.get("filter"),
            raw=bool(values.get("raw")),
            include=bool(values.get("include")),
            slurp=bool(values.get("slurp")),
            exit_status=bool(values.get("exit_status")),
        ),
    )


def profile_overrides(values: dict[str, Any]) -> dict[str, Any]:
    """Profile keys set on the command line (None: not given; a flag left off is not given)."""
    overrides = {
        opt.key: (values.get(opt.name) or None) if opt.kind is bool else values.get(opt.name)
        for opt in OPTIONS
        if opt.key
    }
    overrides["paginate"] = _paginate_fields(values)
    return overrides


def _paginate_fields(values: dict[str, Any]) -> dict[str, str] | None:
    """--paginate-next and --paginate-param set fields of the profile's `paginate` table; a
    new expression brings its own parameter ("" unsets the profile's)."""
    expr, param = values.get("paginate_next"), values.get("paginate_param")
    if expr is None and param is None:
        return None
    fields = {"param": param or ""}
    if expr is not None:
        fields["next"] = expr
    return fields


def split_target(api: str, path: str, items: list[str]) -> tuple[str, list[str]]:
    """`restcli get https://host/items name==x`, `restcli get api q==1`: PATH may be left out.

    After a URL the second word is PATH only if it starts with "/". After a profile it is
    PATH if it starts with "/" or does not read as an item (`items/1`, `items?limit=5`).
    Anything else is an item, which must then parse: a mistyped item is never sent as a path.
    """
    if not path or path.startswith("/"):
        return path, items
    # The same test as call.target's (http.is_url), without importing it (start-up).
    if api[:8].lower().startswith(("http://", "https://")):
        return "", [path, *items]
    # The item grammar lives with the request; loaded only for a word like this (start-up).
    from ..request import reads_as_item

    if reads_as_item(path):
        return "", [path, *items]
    return path, items
