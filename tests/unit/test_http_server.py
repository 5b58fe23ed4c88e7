"""The HTTP/1.1 listener, driven with real sockets on 127.0.0.1, on both asyncio and uvloop."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import itertools
import json
import logging
import shutil
import ssl
import subprocess
import urllib.request
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
import uvloop

from portico.dataplane import http1
from portico.dataplane.server import HttpServer, Limits
from portico.wire import Request, Response

Scenario = Callable[[], Coroutine[Any, Any, None]]
SAFETY = 10.0  # seconds before a stuck read fails the test (never a timing assertion)


@pytest.fixture(params=["asyncio", "uvloop"])
def run(request: pytest.FixtureRequest) -> Callable[[Scenario], None]:
    factory = uvloop.new_event_loop if request.param == "uvloop" else None

    def _run(scenario: Scenario) -> None:
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(scenario())

    return _run


async def echo(request: Request) -> Response:
    """Describe the request as JSON."""
    info = {
        "method": request.method,
        "target": request.target,
        "headers": request.headers,
        "body": request.body.decode("latin-1"),
        "version": request.http_version,
        "client": list(request.client),
        "scheme": request.scheme,
        "port": request.server_port,
        "cert": request.tls_client_cert is not None,
    }
    return Response(200, [("Content-Type", "application/json")], json.dumps(info).encode())


@contextlib.asynccontextmanager
async def serving(handler: Any = echo, **kw: Any) -> AsyncIterator[HttpServer]:
    server = HttpServer(handler, **kw)
    await server.start("127.0.0.1", 0)
    try:
        yield server
    finally:
        await server.shutdown(grace=2.0)


class Conn:
    """A raw client connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int, **kw: Any) -> Conn:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, **kw)
        return cls(reader, writer)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def response(self, head_request: bool = False) -> tuple[int, list[tuple[str, str]], bytes]:
        raw = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), SAFETY)
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = [(k, v) for k, _, v in (line.partition(": ") for line in lines[1:] if line)]
        length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
        body = b""
        if length and not head_request:
            body = await asyncio.wait_for(self.reader.readexactly(length), SAFETY)
        return status, headers, body

    async def at_eof(self) -> bool:
        try:
            rest = await asyncio.wait_for(self.reader.read(), SAFETY)
        except ConnectionResetError:
            return True
        return rest == b""

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name.lower()), None)


def get(path: str = "/", extra: str = "", version: str = "1.1") -> bytes:
    return f"GET {path} HTTP/{version}\r\nHost: test\r\n{extra}\r\n".encode()


# -- keep-alive, pipelining, bodies -------------------------------------------------------------


def test_keep_alive_reuses_one_connection(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        async with serving() as srv:

            def client() -> list[list[Any]]:
                conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=SAFETY)
                seen = []
                for i in range(3):
                    conn.request("GET", f"/n/{i}?x=1")
                    resp = conn.getresponse()
                    assert resp.status == 200
                    info = json.loads(resp.read())
                    assert info["target"] == f"/n/{i}?x=1"
                    seen.append(info["client"])
                conn.close()
                return seen

            clients = await asyncio.to_thread(client)
            assert clients[0] == clients[1] == clients[2]

    run(scenario)


def test_pipelined_requests_are_answered_in_order(run: Callable[[Scenario], None]) -> None:
    async def slow_first(request: Request) -> Response:
        await asyncio.sleep({"/a": 0.2, "/b": 0.1}.get(request.path, 0))
        return Response(200, [], request.path.encode())

    async def scenario() -> None:
        async with serving(slow_first) as srv:
            conn = await Conn.open(srv.port)
            await conn.send(get("/a") + get("/b") + get("/c"))
            bodies = [(await conn.response())[2] for _ in range(3)]
            assert bodies == [b"/a", b"/b", b"/c"]
            await conn.close()

    run(scenario)


def test_answers_at_once_and_later_keep_the_order_of_pipelined_requests(
    run: Callable[[Scenario], None],
) -> None:
    """A handler may answer with a Response (written at once) or an awaitable (a task waits)."""

    async def later(path: str) -> Response:
        await asyncio.sleep(0.05)
        return Response(200, [], path.encode())

    def mixed(request: Request) -> Response | Coroutine[Any, Any, Response]:
        if request.path.startswith("/now"):
            return Response(200, [], request.path.encode())
        if request.path == "/boom":
            raise RuntimeError("handler failed before answering")
        return later(request.path)

    async def scenario() -> None:
        async with serving(mixed) as srv:
            conn = await Conn.open(srv.port)
            await conn.send(get("/now1") + get("/later1") + get("/now2") + get("/boom") + get("/now3"))
            answers = [await conn.response() for _ in range(5)]
            assert [(status, body) for status, _, body in answers] == [
                (200, b"/now1"),
                (200, b"/later1"),
                (200, b"/now2"),
                (500, b'{"message":"Internal server error"}'),
                (200, b"/now3"),
            ]
            await conn.send(get("/now4"))  # the connection goes on answering at once
            assert (await conn.response())[2] == b"/now4"
            await conn.close()

    run(scenario)


def test_many_pipelined_requests_with_bodies(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        async with serving() as srv:
            conn = await Conn.open(srv.port)
            reqs = [f"POST /p/{i} HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\n{i:03d}" for i in range(40)]
            await conn.send("".join(reqs).encode())
            for i in range(40):
                status, _, body = await conn.response()
                info = json.loads(body)
                assert (status, info["target"], info["body"]) == (200, f"/p/{i}", f"{i:03d}")
            await conn.close()

    run(scenario)


def test_chunked_body_arrives_intact(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        async with serving() as srv:
            conn = await Conn.open(srv.port)
            await conn.send(b"POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
            await conn.send(b"5\r\nhello\r\n")
            await asyncio.sleep(0.05)
            await conn.send(b"7\r\n, world\r\n0\r\n\r\n")
            status, _, body = await conn.response()
            assert status == 200
            assert json.loads(body)["body"] == "hello, world"
            await conn.close()

    run(scenario)


def test_urllib_post(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        async with serving() as srv:

            def client() -> dict[str, Any]:
                req = urllib.request.Request(f"http://127.0.0.1:{srv.port}/x", data=b"payload", method="PUT")
                with urllib.request.urlopen(req, timeout=SAFETY) as resp:
                    assert resp.headers["Content-Type"] == "application/json"
                    return json.loads(resp.read())

            info = await asyncio.to_thread(client)
            assert (info["method"], info["body"], info["scheme"]) == ("PUT", "payload", "http")
            assert info["port"] == srv.port
            assert info["client"][0] == "127.0.0.1"

    run(scenario)


def test_expect_100_continue(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        async with serving() as srv:
            conn = await Conn.open(srv.port)
            await conn.send(
                b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
            )
            interim = await asyncio.wait_for(conn.reader.readuntil(b"\r\n\r\n"), SAFETY)
            assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
            await conn.send(b"data")
            status, _, body = await conn.response()
            assert status == 200
            assert json.loads(body)["body"] == "data"
            await conn.close()

    run(scenario)


def test_head_sends_headers_without_body(run: Callable[[Scenario], None]) -> None:
    async def hello(request: Request) -> Response:
        return Response(200, [("Content-Type", "text/plain")], b"hello")

    async def scenario() -> None:
        async with serving(hello) as srv:
            conn = await Conn.open(srv.port)
            await conn.send(b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n" + get())
            status, headers, _ = await conn.response(head_request=True)
            assert (status, header(headers, "Content-Length")) == (200, "5")
            status, _, body = await conn.response()  # starts right after the HEAD response
            assert (status, body) == (200, b"hello")
            await conn.close()

    run(scenario)


# -- response serialisation ---------------------------------------------------------------------


def test_response_headers_kept_as_given(run: Callable[[Scenario], None]) -> None:
    async def handler(request: Request) -> Response:
        if request.path == "/empty":
            return Response(204, [("X-A", "1")], b"ignored")
        hdrs = [("X-Multi", "1"), ("x-multi", "2"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
        return Response(599, hdrs, b"{}")

    async def scenario() -> None:
        async with serving(handler) as srv:
            conn = await Conn.open(srv.port)
            await conn.send(get("/") + get("/empty") + get("/"))
            raw = await asyncio.wait_for(conn.reader.readuntil(b"\r\n\r\n"), SAFETY)
            lines = raw.decode().split("\r\n")
            assert lines[0] == "HTTP/1.1 599 Unknown"
            assert lines[1:5] == ["X-Multi: 1", "x-multi: 2", "Set-Cookie: a=1", "Set-Cookie: b=2"]
            assert "Content-Length: 2" in lines
            assert any(line.startswith("Date: ") and line.endswith(" GMT") for line in lines)
            assert not any(line.lower().startswith("server:") for line in lines)
            assert await conn.reader.readexactly(2) == b"{}"
            status, headers, _ = await conn.response(head_request=True)
            assert status == 204
            assert header(headers, "Content-Length") is None
            status, _, body = await conn.response()  # nothing was sent for the 204
            assert (status, body) == (599, b"{}")
            await conn.close()

    run(scenario)


def test_encode_response_with_a_serialised_head() -> None:
    date = http1.DateCache()
    plain = Response(404, [("X-Up", "1"), ("Content-Type", "text/plain"), ("X-Id", "r")], b"abc")
    serialised = Response(404, [("X-Id", "r")], b"abc", head="X-Up: 1\r\nContent-Type: text/plain\r\n")
    all_serialised = Response(404, [], b"abc", head="X-Up: 1\r\nContent-Type: text/plain\r\nX-Id: r\r\n")
    for status in (404, 204, 599):
        plain.status = serialised.status = all_serialised.status = status
        for head_request, close, keep_alive in itertools.product((False, True), repeat=3):
            got = [
                http1.encode_response(
                    r, head=head_request, close=close, keep_alive_header=keep_alive, date=date
                )
                for r in (plain, serialised, all_serialised)
            ]
            assert got[0] == got[1] == got[2]
    assert serialised == plain == all_serialised and serialised.header("content-type") == "text/plain"
    serialised.unpack_head()
    assert (serialised.head, serialised.headers) == ("", plain.headers)
    as_received = Response(200, [], b"", head="X-A:1\r\nX-B:   two words\r\n")  # OWS as an endpoint sent it
    assert as_received.all_headers() == [("X-A", "1"), ("X-B", "two words")]


def test_encode_response_rules() -> None:
    date = http1.DateCache()
    resp = Response(200, [("Connection", "keep-alive"), ("Content-Length", "3")], b"abc")
    head, body, close = http1.encode_response(
        resp, head=False, close=True, keep_alive_header=False, date=date
    )
    assert close and body == b"abc"
    assert head.startswith(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nDate: ")
    assert head.endswith(b"Connection: close\r\n\r\n") and b"keep-alive" not in head
    resp = Response(200, [("Connection", "close")], b"")
    assert http1.encode_response(resp, head=False, close=False, keep_alive_header=False, date=date)[2]
    resp = Response(200, [], b"x")
    head, _, _ = http1.encode_response(resp, head=False, close=False, keep_alive_header=True, date=date)
    assert head.endswith(b"Connection: keep-alive\r\n\r\n")
    for name, value in (
        ("X", "a\r\nInjected: 1"),
        ("X", "a\nb"),
        ("X", "a\rb"),
        ("X\r\nY", "1"),
        ("X:Y", "1"),
    ):
        with pytest.raises(ValueError):
            bad = Response(200, [("Ok", "1"), (name, value)], b"")
            http1.encode_response(bad, head=False, close=False, keep_alive_header=False, date=date)
    resp = Response(304, [("Content-Length", "9"), ("ETag", '"e"')], b"123456789")
    head, body, _ = http1.encode_response(resp, head=False, close=False, keep_alive_header=False, date=date)
    assert b"Content-Length" not in head and body == b""


def test_large_responses_respect_backpressure(run: Callable[[Scenario], None]) -> None:
    big = bytes(range(256)) * (16 * 1024)  # 4 MiB

    async def handler(request: Request) -> Response:
        return Response(200, [], big)

    async def scenario() -> None:
        async with serving(handler) as srv:
            conn = await Conn.open(srv.port, limit=1024 * 1024)
            await conn.send(get() + get())
            await asyncio.sleep(0.2)  # let the server fill its buffers while nobody reads
            for _ in range(2):
                status, _, body = await conn.response()
                assert status == 200 and body == big
            await conn.close()

    run(scenario)


# -- connection management ----------------------------------------------------------------------


def test_connection_close_is_honoured(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        async with serving() as srv:
            conn = await Conn.open(srv.port)
            await conn.send(get(extra="Connection: close\r\n"))
            status, headers, _ = await conn.response()
            assert (status, header(headers, "Connection")) == (200, "close")
            assert await conn.at_eof()
            await conn.close()

    run(scenario)


def test_http10_closes_unless_keep_alive(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        async with serving() as srv:
            conn = await Conn.open(srv.port)
            await conn.send(get(version="1.0"))
            status, headers, body = await conn.response()
            assert (status, json.loads(body)["version"]) == (200, "1.0")
            assert header(headers, "Connection") == "close"
            assert await conn.at_eof()
            await conn.close()

            conn = await Conn.open(srv.port)
            for _ in range(2):
                await conn.send(get(version="1.0", extra="Connection: keep-alive\r\n"))
                status, headers, _ = await conn.response()
                assert (status, header(headers, "Connection")) == (200, "keep-alive")
            await conn.close()

    run(scenario)


def test_idle_keep_alive_connection_is_closed(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        async with serving(limits=Limits(idle_timeout=0.2)) as srv:
            conn = await Conn.open(srv.port)
            await conn.send(get())
            assert (await conn.response())[0] == 200
            assert await conn.at_eof()
            await conn.close()
            silent = await Conn.open(srv.port)  # never sends anything
            assert await silent.at_eof()
            await silent.close()

    run(scenario)


def test_slow_client_gets_408(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        async with serving(limits=Limits(header_timeout=0.2, body_timeout=0.2)) as srv:
            conn = await Conn.open(srv.port)
            await conn.send(b"GET / HTTP/1.1\r\nHost: t\r\n")
            status, _, body = await conn.response()
            assert (status, json.loads(body)) == (408, {"message": "Request Timeout"})
            assert await conn.at_eof()
            await conn.close()
            conn = await Conn.open(srv.port)
            await conn.send(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
            assert (await conn.response())[0] == 408
            assert await conn.at_eof()
            await conn.close()

    run(scenario)


def test_shutdown_drains_in_flight_request(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        entered = asyncio.Event()

        async def slow(request: Request) -> Response:
            if request.path == "/slow":
                entered.set()
                await asyncio.sleep(0.3)
            return Response(200, [], b"done")

        srv = HttpServer(slow)
        await srv.start("127.0.0.1", 0)
        idle = await Conn.open(srv.port)
        await idle.send(get())
        assert (await idle.response())[0] == 200
        busy = await Conn.open(srv.port)
        await busy.send(get("/slow"))
        await asyncio.wait_for(entered.wait(), SAFETY)
        stopping = asyncio.create_task(srv.shutdown(grace=SAFETY))
        status, headers, body = await busy.response()
        assert (status, body, header(headers, "Connection")) == (200, b"done", "close")
        assert await busy.at_eof()
        assert await idle.at_eof()
        await asyncio.wait_for(stopping, SAFETY)
        with pytest.raises(OSError):
            await Conn.open(srv.port)
        await busy.close()
        await idle.close()

    run(scenario)


def test_shutdown_aborts_after_grace(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        entered = asyncio.Event()

        async def stuck(request: Request) -> Response:
            entered.set()
            await asyncio.sleep(3600)
            raise AssertionError("unreachable")

        srv = HttpServer(stuck)
        await srv.start("127.0.0.1", 0)
        conn = await Conn.open(srv.port)
        await conn.send(get())
        await asyncio.wait_for(entered.wait(), SAFETY)
        await asyncio.wait_for(srv.shutdown(grace=0.1), SAFETY)
        assert await conn.at_eof()
        await conn.close()

    run(scenario)


# -- limits and malformed requests --------------------------------------------------------------


def test_body_too_large_413(run: Callable[[Scenario], None]) -> None:
    calls: list[Request] = []

    async def handler(request: Request) -> Response:
        calls.append(request)
        return Response(200, [], b"")

    async def scenario() -> None:
        async with serving(handler, limits=Limits(max_body=16)) as srv:
            for head in (b"", b"Expect: 100-continue\r\n"):
                conn = await Conn.open(srv.port)
                await conn.send(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n" + head + b"\r\n")
                status, headers, body = await conn.response()
                assert (status, body) == (413, b'{"message":"Request Too Long"}')
                assert header(headers, "Content-Type") == "application/json"
                assert await conn.at_eof()
                await conn.close()
            conn = await Conn.open(srv.port)
            await conn.send(b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
            await conn.send(b"10\r\n0123456789abcdef\r\n1\r\nX\r\n0\r\n\r\n")
            assert (await conn.response())[0] == 413
            assert await conn.at_eof()
            await conn.close()
        assert calls == []

    run(scenario)


def test_headers_too_large_431(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        async with serving() as srv:
            big = get(extra=f"X-Big: {'a' * 11000}\r\n")
            many = get(extra="".join(f"X-H{i}: {'b' * 90}\r\n" for i in range(120)))
            unterminated = b"GET / HTTP/1.1\r\nX-Endless: " + b"c" * 4096
            for payload in (big, many, unterminated):
                conn = await Conn.open(srv.port)
                await conn.send(payload)
                if payload is unterminated:
                    for _ in range(4):
                        await asyncio.sleep(0.01)
                        await conn.send(b"c" * 4096)
                status, _, body = await conn.response()
                assert (status, body) == (431, b'{"message":"Request Header Fields Too Large"}')
                assert await conn.at_eof()
                await conn.close()
            conn = await Conn.open(srv.port)  # just under the limit is fine
            await conn.send(get(extra=f"X-Big: {'a' * 10000}\r\n"))
            assert (await conn.response())[0] == 200
            await conn.close()

    run(scenario)


@pytest.mark.parametrize(
    "payload",
    [
        b"garbage\r\n\r\n",
        b"\x00\x01\x02\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"GET /\xc3\xa9 HTTP/1.1\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
    ],
)
def test_malformed_request_400(run: Callable[[Scenario], None], payload: bytes) -> None:
    calls: list[Request] = []

    async def handler(request: Request) -> Response:
        calls.append(request)
        return Response(200, [], b"")

    async def scenario() -> None:
        async with serving(handler) as srv:
            conn = await Conn.open(srv.port)
            await conn.send(payload)
            status, headers, body = await conn.response()
            assert (status, body) == (400, b'{"message":"Bad Request"}')
            assert header(headers, "Connection") == "close"
            assert await conn.at_eof()
            await conn.close()
            conn = await Conn.open(srv.port)
            await conn.send(get())
            assert (await conn.response())[0] == 200
            await conn.close()
        assert len(calls) == 1

    run(scenario)


def test_handler_exception_500(run: Callable[[Scenario], None], caplog: pytest.LogCaptureFixture) -> None:
    async def handler(request: Request) -> Response:
        if request.path == "/boom":
            raise RuntimeError("secret detail")
        return Response(200, [], b"ok")

    async def scenario() -> None:
        async with serving(handler) as srv:
            conn = await Conn.open(srv.port)
            await conn.send(get("/boom"))
            status, headers, body = await conn.response()
            assert (status, body) == (500, b'{"message":"Internal server error"}')
            assert header(headers, "Content-Type") == "application/json"
            await conn.send(get("/"))  # the same connection still works
            assert (await conn.response())[2] == b"ok"
            await conn.close()
            conn = await Conn.open(srv.port)
            await conn.send(get("/"))
            assert (await conn.response())[2] == b"ok"
            await conn.close()

    with caplog.at_level(logging.ERROR, logger="portico.server"):
        run(scenario)
    assert any("secret detail" in (r.exc_text or "") for r in caplog.records)


def test_invalid_response_header_becomes_500(run: Callable[[Scenario], None]) -> None:
    async def handler(request: Request) -> Response:
        return Response(200, [("X-Evil", "a\r\nSet-Cookie: pwned=1")], b"")

    async def scenario() -> None:
        async with serving(handler) as srv:
            conn = await Conn.open(srv.port)
            await conn.send(get())
            status, headers, _ = await conn.response()
            assert status == 500 and header(headers, "Set-Cookie") is None
            await conn.close()

    run(scenario)


# -- upgrade ------------------------------------------------------------------------------------

UPGRADE = b"GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"


def test_upgrade_without_hook_is_a_normal_request(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        async with serving() as srv:
            conn = await Conn.open(srv.port)
            await conn.send(UPGRADE)
            status, _, body = await conn.response()
            assert (status, json.loads(body)["target"]) == (200, "/ws")
            assert await conn.at_eof()
            await conn.close()

    run(scenario)


def test_upgrade_hook_takes_the_transport(run: Callable[[Scenario], None]) -> None:
    class Upper(asyncio.Protocol):
        def __init__(self, transport: asyncio.Transport) -> None:
            self.transport = transport

        def data_received(self, data: bytes) -> None:
            self.transport.write(data.upper())

    async def hook(request: Request, transport: asyncio.Transport, rest: bytes) -> Response | None:
        if request.path != "/ws":
            return Response(403, [], b"no")
        transport.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
        transport.write(rest.upper())
        transport.set_protocol(Upper(transport))
        transport.resume_reading()
        return None

    async def scenario() -> None:
        async with serving() as srv:
            srv.on_upgrade = hook
            conn = await Conn.open(srv.port)
            await conn.send(get("/first") + UPGRADE + b"abc")
            assert json.loads((await conn.response())[2])["target"] == "/first"
            assert (await conn.response(head_request=True))[0] == 101
            assert await asyncio.wait_for(conn.reader.readexactly(3), SAFETY) == b"ABC"
            await conn.send(b"xyz")
            assert await asyncio.wait_for(conn.reader.readexactly(3), SAFETY) == b"XYZ"
            await conn.close()
            conn = await Conn.open(srv.port)
            await conn.send(UPGRADE.replace(b"/ws", b"/other"))
            assert (await conn.response())[:3:2] == (403, b"no")
            assert await conn.at_eof()
            await conn.close()

    run(scenario)


# -- TLS ----------------------------------------------------------------------------------------


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to create test certificates")
    d = tmp_path_factory.mktemp("pki")
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl(
        "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=ca", cwd=d
    )
    (d / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for name in ("server", "client"):
        _openssl("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=d)
        _openssl(
            "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.crt", "-days", "2", "-extfile", "san.ext", cwd=d,
        )  # fmt: skip
    return d


def test_tls_scheme_and_client_certificate(run: Callable[[Scenario], None], pki: Path) -> None:
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(pki / "server.crt", pki / "server.key")
    server_ctx.load_verify_locations(pki / "ca.crt")
    server_ctx.verify_mode = ssl.CERT_OPTIONAL
    client_der = ssl.PEM_cert_to_DER_cert((pki / "client.crt").read_text())
    seen: list[Request] = []

    async def handler(request: Request) -> Response:
        seen.append(request)
        return Response(200, [], b"secure")

    async def scenario() -> None:
        async with serving(handler, ssl_context=server_ctx) as srv:
            for with_cert in (True, False):
                ctx = ssl.create_default_context(cafile=pki / "ca.crt")
                if with_cert:
                    ctx.load_cert_chain(pki / "client.crt", pki / "client.key")
                conn = await Conn.open(srv.port, ssl=ctx, server_hostname="localhost")
                await conn.send(get())
                assert (await conn.response())[2] == b"secure"
                await conn.close()

    run(scenario)
    assert [r.scheme for r in seen] == ["https", "https"]
    assert [r.tls_client_cert for r in seen] == [client_der, None]
