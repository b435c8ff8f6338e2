"""Secrets never leave restcli in any form. Hurl's docs (templates.md, `--secret`):
secrets are redacted from logs and reports. A secret travels encoded: percent-encoded in
a `[Query]` URL, JSON-escaped inside a JSON value, base64 of `user:password` for
`[BasicAuth]`; each of these is masked in errors, -v, stdout and both reports. -v also
masks credential headers as restcli's -v does (README: Authorization, X-Api-Key,
X-Amz-Security-Token, Cookie show at most their first 4 characters)."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from urllib.parse import quote, quote_plus

from restcli.runner.codes import EXIT_ASSERT, EXIT_OK
from restcli.runner.redact import Redactor, encoded_forms

TOKEN = "s3cr3t+/tok= é"
QUOTED = quote(TOKEN, safe="")  # s3cr3t%2B%2Ftok%3D%20%C3%A9


def _outputs(result, tmp_path) -> dict[str, str]:
    return {"stderr": result.err, "stdout": result.out,
            "json": (tmp_path / "r.json").read_text(),
            "junit": (tmp_path / "r.xml").read_text()}


def _assert_hidden(outputs: dict[str, str], *forms: str) -> None:
    for where, text in outputs.items():
        for form in forms:
            assert form not in text, (where, form)


def test_a_url_encoded_secret_is_masked_everywhere(run, tmp_path):
    result = run("""
        GET {base}/echo
        [Query]
        t: {{t}}
        HTTP 200
        [Asserts]
        url == "nope"
        url endsWith "t=***"
        """, secrets=[TOKEN], variables={"t": TOKEN}, verbose=True, test=True,
        report_json=str(tmp_path / "r.json"), report_junit=str(tmp_path / "r.xml"))
    assert result.code == EXIT_ASSERT, result.err
    outputs = _outputs(result, tmp_path)
    assert QUOTED not in outputs["stderr"] and "/echo?t=***" in outputs["stderr"]  # -v, error
    assert "> GET " in result.err
    _assert_hidden(outputs, TOKEN, QUOTED, quote_plus(TOKEN))
    ET.fromstring(outputs["junit"])
    json.loads(outputs["json"])


def test_a_json_escaped_secret_is_masked_in_values_and_reports(run, tmp_path):
    secret = 'pa"ss\\wörd'
    escaped = json.dumps(secret, ensure_ascii=False)[1:-1]  # pa\"ss\\wörd
    result = run("""
        POST {base}/echo?pw={{pw}}
        {"password": "{{pw}}"}
        HTTP 200
        [Asserts]
        jsonpath "$.body" == "nope"
        jsonpath "$.query" == 1
        jsonpath "$" not exists
        """, secrets=[secret], variables={"pw": secret}, test=True, continue_on_error=True,
        report_json=str(tmp_path / "r.json"), report_junit=str(tmp_path / "r.xml"))
    assert result.code == EXIT_ASSERT
    outputs = _outputs(result, tmp_path)
    assert "actual:   object <{\"pw\": \"***\"}>" in result.err
    _assert_hidden(outputs, secret, escaped, json.dumps(secret, ensure_ascii=True)[1:-1])


def test_basic_auth_with_a_secret_never_shows_its_base64(run, tmp_path):
    token = base64.b64encode(f"bob:{TOKEN}".encode()).decode()
    result = run("""
        GET {base}/echo
        [BasicAuth]
        bob: {{tok}}
        HTTP 200
        [Asserts]
        jsonpath "$.headers.authorization" startsWith "Basic "
        """, secrets=[TOKEN], variables={"tok": TOKEN}, verbose=True,
        report_json=str(tmp_path / "r.json"), report_junit=str(tmp_path / "r.xml"))
    assert result.code == EXIT_OK, result.err
    assert "> Authorization: Basi…" in result.err
    assert '"authorization": "Basic ***"' in result.out  # the echoed body, printed
    _assert_hidden(_outputs(result, tmp_path), token, TOKEN)


def test_verbose_masks_credential_headers_by_name(run):
    key = "k" * 20
    result = run(f"""
        GET {{base}}/echo
        X-Api-Key: {key}
        Authorization: Bearer {key}
        X-Amz-Security-Token: {key}
        Proxy-Authorization: Basic {key}
        Cookie: session={key}
        X-Other: visible
        HTTP 200
        """, verbose=True)
    assert result.code == EXIT_OK
    verbose = result.err
    assert key not in verbose
    for name, start in (("X-Api-Key", "kkkk"), ("Authorization", "Bear"),
                        ("X-Amz-Security-Token", "kkkk"), ("Proxy-Authorization", "Basi"),
                        ("Cookie", "sess")):
        assert f"> {name}: {start}…" in verbose, name
    assert "> X-Other: visible" in verbose


def test_redactor_forms():
    forms = encoded_forms("a b/c")
    assert {"a b/c", "a%20b%2Fc", "a%20b/c", "a+b%2Fc", "a+b/c"} <= forms
    redactor = Redactor(["x/y"])
    assert redactor("q=x%2Fy and x/y") == "q=*** and ***"
    redactor.add_basic_auth("bob", "not-secret")
    assert redactor(base64.b64encode(b"bob:not-secret").decode()) != "***"
    redactor.add_basic_auth("bob", "x/y")
    assert redactor(base64.b64encode(b"bob:x/y").decode()) == "***"
