"""The Cognito user-pool operations restcli needs, as unsigned JSON calls.

InitiateAuth (USER_PASSWORD_AUTH, USER_SRP_AUTH, REFRESH_TOKEN_AUTH),
RespondToAuthChallenge, GlobalSignOut and RevokeToken. With an app client secret every
call carries SECRET_HASH = Base64(HMAC-SHA256(secret, username + client_id)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from . import awsjson, endpoints

TARGET = "AWSCognitoIdentityProviderService."


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    digest = hmac.new(
        client_secret.encode("utf-8"), (username + client_id).encode("utf-8"), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


class UserPool:
    def __init__(
        self,
        pool_id: str | None,
        region: str,
        client_id: str,
        client_secret: str | None = None,
        timeout: tuple[float, float] = (awsjson.CONNECT_TIMEOUT, awsjson.READ_TIMEOUT),
    ):
        self.pool_id = pool_id
        self.region = region
        self.client_id = client_id
        self.client_secret = client_secret or None
        self.timeout = timeout
        self.url = endpoints.url_for(endpoints.COGNITO_IDP, region)

    def call(self, operation: str, payload: dict, timeout=None) -> dict:
        return awsjson.call(self.url, TARGET + operation, payload, timeout or self.timeout)

    def with_secret(self, params: dict, username: str) -> dict:
        if self.client_secret:
            params["SECRET_HASH"] = secret_hash(username, self.client_id, self.client_secret)
        return params

    def initiate(self, flow: str, params: dict) -> dict:
        return self.call(
            "InitiateAuth", {"AuthFlow": flow, "ClientId": self.client_id, "AuthParameters": params}
        )

    def respond(self, challenge: str, session: str | None, responses: dict) -> dict:
        payload = {
            "ChallengeName": challenge,
            "ClientId": self.client_id,
            "ChallengeResponses": responses,
        }
        if session:
            payload["Session"] = session
        return self.call("RespondToAuthChallenge", payload)

    def refresh(self, refresh_token: str, internal_username: str | None) -> dict:
        """REFRESH_TOKEN_AUTH; the SECRET_HASH uses the pool's own name for the user."""
        params = {"REFRESH_TOKEN": refresh_token}
        if internal_username:
            self.with_secret(params, internal_username)
        return self.initiate("REFRESH_TOKEN_AUTH", params)["AuthenticationResult"]

    def global_sign_out(self, access_token: str, timeout=None) -> None:
        self.call("GlobalSignOut", {"AccessToken": access_token}, timeout)

    def revoke(self, refresh_token: str, timeout=None) -> None:
        payload = {"Token": refresh_token, "ClientId": self.client_id}
        if self.client_secret:
            payload["ClientSecret"] = self.client_secret
        self.call("RevokeToken", payload, timeout)
