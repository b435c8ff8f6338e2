"""Run one Hurl file: its entries in order over one session, as Hurl runs them.

Cookies live in the file's session (a file is one user journey, as in Hurl); the
connection pool is an adapter shared by every file of the run. Each request asks the
`auth_for(url)` hook for its auth, so a SigV4 signature is made afresh per request.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import requests

from restcli import __version__
from restcli.errors import OutputError, UsageError
from restcli.output import display_header
from restcli.output.download import check as check_output
from restcli.output.download import write as write_output
from restcli.record import Factory, record
from restcli.runner import options as opts
from restcli.runner.build import build_request
from restcli.runner.check import Checker
from restcli.runner.errors import HurlError, runtime_error
from restcli.runner.nodes import Entry, HurlFile
from restcli.runner.redact import Redactor
from restcli.runner.results import EntryResult, FileResult
from restcli.runner.send import (
    DEFAULT_MAX_REDIRS,
    MAX_BODY_BYTES,
    Sender,
    SendSettings,
    Transport,
)
from restcli.runner.templates import render
from restcli.runner.values import typed_value


@record
class RunOptions:
    """Run-wide settings (the command line); an entry's [Options] override them."""

    test: bool = False
    continue_on_error: bool = False
    from_entry: int | None = None
    to_entry: int | None = None
    location: bool = False
    max_redirs: int = DEFAULT_MAX_REDIRS
    insecure: bool = False
    cacert: str | None = None
    cert: str | None = None
    key: str | None = None
    retry: int = 0
    retry_interval: float = 1.0
    delay: float = 0.0
    max_time: float | None = None
    connect_timeout: float | None = None
    compressed: bool = False
    verbose: bool = False
    file_root: str | None = None
    max_body: int = MAX_BODY_BYTES
    report_junit: str | None = None
    report_json: str | None = None


@record
class EntrySettings:
    """RunOptions with one entry's [Options] applied."""

    base: RunOptions
    skip: bool = False
    repeat: int = 1
    output: str | None = None
    aws_sigv4: str | None = None
    overrides: dict[str, object] = Factory(dict)

    def get(self, name: str) -> object:
        return self.overrides.get(name, getattr(self.base, name))


@record
class RunContext:
    """What every file of a run shares."""

    options: RunOptions
    variables: dict[str, object]
    redactor: Redactor
    adapter: requests.adapters.HTTPAdapter
    auth_for: Callable | None = None
    sigv4_auth: Callable[[str], Callable] | None = None
    transport_for: Callable[[str], Transport] | None = None
    log: Callable[[str], None] | None = None
    write_output: Callable[[bytes], None] | None = None


# A header line of -v (`> Name: value`, `< Name: value`), to mask credential values.
_VERBOSE_HEADER = re.compile(r"([<>] )([!#$%&'*+.^_`|~0-9A-Za-z-]+): (.*)", re.DOTALL)


class CountingSession(requests.Session):
    """Counts every request it sends (each retry and redirect hop: the run's request
    count), and leaves redirects alone: the sender follows them itself, while requests
    would parse a malformed Location (`http://[::1`) for nothing and raise on it."""

    sent = 0

    def send(self, request, **kwargs):
        self.sent += 1
        return super().send(request, **kwargs)

    def get_redirect_target(self, resp):
        return None


def new_session(adapter: requests.adapters.HTTPAdapter) -> CountingSession:
    """A session of Hurl's manners: no proxies or .netrc from the environment, one pool."""
    session = CountingSession()
    session.trust_env = False
    session.headers.clear()
    session.headers.update({"User-Agent": f"restcli/{__version__}", "Accept": "*/*"})
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class FileRunner:
    def __init__(self, hurl: HurlFile, ctx: RunContext):
        self.hurl = hurl
        self.ctx = ctx
        self.root = Path(ctx.options.file_root or Path(hurl.filename).parent or ".")
        self.variables = dict(ctx.variables)
        self.session = new_session(ctx.adapter)
        self.sender = Sender(self.session, ctx.auth_for)
        self.checker = Checker(self.root, ctx.redactor)
        self.sigv4: dict[str, Callable] = {}

    def run(self) -> FileResult:
        start = time.monotonic()
        result = FileResult(self.hurl.filename, source=self.hurl.source)
        opt = self.ctx.options
        try:
            for entry in self.hurl.entries:
                if (opt.from_entry and entry.index < opt.from_entry) or (
                        opt.to_entry and entry.index > opt.to_entry):
                    result.entries.append(EntryResult(entry.index, entry.request.pos,
                                                      skipped=True))
                    continue
                entry_result = self.run_entry(entry)
                result.entries.append(entry_result)
                for err in entry_result.errors:
                    result.errors.append(err.located(self.hurl.filename, self.hurl.source))
                if entry_result.errors and not opt.continue_on_error:
                    break
        finally:
            self.session.close()
        result.duration_ms = int((time.monotonic() - start) * 1000)
        return result

    def run_entry(self, entry: Entry) -> EntryResult:
        start = time.monotonic()
        try:
            settings = self.settings(entry)
        except HurlError as e:
            return EntryResult(entry.index, entry.request.pos, errors=[e])
        if settings.skip:
            return EntryResult(entry.index, entry.request.pos, skipped=True)
        calls, requests_sent = [], 0
        for _ in range(settings.repeat):
            result = self.with_retries(entry, settings)
            calls.extend(result.calls)
            requests_sent += result.requests
            self.variables.update(result.captures)
            if result.errors:
                break
        result.calls, result.requests = calls, requests_sent
        result.duration_ms = int((time.monotonic() - start) * 1000)
        return result

    def with_retries(self, entry: Entry, settings: EntrySettings) -> EntryResult:
        """The entry tried up to 1 + retry times; every attempt's requests are counted."""
        retry = int(settings.get("retry"))
        delay = float(settings.get("delay"))
        if delay:
            time.sleep(delay)
        calls, requests_sent = [], 0
        for attempt in range(retry + 1):
            result = self.attempt(entry, settings)
            calls.extend(result.calls)
            requests_sent += result.requests
            result.attempts = attempt + 1
            if result.ok or attempt == retry:
                result.calls, result.requests = calls, requests_sent
                return result
            time.sleep(float(settings.get("retry_interval")))
        raise AssertionError("unreachable")

    def attempt(self, entry: Entry, settings: EntrySettings) -> EntryResult:
        """One try of the entry. Whatever goes wrong is this entry's error, never the
        run's: the other entries and files keep their results and reports."""
        result = EntryResult(entry.index, entry.request.pos)
        local = dict(self.variables)
        sent_before = self.session.sent
        try:
            self.exchange(entry, settings, local, result)
        except HurlError as e:
            result.errors.append(e)
        except RecursionError:
            # A response nested thousands deep (a JSONPath, a filter's JSON).
            result.errors.append(runtime_error("the response body is nested too deeply to "
                                               "check", entry.request.pos))
        except Exception as e:  # a defect: named, and kept to this entry
            result.errors.append(runtime_error(
                f"restcli could not run this entry: {type(e).__name__}: {e}", entry.request.pos))
        finally:
            result.requests = self.session.sent - sent_before
        return result

    def exchange(self, entry: Entry, settings: EntrySettings, local: dict,
                 result: EntryResult) -> None:
        spec = build_request(entry.request, local, self.root)
        if spec.basic_auth is not None:
            self.ctx.redactor.add_basic_auth(*spec.basic_auth)
        auth = self.sigv4_for(settings.aws_sigv4, entry) if settings.aws_sigv4 else None
        self.sender.log = self._log if settings.get("verbose") else None
        call = self.sender.send(spec, self.send_settings(settings, spec.url), auth)
        result.calls.append(call)
        if entry.response is not None:
            self.checker.check(entry.response, call, local, result)
        if settings.output:
            self.write_output(settings.output, call.body, entry)

    def settings(self, entry: Entry) -> EntrySettings:
        """The entry's options over the run's; `variable` options first, as Hurl does."""
        settings = EntrySettings(self.ctx.options)
        options = entry.request.options
        for opt in (o for o in options if o.name == "variable"):
            name, value = self._convert(opt, self.variables)
            self.variables[name] = typed_value(value)
        for opt in (o for o in options if o.name != "variable"):
            value = self._convert(opt, self.variables)
            if opt.name in ("skip", "repeat", "output"):
                setattr(settings, opt.name, value)
            elif opt.name == "aws-sigv4":
                settings.aws_sigv4 = value
            else:
                settings.overrides[opt.name.replace("-", "_")] = value
        return settings

    @staticmethod
    def _convert(opt, variables):
        try:
            return opts.convert(opt.name, render(opt.value, variables))
        except ValueError as e:
            raise runtime_error(str(e), opt.value.pos) from None

    def send_settings(self, settings: EntrySettings, url: str) -> SendSettings:
        transport = self.ctx.transport_for(url) if self.ctx.transport_for else Transport()
        transport = transport.replace()
        if settings.get("insecure"):
            transport.verify = False
        elif settings.get("cacert"):
            transport.verify = str(self.root / str(settings.get("cacert")))
        cert, key = settings.get("cert"), settings.get("key")
        if cert:
            transport.cert = (str(self.root / cert), str(self.root / key)) if key else str(
                self.root / cert)
        return SendSettings(
            transport=transport, location=bool(settings.get("location")),
            max_redirs=int(settings.get("max_redirs")),
            connect_timeout=settings.get("connect_timeout"),
            max_time=settings.get("max_time"), compressed=bool(settings.get("compressed")),
            max_body=self.ctx.options.max_body,
        )

    def sigv4_for(self, spec: str, entry: Entry) -> Callable:
        if self.ctx.sigv4_auth is None:
            raise runtime_error("option aws-sigv4 needs restcli's AWS signer",
                                entry.request.pos)
        if spec not in self.sigv4:
            try:
                self.sigv4[spec] = self.ctx.sigv4_auth(spec)
            except Exception as e:  # the hook's failure (credentials) is the entry's error
                raise runtime_error(f"aws-sigv4 {spec}: {e}", entry.request.pos) from e
        return self.sigv4[spec]

    def write_output(self, name: str, body: bytes, entry: Entry) -> None:
        if name == "-":
            if self.ctx.write_output:
                self.ctx.write_output(body)
            return
        root = self.root.resolve()
        path = (root / name).resolve()
        if root not in path.parents:
            raise runtime_error(f"output {name} is outside the file root {root}",
                                entry.request.pos)
        try:
            # Through -o's checks: a device or FIFO in place (one with no reader refused),
            # a regular file replaced whole; never a hang or a crash.
            target = check_output(str(path))
        except UsageError as e:
            raise runtime_error(e.message, entry.request.pos) from None
        try:
            write_output(target, [body])
        except (OSError, OutputError) as e:
            raise runtime_error(f"output {name}: {getattr(e, 'message', None) or e}",
                                entry.request.pos) from None

    def _log(self, line: str) -> None:
        """A -v line: credential headers masked as restcli's -v masks them, then secrets."""
        if not self.ctx.log:
            return
        m = _VERBOSE_HEADER.fullmatch(line)
        if m:
            line = f"{m.group(1)}{m.group(2)}: {display_header(m.group(2), m.group(3))}"
        self.ctx.log(self.ctx.redactor(line))

