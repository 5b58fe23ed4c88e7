"""Keep-alive upstream HTTP/1.1 connection pool (DESIGN.md §4); one connection's protocol is
upstream_connection.py.

One pool per event loop holds idle connections per origin (scheme, host, port, TLS verification).
A request borrows an idle connection (most recently used first) or opens one and writes the request
bytes it is given; the connection parses the response. A connection returns to the pool when
the response allows keep-alive. A pooled connection that turns out to be closed before any byte of
the response arrived is retried once on a fresh connection, for idempotent requests only.

An exchange is callback-driven: `UpstreamPool.start` sends the request on a pooled connection and
the connection's parser callbacks deliver the outcome to the `Exchange` (no task, no future: the
data plane's HTTP_PROXY path answers its client from there). A task runs only to open a connection.
`UpstreamPool.request` is the same exchange, awaited.
"""

from __future__ import annotations

import asyncio
import math
import socket
import ssl
import threading
import weakref
from typing import Final, cast

from portico.integrations.upstream_connection import (
    ConnectFailed,
    Exchange,
    Origin,
    ResolveFailed,
    StaleConnection,
    TlsFailed,
    UpstreamConnection,
    UpstreamError,
    UpstreamResponse,
    UpstreamTimeout,
)

IDLE_TIMEOUT: Final = 30.0  # an idle pooled connection older than this is closed instead of reused
MAX_IDLE_PER_ORIGIN: Final = 512


IDEMPOTENT: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


class _Awaited(Exchange):
    """An exchange whose outcome settles a future (`UpstreamPool.request`)."""

    __slots__ = ("future",)

    def __init__(self, future: asyncio.Future[UpstreamResponse]) -> None:
        super().__init__()
        self.future = future

    def answered(self, response: UpstreamResponse) -> None:
        if not self.future.done():
            self.future.set_result(response)

    def failed(self, error: UpstreamError) -> None:
        if not self.future.done():
            self.future.set_exception(error)


class UpstreamPool:
    """Idle keep-alive connections per origin, and the request/response exchange. Belongs to the
    event loop it is first used on (connections belong to one loop)."""

    def __init__(self, *, idle_timeout: float = IDLE_TIMEOUT, max_idle: int = MAX_IDLE_PER_ORIGIN) -> None:
        self._idle: dict[Origin, list[UpstreamConnection]] = {}
        self._idle_timeout = idle_timeout
        self._max_idle = max_idle
        self._contexts: dict[bool, ssl.SSLContext] = {}
        # Deadlines of the exchanges in flight, checked by one timer at the earliest of them
        # (cheaper than a timer per request; most deadlines arrive in increasing order).
        self._inflight: dict[UpstreamConnection, float] = {}
        self._sweep: asyncio.TimerHandle | None = None
        self._sweep_at = math.inf
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connecting: set[asyncio.Task[None]] = set()
        self.opened = 0  # connections opened so far (observability, tests)

    def start(
        self, exchange: Exchange, origin: Origin, head: bytes, body: bytes, method: str, timeout: float
    ) -> None:
        """Send `head` (request line and headers, already serialised) and `body` to `origin`; the
        outcome goes to `exchange` (`failed` with an UpstreamError subclass), at most `timeout` s
        from now. Never calls back before returning."""
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        now = loop.time()
        exchange.origin = origin
        exchange.head = head
        exchange.body = body
        exchange.method = method
        exchange.deadline = now + timeout
        conn = self._take(origin, now)
        if conn is None:
            exchange.fresh = True
            self._connect(exchange, loop)
        else:
            self._send(exchange, conn, loop)

    async def request(
        self, origin: Origin, head: bytes, body: bytes, *, method: str, timeout: float
    ) -> UpstreamResponse:
        """`start`, awaited: the response, or an UpstreamError subclass raised."""
        future: asyncio.Future[UpstreamResponse] = asyncio.get_running_loop().create_future()
        exchange = _Awaited(future)
        self.start(exchange, origin, head, body, method, timeout)
        try:
            return await future
        except asyncio.CancelledError:
            self.abandon(exchange)  # the connection's state is unknown: closed
            raise

    def abandon(self, exchange: Exchange) -> None:
        """The caller no longer wants the outcome of `exchange`."""
        exchange.abandoned = True
        conn = exchange.conn
        if conn is not None and conn.detach(exchange):
            self._inflight.pop(conn, None)

    def _send(self, exchange: Exchange, conn: UpstreamConnection, loop: asyncio.AbstractEventLoop) -> None:
        conn.send(exchange)
        deadline = exchange.deadline
        self._inflight[conn] = deadline
        if deadline < self._sweep_at:
            self._schedule_sweep(deadline, loop)

    def _connect(self, exchange: Exchange, loop: asyncio.AbstractEventLoop) -> None:
        task = loop.create_task(self._open_for(exchange, loop))
        self._connecting.add(task)  # the loop keeps only a weak reference
        task.add_done_callback(self._connecting.discard)

    async def _open_for(self, exchange: Exchange, loop: asyncio.AbstractEventLoop) -> None:
        origin = exchange.origin
        assert origin is not None
        try:
            conn = await self._open(origin, exchange.deadline, loop)
        except UpstreamError as failed:
            if not exchange.abandoned:
                exchange.failed(failed)
            return
        except Exception as unexpected:  # one name per clause (mypyc)
            if not exchange.abandoned:
                exchange.failed(ConnectFailed(f"cannot connect to {origin.host}:{origin.port}: {unexpected}"))
            return
        if exchange.abandoned:
            self._give_back(conn, loop.time())
        else:
            self._send(exchange, conn, loop)

    # -- called by the connections ---------------------------------------------------------------

    def answered(self, exchange: Exchange, conn: UpstreamConnection, response: UpstreamResponse) -> None:
        self._inflight.pop(conn, None)
        if conn.reusable:
            loop = self._loop
            assert loop is not None
            self._give_back(conn, loop.time())
        exchange.answered(response)

    def failed(self, exchange: Exchange, conn: UpstreamConnection, error: UpstreamError) -> None:
        self._inflight.pop(conn, None)
        if isinstance(error, StaleConnection):  # the pooled connection was closed already
            if not exchange.fresh and exchange.method in IDEMPOTENT:
                exchange.fresh = True  # retry once, on a new connection
                exchange.conn = None
                loop = self._loop
                assert loop is not None
                self._connect(exchange, loop)
                return
            error = ConnectFailed(str(error))
        exchange.failed(error)

    def _schedule_sweep(self, when: float, loop: asyncio.AbstractEventLoop) -> None:
        if self._sweep is not None:
            self._sweep.cancel()
        self._sweep_at = when
        self._sweep = loop.call_at(when, self._expire, loop)

    def _expire(self, loop: asyncio.AbstractEventLoop) -> None:
        """Time out the exchanges past their deadline; wait for the next deadline."""
        self._sweep, self._sweep_at = None, math.inf
        now = loop.time() + 0.001  # call_at may fire up to the clock resolution early
        earliest = math.inf
        for conn, deadline in list(self._inflight.items()):
            if deadline <= now:
                del self._inflight[conn]
                conn.timed_out()
            elif deadline < earliest:
                earliest = deadline
        if earliest < math.inf:
            self._schedule_sweep(earliest, loop)

    def _take(self, origin: Origin, now: float) -> UpstreamConnection | None:
        idle = self._idle.get(origin)
        while idle:
            conn = idle.pop()
            if conn.reusable and now - conn.idle_since < self._idle_timeout:
                return conn
            conn.close()
        return None

    def _give_back(self, conn: UpstreamConnection, now: float) -> None:
        idle = self._idle.setdefault(conn.origin, [])
        if len(idle) >= self._max_idle:
            conn.close()
            return
        conn.idle_since = now
        idle.append(conn)

    async def _open(
        self, origin: Origin, deadline: float, loop: asyncio.AbstractEventLoop
    ) -> UpstreamConnection:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise UpstreamTimeout("no time left to connect")
        context = self._ssl_context(origin.verify) if origin.tls else None
        try:
            async with asyncio.timeout(remaining):
                _, protocol = await loop.create_connection(
                    lambda: cast(asyncio.Protocol, UpstreamConnection(origin, self)),
                    origin.host,
                    origin.port,
                    ssl=context,
                    server_hostname=origin.host if context is not None else None,
                )
        except TimeoutError:
            raise UpstreamTimeout(f"connecting to {origin.host}:{origin.port} timed out") from None
        # one name per clause: mypyc (setup.py) types a name by its first binding
        except socket.gaierror as unresolved:
            raise ResolveFailed(f"cannot resolve {origin.host}: {unresolved}") from None
        except ssl.SSLCertVerificationError as unverified:
            raise TlsFailed(str(unverified), verification=True) from None
        except ssl.SSLError as tls:
            raise TlsFailed(str(tls), verification=False) from None
        except OSError as failed:
            raise ConnectFailed(f"cannot connect to {origin.host}:{origin.port}: {failed}") from None
        self.opened += 1
        return cast(UpstreamConnection, protocol)

    def _ssl_context(self, verify: bool) -> ssl.SSLContext:
        context = self._contexts.get(verify)
        if context is None:
            context = ssl.create_default_context()
            if not verify:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._contexts[verify] = context
        return context

    def idle_count(self, origin: Origin) -> int:
        return sum(1 for conn in self._idle.get(origin, ()) if conn.reusable)

    def close(self) -> None:
        """Close every idle connection (requests in flight finish on theirs)."""
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep, self._sweep_at = None, math.inf
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()


_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, UpstreamPool] = weakref.WeakKeyDictionary()


class _Last:
    """The pool found last, for the thread that found it: a loop running in the same thread is the
    running loop (asyncio.get_running_loop() costs a getpid system call in Python 3.11)."""

    __slots__ = ("loop", "pool", "thread")

    def __init__(self) -> None:
        self.thread = -1
        self.loop: asyncio.AbstractEventLoop | None = None
        self.pool: UpstreamPool | None = None


_last = _Last()
_thread_id: Final = threading.get_ident


def loop_pool() -> UpstreamPool:
    """The pool of the running event loop (connections belong to one loop)."""
    last = _last
    loop = last.loop
    pool = last.pool
    if pool is not None and loop is not None and last.thread == _thread_id() and loop.is_running():
        return pool
    loop = asyncio.get_running_loop()
    pool = _POOLS.get(loop)
    if pool is None:
        pool = _POOLS[loop] = UpstreamPool()
    last.thread, last.loop, last.pool = _thread_id(), loop, pool
    return pool


def close_loop_pool() -> None:
    """Close the idle connections of the running loop's pool (server shutdown)."""
    _last.thread, _last.loop, _last.pool = -1, None, None
    pool = _POOLS.pop(asyncio.get_running_loop(), None)
    if pool is not None:
        pool.close()
