"""restcli's SigV4 against botocore's SigV4Auth (clock fixed) on generated requests built
by restcli's own request code: the Authorization headers must be identical.

botocore signs every header but a few; restcli signs host, content-type, date and every
x-amz-* header (as the SDKs for execute-api do). botocore is given the headers restcli
signs, so the comparison is of the canonical request: path, query, header values, body.

Queries are typed raw, as a user types them in PATH (reserved characters, "+", escapes of
unreserved characters, empty segments, "=" in values, spaces, non-ASCII): botocore signs
the query string of the URL restcli sends as it is, so the two agree only when the query
on the wire is already canonical. The spec's verifier (tests/support/sigv4_verify.py,
which decodes then encodes) must accept the same requests.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import pytest
import requests
from botocore.auth import SigV4Auth as BotoSigV4
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from restcli.auth.iam import SigV4Auth
from restcli.errors import UsageError
from restcli.request import build, join_url, parse_item, wire_auth
from tests.support import sigv4_verify

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
KEY, SECRET, TOKEN = "AKIDDIFFTEST", "diff/secret+key=", "diff-session-token"


class Frozen:
    access_key, secret_key = KEY, SECRET

    def __init__(self, token):
        self.token = token


class Source:
    def __init__(self, token):
        self.token = token

    def get(self):
        return Frozen(self.token)


class Profile:
    name = "p"
    mode = "iam"
    headers = ()

    def get(self, key):
        return None


class Redactor:
    def add(self, *a):
        pass


def restcli_prepared(method, endpoint, path, items, token):
    url = join_url(endpoint, path)
    spec = build(Profile(), method, url, [parse_item(i) for i in items], None, Redactor(),
                 "restcli/test", lambda: b"")
    auth = SigV4Auth(Source(token), "eu-west-1", "execute-api", now=lambda: NOW)
    req = requests.Request(spec.method, spec.url, headers=dict(spec.header_items()),
                           data=spec.body, auth=wire_auth(auth, spec))
    return requests.Session().prepare_request(req)


def botocore_authorization(prep, token) -> str:
    signed = prep.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    headers = {}
    for name, value in prep.headers.items():
        if name.lower() in signed and name.lower() not in ("x-amz-date", "x-amz-security-token"):
            headers[name] = value.decode() if isinstance(value, bytes) else value
    body = prep.body or b""
    request = AWSRequest(method=prep.method, url=prep.url, data=body, headers=headers)
    signer = BotoSigV4(Credentials(KEY, SECRET, token), "execute-api", "eu-west-1")
    # add_auth() with the clock fixed: its steps, with the timestamp set first.
    request.context["timestamp"] = NOW.strftime("%Y%m%dT%H%M%SZ")
    signer._modify_request_before_signing(request)
    canonical = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical)
    signature = signer.signature(string_to_sign, request)
    signer._inject_signature_to_request(request, signature)
    return request.headers["Authorization"]


_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8)
_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)
_SEGMENT = st.text(alphabet="abcXYZ019-._~ é;:@!$'()*,=%", min_size=1, max_size=6).filter(
    lambda s: s not in (".", "..")
)


def _canonical(text: str) -> str:
    return quote(text, safe="-._~")


# A query as a user types it: reserved characters, "+", escapes (of unreserved characters
# too, in either case), a stray "%", "=" and "&" anywhere (empty segments, "=" in values).
_RAW_QUERY = st.lists(
    st.sampled_from(list("aZ09-._~!*'(),:/@;$+ =&?é€") + ["%7e", "%7E", "%41", "%2B", "%20",
                                                         "%2f", "%C3%A9", "%", "%zz"]),
    max_size=12,
).map("".join)


@st.composite
def requests_(draw):
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]))
    path = "/" + "/".join(draw(st.lists(_SEGMENT, max_size=3)))
    # A query typed in PATH: canonical pairs, or raw text.
    typed = draw(st.lists(st.tuples(_TEXT, _TEXT, st.booleans()), max_size=3))
    if typed:
        parts = [f"{_canonical(k)}={_canonical(v)}{'=x' if eq else ''}" for k, v, eq in typed]
        path += "?" + "&".join(draw(st.sampled_from(["", "&"])) + p for p in parts)
    elif draw(st.booleans()):
        path += "?" + draw(_RAW_QUERY)
    items = [f"{_canonical(k) or 'k'}=={v}" for k, v in draw(st.lists(st.tuples(_TEXT, _TEXT), max_size=3))]
    items += [f"X-Amz-{n}:{v}" for n, v in draw(st.lists(st.tuples(_NAME, _TEXT), max_size=2))]
    items += [f"X-Amz-Client-Context:{v}" for v in draw(st.lists(_TEXT, max_size=1))]
    if method != "GET":
        items += [f"f{i}={v}" for i, v in enumerate(draw(st.lists(_TEXT, max_size=2)))]
    token = draw(st.sampled_from([None, TOKEN]))
    return method, path, items, token


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests_())
def test_authorization_identical_to_botocore(req):
    method, path, items, token = req
    try:
        prep = restcli_prepared(method, "https://abc123.execute-api.eu-west-1.amazonaws.com/dev",
                                path, items, token)
    except UsageError:
        return  # e.g. a header value holding only whitespace after folding: not a request
    assert prep.headers["Authorization"] == botocore_authorization(prep, token)
    assert spec_verifies(prep, token)


def spec_verifies(prep, token) -> bool:
    """The spec's verifier, reading the request as a server would receive it."""
    parts = urlsplit(prep.url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    headers = [("Host", parts.netloc)] + [
        (n, v.decode() if isinstance(v, bytes) else v) for n, v in prep.headers.items()
    ]
    body = prep.body.encode() if isinstance(prep.body, str) else prep.body
    return bool(sigv4_verify.verify(prep.method, target.encode(), headers, body,
                                    {KEY: (SECRET, token)}, "eu-west-1", "execute-api", NOW))


@pytest.mark.parametrize(
    "typed, sent",
    [
        ("q=a+b", "q=a%20b"),
        ("q=a!b", "q=a%21b"),
        ("q=a*b", "q=a%2Ab"),
        ("q=a,b", "q=a%2Cb"),
        ("q=a:b", "q=a%3Ab"),
        ("q=a/b", "q=a%2Fb"),
        ("q=%7e", "q=~"),
        ("q=%41", "q=A"),
        ("q=a%2Bb", "q=a%2Bb"),
        ("z=1&a=2&&m", "z=1&a=2&m"),
        ("q=a b&r=é", "q=a%20b&r=%C3%A9"),
    ],
)
def test_iam_sends_the_query_canonical_in_the_order_typed(typed, sent):
    prep = restcli_prepared("GET", "https://h.execute-api.eu-west-1.amazonaws.com/dev",
                            "/x?" + typed, [], None)
    assert prep.url.split("?", 1)[1] == sent
    assert prep.headers["Authorization"] == botocore_authorization(prep, None)
    assert spec_verifies(prep, None)


@pytest.mark.parametrize(
    "path, query",
    [("/x?a=1&&b=2&", "a=1&b=2"), ("/x?a=b=c", "a=b%3Dc"), ("/x?=v&k=", "=v&k=")],
)
def test_wire_query_normalised_so_signers_agree(path, query):
    prep = restcli_prepared("GET", "https://h.execute-api.eu-west-1.amazonaws.com/dev", path, [],
                            None)
    assert prep.url.split("?", 1)[1] == query
    assert prep.headers["Authorization"] == botocore_authorization(prep, None)


def test_client_context_and_every_x_amz_header_is_signed():
    prep = restcli_prepared("GET", "https://h.execute-api.eu-west-1.amazonaws.com/dev", "/x",
                            ["X-Amz-Client-Context:e30=", "X-Amz-Target:svc.Op"], TOKEN)
    signed = prep.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert signed == "host;x-amz-client-context;x-amz-date;x-amz-security-token;x-amz-target"
    assert prep.headers["Authorization"] == botocore_authorization(prep, TOKEN)


def test_typed_content_sha256_is_the_payload_hash_signed_as_botocore_does():
    import hashlib

    digest = hashlib.sha256(b'{"a": "1"}').hexdigest()
    for value in (digest, "UNSIGNED-PAYLOAD"):
        prep = restcli_prepared("POST", "https://h.execute-api.eu-west-1.amazonaws.com/dev", "/x",
                                ["a=1", f"X-Amz-Content-SHA256:{value}"], None)
        assert prep.headers["X-Amz-Content-SHA256"] == value
        assert prep.headers["Authorization"] == botocore_authorization(prep, None)


@pytest.mark.parametrize(
    "items, token, words",
    [
        (["X-Amz-Date:yesterday"], None, "not a SigV4 time"),
        (["X-Amz-Security-Token:other"], TOKEN, "differs from the session token"),
        (["a=1", "X-Amz-Content-SHA256:" + "0" * 64], None, "is not the SHA-256 of the body"),
    ],
)
def test_typed_amz_headers_that_cannot_be_signed_are_refused(items, token, words):
    with pytest.raises(UsageError, match=words):
        restcli_prepared("POST", "https://h.execute-api.eu-west-1.amazonaws.com/dev", "/x", items,
                         token)


def test_typed_date_and_token_are_what_is_signed_and_sent():
    prep = restcli_prepared("GET", "https://h.execute-api.eu-west-1.amazonaws.com/dev", "/x",
                            ["X-Amz-Date:20260304T050000Z", f"X-Amz-Security-Token:{TOKEN}"], TOKEN)
    assert prep.headers["X-Amz-Date"] == "20260304T050000Z"
    assert "/20260304/eu-west-1/execute-api/aws4_request" in prep.headers["Authorization"]
