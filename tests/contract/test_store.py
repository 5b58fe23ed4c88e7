"""One contract suite for every Store implementation (SQLite file, PostgreSQL schema)."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from portico.store import SqlStore, open_store
from tests.conftest import PgSchema, need_pg


@pytest.fixture(params=["sqlite", "postgresql"])
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    need_pg()
    schema = PgSchema()
    url = await asyncio.to_thread(schema.create)
    yield url
    await asyncio.to_thread(schema.drop)


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[SqlStore]:
    opened = await open_store(store_url)
    yield opened
    await opened.close()


async def test_put_get_list_delete(store: SqlStore) -> None:
    async with store.write("us-east-1") as tx:
        await tx.put("thing", "", "b", {"id": "b"})
        await tx.put("thing", "", "a", {"id": "a"})
        await tx.put("thing", "other", "c", {"id": "c"})
    async with store.read("us-east-1") as tx:
        assert await tx.get("thing", "", "a") == {"id": "a"}
        assert [d["id"] for d in await tx.list("thing")] == ["b", "a"]  # creation order
        assert sorted(d["id"] for d in await tx.list("thing", None)) == ["a", "b", "c"]
    async with store.write("us-east-1") as tx:
        assert await tx.delete("thing", "", "a") is True
        assert await tx.delete("thing", "", "a") is False
    async with store.read("us-east-1") as tx:
        assert await tx.get("thing", "", "a") is None


async def test_update_keeps_creation_order(store: SqlStore) -> None:
    async with store.write("us-east-1") as tx:
        await tx.put("thing", "", "x", {"v": 1})
        await tx.put("thing", "", "y", {"v": 1})
    async with store.write("us-east-1") as tx:
        await tx.put("thing", "", "x", {"v": 2})
    async with store.read("us-east-1") as tx:
        assert await tx.list("thing") == [{"v": 2}, {"v": 1}]


async def test_regions_are_isolated(store: SqlStore) -> None:
    async with store.write("eu-west-1") as tx:
        await tx.put("thing", "", "k", {"r": "eu"})
    async with store.read("us-east-1") as tx:
        assert await tx.get("thing", "", "k") is None
    assert [(r, k) for r, _s, k, _d in await store.list_all("thing")] == [("eu-west-1", "k")]


async def test_failed_transaction_leaves_nothing(store: SqlStore) -> None:
    before = await store.version()
    with pytest.raises(RuntimeError):
        async with store.write("us-east-1") as tx:
            await tx.put("thing", "", "half", {"id": "half"})
            raise RuntimeError("boom")
    async with store.read("us-east-1") as tx:
        assert await tx.get("thing", "", "half") is None
    assert await store.version() == before


async def test_version_moves_on_change_only(store: SqlStore) -> None:
    v0 = await store.version()
    async with store.write("us-east-1") as tx:
        await tx.get("thing", "", "nothing")
    assert await store.version() == v0
    async with store.write("us-east-1") as tx:
        await tx.put("thing", "", "k", {})
    v1 = await store.version()
    assert v1 > v0
    async with store.write("us-east-1") as tx:
        await tx.delete("thing", "", "k")
    assert await store.version() > v1


async def test_delete_scope(store: SqlStore) -> None:
    async with store.write("us-east-1") as tx:
        await tx.put("stage", "api1", "dev", {})
        await tx.put("deployment", "api1", "d1", {})
        await tx.put("nested", "api1/res", "x", {})
        await tx.put("stage", "api10", "dev", {})
    async with store.write("us-east-1") as tx:
        await tx.delete_scope("api1")
    async with store.read("us-east-1") as tx:
        assert await tx.list("stage", "api1") == []
        assert await tx.list("nested", "api1/res") == []
        assert await tx.list("stage", "api10") == [{}]


async def test_state_survives_reopen(store_url: str) -> None:
    first = await open_store(store_url)
    async with first.write("us-east-1") as tx:
        await tx.put("thing", "", "durable", {"kept": True})
    await first.close()
    second = await open_store(store_url)
    try:
        async with second.read("us-east-1") as tx:
            assert await tx.get("thing", "", "durable") == {"kept": True}
    finally:
        await second.close()


def _increment_many(url: str, times: int) -> None:
    async def run() -> None:
        store = await open_store(url)
        for _ in range(times):
            async with store.write("us-east-1") as tx:
                doc = await tx.get("counter", "", "c") or {"n": 0}
                await asyncio.sleep(0)  # widen the read-modify-write window
                doc["n"] += 1
                await tx.put("counter", "", "c", doc)
        await store.close()

    asyncio.run(run())


async def test_concurrent_processes_lose_no_update(store_url: str) -> None:
    """Read-modify-write from several processes on one store: every increment survives."""
    init = await open_store(store_url)
    await init.close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_increment_many, args=(store_url, 25)) for _ in range(3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        await asyncio.to_thread(proc.join, 120)
        assert proc.exitcode == 0
    check = await open_store(store_url)
    try:
        async with check.read("us-east-1") as tx:
            assert await tx.get("counter", "", "c") == {"n": 75}
    finally:
        await check.close()


async def test_change_feed_sees_writes_of_another_store_instance(store_url: str) -> None:
    """Two independent store instances (as two processes or nodes would have) on one database."""
    from portico.store.feed import ChangeFeed

    writer = await open_store(store_url)
    reader = await open_store(store_url)
    feed = ChangeFeed(reader, interval=0.02)
    seen: asyncio.Queue[int] = asyncio.Queue()

    async def on_change(version: int) -> None:
        await seen.put(version)

    feed.subscribe(on_change)
    await feed.start()
    try:
        async with writer.write("us-east-1") as tx:
            await tx.put("restapi", "", "x", {"id": "x"})
        version = await asyncio.wait_for(seen.get(), timeout=30)
        assert version == await writer.version()
        assert await feed.check() is False  # no further change, no further notification
    finally:
        await feed.stop()
        await writer.close()
        await reader.close()
