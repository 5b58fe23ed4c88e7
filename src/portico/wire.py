"""HTTP messages exchanged between the listener and the handlers (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qsl

Headers = list[tuple[str, str]]


@dataclass(slots=True)
class Request:
    """One parsed HTTP/1.1 request. `target` is the raw request-target; `path` and `query`
    are its parts, still percent-encoded (the data plane decodes as API Gateway does)."""

    method: str
    target: str
    headers: Headers
    body: bytes = b""
    http_version: str = "1.1"
    client: tuple[str, int] = ("127.0.0.1", 0)
    scheme: str = "http"
    server_port: int = 0
    tls_client_cert: bytes | None = None  # DER of the verified client certificate, when mTLS
    path: str = field(init=False)
    query: str = field(init=False)
    # first value of each header by lower-case name, built on the first lookup (a request is
    # asked for several headers; the list keeps the client's order and case)
    _first: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        path, _, query = self.target.partition("?")
        self.path = path or "/"
        self.query = query

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


@dataclass(slots=True)
class Response:
    status: int = 200
    headers: Headers = field(default_factory=list)
    body: bytes = b""

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
