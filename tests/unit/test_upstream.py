"""The upstream keep-alive pool and its connections against small local asyncio backends (framing,
reuse, failures)."""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from portico.controlplane.selfsigned import issue
from portico.integrations.upstream import UpstreamPool
from portico.integrations.upstream_connection import (
    BadResponse,
    ConnectFailed,
    Exchange,
    Origin,
    ResolveFailed,
    TlsFailed,
    UpstreamError,
    UpstreamResponse,
    UpstreamTimeout,
)
from tests.dataplane.echo_backend import EchoBackend
from tests.purity import pure_python_only


class Scripted:
    """A backend answering the n-th request (over all connections) with `script[n]` bytes;
    None closes the connection without an answer, a 1-tuple answers and then closes it."""

    def __init__(self, script: list[bytes | tuple[bytes] | None]) -> None:
        self.script = list(script)
        self.connections = 0
        self.heads: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def start(self, context: ssl.SSLContext | None = None) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=context)
        return int(self.server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.heads.append(head)
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                await reader.readexactly(length)
                answer = self.script.pop(0)
                if answer is None:
                    break
                writer.write(answer if isinstance(answer, bytes) else answer[0])
                await writer.drain()
                if isinstance(answer, tuple):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


def ok(body: bytes = b"ok", extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


def head_for(path: str = "/", method: str = "GET", extra: str = "") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: backend\r\n{extra}\r\n".encode()


@pytest.fixture
async def pool() -> AsyncIterator[UpstreamPool]:
    upstream = UpstreamPool()
    yield upstream
    upstream.close()
    await asyncio.sleep(0)


@pytest.fixture
async def echo() -> AsyncIterator[EchoBackend]:
    backend = await EchoBackend().start()
    yield backend
    await backend.stop()


def origin(port: int, scheme: str = "http", verify: bool = True) -> Origin:
    return Origin(scheme, "127.0.0.1", port, verify)


async def test_content_length_chunked_and_close_delimited(pool: UpstreamPool, echo: EchoBackend) -> None:
    target = origin(echo.port)
    resp = await pool.request(target, head_for("/status/201"), b"", method="GET", timeout=5)
    assert (resp.status, resp.body) == (201, b'{"status": 201}')
    resp = await pool.request(target, head_for("/chunked"), b"", method="GET", timeout=5)
    assert (resp.status, resp.body) == (200, b"chunked body")
    assert (b"Transfer-Encoding", b"chunked") in resp.raw_headers
    resp = await pool.request(target, head_for("/close"), b"", method="GET", timeout=5)
    assert (resp.status, resp.body) == (200, b"until the end")
    assert pool.idle_count(target) == 0  # close-delimited: never reused
    assert echo.connections == 1


async def test_keep_alive_reuses_one_connection(pool: UpstreamPool, echo: EchoBackend) -> None:
    target = origin(echo.port)
    for i in range(10):
        body = b"x" * i
        resp = await pool.request(
            target, head_for("/raw", "POST", f"Content-Length: {i}\r\n"), body, method="POST", timeout=5
        )
        assert resp.body == body
    assert (pool.opened, echo.connections, pool.idle_count(target)) == (1, 1, 1)


async def test_large_request_and_response_bodies(pool: UpstreamPool, echo: EchoBackend) -> None:
    payload = bytes(range(256)) * 4096 * 4  # 4 MB
    head = head_for("/raw", "POST", f"Content-Length: {len(payload)}\r\n")
    resp = await pool.request(origin(echo.port), head, payload, method="POST", timeout=10)
    assert resp.body == payload


async def test_head_204_304_and_informational_keep_the_connection(pool: UpstreamPool) -> None:
    backend = Scripted(
        [
            b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
            b"HTTP/1.1 204 No Content\r\n\r\n",
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n",
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + ok(b"final"),
            ok(b"last"),
        ]
    )
    target = origin(await backend.start())
    resp = await pool.request(target, head_for("/", "HEAD"), b"", method="HEAD", timeout=5)
    assert (resp.status, resp.headers, resp.body) == (200, [("Content-Length", "1234")], b"")
    assert (await pool.request(target, head_for(), b"", method="GET", timeout=5)).status == 204
    assert (await pool.request(target, head_for(), b"", method="GET", timeout=5)).status == 304
    resp = await pool.request(target, head_for(), b"", method="GET", timeout=5)
    assert (resp.status, resp.body, resp.headers) == (200, b"final", [("Content-Length", "5")])
    assert (await pool.request(target, head_for(), b"", method="GET", timeout=5)).body == b"last"
    assert backend.connections == 1
    await backend.stop()


async def test_connection_close_is_not_reused(pool: UpstreamPool) -> None:
    backend = Scripted([ok(extra=b"Connection: close\r\n"), ok()])
    target = origin(await backend.start())
    for _ in range(2):
        assert (await pool.request(target, head_for(), b"", method="GET", timeout=5)).body == b"ok"
    assert pool.opened == 2
    await backend.stop()


async def test_stale_pooled_connection_is_retried_for_idempotent_requests(pool: UpstreamPool) -> None:
    backend = Scripted([ok(b"first"), None, ok(b"retried"), ok(b"again"), None])
    target = origin(await backend.start())
    assert (await pool.request(target, head_for(), b"", method="GET", timeout=5)).body == b"first"
    resp = await pool.request(target, head_for(), b"", method="GET", timeout=5)
    assert (resp.body, pool.opened) == (b"retried", 2)
    assert (await pool.request(target, head_for(), b"", method="PUT", timeout=5)).body == b"again"
    with pytest.raises(ConnectFailed):
        await pool.request(target, head_for("/", "POST"), b"", method="POST", timeout=5)
    assert pool.opened == 2  # the POST was not retried
    await backend.stop()


async def test_timeout_closes_the_connection(pool: UpstreamPool, echo: EchoBackend) -> None:
    target = origin(echo.port)
    with pytest.raises(UpstreamTimeout):
        await pool.request(target, head_for("/slow/2000"), b"", method="GET", timeout=0.1)
    assert pool.idle_count(target) == 0
    assert (await pool.request(target, head_for("/status/200"), b"", method="GET", timeout=5)).status == 200


async def test_deadlines_of_concurrent_exchanges(pool: UpstreamPool, echo: EchoBackend) -> None:
    target = origin(echo.port)
    slow_ok = pool.request(target, head_for("/slow/300"), b"", method="GET", timeout=5)
    too_slow = pool.request(target, head_for("/slow/3000"), b"", method="GET", timeout=0.1)
    later = pool.request(target, head_for("/slow/3000"), b"", method="GET", timeout=0.2)
    done = await asyncio.gather(slow_ok, too_slow, later, return_exceptions=True)
    assert isinstance(done[0], UpstreamResponse) and done[0].status == 200
    assert isinstance(done[1], UpstreamTimeout) and isinstance(done[2], UpstreamTimeout)


async def test_connection_refused_and_unknown_host(pool: UpstreamPool) -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    with pytest.raises(ConnectFailed):
        await pool.request(origin(port), head_for(), b"", method="GET", timeout=5)
    with pytest.raises(ResolveFailed):
        await pool.request(
            Origin("http", "no-such-host.invalid", 80), head_for(), b"", method="GET", timeout=5
        )


async def test_malformed_oversized_and_hangups(pool: UpstreamPool, echo: EchoBackend) -> None:
    target = origin(echo.port)
    with pytest.raises(BadResponse):
        await pool.request(target, head_for("/garbage"), b"", method="GET", timeout=5)
    with pytest.raises(BadResponse, match="10 MB"):
        await pool.request(target, head_for("/big"), b"", method="GET", timeout=10)
    with pytest.raises(ConnectFailed):
        await pool.request(target, head_for("/hangup"), b"", method="GET", timeout=5)
    truncated = Scripted([(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",)])
    with pytest.raises(ConnectFailed):
        await pool.request(origin(await truncated.start()), head_for(), b"", method="GET", timeout=5)
    await truncated.stop()


async def test_tls_upstream_verification(pool: UpstreamPool, tmp_path: Path) -> None:
    cert = issue("localhost", dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    (tmp_path / "cert.pem").write_text(cert.certificate_pem)
    (tmp_path / "key.pem").write_text(cert.private_key_pem)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    backend = Scripted([ok(b"secure"), ok(b"again")])
    port = await backend.start(context)
    with pytest.raises(TlsFailed) as failed:
        await pool.request(origin(port, "https"), head_for(), b"", method="GET", timeout=5)
    assert failed.value.verification
    insecure = origin(port, "https", verify=False)
    assert (await pool.request(insecure, head_for(), b"", method="GET", timeout=5)).body == b"secure"
    assert (await pool.request(insecure, head_for(), b"", method="GET", timeout=5)).body == b"again"
    assert (backend.connections, pool.opened) == (1, 1)  # the refused handshake never got served
    await backend.stop()


class Recorded(Exchange):
    """An exchange that records its outcomes (a subclass of a compiled class: pure Python only)."""

    def __init__(self) -> None:
        super().__init__()
        self.outcomes: list[UpstreamResponse | UpstreamError] = []
        self.settled = asyncio.get_running_loop().create_future()

    def answered(self, response: UpstreamResponse) -> None:
        self.outcomes.append(response)
        self.settled.set_result(None)

    def failed(self, error: UpstreamError) -> None:
        self.outcomes.append(error)
        self.settled.set_result(None)


@pure_python_only
async def test_callback_exchanges_settle_once_and_after_start_returns(
    pool: UpstreamPool, echo: EchoBackend
) -> None:
    target = origin(echo.port)
    outcomes: list[UpstreamResponse | UpstreamError] = []
    for path, timeout in (("/status/201", 5.0), ("/status/202", 5.0), ("/slow/2000", 0.1)):
        exchange = Recorded()
        pool.start(exchange, target, head_for(path), b"", "GET", timeout)
        assert exchange.outcomes == []  # never from inside start(), even on a pooled connection
        await exchange.settled
        await asyncio.sleep(0.05)
        assert len(exchange.outcomes) == 1
        outcomes += exchange.outcomes
    assert [getattr(outcome, "status", None) for outcome in outcomes[:2]] == [201, 202]
    assert isinstance(outcomes[2], UpstreamTimeout)
    assert (pool.opened, pool.idle_count(target)) == (1, 0)  # one connection, closed by the timeout


async def test_cancelled_request_closes_its_connection(pool: UpstreamPool, echo: EchoBackend) -> None:
    target = origin(echo.port)
    assert (await pool.request(target, head_for("/status/200"), b"", method="GET", timeout=5)).status == 200
    waiting = asyncio.create_task(pool.request(target, head_for("/slow/2000"), b"", method="GET", timeout=5))
    await asyncio.sleep(0.2)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert pool.idle_count(target) == 0  # its state is unknown: not reused
    assert (await pool.request(target, head_for("/status/204"), b"", method="GET", timeout=5)).status == 204
    assert pool.opened == 2
