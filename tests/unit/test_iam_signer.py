"""restcli's SigV4 signer: one test per requests-aws4auth 1.4.0 defect, bodies, threads, refresh.

Every signed request is judged by the independent verifier (tests/support/sigv4_verify.py) as a
server would see it on the wire: the request target is requests' path_url (no fragment),
the Host header what http.client sends.
"""

from __future__ import annotations

import hashlib
import io
import sys
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import requests
from requests_aws4auth import AWS4Auth

from restcli.auth.iam import SigV4Auth
from restcli.aws.credentials import BotoSource, Frozen
from restcli.aws.sigv4 import CHUNK, INCLUDE_HEADERS, Signer
from tests.support import sigv4_verify

KEY, SECRET, TOKEN = "AKIDRESTCLI", "secret/with+chars=", "token//with+chars=="
REGION, SERVICE = "eu-west-1", "execute-api"
NOW = datetime(2025, 11, 26, 12, 0, 0, tzinfo=UTC)


def prepare(method="GET", url="https://api.example.com/prod/items", headers=None, data=None):
    return requests.Request(method, url, headers=headers or {}, data=data).prepare()


def sign(prep, token=None, key=KEY, secret=SECRET, now=NOW):
    signer = Signer(key, secret, REGION, SERVICE, session_token=token, now=lambda: now)
    signer(prep)
    return signer


def wire_body(prep) -> bytes:
    body = prep.body
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes):
        return body
    pos = body.tell()
    data = body.read()
    body.seek(pos)
    return data


def verify(prep, credentials=None, now=NOW):
    """The verifier's judgement of the request as it goes on the wire."""
    headers = [("Host", urlsplit(prep.url).netloc)] + list(prep.headers.items())
    return sigv4_verify.verify(
        prep.method,
        prep.path_url,
        headers,
        wire_body(prep),
        credentials or {KEY: (SECRET, None)},
        REGION,
        SERVICE,
        now,
    )


def canonical_lines(signer) -> list[str]:
    return signer.canonical_request.split("\n")


def signed_headers(prep) -> list[str]:
    return prep.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")


def key_of(prep) -> str:
    return prep.headers["Authorization"].split("Credential=")[1].split("/")[0]


# -- the defects of requests-aws4auth 1.4.0, one test each ---------------------------


def test_semicolon_in_last_path_segment_is_signed():
    prep = prepare(url="https://api.example.com/prod/items/a;b=1")
    signer = sign(prep)
    assert canonical_lines(signer)[1] == "/prod/items/a%3Bb%3D1"
    assert verify(prep), verify(prep).message


def test_fragment_is_not_in_the_signed_query():
    prep = prepare(url="https://api.example.com/prod/items?b=2&a=1#section")
    assert prep.url.endswith("#section")  # requests keeps it; it is never sent
    signer = sign(prep)
    assert canonical_lines(signer)[2] == "a=1&b=2"
    assert verify(prep), verify(prep).message


def test_runs_of_spaces_inside_quotes_are_folded():
    prep = prepare(headers={"X-Amz-Meta-Note": '"a   b"   c', "Content-Type": 'x/y; q="1   2"'})
    signer = sign(prep)
    lines = canonical_lines(signer)
    assert 'x-amz-meta-note:"a b" c' in lines
    assert 'content-type:x/y; q="1 2"' in lines
    assert verify(prep), verify(prep).message


def test_unbalanced_quote_in_a_header_value_is_signed():
    prep = prepare(headers={"X-Amz-Meta-Note": 'it"s   open'})
    signer = sign(prep)  # 1.4.0: ValueError("No closing quotation") from shlex
    assert 'x-amz-meta-note:it"s open' in canonical_lines(signer)
    assert verify(prep), verify(prep).message


def test_date_header_without_x_amz_date():
    date = "Wed, 26 Nov 2025 12:00:00 GMT"
    prep = prepare(headers={"Date": date})
    sign(prep)  # 1.4.0: KeyError('x-amz-date')
    assert prep.headers["X-Amz-Date"] == "20251126T120000Z"
    assert prep.headers["Date"] == date
    assert "date" in signed_headers(prep)
    assert verify(prep), verify(prep).message


def test_str_body_keeps_its_content_type():
    prep = prepare("POST", headers={"Content-Type": "text/plain"})
    prep.body = "héllo wörld"
    prep.headers["Content-Length"] = str(len(prep.body.encode("utf-8")))
    signer = sign(prep)
    assert prep.headers["Content-Type"] == "text/plain"  # 1.4.0: "text/plain; charset=utf-8"
    assert prep.body == "héllo wörld".encode()
    assert signer.payload_hash == hashlib.sha256("héllo wörld".encode()).hexdigest()
    assert verify(prep), verify(prep).message


def test_str_body_in_a_declared_charset():
    prep = prepare("POST", headers={"Content-Type": "text/plain; charset=latin-1"})
    prep.body = "café"
    sign(prep)
    assert prep.body == "café".encode("latin-1")
    assert prep.headers["Content-Type"] == "text/plain; charset=latin-1"
    assert verify(prep), verify(prep).message


def test_session_token_does_not_change_shared_defaults():
    before_base = set(AWS4Auth.default_include_headers)
    before_ours = set(Signer.default_include_headers)
    with_token = Signer(KEY, SECRET, REGION, SERVICE, session_token=TOKEN)
    without = Signer(KEY, SECRET, REGION, SERVICE)
    assert set(AWS4Auth.default_include_headers) == before_base
    assert set(Signer.default_include_headers) == before_ours
    assert "x-amz-security-token" not in before_base | before_ours
    assert without.include_hdrs == set(INCLUDE_HEADERS)
    assert with_token.include_hdrs == set(INCLUDE_HEADERS)  # x-amz-* covers the token


# -- session token, dates, redirects -------------------------------------------------


def test_session_token_is_sent_and_signed():
    prep = prepare()
    sign(prep, token=TOKEN)
    assert prep.headers["X-Amz-Security-Token"] == TOKEN
    assert "x-amz-security-token" in signed_headers(prep)
    assert verify(prep, {KEY: (SECRET, TOKEN)}), verify(prep, {KEY: (SECRET, TOKEN)}).message
    # and the verifier does check it: the same request without it is refused
    assert not verify(prep, {KEY: (SECRET, "another-token")})


def test_signature_is_dated_now_and_scoped():
    prep = prepare()
    sign(prep, now=NOW)
    assert prep.headers["X-Amz-Date"] == "20251126T120000Z"
    scope = f"Credential={KEY}/20251126/{REGION}/{SERVICE}/aws4_request"
    assert scope in prep.headers["Authorization"]
    assert not verify(prep, now=NOW + timedelta(minutes=6))  # the window is the server's


def test_date_change_between_requests_regenerates_the_key():
    auth = SigV4Auth(_Static(Frozen(KEY, SECRET)), REGION, SERVICE, now=lambda: clock[0])
    clock = [datetime(2025, 11, 26, 23, 59, 59, tzinfo=UTC)]
    first = auth(prepare())
    assert verify(first, now=clock[0])
    clock[0] += timedelta(seconds=2)
    second = auth(prepare())
    assert "/20251127/" in second.headers["Authorization"]
    assert verify(second, now=clock[0]), verify(second, now=clock[0]).message


def test_each_hop_is_signed_for_its_own_url():
    auth = SigV4Auth(_Static(Frozen(KEY, SECRET)), REGION, SERVICE, now=lambda: NOW)
    a = auth(prepare(url="https://api.example.com/prod/a"))
    b = auth(prepare(url="https://api.example.com/prod/b"))
    assert a.headers["Authorization"] != b.headers["Authorization"]
    assert verify(a) and verify(b)


# -- bodies ---------------------------------------------------------------------------


def test_bytes_body_is_hashed_as_bytes():
    data = bytes(range(256)) * 3  # not UTF-8
    prep = prepare("PUT", data=data)
    signer = sign(prep)
    assert prep.body is data or prep.body == data
    assert signer.payload_hash == hashlib.sha256(data).hexdigest()
    assert verify(prep), verify(prep).message


class Recorder(io.BufferedReader):
    """A file that records each read size, so whole-file reads are visible."""

    def __init__(self, raw):
        super().__init__(raw)
        self.sizes: list[int] = []

    def read(self, size=-1):
        self.sizes.append(size)
        return super().read(size)


def test_file_body_is_hashed_in_chunks_rewound_and_left_to_stream(tmp_path):
    data = (b"0123456789abcdef" * 65536) + b"tail"  # 1 MiB and a bit: several chunks
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    with Recorder(io.FileIO(path, "rb")) as body:
        prep = prepare("POST", data=body)
        assert prep.headers["Content-Length"] == str(len(data))
        signer = sign(prep)
        assert prep.body is body  # still the file: requests streams it
        assert body.tell() == 0  # rewound for sending
        assert body.sizes and all(0 < s <= CHUNK for s in body.sizes)  # never read(-1)
        assert len(body.sizes) == len(data) // CHUNK + 2  # one pass (last read is empty)
        assert signer.payload_hash == hashlib.sha256(data).hexdigest()
        assert "Transfer-Encoding" not in prep.headers
        assert verify(prep), verify(prep).message


def test_stream_that_cannot_rewind_is_sent_from_memory():
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self._data = io.BytesIO(data)

        def readable(self):
            return True

        def seekable(self):
            return False

        def readinto(self, b):
            chunk = self._data.read(len(b))
            b[: len(chunk)] = chunk
            return len(chunk)

    data = b"streamed body" * 1000
    prep = prepare("POST", data=io.BufferedReader(Pipe(data)))
    sign(prep)
    assert prep.body == data
    assert prep.headers["Content-Length"] == str(len(data))
    assert "Transfer-Encoding" not in prep.headers
    assert verify(prep), verify(prep).message


# -- threads and refreshed credentials -------------------------------------------------


class _Static:
    def __init__(self, frozen):
        self.frozen = frozen

    def get(self):
        return self.frozen


class Rotating:
    """Credentials that change on every read, as refreshing ones do (more often)."""

    def __init__(self):
        self.n = 0
        self.lock = threading.Lock()
        self.issued: dict[str, tuple[str, str]] = {}

    def get(self) -> Frozen:
        with self.lock:
            self.n += 1
            n = self.n
        frozen = Frozen(f"AKIDGEN{n:06d}", f"secret-{n}", f"token-{n}")
        self.issued[frozen.access_key] = (frozen.secret_key, frozen.token)
        return frozen


def test_one_auth_shared_by_threads_never_mixes_credentials():
    source = Rotating()
    auth = SigV4Auth(source, REGION, SERVICE, now=lambda: NOW)
    results: list = []
    errors: list = []

    def work(i):
        try:
            for j in range(40):
                prep = prepare("POST", url=f"https://api.example.com/prod/t{i}/{j}", data=b"x" * j)
                results.append(auth(prep))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # interleave as much as the interpreter allows
    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert not errors
    assert len(results) == 320
    for prep in results:
        result = verify(prep, source.issued)
        assert result, result.message
        # the token sent is the one issued with the key id that signed
        assert source.issued[result.access_key][1] == prep.headers["X-Amz-Security-Token"]


def test_refreshable_credentials_are_read_frozen_for_every_signing():
    from botocore.credentials import RefreshableCredentials

    issued: dict[str, tuple[str, str]] = {}
    counter = [0]

    def metadata():
        counter[0] += 1
        n = counter[0]
        issued[f"ASIAGEN{n:05d}"] = (f"s{n}", f"t{n}")
        # inside botocore's mandatory refresh window: every read refreshes
        expiry = datetime.now(UTC) + timedelta(minutes=5)
        return {
            "access_key": f"ASIAGEN{n:05d}",
            "secret_key": f"s{n}",
            "token": f"t{n}",
            "expiry_time": expiry.isoformat(),
        }

    creds = RefreshableCredentials.create_from_metadata(metadata(), metadata, "test")
    auth = SigV4Auth(BotoSource(None, creds, "test"), REGION, SERVICE, now=lambda: NOW)
    first = auth(prepare())
    second = auth(prepare())
    assert key_of(first) != key_of(second)  # refreshed between the two
    assert first.headers["X-Amz-Security-Token"] == issued[key_of(first)][1]
    assert second.headers["X-Amz-Security-Token"] == issued[key_of(second)][1]
    assert verify(first, issued) and verify(second, issued)


def test_secrets_are_handed_to_the_redactor():
    seen: list = []
    auth = SigV4Auth(_Static(Frozen(KEY, SECRET, TOKEN)), REGION, SERVICE, on_secret=seen.append)
    auth(prepare())
    assert SECRET in seen and TOKEN in seen
    assert SECRET not in repr(Frozen(KEY, SECRET, TOKEN)) and TOKEN not in repr(auth)


def test_sensitive_headers_are_declared():
    assert SigV4Auth.sensitive_headers == (
        "Authorization",
        "X-Amz-Security-Token",
        "X-Amz-Date",
        "X-Amz-Content-SHA256",
    )


@pytest.mark.parametrize(
    "url, canonical",
    [
        ("https://h.example.com/a b/ü", "/a%2520b/%25C3%25BC"),  # requests escapes, then again
        ("https://h.example.com/a%2Fb", "/a%252Fb"),
        ("https://h.example.com/p/./q/../r", "/p/r"),
        ("https://h.example.com/x:y@z=+*~", "/x%3Ay%40z%3D%2B%2A~"),
    ],
)
def test_path_is_encoded_again_per_segment(url, canonical):
    prep = prepare(url=url)
    signer = sign(prep)
    assert canonical_lines(signer)[1] == canonical
    assert verify(prep), verify(prep).message


def test_query_is_decoded_reencoded_and_sorted():
    prep = prepare(url="https://h.example.com/?b=2&a=%7e&a=1&empty&sp=a%20b&plus=%2B&u=%C3%BC&k=")
    signer = sign(prep)
    assert canonical_lines(signer)[2] == "a=1&a=~&b=2&empty=&k=&plus=%2B&sp=a%20b&u=%C3%BC"
    assert verify(prep), verify(prep).message
