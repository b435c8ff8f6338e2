"""Hostile bodies, fuzzed input and many invocations: always an exit code and one line."""

from __future__ import annotations

import os
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _one_clean_line(result):
    assert "Traceback" not in result.stderr
    if result.code:
        errors = [line for line in result.stderr.splitlines() if line.startswith("restcli: error")]
        assert len(errors) == 1 or result.code == 2, result.stderr


@pytest.mark.parametrize(
    "path, flags",
    [
        ("/nested?depth=100000", ()),
        ("/nested?depth=100000", ("--json",)),
        ("/fake-json", ("--json",)),
        ("/invalid-utf8", ()),
        ("/invalid-utf8", ("--json",)),
        ("/binary", ("--json",)),
    ],
)
def test_hostile_bodies_into_pipe_are_passed_through(cli, profiles, gateway, path, flags):
    r = cli("get", "open", path, *flags)
    assert r.code == 0, r.stderr
    assert r.stdout
    _one_clean_line(r)


def test_filter_on_deeply_nested_json_is_clean_error(cli, profiles, gateway):
    r = cli("get", "open", "/nested", "depth==100000", "-f", "a")
    assert r.code == 1
    _one_clean_line(r)


def test_slow_byte_by_byte_body_completes(cli, profiles, gateway, tmp_path):
    out = tmp_path / "slow.bin"
    r = cli("get", "open", "/slow", "n==20", "delay==0.01", "-o", out)
    assert r.code == 0
    assert out.stat().st_size == 20


def test_slow_body_beyond_timeout_leaves_no_file(cli, profiles, gateway, tmp_path):
    out = tmp_path / "slow.bin"
    r = cli("get", "open", "/slow", "n==50", "delay==1", "-o", out, "--timeout", "0.3")
    assert r.code == 6
    assert not out.exists()
    assert [p for p in os.listdir(tmp_path) if ".part" in p] == []
    _one_clean_line(r)


@FUZZ
@given(items=st.lists(st.text(max_size=20), max_size=4))
def test_fuzzed_request_items(cli, profiles, items):
    r = cli("get", "open", "/x", "--offline", *[i for i in items if not i.startswith("-")])
    assert r.code in (0, 2, 8), r.stderr
    _one_clean_line(r)


@FUZZ
@given(header=st.text(max_size=30))
def test_fuzzed_header_option(cli, profiles, header):
    if header.startswith("-"):
        header = "X" + header
    r = cli("get", "open", "/x", "--offline", "-H", header)
    assert r.code in (0, 2), r.stderr
    _one_clean_line(r)


@FUZZ
@given(path=st.text(max_size=40))
def test_fuzzed_paths(cli, profiles, path):
    if path.startswith("-"):
        path = "/" + path
    r = cli("get", "open", path, "--offline")
    assert r.code in (0, 2), r.stderr
    _one_clean_line(r)


@FUZZ
@given(url=st.one_of(st.text(max_size=40), st.text(max_size=30).map(lambda s: "http://" + s)))
def test_fuzzed_urls_and_profile_names(cli, profiles, url):
    if url.startswith("-"):
        url = "x" + url
    r = cli("get", url, "/x", "--offline")
    assert r.code in (0, 2, 8), r.stderr
    _one_clean_line(r)


_toml_values = st.one_of(
    st.integers(), st.floats(allow_nan=False), st.booleans(), st.text(max_size=10),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@FUZZ
@given(
    values=st.dictionaries(
        st.sampled_from(
            ["endpoint", "auth", "timeout", "retries", "headers", "headers_command", "api_key",
             "token", "scheme", "header", "ca_bundle", "api_key_header", "bogus"]
        ),
        _toml_values,
        max_size=5,
    )
)
def test_fuzzed_toml_value_types(cli, write_config, values):
    import tomlkit

    cfg = write_config(tomlkit.dumps({"profiles": {"p": values}}))
    r = cli("--config", cfg, "get", "p", "/x", "--offline")
    assert r.code in (0, 2, 8, 9), r.stderr
    _one_clean_line(r)


def test_unexpected_error_shows_no_traceback_or_locals(cli, profiles, monkeypatch):
    import restcli.call

    def boom(*args, **kwargs):
        secret_local = "super-secret-local-value"  # noqa: F841
        raise RuntimeError("internal failure")

    monkeypatch.setattr(restcli.call, "call", boom)
    r = cli("get", "open", "/x")
    assert r.code == 1
    assert "Traceback" not in r.stderr
    assert "super-secret-local-value" not in r.stderr
    assert r.stderr.startswith("restcli: error: unexpected RuntimeError: internal failure")


def test_500_back_to_back_invocations(cli, profiles, gateway, tmp_path):
    threads_before = threading.active_count()
    files_before = set(os.listdir(tmp_path))
    for i in range(500):
        r = cli("get", "keyed", f"/items/{i}")
        assert r.code == 0, r.stderr
    assert len(gateway.received) == 500
    assert set(os.listdir(tmp_path)) == files_before
    # no client threads or sockets kept alive by restcli (the gateway's own threads end)
    assert threading.active_count() <= threads_before + 2
