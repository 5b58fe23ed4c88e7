"""One upstream HTTP/1.1 connection on httptools (DESIGN.md §4; API Gateway Developer Guide,
"Amazon API Gateway quotas": 10 MB integration payloads): the request bytes written, the response
parsed (Content-Length, chunked and close-delimited bodies, HEAD, 1xx, 204 and 304), the outcome
handed to the pool that owns the connection (upstream.py) for its `Exchange`. Also the vocabulary
both share: origins, responses, exchanges and the failures an exchange can end in.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Final, cast

import httptools

if TYPE_CHECKING:
    from portico.integrations.upstream import UpstreamPool

MAX_BODY: Final = 10 * 1024 * 1024


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


class StaleConnection(ConnectFailed):
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
        self.conn: UpstreamConnection | None = None

    def answered(self, response: UpstreamResponse) -> None:
        raise NotImplementedError

    def failed(self, error: UpstreamError) -> None:
        raise NotImplementedError


class UpstreamConnection:
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
            self._pool.answered(exchange, self, UpstreamResponse(self._status, self._head, body))

    def _fail(self, exc: UpstreamError) -> None:
        exchange = self._exchange
        self._exchange = None
        self.close()
        if exchange is not None:
            self._pool.failed(exchange, self, exc)

    def _end_of_stream(self) -> None:
        """EOF or connection lost: ends a close-delimited body, fails anything else."""
        if self._exchange is None:
            self.close()
        elif self._headers_done and not self._head_only and not _framed(self._head):
            self._finish(False)
        elif not self._got_bytes:
            self._fail(StaleConnection("connection closed before the response"))
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
