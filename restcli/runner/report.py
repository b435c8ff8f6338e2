"""Reports of a run: errors as Hurl shows them, the --test summary, JUnit XML and JSON.

Every text leaving here passes through the redactor: secrets never reach a terminal, a
log or a report file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from restcli.runner.errors import render
from restcli.runner.results import FileResult

Redact = Callable[[str], str]


def render_errors(result: FileResult, redact: Redact) -> str:
    return "\n\n".join(render(e, redact) for e in result.errors)


def progress_line(result: FileResult, redact: Redact) -> str:
    verdict = "Success" if result.success else "Failure"
    return redact(f"{result.filename}: {verdict} ({result.requests} request(s) in "
                  f"{result.duration_ms} ms)")


def summary(results: Sequence[FileResult], duration_ms: int) -> str:
    files = len(results)
    passed = sum(1 for r in results if r.success)
    failed = files - passed
    entries = sum(len(r.executed) for r in results)
    requests = sum(r.requests for r in results)

    def pct(n: int) -> str:
        return f"{100.0 * n / files:.1f}%" if files else "0.0%"

    return "\n".join([
        "-" * 80,
        f"Executed files:    {files}",
        f"Executed entries:  {entries} ({requests} request(s))",
        f"Succeeded files:   {passed} ({pct(passed)})",
        f"Failed files:      {failed} ({pct(failed)})",
        f"Duration:          {duration_ms} ms",
    ])


def junit_xml(results: Sequence[FileResult], redact: Redact, duration_ms: int = 0) -> str:
    """One testcase per file; assert failures are <failure>, parse/runtime errors <error>."""
    # Only a run asked for a JUnit report loads the XML writer (start-up).
    import xml.etree.ElementTree as ET

    suites = ET.Element("testsuites")
    failures = sum(1 for r in results if r.worst == "assert")
    errors = sum(1 for r in results if r.worst in ("parse", "runtime"))
    suite = ET.SubElement(suites, "testsuite", {
        "name": "restcli run", "tests": str(len(results)), "failures": str(failures),
        "errors": str(errors), "time": f"{duration_ms / 1000:.3f}",
    })
    for i, result in enumerate(results, 1):
        case = ET.SubElement(suite, "testcase", {
            "id": str(i), "name": redact(result.filename), "classname": "restcli.run",
            "time": f"{result.duration_ms / 1000:.3f}",
        })
        properties = ET.SubElement(case, "properties")
        ET.SubElement(properties, "property", {"name": "requests",
                                               "value": str(result.requests)})
        if result.success:
            continue
        tag = "failure" if result.worst == "assert" else "error"
        first = result.errors[0]
        node = ET.SubElement(case, tag, {
            "message": redact(f"{first.location}: {first.message}"),
            "type": first.kind,
        })
        node.text = render_errors(result, redact)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def json_report(results: Sequence[FileResult], redact: Redact) -> str:
    data = [_file_json(r, redact) for r in results]
    return redact(json.dumps(data, indent=2, ensure_ascii=False, default=str)) + "\n"


def _file_json(result: FileResult, redact: Redact) -> dict:
    return {
        "filename": result.filename,
        "success": result.success,
        "time": result.duration_ms,
        "requests": result.requests,
        "entries": [{
            "index": e.index,
            "line": e.pos.line,
            "skipped": e.skipped,
            "attempts": e.attempts,
            "requests": e.requests,
            "time": e.duration_ms,
            "calls": [{"method": c.method, "url": c.url, "status": c.status,
                       "time": c.duration_ms} for c in e.calls],
            "asserts": [{"line": a.pos.line, "column": a.pos.col, "success": a.ok,
                         "message": a.source, "expected": a.expected, "actual": a.actual}
                        for a in e.asserts],
            "captures": {k: _jsonable(v) for k, v in e.captures.items()},
        } for e in result.entries],
        "errors": [{"kind": err.kind, "line": err.pos.line if err.pos else None,
                    "column": err.pos.col if err.pos else None, "message": err.message,
                    "expected": err.expected, "actual": err.actual,
                    "text": render(err, redact)} for err in result.errors],
    }


def _jsonable(value: object) -> object:
    if isinstance(value, bytes):
        return value.hex()
    return value
