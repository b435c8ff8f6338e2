"""Bad input in a file or from a server is an error with its position, never a crash.

A pattern or JSONPath from a variable, an unknown encoding or charset, a malformed URL or
Location: each is the entry's error at file:line:column, and the run goes on with the
other files (their results, the summary and the reports are all written). Within
[Asserts] Hurl reports such an error as that assert's failure (entry.rs turns every error
of the asserts into an assert error); elsewhere it is a runtime error.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from restcli.runner.codes import EXIT_ASSERT, EXIT_RUNTIME

GOOD = "GET {base}/echo\nHTTP 200\n"


@pytest.mark.parametrize(("text", "code", "where", "message"), [
    ('GET {base}/books\nHTTP 200\n[Asserts]\njsonpath "{{p}}" exists\n',
     EXIT_ASSERT, "f0.hurl:4:10", "invalid JSONPath '$['"),
    ('GET {base}/books\nHTTP 200\n[Captures]\nx: jsonpath "{{p}}"\n',
     EXIT_RUNTIME, "f0.hurl:4:13", "invalid JSONPath '$['"),
    ('GET {base}/books\nHTTP 200\n[Asserts]\nbody matches "{{r}}"\n',
     EXIT_ASSERT, "f0.hurl:4:14", "invalid regex 'a('"),
    ('GET {base}/books\nHTTP 200\n[Asserts]\nbody matches {{r}}\n',
     EXIT_ASSERT, "f0.hurl:4:14", "invalid regex 'a('"),
    ('GET {base}/books\nHTTP 200\n[Asserts]\nregex "{{r}}" exists\n',
     EXIT_ASSERT, "f0.hurl:4:7", "invalid regex 'a('"),
    ('GET {base}/books\nHTTP 200\n[Captures]\nx: body regex "{{r}}"\n',
     EXIT_RUNTIME, "f0.hurl:4:15", "invalid regex 'a('"),
    ('GET {base}/books\nHTTP 200\n[Asserts]\nbody replaceRegex "{{r}}" "x" == "y"\n',
     EXIT_ASSERT, "f0.hurl:4:19", "invalid regex 'a('"),
    ('GET {base}/books\nHTTP 200\n[Asserts]\nbody jsonpath "{{p}}" exists\n',
     EXIT_ASSERT, "f0.hurl:4:1", "invalid JSONPath '$['"),
    ('GET {base}/books\nHTTP 200\n[Asserts]\nbytes decode "nope" == "x"\n',
     EXIT_ASSERT, "f0.hurl:4:1", "unknown encoding: nope"),
    ("GET {base}/raw?type=text/plain;%20charset=bogus&body=hello\nHTTP 200\n`hello`\n",
     EXIT_ASSERT, "f0.hurl:3:1", "charset 'bogus' is not a known encoding"),
    ("GET {base}/raw?type=text/plain;%20charset=bogus&body=hello\nHTTP 200\n[Captures]\n"
     "x: body\n", EXIT_RUNTIME, "f0.hurl:4:4", "charset 'bogus' is not a known encoding"),
    ("GET {base}/redirect?to=http://%5B::1\n[Options]\nlocation: true\nHTTP 200\n",
     EXIT_RUNTIME, "f0.hurl:1:1", "redirect to an invalid URL"),
    ("GET http://[::1\nHTTP 200\n", EXIT_RUNTIME, "f0.hurl:1:5", "invalid URL 'http://[::1'"),
])
def test_bad_input_is_an_entry_error_and_the_other_files_run(run, tmp_path, text, code,
                                                             where, message):
    report = tmp_path / "report.json"
    result = run(text, GOOD, test=True, variables={"p": "$[", "r": "a("},
                 report_json=str(report))
    assert result.code == code, result.err
    assert where in result.err and message in result.err
    assert "unexpected" not in result.err and "Traceback" not in result.err
    assert "f1.hurl: Success" in result.err and "Executed files:    2" in result.err
    assert [f["success"] for f in json.loads(report.read_text())] == [False, True]


def test_a_defect_is_kept_to_its_entry_and_named(run, tmp_path, monkeypatch):
    import restcli.runner.execute

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(restcli.runner.execute, "build_request", broken)
    junit = tmp_path / "junit.xml"
    result = run("GET {base}/echo\nHTTP 200\n", GOOD, test=True, report_junit=str(junit))
    assert result.code == EXIT_RUNTIME
    assert "f0.hurl:1:1" in result.err and "KeyError: 'boom'" in result.err
    assert "f1.hurl: Failure" in result.err and "Executed files:    2" in result.err
    cases = ET.parse(junit).getroot().findall(".//testcase")
    assert len(cases) == 2 and all(c.find("error") is not None for c in cases)


# Input files: checked before anything runs (exit 2, one line).

def _one_line_exit_2(r, gateway):
    assert r.code == 2, r.stderr
    assert r.stderr.strip().count("\n") == 0 and r.stderr.startswith("restcli: error: ")
    assert gateway.received == []  # the good file first in the list never ran


@pytest.mark.parametrize("kind", ["missing", "directory", "fifo", "device", "oversized"])
def test_an_input_file_that_cannot_be_read_is_exit_2_before_anything_runs(
        cli, profiles, gateway, tmp_path, kind):
    import os

    good = tmp_path / "good.hurl"
    good.write_text("GET {{endpoint}}/x\nHTTP 200\n")
    bad = tmp_path / "bad.hurl"
    if kind == "directory":
        bad.mkdir()
    elif kind == "fifo":
        os.mkfifo(bad)  # with no writer: opening it must not wait for one
    elif kind == "device":
        bad = "/dev/zero"
    elif kind == "oversized":
        with open(bad, "wb") as f:
            f.truncate(16 * 1024 * 1024 + 1)
    r = cli("run", good, bad, "--profile", "open")
    _one_line_exit_2(r, gateway)
    assert str(bad) in r.stderr


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
                    reason="root reads any file")
def test_an_unreadable_input_file_is_exit_2(cli, profiles, gateway, tmp_path):
    good = tmp_path / "good.hurl"
    good.write_text("GET {{endpoint}}/x\nHTTP 200\n")
    bad = tmp_path / "bad.hurl"
    bad.write_text(GOOD)
    bad.chmod(0)
    r = cli("run", good, bad, "--profile", "open")
    _one_line_exit_2(r, gateway)
    assert "Permission denied" in r.stderr


def test_a_defect_outside_any_entry_is_kept_to_its_file(run, monkeypatch):
    import restcli.runner.api

    real = restcli.runner.api.parse

    def parse(source, path):
        if path.endswith("f0.hurl"):
            raise ValueError("parser defect")
        return real(source, path)

    monkeypatch.setattr(restcli.runner.api, "parse", parse)
    result = run("GET {base}/echo\n", GOOD, test=True)
    assert result.code == EXIT_RUNTIME
    assert "restcli could not run this file: ValueError: parser defect" in result.err
    assert "f1.hurl: Success" in result.err


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_variables_file_that_is_not_a_regular_file_is_exit_2(cli, profiles, gateway,
                                                               tmp_path, kind):
    import os

    good = tmp_path / "good.hurl"
    good.write_text("GET {{endpoint}}/x\nHTTP 200\n")
    variables = tmp_path / "vars.env"
    os.mkfifo(variables) if kind == "fifo" else variables.mkdir()
    r = cli("run", good, "--profile", "open", "--variables-file", variables)
    _one_line_exit_2(r, gateway)
    assert "--variables-file" in r.stderr and "not a regular file" in r.stderr
