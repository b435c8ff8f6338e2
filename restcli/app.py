"""The application object carried through every command: terminals, config, redaction.

One instance per run, made by the CLI's global callback; nothing here runs at import.
"""

from __future__ import annotations

import os
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .secrets import Redactor

if TYPE_CHECKING:
    from rich.console import Console

    from .config import Config


class App:
    def __init__(self, config_option: str | None = None):
        self.config_option = config_option
        self.redactor = Redactor()
        self.stdout_tty = _isatty(sys.stdout)
        self.stderr_tty = _isatty(sys.stderr)
        self.stdin_tty = _isatty(sys.stdin)
        self.color = "NO_COLOR" not in os.environ or os.environ.get("NO_COLOR") == ""

    @property
    def interactive(self) -> bool:
        """Prompts only with a person at a terminal; never in cron or CI."""
        return self.stdin_tty and self.stderr_tty

    @cached_property
    def config_path(self) -> Path:
        from .locations import find_path

        return find_path(self.config_option)

    @cached_property
    def config(self) -> "Config":
        from .config import load

        return load(self.config_path, warn=self.warn)

    @cached_property
    def out(self) -> "Console":
        from rich.console import Console

        return Console(no_color=not self.color, highlight=False, soft_wrap=True)

    @cached_property
    def err(self) -> "Console":
        from rich.console import Console

        return Console(stderr=True, no_color=not self.color, highlight=False, soft_wrap=True)

    def _line(self, stream: TextIO, text: str) -> None:
        stream.write(self.redactor.scrub(text) + "\n")
        stream.flush()

    def error(self, message: str, hint: str | None = None) -> None:
        self._line(sys.stderr, f"restcli: error: {message}")
        if hint:
            self._line(sys.stderr, f"hint: {hint}")

    def warn(self, message: str) -> None:
        self._line(sys.stderr, f"restcli: warning: {message}")

    def note(self, message: str) -> None:
        self._line(sys.stderr, f"restcli: {message}")


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
