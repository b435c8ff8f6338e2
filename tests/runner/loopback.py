"""A small HTTP server on 127.0.0.1 with the routes the runner's tests need."""

from __future__ import annotations

import base64
import gzip
import http.server
import json
import threading
import time
from urllib.parse import parse_qs, urlsplit

BOOKS = {
    "books": [
        {"name": "Dune", "author": "Frank Herbert", "price": 9.5},
        {"name": "Children of Dune", "author": "Frank Herbert", "price": 11},
        {"name": "Les Misérables", "author": "Victor Hugo", "price": 7.25},
    ],
    "count": 3, "id": "123", "pi": "3.14", "flag": True, "nothing": None,
    "ips": "192.168.2.1, 10.0.0.20, 10.0.0.10", "token": "PDw/Pz8+Pg==",
    "published": "2023-01-23T18:25:43.511Z", "url": "https://mozilla.org/?x=шеллы",
    "encoded": "https%3A//mozilla.org/%3Fx%3D%D1%88%D0%B5%D0%BB%D0%BB%D1%8B",
    "empty": [], "text": "a > b",
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # http.server writes head and body separately: without this, Nagle's algorithm and
    # delayed ACKs add ~40 ms to each request on a kept-alive connection.
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:
        pass

    def _reply(self, status: int, body: bytes = b"", ctype: str = "application/json",
               headers: list[tuple[str, str]] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, data, status: int = 200, headers=()) -> None:
        self._reply(status, json.dumps(data).encode(), headers=headers)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        self.route()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def route(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        handler = getattr(self, "r_" + url.path.strip("/").replace("-", "_") or "r_root", None)
        if handler is None:
            self._json({"error": "not found"}, 404)
        else:
            handler(query)

    def r_books(self, q) -> None:
        self._json(BOOKS, headers=[("X-Servers", "rec1,rec3"), ("ETag", '"e0023aa4e"')])

    def r_echo(self, q) -> None:
        body = self._body()
        self._json({
            "method": self.command, "path": self.path, "query": q,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
            "body_b64": base64.b64encode(body).decode(),
        })

    def r_text(self, q) -> None:
        self._reply(200, b"Hello World!", "text/plain; charset=utf-8")

    def r_bytes(self, q) -> None:
        self._reply(200, bytes.fromhex("efbbbf3c3c3f3f3f3e3e"), "application/octet-stream")

    def r_redirect(self, q) -> None:
        self._body()
        self._reply(int(q.get("code", "302")), b"moved", "text/plain",
                    [("Location", q["to"])])

    def r_set_cookie(self, q) -> None:
        self._reply(200, b"{}", headers=[
            ("Set-Cookie", "session=abc123; Path=/; HttpOnly; Max-Age=3600"),
            ("Set-Cookie", "theme=light; Path=/; Expires=Wed, 13 Jan 2021 22:23:01 GMT"),
        ])

    def r_slow(self, q) -> None:
        time.sleep(int(q.get("ms", "500")) / 1000)
        self._json({"slow": True})

    def r_flaky(self, q) -> None:
        server = self.server
        with server.lock:
            seen = server.counters.get(q["key"], 0) + 1
            server.counters[q["key"]] = seen
        if seen <= int(q.get("fail", "2")):
            self._json({"state": "RUNNING", "seen": seen})
        else:
            self._json({"state": "COMPLETED", "seen": seen})

    def r_gzip(self, q) -> None:
        body = gzip.compress(json.dumps({"zipped": True, "pad": "x" * 1000}).encode())
        self._reply(200, body, headers=[("Content-Encoding", "gzip")])

    def r_big(self, q) -> None:
        self._reply(200, b"x" * int(q.get("size", "1000")), "text/plain")

    def r_status(self, q) -> None:
        self._reply(int(q.get("code", "200")), b"{}")

    def r_raw(self, q) -> None:
        """Exactly the `body` asked for, with the `type` asked for (JSON by default)."""
        self._reply(200, q.get("body", "").encode("utf-8"), q.get("type", "application/json"))


class _Quiet(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up (a timeout test) is expected, not news


class Server:
    def __init__(self) -> None:
        self.httpd = _Quiet(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.lock = threading.Lock()
        self.httpd.counters = {}
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> Server:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
