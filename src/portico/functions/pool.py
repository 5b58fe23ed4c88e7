"""Instances of one function: warm reuse, concurrency up to the reserved (or default) limit,
throttling beyond it, replacement of crashed or timed-out instances, hot replacement on code or
configuration changes (AWS Lambda Developer Guide, "Lambda function scaling"; "Configuring
reserved concurrency"; throttling: TooManyRequestsException "Rate Exceeded.")."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from portico.functions import reports
from portico.functions.config import FunctionConfig
from portico.functions.instance import Invocation, Outcome
from portico.functions.invoker import Throttled
from portico.functions.runtimes import LaunchError

log = logging.getLogger("portico.functions")

DEFAULT_CONCURRENCY = 10


class Instance(Protocol):
    """What the pool asks of an instance (functions/instance.py; the unit tests' fakes)."""

    config: FunctionConfig
    generation: int
    dead: bool
    last_used: float

    async def start(self) -> None: ...

    async def run(self, inv: Invocation) -> Outcome: ...

    async def stop(self) -> None: ...


InstanceFactory = Callable[[FunctionConfig, int], Instance]


@dataclass(slots=True)
class PoolStats:
    invocations: int = 0
    cold_starts: int = 0
    warm_starts: int = 0
    throttles: int = 0


class FunctionPool:
    def __init__(
        self,
        config: FunctionConfig,
        factory: InstanceFactory,
        *,
        default_concurrency: int = DEFAULT_CONCURRENCY,
        code_marker: str | None = None,
    ) -> None:
        self.config = config
        self.factory = factory
        self.default_concurrency = default_concurrency
        self.code_marker = code_marker  # fingerprint of a local code directory (watcher.py)
        self.generation = 0
        self.idle: list[Instance] = []
        self.busy: set[Instance] = set()
        self.stats = PoolStats()
        self._waiters: deque[asyncio.Future[Instance | None]] = deque()
        self._stopping: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def limit(self) -> int:
        return self.config.reserved if self.config.reserved is not None else self.default_concurrency

    @property
    def size(self) -> int:
        return len(self.idle) + len(self.busy)

    def update(self, config: FunctionConfig) -> None:
        """A new configuration: instances started with another code or setup are replaced."""
        changed = config.identity != self.config.identity
        self.config = config
        if changed:
            self.retire()
        self._wake(len(self._waiters))  # the limit may have grown

    def retire(self) -> None:
        """New invocations get new instances; idle ones stop now, busy ones when they finish."""
        self.generation += 1
        for instance in self.idle:
            self._stop_later(instance)
        self.idle.clear()

    # -- invoking ----------------------------------------------------------------------------

    async def invoke(self, inv: Invocation, *, wait: float | None) -> Outcome:
        """Run `inv` on a warm instance or a new one. Raises Throttled when the function is at
        its concurrency limit for longer than `wait` seconds (None: wait as long as it takes)."""
        instance, cold = await self._acquire(wait)
        self.stats.invocations += 1
        task = asyncio.create_task(self._run(instance, inv, cold))
        return await asyncio.shield(task)  # a cancelled caller leaves the instance to finish

    async def _run(self, instance: Instance, inv: Invocation, cold: bool) -> Outcome:
        try:
            if cold:
                try:
                    await instance.start()
                except (LaunchError, OSError) as exc:
                    body = reports.entrypoint_error(inv.request_id, str(exc))
                    return Outcome(inv.request_id, body, "Unhandled", f"{exc}\n", True)
            return await instance.run(inv)
        finally:
            self._release(instance)

    async def _acquire(self, wait: float | None) -> tuple[Instance, bool]:
        loop = asyncio.get_running_loop()
        deadline = None if wait is None else loop.time() + wait
        turn = False  # callers already queued go first; a woken one has had its turn
        while True:
            room = len(self.busy) < self.limit and not self._closed
            if room and (turn or not self._waiters):
                instance = self._take_idle()
                cold = instance is None
                if instance is None:
                    instance = self.factory(self.config, self.generation)
                self.busy.add(instance)
                if cold:
                    self.stats.cold_starts += 1
                else:
                    self.stats.warm_starts += 1
                return instance, cold
            remaining = None if deadline is None else deadline - loop.time()
            if self.limit == 0 or self._closed or (remaining is not None and remaining <= 0):
                self.stats.throttles += 1
                reserved = self.config.reserved is not None
                raise Throttled(
                    "ReservedFunctionConcurrentInvocationLimitExceeded"
                    if reserved
                    else "ConcurrentInvocationLimitExceeded"
                )
            handed = await self._wait_turn(loop, remaining)
            if handed is not None:
                self.stats.warm_starts += 1
                return handed, False
            turn = True

    async def _wait_turn(self, loop: asyncio.AbstractEventLoop, remaining: float | None) -> Instance | None:
        """Queue up (first come, first served) for the instance a finishing invocation hands over;
        None when woken without one (time is up, room for a new instance, the pool closed)."""
        waiter: asyncio.Future[Instance | None] = loop.create_future()
        self._waiters.append(waiter)
        timer = None if remaining is None else loop.call_later(remaining, _settle, waiter)
        handed: Instance | None = None
        try:
            handed = await waiter
            return handed
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                handed = waiter.result()
                if handed is not None:
                    self._release(handed)  # handed over as the caller went away: pass it on
            raise
        finally:
            if timer is not None:
                timer.cancel()
            if handed is None and waiter in self._waiters:  # timed out or cancelled in the queue
                self._waiters.remove(waiter)

    def _take_idle(self) -> Instance | None:
        while self.idle:
            instance = self.idle.pop()  # most recently used first: the warmest
            if not instance.dead and instance.generation == self.generation:
                return instance
            self._stop_later(instance)
        return None

    def _release(self, instance: Instance) -> None:
        self.busy.discard(instance)
        if instance.dead or instance.generation != self.generation or self._closed:
            self._stop_later(instance)
            self._wake(1)  # room for a new instance
            return
        while self._waiters and len(self.busy) < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.busy.add(instance)  # straight to the longest-waiting caller
                waiter.set_result(instance)
                return
        self.idle.append(instance)

    def _wake(self, count: int) -> None:
        """Let up to `count` waiters look again (for room to start an instance)."""
        while count > 0 and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                count -= 1

    # -- stopping ----------------------------------------------------------------------------

    def _stop_later(self, instance: Instance) -> None:
        task = asyncio.create_task(instance.stop())
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)

    def reap(self, idle_ttl: float, now: float) -> None:
        """Stop idle instances unused for `idle_ttl` seconds, and idle ones that died."""
        keep = []
        for instance in self.idle:
            if instance.dead or now - instance.last_used > idle_ttl:
                self._stop_later(instance)
            else:
                keep.append(instance)
        self.idle = keep

    async def close(self) -> None:
        """Stop every instance (busy ones are killed; their invocations end with an exit error)."""
        self._closed = True
        for instance in [*self.idle, *self.busy]:
            self._stop_later(instance)
        self.idle.clear()
        self._wake(len(self._waiters))
        if self._stopping:
            await asyncio.wait(set(self._stopping), timeout=10)


def _settle(waiter: asyncio.Future[Instance | None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
