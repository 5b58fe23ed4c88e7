"""The function host: every hosted function's configuration and instance pool, invoked by name or
ARN (AWS Lambda API Reference, "Invoke": RequestResponse, Event, DryRun; payload quotas)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from portico.functions.config import (
    LATEST,
    FunctionConfig,
    config_from_doc,
    function_arn,
    parse_function_ref,
)
from portico.functions.instance import Instance, Invocation
from portico.functions.invoker import (
    DRY_RUN,
    EVENT,
    INVOCATION_TYPES,
    STATUS,
    FunctionNotFound,
    InvalidRequestContent,
    InvokeResult,
    RequestTooLarge,
    Throttled,
)
from portico.functions.pool import DEFAULT_CONCURRENCY, FunctionPool, PoolStats
from portico.functions.watcher import fingerprint
from portico.ids import new_uuid4
from portico.settings import Settings
from portico.store.base import Store

log = logging.getLogger("portico.functions")

KIND = "function"
SYNC_LIMIT = 6 * 1024 * 1024  # bytes of a RequestResponse payload
ASYNC_LIMIT = 256 * 1024  # bytes of an Event payload
PRUNE_AFTER = 60.0  # seconds
Key = tuple[str, str]  # (region, function name)


def check_payload(payload: bytes, invocation_type: str, *, parse: bool = True) -> None:
    limit = ASYNC_LIMIT if invocation_type == EVENT else SYNC_LIMIT
    if len(payload) > limit:
        operation = "InvokeAsync" if invocation_type == EVENT else "InvokeFunction"
        raise RequestTooLarge(f"Request must be smaller than {limit} bytes for the {operation} operation")
    if parse and payload.strip():
        try:
            json.loads(payload)
        except ValueError as exc:
            raise InvalidRequestContent(
                f"Could not parse request body into json: Could not parse payload into json: {exc}"
            ) from None


class FunctionHost:
    """Implements FunctionInvoker for the functions stored in this Portico's store."""

    def __init__(
        self,
        settings: Settings,
        *,
        default_concurrency: int = DEFAULT_CONCURRENCY,
        queue_wait: float = 0.5,
        watch_interval: float = 0.5,
        idle_ttl: float = 600.0,
    ) -> None:
        self.settings = settings
        self.root = functions_root(settings)
        self.default_concurrency = default_concurrency
        self.queue_wait = queue_wait  # how long a request over the limit waits before throttling
        self.watch_interval = watch_interval
        self.idle_ttl = idle_ttl
        self.configs: dict[Key, FunctionConfig] = {}
        self.pools: dict[Key, FunctionPool] = {}
        self.store: Store | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._watcher: asyncio.Task[None] | None = None
        self._refreshed = 0.0

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, store: Store) -> None:
        self.store = store
        await self.refresh()
        self._watcher = asyncio.create_task(self._watch(), name="portico-function-watcher")

    async def on_change(self, version: int) -> None:
        """Change-feed listener: pick up created, updated and deleted functions."""
        await self.refresh()

    async def refresh(self) -> None:
        assert self.store is not None
        self._refreshed = time.monotonic()
        configs: dict[Key, FunctionConfig] = {}
        for region, _scope, name, doc in await self.store.list_all(KIND):
            try:
                configs[(region, name)] = config_from_doc(region, doc, self.root)
            except (KeyError, TypeError, ValueError):
                log.exception("ignoring malformed function document %s/%s", region, name)
        self.configs = configs
        for key, pool in list(self.pools.items()):
            config = configs.get(key)
            if config is None:
                del self.pools[key]
                self._background_task(pool.close())
            else:
                pool.update(config)
        await asyncio.to_thread(self._prune_code, self._code_in_use())

    def _code_in_use(self) -> set[Path]:
        dirs = {config.code_dir for config in self.configs.values()}
        for pool in self.pools.values():
            dirs.update(instance.config.code_dir for instance in [*pool.idle, *pool.busy])
        return dirs

    def _prune_code(self, in_use: set[Path]) -> None:
        """Remove unzipped packages no function uses any more (replaced or deleted), once they
        are a minute old (a package is unzipped just before its function document is saved)."""
        if not self.root.is_dir():
            return
        cutoff = time.time() - PRUNE_AFTER
        for function_dir in self.root.iterdir():
            if not function_dir.is_dir():
                continue
            for code_dir in function_dir.iterdir():
                with contextlib.suppress(OSError):
                    if code_dir.resolve() not in in_use and code_dir.stat().st_mtime < cutoff:
                        shutil.rmtree(code_dir, ignore_errors=True)
            with contextlib.suppress(OSError):
                function_dir.rmdir()  # only when empty

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        for task in list(self._background):
            task.cancel()
        pools, self.pools = list(self.pools.values()), {}
        await asyncio.gather(*(pool.close() for pool in pools), return_exceptions=True)
        if self._background:
            await asyncio.wait(set(self._background), timeout=5)

    # -- lookup ------------------------------------------------------------------------------

    async def resolve(self, name: str, region: str | None = None) -> FunctionConfig:
        """The configuration of `name` (name, partial or full ARN, `$LATEST` qualifier)."""
        ref = parse_function_ref(name)
        region = (ref.region if ref else None) or region or self.settings.default_region
        if ref is None:
            raise FunctionNotFound(
                f"Function not found: {function_arn(region, self.settings.account_id, name)}"
            )
        arn = function_arn(region, ref.account or self.settings.account_id, ref.name)
        if ref.qualifier not in (None, LATEST):
            raise FunctionNotFound(f"Function not found: {arn}:{ref.qualifier}")
        config = self.configs.get((region, ref.name))
        if config is None and self.store is not None and time.monotonic() - self._refreshed > 1.0:
            await self.refresh()  # created on another node a moment ago? (at most once a second)
            config = self.configs.get((region, ref.name))
        if config is None or (ref.account and ref.account != config.account_id):
            raise FunctionNotFound(f"Function not found: {arn}")
        return config

    def stats(self, name: str, region: str | None = None) -> PoolStats:
        pool = self.pools.get((region or self.settings.default_region, name))
        return pool.stats if pool else PoolStats()

    def pool_of(self, config: FunctionConfig) -> FunctionPool:
        key = (config.region, config.name)
        pool = self.pools.get(key)
        if pool is None:
            marker = fingerprint(config.code_dir) if config.local else None
            pool = FunctionPool(
                config, self._new_instance, default_concurrency=self.default_concurrency, code_marker=marker
            )
            self.pools[key] = pool
        return pool

    def _new_instance(self, config: FunctionConfig, generation: int) -> Instance:
        return Instance(config, generation, _log_line)

    # -- invoking ----------------------------------------------------------------------------

    async def invoke(
        self,
        name: str,
        payload: bytes,
        *,
        invocation_type: str = "RequestResponse",
        client_context: str | None = None,
        region: str | None = None,
        json_checked: bool = False,
    ) -> InvokeResult:
        if invocation_type not in INVOCATION_TYPES:
            raise InvalidRequestContent(f"Invalid InvocationType {invocation_type!r}")
        config = await self.resolve(name, region)
        check_payload(payload, invocation_type, parse=not json_checked)
        request_id = new_uuid4()
        if invocation_type == DRY_RUN:
            return InvokeResult(STATUS[DRY_RUN], request_id=request_id)
        pool = self.pool_of(config)
        inv = Invocation(request_id, payload, client_context)
        if invocation_type == EVENT:
            self._background_task(self._run_event(pool, inv))
            return InvokeResult(STATUS[EVENT], request_id=request_id)
        outcome = await pool.invoke(inv, wait=self.queue_wait)
        return InvokeResult(200, outcome.payload, outcome.function_error, outcome.log, request_id)

    async def _run_event(self, pool: FunctionPool, inv: Invocation) -> None:
        try:
            outcome = await pool.invoke(inv, wait=None)
        except Throttled:
            log.warning("%s %s event dropped: reserved concurrency is 0", pool.config.name, inv.request_id)
            return
        if outcome.function_error:
            log.warning("%s %s event failed: %s", pool.config.name, inv.request_id, outcome.payload[:500])

    def _background_task(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- hot reload and idle instances -------------------------------------------------------

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.watch_interval)
            try:
                await self.check_code()
            except Exception:
                log.exception("function code watcher failed; retrying")

    async def check_code(self) -> None:
        now = time.monotonic()
        for pool in list(self.pools.values()):
            pool.reap(self.idle_ttl, now)
            if not pool.config.local:
                continue
            marker = await asyncio.to_thread(fingerprint, pool.config.code_dir)
            if marker != pool.code_marker:
                pool.code_marker = marker
                if pool.size:
                    log.info("%s: code changed in %s; new instances", pool.config.name, pool.config.code_dir)
                pool.retire()


def _log_line(function: str, request_id: str, line: str) -> None:
    log.info("%s %s %s", function, request_id, line)


def functions_root(settings: Settings) -> Path:
    return (settings.data_dir / "functions").resolve()
