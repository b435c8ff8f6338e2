"""An independent AWS Signature Version 4 verifier (server side), for tests.

Written from the documented algorithm
(https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)
and checked against the AWS SigV4 test suite; it deliberately imports nothing
from ``restcli``, ``botocore`` or ``requests_aws4auth`` so that it can judge
their output independently.

It looks at a request the way a server sees it on the wire:

* ``raw_target`` is the request target exactly as received (``bytes``, or a
  ``str`` holding one character per byte as ``http.server`` delivers it;
  characters above U+00FF are taken as UTF-8).
* the canonical URI is the *wire* path with dot segments removed and
  duplicate slashes collapsed (as every non-S3 service does), then
  URI-encoded once more: every byte except ``A-Za-z0-9-._~`` and ``/`` is
  percent-encoded, so an escape received on the wire is encoded again
  (``%2F`` -> ``%252F``, a raw space -> ``%20``, ``$`` -> ``%24``).  This is
  what the test vectors (get-space, get-special-character, get-utf8) and
  the AWS SDKs do.
* the canonical query follows the spec's text: each name and value is
  percent-decoded and URI-encoded (RFC 3986 unreserved kept), sorted by
  encoded key then encoded value; a parameter without ``=`` gets an empty
  value.  ``+`` is an ordinary character here (``%2B``), not a space: the
  spec says nothing of form encoding, and this verifier must not share the
  signer's reading of it.  restcli sends the query already canonical in iam
  mode, where the two readings agree.
* header names are lower-cased, values trimmed with inner whitespace runs
  (including folded-line breaks) reduced to one space, and repeated headers
  joined with ``,`` in the order received.

``verify`` returns a :class:`VerifyResult` carrying the error type and
message Amazon API Gateway sends for each kind of failure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

__all__ = [
    "ALGORITHM",
    "SIGNATURE_MISMATCH_MESSAGE",
    "VerifyResult",
    "canonical_headers",
    "canonical_query",
    "canonical_request",
    "canonical_uri",
    "normalize_path",
    "parse_authorization",
    "sign",
    "signing_key",
    "string_to_sign",
    "uri_encode",
    "verify",
]

ALGORITHM = "AWS4-HMAC-SHA256"
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

MISSING_TOKEN = "MissingAuthenticationTokenException"
UNRECOGNIZED = "UnrecognizedClientException"
INVALID_SIGNATURE = "InvalidSignatureException"
INCOMPLETE_SIGNATURE = "IncompleteSignatureException"

MISSING_TOKEN_MESSAGE = "Missing Authentication Token"
INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid."
SIGNATURE_MISMATCH_MESSAGE = (
    "The request signature we calculated does not match the signature you "
    "provided. Check your AWS Secret Access Key and signing method. Consult "
    "the service documentation for details."
)

_UNRESERVED = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
)
_HEX = b"0123456789ABCDEFabcdef"
_WS_RUN = re.compile(r"\s+")

Headers = Sequence[tuple[str, str]]
Credentials = Mapping[str, tuple[str, str | None] | str]


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    error_type: str = ""
    message: str = ""
    access_key: str | None = None
    region: str | None = None
    service: str | None = None
    status: int = 200
    canonical_request: str = ""
    string_to_sign: str = ""

    def __bool__(self) -> bool:
        return self.ok


def _fail(error_type: str, message: str, **kw) -> VerifyResult:
    return VerifyResult(False, error_type, message, status=403, **kw)


# --------------------------------------------------------------------------
# canonical request pieces


def _to_bytes(value: str | bytes) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")


def uri_encode(data: str | bytes, safe: bytes = b"") -> str:
    """Percent-encode every byte except A-Za-z0-9-._~ (and ``safe``)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    keep = _UNRESERVED | frozenset(safe)
    return "".join(chr(b) if b in keep else f"%{b:02X}" for b in data)


def _percent_decode(data: bytes) -> bytes:
    """Decode %XX escapes; a '%' not followed by two hex digits stays as is."""
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        c = data[i]
        if c == 0x25 and i + 2 < n and data[i + 1] in _HEX and data[i + 2] in _HEX:
            out.append(int(data[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(c)
            i += 1
    return bytes(out)


def split_target(raw_target: str | bytes) -> tuple[bytes, bytes]:
    """Split a raw request target into (path, query) bytes."""
    target = _to_bytes(raw_target)
    if b"#" in target:
        target = target.split(b"#", 1)[0]
    lower = target[:8].lower()
    if lower.startswith(b"http://") or lower.startswith(b"https://"):
        # absolute-form (as sent to proxies): drop scheme and authority
        rest = target.split(b"://", 1)[1]
        slash = rest.find(b"/")
        qmark = rest.find(b"?")
        if slash == -1 or (qmark != -1 and qmark < slash):
            target = b"/" + (rest[qmark:] if qmark != -1 else b"")
        else:
            target = rest[slash:]
    path, _, query = target.partition(b"?")
    if not path.startswith(b"/"):
        path = b"/" + path
    return path, query


def normalize_path(raw_path: str | bytes) -> bytes:
    """Remove '.'/'..' segments and empty segments (duplicate slashes).

    Works on the wire form (escapes are not decoded).  A trailing slash is
    kept when the input ends with one, as in the normalize-path vectors.
    """
    path = _to_bytes(raw_path)
    out: list = []
    for seg in path.split(b"/"):
        if seg in (b"", b"."):
            continue
        if seg == b"..":
            if out:
                out.pop()
            continue
        out.append(seg)
    result = b"/" + b"/".join(out)
    if out and path.endswith(b"/"):
        result += b"/"
    return result


def canonical_uri(raw_path: str | bytes) -> str:
    return uri_encode(normalize_path(raw_path), safe=b"/")


def query_pairs(raw_query: str | bytes) -> list:
    """Percent-decoded (key, value) byte pairs of a raw query string ('+' is a '+')."""
    pairs = []
    for part in _to_bytes(raw_query).split(b"&"):
        if not part:
            continue
        key, _, value = part.partition(b"=")
        pairs.append((_percent_decode(key), _percent_decode(value)))
    return pairs


def canonical_query(raw_query: str | bytes) -> str:
    encoded = [(uri_encode(k), uri_encode(v)) for k, v in query_pairs(raw_query)]
    encoded.sort()
    return "&".join(f"{k}={v}" for k, v in encoded)


def _header_value(value: str | bytes) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "surrogateescape")
    return _WS_RUN.sub(" ", value).strip()


def _header_map(headers: Iterable[tuple[str, str]]) -> dict:
    joined: dict = {}
    for name, value in headers:
        joined.setdefault(name.strip().lower(), []).append(_header_value(value))
    return {k: ",".join(v) for k, v in joined.items()}


def _get_header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    name = name.lower()
    values = [v for k, v in headers if k.strip().lower() == name]
    if not values:
        return None
    return ",".join(_header_value(v) for v in values)


def canonical_headers(headers: Iterable[tuple[str, str]], signed_headers: Sequence[str]) -> str:
    hmap = _header_map(headers)
    return "".join(f"{name}:{hmap.get(name, '')}\n" for name in signed_headers)


def canonical_request(
    method: str,
    raw_target: str | bytes,
    headers: Headers,
    body: bytes | None = b"",
    signed_headers: Sequence[str] | None = None,
    payload_hash: str | None = None,
) -> str:
    """The canonical request, as a str (encode with UTF-8/surrogateescape).

    ``signed_headers`` defaults to the SignedHeaders of the Authorization
    header in ``headers`` (or, without one, every header).  ``payload_hash``
    defaults to the SHA-256 of ``body``.
    """
    if signed_headers is None:
        auth = _get_header(headers, "authorization")
        parsed = parse_authorization(auth) if auth else None
        if parsed and parsed.get("SignedHeaders"):
            signed_headers = parsed["SignedHeaders"].split(";")
        else:
            signed_headers = sorted(
                {k.strip().lower() for k, _ in headers if k.lower() != "authorization"}
            )
    if payload_hash is None:
        payload_hash = hashlib.sha256(body or b"").hexdigest()
    path, query = split_target(raw_target)
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(query),
            canonical_headers(headers, signed_headers),
            ";".join(signed_headers),
            payload_hash,
        ]
    )


def string_to_sign(amz_date: str, scope: str, creq: str) -> str:
    digest = hashlib.sha256(creq.encode("utf-8", "surrogateescape")).hexdigest()
    return "\n".join([ALGORITHM, amz_date, scope, digest])


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode("utf-8")
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def sign(secret: str, date: str, region: str, service: str, sts: str) -> str:
    key = signing_key(secret, date, region, service)
    return hmac.new(key, sts.encode("utf-8"), hashlib.sha256).hexdigest()


def parse_authorization(value: str) -> dict | None:
    """Split 'AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...'.

    Returns a dict with 'algorithm' and the key=value parameters, or None
    when a parameter lacks '='.
    """
    value = value.strip()
    algorithm, _, rest = value.partition(" ")
    result = {"algorithm": algorithm}
    for part in rest.split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            return None
        key, _, val = part.partition("=")
        result[key.strip()] = val.strip()
    return result


# --------------------------------------------------------------------------
# verification


def _as_utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def _fmt(dt: datetime) -> str:
    return dt.strftime(AMZ_DATE_FORMAT)


def verify(
    method: str,
    raw_target: str | bytes,
    headers: Headers,
    body: bytes | None,
    credentials: Credentials,
    region: str | None,
    service: str | None,
    now: datetime,
    window: timedelta = timedelta(minutes=5),
    *,
    payload_hash: str | None = None,
    require_signed_token: bool = True,
) -> VerifyResult:
    """Verify a SigV4-signed request (Authorization header form).

    ``credentials`` maps access key id -> (secret, session_token or None)
    (a bare secret string is accepted too).  ``region``/``service`` None
    accept any scope.  ``payload_hash`` may replace ``body`` when the body
    was hashed while streaming.  With ``require_signed_token`` (default) the
    X-Amz-Security-Token header must be in SignedHeaders.
    """
    headers = list(headers)
    now = _as_utc(now)
    auth = _get_header(headers, "authorization")
    if auth is None or not auth.strip():
        return _fail(MISSING_TOKEN, MISSING_TOKEN_MESSAGE)

    parsed = parse_authorization(auth)
    if parsed is None:
        digest = base64.b64encode(hashlib.sha256(auth.encode("utf-8")).digest()).decode()
        return _fail(
            INCOMPLETE_SIGNATURE,
            "Invalid key=value pair (missing equal-sign) in Authorization header "
            f"(hashed with SHA-256 and encoded with Base64): '{digest}'.",
        )

    amz_date_raw = _get_header(headers, "x-amz-date")
    date_raw = _get_header(headers, "date")
    problems = [
        f"Authorization header requires '{p}' parameter."
        for p in ("Credential", "Signature", "SignedHeaders")
        if not parsed.get(p)
    ]
    if amz_date_raw is None and date_raw is None:
        problems.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if problems:
        return _fail(INCOMPLETE_SIGNATURE, " ".join(problems) + f" Authorization={auth}")
    if parsed["algorithm"] != ALGORITHM:
        return _fail(
            INCOMPLETE_SIGNATURE,
            f"Unsupported AWS 'algorithm': '{parsed['algorithm']}'.",
        )

    cred_parts = parsed["Credential"].split("/")
    if len(cred_parts) != 5:
        return _fail(
            INCOMPLETE_SIGNATURE,
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            f"keyid/date/region/service/term, got '{parsed['Credential']}'",
        )
    access_key, scope_date, scope_region, scope_service, terminator = cred_parts
    info = dict(access_key=access_key, region=scope_region, service=scope_service)
    if terminator != "aws4_request":
        return _fail(
            INCOMPLETE_SIGNATURE,
            f"Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'.",
            **info,
        )

    # request time
    if amz_date_raw is not None:
        try:
            req_time = datetime.strptime(amz_date_raw, AMZ_DATE_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            return _fail(
                INCOMPLETE_SIGNATURE,
                f"Date must be in ISO-8601 'basic format'. Got '{amz_date_raw}'. "
                "See http://en.wikipedia.org/wiki/ISO_8601",
                **info,
            )
    else:
        try:
            req_time = _as_utc(parsedate_to_datetime(date_raw))
        except (TypeError, ValueError):
            return _fail(
                INCOMPLETE_SIGNATURE,
                f"Date must be in RFC 1123 format. Got '{date_raw}'.",
                **info,
            )
    amz_date = _fmt(req_time)
    if scope_date != amz_date[:8]:
        return _fail(
            INVALID_SIGNATURE,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
            f"of date from HTTP: '{scope_date}' != '{amz_date[:8]}', from '{amz_date}'.",
            **info,
        )

    if region is not None and scope_region != region:
        return _fail(
            INVALID_SIGNATURE,
            f"Credential should be scoped to a valid region, not '{scope_region}'.",
            **info,
        )
    if service is not None and scope_service != service:
        return _fail(
            INVALID_SIGNATURE,
            f"Credential should be scoped to correct service: '{service}'.",
            **info,
        )

    signed = parsed["SignedHeaders"].split(";")
    if "host" not in signed:
        return _fail(
            INCOMPLETE_SIGNATURE,
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
            **info,
        )

    # credentials
    entry = credentials.get(access_key)
    if entry is None:
        return _fail(UNRECOGNIZED, INVALID_TOKEN_MESSAGE, **info)
    if isinstance(entry, str):
        secret, session_token = entry, None
    else:
        secret, session_token = entry[0], (entry[1] if len(entry) > 1 else None)
    sent_token = _get_header(headers, "x-amz-security-token")
    if session_token is None:
        if sent_token is not None:
            return _fail(UNRECOGNIZED, INVALID_TOKEN_MESSAGE, **info)
    else:
        if sent_token is None or not hmac.compare_digest(
            sent_token.encode("utf-8", "surrogateescape"),
            session_token.encode("utf-8", "surrogateescape"),
        ):
            return _fail(UNRECOGNIZED, INVALID_TOKEN_MESSAGE, **info)
        if require_signed_token and "x-amz-security-token" not in signed:
            return _fail(
                INCOMPLETE_SIGNATURE,
                "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.",
                **info,
            )

    # clock window
    earliest, latest = now - window, now + window
    minutes = f"{int(window.total_seconds() // 60)} min."
    if req_time < earliest:
        return _fail(
            INVALID_SIGNATURE,
            f"Signature expired: {amz_date} is now earlier than {_fmt(earliest)} "
            f"({_fmt(now)} - {minutes})",
            **info,
        )
    if req_time > latest:
        return _fail(
            INVALID_SIGNATURE,
            f"Signature not yet current: {amz_date} is still later than {_fmt(latest)} "
            f"({_fmt(now)} + {minutes})",
            **info,
        )

    # payload
    if payload_hash is None:
        payload_hash = hashlib.sha256(body or b"").hexdigest()
    declared = _get_header(headers, "x-amz-content-sha256")
    if declared is not None and declared.lower() != payload_hash:
        return _fail(
            INVALID_SIGNATURE,
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            **info,
        )

    creq = canonical_request(method, raw_target, headers, signed_headers=signed, payload_hash=payload_hash)
    scope = "/".join([scope_date, scope_region, scope_service, "aws4_request"])
    sts = string_to_sign(amz_date, scope, creq)
    expected = sign(secret, scope_date, scope_region, scope_service, sts)
    info.update(canonical_request=creq, string_to_sign=sts)
    if not hmac.compare_digest(expected, parsed["Signature"].lower()):
        return _fail(INVALID_SIGNATURE, SIGNATURE_MISMATCH_MESSAGE, **info)
    return VerifyResult(True, **info)
