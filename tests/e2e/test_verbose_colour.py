"""-v on a terminal: the request head coloured as the response head is; plain into a pipe
and with NO_COLOR, where the text is the same but for the colours."""

from __future__ import annotations

import re

from tests.conftest import API_KEY

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BOLD, CYAN, RESET = "\x1b[1m", "\x1b[36m", "\x1b[0m"


def _request_head(err: str) -> str:
    """The -v request block: from the request line to the first blank line."""
    start = err.rfind("\n", 0, err.index("GET /key/catalog")) + 1
    return err[start:err.index("\n\n", start)]


def test_the_request_head_is_coloured_on_a_terminal(profiles, terminal):
    r = terminal("get", "keyed", "/catalog", "-v", color=True, stdin_tty=False)
    assert r.code == 0, r.stderr
    head = _request_head(r.stderr)
    assert head.startswith(f"{BOLD}GET /key/catalog HTTP/1.1{RESET}\n")
    assert f"{CYAN}Host{RESET}: 127.0.0.1:" in head
    assert f"{CYAN}X-Client{RESET}: restcli-tests" in head
    # Masking is unchanged by the colours: only the key's first characters show.
    assert f"{CYAN}X-Api-Key{RESET}: " in head and API_KEY not in r.stderr
    # Every header line is painted, the request's as the response's.
    assert all(line.startswith(CYAN) for line in head.splitlines()[1:])


def test_the_request_head_is_plain_into_a_pipe_and_with_no_color(profiles, terminal):
    coloured = _request_head(terminal("get", "keyed", "/catalog", "-v", color=True,
                                      stdin_tty=False).stderr)
    piped = terminal("get", "keyed", "/catalog", "-v", color=True, stdin_tty=False,
                     stderr_tty=False)
    no_color = terminal("get", "keyed", "/catalog", "-v", stdin_tty=False)  # NO_COLOR is set
    for r in (piped, no_color):
        assert r.code == 0 and "\x1b" not in r.stderr
        assert _request_head(r.stderr) == ANSI.sub("", coloured)
