"""One HTTP/1.1 connection: an asyncio protocol on httptools (llhttp), keep-alive, pipelining,
limits, timeouts and its part of the graceful drain (the listener is `server.py`). Quotas follow the API Gateway Developer Guide, "Amazon API Gateway
quotas" (10 MB payload, 10 240 bytes of request line and headers).

Works on the default asyncio loop and on uvloop. Per request: one parser pass, one `Request`, one
joined write, and a task only when the handler answers with an awaitable (one task serves a run of
pipelined requests). A handler's Reply is written from its callback, without a task.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, cast

import httptools

from portico.dataplane import http1
from portico.wire import Headers, Reply, Request, Response

if TYPE_CHECKING:
    from portico.dataplane.server import HttpServer

logger = logging.getLogger("portico.server")

# A handler answers at once (a Response: written from the parser callback, no task) or later: a
# Reply (written from its callback, no task either: HTTP_PROXY) or an awaitable (a task awaits it).
HandlerFn = Callable[[Request], Response | Reply | Awaitable[Response]]
# Called, in order with earlier pipelined responses, for a request the parser sees as an upgrade
# (`Connection: Upgrade` + `Upgrade: ...`) with the transport and the bytes received after the
# request. Return a Response to refuse (sent, then the connection closes), or None once the hook
# has taken the transport over (`transport.set_protocol(...)`, then `transport.resume_reading()`).
UpgradeHook = Callable[[Request, asyncio.Transport, bytes], Awaitable[Response | None]]


@dataclass(frozen=True, slots=True)
class Limits:
    max_body: int = 10 * 1024 * 1024  # bigger -> 413
    max_header_bytes: int = 10240  # request line + headers bigger -> 431
    idle_timeout: float = 60.0  # keep-alive connection with nothing to do is closed
    header_timeout: float = 30.0  # request line + headers not complete in time -> 408, close
    body_timeout: float = 60.0  # body not complete in time (from end of headers) -> 408, close


DEFAULT_LIMITS = Limits()

# Message state; also the timer kinds, plus _T_IDLE (no timer is _NONE).
_NONE: Final = 0
_HEAD: Final = 1
_BODY: Final = 2
_T_IDLE: Final = 3
_MAX_QUEUED: Final = 8  # pipelined requests parsed ahead before reading pauses
_WRITELINES_OVER: Final = 64 * 1024  # bigger bodies are written without copying them into the head

# (request, keep_alive, upgrade, error, pending): an error is written and the connection closed;
# pending is the handler's awaitable answer when it was already called.
_Job = tuple[Request | None, bool, bool, Response | None, Reply | Awaitable[Response] | None]


class _Rejected(Exception):
    """Raised inside a parser callback to stop parsing; the answer is in `Connection._reject`."""


class Connection:
    """An asyncio protocol (duck-typed: no base class, so that the compiled build makes it a native
    class with fast attribute access)."""

    # fmt: off
    __slots__ = (
        "_body", "_body_size", "_cert", "_client", "_closed", "_closing",
        "_content_length", "_continue_pending", "_date", "_dead", "_deadline", "_drain", "_eof", "_expect",
        "_handler", "_head_raw", "_head_size", "_headers", "_limits", "_loop", "_lost", "_method",
        "_parser", "_queue", "_read_paused", "_reject", "_replying", "_replying_keep", "_scheme",
        "_server", "_server_port", "_state", "_task", "_timer", "_timer_kind", "_tls", "_transport",
        "_upgrade_rest", "_url", "_write_paused",
    )
    # fmt: on

    def __init__(self, server: HttpServer) -> None:
        self._server = server
        self._handler = server.handler
        self._limits = server.limits
        self._date = server._date
        self._scheme = "https" if server.ssl_context is not None else "http"
        self._server_port = server.port
        self._loop = asyncio.get_running_loop()
        self._parser = httptools.HttpRequestParser(self)
        self._queue: deque[_Job] = deque()
        self._task: asyncio.Task[None] | None = None
        self._replying: Request | None = None  # the request whose Reply is awaited (no task)
        self._replying_keep = False
        self._timer: asyncio.TimerHandle | None = None
        self._timer_kind = _NONE
        self._deadline = 0.0  # when the current timer kind times out (loop time)
        self._state = _NONE
        self._closed = self._lost = self._closing = self._dead = self._eof = False
        self._read_paused = self._write_paused = False
        self._drain: asyncio.Future[None] | None = None
        self._reject: Response | None = None
        self._upgrade_rest = b""
        self._client: tuple[str, int] = ("", 0)
        self._cert: bytes | None = None
        self._tls = False
        self._method = b""
        self._begin()

    # -- transport events -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        self._transport = transport
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple):
            self._client = (peer[0], peer[1])
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None:
            self._tls = True
            self._cert = ssl_object.getpeercert(binary_form=True)
        self._server._connections.add(self)
        if self._server._draining:
            self._close()
            return
        self._update_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = self._lost = True
        for job in self._queue:
            pending = job[4]
            if isinstance(pending, Coroutine):
                pending.close()  # never to be awaited: no "coroutine was never awaited" warning
        self._queue.clear()
        self._cancel_timer()
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)
        if self._task is None:  # a Reply still awaited finds the connection closed
            self._server._forget(self)

    def eof_received(self) -> bool | None:
        self._eof = True
        if (self._task is not None or self._replying is not None or self._queue) and not self._tls:
            return True  # keep the write side open to answer what was received (not with TLS)
        return None

    def pause_writing(self) -> None:
        self._write_paused = True
        self._sync_reading()

    def resume_writing(self) -> None:
        self._write_paused = False
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)
        self._sync_reading()

    def data_received(self, data: bytes) -> None:
        if self._dead:
            return
        if self._state == _HEAD:
            self._head_raw += len(data)  # guards against an unterminated header line
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade as exc:
            self._upgrade_rest = data[exc.args[0] :]
            self._dead = True
            self._sync_reading()
        except httptools.HttpParserError:
            self._fail(self._reject or http1.bad_request())
        else:
            if self._state == _HEAD and self._head_raw > self._limits.max_header_bytes:
                self._fail(http1.headers_too_large())
        self._update_timer()

    # -- parser callbacks (httptools) -------------------------------------------------------

    def _begin(self) -> None:
        self._url = b""
        self._headers: Headers = []
        self._body: list[bytes] = []
        self._body_size = self._head_size = self._head_raw = 0
        self._content_length = -1
        self._expect = self._continue_pending = False

    def on_message_begin(self) -> None:
        self._state = _HEAD
        self._begin()

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._head_size += len(url)
        if self._head_size > self._limits.max_header_bytes:
            self._reject = http1.headers_too_large()
            raise _Rejected

    def on_header(self, name: bytes, value: bytes) -> None:
        size = self._head_size + len(name) + len(value) + 4
        self._head_size = size
        if size > self._limits.max_header_bytes:
            self._reject = http1.headers_too_large()
            raise _Rejected
        n = len(name)
        if n == 14 and name.lower() == b"content-length":
            self._content_length = int(value)
        elif n == 6 and name.lower() == b"expect" and value.lower() == b"100-continue":
            self._expect = True
        self._headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self._state = _BODY
        self._head_raw = 0
        # request line: method SP target SP "HTTP/1.1" CRLF, plus the final CRLF
        self._method = self._parser.get_method()
        self._head_size += len(self._method) + 14
        if self._head_size > self._limits.max_header_bytes:
            self._reject = http1.headers_too_large()
            raise _Rejected
        if self._content_length > self._limits.max_body:
            self._reject = http1.too_long()
            raise _Rejected
        if self._expect and self._content_length != 0:
            if self._task is None and self._replying is None and not self._queue:
                self._transport.write(http1.CONTINUE)
            else:
                self._continue_pending = True  # sent once earlier responses are out

    def on_body(self, body: bytes) -> None:
        size = self._body_size + len(body)
        if size > self._limits.max_body:
            self._reject = http1.too_long()
            raise _Rejected
        self._body_size = size
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._state = _NONE
        self._continue_pending = False
        if self._closed:
            return
        parser = self._parser
        upgrade = parser.should_upgrade()
        request = Request(
            self._method.decode("ascii"),
            self._url.decode("latin-1"),
            self._headers,
            b"".join(self._body),
            parser.get_http_version(),
            self._client,
            self._scheme,
            self._server_port,
            self._cert,
        )
        keep_alive = parser.should_keep_alive() and not upgrade
        if upgrade or self._task is not None or self._replying is not None or self._queue:
            self._enqueue((request, keep_alive, upgrade, None, None))
            return
        try:
            answer = self._handler(request)
        except Exception:
            logger.exception("handler failed on %s %s", request.method, request.target)
            answer = http1.internal_error()
        if isinstance(answer, Reply):
            self._replying = request
            self._replying_keep = keep_alive
            answer.then(self._replied)
            return
        if not isinstance(answer, Response):
            self._enqueue((request, keep_alive, False, None, answer))
            return
        close = not keep_alive or self._closing or self._eof
        self._write(answer, request.method == "HEAD", close, request.http_version == "1.0")
        if not self._closed and (self._eof or (self._closing and self._state == _NONE)):
            self._close()

    # -- request processing -----------------------------------------------------------------

    def _replied(self, reply: Reply) -> None:
        """The handler's Reply is settled: write it (in order: later requests were queued)."""
        request = self._replying
        self._replying = None
        if request is None:
            return
        try:
            response = reply.result()
        except Exception:
            logger.exception("handler failed on %s %s", request.method, request.target)
            response = http1.internal_error()
        if self._closed:
            return
        close = not self._replying_keep or (not self._queue and (self._closing or self._eof))
        self._write(response, request.method == "HEAD", close, request.http_version == "1.0")
        if self._closed:
            return
        if self._queue:
            self._task = self._loop.create_task(self._serve())
        else:
            self._idle()

    def _enqueue(self, job: _Job) -> None:
        self._queue.append(job)
        if self._task is None and self._replying is None:
            self._task = self._loop.create_task(self._serve())
        elif len(self._queue) >= _MAX_QUEUED:
            self._sync_reading()

    def _fail(self, response: Response) -> None:
        """Stop parsing this connection; answer `response` after earlier requests, then close."""
        self._dead = True
        self._state = _NONE
        self._enqueue((None, False, False, response, None))
        self._sync_reading()

    async def _serve(self) -> None:
        queue = self._queue
        try:
            while queue and not self._closed:
                request, keep_alive, upgrade, error, pending = queue.popleft()
                if self._read_paused:
                    self._sync_reading()
                if request is None:
                    self._write(error or http1.bad_request(), False, True, False)
                    return
                if upgrade and self._server.on_upgrade is not None:
                    await self._upgrade(request)
                    return
                try:
                    answer = self._handler(request) if pending is None else pending
                    if isinstance(answer, Response):
                        response = answer
                    elif isinstance(answer, Reply):
                        response = await answer.wait()
                    else:
                        response = await answer
                except Exception:
                    logger.exception("handler failed on %s %s", request.method, request.target)
                    response = http1.internal_error()
                if self._closed:
                    return
                close = not keep_alive or (not queue and (self._closing or self._eof))
                self._write(response, request.method == "HEAD", close, request.http_version == "1.0")
                if self._write_paused and not self._closed:
                    self._drain = self._loop.create_future()
                    await self._drain
                    self._drain = None
        finally:
            self._task = None
            if self._lost:
                self._server._forget(self)
        if not self._closed:
            self._idle()

    def _idle(self) -> None:
        """Nothing left to answer: close, or wait for the next request."""
        if self._dead or self._eof or (self._closing and self._state == _NONE):
            self._close()
            return
        if self._continue_pending and self._state == _BODY and not self._transport.is_closing():
            self._continue_pending = False
            self._transport.write(http1.CONTINUE)
        self._sync_reading()
        self._update_timer()

    def _write(self, response: Response, head: bool, close: bool, http10: bool) -> None:
        if self._transport.is_closing():  # reset by the peer, connection_lost not delivered yet
            self._close()
            return
        try:
            data, body, close = http1.encode_response(
                response, head=head, close=close, keep_alive_header=http10 and not close, date=self._date
            )
        except Exception:
            logger.exception("cannot serialise response")
            data, body, close = http1.encode_response(
                http1.internal_error(), head=head, close=True, keep_alive_header=False, date=self._date
            )
        if len(body) > _WRITELINES_OVER:
            self._transport.writelines((data, body))
        else:
            self._transport.write(data + body)
        if close:
            self._close()

    async def _upgrade(self, request: Request) -> None:
        hook = self._server.on_upgrade
        assert hook is not None
        self._cancel_timer()
        try:
            response = await hook(request, self._transport, self._upgrade_rest)
        except Exception:
            logger.exception("upgrade failed on %s %s", request.method, request.target)
            response = http1.internal_error()
        if response is None:  # the hook owns the transport now
            self._closed = True
            self._server._forget(self)
        elif not self._closed:
            self._write(response, False, True, False)

    # -- flow control, timers, closing ------------------------------------------------------

    def _sync_reading(self) -> None:
        want = self._write_paused or self._dead or len(self._queue) >= _MAX_QUEUED
        if want != self._read_paused and not self._closed:
            self._read_paused = want
            if want:
                self._transport.pause_reading()
            else:
                self._transport.resume_reading()
            self._update_timer()

    def _update_timer(self) -> None:
        """Time the current state. Lazily: a keep-alive request goes idle → busy → idle, and
        re-arming a timer each time costs more than the request's own parsing; so a timer that
        would fire no earlier than needed stays armed, and `_on_timeout` checks the deadline."""
        if self._closed:
            return
        kind = self._state
        if self._read_paused:
            kind = _NONE  # our own pause must not time the client out
        elif kind == _NONE and self._task is None and self._replying is None and not self._queue:
            kind = _T_IDLE
        if kind == self._timer_kind:
            return
        self._timer_kind = kind
        if kind == _NONE:
            return
        limits = self._limits
        delay = (
            limits.idle_timeout
            if kind == _T_IDLE
            else limits.header_timeout
            if kind == _HEAD
            else limits.body_timeout
        )
        self._deadline = deadline = self._loop.time() + delay
        timer = self._timer
        if timer is None or timer.when() > deadline:
            if timer is not None:
                timer.cancel()
            self._timer = self._loop.call_at(deadline, self._on_timeout)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_kind = _NONE

    def _on_timeout(self) -> None:
        self._timer = None
        kind = self._timer_kind
        if self._closed or kind == _NONE:
            return
        if self._loop.time() < self._deadline:  # the state changed since: time it from now on
            self._timer = self._loop.call_at(self._deadline, self._on_timeout)
            return
        self._timer_kind = _NONE
        if kind == _T_IDLE:
            self._close()
        else:
            self._fail(http1.request_timeout())

    def _close(self) -> None:
        self._closed = self._dead = True
        self._cancel_timer()
        self._transport.close()

    def begin_shutdown(self) -> None:
        self._closing = True
        if self._task is None and self._replying is None and not self._queue and self._state == _NONE:
            self._close()

    def abort(self) -> None:
        self._closed = self._dead = True
        self._cancel_timer()
        if self._task is not None:
            self._task.cancel()
        self._transport.abort()
