"""One runtime instance (an "execution environment"): a runtime process, its own Runtime API
listener, and the invocation it is running (AWS Lambda Developer Guide, "Lambda execution
environment lifecycle": init, invoke, shutdown; function timeout; runtime exits)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from portico.functions import reports
from portico.functions.config import FunctionConfig, new_log_stream, runtime_environment
from portico.functions.runtime_api import Delivery, RuntimeApi
from portico.functions.runtimes import RUNTIME_DIR, runtime_command
from portico.ids import epoch_hex, random_bytes

INIT_LIMIT = 10.0  # seconds a runtime may take to ask for its first event
_MEMORY_EVERY = 1.0  # seconds between two reads of a runtime's peak memory
_LOG_KEEP = 16 * 1024  # characters of an invocation's own output kept for LogType=Tail

LineSink = Callable[[str, str, str], None]  # (function name, request id or "-", line)
log = logging.getLogger("portico.functions")


@dataclass(slots=True)
class Outcome:
    request_id: str
    payload: bytes
    function_error: str | None  # "Unhandled" when payload is an error document
    log: str
    cold: bool


class Invocation:
    """One event on its way through an instance."""

    __slots__ = ("client_context", "done", "lines", "payload", "request_id", "size", "trace_id")

    def __init__(self, request_id: str, payload: bytes, client_context: str | None = None) -> None:
        self.request_id = request_id
        self.payload = payload
        self.client_context = client_context
        self.trace_id = f"Root=1-{epoch_hex(time.time())}-{random_bytes(12).hex()};Parent={random_bytes(8).hex()};Sampled=0"
        self.done: asyncio.Future[tuple[bytes, str | None]] = asyncio.get_running_loop().create_future()
        self.lines: deque[str] = deque()
        self.size = 0

    def finish(self, payload: bytes, function_error: str | None) -> bool:
        if self.done.done():
            return False
        self.done.set_result((payload, function_error))
        return True

    def add_line(self, line: str) -> None:
        self.lines.append(line)
        self.size += len(line) + 1
        while self.size > _LOG_KEEP and len(self.lines) > 1:
            self.size -= len(self.lines.popleft()) + 1


class Instance:
    """Implements the RuntimeChannel its RuntimeApi listener serves."""

    def __init__(self, config: FunctionConfig, generation: int, sink: LineSink) -> None:
        self.config = config
        self.generation = generation
        self.sink = sink
        self.log_stream = new_log_stream()
        self.api = RuntimeApi(self)
        self.process: asyncio.subprocess.Process | None = None
        self.current: Invocation | None = None
        self.dead = False  # exited, killed or broken: never reused
        self.returncode: int | None = None
        self._init_error: bytes | None = None
        self.last_used = time.monotonic()
        self._loop = asyncio.get_running_loop()
        self._queued: Invocation | None = None
        self._waiter: asyncio.Future[Invocation | None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._started = 0.0
        self._init_ms: float | None = None
        self._delivered = 0.0
        self._served = 0
        self._memory: tuple[float, int | None] = (-_MEMORY_EVERY, None)  # (read at, VmHWM MB)
        self._watcher: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the listener and the runtime process. Raises LaunchError, InvalidRuntime, OSError."""
        api = await self.api.start()
        try:
            command = runtime_command(self.config)
            env = runtime_environment(
                self.config,
                api=api,
                log_stream=self.log_stream,
                runtime_dir=RUNTIME_DIR,
                path=os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            )
            self._started = time.monotonic()
            self.process = await asyncio.create_subprocess_exec(
                *command,
                cwd=str(self.config.code_dir),
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
            )
        except BaseException:
            self.dead = True
            await self.api.stop()
            raise
        self._watcher = asyncio.create_task(self._watch(self.process), name=f"runtime-{self.config.name}")

    async def stop(self) -> None:
        self.dead = True
        self._kill()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
        if self._watcher is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._watcher), 5.0)
        await self.api.stop()

    def _kill(self) -> None:
        proc = self.process
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # its own session: the whole group goes

    async def _watch(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None and proc.stderr is not None
        pumps = [asyncio.create_task(self._pump(proc.stdout)), asyncio.create_task(self._pump(proc.stderr))]
        code = await proc.wait()
        await asyncio.wait(pumps, timeout=0.2)  # the last words of a crash belong to its log
        for pump in pumps:
            pump.cancel()
        self.returncode = code
        self.dead = True
        inv = self.current
        if inv is not None and not inv.done.done():
            self._line(
                f"RequestId: {inv.request_id} Error: Runtime exited with error: {reports.exit_reason(code)}"
            )
            self._line("Runtime.ExitError")
            inv.finish(reports.exit_error(inv.request_id, code), "Unhandled")
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _pump(self, stream: asyncio.StreamReader) -> None:
        pending = b""
        while True:
            chunk = await stream.read(65536)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                self._line(raw.decode("utf-8", "replace").rstrip("\r"))
        if pending:
            self._line(pending.decode("utf-8", "replace"))

    def _line(self, text: str) -> None:
        inv = self.current
        self.sink(self.config.name, inv.request_id if inv else "-", text)
        if inv is not None:
            inv.add_line(text)

    # -- one invocation ----------------------------------------------------------------------

    async def run(self, inv: Invocation) -> Outcome:
        """Hand `inv` to the runtime and wait for its answer, the function timeout or an exit."""
        cold = self._served == 0
        self._served += 1
        self.current = inv
        self._arm(INIT_LIMIT + self.config.timeout if cold else self.config.timeout)
        if self._init_error is not None:
            inv.finish(self._init_error, "Unhandled")
        elif self.dead:
            code = self.returncode if self.returncode is not None else -signal.SIGKILL
            inv.finish(reports.exit_error(inv.request_id, code), "Unhandled")
        elif self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(inv)
        else:
            self._queued = inv
        try:
            payload, error = await inv.done
        finally:
            self._disarm()
        for _ in range(3):
            await asyncio.sleep(0)  # output written before the answer is read before we report
        duration = (time.monotonic() - (self._delivered or time.monotonic())) * 1000
        used = self._max_memory_mb()
        self._line(reports.end_line(inv.request_id))
        init_ms = self._init_ms if cold else None
        self._line(reports.report_line(inv.request_id, duration, self.config.memory, used, init_ms))
        self.last_used = time.monotonic()
        text = "\n".join([reports.start_line(inv.request_id), *inv.lines]) + "\n"
        return Outcome(inv.request_id, payload, error, text, cold)

    def _max_memory_mb(self) -> int | None:
        """The runtime's peak memory for REPORT lines, read from /proc at most once a second (a
        read costs as much as the rest of a warm invocation's bookkeeping)."""
        now = time.monotonic()
        if now - self._memory[0] >= _MEMORY_EVERY and self.process is not None:
            self._memory = (now, reports.max_memory_mb(self.process.pid))
        return self._memory[1]

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._timer = self._loop.call_later(seconds, self._on_timeout)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_timeout(self) -> None:
        inv = self.current
        if inv is None or inv.done.done():
            return
        self._line(f"{reports.timestamp()} {inv.request_id} {reports.timeout_message(self.config.timeout)}")
        inv.finish(reports.timeout_error(inv.request_id, self.config.timeout), "Unhandled")
        self.dead = True
        self._kill()

    # -- RuntimeChannel ----------------------------------------------------------------------

    def ready_event(self) -> Delivery | None:
        inv = self._queued
        if inv is None or self._init_ms is None or inv.done.done():
            return None
        self._queued = None
        return self._deliver(inv)

    async def next_event(self) -> Delivery | None:
        if self._init_ms is None:
            self._init_ms = (time.monotonic() - self._started) * 1000
        inv, self._queued = self._queued, None
        if inv is None:
            if self.dead:
                return None
            self._waiter = self._loop.create_future()
            try:
                inv = await self._waiter
            finally:
                self._waiter = None
        if inv is None or inv.done.done():
            return None
        return self._deliver(inv)

    def _deliver(self, inv: Invocation) -> Delivery:
        self._delivered = time.monotonic()
        self._arm(self.config.timeout)
        self.sink(self.config.name, inv.request_id, reports.start_line(inv.request_id))
        deadline = int((time.time() + self.config.timeout) * 1000)
        return Delivery(
            inv.request_id, inv.payload or b"{}", deadline, self.config.arn, inv.trace_id, inv.client_context
        )

    def post_response(self, request_id: str, body: bytes) -> bool:
        inv = self.current
        if inv is None or inv.request_id != request_id:
            return False
        return inv.finish(body, None)

    def post_error(self, request_id: str, body: bytes, error_type: str | None) -> bool:
        inv = self.current
        if inv is None or inv.request_id != request_id:
            return False
        return inv.finish(reports.normalise_error(body, error_type), "Unhandled")

    def post_init_error(self, body: bytes, error_type: str | None) -> None:
        self.dead = True  # an instance whose init failed is never reused
        self._init_error = reports.normalise_error(body, error_type)
        if self.current is not None:
            self.current.finish(self._init_error, "Unhandled")
