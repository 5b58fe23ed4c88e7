"""The FunctionInvoker seam: what API Gateway's Lambda integrations and the Lambda Invoke API call
(AWS Lambda API Reference, "Invoke": invocation types, FunctionError, LogResult)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

REQUEST_RESPONSE = "RequestResponse"
EVENT = "Event"
DRY_RUN = "DryRun"
INVOCATION_TYPES = (REQUEST_RESPONSE, EVENT, DRY_RUN)
STATUS = {REQUEST_RESPONSE: 200, EVENT: 202, DRY_RUN: 204}


@dataclass(frozen=True, slots=True)
class InvokeResult:
    """One invocation's answer. `function_error` is "Unhandled" when `payload` is the error
    document (`{"errorMessage", "errorType", ...}`) instead of the function's result."""

    status: int
    payload: bytes = b""
    function_error: str | None = None
    log: str = ""  # the invocation's log (START ... REPORT), for LogType=Tail
    request_id: str = ""
    executed_version: str = "$LATEST"


class InvokeError(Exception):
    """The invocation was not run; `code` is the Lambda API error name."""

    code = "ServiceException"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FunctionNotFound(InvokeError):
    code = "ResourceNotFoundException"
    status = 404


class Throttled(InvokeError):
    """Lambda throttling: over the function's (reserved) concurrency."""

    code = "TooManyRequestsException"
    status = 429

    def __init__(self, reason: str) -> None:
        super().__init__("Rate Exceeded.")
        self.reason = reason


class InvalidRequestContent(InvokeError):
    code = "InvalidRequestContentException"
    status = 400


class RequestTooLarge(InvokeError):
    code = "RequestTooLargeException"
    status = 413


class InvalidRuntime(InvokeError):
    code = "InvalidRuntimeException"
    status = 502


class RemoteFailure(InvokeError):
    """The configured Lambda endpoint could not be reached or answered unusably."""

    code = "ServiceException"
    status = 502


class FunctionInvoker(Protocol):
    async def invoke(
        self,
        name: str,
        payload: bytes,
        *,
        invocation_type: str = REQUEST_RESPONSE,
        client_context: str | None = None,
        json_checked: bool = False,
    ) -> InvokeResult:
        """Invoke function `name` (a name or an ARN). Raises an InvokeError subclass when the
        invocation cannot run (unknown function, throttled, bad payload). `json_checked`: the
        payload is JSON Portico encoded itself (a proxy event), so it is not parsed again to check it."""
        ...
