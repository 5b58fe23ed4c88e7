"""Lambda authorizer events and results (Developer Guide: "Input to an API Gateway Lambda authorizer"
and "Output from an API Gateway Lambda authorizer").

TOKEN authorizers get `{type, authorizationToken, methodArn}`; REQUEST authorizers get the request
(payload format 1.0: headers, query string, path parameters, stage variables and the request
context, without the body) with `type` and `methodArn`. The function answers `principalId`, a
`policyDocument`, an optional `context` map (string, number and boolean values only; they reach
`$context.authorizer.*` stringified) and an optional `usageIdentifierKey`. A function that fails with
the message `Unauthorized` refuses the caller (401); any other failure or a malformed answer is an
authorizer configuration error (500).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from portico.auth.iam_policy import Policy, PolicyError, parse_policy
from portico.mapping.events import proxy_event

if TYPE_CHECKING:
    from portico.dataplane.invocation import Invocation

_REQUEST_KEYS = (
    "resource",
    "path",
    "httpMethod",
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "stageVariables",
    "requestContext",
)
_MAPS = ("queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "stageVariables")


class Unauthorized(Exception):
    """The function refused the caller (`Unauthorized`): API Gateway answers 401."""


class AuthorizerOutputError(Exception):
    """The function failed, or answered something API Gateway cannot use: a 500."""


def method_arn(region: str, account_id: str, api_id: str, stage: str, verb: str, path: str) -> str:
    """`arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{resourcePath}` of a request."""
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{verb}/{path.lstrip('/')}"


def token_event(token: str, arn: str) -> dict[str, Any]:
    return {"type": "TOKEN", "methodArn": arn, "authorizationToken": token}


def request_event(inv: Invocation, arn: str, extra_context: dict[str, str] | None = None) -> dict[str, Any]:
    """The REQUEST authorizer event: the proxy event's request part (absent maps are `{}`)."""
    proxy = proxy_event(inv)
    event: dict[str, Any] = {"type": "REQUEST", "methodArn": arn}
    for key in _REQUEST_KEYS:
        event[key] = proxy[key]
    for key in _MAPS:
        if event[key] is None:
            event[key] = {}
    if extra_context:
        event["requestContext"].update(extra_context)
    return event


@dataclass(frozen=True, slots=True)
class AuthorizerResult:
    """A successful authorizer answer, as API Gateway keeps it (and caches it)."""

    principal_id: str
    policy: Policy
    policy_json: str  # the policy document as the function returned it
    context: dict[str, str]  # stringified values
    usage_identifier_key: str | None = None

    def request_context(self, latency_ms: int) -> dict[str, Any]:
        """`requestContext.authorizer` of a proxy event and `$context.authorizer`."""
        return {**self.context, "principalId": self.principal_id, "integrationLatency": latency_ms}


def _error_message(payload: bytes) -> str:
    try:
        doc = json.loads(payload)
    except ValueError:
        return payload.decode("utf-8", "replace")
    if isinstance(doc, dict):
        return str(doc.get("errorMessage", ""))
    return str(doc)


def _stringify(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def context_map(raw: Any) -> dict[str, str]:
    """The `context` of an answer: a flat map of strings, numbers and booleans, stringified."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise AuthorizerOutputError("context must be a JSON object")
    out: dict[str, str] = {}
    for key, value in raw.items():
        if value is None:
            continue
        if not isinstance(value, str | int | float | bool):
            raise AuthorizerOutputError(f"context.{key} must be a string, number or boolean")
        out[key] = _stringify(value)
    return out


def interpret(payload: bytes, function_error: str | None) -> AuthorizerResult:
    """Validate a function's answer; raises Unauthorized or AuthorizerOutputError."""
    if function_error:
        message = _error_message(payload)
        if message == "Unauthorized":
            raise Unauthorized()
        raise AuthorizerOutputError(f"function error: {message}")
    try:
        doc = json.loads(payload)
    except ValueError:
        raise AuthorizerOutputError("the answer is not JSON") from None
    if not isinstance(doc, dict):
        raise AuthorizerOutputError("the answer is not a JSON object")
    principal = doc.get("principalId")
    if not isinstance(principal, str | int | float) or isinstance(principal, bool):
        raise AuthorizerOutputError("principalId is missing or not a string")
    try:
        policy = parse_policy(doc.get("policyDocument"))
    except PolicyError as exc:
        raise AuthorizerOutputError(f"invalid policyDocument: {exc}") from None
    key = doc.get("usageIdentifierKey")
    if key is not None and not isinstance(key, str):
        raise AuthorizerOutputError("usageIdentifierKey must be a string")
    return AuthorizerResult(
        str(principal),
        policy,
        json.dumps(doc["policyDocument"], separators=(",", ":")),
        context_map(doc.get("context")),
        key,
    )
