"""What running a file produced: per entry the calls, asserts and errors; per file a verdict."""

from __future__ import annotations

from restcli.record import Factory, record
from restcli.runner.errors import ASSERT, PARSE, RUNTIME, HurlError
from restcli.runner.nodes import Pos
from restcli.runner.response import Call


@record
class AssertResult:
    pos: Pos
    ok: bool
    source: str = ""  # the assert as written, e.g. `jsonpath "$.id" == 3`
    expected: str | None = None
    actual: str | None = None


@record
class EntryResult:
    index: int
    pos: Pos
    calls: list[Call] = Factory(list)
    asserts: list[AssertResult] = Factory(list)
    errors: list[HurlError] = Factory(list)
    captures: dict[str, object] = Factory(dict)
    skipped: bool = False
    attempts: int = 0
    requests: int = 0  # every request sent: retries, repeats and redirect hops included
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@record
class FileResult:
    filename: str
    entries: list[EntryResult] = Factory(list)
    errors: list[HurlError] = Factory(list)  # parse error, or entries' errors
    duration_ms: int = 0
    source: str = ""

    @property
    def success(self) -> bool:
        return not self.errors

    @property
    def worst(self) -> str | None:
        """parse, then runtime, then assert: the kind that decides the exit code."""
        kinds = {e.kind for e in self.errors}
        for kind in (PARSE, RUNTIME, ASSERT):
            if kind in kinds:
                return kind
        return None

    @property
    def last_call(self) -> Call | None:
        for entry in reversed(self.entries):
            if entry.calls:
                return entry.calls[-1]
        return None

    @property
    def executed(self) -> list[EntryResult]:
        return [e for e in self.entries if not e.skipped]

    @property
    def requests(self) -> int:
        return sum(e.requests for e in self.entries)
