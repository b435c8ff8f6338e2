"""The runner's entry point for the CLI: run files, print, report, return an exit code."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TextIO

from restcli.deadline import watched_adapter
from restcli.runner import report
from restcli.runner.codes import EXIT_ASSERT, EXIT_OK, EXIT_PARSE, EXIT_RUNTIME
from restcli.runner.errors import HurlError, runtime_error
from restcli.runner.execute import FileRunner, RunContext, RunOptions
from restcli.runner.parser import parse
from restcli.runner.redact import Redactor
from restcli.runner.results import FileResult
from restcli.runner.send import WATCH, Transport
from restcli.runner.values import typed_value

__all__ = ["Redactor", "RunOptions", "Transport", "exit_code", "run_files", "typed_value"]

MAX_FILE_BYTES = 16 * 1024 * 1024  # a Hurl file is read whole; this bounds it
MAX_JOBS = 64


def run_files(
    paths: Sequence[str],
    variables: Mapping[str, object] | None = None,
    secrets: Iterable[str] = (),
    options: RunOptions | None = None,
    auth_for: Callable[[str], Callable | None] | None = None,
    sigv4_auth: Callable[[str], Callable] | None = None,
    transport_for: Callable[[str], Transport] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    jobs: int = 1,
    redactor: Redactor | None = None,
) -> int:
    """Run each file (files in parallel with jobs > 1, entries in order); the exit code.

    Without options.test, the last response body of each successful file is written to
    `out` (as `hurl` does); with it, a line per file and a summary go to `err`. Errors
    always go to `err`, secrets (and captures marked `redact`) replaced by ***.
    """
    if out is None or err is None:
        raise TypeError("run_files needs the out and err streams")
    options = options or RunOptions()
    # A caller's redactor lets it add secrets it resolves while files run (profiles' auth).
    redactor = redactor if redactor is not None else Redactor()
    for value in secrets:
        redactor.add(value)
    lock = threading.Lock()
    ctx = RunContext(
        options=options, variables=dict(variables or {}), redactor=redactor,
        # Every request's response head must come within its timeout in total, and its
        # max-time bounds all of it: one watched pool, each thread with its own limits.
        adapter=watched_adapter(WATCH, pool_connections=16, pool_maxsize=max(jobs, 10)),
        auth_for=auth_for, sigv4_auth=sigv4_auth, transport_for=transport_for,
        log=lambda line: _write(err, line + "\n", lock),
        write_output=lambda body: _write_body(out, body, redactor, lock),
    )
    start = time.monotonic()
    try:
        results = _run_all(paths, ctx, jobs, out, err, lock)
    finally:
        ctx.adapter.close()
    duration_ms = int((time.monotonic() - start) * 1000)
    if options.test:
        _write(err, report.summary(results, duration_ms) + "\n", lock)
    code = exit_code(results)
    for path, render_report in ((options.report_junit, report.junit_xml),
                                (options.report_json, report.json_report)):
        if path:
            try:
                text = (render_report(results, redactor, duration_ms)
                        if render_report is report.junit_xml else render_report(results, redactor))
                Path(path).write_text(text, encoding="utf-8")
            except OSError as e:
                _write(err, redactor(f"restcli: error: cannot write report {path}: {e}\n"), lock)
                code = max(code, EXIT_RUNTIME) if code != EXIT_PARSE else code
    return code


def _run_all(paths, ctx: RunContext, jobs: int, out, err, lock) -> list[FileResult]:
    def one(path: str) -> FileResult:
        result = run_one(path, ctx)
        _emit(result, ctx, out, err, lock)
        return result

    jobs = max(1, min(jobs, MAX_JOBS, len(paths) or 1))
    if jobs == 1:
        return [one(p) for p in paths]
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="restcli-run") as pool:
        return list(pool.map(one, paths))


def run_one(path: str, ctx: RunContext) -> FileResult:
    """Parse and run one file; a file that cannot be read or parsed is a failed result."""
    try:
        source = read_source(path)
        hurl = parse(source, path)
    except HurlError as e:
        return FileResult(path, errors=[e.located(path, "")])
    return FileRunner(hurl, ctx).run()


def read_source(path: str) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise runtime_error(f"cannot read {path}: {e.strerror or e}") from None
    if len(data) > MAX_FILE_BYTES:
        raise runtime_error(f"{path} is larger than {MAX_FILE_BYTES} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise HurlError("parse", f"{path} is not UTF-8 text (byte {e.start})") from None


def _emit(result: FileResult, ctx: RunContext, out, err, lock) -> None:
    """A file's output as one block, so parallel files never interleave."""
    redact = ctx.redactor
    if result.errors:
        _write(err, report.render_errors(result, redact) + "\n", lock)
    if ctx.options.test:
        _write(err, report.progress_line(result, redact) + "\n", lock)
    elif result.success and result.last_call is not None:
        _write_body(out, result.last_call.body, redact, lock)


def exit_code(results: Sequence[FileResult]) -> int:
    kinds = {r.worst for r in results}
    if "parse" in kinds:
        return EXIT_PARSE
    if "runtime" in kinds:
        return EXIT_RUNTIME
    if "assert" in kinds:
        return EXIT_ASSERT
    return EXIT_OK


def _write(stream: TextIO, text: str, lock: threading.Lock) -> None:
    with lock:
        stream.write(text)
        stream.flush()


def _write_body(out: TextIO, body: bytes, redactor: Redactor, lock: threading.Lock) -> None:
    """Binary bodies go to the stream's buffer when it has one; text is written redacted."""
    data = redactor.redact_bytes(body)
    with lock:
        buffer = getattr(out, "buffer", None)
        if buffer is not None:
            out.flush()
            buffer.write(data)
            buffer.flush()
        else:
            out.write(data.decode("utf-8", "replace"))
            out.flush()
