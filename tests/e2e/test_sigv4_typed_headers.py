"""SigV4 never sends a guaranteed 403: typed x-amz-* headers are signed as sent or refused,
and the query is normalised on the wire; the test gateway verifies every signature."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

KEY, SECRET, TOKEN = "AKIDTYPEDTEST", "typed/secret+key=", "typed-session-token-0123456789"


@pytest.fixture
def iam(monkeypatch, gateway, write_config):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    gateway.credentials = {KEY: (SECRET, TOKEN)}
    cfg = write_config(
        f'[profiles.api]\nendpoint = "{gateway.url}/iam"\nregion = "us-east-1"\ntimeout = 5\n'
    )
    monkeypatch.setenv("RESTCLI_CONFIG", str(cfg))
    return gateway


def _signed(received) -> list[str]:
    return received.header("authorization").split("SignedHeaders=")[1].split(",")[0].split(";")


def test_client_context_is_signed_and_accepted(cli, iam):
    r = cli("get", "api", "/items", "X-Amz-Client-Context:eyJ9", "X-Amz-Meta-X:1",
            "X-Amz-Meta-X:2", "X-Amz-Meta-U:é€")
    assert r.code == 0, r.stderr
    signed = _signed(iam.received[-1])
    assert "x-amz-client-context" in signed and "x-amz-meta-x" in signed
    assert iam.received[-1].header("x-amz-meta-x") == "1, 2"  # one line, signed as sent


def test_typed_date_now_is_signed_and_sent(cli, iam):
    now = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    r = cli("get", "api", "/items", f"X-Amz-Date:{now}")
    assert r.code == 0, r.stderr
    assert iam.received[-1].header("x-amz-date") == now


def test_typed_own_token_and_body_hash_are_accepted(cli, iam):
    import hashlib

    digest = hashlib.sha256(b'{"a": "1"}').hexdigest()
    r = cli("post", "api", "/items", "a=1", f"X-Amz-Security-Token:{TOKEN}",
            f"X-Amz-Content-SHA256:{digest}")
    assert r.code == 0, r.stderr


@pytest.mark.parametrize(
    "item, words",
    [
        ("X-Amz-Date:20200101", "not a SigV4 time"),
        ("X-Amz-Security-Token:someone-elses", "differs from the session token"),
        ("X-Amz-Content-SHA256:abc", "is not the SHA-256 of the body"),
    ],
)
def test_typed_headers_that_could_never_verify_are_refused(cli, iam, item, words):
    r = cli("post", "api", "/items", "a=1", item)
    assert r.code == 2 and words in r.stderr, r.stderr
    if "Token" in item:
        assert "someone-elses" not in r.stderr  # a typed token is never echoed
    assert iam.received == []


@pytest.mark.parametrize(
    "typed, sent",
    [
        ("a=1&&b=2&", "a=1&b=2"),
        ("a=b=c&q=x+y", "a=b%3Dc&q=x%20y"),
        ("q=%7e&r=%41", "q=~&r=A"),
        ("q=a!b&r=a*b&s=a,b&t=a:b&u=a/b", "q=a%21b&r=a%2Ab&s=a%2Cb&t=a%3Ab&u=a%2Fb"),
        ("z=a%2Bb&a=é", "z=a%2Bb&a=%C3%A9"),
    ],
)
def test_typed_queries_go_out_canonical_in_the_order_typed_and_verify(cli, iam, typed, sent):
    r = cli("get", "api", "/items?" + typed)
    assert r.code == 0, r.stderr
    assert iam.received[-1].target == "/iam/items?" + sent


def test_signed_multipart_and_nested_json_bodies_verify(cli, iam, tmp_path):
    part = tmp_path / "part.bin"
    part.write_bytes(bytes(range(256)) * 1000)
    r = cli("post", "api", "/items", "--form", "a=1", f"f@{part};type=application/x-bin")
    assert r.code == 0, r.stderr
    r = cli("post", "api", "/items", "o[k][]:=1", "o[k][]:=2", "--multipart")
    assert r.code == 2  # nested keys need a JSON body
    r = cli("post", "api", "/items", "o[k][]:=1", "o[k][]:=2", "X-D:1", "X-D:2")
    assert r.code == 0, r.stderr


def test_offline_of_a_signed_request_is_the_wire_request(cli, write_config, monkeypatch):
    from tests.e2e.test_wire_fidelity import normalised
    from tests.support.recorder import Recorder

    rec = Recorder().start()
    try:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
        monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
        cfg = write_config(
            f'[profiles.api]\nendpoint = "{rec.url}/iam"\nregion = "us-east-1"\n'
        )
        args = ("--config", cfg, "post", "api", "/items?q=a+b", "a=1", "X-Amz-Client-Context:e30=")
        offline = cli(*args, "--offline")
        assert offline.code == 0, offline.stderr
        assert offline.stdout.startswith(b"POST /iam/items?q=a%20b HTTP/1.1\r\n")
        assert SECRET not in offline.out and TOKEN not in offline.out
        assert cli(*args).code == 0
        assert normalised(offline.stdout) == normalised(rec.requests[0])
    finally:
        rec.stop()
