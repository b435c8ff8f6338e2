"""The sign-in conversation with a user pool: SRP or password, then the challenges.

  srp       InitiateAuth USER_SRP_AUTH, then PASSWORD_VERIFIER (pycognito's SRP arithmetic;
            the calls themselves go through userpool.py, so endpoints and errors are
            handled in one place). The only flow Amplify Gen 2 app clients allow.
  password  InitiateAuth USER_PASSWORD_AUTH.
Then, as Cognito asks: NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA. The answers
come from an Answers object (options, stdin, or a no-echo prompt), never from argv
except the one-time MFA code.
"""

from __future__ import annotations

from typing import Protocol

from ..errors import CredentialsError
from ..inert import inert
from .userpool import UserPool

MAX_ROUNDS = 6
MFA_CHALLENGES = {"SOFTWARE_TOKEN_MFA": "authenticator app", "SMS_MFA": "SMS"}


class Answers(Protocol):
    def new_password(self, username: str) -> str: ...

    def mfa_code(self, challenge: str, parameters: dict) -> str: ...


class _NoBotoClient:
    """AWSSRP wants a boto3 client; restcli makes the calls itself, so it gets none."""


def sign_in(
    pool: UserPool, flow: str, username: str, password: str, answers: Answers
) -> dict:
    """The AuthenticationResult of a completed sign-in (AwsError on refusal)."""
    if flow == "password":
        params = pool.with_secret({"USERNAME": username, "PASSWORD": password}, username)
        resp = pool.initiate("USER_PASSWORD_AUTH", params)
        user = username
    elif flow == "srp":
        resp, user = _srp(pool, username, password)
    else:
        raise ValueError(f"not a sign-in flow: {flow}")
    for _ in range(MAX_ROUNDS):
        if resp.get("AuthenticationResult"):
            return resp["AuthenticationResult"]
        challenge = resp.get("ChallengeName") or ""
        params = resp.get("ChallengeParameters") or {}
        # Cognito names the user as it knows them; answers must use that name.
        user = params.get("USERNAME") or params.get("USER_ID_FOR_SRP") or user
        if challenge == "NEW_PASSWORD_REQUIRED":
            responses = {"USERNAME": user, "NEW_PASSWORD": answers.new_password(username)}
        elif challenge in MFA_CHALLENGES:
            code = answers.mfa_code(challenge, params)
            responses = {"USERNAME": user, f"{challenge}_CODE": code}
        else:
            raise CredentialsError(
                f"Cognito asks for the {inert(str(challenge)) or 'unknown'} challenge, which restcli "
                "cannot answer",
                hint="complete the sign-in once in the app (or the AWS console), then run "
                "restcli login again",
            )
        pool.with_secret(responses, user)
        resp = pool.respond(challenge, resp.get("Session"), responses)
    raise CredentialsError(f"Cognito kept asking for challenges after {MAX_ROUNDS} answers")


def _srp(pool: UserPool, username: str, password: str) -> tuple[dict, str]:
    from pycognito.aws_srp import AWSSRP  # pycognito only for SRP sign-in (start-up)

    srp = AWSSRP(
        username=username,
        password=password,
        pool_id=pool.pool_id,
        client_id=pool.client_id,
        client=_NoBotoClient(),
        client_secret=pool.client_secret,
    )
    params = srp.get_auth_params()
    resp = pool.initiate("USER_SRP_AUTH", params)
    if resp.get("ChallengeName") != "PASSWORD_VERIFIER":
        return resp, username
    responses = srp.process_challenge(resp["ChallengeParameters"], params)
    user = responses["USERNAME"]
    return pool.respond("PASSWORD_VERIFIER", resp.get("Session"), responses), user
