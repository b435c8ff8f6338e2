"""The token cache: private files, atomic writes, corrupt and foreign entries, the lock."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import time
from pathlib import Path

import pytest

from restcli.cognito.cache import FORMAT, Cache, default_root

KEY = ("tokens", "us-east-1_Pool", "client", "alice")


@pytest.fixture
def warnings():
    return []


@pytest.fixture
def cache(tmp_path, warnings):
    return Cache(tmp_path / "restcli" / "cognito", warn=warnings.append)


def test_default_root_is_the_user_cache_dir(isolated, monkeypatch):
    from platformdirs import user_cache_dir

    assert default_root() == isolated / ".cache" / "restcli" / "cognito"
    assert default_root().parent == Path(user_cache_dir("restcli", appauthor=False))
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_root().parent == Path(user_cache_dir("restcli", appauthor=False))
    monkeypatch.setenv("XDG_CACHE_HOME", "  ")
    assert default_root().parent == Path(user_cache_dir("restcli", appauthor=False))


def test_default_root_comes_from_locations(monkeypatch, tmp_path):
    import restcli.locations

    monkeypatch.setattr(restcli.locations, "cache_dir", lambda: tmp_path / "mine")
    assert default_root() == tmp_path / "mine" / "cognito"
    assert Cache().root == tmp_path / "mine" / "cognito"


def test_round_trip_with_private_permissions(cache, tmp_path):
    path = cache.write(KEY, {"access_token": "a", "expires_at": 1.0})
    assert cache.read(KEY)["access_token"] == "a"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(cache.root.parent.stat().st_mode) == 0o700
    assert [p.name for p in cache.root.iterdir()] == [path.name]  # no temp files left


def test_an_existing_open_directory_is_made_private(cache):
    cache.root.mkdir(parents=True, mode=0o755)
    for d in (cache.root, cache.root.parent):
        d.chmod(0o755)
    cache.write(KEY, {})
    for d in (cache.root, cache.root.parent):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700


def test_one_file_per_key(cache):
    other = KEY[:-1] + ("bob",)
    assert cache.path(KEY) != cache.path(other)
    assert cache.path(KEY).name.startswith("tokens-")
    cache.write(KEY, {"who": "alice"})
    cache.write(other, {"who": "bob"})
    assert cache.read(KEY)["who"] == "alice" and cache.read(other)["who"] == "bob"


def test_missing_entry_is_none_without_warning(cache, warnings):
    assert cache.read(KEY) is None
    assert warnings == []


@pytest.mark.parametrize("content", [b"{not json", b"", b"\xff\xfe", b"[1, 2]"])
def test_corrupt_entry_is_ignored_with_a_warning(cache, warnings, content):
    cache.ensure_dir()
    cache.path(KEY).write_bytes(content)
    assert cache.read(KEY) is None
    assert len(warnings) == 1 and str(cache.path(KEY)) in warnings[0]


def test_foreign_entries_are_ignored_with_a_warning(cache, warnings):
    cache.ensure_dir()
    cache.path(KEY).write_text(json.dumps({"access_token": "x"}))  # not restcli's format
    assert cache.read(KEY) is None
    cache.path(KEY).write_text(json.dumps({"format": FORMAT, "key": ["tokens", "p", "c", "eve"]}))
    assert cache.read(KEY) is None
    assert len(warnings) == 2 and all("foreign" in w for w in warnings)


def test_a_failed_write_leaves_the_old_entry_and_no_temp_file(cache, monkeypatch):
    cache.write(KEY, {"v": 1})

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        cache.write(KEY, {"v": 2})
    monkeypatch.undo()
    assert cache.read(KEY)["v"] == 1
    assert not list(cache.root.glob(".*.part"))


def test_delete(cache):
    cache.write(KEY, {})
    assert cache.delete(KEY) is True
    assert cache.delete(KEY) is False
    assert cache.read(KEY) is None


def _hold_lock(root: str, started, release) -> None:
    c = Cache(__import__("pathlib").Path(root))
    with c.lock(KEY):
        started.set()
        release.wait(10)


def test_the_lock_excludes_another_process(cache):
    ctx = multiprocessing.get_context("spawn")
    started, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(str(cache.root), started, release))
    proc.start()
    try:
        assert started.wait(20)
        from filelock import FileLock, Timeout

        with pytest.raises(Timeout):
            FileLock(str(cache.path(KEY).with_suffix(".lock")), timeout=0.2).acquire()
        release.set()
        t = time.monotonic()
        with cache.lock(KEY):
            pass
        assert time.monotonic() - t < 10
    finally:
        release.set()
        proc.join(10)


def test_a_fifo_where_an_entry_should_be_is_ignored_without_blocking(tmp_path):
    import os

    from restcli.cognito.cache import Cache

    warnings = []
    cache = Cache(root=tmp_path, warn=warnings.append)
    key = ("tokens", "pool", "client", "user")
    cache.path(key).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(cache.path(key))
    assert cache.read(key) is None
    assert warnings and "not a regular file" in warnings[0]
