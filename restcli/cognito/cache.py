"""The token cache: one JSON file per key, private, written atomically, refreshed under a lock.

Layout: `<user cache dir>/cognito/<kind>-<hash>.json` (on Linux ~/.cache/restcli/cognito/),
directories 0700 and files 0600. The key (for tokens: pool, client and user) is stored in
the file as well as hashed into its name; a file whose stored key differs, or that is not
restcli's, is foreign and ignored with a warning, as is one that is not valid JSON.

Writes go to a temporary file in the same directory, are fsynced and renamed over the
entry, so a reader sees the old entry or the new one, never a torn one, and a reader needs
no lock. Refreshing takes `<entry>.lock` (filelock), so parallel jobs sharing a home
directory refresh once: the second finds the entry fresh when it gets the lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .. import locations
from ..errors import CredentialsError
from ..secrets import read_regular

FORMAT = "restcli-cognito-cache/1"
LOCK_TIMEOUT = 60.0


def default_root() -> Path:
    """The `cognito/` subdirectory of restcli's user cache dir (restcli.locations)."""
    return locations.cache_dir() / "cognito"


class Cache:
    def __init__(self, root: Path | None = None, warn: Callable[[str], None] | None = None):
        self.root = root or default_root()
        self.warn = warn or (lambda message: None)

    def path(self, key: tuple[str, ...]) -> Path:
        digest = hashlib.sha256("\0".join(key).encode("utf-8")).hexdigest()[:32]
        return self.root / f"{key[0]}-{digest}.json"

    def read(self, key: tuple[str, ...]) -> dict[str, Any] | None:
        path = self.path(key)
        try:
            raw = read_regular(path, MAX_ENTRY)
        except FileNotFoundError:
            return None
        except OSError as e:
            self.warn(f"ignoring token cache entry {path}: {e.strerror}")
            return None
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            self.warn(f"ignoring corrupt token cache entry {path} (not valid JSON)")
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            self.warn(f"ignoring foreign token cache entry {path} (not written by restcli)")
            return None
        if data.get("key") != list(key):
            self.warn(
                f"ignoring foreign token cache entry {path} (written for another pool, "
                "client or user)"
            )
            return None
        return data

    def write(self, key: tuple[str, ...], data: dict[str, Any]) -> Path:
        path = self.path(key)
        self.ensure_dir()
        record = {"format": FORMAT, "key": list(key), **data}
        from ..atomic import replacing  # only a write needs it (start-up)

        with replacing(path, 0o600) as f:
            f.write(json.dumps(record, indent=1, sort_keys=True).encode("utf-8"))
        return path

    def delete(self, key: tuple[str, ...]) -> bool:
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            return False
        return True

    @contextmanager
    def lock(self, key: tuple[str, ...]) -> Iterator[None]:
        from filelock import FileLock, Timeout  # only a refresh locks (start-up)

        self.ensure_dir()
        path = self.path(key)
        lock = FileLock(str(path.with_suffix(".lock")), timeout=LOCK_TIMEOUT, mode=0o600)
        try:
            lock.acquire()
        except Timeout:
            raise CredentialsError(
                f"another restcli has held the token cache lock {lock.lock_file} for "
                f"{LOCK_TIMEOUT:g} s",
                hint="if no other restcli is running, remove that .lock file",
            ) from None
        try:
            yield
        finally:
            lock.release()

    def ensure_dir(self) -> None:
        # Both the restcli cache dir and its cognito/ subdirectory are private (0700).
        for d in (self.root.parent, self.root):
            try:
                d.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as e:
                raise CredentialsError(f"cannot create the token cache {d}: {e.strerror}") from None
        for d in (self.root.parent, self.root):
            try:
                if d.stat().st_mode & 0o077:
                    d.chmod(0o700)
            except OSError:
                pass


# A cache entry holds a few tokens: anything larger is not one of restcli's.
MAX_ENTRY = 1 << 20
