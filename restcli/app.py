"""The application object carried through every command: terminals, config, redaction.

As HTTPie's Environment, it owns stdin, stdout, stderr and their tty flags (from `sys`
by default, injectable in tests), so no other module touches `sys.std*`. Text for people
goes through `out`/`err`, writers that scrub every secret resolved so far; response
bodies and the documented secret outputs (`auth token`, `env`, `--curl`) go through
`write_raw`/`write_secret`. One instance per run; nothing here runs at import.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .secrets import Redactor

if TYPE_CHECKING:
    from rich.console import Console

    from .config import Config


class Writer:
    """A text stream for people: every write is scrubbed of the run's secrets."""

    def __init__(self, stream: TextIO, redactor: Redactor, tty: bool):
        self.stream = stream
        self.redactor = redactor
        self.tty = tty

    def write(self, text: str) -> int:
        self.stream.write(self.redactor.scrub(text))
        return len(text)

    def line(self, text: str = "") -> None:
        self.write(text + "\n")
        self.flush()

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.tty

    def fileno(self) -> int:
        # rich asks it for the terminal's width.
        return self.stream.fileno()


class App:
    def __init__(
        self,
        config_option: str | None = None,
        stdin: Any = None,
        stdout: Any = None,
        stderr: Any = None,
        environ: Mapping[str, str] | None = None,
        stdin_tty: bool | None = None,
        stdout_tty: bool | None = None,
        stderr_tty: bool | None = None,
    ):
        self.config_option = config_option
        self.stdin = stdin if stdin is not None else sys.stdin
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.environ = environ if environ is not None else os.environ
        self.redactor = Redactor()
        self.stdout_tty = _isatty(self.stdout) if stdout_tty is None else stdout_tty
        self.stderr_tty = _isatty(self.stderr) if stderr_tty is None else stderr_tty
        self.stdin_tty = _isatty(self.stdin) if stdin_tty is None else stdin_tty
        self.color = self.environ.get("NO_COLOR", "") == ""
        # --silent: no progress bar, retry notes or warnings (errors still print).
        self.silent = False
        self.out = Writer(self.stdout, self.redactor, self.stdout_tty)
        self.err = Writer(self.stderr, self.redactor, self.stderr_tty)

    @property
    def interactive(self) -> bool:
        """Prompts only with a person at a terminal; never in cron or CI."""
        return self.stdin_tty and self.stderr_tty

    @cached_property
    def config_path(self) -> Path:
        # locations only when a command reads the profiles file, not for --help (start-up)
        from .locations import find_path

        return find_path(self.config_option)

    @cached_property
    def config(self) -> Config:
        # config (and the auth registry it reads) not for --help or completion (start-up)
        from .config import load

        return load(self.config_path, warn=self.warn)

    # -- rich, for tables and pretty bodies on a terminal -----------------------------------
    @cached_property
    def console(self) -> Console:
        """Tables and notes on stdout, through the scrubbing writer."""
        return self._console(self.out, self.stdout_tty)

    @cached_property
    def err_console(self) -> Console:
        """Progress on stderr, through the scrubbing writer."""
        return self._console(self.err, self.stderr_tty)

    def _console(self, file: Any, tty: bool) -> Console:
        # rich is imported only where a terminal shows something (start-up).
        from rich.console import Console

        return Console(
            file=file, force_terminal=tty, no_color=not self.color, highlight=False,
            soft_wrap=True,
        )

    # -- raw output --------------------------------------------------------------------
    def write_raw(self, data: bytes) -> None:
        """A body's bytes to stdout, as they came."""
        buffer = getattr(self.stdout, "buffer", None)
        if buffer is not None:
            self.stdout.flush()
            buffer.write(data)
        else:
            self.stdout.write(data.decode("utf-8", "replace"))

    def write_secret(self, text: str) -> None:
        """The documented secret outputs (`auth token`, `env`, `--curl`): not scrubbed, by design."""
        self.stdout.write(text)
        self.stdout.flush()

    def flush(self) -> None:
        buffer = getattr(self.stdout, "buffer", None)
        if buffer is not None:
            buffer.flush()
        self.stdout.flush()

    # -- messages on stderr --------------------------------------------------------------
    def error(self, message: str, hint: str | None = None) -> None:
        self.err.line(f"restcli: error: {message}")
        if hint:
            self.err.line(f"hint: {hint}")

    def warn(self, message: str) -> None:
        if self.silent:
            return
        self.err.line(f"restcli: warning: {message}")

    def note(self, message: str) -> None:
        if self.silent:
            return
        self.err.line(f"restcli: {message}")

    # -- input -----------------------------------------------------------------------------
    def read_line(self) -> str:
        return self.stdin.readline()

    def read_bytes(self) -> bytes:
        buffer = getattr(self.stdin, "buffer", None)
        if buffer is not None:
            return buffer.read()
        return self.stdin.read().encode("utf-8")

    def ask_secret(self, prompt: str) -> str:
        """A no-echo prompt on the terminal; an injected stdin answers it in tests."""
        if self.stdin is sys.stdin and self.stdin is sys.__stdin__:
            import getpass  # only a prompt needs it (start-up)

            return getpass.getpass(prompt, stream=self.stderr)
        self.err.write(prompt)
        self.err.flush()
        return self.stdin.readline().rstrip("\r\n")


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
