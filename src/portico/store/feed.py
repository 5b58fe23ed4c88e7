"""The change feed: watches the store's version and reports each change.

Every committed write moves the version (store/sql.py), so polling one row is enough to follow
changes made by any process or node sharing the store. Data planes use it to rebuild snapshots.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from portico.store.base import Store

log = logging.getLogger("portico.store")

Listener = Callable[[int], Awaitable[None]]


class ChangeFeed:
    def __init__(self, store: Store, interval: float = 0.25) -> None:
        self.store = store
        self.interval = interval
        self.version = 0
        self._listeners: list[Listener] = []
        self._task: asyncio.Task[None] | None = None
        self._checking = asyncio.Lock()  # a check waits for one in progress to finish notifying

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def start(self) -> None:
        self.version = await self.store.version()
        self._task = asyncio.create_task(self._run(), name="portico-change-feed")

    async def check(self) -> bool:
        """Poll once; notify listeners if the version moved. Returns whether it did. When it
        returns, every listener has seen the store as it was when the check began."""
        async with self._checking:
            current = await self.store.version()
            if current == self.version:
                return False
            self.version = current
            for listener in list(self._listeners):
                try:
                    await listener(current)
                except Exception:
                    log.exception("change listener failed at version %s", current)
            return True

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except Exception:
                log.exception("change feed poll failed; retrying")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
