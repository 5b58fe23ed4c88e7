"""The listener's connection timers (idle, header, body) as seen by a client, on asyncio and uvloop.

The timers are re-armed lazily (a deadline moves, the armed timer checks it when it fires), so
these cover a deadline moving later (busy keep-alive connections) and a shorter one replacing a
longer armed one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import pytest
import uvloop

from portico.dataplane.server import HttpServer, Limits
from portico.wire import Request, Response

Scenario = Callable[[], Coroutine[Any, Any, None]]
SAFETY = 10.0  # seconds before a stuck read fails the test (never a timing assertion)
GET = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"


@pytest.fixture(params=["asyncio", "uvloop"])
def run(request: pytest.FixtureRequest) -> Callable[[Scenario], None]:
    factory = uvloop.new_event_loop if request.param == "uvloop" else None

    def _run(scenario: Scenario) -> None:
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(scenario())

    return _run


async def ok(request: Request) -> Response:
    return Response(200, [], b"ok")


@contextlib.asynccontextmanager
async def serving(limits: Limits) -> AsyncIterator[HttpServer]:
    server = HttpServer(ok, limits=limits)
    await server.start("127.0.0.1", 0)
    try:
        yield server
    finally:
        await server.shutdown(grace=2.0)


async def status(reader: asyncio.StreamReader) -> int:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), SAFETY)
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    body = await asyncio.wait_for(reader.readexactly(length), SAFETY)
    code = int(head.split(b" ")[1])
    if code == 408:
        assert json.loads(body) == {"message": "Request Timeout"}
    return code


async def closed(reader: asyncio.StreamReader) -> bool:
    try:
        return await asyncio.wait_for(reader.read(), SAFETY) == b""
    except ConnectionResetError:
        return True


def test_busy_keep_alive_connection_outlives_the_idle_timeout(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        async with serving(Limits(idle_timeout=0.3)) as srv:
            reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
            for _ in range(8):  # 0.8 s of traffic, never idle for 0.3 s
                writer.write(GET)
                assert await status(reader) == 200
                await asyncio.sleep(0.1)
            assert await closed(reader)  # then idle: closed
            writer.close()

    run(scenario)


def test_header_timeout_shorter_than_the_armed_idle_timer(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        async with serving(Limits(idle_timeout=30.0, header_timeout=0.2)) as srv:
            reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
            writer.write(GET)
            assert await status(reader) == 200
            writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n")  # never finished
            assert await status(reader) == 408
            assert await closed(reader)
            writer.close()

    run(scenario)


def test_header_timeout_longer_than_the_armed_idle_timer(run: Callable[[Scenario], None]) -> None:
    async def scenario() -> None:
        async with serving(Limits(idle_timeout=0.2, header_timeout=0.6)) as srv:
            reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
            writer.write(GET)
            assert await status(reader) == 200
            await asyncio.sleep(0.1)
            writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n")  # the idle deadline passes meanwhile
            assert await status(reader) == 408  # answered, not dropped as idle
            assert await closed(reader)
            writer.close()

    run(scenario)
