"""What a row's `check` and `before` names stand for (rows.Row.check, rows.Row.before).

A check takes the Run and returns a problem, or None when the run did what it should.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from .consts import AKID, API_KEY, DOWNLOAD_BYTES, RUN_ENTRIES, UPLOAD_BYTES
from .measure import Run

Check = Callable[[Run], str | None]


def run_file_text(entries: int = RUN_ENTRIES) -> str:
    """A Hurl file of `entries` GETs of the profile's /items."""
    return "\n".join("GET {{endpoint}}/items\n" for _ in range(entries))


def body_has(text: str) -> Check:
    def check(run: Run):
        return None if text.encode() in run.out else f"unexpected output: {run.out[:120]!r}"
    return check


def body_has_times(text: str, times: int) -> Check:
    def check(run: Run):
        n = run.out.count(text.encode())
        return None if n == times else f"{n} of {times} responses as expected: {run.out[-120:]!r}"
    return check


def authorized(run: Run):
    return None if b'"principal": "' in run.out and b'"principal": null' not in run.out \
        else f"unexpected output: {run.out[:120]!r}"


def pipe_ok(run: Run):
    got = run.out.decode().strip()
    return None if got == str(DOWNLOAD_BYTES) else f"pipe got {got!r} bytes, not {DOWNLOAD_BYTES}"


def uploaded(run: Run):
    try:
        got = json.loads(run.out)["body_length"]
    except (ValueError, KeyError, TypeError):
        return f"unexpected output: {run.out[:120]!r}"
    return None if got == UPLOAD_BYTES else f"server got {got} bytes"


def file_ok(path: str) -> Check:
    def check(run: Run):
        try:
            size = os.path.getsize(path)
        except OSError:
            return "no output file"
        return None if size == DOWNLOAD_BYTES else f"output file has {size} bytes, not {DOWNLOAD_BYTES}"
    return check


def rendered(body_bytes: int) -> Check:
    """Pretty-printed on the terminal: colours, and at least as many bytes as the body."""
    def check(run: Run):
        if b"\x1b[" not in run.out:
            return f"no colours on the terminal: {run.out[:120]!r}"
        return None if run.tty_bytes >= body_bytes else f"terminal got {run.tty_bytes} bytes, body {body_bytes}"
    return check


def gateway_requests(bench, n: int) -> Check:
    """The gateway received n requests since the row's before hook (count_requests)."""
    def check(run: Run):
        got = len(bench.gw.received) - bench.requests_before
        return None if got == n else f"the gateway received {got} requests, not {n}"
    return check


PRINCIPAL = {"keyed": '"principal": "' + API_KEY, "signed": '"principal": "' + AKID}


def make(bench, spec: str | None) -> Check | None:
    if spec is None:
        return None
    name, _, arg = spec.partition(":")
    if name in PRINCIPAL:
        return body_has_times(PRINCIPAL[name], int(arg)) if arg else body_has(PRINCIPAL[name])
    simple = {"authorized": authorized, "pipe": pipe_ok, "uploaded": uploaded}
    if name in simple:
        return simple[name]
    if name == "has":
        return body_has(arg)
    if name == "file":
        return file_ok(str(bench.download_file))
    if name == "rendered":
        return rendered(bench.json_server.sizes[arg])
    if name == "requests":
        return gateway_requests(bench, int(arg))
    raise ValueError(f"unknown check {spec!r}")


def hook(bench, name: str | None) -> Callable[[], None] | None:
    if name is None:
        return None
    if name == "rm_out":
        def rm_out():
            for p in bench.tmp.glob("download.bin*"):
                p.unlink()
            for p in bench.tmp.glob(".download.bin*"):
                p.unlink()
        return rm_out
    if name == "count_requests":
        def count_requests():
            bench.requests_before = len(bench.gw.received)
        return count_requests
    raise ValueError(f"unknown hook {name!r}")
