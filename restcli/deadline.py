"""Bounds on waiting and on memory for every HTTP exchange restcli makes.

requests' timeout applies to each socket read, so a server dripping one byte a second
never trips it. A `Watch` arms a timer while a response head is awaited (the head must
arrive within the timeout in total) and, when a whole-call limit is set, one for the
call: when either runs out, the socket in use is shut down from the timer's thread,
the blocked read returns, and the Watch says which limit hit. A head cut short that way
is a timeout, never a response; a body is read a socket read at a time, and the limit is
checked after every read.

`whole_call()` starts a call's clock when the call starts; `limit_call(seconds)` sets its
`--max-time` once it is decided. Everything the call waits for afterwards in the same
context (Cognito, identity-pool and STS calls, `command:` references, the request) asks
`call_left()` and stops at the same deadline.

`read_capped` holds at most a given number of decoded bytes of a body (a small
compressed body can inflate to gigabytes).

requests and urllib3 are imported inside the functions: this module is a leaf that the
start-up path may import without paying for them.
"""

from __future__ import annotations

import contextvars
import heapq
import socket
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import DeadlineFailure

# What a buffered read may hold, in decoded bytes (README: Limits).
ERROR_BODY_LIMIT = 1 << 20  # an error body shown on stdout and quoted by hints
SERVICE_ANSWER_LIMIT = 1 << 20  # a Cognito, identity-pool, OAuth or STS answer
CHUNK = 64 * 1024

HEAD = "timeout"
TOTAL = "max_time"


class CallClock:
    """When the call started, and its whole-call limit once decided (None: no limit)."""

    __slots__ = ("max_time", "start")

    def __init__(self, start: float):
        self.start = start
        self.max_time: float | None = None

    def end(self) -> float | None:
        return self.start + self.max_time if self.max_time else None


_CALL: contextvars.ContextVar[CallClock | None] = contextvars.ContextVar("restcli_call",
                                                                         default=None)


@contextmanager
def whole_call() -> Iterator[CallClock]:
    """The call's clock, from now: what runs inside it shares the call's --max-time."""
    clock = CallClock(time.monotonic())
    token = _CALL.set(clock)
    try:
        yield clock
    finally:
        _CALL.reset(token)


def limit_call(max_time: float | None) -> None:
    """The decided --max-time of the call in progress (counted from its start)."""
    clock = _CALL.get()
    if clock is not None:
        clock.max_time = max_time or None


def call_end() -> float | None:
    clock = _CALL.get()
    return clock.end() if clock is not None else None


def call_left() -> float | None:
    """Seconds the call in progress has left (0 when it ran out), or None without a limit."""
    end = call_end()
    return None if end is None else max(0.0, end - time.monotonic())


def within_call(seconds: float) -> tuple[float, bool]:
    """A wait of at most `seconds`, cut to what the call has left: (wait, cut)."""
    left = call_left()
    if left is not None and left < seconds:
        return left, True
    return seconds, False


def call_overrun(waiting_for: str) -> DeadlineFailure:
    """The call's --max-time ran out while it waited for something else than its request."""
    clock = _CALL.get()
    limit = f"{clock.max_time:g} s " if clock is not None and clock.max_time else ""
    return DeadlineFailure(
        f"the call did not finish within {limit}(--max-time): still waiting for {waiting_for}",
        hint="raise --max-time (or the profile's max_time)",
    )


class Watch:
    """The limits of one call: the head's total wait, and the whole call's deadline."""

    def __init__(self, head_timeout: float | None, max_time: float | None = None):
        self.head_timeout = head_timeout or None
        self.max_time = max_time or None
        self.end: float | None = None
        # Whether the end is the whole call's (whole_call), reached before this Watch's own.
        self.call_bound = False
        # The connection sending or receiving now: what a timer shuts.
        self.current: Any = None
        # The socket the response in progress is read from, taken when its head was
        # awaited: for a body ended by closing the connection http.client lets go of it
        # (conn.sock becomes None), and a timer must still be able to stop that read.
        self.reading: Any = None
        # Which limit ran out (HEAD or TOTAL), once one has.
        self.hit: str | None = None
        self._awaiting: str | None = None  # the limit on the head being awaited
        self._lock = threading.Lock()
        self._total_timer: _Alarm | None = None

    def begin(self) -> None:
        """The whole-call clock starts (once): every retry and redirect counts against it.

        Inside whole_call() the end is never later than the call's: time spent before
        (getting credentials) counts too."""
        if self.end is not None:
            return
        now = time.monotonic()
        own = now + self.max_time if self.max_time else None
        call = call_end()
        ends = [e for e in (own, call) if e is not None]
        if not ends:
            return
        self.end = min(ends)
        self.call_bound = call is not None and self.end == call
        self._total_timer = _timer(self.end - now, self._expire, TOTAL, None)

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

    def sending(self, conn: Any) -> None:
        self.current = conn
        self.reading = None

    def awaiting_head(self, conn: Any) -> _Alarm | None:
        self.current = conn
        self.reading = getattr(conn, "sock", None)
        limit, which = self.head_limit()
        self._awaiting = which if limit is not None else None
        if limit is None:
            return None
        return _timer(limit, self._expire, which, conn)

    def head_timed_out(self) -> None:
        """The socket's own read timeout fired while the head was awaited. It is never
        shorter than the head's limit, so that limit ran out (whichever of the two fired
        first, the same limit is reported)."""
        with self._lock:
            if self.hit is None and self._awaiting is not None:
                self.hit = self._awaiting

    def _expire(self, which: str, conn: Any) -> None:
        with self._lock:
            if self.hit is None:
                self.hit = which
            conn = conn or self.current
            for sock in {id(s): s for s in (getattr(conn, "sock", None), self.reading)
                         if s is not None}.values():
                try:
                    # The plain socket's shutdown: the blocked (maybe TLS) read returns.
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        if self._total_timer is not None:
            self._total_timer.cancel()
        self.current = None
        self.reading = None


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
                watch.sending(self)
                return super().request(*args, **kwargs)

            def getresponse(self, *args, **kwargs):
                timer = watch.awaiting_head(self)
                try:
                    response = super().getresponse(*args, **kwargs)
                except TimeoutError:
                    watch.head_timed_out()
                    raise
                finally:
                    if timer is not None:
                        timer.cancel()
                if watch.hit:
                    # The timer shut the socket while the head was arriving, and
                    # http.client takes the end of the stream for the end of the head:
                    # what came is part of a response, not one.
                    response.close()
                    raise TimeoutError("the response head did not arrive in time")
                response.stream = _read_by_read(response, watch)
                return response

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


def _read_by_read(response: Any, watch: Any):
    """urllib3's stream() for this response, one socket read at a time, the limits checked
    after each: its own waits for a whole chunk (a BufferedReader's read(n) returns only
    once n bytes or the end came), which a dripping server never completes."""
    # urllib3 only when something is sent (start-up)
    from urllib3.exceptions import ReadTimeoutError

    # Through a weak reference: a cycle (response -> stream -> response) would keep the
    # connection open until the garbage collector ran.
    this = weakref.ref(response)
    whole_chunks = type(response).stream

    def checked() -> None:
        if watch.hit:
            # A read the timer stopped looks like the end of the body: it is not one.
            raise ReadTimeoutError(None, None, "the time limit ran out while reading the body")

    def stream(amt: int | None = CHUNK, decode_content: bool | None = None):
        resp = this()
        if resp.chunked and resp.supports_chunked_reads():
            pieces = whole_chunks(resp, amt, decode_content)  # an HTTP chunk at a time already
        else:
            pieces = _reads(resp, amt or CHUNK, decode_content)
        del resp
        for piece in pieces:
            checked()
            yield piece
        checked()

    return stream


def _reads(response: Any, amt: int, decode_content: bool | None):
    while True:
        piece = response.read1(amt, decode_content)
        if not piece:
            return
        yield piece


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
