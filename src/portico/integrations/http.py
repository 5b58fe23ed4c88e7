"""HTTP_PROXY and HTTP integrations (Developer Guide: "Set up HTTP integrations in API Gateway",
"HTTP proxy integration"; failures as in "Gateway response types for API Gateway").

HTTP_PROXY passes the method (or the integration's), the path through `{param}` placeholders, the
query string, headers and body to the endpoint and its response back. HTTP (non-proxy) sends what
the integration request mapping produces (dataplane/integration_mapping.py: `map_request`) and
answers what the integration response mapping makes of the endpoint's answer (`map_response`).
Both use the plan compiled with the deployment and the loop's keep-alive pool. Failures: no answer within
`timeoutInMillis` → INTEGRATION_TIMEOUT (504 "Endpoint request timed out"); connection refused,
reset or closed → INTEGRATION_FAILURE (504 "Network error communicating with endpoint"); an
unresolvable host, an invalid endpoint address or a certificate that fails verification →
API_CONFIGURATION_ERROR (500); an invalid HTTP response or one over 10 MB → 502 "Internal server error".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Coroutine
from typing import Any, Final

from portico.dataplane.errors import GatewayError
from portico.dataplane.integration_mapping import map_request, map_response
from portico.dataplane.invocation import Invocation
from portico.integrations.http_headers import (
    mapped_request_head,
    method_response_headers,
    proxy_request_head,
    proxy_response_head,
    proxy_response_headers,
)
from portico.integrations.http_plan import HttpPlan, PlanError, encode_query_value
from portico.integrations.upstream import loop_pool
from portico.integrations.upstream_connection import (
    BadResponse,
    Exchange,
    Origin,
    ResolveFailed,
    TlsFailed,
    UpstreamError,
    UpstreamResponse,
    UpstreamTimeout,
)
from portico.wire import Reply, Response

log = logging.getLogger("portico.integrations.http")

_NO_PARAMS: dict[str, str] = {}
_monotonic: Final = time.monotonic  # Final: compiled, no module attribute lookup per call


def _configuration_error(inv: Invocation, reason: str) -> GatewayError:
    log.warning("%s: Execution failed due to configuration error: %s", inv.request_id, reason)
    return GatewayError("API_CONFIGURATION_ERROR", "Internal server error")


def endpoint(
    plan: HttpPlan, inv: Invocation, client_query: str, params: dict[str, str] | None = None
) -> tuple[Origin, str, str]:
    """(origin, Host header, request-target) of this request's integration endpoint; path
    placeholders are filled from `params`, or else from the plan's own path mappings."""
    uri = plan.uri
    if uri is None:
        raise _configuration_error(inv, plan.error)
    if plan.forbidden_mapping:
        raise _configuration_error(inv, f"{plan.forbidden_mapping} header already present")
    try:
        origin, host = uri.resolve_origin(inv.variables)
    except PlanError as exc:
        raise _configuration_error(inv, str(exc)) from None
    if params is None:  # HTTP_PROXY: the plan's own parameter mappings
        mappings = plan.mappings
        params = mappings.path_values(inv) if mappings.path else _NO_PARAMS
        if mappings.query:
            mapped = mappings.query_string(inv)
            client_query = f"{client_query}&{mapped}" if client_query and mapped else client_query or mapped
    return origin, host, uri.target(params, inv.variables, client_query)


async def exchange(
    inv: Invocation, plan: HttpPlan, origin: Origin, head: bytes, body: bytes, method: str
) -> UpstreamResponse:
    """Send the request upstream; turn failures into API Gateway's gateway errors."""
    started = _monotonic()
    try:
        response = await loop_pool().request(origin, head, body, method=method, timeout=plan.timeout)
    except UpstreamError as failed:
        raise gateway_error(inv, failed) from None
    finally:
        inv.integration_latency = int((_monotonic() - started) * 1000)
    inv.integration_status = str(response.status)
    return response


def gateway_error(inv: Invocation, failed: UpstreamError) -> GatewayError:
    """What API Gateway answers when its request to the endpoint fails this way."""
    if isinstance(failed, UpstreamTimeout):
        return GatewayError("INTEGRATION_TIMEOUT")
    if isinstance(failed, ResolveFailed):
        return _configuration_error(inv, f"Invalid endpoint address ({failed})")
    if isinstance(failed, TlsFailed):
        if failed.verification:
            return _configuration_error(inv, str(failed))
        return _network_error(inv, failed)
    if isinstance(failed, BadResponse):
        log.warning("%s: Execution failed: invalid endpoint response: %s", inv.request_id, failed)
        return GatewayError("DEFAULT_5XX", "Internal server error", status=502)
    return _network_error(inv, failed)


class ProxyExchange(Exchange):
    """The HTTP_PROXY integration's request to its endpoint: the endpoint's response becomes the
    method response (headers remapped), a failure the gateway error; `reply` delivers either from
    the upstream connection's callback (no task)."""

    __slots__ = ("head_only", "inv", "reply", "started")

    def __init__(self, inv: Invocation, head_only: bool) -> None:
        super().__init__()
        self.inv = inv
        self.head_only = head_only
        self.started = _monotonic()
        self.reply = Reply()

    def answered(self, response: UpstreamResponse) -> None:
        inv = self.inv
        inv.integration_latency = int((_monotonic() - self.started) * 1000)
        inv.integration_status = str(response.status)
        head = None if self.head_only else proxy_response_head(response.head)
        if head is None:
            headers = proxy_response_headers(response.raw_headers, self.head_only)
            reply = Response(response.status, headers, response.body)
        else:
            reply = Response(response.status, [], response.body, head)
        self.reply.resolve(reply)

    def failed(self, error: UpstreamError) -> None:
        inv = self.inv
        inv.integration_latency = int((_monotonic() - self.started) * 1000)
        self.reply.fail(gateway_error(inv, error))


def _network_error(inv: Invocation, exc: Exception) -> GatewayError:
    log.warning(
        "%s: Execution failed due to a network error communicating with endpoint: %s", inv.request_id, exc
    )
    return GatewayError("INTEGRATION_FAILURE", "Network error communicating with endpoint")


def invoke_http(inv: Invocation) -> Reply | Coroutine[Any, Any, Response]:
    """The pipeline's entry point for HTTP and HTTP_PROXY integrations (plans compiled per deployment)."""
    method = inv.method
    assert method is not None
    plan = inv.deployment.http_plans.get((method.resource_id, method.http_method))
    if plan is None:
        raise _configuration_error(inv, "no compiled HTTP integration")
    if plan.kind != "HTTP_PROXY":
        assert method.integration is not None
        return invoke_http_mapped(inv, plan, method.integration)
    request = inv.request  # HTTP_PROXY: the hot path, callback-driven (ProxyExchange)
    verb = plan.method or request.method
    origin, host, target = endpoint(plan, inv, request.query)
    body = request.body
    head = proxy_request_head(plan, inv, verb, target, host, body)
    proxied = ProxyExchange(inv, verb == "HEAD" and request.method == "HEAD")
    loop_pool().start(proxied, origin, head, body, verb, plan.timeout)
    return proxied.reply


async def invoke_http_mapped(inv: Invocation, plan: HttpPlan, integration: dict[str, Any]) -> Response:
    """HTTP (non-proxy): the integration request and response go through the mappings."""
    mapped = map_request(inv, integration)
    query = "&".join(
        f"{encode_query_value(name)}={encode_query_value(value)}"
        for name, values in mapped.query.items()
        for value in values
    )
    origin, host, target = endpoint(plan, inv, query, mapped.path_params)
    headers = [(name, value) for name, values in mapped.headers.items() for value in values]
    head = mapped_request_head(plan, inv, mapped.method, target, host, headers, mapped.body)
    upstream = await exchange(inv, plan, origin, head, mapped.body, mapped.method)
    response = map_response(inv, integration, upstream.status, upstream.headers, upstream.body)
    response.headers = method_response_headers(response.headers)
    return response
