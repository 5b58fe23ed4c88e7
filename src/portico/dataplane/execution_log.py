"""Execution log lines of a REST API request (API Gateway REST API reference: TestInvokeMethod `log`).

API Gateway writes `{Day Mon DD HH:MM:SS UTC YYYY} : {message}` lines (Invocation.note), maps in
Java's `{key=value, key=value}` form, and cuts values longer than 1000 characters with ` [TRUNCATED]`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from portico.dataplane.errors import GatewayError
from portico.wire import Headers

MAX_VALUE = 1000
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
_AWS_URI = re.compile(r"^arn:aws[\w-]*:apigateway:([\w-]+):([\w.-]+):(path|action)/(.*)$", re.S)
_FAILURES = {
    "API_CONFIGURATION_ERROR": "Execution failed due to configuration error: {message}",
    "INTEGRATION_TIMEOUT": "Execution failed due to a timeout error",
    "INTEGRATION_FAILURE": "Execution failed due to a network error communicating with endpoint",
}


def truncated(text: str) -> str:
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE] + " [TRUNCATED]"


def java_map(items: Iterable[tuple[str, str]]) -> str:
    """`{a=1, b=2}`, as API Gateway prints parameter and header maps."""
    return truncated("{" + ", ".join(f"{key}={value}" for key, value in items) + "}")


def merged_headers(headers: Headers) -> dict[str, str]:
    """Headers by name (first spelling kept), repeated values joined with commas."""
    out: dict[str, str] = {}
    names: dict[str, str] = {}
    for name, value in headers:
        key = names.setdefault(name.lower(), name)
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


def multi_headers(headers: Headers) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for name, value in headers:
        out.setdefault(names.setdefault(name.lower(), name), []).append(value)
    return out


def endpoint_uri(
    integration: Mapping[str, Any], variables: Mapping[str, str], path: Mapping[str, str], query: str
) -> str:
    """The endpoint an integration calls, as the `Endpoint request URI` line shows it.

    AWS integrations (`arn:aws:apigateway:{region}:{service}:path/...` or `action/...`) call
    `https://{service}.{region}.amazonaws.com/...`; HTTP ones their `uri` with stage variables and
    same-named path parameters filled in (HTTP_PROXY: and the request's query string).
    """
    uri = str(integration.get("uri") or "")
    uri = _STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), ""), uri)
    found = _AWS_URI.match(uri)
    if found is not None:
        region, service, kind, rest = found.groups()
        base = f"https://{service}.{region}.amazonaws.com"
        return f"{base}/{rest}" if kind == "path" else f"{base}/?Action={rest}"
    for name, value in path.items():
        uri = uri.replace("{" + name + "}", value).replace("{" + name + "+}", value)
    if query and integration.get("type") == "HTTP_PROXY":
        uri = f"{uri}{'&' if '?' in uri else '?'}{query}"
    return uri


def failure_line(error: GatewayError, content_type: str | None) -> str:
    """The line AWS writes when a request fails with `error` (before `Method completed with status`)."""
    if error.response_type == "BAD_REQUEST_BODY" and error.validation_error:
        media = (content_type or "application/json").split(";", 1)[0].strip()
        return f"Request body does not match model schema for content type {media}: {error.validation_error}"
    template = _FAILURES.get(error.response_type, "{message}")
    return template.format(message=error.message)
