"""HTTP messages exchanged between the listener and the handlers (no I/O here)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol
from urllib.parse import parse_qsl

Headers = list[tuple[str, str]]


class Request:
    """One parsed HTTP/1.1 request. `target` is the raw request-target; `path` and `query`
    are its parts, still percent-encoded (the data plane decodes as API Gateway does).

    Built for every request: a plain class with its own `__init__` (compiled natively by mypyc,
    setup.py; a dataclass's generated `__init__` would run interpreted)."""

    __slots__ = (
        "body",
        "client",
        "headers",
        "http_version",
        "method",
        "path",
        "query",
        "scheme",
        "server_port",
        "target",
        "tls_client_cert",
    )

    def __init__(
        self,
        method: str,
        target: str,
        headers: Headers,
        body: bytes = b"",
        http_version: str = "1.1",
        client: tuple[str, int] = ("127.0.0.1", 0),
        scheme: str = "http",
        server_port: int = 0,
        tls_client_cert: bytes | None = None,  # DER of the verified client certificate, when mTLS
    ) -> None:
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.http_version = http_version
        self.client = client
        self.scheme = scheme
        self.server_port = server_port
        self.tls_client_cert = tls_client_cert
        path, _, query = target.partition("?")
        self.path = path or "/"
        self.query = query

    def __repr__(self) -> str:
        return f"Request({self.method!r}, {self.target!r}, {self.headers!r}, {len(self.body)} bytes)"

    def header(self, name: str, default: str | None = None) -> str | None:
        """The first value of header `name` (any case). A scan: a request is asked for a few
        headers, and comparing lengths first costs less than indexing them all."""
        lname = name.lower()
        size = len(lname)
        for key, value in self.headers:
            if len(key) == size and (key == name or key.lower() == lname):
                return value
        return default

    def header_values(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self.headers if k.lower() == lname]

    def query_items(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query, keep_blank_values=True)

    @property
    def host(self) -> str:
        return self.header("Host", "") or ""  # as clients spell it: no lower-casing then


class Response:
    """Built for every request: a plain class, as Request.

    `head` holds header lines already serialised (`Name: value\r\n` each, Latin-1 text, sent before
    `headers`): an HTTP_PROXY endpoint's headers, passed on as received. It never names
    Content-Length, Transfer-Encoding, Date or Connection: the serialiser decides those."""

    __slots__ = ("body", "head", "headers", "status")

    def __init__(
        self, status: int = 200, headers: Headers | None = None, body: bytes = b"", head: str = ""
    ) -> None:
        self.status = status
        self.headers: Headers = [] if headers is None else headers
        self.body = body
        self.head = head

    def __repr__(self) -> str:
        head = f", head={self.head!r}" if self.head else ""
        return f"Response({self.status!r}, {self.headers!r}, {self.body!r}{head})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Response):
            return NotImplemented
        mine = (self.status, self.all_headers(), self.body)
        return mine == (other.status, other.all_headers(), other.body)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it was

    def all_headers(self) -> Headers:
        """`head`'s lines (decoded as Latin-1) and then `headers`."""
        if not self.head:
            return self.headers
        pairs = [line.partition(":") for line in self.head.split("\r\n") if line]
        return [(name, value.lstrip(" \t")) for name, _, value in pairs] + self.headers

    def unpack_head(self) -> None:
        """Move `head`'s lines into `headers` (for code that edits or inspects them one by one)."""
        if self.head:
            self.headers = self.all_headers()
            self.head = ""

    def header(self, name: str, default: str | None = None) -> str | None:
        lname = name.lower()
        for key, value in self.all_headers():
            if key.lower() == lname:
                return value
        return default


class Reply:
    """A response that arrives later through a callback, without a task: what a handler returns
    when its answer comes from an I/O callback (the HTTP_PROXY integration's upstream exchange).
    Settled once, by `resolve` or `fail`; one listener (`then`) is called once it is, and reads
    `result()`, which returns the response or raises the failure. `wait()` awaits it in a task."""

    __slots__ = ("_error", "_listener", "_response")

    def __init__(self) -> None:
        self._listener: Callable[[Reply], None] | None = None
        self._response: Response | None = None
        self._error: Exception | None = None

    def then(self, listener: Callable[[Reply], None]) -> None:
        if self._response is not None or self._error is not None:
            listener(self)
        else:
            self._listener = listener

    def resolve(self, response: Response) -> None:
        if self._response is None and self._error is None:
            self._response = response
            self._notify()

    def fail(self, error: Exception) -> None:
        if self._response is None and self._error is None:
            self._error = error
            self._notify()

    def _notify(self) -> None:
        listener = self._listener
        if listener is not None:
            self._listener = None
            listener(self)

    def result(self) -> Response:
        if self._error is not None:
            raise self._error
        assert self._response is not None, "the reply is not settled"
        return self._response

    async def wait(self) -> Response:
        if self._response is None and self._error is None:
            settled: asyncio.Future[None] = asyncio.get_running_loop().create_future()

            def wake(_: Reply) -> None:
                if not settled.done():
                    settled.set_result(None)

            self.then(wake)
            await settled
        return self.result()


class Handler(Protocol):
    async def __call__(self, request: Request) -> Response: ...


def json_response(status: int, body: bytes, extra: Headers | None = None) -> Response:
    headers: Headers = [("Content-Type", "application/json")]
    if extra:
        headers.extend(extra)
    return Response(status, headers, body)
