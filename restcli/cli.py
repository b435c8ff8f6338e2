"""The command line: parses arguments and delegates. No HTTP or config logic lives here."""

import inspect
from typing import Annotated, List, Optional

import typer

from . import cli_auth
from .app import App

METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
REQUEST_PANEL = "Request"
OUTPUT_PANEL = "Output"
TRANSPORT_PANEL = "Connection"

app = typer.Typer(
    name="restcli",
    help="Call protected REST APIs (API Gateway IAM, Cognito, tokens, API keys).",
    no_args_is_help=True,
    # Tracebacks with locals could print tokens; expected failures never reach them.
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    # Plain help: rich-formatted help imports markdown-it and friends, tripling --help's
    # start-up (measured in benchmarks/RESULTS.md).
    rich_markup_mode=None,
)
profiles_app = typer.Typer(help="List, inspect and edit profiles.", no_args_is_help=True)
config_app = typer.Typer(help="Locate and check the profiles file.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")
app.add_typer(config_app, name="config")
app.add_typer(cli_auth.auth_app, name="auth")
app.command("login")(cli_auth.login)
app.command("logout")(cli_auth.logout)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"restcli {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    config: Annotated[
        Optional[str],
        typer.Option(
            "--config",
            metavar="PATH",
            help="Profiles file (default: $RESTCLI_CONFIG, then the user config dir).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    # main() made the application object; a test runner invoking the app directly may not.
    if not isinstance(ctx.obj, App):
        ctx.obj = App()
    ctx.obj.config_option = config


def complete_profile(ctx: typer.Context, incomplete: str) -> List[str]:
    """Profile names for shell completion: a bare TOML read, no validation, no HTTP stack."""
    import tomllib

    from .config import find_path

    root = ctx.find_root()
    try:
        with open(find_path(root.params.get("config")), "rb") as f:
            names = tomllib.load(f).get("profiles", {})
    except (OSError, ValueError):
        return []
    return [n for n in names if isinstance(n, str) and n.startswith(incomplete)]


def request(
    ctx: typer.Context,
    method: Annotated[str, typer.Argument(metavar="METHOD", help="HTTP method.", show_default=False)],
    api: Annotated[
        str,
        typer.Argument(
            metavar="API",
            help="Profile name, or an absolute URL.",
            autocompletion=complete_profile,
            show_default=False,
        ),
    ],
    path: Annotated[
        str,
        typer.Argument(metavar="[PATH]", help="Path below the profile's endpoint, e.g. /items/1."),
    ] = "",
    items: Annotated[
        Optional[List[str]],
        typer.Argument(
            metavar="[ITEM]...",
            help="Header:value  Header:(remove)  name==query  name=string  name:=json",
            show_default=False,
        ),
    ] = None,
    header: Annotated[
        Optional[List[str]],
        typer.Option("-H", "--header", metavar="'NAME: VALUE'", help="'Name: value' header.", rich_help_panel=REQUEST_PANEL),
    ] = None,
    query: Annotated[
        Optional[List[str]],
        typer.Option("-q", "--query", metavar="NAME=VALUE", help="name=value query parameter.", rich_help_panel=REQUEST_PANEL),
    ] = None,
    data: Annotated[
        Optional[str],
        typer.Option(
            "-d", "--data", metavar="DATA", help="Raw body: TEXT, @FILE or @- (stdin).", rich_help_panel=REQUEST_PANEL
        ),
    ] = None,
    auth: Annotated[
        Optional[str],
        typer.Option(
            "--auth",
            metavar="MODE",
            help="Auth mode for this call: iam, cognito, token, api_key or none.",
            rich_help_panel=REQUEST_PANEL,
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Print the request (auth included) without sending it.", rich_help_panel=REQUEST_PANEL),
    ] = False,
    curl: Annotated[
        bool,
        typer.Option("--curl", help="Print an equivalent curl command (secrets as shell variables).", rich_help_panel=REQUEST_PANEL),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option("-v", "--verbose", help="Print request and response headers to stderr.", rich_help_panel=OUTPUT_PANEL),
    ] = False,
    output: Annotated[
        Optional[str],
        typer.Option("-o", "--output", metavar="FILE", help="Write the body to FILE (streamed).", rich_help_panel=OUTPUT_PANEL),
    ] = None,
    headers_only: Annotated[
        bool, typer.Option("--headers", help="Print the response headers only.", rich_help_panel=OUTPUT_PANEL)
    ] = False,
    json_: Annotated[
        bool, typer.Option("--json", help="Pretty JSON even into a pipe.", rich_help_panel=OUTPUT_PANEL)
    ] = False,
    filter_: Annotated[
        Optional[str],
        typer.Option("-f", "--filter", metavar="EXPR", help="JMESPath expression over a JSON body.", rich_help_panel=OUTPUT_PANEL),
    ] = None,
    ignore_status: Annotated[
        bool, typer.Option("--ignore-status", help="Exit 0 whatever the HTTP status.", rich_help_panel=OUTPUT_PANEL)
    ] = False,
    aws_profile: Annotated[
        Optional[str],
        typer.Option("--aws-profile", metavar="NAME", help="AWS profile for iam signing.", rich_help_panel=REQUEST_PANEL),
    ] = None,
    guest: Annotated[
        bool,
        typer.Option("--guest", help="iam through an identity pool: the unauthenticated role.", rich_help_panel=REQUEST_PANEL),
    ] = False,
    timeout: Annotated[
        Optional[float],
        typer.Option("--timeout", metavar="SECONDS", help="Connect and read timeout [default: 30].", rich_help_panel=TRANSPORT_PANEL),
    ] = None,
    retries: Annotated[
        Optional[int],
        typer.Option("--retries", metavar="N", min=0, max=10, help="Retries on 429/502/503/504 and connection errors [default: 2].", rich_help_panel=TRANSPORT_PANEL),
    ] = None,
    no_retry: Annotated[
        bool, typer.Option("--no-retry", help="Never retry.", rich_help_panel=TRANSPORT_PANEL)
    ] = False,
    retry_unsafe: Annotated[
        bool, typer.Option("--retry-unsafe", help="Retry POST and PATCH too.", rich_help_panel=TRANSPORT_PANEL)
    ] = False,
    insecure: Annotated[
        bool, typer.Option("--insecure", help="Skip TLS verification (warns).", rich_help_panel=TRANSPORT_PANEL)
    ] = False,
    ca_bundle: Annotated[
        Optional[str],
        typer.Option("--ca-bundle", metavar="PATH", help="CA certificates for TLS verification.", rich_help_panel=TRANSPORT_PANEL),
    ] = None,
) -> None:
    """Send a request with any METHOD."""
    from .call import CallOptions, call
    from .output import OutputOptions

    items = list(items or [])
    if not path.startswith("/") and _looks_like_item(path) and api.startswith(("http:", "https:")):
        # `restcli get https://host/items name==x`: the URL holds the path.
        items.insert(0, path)
        path = ""
    options = CallOptions(
        auth=auth,
        headers=header or [],
        queries=query or [],
        data=data,
        offline=offline,
        curl=curl,
        verbose=verbose,
        timeout=timeout,
        retries=0 if no_retry else retries,
        retry_unsafe=retry_unsafe,
        insecure=insecure,
        ca_bundle=ca_bundle,
        ignore_status=ignore_status,
        overrides={
            k: v
            for k, v in {"aws_profile": aws_profile, "guest": guest or None}.items()
            if v is not None
        },
        output=OutputOptions(
            output_file=output, headers_only=headers_only, force_json=json_, filter_expr=filter_
        ),
    )
    raise typer.Exit(call(ctx.obj, method.upper(), api, path, items, options))


def _looks_like_item(arg: str) -> bool:
    from .request import parse_item
    from .errors import UsageError

    try:
        parse_item(arg)
    except UsageError:
        return False
    return True


def _method_command(method: str):
    def command(ctx: typer.Context, **kwargs) -> None:
        request(ctx, method=method, **kwargs)

    sig = inspect.signature(request)
    command.__signature__ = sig.replace(
        parameters=[p for p in sig.parameters.values() if p.name != "method"]
    )
    command.__annotations__ = {k: v for k, v in request.__annotations__.items() if k != "method"}
    command.__doc__ = f"Send a {method.upper()} request to API (a profile or URL) + PATH."
    return command


for _m in METHODS:
    app.command(_m, rich_help_panel="Requests")(_method_command(_m))
app.command("request", rich_help_panel="Requests")(request)


@profiles_app.command("list")
def profiles_list(ctx: typer.Context) -> None:
    """Name, endpoint and auth mode of every profile."""
    from .profiles_view import list_profiles

    list_profiles(ctx.obj)


@profiles_app.command("show")
def profiles_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(autocompletion=complete_profile, show_default=False)],
) -> None:
    """Effective settings of a profile, where each came from; secrets redacted."""
    from .profiles_view import show_profile

    show_profile(ctx.obj, name)


@config_app.command("path")
def config_path(ctx: typer.Context) -> None:
    """Print the path of the profiles file in use."""
    typer.echo(str(ctx.obj.config_path))


@config_app.command("check")
def config_check(ctx: typer.Context) -> None:
    """Validate the profiles file; exit 8 when it is invalid."""
    from .profiles_view import check

    check(ctx.obj)


LiteralOption = Annotated[
    bool, typer.Option("--literal", help="Allow a literal secret (prefer env:, file:, command:).")
]


@profiles_app.command("add")
def profiles_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", show_default=False)],
    endpoint: Annotated[str, typer.Option("--endpoint", metavar="URL", help="Base URL, stage included.")],
    auth: Annotated[Optional[str], typer.Option("--auth", metavar="MODE", help="Auth mode.")] = None,
    set_: Annotated[
        Optional[List[str]], typer.Option("--set", metavar="KEY=VALUE", help="Any other key.")
    ] = None,
    literal: LiteralOption = False,
) -> None:
    """Add a profile."""
    from .profiles_edit import add

    add(ctx.obj, name, endpoint, auth, set_ or [], literal)


@profiles_app.command("set")
def profiles_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", autocompletion=complete_profile, show_default=False)],
    key: Annotated[str, typer.Argument(metavar="KEY", help="A key, or headers.NAME.", show_default=False)],
    value: Annotated[str, typer.Argument(metavar="VALUE", show_default=False)],
    literal: LiteralOption = False,
) -> None:
    """Set one key of a profile."""
    from .profiles_edit import set_key

    set_key(ctx.obj, name, key, value, literal)


@profiles_app.command("unset")
def profiles_unset(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", autocompletion=complete_profile, show_default=False)],
    key: Annotated[str, typer.Argument(metavar="KEY", show_default=False)],
) -> None:
    """Remove one key from a profile."""
    from .profiles_edit import unset_key

    unset_key(ctx.obj, name, key)


@profiles_app.command("remove")
def profiles_remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", autocompletion=complete_profile, show_default=False)],
) -> None:
    """Remove a profile."""
    from .profiles_edit import remove

    remove(ctx.obj, name)


@profiles_app.command("rename")
def profiles_rename(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(metavar="OLD", autocompletion=complete_profile, show_default=False)],
    new: Annotated[str, typer.Argument(metavar="NEW", show_default=False)],
) -> None:
    """Rename a profile."""
    from .profiles_edit import rename

    rename(ctx.obj, old, new)


@app.command("import")
def import_amplify(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="amplify_outputs.json, amplifyconfiguration.json or aws-exports.js.",
            show_default=False,
        ),
    ],
    custom_key: Annotated[
        str, typer.Option("--custom-key", metavar="KEY", help="Key under custom that lists the REST APIs (Gen 2).")
    ] = "API",
    prefix: Annotated[str, typer.Option("--prefix", help="Prefix for the profile names.")] = "",
    force: Annotated[bool, typer.Option("--force", help="Replace existing profiles.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
) -> None:
    """Profiles for every REST API of an Amplify app's config file."""
    from pathlib import Path

    from .amplify_import import run

    run(ctx.obj, Path(file).expanduser(), custom_key, prefix, force, dry_run)
