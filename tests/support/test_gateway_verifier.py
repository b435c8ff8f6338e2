"""Tests for the test infrastructure: tests/support/sigv4_verify.py and tests/support/gateway.py.

* every AWS SigV4 test vector (../shared/sigv4-testsuite) through the
  independent verifier: canonical request, string to sign, acceptance;
* tampered requests are refused with API Gateway's error types;
* the verifier agrees with botocore's signer (used here only, as an
  independent reference) on generated paths and queries;
* the loopback Gateway: every authorizer, every behaviour endpoint, keep-alive,
  chunked bodies, quietness and the demo entry point.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests

from tests.support import sigv4_verify as sv
from tests.support.gateway import Gateway, JwtIssuer, pattern_bytes

ROOT = Path(__file__).resolve().parents[2]

# The AWS SigV4 test suite lives beside the repository (../shared), or where SIGV4_TESTSUITE says.
SUITE = Path(os.environ.get("SIGV4_TESTSUITE", str(ROOT.parent / "shared" / "sigv4-testsuite")))
if not SUITE.is_dir():
    SUITE = Path("/work/shared/sigv4-testsuite")
AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
VECTOR_NOW = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)

# ---------------------------------------------------------------------------
# SigV4 test vectors


def parse_http_request(data: bytes):
    """Parse a .req/.sreq file: request line taken as raw bytes (it may hold
    raw spaces or UTF-8), folded header lines kept with their line break."""
    head, _, body = data.partition(b"\n\n")
    lines = head.split(b"\n")
    method, _, rest = lines[0].partition(b" ")
    target, _, _version = rest.rpartition(b" ")
    headers: list = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t") and headers:  # obs-fold continuation
            name, value = headers[-1]
            headers[-1] = (name, value + "\r\n" + line.decode("utf-8"))
            continue
        name, _, value = line.partition(b":")
        headers.append((name.decode("ascii"), value.decode("utf-8")))
    return method.decode("ascii"), target, headers, body


def _vectors():
    if not SUITE.is_dir():
        return []
    return sorted(SUITE.rglob("*.sreq"))


VECTORS = _vectors()
VECTOR_IDS = [str(p.parent.relative_to(SUITE)) for p in VECTORS]

# Vectors whose .sreq cannot be accepted as is, and why.
# (None skipped: raw spaces/UTF-8 in the request line and the folded header
# are handled by parsing the raw bytes.)
STALE_SREQ_SIGNATURE = {
    # the .sreq carries get-vanilla's signature although it also signs
    # x-amz-security-token; the .authz file has the right one (verified below)
    "get-vanilla-with-session-token",
}
TOKEN_NOT_SIGNED = {
    # token added after signing; accepted only when unsigned tokens are allowed
    "post-sts-header-after",
}

pytestmark_vectors = pytest.mark.skipif(not VECTORS, reason=f"SigV4 test suite not found at {SUITE}")


def _vector_credentials(headers):
    token = next((v for k, v in headers if k.lower() == "x-amz-security-token"), None)
    return {AKID: (SECRET, token)}


@pytestmark_vectors
@pytest.mark.parametrize("sreq", VECTORS, ids=VECTOR_IDS)
def test_vector_canonical_request_and_string_to_sign(sreq: Path):
    method, target, headers, body = parse_http_request(sreq.read_bytes())
    creq = sv.canonical_request(method, target, headers, body)
    assert creq == sreq.with_suffix(".creq").read_text(encoding="utf-8")
    sts = sv.string_to_sign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", creq)
    assert sts == sreq.with_suffix(".sts").read_text(encoding="utf-8")
    # the .authz signature is what our signer produces from that string to sign
    authz = sreq.with_suffix(".authz").read_text(encoding="utf-8").strip()
    assert authz.endswith("Signature=" + sv.sign(SECRET, "20150830", "us-east-1", "service", sts))


@pytestmark_vectors
@pytest.mark.parametrize("sreq", VECTORS, ids=VECTOR_IDS)
def test_vector_accepted(sreq: Path):
    name = sreq.stem
    method, target, headers, body = parse_http_request(sreq.read_bytes())
    creds = _vector_credentials(headers)
    if name in STALE_SREQ_SIGNATURE:
        stale = sv.verify(method, target, headers, body, creds, "us-east-1", "service", VECTOR_NOW)
        assert not stale.ok and stale.error_type == "InvalidSignatureException"
        authz = sreq.with_suffix(".authz").read_text(encoding="utf-8").strip()
        headers = [(k, authz if k.lower() == "authorization" else v) for k, v in headers]
    kwargs = {}
    if name in TOKEN_NOT_SIGNED:
        strict = sv.verify(method, target, headers, body, creds, "us-east-1", "service", VECTOR_NOW)
        assert not strict.ok
        assert strict.error_type == "IncompleteSignatureException"
        assert "X-Amz-Security-Token" in strict.message
        kwargs["require_signed_token"] = False
    result = sv.verify(method, target, headers, body, creds, "us-east-1", "service", VECTOR_NOW, **kwargs)
    assert result.ok, (result.error_type, result.message)
    assert (result.access_key, result.region, result.service) == (AKID, "us-east-1", "service")
    # and with region/service unconstrained
    assert sv.verify(method, target, headers, body, creds, None, None, VECTOR_NOW, **kwargs).ok


def _vector(name):
    hits = [p for p in VECTORS if p.stem == name]
    if not hits:
        pytest.skip(f"vector {name} not available")
    return parse_http_request(hits[0].read_bytes())


def _replace_header(headers, name, value):
    return [(k, value if k.lower() == name.lower() else v) for k, v in headers]


def _check(method, target, headers, body, creds=None, now=VECTOR_NOW, region="us-east-1",
           service="service", **kw):
    creds = {AKID: (SECRET, None)} if creds is None else creds
    return sv.verify(method, target, headers, body, creds, region, service, now, **kw)


MISMATCH = "InvalidSignatureException", sv.SIGNATURE_MISMATCH_MESSAGE


@pytestmark_vectors
class TestTampering:
    def test_changed_body(self):
        m, t, h, b = _vector("post-x-www-form-urlencoded")
        assert _check(m, t, h, b).ok
        r = _check(m, t, h, b + b"&Param2=value2")
        assert (r.error_type, r.message) == MISMATCH and r.status == 403

    def test_changed_signed_header(self):
        m, t, h, b = _vector("get-header-value-trim")
        r = _check(m, t, _replace_header(h, "My-Header1", "value2"), b)
        assert (r.error_type, r.message) == MISMATCH

    def test_unsigned_header_may_change(self):
        m, t, h, b = _vector("get-vanilla")
        assert _check(m, t, h + [("User-Agent", "anything"), ("Accept", "*/*")], b).ok

    def test_duplicate_signed_header_added(self):
        m, t, h, b = _vector("post-header-key-sort")
        r = _check(m, t, h + [("My-Header1", "again")], b)
        assert (r.error_type, r.message) == MISMATCH

    def test_changed_query(self):
        m, t, h, b = _vector("get-vanilla-query-order-key")
        assert _check(m, t, h, b).ok
        for target in (t + b"&Param2=x", t.replace(b"value2", b"value3"), t.split(b"?")[0]):
            r = _check(m, target, h, b)
            assert (r.error_type, r.message) == MISMATCH, target

    def test_query_order_does_not_matter(self):
        m, t, h, b = _vector("get-vanilla-query-order-key")
        path, _, query = t.partition(b"?")
        swapped = b"&".join(reversed(query.split(b"&")))
        assert _check(m, path + b"?" + swapped, h, b).ok

    def test_changed_path_and_method(self):
        m, t, h, b = _vector("get-vanilla")
        assert (_check(m, b"/other", h, b).error_type) == "InvalidSignatureException"
        assert (_check("POST", t, h, b).error_type) == "InvalidSignatureException"
        # an equivalent path (normalisation) is still accepted
        assert _check(m, b"//./", h, b).ok

    def test_escaped_path_is_not_the_decoded_path(self):
        m, t, h, b = _vector("get-utf8")
        assert _check(m, t, h, b).ok  # raw UTF-8 on the wire
        assert _check(m, b"/%E1%88%B4", h, b).error_type == "InvalidSignatureException"

    def test_expired_and_not_yet_valid(self):
        m, t, h, b = _vector("get-vanilla")
        assert _check(m, t, h, b, now=VECTOR_NOW + timedelta(minutes=4, seconds=59)).ok
        late = _check(m, t, h, b, now=VECTOR_NOW + timedelta(minutes=15))
        assert late.error_type == "InvalidSignatureException"
        assert late.message == (
            "Signature expired: 20150830T123600Z is now earlier than 20150830T124600Z "
            "(20150830T125100Z - 5 min.)"
        )
        early = _check(m, t, h, b, now=VECTOR_NOW - timedelta(minutes=6))
        assert early.error_type == "InvalidSignatureException"
        assert early.message.startswith("Signature not yet current: 20150830T123600Z is still later than")
        # a wider window accepts it
        assert _check(m, t, h, b, now=VECTOR_NOW + timedelta(minutes=15), window=timedelta(minutes=20)).ok
        # naive "now" is taken as UTC
        assert _check(m, t, h, b, now=VECTOR_NOW.replace(tzinfo=None)).ok

    def test_wrong_secret(self):
        m, t, h, b = _vector("get-vanilla")
        r = _check(m, t, h, b, creds={AKID: ("not-the-secret", None)})
        assert (r.error_type, r.message) == MISMATCH

    def test_unknown_access_key(self):
        m, t, h, b = _vector("get-vanilla")
        r = _check(m, t, h, b, creds={"AKIDOTHER": (SECRET, None)})
        assert r.error_type == "UnrecognizedClientException"
        assert r.message == "The security token included in the request is invalid."

    def test_scope_region_and_service(self):
        m, t, h, b = _vector("get-vanilla")
        r = _check(m, t, h, b, region="eu-west-1")
        assert r.error_type == "InvalidSignatureException"
        assert r.message.startswith("Credential should be scoped to a valid region")
        r = _check(m, t, h, b, service="execute-api")
        assert r.error_type == "InvalidSignatureException"
        assert r.message.startswith("Credential should be scoped to correct service")

    def test_scope_date_must_match_request_date(self):
        m, t, h, b = _vector("get-vanilla")
        r = _check(m, t, _replace_header(h, "X-Amz-Date", "20150830T123700Z"), b)
        assert r.error_type == "InvalidSignatureException"  # same day, other second
        r = _check(m, t, _replace_header(h, "X-Amz-Date", "20150831T000100Z"), b,
                   now=datetime(2015, 8, 31, 0, 1, tzinfo=UTC))
        assert r.error_type == "InvalidSignatureException"
        assert r.message.startswith("Date in Credential scope does not match")

    def test_missing_and_malformed_authorization(self):
        m, t, h, b = _vector("get-vanilla")
        no_auth = [(k, v) for k, v in h if k.lower() != "authorization"]
        r = _check(m, t, no_auth, b)
        assert (r.error_type, r.message, r.status) == (
            "MissingAuthenticationTokenException", "Missing Authentication Token", 403)
        r = _check(m, t, no_auth + [("Authorization", "Bearer abc")], b)
        assert r.error_type == "IncompleteSignatureException"
        assert r.message.startswith("Invalid key=value pair (missing equal-sign) in Authorization header")
        scope_only = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
        r = _check(m, t, no_auth + [("Authorization", scope_only)], b)
        assert r.error_type == "IncompleteSignatureException"
        assert "requires 'Signature' parameter" in r.message
        assert "requires 'SignedHeaders' parameter" in r.message
        no_date = [(k, v) for k, v in h if k.lower() != "x-amz-date"]
        r = _check(m, t, no_date, b)
        assert r.error_type == "IncompleteSignatureException"
        assert "'X-Amz-Date' or a 'Date' header" in r.message

    def test_host_must_be_signed(self):
        m, t, h, b = _vector("get-vanilla")
        h = [(k, v.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date")) for k, v in h]
        r = _check(m, t, h, b)
        assert r.error_type == "IncompleteSignatureException" and "'Host'" in r.message

    def test_content_sha256_header_must_match_body(self):
        m, t, h, b = _vector("post-vanilla")
        good = h + [("X-Amz-Content-SHA256", hashlib.sha256(b"").hexdigest())]
        assert _check(m, t, good, b).ok
        bad = h + [("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD")]
        assert _check(m, t, bad, b).error_type == "InvalidSignatureException"

    def test_session_token_rules(self):
        m, t, h, b = _vector("post-sts-header-before")
        token = next(v for k, v in h if k.lower() == "x-amz-security-token")
        assert _check(m, t, h, b, creds={AKID: (SECRET, token)}).ok
        # wrong token, missing token, token for a long-term key
        for creds, headers in (
            ({AKID: (SECRET, token + "x")}, h),
            ({AKID: (SECRET, token)}, [(k, v) for k, v in h if k.lower() != "x-amz-security-token"]),
            ({AKID: (SECRET, None)}, h),
        ):
            r = _check(m, t, headers, b, creds=creds)
            assert r.error_type == "UnrecognizedClientException", r
            assert r.message == "The security token included in the request is invalid."

    def test_date_header_instead_of_x_amz_date(self):
        headers = [("Host", "example.amazonaws.com"), ("Date", "Sun, 30 Aug 2015 12:36:00 GMT")]
        creq = sv.canonical_request("GET", "/", headers, b"", signed_headers=["date", "host"])
        sts = sv.string_to_sign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", creq)
        sig = sv.sign(SECRET, "20150830", "us-east-1", "service", sts)
        headers.append(("Authorization", f"AWS4-HMAC-SHA256 Credential={AKID}/20150830/us-east-1/service/"
                                         f"aws4_request, SignedHeaders=date;host, Signature={sig}"))
        assert _check("GET", "/", headers, b"").ok


def test_canonical_pieces():
    assert sv.canonical_uri(b"/a%2Fb/c d/$x/~y") == "/a%252Fb/c%20d/%24x/~y"
    assert sv.canonical_uri("/caf\u00e9".encode("utf-8")) == "/caf%C3%A9"
    assert sv.canonical_uri(b"//a/./b/../c//") == "/a/c/"
    # The spec's text: decode, then encode; "+" is an ordinary character (%2B).
    assert sv.canonical_query(b"b=2&a=1&a=0&flag&sp=a+b&pct=a%20b&pl=%2B&u=%E2%9C%93") == (
        "a=0&a=1&b=2&flag=&pct=a%20b&pl=%2B&sp=a%2Bb&u=%E2%9C%93")
    assert sv.canonical_query(b"Param=Value2&Param-3=Value3") == "Param=Value2&Param-3=Value3"
    assert sv.canonical_query(b"") == ""


# ---------------------------------------------------------------------------
# botocore's signer (independent reference, tests only)

botocore = pytest.importorskip("botocore")
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

KEY_ID = "AKIDGATEWAYTEST"
KEY_SECRET = "gateway/secret+key/EXAMPLE"
TEMP_ID = "ASIAGATEWAYTEST"
TEMP_SECRET = "temporary/secret"
TEMP_TOKEN = "FQoGZXIvYXdzEXAMPLE//token+with/slashes=="


def botocore_sign(method, url, body=b"", headers=None, key=KEY_ID, secret=KEY_SECRET, token=None,
                  region="us-east-1", service="execute-api"):
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(Credentials(key, secret, token), service, region).add_auth(req)
    return dict(req.headers.items()), req


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFF), max_size=8
)


@settings(max_examples=60, deadline=None, database=None)
@given(
    segments=st.lists(_text, min_size=1, max_size=4),
    query=st.lists(st.tuples(_text, _text), max_size=4),
    body=st.binary(max_size=64),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
)
def test_verifier_agrees_with_botocore(segments, query, body, method):
    path = "/" + "/".join(quote(s, safe="") for s in segments)
    qs = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in query)
    url = "https://example.execute-api.us-east-1.amazonaws.com" + path + ("?" + qs if qs else "")
    signed, req = botocore_sign(method, url, body, headers={"X-Custom": " a  b "})
    target = path + ("?" + qs if qs else "")
    headers = [("Host", urlsplit(url).netloc)] + list(signed.items())
    del req.headers["Authorization"]  # botocore's canonical request of what it signed
    assert sv.canonical_request(method, target, headers, body) == SigV4Auth(
        Credentials(KEY_ID, KEY_SECRET), "execute-api", "us-east-1").canonical_request(req)
    result = sv.verify(method, target, headers, body, {KEY_ID: (KEY_SECRET, None)},
                       "us-east-1", "execute-api", datetime.now(UTC))
    assert result.ok, result.message


# ---------------------------------------------------------------------------
# the Gateway


@pytest.fixture(scope="module")
def gateway():
    gw = Gateway(
        api_keys={"key-123": "key-id-1", "key-456": "key-id-2"},
        tokens={"abc", "Bearer xyz"},
        credentials={KEY_ID: (KEY_SECRET, None), TEMP_ID: (TEMP_SECRET, TEMP_TOKEN)},
    )
    with gw:
        yield gw


@pytest.fixture
def gw(gateway):
    """The module gateway with configuration reset for each test."""
    gateway.clear()
    saved = dict(gateway.__dict__)
    yield gateway
    for name in ("api_keys", "tokens", "token_header", "credentials", "region", "service",
                 "jwks_url", "jwt_issuer", "clock", "sigv4_details"):
        setattr(gateway, name, saved[name])


@pytest.fixture(scope="module")
def http():
    s = requests.Session()
    s.trust_env = False  # never route loopback traffic through an env proxy
    yield s
    s.close()


def assert_api_error(r, status, error_type, message=None):
    assert r.status_code == status, r.text
    assert r.headers["x-amzn-ErrorType"] == error_type
    assert r.headers["Content-Type"] == "application/json"
    if message is not None:
        assert r.json() == {"message": message}


def test_gateway_binds_loopback_only(gw):
    assert gw.url.startswith("http://127.0.0.1:") and gw.port > 0
    assert gw._server.server_address[0] == "127.0.0.1"


def test_open_echo(gw, http):
    r = http.post(gw.url + "/open/a%2Fb/caf%C3%A9?x=1&x=2&sp=a+b&pct=a%20b&flag",
                  data="h\u00e9llo".encode("utf-8"), headers={"X-Test": "1", "Content-Type": "text/plain"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert len(r.headers["x-amzn-RequestId"]) == 36
    j = r.json()
    assert j["method"] == "POST"
    assert j["path"] == "/open/a/b/caf\u00e9"
    assert j["target"] == "/open/a%2Fb/caf%C3%A9?x=1&x=2&sp=a+b&pct=a%20b&flag"
    assert j["query"] == [["x", "1"], ["x", "2"], ["sp", "a b"], ["pct", "a b"], ["flag", ""]]
    assert j["headers"]["x-test"] == "1"
    assert j["body"] == "h\u00e9llo"
    assert j["body_length"] == 6 and j["body_sha256"] == hashlib.sha256("h\u00e9llo".encode()).hexdigest()
    assert j["principal"] is None
    rec = gw.last
    assert rec.method == "POST" and rec.stage == "open"
    assert rec.target == j["target"] and rec.path == j["path"]
    assert rec.query == [("x", "1"), ("x", "2"), ("sp", "a b"), ("pct", "a b"), ("flag", "")]
    assert rec.header("x-test") == "1" and rec.body == "h\u00e9llo".encode()


def test_binary_body_echo(gw, http):
    j = http.put(gw.url + "/open/bin", data=bytes(range(256))).json()
    assert j["body"] is None and j["body_length"] == 256
    assert gw.last.body == bytes(range(256))


def test_unknown_stage_is_missing_authentication_token(gw, http):
    for path in ("/", "/nope", "/Open/x", "/prod/items"):
        r = http.get(gw.url + path)
        assert_api_error(r, 403, "MissingAuthenticationTokenException", "Missing Authentication Token")
        assert r.headers["x-amzn-RequestId"]


def test_api_key(gw, http):
    r = http.get(gw.url + "/key/items", headers={"X-Api-Key": "key-123"})
    assert r.status_code == 200 and r.json()["principal"] == "key-id-1"
    assert_api_error(http.get(gw.url + "/key/items"), 403, "ForbiddenException", "Forbidden")
    assert_api_error(http.get(gw.url + "/key/items", headers={"X-Api-Key": "key-999"}),
                     403, "ForbiddenException", "Forbidden")
    gw.api_keys = {"plain"}
    r = http.get(gw.url + "/key/items", headers={"x-api-key": "plain"})
    assert r.status_code == 200 and r.json()["principal"] == "plain"
    assert len(gw.received) == 4  # refused requests are recorded too


def test_token(gw, http):
    r = http.get(gw.url + "/token/items", headers={"Authorization": "abc"})
    assert r.status_code == 200 and r.json()["principal"] == "abc"
    r = http.get(gw.url + "/token/items", headers={"Authorization": "Bearer xyz"})
    assert r.status_code == 200 and r.json()["principal"] == "xyz"
    for headers in ({}, {"Authorization": "Bearer abc"}, {"Authorization": "xyz"}, {"X-Token": "abc"}):
        assert_api_error(http.get(gw.url + "/token/items", headers=headers), 401,
                         "UnauthorizedException", "Unauthorized")
    gw.token_header = "X-Token"
    assert http.get(gw.url + "/token/items", headers={"X-Token": "abc"}).status_code == 200
    assert http.get(gw.url + "/token/items", headers={"Authorization": "abc"}).status_code == 401


# --- SigV4 through the gateway ---------------------------------------------

IAM_TARGETS = [
    "/iam/items",
    "/iam/items/",
    "/iam/a%20space/b",
    "/iam/caf%C3%A9/%E2%9C%93",
    "/iam/a%2Fb/c",
    "/iam/dollar$/star*/(paren)",
    "/iam/items?k=2&k=1&a=x",
    "/iam/items?q=a%20b&plus=%2B&u=%E2%9C%93&slash=%2F",
    "/iam/items?flag=&empty=",
    "/iam/fault/status/201?Z=1&a=1",
]


@pytest.mark.parametrize("target", IAM_TARGETS)
def test_sigv4_botocore_accepted(gw, http, target):
    body = json.dumps({"hello": "w\u00f6rld"}).encode()
    url = gw.url + target
    signed, _ = botocore_sign("POST", url, body, headers={"Content-Type": "application/json"})
    r = http.post(url, data=body, headers=signed)
    assert r.status_code in (200, 201), r.text
    if r.status_code == 200:
        assert r.json()["principal"] == KEY_ID
        assert r.json()["target"] == target
    assert gw.last.target == target  # what went over the wire is what botocore signed


def test_sigv4_get_head_delete(gw, http):
    for method in ("GET", "HEAD", "DELETE"):
        url = gw.url + "/iam/things?x=1"
        signed, _ = botocore_sign(method, url)
        r = http.request(method, url, headers=signed)
        assert r.status_code == 200, (method, r.text)
        assert r.headers["Content-Type"] == "application/json"


def test_sigv4_session_token(gw, http):
    url = gw.url + "/iam/temp"
    signed, _ = botocore_sign("GET", url, key=TEMP_ID, secret=TEMP_SECRET, token=TEMP_TOKEN)
    assert "X-Amz-Security-Token" in signed
    r = http.get(url, headers=signed)
    assert r.status_code == 200 and r.json()["principal"] == TEMP_ID
    bad, _ = botocore_sign("GET", url, key=TEMP_ID, secret=TEMP_SECRET, token="other")
    assert_api_error(http.get(url, headers=bad), 403, "UnrecognizedClientException",
                     "The security token included in the request is invalid.")
    none, _ = botocore_sign("GET", url, key=TEMP_ID, secret=TEMP_SECRET)
    assert_api_error(http.get(url, headers=none), 403, "UnrecognizedClientException")


def test_sigv4_chunked_body(gw, http):
    body = b"chunk-" * 5000
    url = gw.url + "/iam/upload-ish"
    signed, _ = botocore_sign("PUT", url, body)

    def gen():
        for i in range(0, len(body), 7000):
            yield body[i:i + 7000]

    r = http.put(url, data=gen(), headers=signed)
    assert r.status_code == 200, r.text
    assert gw.last.header("Transfer-Encoding") == "chunked"
    assert r.json()["body_length"] == len(body) and gw.last.body == body


def test_sigv4_raw_utf8_request_line(gw):
    """A raw (unescaped) UTF-8 path on the wire is signed as its %-encoding."""
    url = gw.url + "/iam/\u1234/x"
    signed, _ = botocore_sign("GET", url)
    lines = ["GET /iam/\u1234/x HTTP/1.1", f"Host: 127.0.0.1:{gw.port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in signed.items()]
    with socket.create_connection(("127.0.0.1", gw.port), timeout=5) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data[:300]
    assert gw.last.path == "/iam/\u1234/x"


def _signed(url, method="GET", body=b"", **kw):
    headers, _ = botocore_sign(method, url, body, **kw)
    return headers


def test_sigv4_missing_and_malformed(gw, http):
    assert_api_error(http.get(gw.url + "/iam/x"), 403, "MissingAuthenticationTokenException",
                     "Missing Authentication Token")
    r = http.get(gw.url + "/iam/x", headers={"Authorization": "Bearer abc"})
    assert_api_error(r, 403, "IncompleteSignatureException")


@pytest.mark.parametrize("tamper", ["body", "header", "query", "path", "method"])
def test_sigv4_tampered_rejected(gw, http, tamper):
    url = gw.url + "/iam/items?a=1"
    body = b'{"n": 1}'
    headers = _signed(url, "POST", body, headers={"X-Custom": "v1"})
    method = "POST"
    if tamper == "body":
        body = b'{"n": 2}'
    elif tamper == "header":
        headers["X-Custom"] = "v2"
    elif tamper == "query":
        url += "&b=2"
    elif tamper == "path":
        url = url.replace("/items", "/item")
    else:
        method = "PUT"
    r = http.request(method, url, data=body, headers=headers)
    assert_api_error(r, 403, "InvalidSignatureException")
    message = r.json()["message"]
    assert message.startswith(sv.SIGNATURE_MISMATCH_MESSAGE)
    assert "The Canonical String for this request should have been" in message
    gw.sigv4_details = False
    r = http.request(method, url, data=body, headers=headers)
    assert_api_error(r, 403, "InvalidSignatureException", sv.SIGNATURE_MISMATCH_MESSAGE)


def test_sigv4_wrong_credentials_scope_and_clock(gw, http):
    url = gw.url + "/iam/items"
    r = http.get(url, headers=_signed(url, secret="wrong"))
    assert_api_error(r, 403, "InvalidSignatureException")
    r = http.get(url, headers=_signed(url, key="AKIDUNKNOWN"))
    assert_api_error(r, 403, "UnrecognizedClientException", "The security token included in the request is invalid.")
    r = http.get(url, headers=_signed(url, region="eu-west-1"))
    assert_api_error(r, 403, "InvalidSignatureException")
    assert r.json()["message"].startswith("Credential should be scoped to a valid region")
    r = http.get(url, headers=_signed(url, service="lambda"))
    assert r.json()["message"].startswith("Credential should be scoped to correct service")
    headers = _signed(url)
    gw.clock = lambda: datetime.now(UTC) + timedelta(minutes=6)
    r = http.get(url, headers=headers)
    assert_api_error(r, 403, "InvalidSignatureException")
    assert r.json()["message"].startswith("Signature expired:")
    gw.clock = lambda: datetime.now(UTC) - timedelta(minutes=6)
    assert http.get(url, headers=headers).json()["message"].startswith("Signature not yet current:")
    gw.region = "eu-west-1"
    assert http.get(url, headers=_signed(url, region="eu-west-1")).status_code == 403  # clock still off
    gw.clock = lambda: datetime.now(UTC)
    assert http.get(url, headers=_signed(url, region="eu-west-1")).status_code == 200


# --- JWT (Cognito user-pool authorizer) --------------------------------------


@pytest.fixture(scope="module")
def issuer():
    with JwtIssuer() as iss:
        yield iss


@pytest.fixture
def jwt_gw(gw, issuer):
    gw.jwks_url = issuer.jwks_url
    gw.jwt_issuer = issuer.issuer
    gw._jwks_cache.clear()
    return gw


def test_jwt_routes(jwt_gw, issuer, http):
    gw = jwt_gw
    id_token = issuer.mint("id", sub="alice")
    access_token = issuer.mint("access", sub="bob")
    r = http.get(gw.url + "/jwt/id/profile", headers={"Authorization": id_token})
    assert r.status_code == 200 and r.json()["principal"] == "alice"
    r = http.get(gw.url + "/jwt/id/profile", headers={"Authorization": "Bearer " + id_token})
    assert r.status_code == 200
    r = http.get(gw.url + "/jwt/access/things", headers={"Authorization": "Bearer " + access_token})
    assert r.status_code == 200 and r.json()["principal"] == "bob"
    assert http.get(gw.url + "/jwt/any", headers={"Authorization": access_token}).status_code == 200
    assert_api_error(http.get(gw.url + "/jwt/id/profile", headers={"Authorization": access_token}),
                     401, "UnauthorizedException", "Unauthorized")
    assert_api_error(http.get(gw.url + "/jwt/access/x", headers={"Authorization": id_token}),
                     401, "UnauthorizedException", "Unauthorized")
    assert_api_error(http.get(gw.url + "/jwt/id/profile"), 401, "UnauthorizedException", "Unauthorized")
    assert gw.jwks_fetches >= 1
    fetches = gw.jwks_fetches
    for _ in range(3):
        http.get(gw.url + "/jwt/id/profile", headers={"Authorization": id_token})
    assert gw.jwks_fetches == fetches  # cached


def test_jwt_rejections(jwt_gw, issuer, http):
    gw = jwt_gw
    url = gw.url + "/jwt/id/x"
    expired = issuer.mint("id", now=time.time() - 7200, expires_in=3600)
    assert_api_error(http.get(url, headers={"Authorization": expired}), 401, "UnauthorizedException",
                     "The incoming token has expired")
    assert_api_error(http.get(url, headers={"Authorization": issuer.mint("id", iss="https://evil")}),
                     401, "UnauthorizedException", "Unauthorized")
    assert_api_error(http.get(url, headers={"Authorization": "not.a.jwt"}), 401, "UnauthorizedException")
    from cryptography.hazmat.primitives.asymmetric import rsa
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = issuer.mint("id", key=other)
    assert http.get(url, headers={"Authorization": forged}).status_code == 401
    unknown_kid = issuer.mint("id", key=other, kid="rotated")
    assert http.get(url, headers={"Authorization": unknown_kid}).status_code == 401
    # the gateway clock decides expiry
    token = issuer.mint("id", expires_in=60)
    gw.clock = lambda: datetime.now(UTC) + timedelta(minutes=5)
    assert http.get(url, headers={"Authorization": token}).json()["message"] == "The incoming token has expired"
    gw.jwt_issuer = None  # issuer not checked
    gw.clock = lambda: datetime.now(UTC)
    assert http.get(url, headers={"Authorization": issuer.mint("id", iss="other")}).status_code == 200


def test_jwks_url_must_be_loopback(jwt_gw, issuer, http):
    gw = jwt_gw
    gw.jwks_url = "http://example.com/pool/.well-known/jwks.json"
    r = http.get(gw.url + "/jwt/id/x", headers={"Authorization": issuer.mint("id")})
    assert r.status_code == 401
    assert any("loopback" in str(e) for e in gw.errors)
    gw.jwks_url = None
    assert http.get(gw.url + "/jwt/id/x", headers={"Authorization": issuer.mint("id")}).status_code == 401


# --- behaviours -------------------------------------------------------------


def test_status_and_error_types(gw, http):
    for code, etype, msg in [(400, "BadRequestException", "Bad Request"),
                             (403, "ForbiddenException", "Forbidden"),
                             (404, "NotFoundException", "Not Found"),
                             (429, "TooManyRequestsException", "Too Many Requests"),
                             (500, "InternalServerErrorException", "Internal server error"),
                             (502, "BadGatewayException", "Internal server error"),
                             (503, "ServiceUnavailableException", "Service Unavailable"),
                             (504, "IntegrationTimeoutException", "Endpoint request timed out")]:
        assert_api_error(http.get(gw.url + f"/open/fault/status/{code}"), code, etype, msg)
    r = http.get(gw.url + "/open/status/401")  # without the "fault" segment too
    assert_api_error(r, 401, "UnauthorizedException", "Unauthorized")
    r = http.get(gw.url + "/open/fault/status/418?message=teapot")
    assert r.status_code == 418 and r.json() == {"message": "teapot"}
    r = http.get(gw.url + "/open/fault/status/204")
    assert r.status_code == 204 and r.content == b""
    assert http.get(gw.url + "/open/fault/status/999").status_code == 400


def test_status_times_then_and_retry_after(gw, http):
    url = gw.url + "/open/fault/status/503?times=2&then=200&retry_after=3"
    codes = []
    for _ in range(4):
        r = http.get(url)
        codes.append(r.status_code)
        if r.status_code == 503:
            assert r.headers["Retry-After"] == "3"
        else:
            assert "Retry-After" not in r.headers and r.json()["method"] == "GET"
    assert codes == [503, 503, 200, 200]
    # counters are per full URL
    assert http.get(url + "&other=1").status_code == 503
    r = http.get(gw.url + "/open/fault/status/429?times=1&then=500")
    assert r.status_code == 429
    assert http.get(gw.url + "/open/fault/status/429?times=1&then=500").status_code == 500
    gw.clear()
    assert http.get(url).status_code == 503


def test_behaviours_sit_behind_auth(gw, http):
    url = gw.url + "/key/fault/status/503"
    assert_api_error(http.get(url), 403, "ForbiddenException")
    assert http.get(url, headers={"X-Api-Key": "key-123"}).status_code == 503
    url = gw.url + "/iam/fault/bytes?n=10"
    assert http.get(url).status_code == 403
    assert http.get(url, headers=_signed(url)).content == b"0123456789"


def test_redirect(gw, http):
    r = http.get(gw.url + "/open/fault/redirect?to=/open/target&code=307", allow_redirects=False)
    assert r.status_code == 307 and r.headers["Location"] == "/open/target"
    r = http.get(gw.url + "/open/fault/redirect?to=/open/target")
    assert r.status_code == 200 and r.json()["path"] == "/open/target"
    assert [h.status_code for h in r.history] == [302]


def test_bytes_stream(gw, http):
    n = 3 * 65536 + 5
    r = http.get(gw.url + f"/open/fault/bytes?n={n}&chunk=10000", stream=True)
    assert r.headers["Content-Length"] == str(n)
    assert r.headers["Content-Type"] == "application/octet-stream"
    data = b"".join(r.iter_content(8192))
    assert data == pattern_bytes(n) and data[:20] == b"0123456789abcdef0123"
    assert http.get(gw.url + "/open/fault/bytes?n=0").content == b""
    h = http.head(gw.url + "/open/fault/bytes?n=1000")
    assert h.headers["Content-Length"] == "1000" and h.content == b""


def test_truncate_and_reset(gw, http):
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        http.get(gw.url + "/open/fault/truncate?n=1000")
    with pytest.raises(requests.exceptions.ConnectionError) as info:
        http.get(gw.url + "/open/fault/reset")
    assert "reset" in str(info.value).lower() or "aborted" in str(info.value).lower()
    with socket.create_connection(("127.0.0.1", gw.port), timeout=5) as s:
        s.sendall(b"GET /open/fault/reset HTTP/1.1\r\nHost: x\r\n\r\n")
        with pytest.raises(ConnectionResetError):
            s.recv(10)
    # the server is fine afterwards
    assert http.get(gw.url + "/open/ok").status_code == 200


def test_hang_and_slow(gw, http):
    start = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        http.get(gw.url + "/open/fault/hang?seconds=5", timeout=0.3)
    assert time.monotonic() - start < 2
    r = http.get(gw.url + "/open/fault/hang?seconds=0.05")
    assert r.status_code == 200
    start = time.monotonic()
    r = http.get(gw.url + "/open/fault/slow?n=5&delay=0.05")
    assert r.content == b"01234" and time.monotonic() - start >= 0.18
    with pytest.raises(requests.exceptions.ConnectionError):  # read timeout mid-body
        _ = http.get(gw.url + "/open/fault/slow?n=5&delay=1", timeout=0.2).content


def test_stop_does_not_wait_for_hanging_requests():
    import threading

    with Gateway() as gw:
        s = requests.Session()
        s.trust_env = False
        hang = gw.url + "/open/fault/hang?seconds=30"
        t = threading.Thread(
            target=lambda: pytest.raises(requests.RequestException, s.get, hang, timeout=10),
            daemon=True,
        )
        t.start()
        deadline = time.monotonic() + 5
        while not gw.received and time.monotonic() < deadline:
            time.sleep(0.01)
        start = time.monotonic()
    assert time.monotonic() - start < 2
    t.join(5)
    assert not t.is_alive()


def test_content_behaviours(gw, http):
    r = http.get(gw.url + "/open/fault/binary")
    assert r.content == bytes(range(256)) and r.headers["Content-Type"] == "application/octet-stream"
    r = http.get(gw.url + "/open/fault/invalid-utf8")
    assert r.headers["Content-Type"].startswith("text/plain")
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    r = http.get(gw.url + "/open/fault/nested?depth=5")
    assert r.json() == {"a": {"a": {"a": {"a": {"a": 0}}}}}
    r = http.get(gw.url + "/open/fault/nested?depth=5000")
    assert r.content.startswith(b'{"a":{"a":') and len(r.content) == 5000 * 6 + 1
    r = http.get(gw.url + "/open/fault/fake-json")
    assert r.headers["Content-Type"] == "application/json" and r.content == b"not json <html>"
    with pytest.raises(ValueError):
        r.json()
    r = http.get(gw.url + "/open/fault/text")
    assert r.headers["Content-Type"].startswith("text/plain") and r.text.startswith("hello")


def test_upload_streams(gw, http):
    block = os.urandom(65536)
    count = 64  # 4 MiB

    def gen():
        for _ in range(count):
            yield block

    r = http.post(gw.url + "/key/fault/upload", data=gen(), headers={"X-Api-Key": "key-123"})
    assert r.status_code == 200
    assert r.json() == {"body_length": len(block) * count,
                        "body_sha256": hashlib.sha256(block * count).hexdigest()}
    rec = gw.last
    assert rec.body == b"" and rec.body_length == len(block) * count
    r = http.put(gw.url + "/open/upload", data=b"abc")
    assert r.json() == {"body_length": 3, "body_sha256": hashlib.sha256(b"abc").hexdigest()}


def test_head_and_keep_alive(gw, http):
    r = http.head(gw.url + "/open/x")
    assert r.status_code == 200 and r.content == b"" and int(r.headers["Content-Length"]) > 0
    gw.clear()
    for _ in range(3):
        assert http.get(gw.url + "/open/ka").status_code == 200
    ports = {rec.client for rec in gw.received}
    assert len(ports) == 1  # one connection reused (HTTP/1.1 keep-alive)
    r = http.get(gw.url + "/key/ka")  # an error response keeps the connection too
    assert r.status_code == 403
    assert http.get(gw.url + "/open/ka").status_code == 200
    assert len({rec.client for rec in gw.received}) == 1


def test_server_is_quiet(gw, http, capfd):
    http.get(gw.url + "/open/x")
    http.get(gw.url + "/nope")
    with pytest.raises(requests.exceptions.RequestException):
        http.get(gw.url + "/open/fault/truncate?n=10")
    with socket.create_connection(("127.0.0.1", gw.port), timeout=5) as s:
        s.sendall(b"NOT A REQUEST\r\n\r\n")
        s.recv(1000)
    time.sleep(0.05)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert gw.errors == []


def test_demo_main():
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", GATEWAY_API_KEY="demo-key")
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.gateway", "--port", "0", "--token", "t0k"],
                            cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line + proc.stderr.read() if proc.poll() is not None else line
        url = line.split()[line.split().index("on") + 1]
        s = requests.Session()
        s.trust_env = False
        assert s.get(url + "/key/x", headers={"X-Api-Key": "demo-key"}).status_code == 200
        assert s.get(url + "/token/x", headers={"Authorization": "t0k"}).status_code == 200
        assert s.get(url + "/key/x").status_code == 403
    finally:
        proc.terminate()
        proc.wait(5)
