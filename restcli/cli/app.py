"""The command line: parses arguments and delegates. No HTTP or config logic lives here."""

import inspect
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from .. import __version__
from ..app import App
from ..config import all_params
from ..errors import EXIT_CODES
from . import auth as cli_auth
from .args import ProfileName, complete_profile
from .options import METHODS, OPTIONS, RUN_OPTIONS, call_options, split_target

app = typer.Typer(
    name="restcli",
    help="Call protected REST APIs (API Gateway IAM, Cognito, tokens, API keys).",
    epilog=(
        "\b\nExamples:\n"
        "  restcli get keyed /items -f 'items[].id' -r | xargs -n1 echo\n"
        "  restcli get keyed /items --paginate -f 'items[]' > items.json\n"
        "  restcli get keyed /items/42 -o item.json -w '%{http_code}\\n'\n\n"
        "\b\nExit codes:\n"
        + "\n".join(f"  {code:<6} {meaning}" for code, meaning in EXIT_CODES)
    ),
    # `restcli` alone prints this help and exits 0 (the callback does it).
    invoke_without_command=True,
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


def _version(ctx: typer.Context, value: bool) -> None:
    if value:
        (ctx.obj if isinstance(ctx.obj, App) else App()).out.line(f"restcli {__version__}")
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
    if ctx.invoked_subcommand is None:
        ctx.obj.out.line(ctx.get_help())
        raise typer.Exit(0)


def _request(ctx: typer.Context, method: str, api: str, path: str, items, **values) -> None:
    """Send a request with any METHOD."""
    from ..call import call  # the call pipeline only for a request (start-up)

    path, items = split_target(api, path, list(items or []))
    raise typer.Exit(call(ctx.obj, method.upper(), api, path, items, call_options(values)))


def _request_parameters(with_method: bool) -> list[inspect.Parameter]:
    """Typer parameters from the shared option table (cli/options.py)."""
    P = inspect.Parameter
    params = [P("ctx", P.POSITIONAL_OR_KEYWORD, annotation=typer.Context)]
    if with_method:
        arg = typer.Argument(metavar="METHOD", help="HTTP method.", show_default=False)
        params.append(P("method", P.POSITIONAL_OR_KEYWORD, annotation=Annotated[str, arg]))
    arguments = (
        ("api", str, ...,
         typer.Argument(metavar="API", help="Profile name, or an absolute URL.",
                        autocompletion=complete_profile, show_default=False)),
        ("path", str, "",
         typer.Argument(metavar="[PATH]", help="Path below the profile's endpoint, e.g. /items/1.")),
        ("items", Optional[List[str]], None,
         typer.Argument(metavar="[ITEM]...", show_default=False,
                        help="Header:value (Header: removes it, Header; sends it empty); name==query;"
                              " name=string and name:=json fields (o[k]=v nests); field=@file,"
                              " field:=@file.json, Header:@file; name@file with --form")),
    )
    for name, kind, default, info in arguments:
        params.append(P(name, P.POSITIONAL_OR_KEYWORD, default=P.empty if default is ... else default,
                        annotation=Annotated[kind, info]))
    params += [_option_parameter(opt) for opt in OPTIONS]
    return params


def _option_parameter(opt) -> inspect.Parameter:
    """A Typer option from an entry of an option table (cli/options.py)."""
    kind = Optional[List[opt.kind]] if opt.multiple else (opt.kind if opt.kind is bool else Optional[opt.kind])
    info = typer.Option(*opt.flags, metavar=opt.metavar, help=_help(opt), rich_help_panel=opt.panel)
    return inspect.Parameter(opt.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=opt.default,
                             annotation=Annotated[kind, info])


def _help(opt) -> str:
    """An option's help, with the choices and default of the profile key it overrides."""
    if not opt.key:
        return opt.help
    param = all_params()[opt.key]
    text = opt.help
    if param.choices:
        text += " One of: " + ", ".join(param.choices) + "."
    if param.default not in (None, False, ""):
        # The option overrides the profile: the built-in default applies only when neither
        # the profile nor [defaults] sets the key.
        shown = f"{param.default:g}" if isinstance(param.default, float) else f"{param.default}"
        text += f" [default: the profile's {opt.key}, else {shown}]"
    return text


_PARAMETERS: dict = {}


def _request_command(method: Optional[str]):
    def command(ctx: typer.Context, **kwargs) -> None:
        _request(ctx, method or kwargs.pop("method"), **kwargs)

    # One parameter list shared by the seven method commands (typer copies what it uses).
    with_method = method is None
    if with_method not in _PARAMETERS:
        _PARAMETERS[with_method] = _request_parameters(with_method)
    params = _PARAMETERS[with_method]
    command.__signature__ = inspect.Signature(params)
    command.__annotations__ = {p.name: p.annotation for p in params}
    article = "an" if method and method[0] in "aeiou" else "a"
    command.__doc__ = (
        f"Send {article} {method.upper()} request to API (a profile or URL) + PATH."
        if method
        else "Send a request with any METHOD."
    )
    return command


for _m in METHODS:
    app.command(_m, rich_help_panel="Requests")(_request_command(_m))
app.command("request", rich_help_panel="Requests")(_request_command(None))


JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]


@profiles_app.command("list")
def profiles_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Name, endpoint and auth mode of every profile."""
    from ..commands.profiles_view import list_profiles  # loaded when it runs (start-up)

    list_profiles(ctx.obj, as_json)


@profiles_app.command("show")
def profiles_show(
    ctx: typer.Context,
    name: ProfileName,
    as_json: JsonOption = False,
) -> None:
    """Effective settings of a profile, where each came from; secrets redacted."""
    from ..commands.profiles_view import show_profile  # loaded when it runs (start-up)

    show_profile(ctx.obj, name, as_json)


@config_app.command("path")
def config_path(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Print the path of the profiles file in use."""
    from ..commands.profiles_view import path  # loaded when it runs (start-up)

    path(ctx.obj, as_json)


@config_app.command("check")
def config_check(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Validate the profiles file; exit 8 when it is invalid."""
    from ..commands.profiles_view import check  # loaded when it runs (start-up)

    check(ctx.obj, as_json)


@config_app.command("init")
def config_init(
    ctx: typer.Context,
    print_: Annotated[
        bool, typer.Option("--print", help="Print a starter profiles file; write nothing.")
    ] = False,
) -> None:
    """Ask for a profile name, endpoint and auth mode, and write a first profile."""
    from ..commands.config_init import init  # loaded when it runs (start-up)

    init(ctx.obj, print_)


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
    from ..commands.profiles_edit import add  # loaded when it runs (start-up)

    add(ctx.obj, name, endpoint, auth, set_ or [], literal)


@profiles_app.command("set")
def profiles_set(
    ctx: typer.Context,
    name: ProfileName,
    key: Annotated[str, typer.Argument(metavar="KEY", help="A key, or headers.NAME.", show_default=False)],
    value: Annotated[str, typer.Argument(metavar="VALUE", show_default=False)],
    literal: LiteralOption = False,
) -> None:
    """Set one key of a profile."""
    from ..commands.profiles_edit import set_key  # loaded when it runs (start-up)

    set_key(ctx.obj, name, key, value, literal)


@profiles_app.command("unset")
def profiles_unset(
    ctx: typer.Context,
    name: ProfileName,
    key: Annotated[str, typer.Argument(metavar="KEY", show_default=False)],
) -> None:
    """Remove one key from a profile."""
    from ..commands.profiles_edit import unset_key  # loaded when it runs (start-up)

    unset_key(ctx.obj, name, key)


@profiles_app.command("remove")
def profiles_remove(
    ctx: typer.Context,
    name: ProfileName,
) -> None:
    """Remove a profile."""
    from ..commands.profiles_edit import remove  # loaded when it runs (start-up)

    remove(ctx.obj, name)


@profiles_app.command("rename")
def profiles_rename(
    ctx: typer.Context,
    old: ProfileName,
    new: Annotated[str, typer.Argument(metavar="NEW", show_default=False)],
) -> None:
    """Rename a profile."""
    from ..commands.profiles_edit import rename  # loaded when it runs (start-up)

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
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as one JSON document.")] = False,
) -> None:
    """Profiles for every REST API of an Amplify app's config file."""
    from ..commands.import_amplify import run  # loaded when it runs (start-up)

    run(ctx.obj, Path(file).expanduser(), custom_key, prefix, force, dry_run, as_json)


@app.command("env")
def env_command(
    ctx: typer.Context,
    name: ProfileName,
    auth: Annotated[Optional[str], typer.Option("--auth", metavar="MODE", help="Auth mode to resolve.")] = None,
    aws_profile: Annotated[Optional[str], typer.Option("--aws-profile", metavar="NAME", help="AWS profile.")] = None,
    guest: Annotated[bool, typer.Option("--guest", help="Identity pool: the unauthenticated role.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The variables as one JSON object.")] = False,
) -> None:
    """Print `export` lines for the credentials PROFILE resolves to (AWS_* for iam)."""
    from ..commands.env import export  # loaded when it runs (start-up)

    export(ctx.obj, name, {"auth": auth, "aws_profile": aws_profile, "guest": guest or None}, as_json)


def _run_command():
    def command(ctx: typer.Context, files: List[str], **values) -> None:
        """Run Hurl files: captures, asserts, and each URL's profile auth."""
        # The runner is loaded for `run` only (start-up of every other command).
        from ..commands.run import run_from_values

        raise typer.Exit(run_from_values(ctx.obj, files, values))

    P = inspect.Parameter
    arg = typer.Argument(metavar="FILE...", help="Hurl files.", show_default=False)
    params = [P("ctx", P.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
              P("files", P.POSITIONAL_OR_KEYWORD, annotation=Annotated[List[str], arg])]
    params += [_option_parameter(opt) for opt in RUN_OPTIONS]
    command.__signature__ = inspect.Signature(params)
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command


app.command("run")(_run_command())


# Two or three real examples at the end of every command's --help.
EXAMPLES = {
    "get": ["restcli get myApi /items limit==10",
            "restcli get keyed /items -f 'items[].id' -r | xargs -n1 echo",
            "restcli get https://api.example.com/v1/items -w '%{http_code}\\n'"],
    "post": ["restcli post keyed /items name=widget count:=3",
             "restcli post myApi /upload -d @photo.jpg Content-Type:image/jpeg"],
    "put": ["restcli put keyed /items/42 name=widget tags:='[\"a\", \"b\"]'",
            "restcli put myApi /items/42 -d @item.json"],
    "patch": ["restcli patch keyed /items/42 count:=4",
              "restcli patch myApi /items/42 -d '{\"count\": 4}' Content-Type:application/json"],
    "delete": ["restcli delete keyed /items/42",
               "restcli delete myApi /items/42 --offline"],
    "head": ["restcli head keyed /items/42",
             "restcli head myApi /files/big.bin -w '%header{content-length}\\n'"],
    "options": ["restcli options myApi /items --auth none -i",
                "restcli options myApi /items Origin:https://app.example.com -v"],
    "request": ["restcli request PURGE myApi /cache/items",
                "restcli request GET keyed /items --curl"],
    "import": ["restcli import amplify_outputs.json --dry-run",
               "restcli import src/aws-exports.js --prefix shop-",
               "restcli import amplify_outputs.json --dry-run --json | jq -r '.profiles[].name'"],
    "env": ["eval \"$(restcli env myApi)\" && aws sts get-caller-identity",
            "restcli env myApi --aws-profile dev",
            "restcli env myApi --json | jq -r .AWS_SESSION_TOKEN"],
    "run": ["restcli run --test smoke.hurl --profile shop",
            "restcli run --test tests/*.hurl --jobs 4 --report-junit junit.xml",
            "restcli run export.hurl --profile shop --secret pw=\"$PW\" > last-body.json"],
    "login": ["restcli login shop",
              "printf '%s\\n' \"$PW\" | restcli login shop --username ci-user --password-stdin"],
    "logout": ["restcli logout shop", "restcli logout shop --everywhere"],
    "profiles list": ["restcli profiles list", "restcli profiles list | cut -f1",
                      "restcli profiles list --json | jq -r '.[] | select(.auth == \"iam\") | .name'"],
    "profiles show": ["restcli profiles show myApi", "restcli --config ./ci.toml profiles show keyed",
                      "restcli profiles show myApi --json | jq -r .settings.region.value"],
    "profiles add": ["restcli profiles add items --endpoint https://abc.execute-api.eu-west-1"
                     ".amazonaws.com/prod --auth api_key --set api_key=env:ITEMS_KEY",
                     "restcli profiles add open --endpoint http://127.0.0.1:8080/open --auth none"],
    "profiles set": ["restcli profiles set items timeout 10",
                     "restcli profiles set items headers.X-Team env:TEAM"],
    "profiles unset": ["restcli profiles unset items timeout",
                       "restcli profiles unset items headers.X-Team"],
    "profiles remove": ["restcli profiles remove items", "restcli profiles remove old-api"],
    "profiles rename": ["restcli profiles rename items items-prod",
                        "restcli profiles rename dev staging"],
    "config path": ["restcli config path", "$EDITOR \"$(restcli config path)\"",
                    "restcli config path --json"],
    "config check": ["restcli config check", "restcli --config ./ci.toml config check",
                     "restcli config check --json | jq -r '.problems[]'"],
    "config init": ["restcli config init",
                    "restcli config init --print > ci.toml && restcli --config ci.toml config check"],
    "auth status": ["restcli auth status shop", "restcli auth status myApi",
                    "restcli auth status shop --json | jq -r .expires"],
    "auth token": ["restcli auth token shop",
                   "curl -H \"Authorization: $(restcli auth token shop)\" https://api.example.com/me"],
}


def _with_examples(group: typer.Typer, prefix: str = "") -> None:
    for info in group.registered_commands:
        name = prefix + (info.name or info.callback.__name__)
        if name in EXAMPLES and not info.epilog:
            # "\b" keeps click from rewrapping the example lines.
            info.epilog = "\b\nExamples:\n" + "\n".join(f"  {e}" for e in EXAMPLES[name])
    for sub in group.registered_groups:
        _with_examples(sub.typer_instance, f"{prefix}{sub.name} ")


_with_examples(app)

_typer_metavar = typer.core.TyperArgument.make_metavar


def _plain_metavar(self, ctx, *, usage: bool = False) -> str:
    # Typer 0.28 writes a required argument as {API} in usage lines; click, man pages and
    # restcli's README write API.
    text = _typer_metavar(self, ctx, usage=usage)
    return text[1:-1] if usage and text.startswith("{") and text.endswith("}") else text


typer.core.TyperArgument.make_metavar = _plain_metavar
