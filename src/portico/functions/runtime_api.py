"""The Lambda Runtime API 2018-06-01 that Portico serves to the runtime processes it starts
(AWS Lambda Developer Guide, "Using the Lambda runtime API for custom runtimes").

Each runtime instance gets its own listener on 127.0.0.1 (port 0), so the server knows which
instance is asking from the port alone: `AWS_LAMBDA_RUNTIME_API` is only `host:port`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from typing import Protocol

from portico.dataplane.server import HttpServer, Limits
from portico.functions.reports import MAX_RESPONSE, response_too_large
from portico.wire import Request, Response

PREFIX = "/2018-06-01/runtime/"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
_LIMITS = Limits(max_body=MAX_RESPONSE * 4, idle_timeout=3600.0, header_timeout=60.0, body_timeout=900.0)
_ACCEPTED = Response(202, [("Content-Type", "application/json")], b'{"status":"OK"}')


class Delivery:
    """One event handed to the runtime by `GET .../invocation/next`. Built per invocation: a plain
    class (wire.Request says why)."""

    __slots__ = (
        "client_context",
        "cognito_identity",
        "deadline_ms",
        "function_arn",
        "payload",
        "request_id",
        "trace_id",
    )

    def __init__(
        self,
        request_id: str,
        payload: bytes,
        deadline_ms: int,
        function_arn: str,
        trace_id: str,
        client_context: str | None = None,
        cognito_identity: str | None = None,
    ) -> None:
        self.request_id = request_id
        self.payload = payload
        self.deadline_ms = deadline_ms
        self.function_arn = function_arn
        self.trace_id = trace_id
        self.client_context = client_context
        self.cognito_identity = cognito_identity

    def headers(self) -> list[tuple[str, str]]:
        headers = [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", self.request_id),
            ("Lambda-Runtime-Deadline-Ms", str(self.deadline_ms)),
            ("Lambda-Runtime-Invoked-Function-Arn", self.function_arn),
            ("Lambda-Runtime-Trace-Id", self.trace_id),
        ]
        if self.client_context is not None:
            headers.append(("Lambda-Runtime-Client-Context", self.client_context))
        if self.cognito_identity is not None:
            headers.append(("Lambda-Runtime-Cognito-Identity", self.cognito_identity))
        return headers


class RuntimeChannel(Protocol):
    """The instance side of the Runtime API."""

    def ready_event(self) -> Delivery | None:
        """The next event if one is waiting now (answered without waiting), else None."""
        ...

    async def next_event(self) -> Delivery | None:
        """Wait for the next event; None when the instance is shutting down."""
        ...

    def post_response(self, request_id: str, body: bytes) -> bool:
        """False when `request_id` is not the invocation in progress."""
        ...

    def post_error(self, request_id: str, body: bytes, error_type: str | None) -> bool: ...

    def post_init_error(self, body: bytes, error_type: str | None) -> None: ...


def route(method: str, path: str) -> tuple[str, str | None] | None:
    """(action, request id) of a Runtime API call: next, response, error, init-error."""
    if not path.startswith(PREFIX):
        return None
    parts = path[len(PREFIX) :].split("/")
    if method == "GET" and parts == ["invocation", "next"]:
        return ("next", None)
    if method == "POST" and parts == ["init", "error"]:
        return ("init-error", None)
    if method == "POST" and len(parts) == 3 and parts[0] == "invocation" and parts[1]:
        return (parts[2], parts[1]) if parts[2] in ("response", "error") else None
    return None


def _error(status: int, error_type: str, message: str) -> Response:
    body = json.dumps({"errorMessage": message, "errorType": error_type}).encode()
    return Response(status, [("Content-Type", "application/json")], body)


class RuntimeApi:
    """One Runtime API listener for one runtime instance."""

    def __init__(self, channel: RuntimeChannel) -> None:
        self.channel = channel
        self.server = HttpServer(self.handle, limits=_LIMITS, name="runtime-api")

    async def start(self) -> str:
        """Listen on 127.0.0.1, port 0; returns `host:port` for AWS_LAMBDA_RUNTIME_API."""
        await self.server.start("127.0.0.1", 0)
        return f"127.0.0.1:{self.server.port}"

    async def stop(self) -> None:
        await self.server.shutdown(0.2)

    def handle(self, request: Request) -> Response | Awaitable[Response]:
        """Answers at once, except a `next` with no event waiting (HandlerFn)."""
        found = route(request.method, request.path)
        if found is None:
            return _error(404, "InvalidRequest", f"Unknown Runtime API call {request.method} {request.path}")
        action, request_id = found
        if action == "next":
            ready = self.channel.ready_event()
            return _delivered(ready) if ready is not None else self._next()
        error_type = request.header(ERROR_TYPE_HEADER)
        if action == "init-error":
            self.channel.post_init_error(request.body, error_type)
            return _ACCEPTED
        assert request_id is not None
        if action == "response":
            if len(request.body) > MAX_RESPONSE:
                self.channel.post_error(request_id, response_too_large(), "Function.ResponseSizeTooLarge")
                message = f"Exceeded maximum allowed payload size ({MAX_RESPONSE} bytes)."
                return _error(413, "RequestEntityTooLarge", message)
            accepted = self.channel.post_response(request_id, request.body)
        else:
            accepted = self.channel.post_error(request_id, request.body, error_type)
        return _ACCEPTED if accepted else _error(400, "InvalidRequestID", "Invalid request ID")

    async def _next(self) -> Response:
        delivery = await self.channel.next_event()
        if delivery is None:
            return _error(410, "Runtime.Shutdown", "The instance is shutting down")
        return _delivered(delivery)


def _delivered(delivery: Delivery) -> Response:
    return Response(200, delivery.headers(), delivery.payload)
