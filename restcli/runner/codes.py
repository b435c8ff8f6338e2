"""Exit codes of `restcli run` (documented in the package docstring)."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARSE = 2  # a file is not valid Hurl for restcli: the input is wrong, as a usage error
EXIT_ASSERT = 12  # a response did not match its description
EXIT_RUNTIME = 11  # a request could not be made, a capture failed, a variable was missing
