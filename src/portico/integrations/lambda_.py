"""Lambda integrations of REST APIs: AWS_PROXY and AWS (Developer Guide: "Lambda integrations for
REST APIs in API Gateway", "Handle Lambda errors in API Gateway").

The integration `uri` is `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations`;
the function ARN may name stage variables (`${stageVariables.fn}`).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
from typing import Any

from portico.compile.integration_kind import LAMBDA_URI
from portico.dataplane.errors import GatewayError
from portico.dataplane.integration_mapping import map_request, map_response
from portico.dataplane.invocation import Invocation
from portico.functions.invoker import (
    EVENT,
    REQUEST_RESPONSE,
    FunctionInvoker,
    FunctionNotFound,
    InvokeError,
    InvokeResult,
    Throttled,
)
from portico.mapping.events import MalformedProxyResponse, parse_proxy_response, proxy_event
from portico.wire import Response

log = logging.getLogger("portico.dataplane")

_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_.-]+)\}")


@functools.lru_cache(maxsize=1024)  # per request, with the few URIs a deployment has
def _function_part(uri: str) -> str | None:
    found = LAMBDA_URI.match(uri)
    return found.group(2) if found else None


def function_of(uri: str, variables: dict[str, str]) -> str:
    """The function ARN (or name) an integration URI names, with stage variables substituted."""
    function = _function_part(uri)
    if function is None:
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error")
    if "${" not in function:
        return function
    return _STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), ""), function)


def _internal_error(status: int = 500) -> GatewayError:
    return GatewayError("DEFAULT_5XX", "Internal server error", status=status)


async def _call(
    inv: Invocation,
    integration: dict[str, Any],
    payload: bytes,
    invocation_type: str,
    *,
    json_checked: bool = False,
) -> InvokeResult:
    invoker: FunctionInvoker | None = inv.functions
    if invoker is None:
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error")
    function = function_of(integration.get("uri", ""), inv.variables)
    timeout = int(integration.get("timeoutInMillis") or 29000) / 1000
    try:
        async with asyncio.timeout(timeout):  # no extra task, unlike wait_for
            return await invoker.invoke(
                function, payload, invocation_type=invocation_type, json_checked=json_checked
            )
    except TimeoutError:
        raise GatewayError("INTEGRATION_TIMEOUT") from None
    except Throttled:
        log.warning("%s: Lambda throttled %s (Rate Exceeded.)", inv.request_id, function)
        raise GatewayError("INTEGRATION_FAILURE", "Internal server error", status=500) from None
    # one name per clause: mypyc (setup.py) types a name by its first binding
    except FunctionNotFound as missing:
        log.error("%s: Lambda function %s not found: %s", inv.request_id, function, missing.message)
        raise _internal_error() from None
    except InvokeError as failed:
        log.error("%s: invoking %s failed: %s", inv.request_id, function, failed.message)
        raise _internal_error() from None


async def invoke_lambda_proxy(inv: Invocation, integration: dict[str, Any]) -> Response:
    event = proxy_event(inv, inv.authorizer)
    result = await _call(inv, integration, json.dumps(event).encode(), REQUEST_RESPONSE, json_checked=True)
    if result.function_error:
        log.error(
            "%s: Lambda function error: %s", inv.request_id, result.payload[:1000].decode("utf-8", "replace")
        )
        raise _internal_error(502)
    binary_types = inv.deployment.api.get("binaryMediaTypes") or ()
    try:
        parsed = parse_proxy_response(result.payload, inv.header("accept"), binary_types)
    except MalformedProxyResponse as exc:
        log.error(
            "%s: Execution failed due to configuration error: Malformed Lambda proxy response (%s)",
            inv.request_id,
            exc,
        )
        raise _internal_error(502) from None
    headers = parsed.headers
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers = [("Content-Type", "application/json"), *headers]
    return Response(parsed.status, headers, parsed.body)


async def invoke_lambda(inv: Invocation, integration: dict[str, Any]) -> Response:
    """The AWS (non-proxy) Lambda integration: mapped payload in, integration responses out."""
    request = map_request(inv, integration)
    invocation_type = REQUEST_RESPONSE
    for name, values in request.headers.items():
        if name.lower() == "x-amz-invocation-type" and values and values[-1].strip("'") == EVENT:
            invocation_type = EVENT
    result = await _call(inv, integration, request.body or b"{}", invocation_type)
    error_message: str | None = None
    if result.function_error:
        error_message = _error_message(result.payload)
    return map_response(inv, integration, result.status, [], result.payload, error_message)


def _error_message(payload: bytes) -> str:
    try:
        doc = json.loads(payload)
    except ValueError:
        return payload.decode("utf-8", "replace")
    if isinstance(doc, dict):
        return str(doc.get("errorMessage", ""))
    return str(doc)
