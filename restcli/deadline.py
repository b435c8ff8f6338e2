"""Bounds on waiting and on memory for every HTTP exchange restcli makes.

requests' timeout applies to each socket read, so a server dripping one byte a second
never trips it. A `Watch` arms a timer while a response head is awaited (the head must
arrive within the timeout in total) and, when a whole-call limit is set, one for the
call: when either runs out, the socket in use is shut down from the timer's thread,
the blocked read returns, and the Watch says which limit hit.

`read_capped` holds at most a given number of decoded bytes of a body (a small
compressed body can inflate to gigabytes).

requests and urllib3 are imported inside the functions: this module is a leaf that the
start-up path may import without paying for them.
"""

from __future__ import annotations

import heapq
import socket
import threading
import time
from typing import Any

# What a buffered read may hold, in decoded bytes (README: Limits).
ERROR_BODY_LIMIT = 1 << 20  # an error body shown on stdout and quoted by hints
SERVICE_ANSWER_LIMIT = 1 << 20  # a Cognito, identity-pool, OAuth or STS answer
CHUNK = 64 * 1024

HEAD = "timeout"
TOTAL = "max_time"


class Watch:
    """The limits of one call: the head's total wait, and the whole call's deadline."""

    def __init__(self, head_timeout: float | None, max_time: float | None = None):
        self.head_timeout = head_timeout or None
        self.max_time = max_time or None
        self.end: float | None = None
        # The connection sending or receiving now: what a timer shuts.
        self.current: Any = None
        # Which limit ran out (HEAD or TOTAL), once one has.
        self.hit: str | None = None
        self._lock = threading.Lock()
        self._total_timer: _Alarm | None = None

    def begin(self) -> None:
        """The whole-call clock starts (once): every retry and redirect counts against it."""
        if self.max_time and self.end is None:
            self.end = time.monotonic() + self.max_time
            self._total_timer = _timer(self.max_time, self._expire, TOTAL, None)

    def remaining(self) -> float | None:
        if self.end is None:
            return None
        return max(0.0, self.end - time.monotonic())

    def out_of_time(self) -> bool:
        return self.hit == TOTAL or (self.end is not None and time.monotonic() >= self.end)

    def head_limit(self) -> tuple[float | None, str]:
        """How long a response head may take now, and the limit that would run out."""
        remaining = self.remaining()
        if remaining is not None and (self.head_timeout is None or remaining < self.head_timeout):
            return remaining, TOTAL
        return self.head_timeout, HEAD

    def connect_timeout(self) -> float | None:
        limit, _ = self.head_limit()
        return limit

    def awaiting_head(self, conn: Any) -> _Alarm | None:
        self.current = conn
        limit, which = self.head_limit()
        if limit is None:
            return None
        return _timer(limit, self._expire, which, conn)

    def _expire(self, which: str, conn: Any) -> None:
        with self._lock:
            if self.hit is None:
                self.hit = which
            conn = conn or self.current
            sock = getattr(conn, "sock", None)
            if sock is not None:
                try:
                    # The plain socket's shutdown: the blocked (maybe TLS) read returns.
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        if self._total_timer is not None:
            self._total_timer.cancel()
        self.current = None


class _Alarm:
    __slots__ = ("args", "cancelled", "fn", "when")

    def __init__(self, when: float, fn, args: tuple):
        self.when, self.fn, self.args, self.cancelled = when, fn, args, False

    def cancel(self) -> None:
        self.cancelled = True
        # The connection it would shut may be closed and freed now.
        self.args = ()

    def __lt__(self, other: _Alarm) -> bool:
        return self.when < other.when


class _Alarms:
    """One daemon thread for every alarm of the process (no thread per request)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._heap: list[_Alarm] = []
        self._thread: threading.Thread | None = None

    def add(self, seconds: float, fn, args: tuple) -> _Alarm:
        alarm = _Alarm(time.monotonic() + max(0.0, seconds), fn, args)
        with self._cond:
            heapq.heappush(self._heap, alarm)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="restcli-deadlines",
                                                daemon=True)
                self._thread.start()
            self._cond.notify()
        return alarm

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._heap and self._heap[0].cancelled:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                wait = self._heap[0].when - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                alarm = heapq.heappop(self._heap)
            if alarm.cancelled:
                continue
            try:
                alarm.fn(*alarm.args)
            except Exception:  # noqa: BLE001, S110 - an alarm never kills the thread
                pass


_ALARMS = _Alarms()


def _timer(seconds: float, fn, *args) -> _Alarm:
    return _ALARMS.add(seconds, fn, args)


class ThreadWatch:
    """The Watch of the calling thread: one adapter (one connection pool) shared by threads
    that each send one request at a time (`restcli run --jobs`), each with its own limits."""

    def __init__(self) -> None:
        object.__setattr__(self, "_local", threading.local())

    def use(self, watch: Watch) -> None:
        self._local.watch = watch

    def _current(self) -> Watch:
        watch = getattr(self._local, "watch", None)
        if watch is None:
            watch = self._local.watch = Watch(None)
        return watch

    def __getattr__(self, name: str) -> Any:
        return getattr(self._current(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._current(), name, value)


def watched_adapter(watch: Any, ssl_context: Any = None, **adapter_options: Any):
    """A requests HTTPAdapter whose connections report to `watch` (and use `ssl_context`)."""
    # requests and urllib3 only when something is sent; the timers need neither (start-up)
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    def watched(base):
        class Watched(base):
            def request(self, *args, **kwargs):
                watch.current = self
                return super().request(*args, **kwargs)

            def getresponse(self, *args, **kwargs):
                timer = watch.awaiting_head(self)
                try:
                    return super().getresponse(*args, **kwargs)
                finally:
                    if timer is not None:
                        timer.cancel()

        return Watched

    class Pool(HTTPConnectionPool):
        ConnectionCls = watched(HTTPConnection)

    class TLSPool(HTTPSConnectionPool):
        ConnectionCls = watched(HTTPSConnection)

    classes = {"http": Pool, "https": TLSPool}

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            if ssl_context is not None:
                kwargs["ssl_context"] = ssl_context
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = classes

        def proxy_manager_for(self, proxy, **kwargs):
            if ssl_context is not None:
                kwargs["ssl_context"] = ssl_context
            manager = super().proxy_manager_for(proxy, **kwargs)
            manager.pool_classes_by_scheme = classes
            return manager

    return Adapter(**adapter_options)


def watched_session(watch: Watch, ssl_context: Any = None):
    # requests only when something is sent (start-up)
    import requests

    session = requests.Session()
    adapter = watched_adapter(watch, ssl_context)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def read_capped(resp: Any, limit: int) -> tuple[bytes, bool]:
    """At most `limit` decoded bytes of the body, and whether there was more.

    The bytes read become the response's content (resp.content, iter_content give them
    again); a cut body closes the connection.
    """
    if getattr(resp, "_content_consumed", False) and isinstance(resp._content, bytes):
        return resp._content, bool(getattr(resp, "_restcli_truncated", False))
    data = bytearray()
    truncated = False
    for chunk in resp.iter_content(CHUNK):
        room = limit - len(data)
        if len(chunk) > room:
            data += chunk[:room]
            truncated = True
            break
        data += chunk
    body = bytes(data)
    resp._content = body
    resp._content_consumed = True
    resp._restcli_truncated = truncated
    if truncated:
        resp.close()
    return body, truncated


def size_text(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"
