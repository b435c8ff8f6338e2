"""`restcli login`, `logout`, `auth status` and `auth token`: the work behind cli/auth.py.

Passwords are read from a no-echo prompt when a person is at a terminal, or from stdin
with --password-stdin; never from argv. Without either, sign-in fails at once (exit 9)
rather than waiting for input that will never come.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .. import auth as auth_modes
from ..auth import cognito
from ..cognito import awsjson, claims, identity
from ..cognito.account import Account, injected_token
from ..cognito.awsjson import AwsError, transport_detail
from ..cognito.signin import MFA_CHALLENGES, sign_in
from ..errors import CredentialsError, UsageError
from ..inert import inert
from ..params import ProfileValues
from ..record import record
from ..secrets import is_reference
from .document import print_document

if TYPE_CHECKING:
    from ..app import App

REVOKE_TIMEOUT = (3.0, 5.0)


def account_for(app: App, name: str, username: str | None = None) -> Account:
    profile = app.config.profile(name)
    return Account(ProfileValues(profile, cognito.MODE, app.redactor), warn=app.warn, username=username)


# -- login ---------------------------------------------------------------------------
@record
class Answers:
    """Answers to sign-in questions: from options and stdin, or asked at the terminal."""

    app: App
    profile: str
    new_password_given: str | None = None
    mfa_code_given: str | None = None

    def new_password(self, username: str) -> str:
        if self.new_password_given:
            return self.new_password_given
        if not self.app.interactive:
            raise CredentialsError(
                f"Cognito requires a new password for {username} (first sign-in)",
                hint=f"run restcli login {self.profile} at a terminal, or pass "
                "--new-password-stdin (with --password-stdin: password on the first line of "
                "stdin, new password on the second)",
            )
        first = self.app.ask_secret(f"New password for {username}: ")
        if first != self.app.ask_secret("Repeat the new password: "):
            raise CredentialsError("the new passwords differ; nothing was changed")
        self.app.redactor.add(first)
        return first

    def mfa_code(self, challenge: str, parameters: dict) -> str:
        if self.mfa_code_given:
            return self.mfa_code_given

        via = MFA_CHALLENGES.get(challenge, challenge)
        if not self.app.interactive:
            raise CredentialsError(
                f"Cognito asks for an MFA code ({challenge}, from your {via})",
                hint=f"pass --mfa-code CODE to restcli login {self.profile}",
            )
        dest = parameters.get("CODE_DELIVERY_DESTINATION")
        dest = inert(str(dest)) if dest else None  # the service's text, on the terminal
        _prompt(self.app, f"MFA code from your {via}{' (' + dest + ')' if dest else ''}: ")
        code = self.app.read_line().strip()
        if not code:
            raise CredentialsError("no MFA code given")
        return code


def _prompt(app: App, text: str) -> None:
    app.err.write(text)
    app.err.flush()


def _read_stdin_lines(app: App, count: int) -> list[str]:
    """The first `count` lines of stdin, each without its line ending ("" for a missing one).

    Only those lines are read: a caller that keeps stdin open after writing them must not
    wait for an end of file that never comes. Spaces are part of a password: kept.
    """
    lines = []
    for _ in range(count):
        line = app.read_line()
        if line.endswith("\n"):
            line = line[:-1]
            if line.endswith("\r"):
                line = line[:-1]
        lines.append(line)
    return lines


def login(
    app: App,
    name: str,
    username: str | None,
    password_stdin: bool,
    new_password_stdin: bool,
    mfa_code: str | None,
) -> None:
    account = account_for(app, name, username)
    if account.machine:
        tokens = account.store_client_credentials()
        app.note(
            f"profile {name!r} uses client_credentials: no sign-in needed; a token is fetched "
            f"when a call needs one (this one is cached until {_clock(tokens.expires_at)})"
        )
        return
    account.pool_id, account.client_id  # noqa: B018 - config errors before any prompt
    user = _username(app, name, username or account.settings["username"])
    # Every answer that comes from stdin is read now, before any network call.
    password, new_password = _passwords(app, name, user, password_stdin, new_password_stdin)
    for secret in (password, new_password, mfa_code):
        app.redactor.add(secret)
    answers = Answers(app, name, new_password, mfa_code)
    account._username = user
    pool = account.userpool()
    try:
        result = sign_in(pool, account.flow, user, password, answers)
    except AwsError as e:
        raise _refused(e, name, account.flow) from None
    except CredentialsError:
        raise
    except Exception as e:  # noqa: BLE001 - network trouble talking to Cognito

        raise awsjson.unreachable(e, f"sign in for profile {name!r}") from None
    tokens = account.store_login(result, user)

    who = inert(str(claims.read(tokens.id_token).get("cognito:username") or user))
    app.note(f"signed in to profile {name!r} as {who}; tokens cached in {account.cache_path()}")


def _username(app: App, name: str, user: str | None) -> str:
    if user:
        return user
    if not app.interactive:
        raise CredentialsError(
            f"no user name for profile {name!r}",
            hint=f"pass --username NAME, or add username = \"NAME\" to [profiles.{name}]",
        )
    _prompt(app, "Username: ")
    user = app.read_line().strip()
    if not user:
        raise CredentialsError("no user name given")
    return user


def _passwords(app: App, name: str, user: str, password_stdin: bool,
               new_password_stdin: bool) -> tuple[str, str | None]:
    """The password (and a new one for the first sign-in): from stdin, or asked at a terminal."""
    new_password = None
    if password_stdin:
        if new_password_stdin:
            password, new_password = _read_stdin_lines(app, 2)
        else:
            (password,) = _read_stdin_lines(app, 1)
    elif app.interactive:
        if new_password_stdin:
            raise UsageError(
                "--new-password-stdin needs --password-stdin (stdin can hold both, one per line)"
            )
        password = app.ask_secret(f"Password for {user}: ")
    else:
        raise CredentialsError(
            f"no password for {user}: stdin is not a terminal, so restcli will not prompt",
            hint=f"pipe it in: printf '%s\\n' \"$PASSWORD\" | restcli login {name} "
            f"--username {user} --password-stdin",
        )
    if not password:
        raise CredentialsError("empty password")
    if new_password_stdin and not new_password:
        raise CredentialsError(
            "--new-password-stdin: no new password on stdin (it goes on the line after the password)"
        )
    return password, new_password


def _refused(e, profile: str, flow: str) -> CredentialsError:
    detail = f"{e.code}{': ' + e.message if e.message else ''}"
    hint = None
    if e.code == "InvalidParameterException" and "flow not enabled" in e.message.lower():
        other = "srp" if flow == "password" else "password"
        hint = f'the app client does not allow this flow; set flow = "{other}" in the profile'
    elif e.code == "NotAuthorizedException" and "secret" in e.message.lower():
        hint = "the app client has a secret: set client_secret (a secret reference) in the profile"
    elif e.code == "UserNotConfirmedException":
        hint = "confirm the user first (the code Cognito sent, or the AWS console)"
    elif e.code == "PasswordResetRequiredException":
        hint = "reset the password in the app, then sign in again"
    elif e.code == "CodeMismatchException":
        hint = f"run restcli login {profile} again with a current code"
    return CredentialsError(f"Cognito refused the sign-in: {detail}", hint=hint)


# -- logout --------------------------------------------------------------------------
def logout(app: App, name: str, everywhere: bool = False) -> None:
    account = account_for(app, name)
    tokens = account.cached()
    if tokens is None:
        app.note(f"not signed in to profile {name!r}; nothing to do")
        return
    if not account.machine:
        pool = account.userpool(timeout=REVOKE_TIMEOUT)
        try:
            if everywhere:
                pool.global_sign_out(tokens.access_token, timeout=REVOKE_TIMEOUT)
            elif tokens.refresh_token:
                pool.revoke(tokens.refresh_token, timeout=REVOKE_TIMEOUT)
        except AwsError as e:
            what = "sign out everywhere" if everywhere else "revoke the refresh token"
            app.warn(
                f"could not {what} ({e.code}{': ' + e.message if e.message else ''}); "
                "removed the cached tokens anyway"
            )
        except Exception as e:  # noqa: BLE001 - offline: still forget the tokens

            app.warn(
                f"could not reach Cognito ({transport_detail(e)}); removed the cached tokens "
                "anyway"
            )
    account.forget()

    identity.forget(account, tokens.id_token)
    app.note(f"signed out of profile {name!r}")


# -- status --------------------------------------------------------------------------
def status(app: App, name: str, as_json: bool = False) -> None:
    """`as_json`: the same lines as one JSON object, keys in snake_case ("signed_in_as")."""
    profile = app.config.profile(name)
    if not _signs_in(profile):
        _mode_status(app, profile, as_json)
        return
    account = account_for(app, name)
    lines: list[tuple[str, str]] = [("profile", name)]
    injected = injected_token(account.settings)
    if injected is not None:
        token, source = injected
        c = claims.read(token)
        lines.append(("source", f"{source} (not cached)"))
        lines += _claim_lines(c, c)
        lines.append(("token use", inert(str(c.get("token_use") or "(not a JWT)"))))
        if c.get("exp"):
            lines.append(("expires", _when(float(c["exp"]))))
        _print(app, lines, as_json)
        return
    if account.machine:
        lines.append(("flow", f"client_credentials at {account.settings['domain']}"))
    else:
        lines.append(("user pool", f"{account.pool_id} (app client {account.client_id})"))
    tokens = account.cached()
    path = account.cache_path()
    if tokens is None:
        raise CredentialsError(
            f"not signed in to Cognito for profile {name!r}"
            + (f" (no tokens in {path})" if path else ""),
            hint=f"run: restcli login {name}",
        )
    used = tokens.token(account.token_use)
    lines += _claim_lines(claims.read(tokens.id_token), claims.read(tokens.access_token))
    lines.append(("token use", f"{account.token_use} (sent in {account.settings['header']})"))
    lines.append(("expires", _expiry(tokens, claims.read(used))))
    if not account.machine:
        lines.append(("identity id", _identity_id(account)))
    lines.append(("cache", str(path)))
    _print(app, lines, as_json)


def _signs_in(profile) -> bool:
    """A Cognito user-pool profile, or an iam one whose identity pool takes its users."""
    return profile.mode == "cognito" or bool(profile.values.get("user_pool_id"))


def _mode_status(app: App, profile, as_json: bool = False) -> None:
    """What a non-Cognito mode is and where its credentials come from; never a secret."""
    mode = auth_modes.get(profile.mode)
    lines = [("profile", profile.name), ("auth", f"{mode.name} ({mode.summary})")]
    for param in mode.params:
        value = profile.values.get(param.name)
        if value is None or value == "":
            continue
        if param.secret:
            shown = value if is_reference(value) else "(a literal value in the profile file)"
        else:
            shown = "true" if value is True else "false" if value is False else str(value)
        lines.append((param.name, shown))
    if mode.credentials_from is not None:
        lines.append(("credentials", mode.credentials_from(ProfileValues(profile, mode, app.redactor))))
    _print(app, lines, as_json)


def _mode_token(app: App, profile, use: str | None) -> None:
    mode = auth_modes.get(profile.mode)
    if not mode.prints_token:
        raise UsageError(
            f"profile {profile.name!r} uses auth {mode.name!r}, which has no token to print",
            hint=f"restcli auth status {profile.name} says where its credentials come from "
            "(restcli env PROFILE exports iam credentials)",
        )
    if use:
        raise UsageError(f"--{use} is for cognito profiles; auth {mode.name!r} has one token")
    value = ProfileValues(profile, mode, app.redactor).require("token")
    # The one output never scrubbed: the token is what this command is for.
    app.write_secret(value + "\n")


def _claim_lines(id_claims: dict, access_claims: dict) -> list[tuple[str, str]]:
    """Who, scopes and groups, from the claims; never a token. Whoever minted the token
    chose these: each made inert before it reaches the terminal."""
    out = []
    user = id_claims.get("cognito:username") or access_claims.get("username")
    email = id_claims.get("email")
    if user:
        out.append(("signed in as", f"{user} <{email}>" if email and email != user else str(user)))
    elif access_claims.get("client_id"):
        out.append(("client", str(access_claims["client_id"])))
    if access_claims.get("scope"):
        out.append(("scopes", str(access_claims["scope"])))
    groups = id_claims.get("cognito:groups") or access_claims.get("cognito:groups")
    if groups:
        out.append(("groups", ", ".join(map(str, groups if isinstance(groups, list) else [groups]))))
    return [(key, inert(value)) for key, value in out]


def _expiry(tokens, used_claims: dict) -> str:
    exp = float(used_claims.get("exp") or tokens.expires_at)
    text = _when(exp)
    if not tokens.fresh():
        text += (
            "; the next call refreshes it" if tokens.refresh_token or tokens.flow ==
            "client_credentials" else "; sign in again"
        )
    return text


def _when(epoch: float) -> str:
    stamp = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    left = epoch - time.time()
    if left >= 0:
        return f"{stamp} (in {_span(left)})"
    return f"{stamp} (expired {_span(-left)} ago)"


def _span(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _clock(epoch: float) -> str:
    return _when(epoch).split(" (")[0]


def _identity_id(account: Account) -> str:
    if not account.settings.profile.values.get("identity_pool_id"):
        return "(no identity_pool_id in the profile)"
    return identity.cached_identity_id(account) or "(none yet: made by the first iam call)"


def _print(app: App, lines: list[tuple[str, str]], as_json: bool = False) -> None:
    """`key: value` lines on stdout (or one JSON object), scrubbed of every secret this run
    has resolved."""
    if as_json:
        print_document(app, {key.replace(" ", "_"): value for key, value in lines})
        return
    width = max(len(k) for k, _ in lines) + 1
    for key, value in lines:
        app.out.write(f"{key + ':':<{width}} {value}\n")
    app.out.flush()


# -- token ---------------------------------------------------------------------------
def token(app: App, name: str, use: str | None) -> None:
    profile = app.config.profile(name)
    if not _signs_in(profile):
        _mode_token(app, profile, use)
        return
    account = account_for(app, name)
    injected = injected_token(account.settings)
    if injected is not None:
        value = injected[0]
    else:
        if account.machine and use == "id":
            raise UsageError("flow client_credentials gives an access token only; drop --id")
        use = use or account.token_use
        value = account.tokens().token(use)
        if not value:
            raise account.not_signed_in()
    # The one output never scrubbed: the token is what this command is for.
    app.write_secret(value + "\n")
