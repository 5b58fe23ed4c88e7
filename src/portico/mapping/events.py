"""Lambda proxy integration input and output, REST APIs (Developer Guide: "Input format of a Lambda
function for proxy integration" and "Output format of a Lambda function for proxy integration").

REST APIs send payload format 1.0 without a `version` key. Absent query strings, path parameters and
stage variables are `null`, as API Gateway sends them; `body` is `null` without a body.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Final
from urllib.parse import unquote

from portico.dataplane.invocation import Invocation, request_time

_ALLOWED_KEYS: Final = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"})


class MalformedProxyResponse(Exception):
    """The function's result is not a valid proxy response (API Gateway answers 502)."""


def media_type_matches(content_type: str | None, patterns: list[str] | tuple[str, ...]) -> bool:
    """Whether a Content-Type/Accept value matches one of the binaryMediaTypes (`*/*`, `image/*`)."""
    if not content_type or not patterns:
        return False
    for candidate in content_type.split(","):
        media = candidate.split(";", 1)[0].strip().lower()
        if not media:
            continue
        main, _, sub = media.partition("/")
        for pattern in patterns:
            p_main, _, p_sub = pattern.lower().partition("/")
            if p_main in ("*", main) and p_sub in ("*", sub):
                return True
    return False


def _identity(inv: Invocation) -> dict[str, Any]:
    req = inv.request
    identity: dict[str, Any] = {
        "accessKey": None,
        "accountId": None,
        "caller": None,
        "cognitoAuthenticationProvider": None,
        "cognitoAuthenticationType": None,
        "cognitoIdentityId": None,
        "cognitoIdentityPoolId": None,
        "principalOrgId": None,
        "sourceIp": req.client[0],
        "user": None,
        "userAgent": req.header("user-agent"),
        "userArn": None,
    }
    return identity


def request_context(inv: Invocation, authorizer: dict[str, Any] | None = None) -> dict[str, Any]:
    match = inv.match
    context: dict[str, Any] = {
        "resourceId": match.resource_id if match else "",
        "resourcePath": match.resource_path if match else "",
        "httpMethod": inv.request.method,
        "extendedRequestId": inv.extended_request_id,
        "requestTime": request_time(inv.start),
        "path": f"/{inv.target.stage}{inv.target.path}",
        "accountId": inv.account_id,
        "protocol": f"HTTP/{inv.request.http_version}",
        "stage": inv.target.stage,
        "domainPrefix": inv.target.domain_prefix,
        "requestTimeEpoch": int(inv.start * 1000),
        "requestId": inv.request_id,
        "identity": _identity(inv),
        "domainName": inv.target.domain_name,
        "deploymentId": inv.deployment.id,
        "apiId": inv.target.api_id,
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    return context


def proxy_event(inv: Invocation, authorizer: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event of a REST API AWS_PROXY integration."""
    req = inv.request
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in req.headers:
        headers[name] = value
        multi_headers.setdefault(name, []).append(value)
    query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for name, value in req.query_items():
        query[name] = value
        multi_query.setdefault(name, []).append(value)
    binary = media_type_matches(req.header("content-type"), inv.deployment.api.get("binaryMediaTypes") or ())
    body: str | None = None
    if req.body:
        body = base64.b64encode(req.body).decode() if binary else req.body.decode("utf-8", "replace")
    path_params = {k: unquote(v) for k, v in inv.path_params.items()}
    return {
        "resource": inv.match.resource_path if inv.match else inv.path,
        "path": inv.path,
        "httpMethod": req.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_params or None,
        "stageVariables": dict(inv.variables) or None,
        "requestContext": request_context(inv, authorizer),
        "body": body,
        "isBase64Encoded": binary and body is not None,
    }


class ProxyResult:
    """A function's proxy response, validated. Built per invocation: a plain class (wire.Request)."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise MalformedProxyResponse(f"header value {value!r} is not a string")


def parse_proxy_response(
    payload: bytes, accept: str | None, binary_types: list[str] | tuple[str, ...]
) -> ProxyResult:
    """Validate and convert a function's proxy response the way API Gateway does."""
    try:
        doc = json.loads(payload)
    except ValueError:
        raise MalformedProxyResponse("the response is not JSON") from None
    if not isinstance(doc, dict):
        raise MalformedProxyResponse("the response is not a JSON object")
    unknown = set(doc) - _ALLOWED_KEYS
    if unknown:
        raise MalformedProxyResponse(f"unexpected keys {sorted(unknown)}")
    status = doc.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedProxyResponse(f"invalid statusCode {status!r}")
    headers = _merge_headers(doc.get("headers"), doc.get("multiValueHeaders"))
    body = doc.get("body")
    if body is None:
        raw = b""
    elif isinstance(body, str):
        raw = body.encode()
        if doc.get("isBase64Encoded") is True and media_type_matches(accept, binary_types):
            try:
                raw = base64.b64decode(body, validate=True)
            except (binascii.Error, ValueError):
                raise MalformedProxyResponse("body is not valid base64") from None
    else:
        raise MalformedProxyResponse("body is not a string")
    return ProxyResult(status, headers, raw)


def _merge_headers(single: Any, multi: Any) -> list[tuple[str, str]]:
    if single is not None and not isinstance(single, dict):
        raise MalformedProxyResponse("headers is not an object")
    if multi is not None and not isinstance(multi, dict):
        raise MalformedProxyResponse("multiValueHeaders is not an object")
    out: list[tuple[str, str]] = []
    multi_names = set()
    for name, values in (multi or {}).items():
        if not isinstance(values, list):
            raise MalformedProxyResponse(f"multiValueHeaders.{name} is not a list")
        multi_names.add(name.lower())
        out.extend((name, _header_value(v)) for v in values)
    for name, value in (single or {}).items():
        pair = (name, _header_value(value))
        if name.lower() in multi_names and pair in out:
            continue  # the same pair in both: multiValueHeaders wins
        out.append(pair)
    return out
