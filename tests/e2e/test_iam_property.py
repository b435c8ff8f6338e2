"""Property: every request restcli can build is signed so that the gateway accepts it,
and the gateway sees the values the user meant.

Random paths (unicode, spaces, `;`, `:`, `=`, `@`, `%2F`, `+`, `*`, `~`, empty and dot
segments), random query items (repeated keys, empty values, reserved characters), random
JSON and binary bodies (from a file, streamed, or stdin) and random extra headers (signed
X-Amz-Meta-* ones with quotes and runs of spaces, and unsigned ones) go through the real
CLI (in-process main()); the gateway's independent verifier (tests/support/sigv4_verify.py) must
accept each one.
"""

from __future__ import annotations

import hashlib
import io
import json
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

KEY, SECRET, TOKEN = "AKIDPROPERTY", "property/secret+", "property-token"

# Segment text: anything but the characters that end a path ('/', '?', '#'), '%' (an
# escape of its own, generated apart), control characters and surrogates.
_SEGMENT_CHARS = st.characters(
    blacklist_categories=("Cc", "Cs"), blacklist_characters="/?#%"
)
_RESERVED = st.sampled_from([";", ":", "=", "@", "+", "*", "~", " ", "&", "$", ",", "'", "!"])
_PIECE = st.one_of(
    st.text(_SEGMENT_CHARS, max_size=6),
    _RESERVED,
    st.just("%2F"),  # an escaped slash: one segment holding '/'
    st.just("%20"),
)
_SEGMENT = st.lists(_PIECE, max_size=4).map("".join).filter(lambda s: s not in (".", ".."))
# A path item: a segment, "." (dropped), or a segment followed by ".." (both dropped),
# so the normalised path never climbs above the API's stage.
_ITEM = st.one_of(
    _SEGMENT.map(lambda s: [s]),
    st.just(["."]),
    _SEGMENT.map(lambda s: [s, ".."]),
)
PATHS = st.lists(_ITEM, max_size=5).map(lambda items: [seg for item in items for seg in item])

_QUERY_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=8)
QUERIES = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(["a", "b", "a b", "k+", "ü"]), _QUERY_TEXT).filter(
            lambda k: k and "=" not in k
        ),
        st.one_of(
            st.just(""), st.sampled_from(["&", "=", "+", "%", "#", "?", "/", "a b"]), _QUERY_TEXT
        ),
    ),
    max_size=5,
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
BODIES = st.one_of(
    st.none(),
    JSON.map(lambda v: ("json", json.dumps(v, ensure_ascii=False))),
    st.tuples(st.sampled_from(["file", "stdin"]), st.binary(max_size=2048)),
)

# Printable ASCII, with quotes (balanced or not) and runs of spaces made likely.
_HEADER_VALUE = (
    st.lists(
        st.one_of(
            st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=6),
            st.sampled_from(['"', "'", "   ", " ", '"a   b"', "\t"]),
        ),
        min_size=1,
        max_size=5,
    )
    .map("".join)
    .filter(lambda v: v.strip())
)
HEADERS = st.dictionaries(
    st.tuples(
        st.sampled_from(["X-Amz-Meta-", "X-Test-"]),
        st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8),
    ).map("".join),
    _HEADER_VALUE,
    max_size=3,
)


def remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4 for an absolute path."""
    out: list[str] = []
    segments = path.split("/")[1:]
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
        elif seg == "..":
            if len(out) > 1 or (out and out[0] != ""):
                out.pop()
            if last:
                out.append("")
        else:
            out.append(seg)
    return "/" + "/".join(out)


def meant_path(segments: list[str]) -> str:
    """The path the user meant, decoded as the gateway reports it."""
    raw = "/iam/p" + "".join("/" + s for s in segments)
    return unquote(remove_dot_segments(raw))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(segments=PATHS, queries=QUERIES, body=BODIES, headers=HEADERS)
def test_random_requests_are_accepted_as_meant(
    cli, write_config, gateway, monkeypatch, tmp_path, segments, queries, body, headers
):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    gateway.credentials = {KEY: (SECRET, TOKEN)}
    config = write_config(
        f'[profiles.api]\nendpoint = "{gateway.url}/iam"\nregion = "us-east-1"\ntimeout = 5\n'
    )
    path = "/p" + "".join("/" + s for s in segments)
    args = ["--config", config, "post" if body else "get", "api", path]
    for key, value in queries:
        args += ["-q", f"{key}={value}"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    sent = b""
    if body:
        kind, payload = body
        if kind == "json":
            args += ["-d", payload]
            sent = payload.encode("utf-8")
        elif kind == "file":  # streamed from disk
            file = tmp_path / "body.bin"
            file.write_bytes(payload)
            args += ["-d", f"@{file}"]
            sent = payload
        else:  # read whole from stdin: a bytes body
            monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(payload)))
            args += ["-d", "@-"]
            sent = payload
    gateway.clear()

    r = cli(*args)

    assert r.code == 0, (args, r.stderr, r.out[:2000])
    echo = r.json()
    assert echo["principal"] == KEY
    assert echo["path"] == meant_path(segments)
    assert [tuple(q) for q in echo["query"]] == [(k, v) for k, v in queries]
    assert echo["body_sha256"] == hashlib.sha256(sent).hexdigest()
    assert echo["body_length"] == len(sent)
    for name, value in headers.items():
        assert echo["headers"][name.lower()] == value.strip()
    assert len(gateway.received) == 1  # accepted first time, no retry
