"""Secret references (`env:`, `file:`, `command:`) and redaction for display.

A secret never needs to be typed as an argument: profiles hold references, resolved
only when the value is needed for a request. Every resolved secret is registered
with the Redactor, so any text restcli prints can be scrubbed of it.
"""

from __future__ import annotations

import errno
import os
import re
import stat

from .errors import ConfigError, CredentialsError
from .record import Factory, record

PREFIXES = ("env:", "file:", "command:")
COMMAND_TIMEOUT = 60.0
# A `file:` reference reads at most this much, and only from a regular file (a FIFO or
# a device such as /dev/zero would block or never end).
FILE_LIMIT = 64 * 1024


def is_reference(value: str) -> bool:
    return isinstance(value, str) and value.startswith(PREFIXES)


def resolve(value: str, where: str) -> str:
    """Resolve a reference (or return a literal). `where` names profile and key for errors."""
    if not isinstance(value, str):
        return value
    resolved = _resolve(value, where)
    # A value goes into a header: a line break or NUL would be refused by the HTTP layer
    # with the value in its message. Trailing ones (a secret pasted with its newline) go.
    resolved = resolved.rstrip("\r\n")
    if any(c in resolved for c in "\r\n\0"):
        raise CredentialsError(
            f"the value contains a line break or NUL character ({where})",
            hint="a header value must be one line; check how the secret was stored",
        )
    return resolved


def _resolve(value: str, where: str) -> str:
    if value.startswith("env:"):
        name = value[4:]
        if name not in os.environ:
            raise CredentialsError(
                f"environment variable {name} is not set ({where})",
                hint=f"export {name}=... before calling restcli",
            )
        return os.environ[name]
    if value.startswith("file:"):
        return read_secret_file(os.path.expanduser(value[5:]), where)
    if value.startswith("command:"):
        return run_command(value[8:], where)
    return value


class NotRegular(OSError):
    """What a path names is not a regular file (a FIFO, a device, a directory)."""


class TooLarge(OSError):
    """A file is larger than what its reader holds."""


def read_regular(path, limit: int) -> bytes:
    """A regular file's bytes, at most `limit`, never blocking: a FIFO or device where a
    file should be (a profiles file, a secret, a cache entry) raises NotRegular, a larger
    file TooLarge; other problems are OSError (a NUL in the path: ValueError)."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat decides below.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegular(errno.EINVAL, "not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise TooLarge(errno.EFBIG, f"larger than {limit // 1024} KiB")
    return data


def read_secret_file(path: str, where: str) -> str:
    """A regular file's text, at most FILE_LIMIT bytes; anything else is exit 9."""
    try:
        data = read_regular(path, FILE_LIMIT)
    except NotRegular:
        raise CredentialsError(f"{path} is not a regular file ({where})") from None
    except TooLarge:
        raise CredentialsError(
            f"{path} is larger than {FILE_LIMIT // 1024} KiB, the limit for a file: "
            f"reference ({where})"
        ) from None
    except (OSError, ValueError) as e:
        raise CredentialsError(
            f"cannot read {path}: {getattr(e, 'strerror', None) or e} ({where})"
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CredentialsError(f"{path} is not UTF-8 text ({where})") from None


def run_command(cmd: str, where: str) -> str:
    """Run a helper without a shell; its trimmed stdout is the value."""
    # shlex and subprocess only for a command: reference (start-up)
    import shlex
    import subprocess

    from .deadline import call_overrun, within_call

    try:
        argv = shlex.split(cmd)
    except ValueError as e:
        raise ConfigError(f"cannot parse command {cmd!r}: {e} ({where})") from None
    if not argv:
        raise ConfigError(f"empty command ({where})")
    # --max-time counts from the call's start: a command gets what is left of it.
    wait, cut = within_call(COMMAND_TIMEOUT)
    try:
        proc = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=wait,
            check=False,
        )
    except FileNotFoundError:
        raise CredentialsError(f"command not found: {argv[0]} ({where})") from None
    except PermissionError:
        raise CredentialsError(f"command not executable: {argv[0]} ({where})") from None
    except (OSError, ValueError) as e:  # not a program (ENOEXEC), a NUL in the command
        reason = getattr(e, "strerror", None) or str(e)
        raise CredentialsError(f"cannot run {argv[0]}: {reason} ({where})") from None
    except subprocess.TimeoutExpired:
        if cut:
            raise call_overrun(f"command {argv[0]} ({where})") from None
        raise CredentialsError(
            f"command {argv[0]} did not finish within {COMMAND_TIMEOUT:g} s ({where})"
        ) from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        tail = f": {err[-1]}" if err else ""
        raise CredentialsError(
            f"command {argv[0]} exited with status {proc.returncode} ({where}){tail}"
        )
    return proc.stdout.decode("utf-8", "replace").strip()


def mask(value: str) -> str:
    """At most the first 4 characters of a secret, and only of a long one."""
    if len(value) >= 16:
        return value[:4] + "…"
    return "…"


@record
class Redactor:
    """Remembers every secret value resolved during this run, to scrub them from output."""

    values: set[str] = Factory(set)
    # secret value -> the reference it came from, so an export (--curl) can name the
    # reference instead of printing the value.
    origins: dict[str, str] = Factory(dict)

    def add(self, value: str | None, reference: str | None = None) -> None:
        if not isinstance(value, str) or not value:
            return  # only text can be a secret in a header or a message
        if isinstance(reference, str) and is_reference(reference):
            self.origins[value] = reference
        self.values.add(value)

    def scrub(self, text: str) -> str:
        """`text` without any secret's value, whatever its length; never raises."""
        try:
            return self._scrub(text)
        except Exception:  # noqa: BLE001 - a message must still be shown, without secrets
            return "(message withheld: it could not be checked for secrets)"

    def _scrub(self, text: str) -> str:
        for v in sorted(self.values, key=len, reverse=True):
            # Also the forms a library's message may quote: repr of the str and the bytes.
            for form in {v, repr(v)[1:-1], repr(v.encode("utf-8", "replace"))[2:-1]}:
                if form not in text:
                    continue
                if len(form) >= 4:
                    text = text.replace(form, mask(v))
                else:
                    # A short value is masked where it stands alone, so ordinary words
                    # that merely contain it stay readable.
                    pattern = r"(?<![A-Za-z0-9])" + re.escape(form) + r"(?![A-Za-z0-9])"
                    text = re.sub(pattern, mask(v), text)
        return text
