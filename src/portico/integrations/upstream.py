"""Keep-alive upstream HTTP/1.1 connection pool on httptools (DESIGN.md §4; API Gateway Developer
Guide, "Amazon API Gateway quotas": 10 MB integration payloads).

One pool per event loop holds idle connections per origin (scheme, host, port, TLS verification).
A request borrows an idle connection (most recently used first) or opens one, writes the request
bytes it is given, and parses the response with `httptools.HttpResponseParser`: Content-Length,
chunked and close-delimited bodies, HEAD, 1xx, 204 and 304. A connection returns to the pool when
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

import httptools

MAX_BODY: Final = 10 * 1024 * 1024
IDLE_TIMEOUT: Final = 30.0  # an idle pooled connection older than this is closed instead of reused
MAX_IDLE_PER_ORIGIN: Final = 512


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
    """Built for every upstream exchange: a plain class (wire.Request says why).

    `head` is the response's header section as received, decoded as Latin-1 (byte for byte):
    `Name:value` lines, each ending in CRLF, without the status line and the final empty line (the
    parser has validated it: no line folding, no bare LF). `headers` splits it when asked. (Text,
    not bytes: compiled, str operations are primitives where bytes methods are generic calls.)"""

    __slots__ = ("body", "head", "status")

    def __init__(self, status: int, head: str, body: bytes) -> None:
        self.status = status
        self.head = head
        self.body = body

    @property
    def headers(self) -> list[tuple[str, str]]:
        """(name, value) pairs in order; a value without the whitespace before it, as llhttp gives it."""
        out: list[tuple[str, str]] = []
        for line in self.head.split("\r\n"):
            if line:
                name, _, value = line.partition(":")
                out.append((name, value.lstrip(" \t")))
        return out

    @property
    def raw_headers(self) -> RawHeaders:
        return [(n.encode("latin-1"), v.encode("latin-1")) for n, v in self.headers]


def _framed(head: str) -> bool:
    """Whether the message length is given (Content-Length or Transfer-Encoding)."""
    lines = "\r\n" + head.lower()
    return "\r\ncontent-length:" in lines or "\r\ntransfer-encoding:" in lines


_HEAD_WINDOW: Final = 16384  # decoded at first when looking for the end of a head


def header_section(received: bytes) -> str:
    """The header lines of the final (non-1xx) response head in `received` (the bytes of a response
    from its first byte, at least up to the end of that head), as UpstreamResponse.head."""
    text = received[:_HEAD_WINDOW].decode("latin-1")
    start = 0
    while True:
        end = text.find("\r\n\r\n", start)
        if end < 0:
            if len(text) < len(received):
                text = received.decode("latin-1")
                continue
            raise BadResponse("incomplete response head")
        line_end = text.find("\r\n", start)
        if text[text.find(" ", start) + 1] != "1":  # status 1xx: another head follows
            return text[line_end + 2 : end + 2] if line_end < end else ""
        start = end + 4


IDEMPOTENT: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


class Exchange:
    """One request to an upstream origin; its outcome arrives through `answered` or `failed`,
    called exactly once from the connection's callbacks (subclasses say what to do with it)."""

    # fmt: off
    __slots__ = (
        "abandoned", "body", "conn", "deadline", "fresh", "head", "method", "origin",
    )
    # fmt: on

    def __init__(self) -> None:
        self.origin: Origin | None = None
        self.head = b""
        self.body = b""
        self.method = ""
        self.deadline = 0.0
        self.fresh = False  # on a connection opened for it: a failure is not retried
        self.abandoned = False
        self.conn: _Connection | None = None

    def answered(self, response: UpstreamResponse) -> None:
        raise NotImplementedError

    def failed(self, error: UpstreamError) -> None:
        raise NotImplementedError


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


class _Connection:
    """One upstream connection; one request at a time (no pipelining). An asyncio protocol,
    duck-typed: no base class, so that the compiled build makes it a native class with fast
    attribute access (as the listener's Connection)."""

    # fmt: off
    __slots__ = (
        "_body", "_closed", "_exchange", "_got_bytes", "_head", "_head_only", "_headers_done",
        "_keep", "_parser", "_pool", "_received", "_size", "_status", "_transport", "idle_since",
        "origin",
    )
    # fmt: on

    def __init__(self, origin: Origin, pool: UpstreamPool) -> None:
        self.origin = origin
        self.idle_since = 0.0
        self._pool = pool
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._exchange: Exchange | None = None
        self._closed = False
        self._reset(False)

    def _reset(self, head_only: bool) -> None:
        self._received: list[bytes] = []  # the bytes of the response until its head is complete
        self._head = ""
        self._body: list[bytes] = []
        self._size = self._status = 0
        self._head_only = head_only
        self._headers_done = self._got_bytes = self._keep = False

    # -- transport events -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._end_of_stream()

    def pause_writing(self) -> None:
        """Nothing to do: a request is written whole, and the transport buffers what is left."""

    def resume_writing(self) -> None:
        pass

    def eof_received(self) -> bool | None:
        self._end_of_stream()
        return None  # let the transport close

    def data_received(self, data: bytes) -> None:
        if self._exchange is None:
            self.close()  # unsolicited bytes: the connection cannot be trusted any more
            return
        self._got_bytes = True
        if not self._headers_done:
            self._received.append(data)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            cause = exc.__context__
            self._fail(cause if isinstance(cause, BadResponse) else BadResponse(f"invalid response: {exc}"))
            return
        if self._head_only and self._headers_done and self._exchange is not None:
            self._parser = httptools.HttpResponseParser(self)  # a HEAD response has no body
            self._finish(self._keep)

    # -- parser callbacks (httptools; no per-header callback: the header section is kept whole) ---

    def on_headers_complete(self) -> None:
        parser = self._parser
        status = parser.get_status_code()
        if status < 200:
            return  # 100 Continue / 103 Early Hints: the real response follows
        self._status = status
        self._headers_done = True
        received = self._received
        self._head = header_section(received[0] if len(received) == 1 else b"".join(received))
        self._received = []
        if self._head_only:
            self._keep = _framed(self._head) and parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > MAX_BODY:
            raise BadResponse("response body larger than 10 MB")
        self._body.append(body)

    def on_message_complete(self) -> None:
        if self._exchange is None:
            return
        if not self._headers_done:  # the end of an informational response (its bytes stay received)
            self._status = self._size = 0
            self._body = []
        elif not self._head_only:
            self._finish(self._parser.should_keep_alive())

    # -- request / response -----------------------------------------------------------------

    def send(self, exchange: Exchange) -> None:
        transport = self._transport
        assert transport is not None
        self._exchange = exchange
        exchange.conn = self
        self._reset(exchange.method == "HEAD")
        head, body = exchange.head, exchange.body
        if not body:
            transport.write(head)
        elif len(body) > 65536:
            transport.writelines((head, body))
        else:
            transport.write(head + body)

    def detach(self, exchange: Exchange) -> bool:
        """Forget `exchange` if it is this connection's (its caller gave up); then close."""
        if self._exchange is not exchange:
            return False
        self._exchange = None
        self.close()
        return True

    def _finish(self, keep_alive: bool) -> None:
        exchange = self._exchange
        self._exchange = None
        if not keep_alive:
            self.close()
        if exchange is not None:
            parts = self._body
            body = parts[0] if len(parts) == 1 else b"".join(parts)
            self._pool._answered(exchange, self, UpstreamResponse(self._status, self._head, body))

    def _fail(self, exc: UpstreamError) -> None:
        exchange = self._exchange
        self._exchange = None
        self.close()
        if exchange is not None:
            self._pool._failed(exchange, self, exc)

    def _end_of_stream(self) -> None:
        """EOF or connection lost: ends a close-delimited body, fails anything else."""
        if self._exchange is None:
            self.close()
        elif self._headers_done and not self._head_only and not _framed(self._head):
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
            not self._closed
            and self._exchange is None
            and transport is not None
            and not transport.is_closing()
        )


class UpstreamPool:
    """Idle keep-alive connections per origin, and the request/response exchange. Belongs to the
    event loop it is first used on (connections belong to one loop)."""

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

    def _send(self, exchange: Exchange, conn: _Connection, loop: asyncio.AbstractEventLoop) -> None:
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

    def _answered(self, exchange: Exchange, conn: _Connection, response: UpstreamResponse) -> None:
        self._inflight.pop(conn, None)
        if conn.reusable:
            loop = self._loop
            assert loop is not None
            self._give_back(conn, loop.time())
        exchange.answered(response)

    def _failed(self, exchange: Exchange, conn: _Connection, error: UpstreamError) -> None:
        self._inflight.pop(conn, None)
        if isinstance(error, _Stale):  # the pooled connection was closed already
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
                _, protocol = await loop.create_connection(
                    lambda: cast(asyncio.Protocol, _Connection(origin, self)),
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
        return cast(_Connection, protocol)

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
