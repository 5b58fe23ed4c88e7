"""Shared fixtures: a real Portico server on port 0 (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from portico.app import Portico
from portico.settings import Settings

PG_DSN = os.environ.get("PORTICO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


@functools.cache
def pg_available() -> bool:
    """Probe PostgreSQL once (in a thread, so it works inside running event loops too)."""
    import asyncpg

    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(PG_DSN, timeout=3)
        except Exception:
            return False
        await conn.close()
        return True

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, probe()).result()


def need_pg() -> None:
    if not pg_available():
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {PG_DSN}")
        pytest.skip(f"PostgreSQL not reachable at {PG_DSN}; start it or set PORTICO_TEST_PG to enable")


class PgSchema:
    """A private schema for one test run; dropped afterwards."""

    def __init__(self) -> None:
        self.name = f"portico_t_{uuid.uuid4().hex[:12]}"

    def _exec(self, sql: str) -> None:
        import asyncpg

        async def run() -> None:
            conn = await asyncpg.connect(PG_DSN)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(run())

    def create(self) -> str:
        self._exec(f'CREATE SCHEMA "{self.name}"')
        return f"{PG_DSN}?schema={self.name}"

    def drop(self) -> None:
        self._exec(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')


@dataclass
class RunningServer:
    """A Portico running in a background thread with its own event loop."""

    settings: Settings
    app: Portico | None = None
    loop: asyncio.AbstractEventLoop | None = None
    thread: threading.Thread | None = None
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def start(self) -> RunningServer:
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            import uvloop

            self.loop = uvloop.new_event_loop()
            asyncio.set_event_loop(self.loop)
            self.app = Portico(self.settings)
            try:
                self.loop.run_until_complete(self.app.start())
            except BaseException as exc:
                errors.append(exc)
                ready.set()
                return
            ready.set()
            self.loop.run_forever()
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        ready.wait(60)
        if errors:
            raise errors[0]
        return self

    def call(self, coro: Any) -> Any:
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(60)

    def stop(self) -> None:
        if self.app is None or self.loop is None:
            return
        self.call(self.app.stop(grace=2.0))
        self.loop.call_soon_threadsafe(self.loop.stop)
        assert self.thread is not None
        self.thread.join(10)

    @property
    def port(self) -> int:
        assert self.app is not None
        return self.app.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, service: str = "apigateway", region: str = "us-east-1") -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = boto3.client(
                service,
                endpoint_url=self.url,
                region_name=region,
                aws_access_key_id="test",
                aws_secret_access_key="test",
                config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=60),
            )
        return self._clients[key]


def start_server(tmp: Path, store_url: str | None = None, **kw: Any) -> RunningServer:
    settings = Settings(listen="127.0.0.1:0", data_dir=tmp, store_url=store_url, **kw)
    return RunningServer(settings).start()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """A Portico server per test module, once per store backend."""
    schema = None
    store_url = None
    if request.param == "postgresql":
        need_pg()
        schema = PgSchema()
        store_url = schema.create()
    srv = start_server(tmp_path_factory.mktemp("portico"), store_url)
    try:
        yield srv
    finally:
        srv.stop()
        if schema is not None:
            schema.drop()


@pytest.fixture(scope="module")
def apigw(server: RunningServer) -> Any:
    return server.client("apigateway")


@pytest.fixture
def api(apigw: Any) -> Iterator[dict[str, Any]]:
    """A fresh REST API, deleted after the test."""
    created = apigw.create_rest_api(name=f"t-{uuid.uuid4().hex[:8]}")
    yield created
    with contextlib.suppress(apigw.exceptions.NotFoundException):
        apigw.delete_rest_api(restApiId=created["id"])
