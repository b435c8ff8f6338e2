"""moto's server on 127.0.0.1 (a free port), counting the requests it answers.

moto's ThreadedMotoServer, with two changes for restcli's tests: the WSGI app is wrapped
to record every request (operation, auth flow, path), so a test can prove that a call
made no Cognito request at all; and stop() closes the listening socket, so a stopped
server refuses connections instead of leaving them queued.
"""

from __future__ import annotations

import io
import json
import threading
import time
from dataclasses import dataclass

from moto.moto_server.threaded_moto_server import ThreadedMotoServer


@dataclass(frozen=True)
class Call:
    operation: str  # "InitiateAuth", "GetId", ... ("" for a plain GET such as the JWKS)
    flow: str  # InitiateAuth's AuthFlow, else ""
    path: str
    body: dict


class CountingMotoServer(ThreadedMotoServer):
    def __init__(self):
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.calls: list[Call] = []
        # operation -> seconds to wait before answering (to widen race windows)
        self.delays: dict[str, float] = {}
        self._lock = threading.Lock()

    def _server_entry(self) -> None:
        import logging

        # werkzeug logs every request, and a traceback for each of moto's 500s, to stderr.
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        app = DomainDispatcherApplication(create_backend_app)

        def counting(environ, start_response):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(raw)
            target = environ.get("HTTP_X_AMZ_TARGET", "")
            operation = target.rsplit(".", 1)[-1] if target else ""
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {}
            flow = body.get("AuthFlow", "") if isinstance(body, dict) else ""
            with self._lock:
                self.calls.append(Call(operation, flow, environ.get("PATH_INFO", ""), body))
            if operation in self.delays:
                time.sleep(self.delays[operation])
            return app(environ, start_response)

        self._server = make_server(
            self._ip_address, self._port, counting, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()

    def stop(self) -> None:
        server = self._server
        super().stop()
        if server is not None:
            server.server_close()

    @property
    def url(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"

    def count(self, operation: str | None = None, flow: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for c in self.calls
                if (operation is None or c.operation == operation)
                and (flow is None or c.flow == flow)
                and (operation is not None or c.operation)
            )

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
