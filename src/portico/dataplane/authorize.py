"""The authorize stage: Lambda (custom) authorizers of REST API methods (Developer Guide: "Use API
Gateway Lambda authorizers", "Input to ..." and "Output from an API Gateway Lambda authorizer").

For a method with `authorizationType` CUSTOM, the identity sources must all be present and non-empty
(and a TOKEN must match `identityValidationExpression`), else 401 `Unauthorized` without calling the
function. The result (cached per stage, authorizer and identity for `authorizerResultTtlInSeconds`)
is a policy evaluated against the request's method ARN: an explicit deny answers 403
`User is not authorized to access this resource with an explicit deny`, no allowing statement 403
`User is not authorized to access this resource`. A function failing with `Unauthorized` answers
401; any other failure, a timeout or a malformed answer 500 `{"message": null}`
(AuthorizerConfigurationException). On success `principalId`, `integrationLatency` and the context
reach `requestContext.authorizer` and `$context.authorizer.*`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from portico.auth.iam_policy import ALLOW, DENY
from portico.auth.lambda_authorizer import (
    AuthorizerOutputError,
    AuthorizerResult,
    Unauthorized,
    interpret,
    method_arn,
    request_event,
    token_event,
)
from portico.compile.authorizers import AuthorizerPlan, IdentitySource
from portico.dataplane.errors import GatewayError
from portico.dataplane.execution_log import truncated
from portico.dataplane.invocation import Invocation
from portico.functions.invoker import InvokeError
from portico.integrations.lambda_ import function_of

log = logging.getLogger("portico.dataplane")

AUTHORIZER_TIMEOUT = 30.0  # seconds
EXPLICIT_DENY = "User is not authorized to access this resource with an explicit deny"
NOT_AUTHORIZED = "User is not authorized to access this resource"


async def authorize(inv: Invocation) -> None:
    """Run the method's Lambda authorizer, if it has one; raise GatewayError to refuse."""
    plans = inv.deployment.authorizers
    method = inv.method
    if not plans or method is None:
        return
    plan = plans.get((method.resource_id, method.http_method))
    if plan is None:
        return
    arn = request_method_arn(inv)
    result, latency = await authorizer_result(inv, plan, arn)
    check_policy(inv, result, arn)
    inv.authorizer = result.request_context(latency)
    inv.usage_identifier_key = result.usage_identifier_key


def request_method_arn(inv: Invocation) -> str:
    target = inv.target
    return method_arn(
        inv.stage.region, inv.account_id, target.api_id, target.stage, inv.request.method, inv.path
    )


def check_policy(inv: Invocation, result: AuthorizerResult, arn: str) -> None:
    effect = result.policy.evaluate(arn)
    if effect == ALLOW:
        inv.note(f"Using valid authorizer policy for methodArn: {arn}")
        return
    inv.note(f"The client is not authorized to perform this operation ({arn})")
    raise GatewayError("ACCESS_DENIED", EXPLICIT_DENY if effect == DENY else NOT_AUTHORIZED)


async def authorizer_result(
    inv: Invocation, plan: AuthorizerPlan, arn: str, extra_context: Mapping[str, str] | None = None
) -> tuple[AuthorizerResult, int]:
    """The authorizer's answer for this request (cached, or by invoking it) and its latency in ms."""
    inv.note(f"Starting authorizer: {plan.id} for request: {inv.request_id}")
    identity = identity_values(inv, plan, extra_context)
    if identity is None:
        inv.note("Unauthorized: the identity source is missing, empty or invalid")
        raise GatewayError("UNAUTHORIZED")
    inv.note(f"Incoming identity: {_masked(identity)}")
    cache = inv.authorizer_cache if plan.ttl > 0 and plan.sources else None
    key = (inv.target.api_id, inv.target.stage, plan.id, identity)
    if cache is not None:
        cached = cache.get(key)
        if cached is not None:
            inv.note("Using cached authorizer result")
            return cached, 0
    if plan.type == "TOKEN":
        event = token_event(identity[0], arn)
    else:
        event = request_event(inv, arn, dict(extra_context) if extra_context else None)
    started = time.monotonic()
    result = await call_authorizer(inv, plan, event)
    latency = int((time.monotonic() - started) * 1000)
    if cache is not None:
        cache.put(key, result, plan.ttl)
    return result, latency


def identity_values(
    inv: Invocation, plan: AuthorizerPlan, extra_context: Mapping[str, str] | None = None
) -> tuple[str, ...] | None:
    """The identity source values, or None when one is missing or empty (or a token fails
    `identityValidationExpression`)."""
    context: dict[str, Any] | None = None
    values: list[str] = []
    for source in plan.sources:
        if source.kind == "context" and context is None:
            context = {**inv.context(), **(extra_context or {})}
        value = _source_value(inv, source, context)
        if not value:
            return None
        values.append(value)
    if plan.type == "TOKEN":
        if not values:
            return None
        if plan.validation is not None and plan.validation.fullmatch(values[0]) is None:
            return None
    return tuple(values)


def _source_value(inv: Invocation, source: IdentitySource, context: Mapping[str, Any] | None) -> str | None:
    kind, key = source.kind, source.key
    if kind == "header":
        return inv.header(key)
    if kind == "multiheader":
        return ",".join(inv.request.header_values(key)) or None
    if kind == "query" or kind == "multiquery":
        found = inv.query_multi().get(key)
        return None if not found else found[-1] if kind == "query" else ",".join(found)
    if kind == "path":
        return inv.path_params.get(key)
    if kind == "stage":
        return inv.variables.get(key)
    if kind == "context" and context is not None:
        return _context_value(context, key)
    return None


def _context_value(context: Mapping[str, Any], key: str) -> str | None:
    current: Any = context
    for part in key.split("."):
        if not isinstance(current, Mapping) or current.get(part) is None:
            return None
        current = current[part]
    if isinstance(current, bool):
        return "true" if current else "false"
    return str(current)


def _masked(identity: tuple[str, ...]) -> str:
    """Identity values as execution logs show them: all but the last 4 characters hidden."""
    return ", ".join("*" * max(len(v) - 4, 0) + v[-4:] for v in identity)


def _configuration_error() -> GatewayError:
    return GatewayError("AUTHORIZER_CONFIGURATION_ERROR", null_message=True)


async def call_authorizer(inv: Invocation, plan: AuthorizerPlan, event: dict[str, Any]) -> AuthorizerResult:
    """Invoke the authorizer function with `event` and interpret its answer."""
    invoker = inv.functions
    try:
        function = function_of(plan.uri, inv.variables)
    except GatewayError:
        function = ""
    if invoker is None or not function:
        log.error("%s: authorizer %s: no function to invoke (%s)", inv.request_id, plan.id, plan.uri)
        inv.note("Execution failed due to configuration error: Invalid authorizer URI")
        raise _configuration_error()
    payload = json.dumps(event, separators=(",", ":"))
    region = inv.stage.region
    inv.note(
        f"Endpoint request URI: https://lambda.{region}.amazonaws.com/2015-03-31/functions/{function}/invocations"
    )
    inv.note(f"Endpoint request body after transformations: {truncated(payload)}")
    try:
        answer = await asyncio.wait_for(
            invoker.invoke(function, payload.encode()), timeout=AUTHORIZER_TIMEOUT
        )
    except TimeoutError:
        raise _failed(inv, plan, "the function timed out") from None
    except InvokeError as exc:
        raise _failed(inv, plan, f"{exc.code}: {exc.message}") from None
    inv.note(f"Authorizer result body before parsing: {truncated(answer.payload.decode('utf-8', 'replace'))}")
    try:
        return interpret(answer.payload, answer.function_error)
    except Unauthorized:
        inv.note(f"Unauthorized request: {inv.request_id}")
        raise GatewayError("UNAUTHORIZED") from None
    except AuthorizerOutputError as exc:
        raise _failed(inv, plan, str(exc)) from None


def _failed(inv: Invocation, plan: AuthorizerPlan, reason: str) -> GatewayError:
    log.error("%s: authorizer %s (%s) failed: %s", inv.request_id, plan.id, plan.name, reason)
    inv.note(f"Execution failed due to configuration error: Authorizer error ({reason})")
    inv.note("AuthorizerConfigurationException")
    return _configuration_error()
