"""The options of the request commands, declared once.

cli.py builds the Typer commands (help, completion, usage errors) from this table, and
fast_argv.py parses an ordinary request from it without loading Typer at all: in CI a
call's start-up is most of its cost. Importing this module does nothing but define data.
"""

from __future__ import annotations

from typing import Any

REQUEST = "Request"
OUTPUT = "Output"
CONNECTION = "Connection"
METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


class Opt:
    __slots__ = ("name", "flags", "kind", "metavar", "help", "panel", "multiple", "bounds")

    def __init__(self, name, flags, kind, help, panel, metavar=None, multiple=False, bounds=None):
        self.name = name
        self.flags = flags
        self.kind = kind
        self.metavar = metavar
        self.help = help
        self.panel = panel
        self.multiple = multiple
        self.bounds = bounds

    @property
    def default(self) -> Any:
        if self.multiple:
            return None
        return False if self.kind is bool else None


OPTIONS = (
    Opt("header", ("-H", "--header"), str, "'Name: value' header.", REQUEST, "'NAME: VALUE'", True),
    Opt("query", ("-q", "--query"), str, "name=value query parameter.", REQUEST, "NAME=VALUE", True),
    Opt("data", ("-d", "--data"), str, "Raw body: TEXT, @FILE or @- (stdin).", REQUEST, "DATA"),
    Opt("auth", ("--auth",), str, "Auth mode for this call: iam, cognito, token, api_key or none.",
        REQUEST, "MODE"),
    Opt("aws_profile", ("--aws-profile",), str, "AWS profile for iam signing.", REQUEST, "NAME"),
    Opt("guest", ("--guest",), bool, "iam through an identity pool: the unauthenticated role.",
        REQUEST),
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
    Opt("timeout", ("--timeout",), float, "Connect and read timeout [default: 30].", CONNECTION,
        "SECONDS"),
    Opt("retries", ("--retries",), int,
        "Retries on 429/502/503/504 and connection errors [default: 2].", CONNECTION, "N",
        bounds=(0, 10)),
    Opt("no_retry", ("--no-retry",), bool, "Never retry.", CONNECTION),
    Opt("retry_unsafe", ("--retry-unsafe",), bool, "Retry POST and PATCH too.", CONNECTION),
    Opt("insecure", ("--insecure",), bool, "Skip TLS verification (warns).", CONNECTION),
    Opt("ca_bundle", ("--ca-bundle",), str, "CA certificates for TLS verification.", CONNECTION,
        "PATH"),
)


def call_options(values: dict[str, Any]):
    """The parsed option values (by Opt.name) as CallOptions, for either parser."""
    from ..call import CallOptions
    from ..output import OutputOptions

    return CallOptions(
        auth=values.get("auth"),
        headers=list(values.get("header") or []),
        queries=list(values.get("query") or []),
        data=values.get("data"),
        offline=bool(values.get("offline")),
        curl=bool(values.get("curl")),
        verbose=bool(values.get("verbose")),
        timeout=values.get("timeout"),
        retries=0 if values.get("no_retry") else values.get("retries"),
        retry_unsafe=bool(values.get("retry_unsafe")),
        insecure=bool(values.get("insecure")),
        ca_bundle=values.get("ca_bundle"),
        ignore_status=bool(values.get("ignore_status")),
        overrides=profile_overrides(values.get("aws_profile"), values.get("guest")),
        output=OutputOptions(
            output_file=values.get("output"),
            headers_only=bool(values.get("headers_only")),
            force_json=bool(values.get("json")),
            filter_expr=values.get("filter"),
        ),
    )


def profile_overrides(aws_profile: str | None, guest: bool | None) -> dict[str, Any]:
    """Options that set a profile key for one call, as those keys."""
    overrides = {"aws_profile": aws_profile, "guest": guest or None}
    return {k: v for k, v in overrides.items() if v is not None}


def split_target(api: str, path: str, items: list[str]) -> tuple[str, list[str]]:
    """`restcli get https://host/items name==x`: with a URL, PATH may be left out."""
    if path and not path.startswith("/") and api.startswith(("http:", "https:")):
        from ..errors import UsageError
        from ..request import parse_item

        try:
            parse_item(path)
        except UsageError:
            return path, items
        return "", [path, *items]
    return path, items
