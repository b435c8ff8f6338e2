"""Writing a file so that readers see the old one or the complete new one, never a part.

A temporary file beside the target, flushed to disk, then renamed over it; on any failure
(a broken download, Ctrl-C, a full disk) the temporary file is removed and the target
is untouched.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO


@contextmanager
def replacing(
    path: str | os.PathLike,
    mode: int | None = None,
    durable: bool = True,
    owner: tuple[int, int] | None = None,
) -> Iterator[BinaryIO]:
    """Yield a binary file that becomes `path` when the block ends without an error.

    `mode` None gives what creating the file would (0666 less the umask). `owner`
    (uid, gid) is kept where the process may set it. `durable` syncs file and directory
    to disk (config and token caches; not bulk downloads).
    """
    import tempfile  # only a write needs it (start-up)

    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            if owner is not None and owner != (os.geteuid(), os.getegid()):
                try:
                    os.fchown(f.fileno(), *owner)
                except OSError:
                    pass  # only root (or the owner, for a group it is in) may
            os.fchmod(f.fileno(), _default_mode() if mode is None else mode)
            if durable:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if durable:
        _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    # The rename is durable only once the directory is synced (best effort).
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
