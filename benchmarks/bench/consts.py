"""Fixed figures of a run: credentials, sizes, where the repository is."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(REPO))  # tests.support.gateway (tests.gateway in older trees)

API_KEY = "bench-key-0123456789abcdef"
AKID = "AKIDBENCHEXAMPLE0001"
SECRET = "bench/secret+key/0123456789abcdefghijKLMN"
REGION = "us-east-1"
GIB = 1 << 30
MIB = 1 << 20
MB = 1_000_000
DOWNLOAD_BYTES = GIB
UPLOAD_BYTES = 256 * MIB
TOOLS = ("httpie", "awscurl")
TTY_SIZES_MB = (1, 5)  # the JSON bodies rendered on a terminal
RUN_ENTRIES = 100  # entries of the `restcli run` file
TTY_COLUMNS, TTY_ROWS = 100, 50  # the pseudo-terminal's size (COLUMNS=100 in every env)
