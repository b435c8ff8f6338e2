"""The AWS SigV4 test suite (../shared/sigv4-testsuite) through restcli's signer.

Each vector's request is turned into a requests PreparedRequest and signed by
restcli.aws.sigv4.Signer (the subclass SigV4Auth signs with); the Authorization header
must equal `.authz`, and the canonical request `.creq` (a mismatch there says which part
is wrong). The URL of the prepared request is set to the vector's request target exactly
as written: the vectors describe what is on the wire, and requests would otherwise
percent-encode raw spaces and UTF-8 (get-space, get-utf8, get-vanilla-utf8-query) first.

The vectors sign every header of their requests, so the signer is asked to include every
header ("*"); restcli's default set is requests-aws4auth's (host, content-type, date and
x-amz-*), the choice of which headers to sign, not how each is canonicalised.

Representations that requests imposes (still signed through the same path):
- get-header-key-duplicate, get-header-value-order: requests holds one value per header
  name, so repeated headers are given as one comma-joined value in the order received,
  which is what HTTP defines them to mean and what the canonical form joins them into.
- get-header-value-multiline: requests refuses to send a folded header, but the signer
  must still fold it: the value (with its line breaks) is set on the prepared request.
- get-vanilla-with-session-token: the token is named in `.sreq` (the signed request); it
  is passed as the session token, as restcli does with temporary credentials.

Skipped, and why (SKIPPED below):
- post-sts-token/post-sts-header-after: the token is added after signing and is not in
  SignedHeaders. restcli always signs the session token (API Gateway accepts both forms,
  and a signed token cannot be swapped in transit); its pair post-sts-header-before,
  with the token signed, runs.
No vector is S3-specific, so none is skipped for that.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from restcli.aws.sigv4 import Signer

SUITE = Path(__file__).resolve().parents[3] / "shared" / "sigv4-testsuite"
if not SUITE.is_dir():  # the suite lives beside the repository (../shared)
    SUITE = Path("/work/shared/sigv4-testsuite")

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
SERVICE = "service"

SKIPPED = {
    "post-sts-header-after": (
        "the session token is added after signing (not in SignedHeaders); restcli always "
        "signs the token"
    ),
}


def _vectors() -> list[Path]:
    return sorted(p.parent / p.stem for p in SUITE.rglob("*.req"))


def _params():
    for base in _vectors():
        marks = [pytest.mark.skip(reason=SKIPPED[base.name])] if base.name in SKIPPED else []
        yield pytest.param(base, id=str(base.relative_to(SUITE)), marks=marks)


def parse_request(text: str) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """(method, target, headers, body) of a .req/.sreq file; folded lines kept in the value."""
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    method, rest = lines[0].split(" ", 1)
    target = rest.rsplit(" HTTP/", 1)[0]
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + "\n" + line)
        elif line:
            name, _, value = line.partition(":")
            headers.append((name, value))
    return method, target, headers, body.encode("utf-8")


def joined(headers: list[tuple[str, str]]) -> CaseInsensitiveDict:
    out: dict[str, tuple[str, list[str]]] = {}
    for name, value in headers:
        out.setdefault(name.lower(), (name, []))[1].append(value.strip())
    return CaseInsensitiveDict({name: ",".join(values) for name, values in out.values()})


def prepared(method: str, target: str, headers: CaseInsensitiveDict, body: bytes):
    host = headers["Host"]
    prep = requests.Request(method, f"http://{host}/", data=body or None).prepare()
    prep.url = f"http://{host}{target}"
    # Exactly the vector's headers: requests' own Content-Length is not in them.
    prep.headers = CaseInsensitiveDict(headers)
    return prep


def test_the_suite_is_there():
    names = {p.name for p in _vectors()}
    assert len(names) >= 30, f"expected the whole suite in {SUITE}"
    assert set(SKIPPED) <= names


@pytest.mark.parametrize("base", list(_params()))
def test_vector(base: Path):
    name = base.name
    method, target, headers, body = parse_request(base.with_suffix(".req").read_text("utf-8"))
    _, _, signed_headers, _ = parse_request(base.with_suffix(".sreq").read_text("utf-8"))
    token = joined(signed_headers).get("X-Amz-Security-Token")
    hdrs = joined(headers)
    hdrs.pop("X-Amz-Security-Token", None)  # the signer adds the token it is given

    prep = prepared(method, target, hdrs, body)
    signer = Signer(
        ACCESS_KEY, SECRET_KEY, REGION, SERVICE, session_token=token, include_headers={"*"}
    )
    signer(prep)

    expected_creq = base.with_suffix(".creq").read_text("utf-8").strip("\n")
    expected_authz = base.with_suffix(".authz").read_text("utf-8").strip()
    assert signer.canonical_request == expected_creq, name
    assert prep.headers["Authorization"] == expected_authz, name
    if token:
        assert prep.headers["X-Amz-Security-Token"] == token
