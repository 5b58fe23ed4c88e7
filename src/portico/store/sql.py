"""SQL store on SQLAlchemy Core: SQLite (aiosqlite, default) and PostgreSQL (asyncpg).

Writers are serialised: SQLite takes `BEGIN IMMEDIATE`, PostgreSQL a transaction-level advisory
lock, so concurrent processes and nodes never lose an update. Every committed write transaction
moves `meta.version`, which data planes poll to rebuild their snapshots.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from portico.store.base import Doc

metadata = sa.MetaData()

documents = sa.Table(
    "portico_documents",
    metadata,
    sa.Column("region", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(64), primary_key=True),
    sa.Column("scope", sa.String(512), primary_key=True),
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)
sa.Index("portico_documents_kind", documents.c.kind, documents.c.seq)

meta = sa.Table(
    "portico_meta",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

_ADVISORY_LOCK = 0x706F7274  # "port"


class SqlTx:
    def __init__(self, conn: AsyncConnection, region: str, seq: int) -> None:
        self.conn = conn
        self.region = region
        self.dirty = False
        self._seq = seq
        self._n = 0

    def _pk(self, kind: str, scope: str, key: str) -> Any:
        c = documents.c
        return sa.and_(c.region == self.region, c.kind == kind, c.scope == scope, c.key == key)

    async def get(self, kind: str, scope: str, key: str) -> Doc | None:
        row = (await self.conn.execute(sa.select(documents.c.body).where(self._pk(kind, scope, key)))).first()
        return json.loads(row[0]) if row else None

    async def list(self, kind: str, scope: str | None = "") -> list[Doc]:
        c = documents.c
        query = sa.select(c.body).where(c.region == self.region, c.kind == kind)
        if scope is not None:
            query = query.where(c.scope == scope)
        rows = await self.conn.execute(query.order_by(c.seq, c.key))
        return [json.loads(r[0]) for r in rows]

    async def put(self, kind: str, scope: str, key: str, doc: Doc) -> None:
        body = json.dumps(doc, separators=(",", ":"), sort_keys=False)
        self.dirty = True
        result = await self.conn.execute(
            documents.update().where(self._pk(kind, scope, key)).values(body=body)
        )
        if result.rowcount == 0:
            self._n += 1
            await self.conn.execute(
                documents.insert().values(
                    region=self.region,
                    kind=kind,
                    scope=scope,
                    key=key,
                    seq=self._seq * 100000 + self._n,
                    body=body,
                )
            )

    async def delete(self, kind: str, scope: str, key: str) -> bool:
        result = await self.conn.execute(documents.delete().where(self._pk(kind, scope, key)))
        if result.rowcount:
            self.dirty = True
        return bool(result.rowcount)

    async def delete_scope(self, scope: str) -> None:
        c = documents.c
        cond = sa.or_(c.scope == scope, c.scope.startswith(scope + "/", autoescape=True))
        result = await self.conn.execute(documents.delete().where(c.region == self.region, cond))
        if result.rowcount:
            self.dirty = True


class SqlStore:
    """The embedded (SQLite) and distributed (PostgreSQL) store, one code path."""

    def __init__(self, url: str) -> None:
        self.url, connect_args = _normalise_url(url)
        self.dialect = "sqlite" if self.url.startswith("sqlite") else "postgresql"
        self._writer = self._engine(connect_args, immediate=True)
        self._reader = self._engine(connect_args, immediate=False) if self.dialect == "sqlite" else None

    def _engine(self, connect_args: dict[str, Any], *, immediate: bool) -> AsyncEngine:
        engine = create_async_engine(self.url, connect_args=connect_args, pool_pre_ping=False)
        if self.dialect == "sqlite":
            _sqlite_hooks(engine, immediate=immediate)
        return engine

    async def init(self) -> None:
        async with self._writer.begin() as conn:
            await conn.run_sync(metadata.create_all)
            if self.dialect == "postgresql":
                await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK})
            exists = (await conn.execute(sa.select(meta.c.value).where(meta.c.name == "version"))).first()
            if not exists:
                await conn.execute(meta.insert().values(name="version", value=1))

    @asynccontextmanager
    async def read(self, region: str) -> AsyncIterator[SqlTx]:
        engine = self._reader or self._writer
        async with engine.connect() as conn:
            yield SqlTx(conn, region, 0)
            await conn.rollback()

    @asynccontextmanager
    async def write(self, region: str) -> AsyncIterator[SqlTx]:
        async with self._writer.begin() as conn:
            if self.dialect == "postgresql":
                await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK})
            version = (
                await conn.execute(sa.select(meta.c.value).where(meta.c.name == "version"))
            ).scalar_one()
            tx = SqlTx(conn, region, int(version) + 1)
            yield tx
            if tx.dirty:
                await conn.execute(meta.update().where(meta.c.name == "version").values(value=version + 1))

    async def version(self) -> int:
        engine = self._reader or self._writer
        async with engine.connect() as conn:
            value = (await conn.execute(sa.select(meta.c.value).where(meta.c.name == "version"))).scalar()
            return int(value or 0)

    async def list_all(self, kind: str) -> list[tuple[str, str, str, Doc]]:
        engine = self._reader or self._writer
        c = documents.c
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.select(c.region, c.scope, c.key, c.body).where(c.kind == kind).order_by(c.seq, c.key)
            )
            return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    async def close(self) -> None:
        await self._writer.dispose()
        if self._reader is not None:
            await self._reader.dispose()


def _normalise_url(url: str) -> tuple[str, dict[str, Any]]:
    connect_args: dict[str, Any] = {}
    if url.startswith("sqlite:"):
        url = "sqlite+aiosqlite:" + url[len("sqlite:") :]
    elif url.startswith(("postgresql:", "postgres:")):
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        schema = query.pop("schema", None)
        if schema:
            connect_args["server_settings"] = {"search_path": schema}
        url = urlunsplit(("postgresql+asyncpg", parts.netloc, parts.path, urlencode(query), ""))
    if url.startswith("sqlite+aiosqlite:///"):
        path = url[len("sqlite+aiosqlite:///") :]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connect_args["timeout"] = 60
    return url, connect_args


def _sqlite_hooks(engine: AsyncEngine, *, immediate: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


async def open_store(url: str) -> SqlStore:
    store = SqlStore(url)
    await store.init()
    return store
