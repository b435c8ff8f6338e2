"""`restcli run` keeps credentials within the origin too: the mode's own header (set by the
profile's auth or typed in the file) never reaches another origin, and a 307/308 with a
body is not followed there. The gateway redirects; `other_gateway` is the other origin."""

from __future__ import annotations

import pytest

from tests.conftest import API_KEY, TOKEN


@pytest.fixture
def own_header_profiles(write_config, gateway, monkeypatch):
    # Two endpoints on the one gateway (127.0.0.1 and localhost): one profile each.
    monkeypatch.setenv("KEY", API_KEY)
    monkeypatch.setenv("TOK", TOKEN)
    path = write_config(f"""
        [profiles.keyed]
        endpoint = "{gateway.url}/open"
        auth = "api_key"
        api_key = "env:KEY"
        api_key_header = "X-My-Key"

        [profiles.tok]
        endpoint = "{gateway.url.replace('127.0.0.1', 'localhost')}/open"
        auth = "token"
        token = "env:TOK"
        header = "X-Tok"
        """)
    monkeypatch.setenv("RESTCLI_CONFIG", str(path))
    return path


@pytest.fixture
def hurl(tmp_path, other_gateway):
    def write(text: str) -> str:
        path = tmp_path / "redirect.hurl"
        path.write_text(text.replace("{other}", other_gateway.url))
        return str(path)

    return write


@pytest.mark.parametrize("code", [307, 308])
def test_a_body_is_not_followed_to_another_origin(cli, own_header_profiles, gateway,
                                                  other_gateway, hurl, code):
    text = (f"POST {{{{endpoint}}}}/redirect?code={code}&to={{other}}/open/land\n"
            "X-My-Key: typed-in-file\n[Options]\nlocation: true\n"
            '{"secret": "body"}\nHTTP *\n')
    r = cli("run", "--test", hurl(text), "--profile", "keyed")
    assert r.code == 11, r.stderr
    assert f"HTTP {code} redirect of a POST with a body to another origin" in r.stderr
    assert gateway.received[0].method == "POST"
    assert other_gateway.received == []


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_the_modes_own_header_stays_behind(cli, own_header_profiles, gateway, other_gateway,
                                           hurl, code):
    # Typed in the file with the profile's header name: the auth's value or the file's,
    # it is the credential header, and it stays with its origin.
    text = (f"GET {{{{endpoint}}}}/redirect?code={code}&to={{other}}/open/land\n"
            "X-My-Key: typed-in-file\nX-Plain: kept\n[Options]\nlocation: true\nHTTP 200\n")
    r = cli("run", "--test", hurl(text), "--profile", "keyed")
    assert r.code == 0, r.stderr
    assert gateway.received[0].header("x-my-key")
    landed = other_gateway.last
    assert landed.path == "/open/land"
    assert landed.header("x-my-key") is None
    assert landed.header("x-plain") == "kept"


def test_a_token_modes_header_stays_behind_on_a_302(cli, own_header_profiles, gateway,
                                                    other_gateway, hurl):
    text = ("POST {{endpoint}}/redirect?code=302&to={other}/open/land\n"
            "X-Tok: typed-in-file\n[Options]\nlocation: true\n"
            '{"a": 1}\nHTTP 200\n')
    r = cli("run", "--test", hurl(text), "--profile", "tok")
    assert r.code == 0, r.stderr
    assert gateway.received[0].header("x-tok")
    landed = other_gateway.last
    assert landed.method == "GET" and landed.body_length == 0
    assert landed.header("x-tok") is None


@pytest.mark.parametrize("profile,header,value", [("tok", "X-Tok", TOKEN),
                                                  ("keyed", "X-My-Key", API_KEY)])
def test_the_modes_own_header_stays_behind_when_the_file_typed_its_value(
        cli, own_header_profiles, gateway, other_gateway, hurl, profile, header, value):
    # The auth sets the same value the file typed: nothing changed, it is still the credential.
    text = (f"GET {{{{endpoint}}}}/redirect?code=302&to={{other}}/open/land\n"
            f"{header}: {{{{credential}}}}\n[Options]\nlocation: true\nHTTP 200\n")
    r = cli("run", "--test", hurl(text), "--profile", profile, "--secret", f"credential={value}")
    assert r.code == 0, r.stderr
    assert gateway.received[0].header(header) == value
    assert other_gateway.last.header(header) is None
