"""Lambda's words for what happened to an invocation: error documents, START/END/REPORT log lines,
the LogType=Tail result (AWS Lambda Developer Guide, "Lambda function logging"; "Invoke")."""

from __future__ import annotations

import base64
import json
import math
import signal
import time

TAIL_BYTES = 4096
MAX_RESPONSE = 6 * 1024 * 1024 + 100  # RAPID's limit on a runtime's response (6291556 bytes)

# Go's names for signals (Lambda's runtime exit messages come from Go's os/exec).
_SIGNALS = {
    signal.SIGKILL: "killed",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGABRT: "aborted",
    signal.SIGTERM: "terminated",
    signal.SIGINT: "interrupt",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating point exception",
    signal.SIGILL: "illegal instruction",
    signal.SIGHUP: "hangup",
    signal.SIGPIPE: "broken pipe",
}


def exit_reason(returncode: int) -> str:
    """`exit status 1`, `signal: killed` ... as Lambda reports a runtime's exit."""
    if returncode >= 0:
        return f"exit status {returncode}"
    try:
        name = _SIGNALS.get(signal.Signals(-returncode), f"signal {-returncode}")
    except ValueError:
        name = f"signal {-returncode}"
    return f"signal: {name}"


def error_document(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def exit_error(request_id: str, returncode: int) -> bytes:
    reason = exit_reason(returncode)
    return error_document(
        "Runtime.ExitError", f"RequestId: {request_id} Error: Runtime exited with error: {reason}"
    )


def timeout_message(timeout: float) -> str:
    return f"Task timed out after {timeout:.2f} seconds"


def timeout_error(request_id: str, timeout: float) -> bytes:
    return error_document("Sandbox.Timedout", f"RequestId: {request_id} Error: {timeout_message(timeout)}")


def entrypoint_error(request_id: str, detail: str) -> bytes:
    return error_document("Runtime.InvalidEntrypoint", f"RequestId: {request_id} Error: {detail}")


def response_too_large() -> bytes:
    return error_document(
        "Function.ResponseSizeTooLarge",
        f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE} bytes).",
    )


def normalise_error(body: bytes, error_type: str | None) -> bytes:
    """A runtime's posted error as the Invoke response shows it: its JSON document when it sent
    one, else `{"errorType", "errorMessage"}` built from the header and the raw text."""
    try:
        doc = json.loads(body) if body else None
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        return body
    text = body.decode("utf-8", "replace")
    return error_document(error_type or "Unhandled", text)


def timestamp(clock: float | None = None) -> str:
    now = clock if clock is not None else time.time()
    millis = int(now * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{millis:03d}Z"


def start_line(request_id: str) -> str:
    return f"START RequestId: {request_id} Version: $LATEST"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def report_line(
    request_id: str, duration_ms: float, memory_mb: int, used_mb: int | None, init_ms: float | None
) -> str:
    parts = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {max(1, math.ceil(duration_ms))} ms",
        f"Memory Size: {memory_mb} MB",
        f"Max Memory Used: {used_mb if used_mb is not None else 0} MB",
    ]
    if init_ms is not None:
        parts.append(f"Init Duration: {init_ms:.2f} ms")
    return "\t".join(parts) + "\t"


def log_tail(log: str, limit: int = TAIL_BYTES) -> str:
    """X-Amz-Log-Result: base64 of the last `limit` bytes of the invocation's log."""
    data = log.encode()
    return base64.b64encode(data[-limit:]).decode()


def max_memory_mb(pid: int) -> int | None:
    """Peak resident memory of a process (Linux VmHWM), for the REPORT line."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError):
        return None
    return None
