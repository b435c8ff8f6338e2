"""Checking a response against its description: implicit asserts, captures, [Asserts].

Hurl's order: version and status, headers, then captures (so asserts may use them),
then the [Asserts] section, then the implicit body. A failed assert is recorded and
checking goes on; a failed capture is a runtime error and ends the entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from restcli.runner import filters, predicates, queries
from restcli.runner.errors import ASSERT, HurlError, runtime_error
from restcli.runner.files import resolve_under
from restcli.runner.nodes import Assert, BytesBody, Capture, FileBody, JsonBody, Response
from restcli.runner.redact import Redactor
from restcli.runner.response import Call
from restcli.runner.results import AssertResult, EntryResult
from restcli.runner.templates import render, render_json
from restcli.runner.values import NOTHING, describe, equal, to_text


class Checker:
    def __init__(self, root: Path, redactor: Redactor):
        self.root = root
        self.redactor = redactor

    def check(self, resp: Response, call: Call, variables: dict, result: EntryResult) -> None:
        self.version_status(resp, call, result)
        self.headers(resp, call, variables, result)
        for capture in resp.captures:
            value = self.capture(capture, call, variables)
            variables[render(capture.name, variables)] = value
            result.captures[render(capture.name, variables)] = value
        for item in resp.asserts:
            self.explicit(item, call, variables, result)
        if resp.body is not None:
            self.body(resp, call, variables, result)

    @staticmethod
    def record(result: EntryResult, pos, ok: bool, message: str, expected: str | None,
               actual: str | None) -> None:
        result.asserts.append(AssertResult(pos, ok, message, expected, actual))
        if not ok:
            result.errors.append(HurlError(ASSERT, message, pos, expected, actual))

    def version_status(self, resp: Response, call: Call, result: EntryResult) -> None:
        wanted = resp.version.partition("/")[2]
        if wanted and wanted != "*":
            self.record(result, resp.pos, call.version == wanted, "HTTP version",
                        f"HTTP/{wanted}", f"HTTP/{call.version}")
        if resp.status is not None:
            self.record(result, resp.status_pos, call.status == resp.status,
                        "HTTP status code", str(resp.status), str(call.status))

    def headers(self, resp: Response, call: Call, variables, result: EntryResult) -> None:
        for header in resp.headers:
            name = render(header.key, variables)
            expected = render(header.value, variables)
            values = call.header_values(name)
            message = f"header {name}" if values else f"header {name} not found"
            self.record(result, header.pos, expected in values, message, expected,
                        ", ".join(values) if values else "none")

    def capture(self, capture: Capture, call: Call, variables: Mapping) -> object:
        try:
            value = queries.evaluate(capture.query, call, variables)
            value = filters.apply_all(capture.filters, value, variables)
        except filters.FilterError as e:
            raise runtime_error(f"capture {render(capture.name, variables)}: {e}",
                                capture.pos) from None
        except HurlError as e:
            raise runtime_error(f"capture: {e.message}", e.pos) from None
        if value is NOTHING:
            raise runtime_error(f"capture {render(capture.name, variables)}: the query "
                                "returned no value", capture.query.pos)
        if capture.redact:
            self.redactor.add(value if isinstance(value, str) else _text_or_repr(value))
        return value

    def explicit(self, item: Assert, call: Call, variables, result: EntryResult) -> None:
        try:
            actual = queries.evaluate(item.query, call, variables)
            actual = filters.apply_all(item.filters, actual, variables)
        except filters.FilterError as e:
            self.record(result, item.pos, False, str(e), None, None)
            return
        except HurlError as e:
            self.record(result, e.pos or item.pos, False, e.message, None, None)
            return
        expected = predicates.expected_value(item.predicate, variables, self.read_file)
        ok, expected_text = predicates.check(item.predicate, actual, expected)
        self.record(result, item.pos, ok, "assert failed", expected_text, describe(actual))

    def body(self, resp: Response, call: Call, variables, result: EntryResult) -> None:
        body = resp.body
        pos = body.pos
        if isinstance(body, JsonBody):
            expected_text = render_json(body.parts, variables)
            try:
                expected_doc = json.loads(expected_text)
            except ValueError as e:
                raise runtime_error(f"the expected JSON body is invalid: {e}", pos) from None
            try:
                actual_doc = call.json()
            except ValueError:
                self.record(result, pos, False, "body is not JSON",
                            _short(expected_text), _short(call.body.decode("utf-8", "replace")))
                return
            self.record(result, pos, json_equal(actual_doc, expected_doc), "body",
                        _short(json.dumps(expected_doc)), _short(json.dumps(actual_doc)))
        elif isinstance(body, (BytesBody, FileBody)):
            expected = body.data if isinstance(body, BytesBody) else self.read_file(
                render(body.filename, variables), pos)
            self.record(result, pos, call.body == expected, "body", describe(expected),
                        describe(call.body))
        else:
            expected_s = render(body.text, variables)
            actual_s = call.body.decode(call.charset, "replace")
            self.record(result, pos, actual_s == expected_s, "body", _short(expected_s),
                        _short(actual_s))

    def read_file(self, name: str, pos) -> bytes:
        return resolve_under(self.root, name, pos).read_bytes()


def json_equal(a: object, b: object) -> bool:
    """Structural equality of JSON documents; 1 equals 1.0 but true never equals 1."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return equal(a, b)


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _text_or_repr(value: object) -> str:
    try:
        return to_text(value)
    except TypeError:
        return repr(value)
