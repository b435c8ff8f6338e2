"""What a terminal shows: pretty and coloured JSON, coloured -v, and server-controlled text
(reason phrases, error types, request ids, Location, headers) made inert."""

from __future__ import annotations

import json
import re

from restcli.output import colourise

ESC = "\x1b"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_json_on_a_terminal_is_coloured_and_indented(profiles, terminal):
    r = terminal("get", "keyed", "/catalog", "n==1", color=True, stdin_tty=False)
    code, out, _ = r.code, r.out, r.stderr
    assert code == 0
    assert ESC + "[" in out
    plain = ANSI.sub("", out)
    status, body = plain.split("\n", 1)
    assert status == "HTTP/1.1 200 OK"
    assert json.loads(body) == {"items": [{"id": "item-1", "n": 1}]}
    assert body.startswith('{\n  "items": [\n')


def test_no_color_keeps_indentation_without_colour(profiles, terminal):
    r = terminal("get", "keyed", "/catalog", "n==1", stdin_tty=False)
    code, out, _ = r.code, r.out, r.stderr
    assert code == 0 and ESC not in out
    assert json.loads(out.split("\n", 1)[1])["items"][0]["n"] == 1


def test_colouriser_keeps_the_text_and_marks_each_kind():
    text = json.dumps({"k": "v: \"q\" 12", "n": -1.5e3, "t": True, "z": None, "a": [1]}, indent=2)
    coloured = colourise(text)
    assert ANSI.sub("", coloured) == text
    assert '\x1b[34m"k"\x1b[0m:' in coloured
    assert '\x1b[33m"v: \\"q\\" 12"\x1b[0m' in coloured
    assert "\x1b[36m-1500.0\x1b[0m" in coloured
    assert "\x1b[35mtrue\x1b[0m" in coloured and "\x1b[35mnull\x1b[0m" in coloured


def test_verbose_is_coloured_on_a_terminal(profiles, terminal):
    r = terminal("get", "keyed", "/catalog", "-v", color=True, stdin_tty=False)
    code, _, err = r.code, r.out, r.stderr
    assert code == 0
    assert "\x1b[32mHTTP/1.1 200 OK\x1b[0m" in err
    assert "\x1b[36mContent-Type\x1b[0m: application/json" in err


def test_control_characters_from_the_server_are_escaped_on_stderr(profiles, terminal):
    r = terminal("get", "keyed", "/hostile", "-v", stdin_tty=False)
    code, out, err = r.code, r.out, r.stderr
    assert code == 4
    for raw in ("\x1b", "\x07", "\x9b", "\x7f"):
        assert raw not in err, repr(raw)
        assert raw not in out, repr(raw)
    assert "\\x1b[2K\\x1b[1A\\x1b[32mOK" in err  # reason phrase, in -v and the error line
    assert "Forbidden\\x1b[2K" in err  # x-amzn-ErrorType
    assert "req\\x1b]0;title\\x07" in err  # request id
    assert "X-Note: \\x9b31mred\\x7f" in err
    error_line = next(line for line in err.splitlines() if line.startswith("restcli: error:"))
    assert "HTTP 403" in error_line and "\\x1b" in error_line


def test_inert_escapes_c0_c1_and_del_but_keeps_tabs_and_text():
    from restcli.output import inert

    assert inert("a\tb \u2713") == "a\tb \u2713"
    assert inert("\x1b[2K\r\n\x00\x7f\x85\x9b") == "\\x1b[2K\\x0d\\x0a\\x00\\x7f\\x85\\x9b"


def test_error_body_with_output_is_escaped_on_stderr(cli, profiles, tmp_path):
    r = cli("get", "keyed", "/hostile", "-o", tmp_path / "x")
    assert r.code == 4
    assert "\x9b" not in r.stderr and "denied" in r.stderr


def test_c1_and_del_in_json_strings_are_escaped_on_a_terminal(profiles, terminal):
    r = terminal("get", "keyed", "/hostile", "--ignore-status", stdin_tty=False)
    code, out, _ = r.code, r.out, r.stderr
    assert code == 0
    assert "\x9b" not in out and "\\u009b31m" in out
