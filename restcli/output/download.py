"""-o FILE: where the body goes, checked before anything is sent, and never destroying
what is at the path.

- A path that does not exist, or a regular file: the body is written to a temporary file
  beside it and renamed over it once complete (readers see the old file or the whole
  new one). An existing file keeps its mode, and its owner where the process may set it.
- A symlink to a regular file: the file it points to is replaced that way; the link stays.
- Anything else that exists (a character device such as /dev/null, a FIFO, a socket, a
  symlink to one of those), and whatever is reached through /proc (/dev/stdout,
  /proc/self/fd/N: the process's own streams): opened and written in place, as curl does.
  A FIFO is opened and a Unix socket connected by the check, so one without a reader is
  refused before anything is sent. A new file under /dev (/dev/shm/x) is an ordinary one.
- SIGTERM and SIGHUP while writing clean up as Ctrl-C does: no temporary file is left,
  and the exit status is 128 + the signal's number (143, 129).
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import stat
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..atomic import replacing
from ..deadline import CHUNK
from ..errors import OutputError, Terminated, UsageError
from ..record import record

if TYPE_CHECKING:
    from ..app import App

# Paths through these are the process's own streams (/dev/stdout and /dev/fd lead here
# too): always written in place. Devices elsewhere are in place because of what they are.
IN_PLACE_TREES = ("/proc/",)


@record
class Target:
    path: str  # as the user typed it, ~ expanded
    write_to: str  # the file replaced, or opened in place
    in_place: bool = False
    mode: int | None = None  # of the file replaced
    owner: tuple | None = None  # (uid, gid) of the file replaced
    # A FIFO's write end, opened by the check and used by the write: holding it from the
    # check to the write keeps the reader from seeing an end of file in between.
    fifo_fd: int | None = None
    # A Unix socket's connection, made by the check (so a socket nobody listens on is
    # refused before sending) and written by the write.
    connection: Any = None


def check(path: str) -> Target:
    """Where -o PATH writes; UsageError (exit 2) when it cannot, before anything is sent."""
    if path == "":
        raise UsageError("-o needs a file name (or - for standard output)")
    path = os.path.expanduser(path)
    if _through_special_tree(path):
        return _in_place(path)
    try:
        st = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise UsageError(f"-o {path}: {e.strerror}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UsageError(f"-o {path}: is a directory")
    if st is not None and not stat.S_ISREG(st.st_mode):
        return _in_place(path, st)
    # A regular file, or a new one: replaced through its real path (a link stays a link).
    real = os.path.realpath(path)
    directory = os.path.dirname(real)
    if not os.path.isdir(directory):
        raise UsageError(f"-o {path}: no directory {directory}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(f"-o {path}: cannot write in {directory}")
    if st is None:
        return Target(path, real)
    if not os.access(real, os.W_OK):
        raise UsageError(f"-o {path}: the file is not writable")
    return Target(path, real, mode=stat.S_IMODE(st.st_mode), owner=(st.st_uid, st.st_gid))


def _through_special_tree(path: str) -> bool:
    """Whether the path, or any link on the way to its target, lies in /proc."""
    current = os.path.abspath(path)
    for _ in range(40):
        # Its directory resolved too: /dev/fd/1 lies in /proc through /dev/fd.
        current = os.path.join(os.path.realpath(os.path.dirname(current)),
                               os.path.basename(current))
        if current.startswith(IN_PLACE_TREES):
            return True
        try:
            link = os.readlink(current)
        except OSError:
            return False
        current = os.path.normpath(os.path.join(os.path.dirname(current), link))
    return False


def _in_place(path: str, st: os.stat_result | None = None) -> Target:
    if st is None:
        try:
            st = os.stat(path)
        except OSError as e:
            raise UsageError(f"-o {path}: {e.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"-o {path}: is a directory")
    if stat.S_ISSOCK(st.st_mode):
        return Target(path, path, in_place=True, connection=_connect(path))
    if not os.access(path, os.W_OK):
        raise UsageError(f"-o {path}: not writable")
    if stat.S_ISFIFO(st.st_mode):
        return Target(path, path, in_place=True, fifo_fd=_open_for_reader(path))
    return Target(path, path, in_place=True)


READER_WAIT = 5.0


def _connect(path: str) -> socket.socket:
    """A Unix socket, connected now: one nobody listens on is exit 2 before sending."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(READER_WAIT)  # a listener whose backlog is full
    try:
        sock.connect(path)
    except OSError as e:
        sock.close()
        raise UsageError(
            f"-o {path}: cannot connect to this socket ({e.strerror or e}); start its "
            "listener first"
        ) from None
    sock.settimeout(None)
    return sock


def _open_for_reader(path: str) -> int:
    """A FIFO with no process reading it would block the write forever, after the request
    went out: a reader is waited for a few seconds, then refused (exit 2) before sending."""
    deadline = time.monotonic() + READER_WAIT
    while True:
        try:
            return os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as e:
            if e.errno != errno.ENXIO:
                raise UsageError(f"-o {path}: {e.strerror}") from None
        if time.monotonic() >= deadline:
            raise UsageError(
                f"-o {path}: no process is reading this FIFO (waited {READER_WAIT:g} s); "
                "start its reader first"
            )
        time.sleep(0.05)


def save(app: App, resp: Any, target: Target) -> None:
    """Stream the body to a target checked before sending (see the module's doc)."""
    meter = _Meter()
    chunks = meter.count(resp.iter_content(CHUNK))
    if app.stderr_tty and not app.silent:
        chunks = _with_progress(app, resp, chunks)
    with _signals_as_errors():
        write(target, chunks)
    if app.stderr_tty and not app.silent:
        app.note(f"saved {resp.status_code} response body to {target.path}: "
                 f"{_summary(meter.bytes, time.monotonic() - meter.start)}")


def write(target: Target, chunks: Iterable[bytes]) -> None:
    """The chunks to a checked target: in place, or to a file that appears only whole."""
    if target.in_place:
        _write_in_place(target, chunks)
        return
    # Not synced to disk: a download is as durable as curl's; the rename still means a
    # broken transfer never leaves a complete-looking file.
    with replacing(target.write_to, mode=target.mode, durable=False, owner=target.owner) as f:
        for chunk in chunks:
            f.write(chunk)


def _write_in_place(target: Target, chunks: Iterable[bytes]) -> None:
    try:
        if target.connection is not None:
            with target.connection as sock:
                for chunk in chunks:
                    sock.sendall(chunk)
            return
        fd = target.fifo_fd
        if fd is not None:
            os.set_blocking(fd, True)  # the reader was there when the call was planned
        else:
            fd = os.open(target.write_to, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
    except OSError as e:
        raise OutputError(f"-o {target.path}: {e.strerror or e}") from None


@contextmanager
def _signals_as_errors() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Terminated while a file is written, so it is cleaned up."""

    def handler(signum, frame):
        raise Terminated(signum, signal.Signals(signum).name)

    previous = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[sig] = signal.signal(sig, handler)
        except ValueError:  # not the main thread: the default action stays
            pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class _Meter:
    """Bytes written and when the transfer began, for the closing summary line."""

    def __init__(self) -> None:
        self.bytes = 0
        self.start = time.monotonic()

    def count(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self.bytes += len(chunk)
            yield chunk


def _summary(size: int, seconds: float) -> str:
    """`2.0 MB in 0.4 s (5.0 MB/s)`, in decimal units as the progress bar shows them."""
    rate = size / seconds if seconds > 0 else 0.0
    return f"{_size(size)} in {seconds:.1f} s ({_size(rate)}/s)"


def _size(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def _with_progress(app: App, resp: Any, chunks: Iterable[bytes]) -> Iterable[bytes]:
    # rich only when a terminal shows the bar (start-up)
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TaskProgressColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    total = int(resp.headers.get("Content-Length") or 0) or None
    # Percentage and time left only when the size is known; rate and bytes always.
    columns = [BarColumn(), DownloadColumn(), TransferSpeedColumn()]
    if total:
        columns[1:1] = [TaskProgressColumn()]
        columns.append(TimeRemainingColumn())
    with Progress(*columns, console=app.err_console, transient=True) as progress:
        task = progress.add_task("download", total=total)
        for chunk in chunks:
            progress.update(task, advance=len(chunk))
            yield chunk
