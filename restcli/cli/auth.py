"""Commands for signing in and out of Cognito and for handing tokens to other tools.

Parsing only; the work lives in restcli.cognito.commands (imported inside each command so
that other commands never pay for it).
"""

from typing import Annotated, Optional

import typer

from ..errors import UsageError
from .args import ProfileName

auth_app = typer.Typer(help="Inspect sign-in state and print tokens.", no_args_is_help=True)


def login(
    ctx: typer.Context,
    profile: ProfileName,
    username: Annotated[
        Optional[str],
        typer.Option("--username", help="User name (default: the profile's username)."),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from stdin (its first line). Without it restcli prompts "
            "on a terminal, and fails (exit 9) elsewhere.",
        ),
    ] = False,
    new_password_stdin: Annotated[
        bool,
        typer.Option(
            "--new-password-stdin",
            help="Answer Cognito's new-password challenge from stdin (the line after the "
            "password with --password-stdin).",
        ),
    ] = False,
    mfa_code: Annotated[
        Optional[str],
        typer.Option("--mfa-code", metavar="CODE", help="Answer an MFA challenge (TOTP or SMS)."),
    ] = None,
) -> None:
    """Sign in to the profile's Cognito user pool and cache the tokens."""
    from ..commands.auth import login as run  # loaded when it runs (start-up)

    run(ctx.obj, profile, username, password_stdin, new_password_stdin, mfa_code)


def logout(
    ctx: typer.Context,
    profile: ProfileName,
    everywhere: Annotated[
        bool,
        typer.Option(
            "--everywhere",
            help="Sign the user out of every device (GlobalSignOut) instead of revoking "
            "only this refresh token.",
        ),
    ] = False,
) -> None:
    """Revoke the refresh token where possible and remove the cached tokens."""
    from ..commands.auth import logout as run  # loaded when it runs (start-up)

    run(ctx.obj, profile, everywhere)


@auth_app.command("status")
def status(
    ctx: typer.Context,
    profile: ProfileName,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Who is signed in, token use, expiry, scopes and groups; never a token."""
    from ..commands.auth import status as run  # loaded when it runs (start-up)

    run(ctx.obj, profile, as_json)


@auth_app.command("token")
def token(
    ctx: typer.Context,
    profile: ProfileName,
    id_: Annotated[bool, typer.Option("--id", help="Print the ID token.")] = False,
    access: Annotated[bool, typer.Option("--access", help="Print the access token.")] = False,
) -> None:
    """Print a fresh token for other tools (default: the profile's token_use)."""
    from ..commands.auth import token as run  # loaded when it runs (start-up)

    if id_ and access:
        raise UsageError("--id and --access exclude each other")
    run(ctx.obj, profile, "id" if id_ else "access" if access else None)
