"""End to end against loopback servers: requests, captures, asserts, bodies, output."""

from __future__ import annotations

import json

from restcli.runner.codes import EXIT_ASSERT, EXIT_OK, EXIT_PARSE, EXIT_RUNTIME


def test_chain_with_captures_and_every_query(run):
    result = run("""
        # Documented queries, filters and predicates against one JSON document.
        GET {base}/books
        HTTP/1.1 200
        Content-Type: application/json
        ETag: "e0023aa4e"
        [Captures]
        first_name: jsonpath "$.books[0].name"
        book_count: jsonpath "$.books" count
        servers: header "X-Servers"
        [Asserts]
        status == 200
        status < 300
        version == "1.1"
        url endsWith "/books"
        header "X-Servers" split "," count == 2
        header "X-Servers" split "," nth 0 == "rec1"
        header "X-Servers" split "," nth -1 == "rec3"
        jsonpath "$.books" count == 3
        jsonpath "$.books[0].name" == "Dune"
        jsonpath "$.books[*].name" contains "Dune"
        jsonpath "$.books[*].name" includes "Dune"
        jsonpath "$.books[*].name" first == "Dune"
        jsonpath "$.books[*].name" last == "Les Misérables"
        jsonpath "$.books[?@.price > 10].name" count == 1
        jsonpath "$.books[0].price" == 9.5
        jsonpath "$.books[1].price" == 11
        jsonpath "$.books[1].price" == 11.0
        jsonpath "$.books[1].price" isInteger
        jsonpath "$.books[0].price" isFloat
        jsonpath "$.books[0].price" isNumber
        jsonpath "$.books[0].price" > 9
        jsonpath "$.books[0].price" >= 9.5
        jsonpath "$.books[0].price" <= 9.5
        jsonpath "$.count" toString == "3"
        jsonpath "$.id" toInt == 123
        jsonpath "$.id" == "123"
        jsonpath "$.id" != 123
        jsonpath "$.pi" toFloat == 3.14
        jsonpath "$.flag" == true
        jsonpath "$.flag" isBoolean
        jsonpath "$.nothing" == null
        jsonpath "$.nothing" exists
        jsonpath "$.missing" not exists
        jsonpath "$.empty" isEmpty
        jsonpath "$.empty" isCollection
        jsonpath "$.books" isList
        jsonpath "$.books[0]" isObject
        jsonpath "$.ips" split ", " count == 3
        jsonpath "$.ips" replace ", " "|" == "192.168.2.1|10.0.0.20|10.0.0.10"
        jsonpath "$.ips" replace /\\d+\\./ "x." startsWith "x.x.x.1"
        jsonpath "$.ips" replaceRegex "[0-9]+" "n" == "n.n.n.n, n.n.n.n, n.n.n.n"
        jsonpath "$.ips" regex /^(\\d+)\\./ == "192"
        jsonpath "$.ips" matches "^\\\\d{3}\\\\."
        jsonpath "$.ips" matches /^\\d{3}\\./
        jsonpath "$.token" base64Decode == hex,3c3c3f3f3f3e3e;
        jsonpath "$.token" base64Decode base64Encode == "PDw/Pz8+Pg=="
        jsonpath "$.url" urlEncode == "https%3A//mozilla.org/%3Fx%3D%D1%88%D0%B5%D0%BB%D0%BB%D1%8B"
        jsonpath "$.encoded" urlDecode == "https://mozilla.org/?x=шеллы"
        jsonpath "$.published" isIsoDate
        jsonpath "$.published" toDate "%Y-%m-%dT%H:%M:%S%.fZ" format "%A" == "Monday"
        jsonpath "$.published" toDate "%+" dateFormat "%A" == "Monday"
        jsonpath "$.published" toDate "%+" daysBeforeNow > 100
        jsonpath "$.published" toDate "%+" daysAfterNow < 0
        jsonpath "$.published" toDate "%+" isDate
        jsonpath "$.text" htmlEscape == "a &gt; b"
        jsonpath "$.books[0].name" startsWith "Du"
        jsonpath "$.books[0].name" not startsWith "X"
        jsonpath "$.books[0].name" isString
        jsonpath "$.books[0].name" not isInteger
        body contains "Herbert"
        body jsonpath "$.books[0].author" == "Frank Herbert"
        bytes count > 100
        bytes startsWith hex,7b;
        regex "\\"name\\": \\"([A-Za-z ]+)\\"" == "Dune"
        duration < 5000
        sha256 count == 32
        md5 count == 16
        variable "first_name" == "Dune"
        variable "book_count" == 3

        GET {base}/echo?name={{first_name}}
        [Query]
        count: {{book_count}}
        servers: {{servers}}
        HTTP 200
        [Asserts]
        jsonpath "$.query.name" == "Dune"
        jsonpath "$.query.count" == "3"
        jsonpath "$.query.servers" == "rec1,rec3"
        jsonpath "$.path" contains "servers=rec1%2Crec3"
        """)
    assert result.err == ""
    assert result.code == EXIT_OK
    assert json.loads(result.out)["query"]["name"] == "Dune"


def test_request_bodies(run, tmp_path):
    (tmp_path / "data.bin").write_bytes(b"\x00\x01binary")
    result = run("""
        POST {base}/echo
        {"name": "{{name}}", "count": {{count}}, "ok": {{flag}}, "list": [1, 2]}
        HTTP 200
        [Asserts]
        jsonpath "$.headers['content-type']" == "application/json"
        jsonpath "$.body" jsonpath "$.name" == "Bob \\"B\\""
        jsonpath "$.body" jsonpath "$.count" == 4
        jsonpath "$.body" jsonpath "$.ok" == true

        POST {base}/echo
        ```
        line1
        line2 {{count}}
        ```
        HTTP 200
        [Asserts]
        jsonpath "$.body" == "line1\\nline2 4\\n"
        jsonpath "$.headers['content-type']" not exists

        POST {base}/echo
        ```json
        {"k": "{{name}}"}
        ```
        HTTP 200
        [Asserts]
        jsonpath "$.headers['content-type']" == "application/json"

        POST {base}/echo
        `one line {{count}}`
        HTTP 200
        [Asserts]
        jsonpath "$.body" == "one line 4"

        PUT {base}/echo
        # A café, encoded in UTF-8
        hex,636166c3a90a;
        HTTP 200
        [Asserts]
        jsonpath "$.body" == "café\\n"

        POST {base}/echo
        base64,TG9yZW0g
        aXBzdW0=;
        HTTP 200
        [Asserts]
        jsonpath "$.body" == "Lorem ipsum"

        POST {base}/echo
        file,data.bin;
        HTTP 200
        [Asserts]
        jsonpath "$.body_b64" base64Decode == hex,000162696e617279;
        jsonpath "$.headers['content-length']" == "8"

        POST {base}/echo
        [Form]
        name: John Doe
        key1: {{count}}
        HTTP 200
        [Asserts]
        jsonpath "$.body" == "name=John%20Doe&key1=4"
        jsonpath "$.headers['content-type']" == "application/x-www-form-urlencoded"
        """, variables={"name": 'Bob "B"', "count": 4, "flag": True})
    assert result.err == ""
    assert result.code == EXIT_OK


def test_multipart_streams_files(run, tmp_path):
    (tmp_path / "hello.txt").write_text("hello file\n")
    (tmp_path / "blob.dat").write_bytes(b"\xff" * 200_000)
    result = run("""
        POST {base}/echo
        [Multipart]
        field1: value1
        field2: file,hello.txt;
        field3: file,blob.dat; application/x-blob
        HTTP 200
        [Asserts]
        jsonpath "$.headers['content-type']" startsWith "multipart/form-data; boundary="
        jsonpath "$.body" contains "name=\\"field1\\"\\r\\n\\r\\nvalue1\\r\\n"
        jsonpath "$.body" contains "name=\\"field2\\"; filename=\\"hello.txt\\"\\r\\n"
        jsonpath "$.body" contains "hello.txt\\"\\r\\nContent-Type: text/plain\\r\\n\\r\\nhello file\\n"
        jsonpath "$.body" contains "filename=\\"blob.dat\\"\\r\\nContent-Type: application/x-blob"
        jsonpath "$.headers['content-length']" toInt > 200000
        """)
    assert result.err == ""
    assert result.code == EXIT_OK


def test_implicit_body_and_header_asserts(run):
    ok = run("""
        GET {base}/text
        HTTP 200
        Content-Type: text/plain; charset=utf-8
        `Hello World!`

        GET {base}/bytes
        HTTP 200
        hex,efbbbf3c3c3f3f3f3e3e;

        GET {base}/status?code=201
        HTTP 201
        {}
        """)
    assert (ok.code, ok.err) == (EXIT_OK, "")
    bad = run("""
        GET {base}/text
        HTTP 200
        `Hello World?`
        """)
    assert bad.code == EXIT_ASSERT
    assert "f0.hurl:4:1" in bad.err and "Hello World!" in bad.err


def test_assert_failure_reports_position_expected_and_actual(run):
    result = run("""
        GET {base}/books
        HTTP 200
        [Asserts]
        jsonpath "$.count" == 4
        jsonpath "$.books[0].name" contains "Dune"
        """)
    assert result.code == EXIT_ASSERT
    assert "f0.hurl:5:1" in result.err
    assert "actual:   integer <3>" in result.err
    assert "expected: integer <4>" in result.err
    assert '5 | jsonpath "$.count" == 4' in result.err
    assert "  | ^ assert failed" in result.err
    assert result.out == ""  # no body printed for a failed file


def test_status_mismatch_and_continue_on_error(run):
    text = """
        GET {base}/status?code=404
        HTTP 200

        GET {base}/echo?second=1
        HTTP 200
        """
    stop = run(text)
    assert stop.code == EXIT_ASSERT and "f0.hurl:3:6" in stop.err
    assert "actual:   404" in stop.err
    go_on = run(text, continue_on_error=True)
    assert go_on.code == EXIT_ASSERT


def test_from_and_to_entry(run):
    text = """
        GET {base}/echo?n=1
        GET {base}/echo?n=2
        GET {base}/echo?n=3
        """
    assert json.loads(run(text, to_entry=2).out)["query"]["n"] == "2"
    assert json.loads(run(text, from_entry=3).out)["query"]["n"] == "3"


def test_runtime_errors(run):
    undefined = run("GET {base}/echo?x={{nope}}\n")
    assert undefined.code == EXIT_RUNTIME
    assert "f0.hurl:1:" in undefined.err and "nope" in undefined.err
    refused = run("GET http://127.0.0.1:9/\n")
    assert refused.code == EXIT_RUNTIME and "connection failed" in refused.err
    capture = run("""
        GET {base}/books
        HTTP 200
        [Captures]
        x: jsonpath "$.missing"
        """)
    assert capture.code == EXIT_RUNTIME and "f0.hurl:5:4" in capture.err


def test_parse_error_is_exit_2_and_other_files_still_run(run):
    result = run("GET {base}/echo\nHTTP 200\n[Asserts]\nxpath \"//h1\" exists\n",
                 "GET {base}/echo?ok=1\n", test=True)
    assert result.code == EXIT_PARSE
    assert "f0.hurl:4:1" in result.err and "not supported by restcli" in result.err
    assert "f1.hurl: Success" in result.err
    assert "Executed files:    2" in result.err


def test_body_size_limit_and_gzip(run):
    big = run("GET {base}/big?size=5000\n", max_body=4096)
    assert big.code == EXIT_RUNTIME and "larger than 4096 bytes" in big.err
    zipped = run("""
        GET {base}/gzip
        [Options]
        compressed: true
        HTTP 200
        [Asserts]
        jsonpath "$.zipped" == true
        """)
    assert (zipped.code, zipped.err) == (EXIT_OK, "")


def test_output_option_writes_under_the_file_root(run, tmp_path):
    result = run("""
        GET {base}/text
        [Options]
        output: saved.txt
        """)
    assert result.code == EXIT_OK
    assert (tmp_path / "saved.txt").read_text() == "Hello World!"
    outside = run("""
        GET {base}/text
        [Options]
        output: ../escape.txt
        """)
    assert outside.code == EXIT_RUNTIME and "outside the file root" in outside.err


def test_file_body_outside_root_is_refused(run):
    result = run("POST {base}/echo\nfile,../../etc/passwd;\n")
    assert result.code == EXIT_RUNTIME and "outside the file root" in result.err
