"""HTTP messages exchanged between the listener and the handlers (no I/O here)."""

from __future__ import annotations

from typing import Protocol
from urllib.parse import parse_qsl

Headers = list[tuple[str, str]]


class Request:
    """One parsed HTTP/1.1 request. `target` is the raw request-target; `path` and `query`
    are its parts, still percent-encoded (the data plane decodes as API Gateway does).

    Built for every request: a plain class with its own `__init__` (compiled natively by mypyc,
    setup.py; a dataclass's generated `__init__` would run interpreted)."""

    __slots__ = (
        "_first",
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
        # first value of each header by lower-case name, built on the first lookup (a request is
        # asked for several headers; the list keeps the client's order and case)
        self._first: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"Request({self.method!r}, {self.target!r}, {self.headers!r}, {len(self.body)} bytes)"

    def header(self, name: str, default: str | None = None) -> str | None:
        first = self._first
        if first is None:
            first = self._first = {}
            for key, value in self.headers:
                lkey = key.lower()
                if lkey not in first:
                    first[lkey] = value
        return first.get(name.lower(), default)

    def header_values(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self.headers if k.lower() == lname]

    def query_items(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query, keep_blank_values=True)

    @property
    def host(self) -> str:
        return self.header("host", "") or ""


class Response:
    """Built for every request: a plain class, as Request."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int = 200, headers: Headers | None = None, body: bytes = b"") -> None:
        self.status = status
        self.headers: Headers = [] if headers is None else headers
        self.body = body

    def __repr__(self) -> str:
        return f"Response({self.status!r}, {self.headers!r}, {self.body!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Response):
            return NotImplemented
        return (self.status, self.headers, self.body) == (other.status, other.headers, other.body)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it was

    def header(self, name: str, default: str | None = None) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return default


class Handler(Protocol):
    async def __call__(self, request: Request) -> Response: ...


def json_response(status: int, body: bytes, extra: Headers | None = None) -> Response:
    headers: Headers = [("Content-Type", "application/json")]
    if extra:
        headers.extend(extra)
    return Response(status, headers, body)
