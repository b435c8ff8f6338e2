"""Loopback HTTP helpers beside the test gateway: a request counter, fixed JSON bodies."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(handler) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class Counter:
    """A loopback HTTP server that counts every request (stands in for Cognito/STS)."""

    def __init__(self):
        counter = self
        self.hits: list[str] = []

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _any(self):
                counter.hits.append(f"{self.command} {self.path}")
                body = b'{"message":"benchmark: no AWS request expected"}'
                self.send_response(500)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _any

        self.server, self.url = _serve(H)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def json_body(size: int) -> bytes:
    """A JSON array of small records, at least `size` bytes; the same bytes on every run."""
    items, total, i = [], 2, 0
    while total < size:
        item = {"id": i, "name": f"item-{i:06d}", "tags": ["alpha", "beta"], "price": i * 0.25,
                "active": i % 2 == 0, "note": None}
        items.append(item)
        total += len(json.dumps(item)) + 2
        i += 1
    return json.dumps(items).encode()


class JsonServer:
    """GET /json/N answers a fixed JSON body of N MB (application/json, Content-Length,
    keep-alive, Nagle off like the test gateway's handler): for the terminal rows, which
    need a body the gateway has no route for."""

    def __init__(self, sizes: dict[str, int]):
        bodies = {f"/json/{name}": json_body(size) for name, size in sizes.items()}
        self.sizes = {name: len(bodies[f"/json/{name}"]) for name in sizes}

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *a):
                pass

            def do_GET(self):
                body = bodies.get(self.path)
                status = 200 if body is not None else 404
                body = body if body is not None else b'{"message":"no such body"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server, self.url = _serve(H)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
