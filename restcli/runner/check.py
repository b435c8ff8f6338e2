"""Checking a response against its description: implicit asserts, captures, [Asserts].

Hurl's order (runner/entry.rs): version and status first, and if they fail the entry has
failed (no capture is taken, no other assert checked); then captures (asserts may use
them); then the implicit headers and body, then the [Asserts] section. A failed assert
is recorded and checking goes on; a failed capture is a runtime error and ends the entry.
An error while checking an assert (an invalid pattern from a variable, a body that is not
text) is that assert's failure, as Hurl reports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from restcli.runner import filters, predicates, queries
from restcli.runner.errors import ASSERT, HurlError, runtime_error
from restcli.runner.files import resolve_under
from restcli.runner.nodes import Assert, BytesBody, Capture, FileBody, JsonBody, Response
from restcli.runner.redact import Redactor
from restcli.runner.response import BodyError, Call
from restcli.runner.results import AssertResult, EntryResult
from restcli.runner.templates import render, render_json
from restcli.runner.values import NOTHING, describe, to_text


class Checker:
    def __init__(self, root: Path, redactor: Redactor):
        self.root = root
        self.redactor = redactor

    def check(self, resp: Response, call: Call, variables: dict, result: EntryResult) -> None:
        if not self.version_status(resp, call, result):
            return
        for capture in resp.captures:
            value = self.capture(capture, call, variables)
            variables[render(capture.name, variables)] = value
            result.captures[render(capture.name, variables)] = value
        self.headers(resp, call, variables, result)
        if resp.body is not None:
            self.body(resp, call, variables, result)
        for item in resp.asserts:
            self.explicit(item, call, variables, result)

    @staticmethod
    def record(result: EntryResult, pos, ok: bool, message: str, expected: str | None,
               actual: str | None) -> None:
        result.asserts.append(AssertResult(pos, ok, message, expected, actual))
        if not ok:
            result.errors.append(HurlError(ASSERT, message, pos, expected, actual))

    def version_status(self, resp: Response, call: Call, result: EntryResult) -> bool:
        """The implicit version and status asserts; whether both held."""
        ok = True
        wanted = resp.version.partition("/")[2]
        if wanted and wanted != "*":
            ok = call.version == wanted
            self.record(result, resp.pos, ok, "HTTP version", f"HTTP/{wanted}",
                        f"HTTP/{call.version}")
        if resp.status is not None:
            held = call.status == resp.status
            self.record(result, resp.status_pos, held, "HTTP status code", str(resp.status),
                        str(call.status))
            ok = ok and held
        return ok

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
            uses_regex = capture.query.kind == "regex" or any(
                f.name == "regex" for f in capture.filters)
            hint = (" (a regex gives the first capture group of its match: a pattern without "
                    "a group gives none)") if uses_regex else ""
            raise runtime_error(f"capture {render(capture.name, variables)}: the query "
                                f"returned no value{hint}", capture.query.pos)
        if capture.redact:
            self.redactor.add(value if isinstance(value, str) else _text_or_repr(value))
        return value

    def explicit(self, item: Assert, call: Call, variables, result: EntryResult) -> None:
        try:
            actual = queries.evaluate(item.query, call, variables)
            actual = filters.apply_all(item.filters, actual, variables)
            expected = predicates.expected_value(item.predicate, variables, self.read_file)
        except filters.FilterError as e:
            self.record(result, item.pos, False, str(e), None, None)
            return
        except HurlError as e:
            self.record(result, e.pos or item.pos, False, e.message, None, None)
            return
        ok, expected_text = predicates.check(item.predicate, actual, expected)
        self.record(result, item.pos, ok, "assert failed", expected_text, describe(actual))

    def body(self, resp: Response, call: Call, variables, result: EntryResult) -> None:
        """The implicit body assert. A JSON body is "syntactic sugar of multiline string
        body" (asserting-response.md): Hurl compares the text as written, spaces and key
        order included, with the body decoded as text (assert.rs), so restcli does too."""
        body = resp.body
        pos = body.pos
        if isinstance(body, (BytesBody, FileBody)):
            expected = body.data if isinstance(body, BytesBody) else self.read_file(
                render(body.filename, variables), pos)
            self.record(result, pos, call.body == expected, "body", describe(expected),
                        describe(call.body))
            return
        if isinstance(body, JsonBody):
            expected_s = render_json(body.parts, variables)
        else:
            expected_s = render(body.text, variables)
        try:
            actual_s = call.text()
        except BodyError as e:
            self.record(result, pos, False, str(e), _short(expected_s), None)
            return
        self.record(result, pos, actual_s == expected_s, "body", _short(expected_s),
                    _short(actual_s))

    def read_file(self, name: str, pos) -> bytes:
        return resolve_under(self.root, name, pos).read_bytes()


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _text_or_repr(value: object) -> str:
    try:
        return to_text(value)
    except TypeError:
        return repr(value)
