"""Exit codes of `restcli run` (documented in the package docstring)."""

from __future__ import annotations

from restcli.errors import RUN_ASSERT, RUN_RUNTIME

EXIT_OK = 0
EXIT_PARSE = 2  # a file is not valid Hurl for restcli: the input is wrong, as a usage error
EXIT_ASSERT = RUN_ASSERT  # a response did not match its description
EXIT_RUNTIME = RUN_RUNTIME  # a request could not be made, a capture failed, a variable was missing
