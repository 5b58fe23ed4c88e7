"""FunctionPool with fake instances: warm reuse, the concurrency limit, throttling after a short
wait, retirement on code changes, replacement of dead instances (no processes, no sockets)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, cast

import pytest

from portico.functions.config import FunctionConfig
from portico.functions.instance import Instance, Invocation, Outcome
from portico.functions.invoker import Throttled
from portico.functions.pool import FunctionPool
from portico.functions.runtimes import LaunchError
from tests.purity import pure_python_only

CONFIG = FunctionConfig("fn", "us-east-1", "123456789012", "python3.11", "app.handler", Path("/code"))


class FakeInstance:
    def __init__(
        self, number: int, config: FunctionConfig, generation: int, *, fail_start: bool = False
    ) -> None:
        self.id = number
        self.config = config
        self.generation = generation
        self.dead = False
        self.stopped = False
        self.last_used = 0.0
        self.fail_start = fail_start
        self.gate: asyncio.Event | None = None

    async def start(self) -> None:
        if self.fail_start:
            raise LaunchError("no bootstrap")

    async def run(self, inv: Invocation) -> Outcome:
        if self.gate is not None:
            await self.gate.wait()
        return Outcome(inv.request_id, str(self.id).encode(), None, "", False)

    async def stop(self) -> None:
        self.stopped = True
        self.dead = True


class Harness:
    def __init__(self, config: FunctionConfig = CONFIG, **kw: Any) -> None:
        self.made: list[FakeInstance] = []
        self.gate = asyncio.Event()
        self.hold = False
        self.fail_start = False
        self.pool = FunctionPool(config, self._factory, **kw)

    def _factory(self, config: FunctionConfig, generation: int) -> Instance:
        instance = FakeInstance(len(self.made) + 1, config, generation, fail_start=self.fail_start)
        if self.hold:
            instance.gate = self.gate
        self.made.append(instance)
        return cast(Instance, instance)

    async def invoke(self, wait: float | None = 0.05) -> Outcome:
        return await self.pool.invoke(Invocation("rid", b"{}"), wait=wait)


async def test_warm_instance_is_reused() -> None:
    h = Harness()
    first = await h.invoke()
    second = await h.invoke()
    assert first.payload == second.payload and len(h.made) == 1
    assert (h.pool.stats.cold_starts, h.pool.stats.warm_starts) == (1, 1)


async def test_concurrent_invocations_get_separate_instances_up_to_the_limit() -> None:
    h = Harness(default_concurrency=3)
    h.hold = True
    tasks = [asyncio.create_task(h.invoke(wait=0.05)) for _ in range(4)]
    await asyncio.sleep(0.01)
    assert len(h.made) == 3 and len(h.pool.busy) == 3
    done, _ = await asyncio.wait(tasks, timeout=1, return_when=asyncio.FIRST_COMPLETED)
    throttled = [t for t in done if isinstance(t.exception(), Throttled)]
    assert len(throttled) == 1
    assert cast(Throttled, throttled[0].exception()).reason == "ConcurrentInvocationLimitExceeded"
    h.gate.set()
    results = await asyncio.gather(*(t for t in tasks if t not in throttled))
    assert sorted(r.payload for r in results) == [b"1", b"2", b"3"]
    assert h.pool.stats.throttles == 1 and len(h.pool.idle) == 3


async def test_waiting_request_gets_the_released_instance() -> None:
    h = Harness(CONFIG.__class__(**{**_fields(CONFIG), "reserved": 1}))
    h.hold = True
    first = asyncio.create_task(h.invoke())
    await asyncio.sleep(0)
    second = asyncio.create_task(h.invoke(wait=1.0))
    await asyncio.sleep(0.01)
    h.gate.set()
    assert (await first).payload == (await second).payload == b"1"
    assert h.pool.stats.throttles == 0


async def test_reserved_zero_throttles_at_once_even_without_wait_limit() -> None:
    h = Harness(CONFIG.__class__(**{**_fields(CONFIG), "reserved": 0}))
    with pytest.raises(Throttled) as exc:
        await h.invoke(wait=None)
    assert exc.value.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert exc.value.message == "Rate Exceeded."


async def test_lowered_limit_applies_to_idle_instances() -> None:
    h = Harness()
    await h.invoke()
    h.pool.update(CONFIG.__class__(**{**_fields(CONFIG), "reserved": 0}))
    with pytest.raises(Throttled):
        await h.invoke()


async def test_retire_replaces_idle_instances() -> None:
    h = Harness()
    await h.invoke()
    old = h.made[0]
    h.pool.retire()
    await asyncio.sleep(0)
    assert old.stopped
    assert (await h.invoke()).payload == b"2"


async def test_configuration_change_of_the_process_retires_but_reserved_does_not() -> None:
    h = Harness()
    await h.invoke()
    h.pool.update(CONFIG.__class__(**{**_fields(CONFIG), "reserved": 5}))
    assert (await h.invoke()).payload == b"1"
    h.pool.update(CONFIG.__class__(**{**_fields(CONFIG), "reserved": 5, "memory": 512}))
    assert (await h.invoke()).payload == b"2"


async def test_busy_instance_of_an_old_generation_stops_when_done() -> None:
    h = Harness()
    h.hold = True
    running = asyncio.create_task(h.invoke())
    await asyncio.sleep(0)
    h.pool.retire()
    h.gate.set()
    await running
    await asyncio.sleep(0)
    assert h.made[0].stopped and not h.pool.idle


async def test_dead_instance_is_not_reused() -> None:
    h = Harness()
    await h.invoke()
    h.made[0].dead = True
    assert (await h.invoke()).payload == b"2"


async def test_launch_failure_is_invalid_entrypoint_outcome() -> None:
    h = Harness()
    h.fail_start = True
    outcome = await h.invoke()
    assert outcome.function_error == "Unhandled"
    assert b"Runtime.InvalidEntrypoint" in outcome.payload and b"no bootstrap" in outcome.payload


async def test_cancelled_caller_leaves_instance_busy_until_it_finishes() -> None:
    h = Harness(default_concurrency=1)
    h.hold = True
    caller = asyncio.create_task(h.invoke())
    await asyncio.sleep(0)
    caller.cancel()
    await asyncio.sleep(0)
    assert len(h.pool.busy) == 1  # still running: not handed to anyone else
    h.gate.set()
    await asyncio.sleep(0.01)
    assert len(h.pool.idle) == 1 and not h.pool.busy


async def test_reap_stops_idle_instances_past_their_time() -> None:
    h = Harness()
    await h.invoke()
    h.pool.reap(idle_ttl=60, now=30)
    assert h.pool.idle
    h.pool.reap(idle_ttl=60, now=61)
    await asyncio.sleep(0)
    assert not h.pool.idle and h.made[0].stopped


async def test_waiting_callers_get_released_instances_in_arrival_order() -> None:
    h = Harness(default_concurrency=1)
    h.hold = True
    first = asyncio.create_task(h.invoke())
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(h.invoke(wait=1.0)) for _ in range(3)]
    await asyncio.sleep(0.01)
    order: list[int] = []
    for number, task in enumerate(waiting):
        task.add_done_callback(lambda _t, n=number: order.append(n))
    late = asyncio.create_task(h.invoke(wait=1.0))  # arrives while the others wait: no overtaking
    late.add_done_callback(lambda _t: order.append(3))
    await asyncio.sleep(0.01)
    h.gate.set()
    await asyncio.gather(first, *waiting, late)
    assert order == [0, 1, 2, 3]
    assert len(h.made) == 1 and h.pool.stats.throttles == 0 and h.pool.stats.warm_starts == 4


@pure_python_only
async def test_instance_handed_to_a_cancelled_caller_goes_to_the_next_one() -> None:
    h = Harness(default_concurrency=1)
    h.hold = True
    first = asyncio.create_task(h.invoke())
    await asyncio.sleep(0)
    gone = asyncio.create_task(h.invoke(wait=1.0))
    second = asyncio.create_task(h.invoke(wait=1.0))
    await asyncio.sleep(0.01)
    release = h.pool._release

    def release_then_cancel(instance: Instance) -> None:
        release(instance)  # hands the instance to `gone`, cancelled before it can run
        if not gone.cancelling():
            gone.cancel()

    h.pool._release = release_then_cancel  # type: ignore[method-assign]
    h.gate.set()
    await first
    assert (await second).payload == b"1"
    assert gone.cancelled() and not h.pool.busy and len(h.pool.idle) == 1
    assert len(h.made) == 1


async def test_waiter_times_out_in_turn_and_leaves_the_queue() -> None:
    h = Harness(default_concurrency=1)
    h.hold = True
    first = asyncio.create_task(h.invoke())
    await asyncio.sleep(0)
    with pytest.raises(Throttled):
        await h.invoke(wait=0.02)
    assert not h.pool._waiters and h.pool.stats.throttles == 1
    h.gate.set()
    await first
    assert len(h.pool.idle) == 1


def _fields(config: FunctionConfig) -> dict[str, Any]:
    return {name: getattr(config, name) for name in config.__dataclass_fields__}
