"""--paginate with a Cognito user-pool token (moto's user pool, the gateway's JWT
authorizer): a token that expires between pages is renewed and the walk goes on."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from restcli.cognito.account import REFRESH_MARGIN
from tests.support.cognito_helpers import PASSWORD, claims, expire, login_args

pytest_plugins = ["tests.support.cognito_fixtures"]


def test_a_token_expiring_between_pages_is_renewed(cli, stdin, cognito_config, pool,
                                                    jwt_gateway, moto):
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id")
    stdin(PASSWORD + "\n")
    assert cli(*login_args()).code == 0
    # moto's tokens expire a whole number of seconds after they are issued: walking in a
    # later second than the sign-in, the renewed token outlives the first one.
    time.sleep(1.05 - time.time() % 1)
    jwt_gateway.clear()
    moto.clear()

    def clock() -> datetime:
        """Real time for page 1; from page 2 on, the moment the first token expires."""
        received = jwt_gateway.received
        if len(received) < 2:
            return datetime.now(UTC)
        return datetime.fromtimestamp(claims(received[0].header("authorization"))["exp"], UTC)

    jwt_gateway.clock = clock
    r = cli("get", "app", "/pages", "--paginate", "-f", "page")
    assert r.code == 0, r.stderr
    assert r.json() == [1, 2, 3]
    assert moto.count("InitiateAuth", "REFRESH_TOKEN_AUTH") == 1
    first, refused, renewed, last = [rec.header("authorization") for rec in jwt_gateway.received]
    assert first == refused != renewed == last
    assert [dict(rec.query).get("page") for rec in jwt_gateway.received] == [None, "2", "2", "3"]


def test_a_token_due_between_pages_is_refreshed_before_the_next_page(
        cli, stdin, cognito_config, pool, jwt_gateway, moto, isolated):
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id")
    stdin(PASSWORD + "\n")
    assert cli(*login_args()).code == 0
    # Fresh when the call starts, due after the slow first page: the second page goes out
    # with a refreshed token, never with one inside the refresh margin (no 401 needed).
    expire(isolated, seconds_left=REFRESH_MARGIN + 1.0)
    jwt_gateway.clear()
    moto.clear()
    r = cli("get", "app", "/pages?delay=1.5", "--paginate", "-f", "page")
    assert r.code == 0, r.stderr
    assert r.json() == [1, 2, 3]
    assert moto.count("InitiateAuth", "REFRESH_TOKEN_AUTH") == 1
    first, second, third = [rec.header("authorization") for rec in jwt_gateway.received]
    assert first != second == third
