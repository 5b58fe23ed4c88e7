"""The REST API request pipeline, one stage per step in API Gateway's words (DESIGN.md §2).

route → authorize → method request → integration request/integration → integration response/method response.
A stage returns a Response to short-circuit, raises GatewayError to fail, or returns None.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from portico.compile.integration_kind import AWS_SERVICE, LAMBDA, LAMBDA_PROXY, MOCK
from portico.compile.routes import match, select_method, split_path
from portico.dataplane.authorize import authorize
from portico.dataplane.errors import GatewayError
from portico.dataplane.invocation import Invocation
from portico.dataplane.validate import validate_request
from portico.integrations.aws_service import invoke_aws_service
from portico.integrations.http import invoke_http
from portico.integrations.lambda_ import invoke_lambda, invoke_lambda_proxy
from portico.integrations.mock import invoke_mock
from portico.wire import Reply, Response


def route(inv: Invocation) -> None:
    found = match(inv.deployment.trie, split_path(inv.path))
    if found is None:
        raise GatewayError("MISSING_AUTHENTICATION_TOKEN")
    verb = select_method(found.methods, inv.request.method)
    if verb is None:
        raise GatewayError("MISSING_AUTHENTICATION_TOKEN")
    inv.match = found
    inv.path_params = found.path_params
    inv.method = inv.deployment.methods[(found.resource_id, verb)]


# At once; through a callback (a Reply: HTTP_PROXY); or a coroutine to await (the other integrations).
Answer = Response | Reply | Coroutine[Any, Any, Response]


def integrate(inv: Invocation) -> Answer:
    """Call the integration the deployment compiled for this method (compile/integration_kind.py)."""
    method = inv.method
    assert method is not None
    integration, kind = method.integration, method.kind
    if integration is None or kind is None:
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error")
    if kind == MOCK:
        return invoke_mock(inv, integration)
    if kind == LAMBDA_PROXY:
        return invoke_lambda_proxy(inv, integration)
    if kind == LAMBDA:
        return invoke_lambda(inv, integration)
    if kind == AWS_SERVICE:
        return invoke_aws_service(inv, integration)
    return invoke_http(inv)


async def integrated(inv: Invocation) -> Response:
    """`integrate`, awaited."""
    answer = integrate(inv)
    if isinstance(answer, Response):
        return answer
    if isinstance(answer, Reply):
        return await answer.wait()
    return await answer


async def _authorized(inv: Invocation) -> Response:
    await authorize(inv)
    validate_request(inv)
    return await integrated(inv)


def run_pipeline(inv: Invocation) -> Answer:
    """The response at once when no stage waits (a MOCK integration, an error), a Reply from the
    HTTP_PROXY integration, else a coroutine."""
    route(inv)
    if inv.deployment.authorizers:  # Lambda authorizers run before request validation, as in AWS
        return _authorized(inv)
    validate_request(inv)
    return integrate(inv)
