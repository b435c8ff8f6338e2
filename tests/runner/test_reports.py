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


def test_every_request_sent_is_counted(run, tmp_path):
    """Hurl's report counts the calls of every try and every redirect hop: an entry that
    passed on its third try made 3 requests, a redirect followed made 2, a request that
    failed made 1."""
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    result = run("""
        GET {base}/flaky?key=count3&fail=2
        [Options]
        retry: 2
        retry-interval: 0
        HTTP 200
        [Asserts]
        jsonpath "$.state" == "COMPLETED"

        GET {base}/redirect?to=/echo
        [Options]
        location: true
        HTTP 200
        """, "GET http://127.0.0.1:9/\n", test=True, report_json=str(report),
        report_junit=str(junit))
    assert "Executed entries:  3 (6 request(s))" in result.err
    assert "f0.hurl: Success (5 request(s) in" in result.err
    assert "f1.hurl: Failure (1 request(s) in" in result.err
    data = json.loads(report.read_text())
    assert [e["requests"] for e in data[0]["entries"]] == [3, 2]
    assert [e["attempts"] for e in data[0]["entries"]] == [3, 1]
    assert len(data[0]["entries"][0]["calls"]) == 3  # every try's call is kept
    assert (data[0]["requests"], data[1]["requests"]) == (5, 1)
    cases = ET.parse(junit).getroot().findall(".//testcase")
    assert [c.find("properties/property[@name='requests']").get("value") for c in cases] == [
        "5", "1"]
