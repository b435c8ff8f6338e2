"""Measuring one process: CPU from the kernel's rusage, wall time, peak RSS."""

from __future__ import annotations

import fcntl
import os
import statistics
import struct
import tempfile
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .consts import TTY_COLUMNS, TTY_ROWS


@dataclass
class Run:
    cpu: float  # user + sys seconds
    wall: float
    rss_kib: int
    rc: int
    out: bytes  # captured stdout (a pipe row: the byte count as text; a tty row: the first bytes shown)
    err: bytes
    tty_bytes: int = 0  # a tty row: every byte the terminal received


@dataclass
class Cmd:
    key: str
    label: str
    argv: list[str]
    env: dict
    stdout: str = "capture"  # capture | pipe (through a pipe into `wc -c`) | tty (a pseudo-terminal)
    check: Callable[[Run], str | None] | None = None  # returns a problem or None
    before: Callable[[], None] | None = None  # e.g. remove the output file
    runs: list[Run] = field(default_factory=list)
    unavailable: str | None = None
    over: str | None = None  # --breakdown: the step this one adds a layer to

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)


GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
TTY_HEAD = 64 * 1024  # what a tty row keeps of the output, for its check


class _Capture:
    """stdout into the temp file `out`."""

    def __init__(self, out):
        self.action = (os.POSIX_SPAWN_DUP2, out.fileno(), 1)

    def close_child_end(self) -> None:
        pass

    def finish(self) -> None:
        pass

    def output(self, out) -> tuple[bytes, int]:
        return out.read(), 0


class _Pipe(_Capture):
    """stdout a pipe into `wc -c` (whose count goes to `out`); wc is not measured."""

    def __init__(self, out):
        self.r, self.w = os.pipe()
        self.consumer = os.posix_spawnp(
            "wc", ["wc", "-c"], os.environ,
            file_actions=[(os.POSIX_SPAWN_DUP2, self.r, 0), (os.POSIX_SPAWN_DUP2, out.fileno(), 1)],
        )
        self.action = (os.POSIX_SPAWN_DUP2, self.w, 1)

    def close_child_end(self) -> None:
        os.close(self.w)
        os.close(self.r)

    def finish(self) -> None:
        os.waitpid(self.consumer, 0)


class _Terminal(_Capture):
    """stdout a pseudo-terminal (isatty is true, TTY_COLUMNS x TTY_ROWS), drained by a
    thread of this process as a terminal emulator would; the thread's CPU is not counted."""

    def __init__(self, out):
        self.master, self.slave = os.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", TTY_ROWS, TTY_COLUMNS, 0, 0))
        self.head = bytearray()
        self.total = 0
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()
        self.action = (os.POSIX_SPAWN_DUP2, self.slave, 1)

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:  # EIO: every writer has closed the terminal
                return
            if not data:
                return
            self.total += len(data)
            if len(self.head) < TTY_HEAD:
                self.head += data[:TTY_HEAD - len(self.head)]

    def close_child_end(self) -> None:
        os.close(self.slave)

    def finish(self) -> None:
        self.thread.join()
        os.close(self.master)

    def output(self, out) -> tuple[bytes, int]:
        return bytes(self.head), self.total


SINKS = {"capture": _Capture, "pipe": _Pipe, "tty": _Terminal}


def _peak_rss(ru, rss_file: str) -> int:
    if not GNU_TIME:
        return ru.ru_maxrss
    try:  # "Command exited with non-zero status N" may come first
        return int(Path(rss_file).read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return -1


def spawn_measure(argv: list[str], env: dict, stdout: str = "capture") -> Run:
    """Run argv to completion and measure it.

    CPU (user+sys) and wall time come from os.wait4 on the spawned process. Peak RSS
    cannot: a child spawned from this (large) process starts with this process's
    high-water mark, which Linux keeps in ru_maxrss across exec. So the command runs under
    GNU time (a small C program that forks it), whose %M is the command's own peak RSS;
    wait4's CPU figure then also holds time's own, well under a millisecond. Without
    /usr/bin/time, wait4's ru_maxrss is used and is only an upper bound.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(prefix="restcli-bench-rss-") as rss:
        if GNU_TIME:
            argv = [GNU_TIME, "-f", "%M", "-o", rss.name, "--", *argv]
        sink = SINKS[stdout](out)
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
            sink.action,
        ]
        t0 = time.perf_counter()
        try:
            pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions)
        finally:
            sink.close_child_end()
        _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        sink.finish()
        out.seek(0)
        err.seek(0)
        shown, tty_bytes = sink.output(out)
        return Run(cpu=ru.ru_utime + ru.ru_stime, wall=wall, rss_kib=_peak_rss(ru, rss.name),
                   rc=os.waitstatus_to_exitcode(status), out=shown, err=err.read(), tty_bytes=tty_bytes)


def last_line(data: bytes) -> str:
    lines = [ln for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1].strip()[:160] if lines else "(no stderr)"


def problem_of(cmd: Cmd, run: Run) -> str | None:
    if run.rc != 0:
        return f"exit {run.rc}: {last_line(run.err)}"
    if cmd.check is not None:
        return cmd.check(run)
    return None


def _warm_up(cmds: list[Cmd], log) -> list[Cmd]:
    """Run and check each command once; the ones that work."""
    live = []
    for cmd in cmds:
        if cmd.unavailable:
            continue
        if cmd.before:
            cmd.before()
        try:
            run = spawn_measure(cmd.argv, cmd.env, cmd.stdout)
        except OSError as exc:  # e.g. a comparator that is not installed
            cmd.unavailable = f"cannot run {cmd.argv[0]}: {exc.strerror or exc}"
            log(f"  {cmd.label}: not available ({cmd.unavailable})")
            continue
        problem = problem_of(cmd, run)
        if problem:
            cmd.unavailable = problem
            log(f"  {cmd.label}: not available ({problem})")
        else:
            live.append(cmd)
    return live


def measure(cmds: list[Cmd], rounds: int, log) -> None:
    """Warm up and check each command once, then `rounds` rotated rounds."""
    live = _warm_up(cmds, log)
    for i in range(rounds):
        k = i % len(live) if live else 0
        for cmd in live[k:] + live[:k]:
            if cmd.unavailable:
                continue
            if cmd.before:
                cmd.before()
            run = spawn_measure(cmd.argv, cmd.env, cmd.stdout)
            problem = problem_of(cmd, run)
            if problem:  # worked in the warm-up, failed now: report, never count it
                cmd.unavailable = f"failed in round {i + 1}: {problem}"
                log(f"  {cmd.label}: {cmd.unavailable}")
                continue
            cmd.runs.append(run)
        log(f"  round {i + 1}/{rounds} done")
