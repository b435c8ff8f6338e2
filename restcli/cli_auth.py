"""Commands for signing in and out of Cognito and for handing tokens to other tools.

Parsing only; the work lives in restcli.cognito (imported inside each command so that
other commands never pay for it).
"""

from typing import Annotated, Optional

import typer

auth_app = typer.Typer(help="Inspect sign-in state and print tokens.", no_args_is_help=True)


def _not_built(what: str) -> None:
    from .errors import RestcliError

    raise RestcliError(f"{what} is not available in this build yet")


def login(
    ctx: typer.Context,
    profile: Annotated[str, typer.Argument(show_default=False, help="A cognito profile.")],
    username: Annotated[Optional[str], typer.Option("--username", help="User name.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Sign in to the profile's Cognito user pool and cache the tokens."""
    _not_built("login")


def logout(
    ctx: typer.Context,
    profile: Annotated[str, typer.Argument(show_default=False)],
) -> None:
    """Revoke the refresh token where possible and remove the cached tokens."""
    _not_built("logout")


@auth_app.command("status")
def status(ctx: typer.Context, profile: Annotated[str, typer.Argument(show_default=False)]) -> None:
    """Who is signed in, token use, expiry, scopes and groups; never a token."""
    _not_built("auth status")


@auth_app.command("token")
def token(ctx: typer.Context, profile: Annotated[str, typer.Argument(show_default=False)]) -> None:
    """Print a fresh token for other tools."""
    _not_built("auth token")
