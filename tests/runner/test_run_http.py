"""End to end: auth hooks, redirects, cookies, retries, timeouts, secrets, parallel files."""

from __future__ import annotations

import json
import threading

from restcli.runner.codes import EXIT_ASSERT, EXIT_OK, EXIT_RUNTIME
from restcli.runner.send import Transport


class KeyAuth:
    """A requests-style auth as restcli's api_key mode makes: one header."""

    def __init__(self, key: str):
        self.key = key

    def __call__(self, request):
        request.headers["X-Api-Key"] = self.key
        request.headers["X-Custom-Token"] = "tok-" + self.key
        return request


def hook_for(base: str, calls: list[str], key: str = "k-secret-123"):
    def auth_for(url: str):
        calls.append(url)
        return KeyAuth(key) if url.startswith(base) else None
    return auth_for


def test_auth_hook_is_asked_per_request(run, server):
    calls: list[str] = []
    result = run("""
        GET {base}/echo?n=1
        HTTP 200
        [Asserts]
        jsonpath "$.headers['x-api-key']" == "k-secret-123"

        GET {base}/echo?n=2
        HTTP 200
        [Asserts]
        jsonpath "$.headers['x-api-key']" exists

        GET {other}/echo?n=3
        HTTP 200
        [Asserts]
        jsonpath "$.headers['x-api-key']" not exists
        """, auth_for=hook_for(server.url, calls))
    assert (result.code, result.err) == (EXIT_OK, "")
    assert len(calls) == 3


def test_credentials_never_follow_a_redirect_to_another_origin(run, server, other_server):
    calls: list[str] = []
    result = run("""
        GET {base}/redirect?to={other}/echo
        Authorization: Bearer file-token
        X-Api-Key: file-key
        Cookie: a=b
        Proxy-Authorization: Basic eA==
        X-Amz-Security-Token: sts
        X-Kept: yes
        [Cookies]
        extra: 1
        [Options]
        location: true
        HTTP 200
        [Asserts]
        url startsWith "{other}"
        jsonpath "$.headers['authorization']" not exists
        jsonpath "$.headers['x-api-key']" not exists
        jsonpath "$.headers['x-custom-token']" not exists
        jsonpath "$.headers['cookie']" not exists
        jsonpath "$.headers['proxy-authorization']" not exists
        jsonpath "$.headers['x-amz-security-token']" not exists
        jsonpath "$.headers['x-kept']" == "yes"
        """, auth_for=hook_for(server.url, calls))
    assert (result.code, result.err) == (EXIT_OK, "")
    assert calls == [f"{server.url}/redirect?to={other_server.url}/echo"]


def test_same_origin_redirect_keeps_auth_and_signs_again(run, server):
    calls: list[str] = []
    result = run("""
        POST {base}/redirect?to=/echo%3Fhop%3D2&code=307
        [Options]
        location: true
        `payload`
        HTTP 200
        [Asserts]
        jsonpath "$.method" == "POST"
        jsonpath "$.body" == "payload"
        jsonpath "$.headers['x-api-key']" == "k-secret-123"

        POST {base}/redirect?to=/echo&code=302
        [Options]
        location: true
        `payload`
        HTTP 200
        [Asserts]
        jsonpath "$.method" == "GET"
        jsonpath "$.body" == ""

        GET {base}/redirect?to=/echo
        HTTP 302
        Location: /echo
        """, auth_for=hook_for(server.url, calls))
    assert (result.code, result.err) == (EXIT_OK, "")


def test_max_redirs(run):
    result = run("""
        GET {base}/redirect?to=/redirect%3Fto%3D/echo
        [Options]
        location: true
        max-redirs: 1
        """)
    assert result.code == EXIT_RUNTIME and "max-redirs 1" in result.err


def test_cookies_are_kept_across_entries_of_a_file(run):
    result = run("""
        GET {base}/set-cookie
        HTTP 200
        [Asserts]
        cookie "session" == "abc123"
        cookie "session[Value]" == "abc123"
        cookie "session[Max-Age]" == 3600
        cookie "session[HttpOnly]" exists
        cookie "session[Secure]" not exists
        cookie "theme[Expires]" isDate
        cookie "theme[Expires]" format "%Y-%m-%d" == "2021-01-13"

        GET {base}/echo
        [Cookies]
        lang: fr
        HTTP 200
        [Asserts]
        jsonpath "$.headers.cookie" contains "session=abc123"
        jsonpath "$.headers.cookie" contains "lang=fr"
        jsonpath "$.headers.cookie" not contains "theme"
        """, "GET {base}/echo\nHTTP 200\n[Asserts]\njsonpath \"$.headers.cookie\" not exists\n")
    assert (result.code, result.err) == (EXIT_OK, "")


def test_retry_until_the_asserts_hold(run):
    result = run("""
        GET {base}/flaky?key=job1&fail=2
        [Options]
        retry: 5
        retry-interval: 10ms
        HTTP 200
        [Asserts]
        jsonpath "$.state" == "COMPLETED"
        jsonpath "$.seen" == 3
        """)
    assert (result.code, result.err) == (EXIT_OK, "")
    exhausted = run("""
        GET {base}/flaky?key=job2&fail=5
        [Options]
        retry: 1
        retry-interval: 0
        HTTP 200
        [Asserts]
        jsonpath "$.state" == "COMPLETED"
        """)
    assert exhausted.code == EXIT_ASSERT


def test_repeat_skip_delay_and_variable_options(run):
    result = run("""
        GET {base}/flaky?key=rep&fail=100
        [Options]
        repeat: 3

        GET {base}/echo?never=1
        [Options]
        skip: true
        HTTP 500

        GET {base}/flaky?key=rep&fail=100
        [Options]
        delay: 20ms
        variable: expected=4
        variable: label=four
        HTTP 200
        [Asserts]
        jsonpath "$.seen" == {{expected}}
        variable "label" == "four"
        """)
    assert (result.code, result.err) == (EXIT_OK, "")


def test_timeouts_are_runtime_errors(run):
    result = run("GET {base}/slow?ms=400\n[Options]\nmax-time: 100ms\n")
    assert result.code == EXIT_RUNTIME and "timeout" in result.err
    hooked = run("GET {base}/slow?ms=400\n", transport_for=lambda url: Transport(timeout=0.1))
    assert hooked.code == EXIT_RUNTIME and "timeout" in hooked.err


def test_basic_auth_and_sigv4_hook(run):
    specs: list[str] = []

    def sigv4_auth(spec: str):
        specs.append(spec)

        def sign(request):
            request.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/x"
            return request
        return sign

    result = run("""
        GET {base}/echo
        [BasicAuth]
        bob: secret
        HTTP 200
        [Asserts]
        jsonpath "$.headers.authorization" == "Basic Ym9iOnNlY3JldA=="

        GET {base}/echo
        [Options]
        aws-sigv4: aws:amz:us-east-1:execute-api
        HTTP 200
        [Asserts]
        jsonpath "$.headers.authorization" startsWith "AWS4-HMAC-SHA256"
        """, sigv4_auth=sigv4_auth)
    assert (result.code, result.err) == (EXIT_OK, "")
    assert specs == ["aws:amz:us-east-1:execute-api"]


def test_secrets_and_redacted_captures_never_printed(run, tmp_path):
    report = tmp_path / "r.json"
    junit = tmp_path / "r.xml"
    result = run("""
        GET {base}/echo?key={{api_key}}
        HTTP 200
        [Captures]
        echoed: jsonpath "$.query.key" redact
        session: jsonpath "$.query.key" regex /^(s3cr)/ redact
        [Asserts]
        jsonpath "$.query.key" == "wrong-{{api_key}}"
        """, variables={"api_key": "s3cr3t-value"}, secrets=["s3cr3t-value"], verbose=True,
        report_json=str(report), report_junit=str(junit), test=True)
    assert result.code == EXIT_ASSERT
    for text in (result.err, result.out, report.read_text(), junit.read_text()):
        assert "s3cr3t-value" not in text
    assert "***" in result.err
    assert "> GET" in result.err  # verbose lines, redacted too


def test_verbose_option_and_body_printing(run):
    result = run("""
        GET {base}/echo?a=1
        [Options]
        verbose: true
        """)
    assert result.code == EXIT_OK
    assert "> GET " in result.err and "< HTTP/1.1 200" in result.err
    assert json.loads(result.out)["query"] == {"a": "1"}


def test_jobs_run_files_in_parallel_each_in_order(run, server):
    lock = threading.Lock()
    seen_threads: set[str] = set()

    def auth_for(url: str):
        with lock:
            seen_threads.add(threading.current_thread().name)

    texts = [f"""
        GET {{base}}/slow?ms=200
        GET {{base}}/flaky?key=jobs{i}&fail=0
        HTTP 200
        [Asserts]
        jsonpath "$.seen" == 1
        """ for i in range(4)]
    import time
    start = time.monotonic()
    result = run(*texts, jobs=4, test=True, auth_for=auth_for)
    elapsed = time.monotonic() - start
    assert result.code == EXIT_OK, result.err
    assert result.err.count(": Success") == 4
    assert elapsed < 0.7  # four 200 ms files at once, not one after the other
    assert len(seen_threads) > 1
