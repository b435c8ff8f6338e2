"""Reports: JUnit XML (parsed back), JSON, and the --test summary."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from restcli.runner.codes import EXIT_PARSE


def test_junit_has_one_testcase_per_file_with_failures_and_errors(run, tmp_path):
    junit = tmp_path / "junit.xml"
    result = run(
        "GET {base}/books\nHTTP 200\n[Asserts]\njsonpath \"$.count\" == 4\n",
        "GET {base}/echo\nHTTP 200\n",
        "GET {base}/echo\nHTTP 200\n[Asserts]\nxpath \"//a\" exists\n",
        "GET http://127.0.0.1:9/\n",
        test=True, report_junit=str(junit), continue_on_error=True)
    assert result.code == EXIT_PARSE
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "2")
    cases = suite.findall("testcase")
    assert [c.get("name").rsplit("/", 1)[-1] for c in cases] == [
        "f0.hurl", "f1.hurl", "f2.hurl", "f3.hurl"]
    failure = cases[0].find("failure")
    assert failure.get("message").endswith("f0.hurl:4:1: assert failed")
    assert "expected: integer <4>" in failure.text and "actual:   integer <3>" in failure.text
    assert cases[1].find("failure") is None and cases[1].find("error") is None
    assert cases[2].find("error").get("type") == "parse"
    assert cases[3].find("error").get("type") == "runtime"
    assert all(float(c.get("time")) >= 0 for c in cases)


def test_json_report_and_summary(run, tmp_path):
    report = tmp_path / "report.json"
    result = run("""
        GET {base}/books
        HTTP 200
        [Captures]
        n: jsonpath "$.count"
        [Asserts]
        jsonpath "$.count" == 3

        GET {base}/echo
        [Options]
        skip: true
        """, test=True, report_json=str(report))
    assert result.code == 0
    data = json.loads(report.read_text())
    assert data[0]["success"] is True
    first = data[0]["entries"][0]
    assert first["captures"] == {"n": 3}
    assert first["calls"][0]["status"] == 200
    assert [a["success"] for a in first["asserts"]] == [True, True]
    assert data[0]["entries"][1]["skipped"] is True
    assert "Executed files:    1" in result.err
    assert "Executed entries:  1 (1 request(s))" in result.err
    assert "Succeeded files:   1 (100.0%)" in result.err
    assert "Failed files:      0 (0.0%)" in result.err
