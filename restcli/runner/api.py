"""The runner's entry point for the CLI: run files, print, report, return an exit code."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TextIO

from restcli.deadline import watched_adapter
from restcli.errors import UsageError
from restcli.runner import report
from restcli.runner.codes import EXIT_ASSERT, EXIT_OK, EXIT_PARSE, EXIT_RUNTIME
from restcli.runner.errors import HurlError
from restcli.runner.execute import FileRunner, RunContext, RunOptions
from restcli.runner.parser import parse
from restcli.runner.redact import Redactor
from restcli.runner.results import FileResult
from restcli.runner.send import WATCH, Transport
from restcli.runner.values import typed_value
from restcli.secrets import NotRegular, TooLarge, read_regular

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
    sources = read_sources(paths)  # a file that cannot be read: nothing runs at all
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
        results = _run_all(sources, ctx, jobs, out, err, lock)
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


def _run_all(sources, ctx: RunContext, jobs: int, out, err, lock) -> list[FileResult]:
    def one(source: tuple[str, bytes]) -> FileResult:
        try:
            result = run_one(*source, ctx)
        except Exception as e:  # a defect outside any entry: this file's error, named
            error = HurlError("runtime", f"restcli could not run this file: "
                                         f"{type(e).__name__}: {e}")
            result = FileResult(source[0], errors=[error.located(source[0], "")])
        _emit(result, ctx, out, err, lock)
        return result

    jobs = max(1, min(jobs, MAX_JOBS, len(sources) or 1))
    if jobs == 1:
        return [one(s) for s in sources]
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="restcli-run") as pool:
        return list(pool.map(one, sources))


def run_one(path: str, data: bytes, ctx: RunContext) -> FileResult:
    """Parse and run one file; a file that is not UTF-8 or not valid Hurl is a failed
    result (a parse error), and the other files still run."""
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        error = HurlError("parse", f"{path} is not UTF-8 text (byte {e.start})")
        return FileResult(path, errors=[error.located(path, "")])
    try:
        hurl = parse(source, path)
    except HurlError as e:
        return FileResult(path, errors=[e.located(path, "")])
    return FileRunner(hurl, ctx).run()


def read_sources(paths: Sequence[str]) -> list[tuple[str, bytes]]:
    """Every file's bytes, read before any runs: a missing, unreadable, oversized or not
    regular file (a directory, a FIFO, a device: never waited on) is a usage error."""
    sources = []
    for path in paths:
        try:
            sources.append((path, read_regular(path, MAX_FILE_BYTES)))
        except NotRegular:
            raise UsageError(f"{path} is not a regular file (a Hurl file to run)") from None
        except TooLarge:
            raise UsageError(f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB, "
                             "the limit for a Hurl file") from None
        except (OSError, ValueError) as e:
            reason = getattr(e, "strerror", None) or str(e)
            raise UsageError(f"cannot read {path}: {reason}") from None
    return sources


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
