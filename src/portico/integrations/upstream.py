"""Keep-alive upstream HTTP/1.1 connection pool on httptools (DESIGN.md §4; API Gateway Developer
Guide, "Amazon API Gateway quotas": 10 MB integration payloads).

One pool per event loop holds idle connections per origin (scheme, host, port, TLS verification).
A request borrows an idle connection (most recently used first) or opens one, writes the request
bytes it is given, and parses the response with `httptools.HttpResponseParser`: Content-Length,
chunked and close-delimited bodies, HEAD, 1xx, 204 and 304. A connection returns to the pool when
the response allows keep-alive. A pooled connection that turns out to be closed before any byte of
the response arrived is retried once on a fresh connection, for idempotent requests only.
"""

from __future__ import annotations

import asyncio
import math
import socket
import ssl
import weakref
from typing import cast

import httptools

MAX_BODY = 10 * 1024 * 1024
IDLE_TIMEOUT = 30.0  # an idle pooled connection older than this is closed instead of reused
MAX_IDLE_PER_ORIGIN = 512


class UpstreamError(Exception):
    """The integration endpoint could not be reached or answered with something unusable."""


class ResolveFailed(UpstreamError):
    """The host name does not resolve."""


class ConnectFailed(UpstreamError):
    """Connection refused, reset or closed before a complete response."""


class TlsFailed(UpstreamError):
    def __init__(self, message: str, *, verification: bool) -> None:
        super().__init__(message)
        self.verification = verification


class UpstreamTimeout(UpstreamError):
    """No complete response within the integration's timeout."""


class BadResponse(UpstreamError):
    """The response is not valid HTTP/1.1, or its body exceeds 10 MB."""


class _Stale(ConnectFailed):
    """A pooled connection was closed before any byte of the response arrived."""


class Origin:
    """Where an upstream connection goes; the pool's key, so its hash is computed once (an
    integration's origin is compiled into its plan and looked up for every request)."""

    __slots__ = ("_hash", "host", "port", "scheme", "verify")

    def __init__(self, scheme: str, host: str, port: int, verify: bool = True) -> None:
        self.scheme = scheme
        self.host = host
        self.port = port
        self.verify = verify  # False: tlsConfig.insecureSkipVerification
        self._hash = hash((scheme, host, port, verify))

    @property
    def tls(self) -> bool:
        return self.scheme == "https"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Origin) and (
            self.scheme == other.scheme
            and self.host == other.host
            and self.port == other.port
            and self.verify == other.verify
        )

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"Origin({self.scheme!r}, {self.host!r}, {self.port!r}, verify={self.verify!r})"


RawHeaders = list[tuple[bytes, bytes]]


class UpstreamResponse:
    """Built for every upstream exchange: a plain class (wire.Request says why)."""

    __slots__ = ("body", "raw_headers", "status")

    def __init__(self, status: int, raw_headers: RawHeaders, body: bytes) -> None:
        self.status = status
        self.raw_headers = raw_headers  # as received: the caller decodes what it passes on
        self.body = body

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [(n.decode("latin-1"), v.decode("latin-1")) for n, v in self.raw_headers]


def _framed(headers: RawHeaders) -> bool:
    """Whether the message length is given (Content-Length or Transfer-Encoding)."""
    return any(name.lower() in (b"content-length", b"transfer-encoding") for name, _ in headers)


IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


class _Connection(asyncio.Protocol):
    """One upstream connection; one request at a time (no pipelining)."""

    # fmt: off
    __slots__ = (
        "_body", "_closed", "_got_bytes", "_head_only", "_headers", "_headers_done", "_keep",
        "_loop", "_parser", "_size", "_status", "_transport", "_waiter", "idle_since", "origin",
    )
    # fmt: on

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.idle_since = 0.0
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[UpstreamResponse] | None = None
        self._closed = False
        self._reset(False)

    def _reset(self, head_only: bool) -> None:
        self._headers: RawHeaders = []
        self._body: list[bytes] = []
        self._size = self._status = 0
        self._head_only = head_only
        self._headers_done = self._got_bytes = self._keep = False

    # -- transport events -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        self._loop = asyncio.get_running_loop()

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._end_of_stream()

    def eof_received(self) -> bool | None:
        self._end_of_stream()
        return None  # let the transport close

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:
            self.close()  # unsolicited bytes: the connection cannot be trusted any more
            return
        self._got_bytes = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            cause = exc.__context__
            self._fail(cause if isinstance(cause, BadResponse) else BadResponse(f"invalid response: {exc}"))
            return
        if self._head_only and self._headers_done and self._waiter is not None:
            self._parser = httptools.HttpResponseParser(self)  # a HEAD response has no body
            self._finish(self._keep)

    # -- parser callbacks (httptools) -------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        parser = self._parser
        status = parser.get_status_code()
        if status < 200:
            return  # 100 Continue / 103 Early Hints: the real response follows
        self._status = status
        self._headers_done = True
        if self._head_only:
            self._keep = _framed(self._headers) and parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > MAX_BODY:
            raise BadResponse("response body larger than 10 MB")
        self._body.append(body)

    def on_message_complete(self) -> None:
        if self._waiter is None:
            return
        if not self._headers_done:  # the end of an informational response
            self._reset(self._head_only)
            self._got_bytes = True
        elif not self._head_only:
            self._finish(self._parser.should_keep_alive())

    # -- request / response -----------------------------------------------------------------

    def send(self, head: bytes, body: bytes, head_only: bool) -> asyncio.Future[UpstreamResponse]:
        transport = self._transport
        assert transport is not None
        waiter: asyncio.Future[UpstreamResponse] = self._loop.create_future()
        self._waiter = waiter
        self._reset(head_only)
        if not body:
            transport.write(head)
        elif len(body) > 65536:
            transport.writelines((head, body))
        else:
            transport.write(head + body)
        return waiter

    def _finish(self, keep_alive: bool) -> None:
        waiter = self._waiter
        self._waiter = None
        if not keep_alive:
            self.close()
        if waiter is not None and not waiter.done():
            parts = self._body
            body = parts[0] if len(parts) == 1 else b"".join(parts)
            waiter.set_result(UpstreamResponse(self._status, self._headers, body))

    def _fail(self, exc: BaseException) -> None:
        waiter = self._waiter
        self._waiter = None
        self.close()
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def _end_of_stream(self) -> None:
        """EOF or connection lost: ends a close-delimited body, fails anything else."""
        if self._waiter is None:
            self.close()
        elif self._headers_done and not self._head_only and not _framed(self._headers):
            self._finish(False)
        elif not self._got_bytes:
            self._fail(_Stale("connection closed before the response"))
        else:
            self._fail(ConnectFailed("connection closed in the middle of the response"))

    def timed_out(self) -> None:
        self._fail(UpstreamTimeout("no response in time"))

    def close(self) -> None:
        self._closed = True
        if self._transport is not None:
            self._transport.close()

    @property
    def reusable(self) -> bool:
        transport = self._transport
        return (
            not self._closed and self._waiter is None and transport is not None and not transport.is_closing()
        )


class UpstreamPool:
    """Idle keep-alive connections per origin, and the request/response exchange."""

    def __init__(self, *, idle_timeout: float = IDLE_TIMEOUT, max_idle: int = MAX_IDLE_PER_ORIGIN) -> None:
        self._idle: dict[Origin, list[_Connection]] = {}
        self._idle_timeout = idle_timeout
        self._max_idle = max_idle
        self._contexts: dict[bool, ssl.SSLContext] = {}
        # Deadlines of the exchanges in flight, checked by one timer at the earliest of them
        # (cheaper than a timer per request; most deadlines arrive in increasing order).
        self._inflight: dict[_Connection, float] = {}
        self._sweep: asyncio.TimerHandle | None = None
        self._sweep_at = math.inf
        self.opened = 0  # connections opened so far (observability, tests)

    async def request(
        self, origin: Origin, head: bytes, body: bytes, *, method: str, timeout: float
    ) -> UpstreamResponse:
        """Send `head` (request line and headers, already serialised) and `body`; return the
        response. Raises an UpstreamError subclass; the whole exchange takes at most `timeout` s."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        deadline = now + timeout
        head_only = method == "HEAD"
        conn = self._take(origin, now)
        fresh = conn is None
        if conn is None:
            conn = await self._open(origin, deadline, loop)
        while True:
            waiter = conn.send(head, body, head_only)
            self._inflight[conn] = deadline
            if deadline < self._sweep_at:
                self._schedule_sweep(deadline, loop)
            stale: _Stale | None = None
            try:
                response = await waiter
            except _Stale as exc:  # the connection is closed already
                stale = exc
            except BaseException:
                conn.close()  # cancelled or failed: the connection's state is unknown
                raise
            finally:
                self._inflight.pop(conn, None)
            if stale is None:
                if conn.reusable:
                    self._give_back(conn, loop.time())
                return response
            if fresh or method not in IDEMPOTENT:
                raise ConnectFailed(str(stale)) from None
            fresh = True  # retry once, on a new connection
            conn = await self._open(origin, deadline, loop)

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

    def _take(self, origin: Origin, now: float) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            conn = idle.pop()
            if conn.reusable and now - conn.idle_since < self._idle_timeout:
                return conn
            conn.close()
        return None

    def _give_back(self, conn: _Connection, now: float) -> None:
        idle = self._idle.setdefault(conn.origin, [])
        if len(idle) >= self._max_idle:
            conn.close()
            return
        conn.idle_since = now
        idle.append(conn)

    async def _open(self, origin: Origin, deadline: float, loop: asyncio.AbstractEventLoop) -> _Connection:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise UpstreamTimeout("no time left to connect")
        context = self._ssl_context(origin.verify) if origin.tls else None
        try:
            async with asyncio.timeout(remaining):
                _, conn = await loop.create_connection(
                    lambda: _Connection(origin),
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
        return conn

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


_last: tuple[asyncio.AbstractEventLoop | None, UpstreamPool | None] = (None, None)


def loop_pool() -> UpstreamPool:
    """The pool of the running event loop (connections belong to one loop)."""
    global _last
    loop = asyncio.get_running_loop()
    last_loop, pool = _last
    if last_loop is loop and pool is not None:
        return pool
    pool = _POOLS.get(loop)
    if pool is None:
        pool = _POOLS[loop] = UpstreamPool()
    _last = (loop, pool)
    return pool


def close_loop_pool() -> None:
    """Close the idle connections of the running loop's pool (server shutdown)."""
    global _last
    _last = (None, None)
    pool = _POOLS.pop(asyncio.get_running_loop(), None)
    if pool is not None:
        pool.close()
