"""A simulated request through the data plane (API Gateway REST API reference: TestInvokeMethod).

The method runs on the API's current configuration (compiled on the fly) in the stage
`test-invoke-stage`, with the caller's stage variables, through the same method-request validation,
integration and integration/method response stages as a deployed API, skipping what TestInvokeMethod
skips (routing, authorization, API keys, throttling). Failures answer the API's gateway responses.
Stages add execution-log lines with `Invocation.note`; the standard ones are written here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from portico.compile.routes import Match
from portico.compile.snapshot import DeploymentRuntime, MethodRuntime, StageRuntime
from portico.dataplane.errors import GatewayError, render_error
from portico.dataplane.execution_log import (
    endpoint_uri,
    failure_line,
    java_map,
    merged_headers,
    multi_headers,
    truncated,
)
from portico.dataplane.invocation import Invocation
from portico.dataplane.pipeline import integrated
from portico.dataplane.resolve import Target
from portico.dataplane.validate import validate_request
from portico.wire import Headers, Request, Response

log = logging.getLogger("portico.dataplane")

TEST_STAGE = "test-invoke-stage"
TEST_DOMAIN = "testPrefix.testDomainName"
TEST_SOURCE_IP = "test-invoke-source-ip"
Doc = dict[str, Any]
NewInvocation = Callable[[Request, Target, StageRuntime, DeploymentRuntime, dict[str, str], bool], Invocation]


def path_parameters(template: str, path: str) -> dict[str, str]:
    """Path parameters of `path` read against the resource path `template` (`{name}`, `{name+}`)."""
    parts = [p for p in path.split("/") if p]
    out: dict[str, str] = {}
    for i, segment in enumerate(p for p in template.split("/") if p):
        if segment.startswith("{") and segment.endswith("+}"):
            out[segment[1:-2]] = "/".join(parts[i:])
            break
        if segment.startswith("{") and segment.endswith("}") and i < len(parts):
            out[segment[1:-1]] = parts[i]
    return out


def request_headers(single: Mapping[str, str] | None, multi: Mapping[str, list[str]] | None) -> Headers:
    """`headers` plus the `multiValueHeaders` of names `headers` does not give."""
    headers: Headers = list((single or {}).items())
    given = {name.lower() for name, _ in headers}
    for name, values in (multi or {}).items():
        if name.lower() not in given:
            headers.extend((name, value) for value in values)
    return headers


async def simulate(
    deployment: DeploymentRuntime,
    method: MethodRuntime,
    params: Doc,
    *,
    api_id: str,
    region: str,
    account_id: str,
    new_invocation: NewInvocation | None = None,
) -> Doc:
    """Run one TestInvokeMethod request; returns the operation's output members."""
    inv = _invocation(deployment, method, params, api_id, region, account_id, new_invocation)
    trace = inv.trace = []
    _log_request(inv, params)
    response = await _run(inv, method)
    latency = int((time.time() - inv.start) * 1000)
    inv.note(f"Method completed with status: {response.status}")
    lines = [f"Execution log for request {inv.request_id}", *trace]
    return {
        "status": response.status,
        "body": response.body.decode("utf-8", "replace"),
        "headers": merged_headers(response.headers),
        "multiValueHeaders": multi_headers(response.headers),
        "log": "\n".join(lines) + "\n",
        "latency": latency,
    }


def _invocation(
    deployment: DeploymentRuntime,
    method: MethodRuntime,
    params: Doc,
    api_id: str,
    region: str,
    account_id: str,
    new_invocation: NewInvocation | None,
) -> Invocation:
    path_query = params.get("pathWithQueryString") or method.resource_path
    path = path_query.partition("?")[0]
    headers = request_headers(params.get("headers"), params.get("multiValueHeaders"))
    body = (params.get("body") or "").encode()
    request = Request(method.http_method, path_query, headers, body, client=(TEST_SOURCE_IP, 0))
    target = Target(
        api_id, TEST_STAGE, path if path.startswith("/") else "/" + path, TEST_DOMAIN, "testPrefix"
    )
    variables = dict(params.get("stageVariables") or {})
    stage = StageRuntime(region, api_id, TEST_STAGE, {"stageName": TEST_STAGE}, variables, deployment)
    if new_invocation is not None:
        inv = new_invocation(request, target, stage, deployment, variables, False)
    else:
        inv = Invocation(request, target, stage, deployment, variables, False, account_id)
    inv.path_params = path_parameters(method.resource_path, path)
    inv.match = Match(
        method.resource_id, method.resource_path, frozenset({method.http_method}), inv.path_params
    )
    inv.method = method
    return inv


def _log_request(inv: Invocation, params: Doc) -> None:
    path_query = params.get("pathWithQueryString") or (inv.method.resource_path if inv.method else "/")
    query = parse_qsl(path_query.partition("?")[2], keep_blank_values=True)
    inv.note(f"Starting execution for request: {inv.request_id}")
    inv.note(f"HTTP Method: {inv.request.method}, Resource Path: {path_query.partition('?')[0]}")
    inv.note(f"Method request path: {java_map(inv.path_params.items())}")
    inv.note(f"Method request query string: {java_map(dict(query).items())}")
    inv.note(f"Method request headers: {java_map(merged_headers(inv.request.headers).items())}")
    inv.note(f"Method request body before transformations: {truncated(inv.body.decode('utf-8', 'replace'))}")


async def _run(inv: Invocation, method: MethodRuntime) -> Response:
    integration = method.integration or {}
    try:
        validate_request(inv)
        if integration.get("type") != "MOCK":
            uri = endpoint_uri(integration, inv.variables, inv.path_params, inv.request.query)
            inv.note(f"Endpoint request URI: {uri}")
        response = await integrated(inv)
        response.unpack_head()  # its headers are inspected and edited below
    except GatewayError as err:
        _note_failure(inv, err)
        return render_error(inv, err)
    except Exception:
        log.exception("test invocation %s failed", inv.request_id)
        inv.note("Execution failed due to an internal error")
        return render_error(inv, GatewayError("API_CONFIGURATION_ERROR"))
    if integration.get("type") != "MOCK" and response.header("x-amzn-trace-id") is None:
        response.headers.insert(0, ("X-Amzn-Trace-Id", inv.trace_id))
    inv.note(
        f"Method response body after transformations: {truncated(response.body.decode('utf-8', 'replace'))}"
    )
    inv.note(f"Method response headers: {java_map(merged_headers(response.headers).items())}")
    inv.note("Successfully completed execution")
    return response


def _note_failure(inv: Invocation, err: GatewayError) -> None:
    trace = inv.trace or []
    if any(" : Execution failed" in line for line in trace):
        return  # a stage already said why
    inv.note(failure_line(err, inv.header("content-type")))
