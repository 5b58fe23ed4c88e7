"""AWS service integrations of REST APIs (Developer Guide: "Set up AWS service integrations").

An integration of type AWS whose URI names a service other than Lambda
(`arn:aws:apigateway:{region}:{subdomain.}{service}:action/{Action}` or `...:path/{path}`) becomes a
SigV4-signed HTTP request to the service: the integration request (parameter mappings and mapping
templates) is built by `map_request`, the answer turned into the method response by `map_response`
(integration responses selected by status code). Endpoints and credentials are start-up settings
(`AwsServices`); see docs/aws-integrations.md.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from botocore.credentials import Credentials, ReadOnlyCredentials, RefreshableCredentials

from portico.dataplane.errors import GatewayError
from portico.dataplane.integration_mapping import (
    IntegrationRequest,
    configuration_error,
    map_request,
    map_response,
)
from portico.dataplane.invocation import Invocation
from portico.integrations.aws_sign import (
    DEFAULT_ROLE,
    ServiceTarget,
    TargetError,
    endpoint_url,
    json_protocol,
    parse_service_uri,
    sign,
    static_credentials,
)
from portico.integrations.upstream import loop_pool
from portico.integrations.upstream_connection import (
    BadResponse,
    Origin,
    ResolveFailed,
    TlsFailed,
    UpstreamError,
    UpstreamResponse,
    UpstreamTimeout,
)
from portico.wire import Headers, Response

log = logging.getLogger("portico.integrations.aws")

DEFAULT_TIMEOUT_MS = 29_000
_PLACEHOLDER = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_.-]+)\}|\{([^{}/?&=]+)\}")
_DROPPED = frozenset(
    {"host", "connection", "content-length", "content-md5", "expect", "keep-alive", "transfer-encoding"}
    | {"te", "trailer", "upgrade", "proxy-connection", "x-amzn-trace-id"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNSET: Any = object()


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _environment_credentials() -> Credentials | None:
    """The process's AWS credentials (environment, shared files, ...), as botocore finds them."""
    import botocore.session

    return botocore.session.Session().get_credentials()


@dataclass
class AwsServices:
    """Start-up settings of AWS service integrations: service endpoints and credentials.

    `credentials` maps an integration's `credentials` value (a role ARN, or `arn:aws:iam::*:user/*`)
    to static keys; `*` is the entry for any other value; without one, the process's own AWS
    credentials are used (resolved once, off the event loop). No credentials at all: unsigned."""

    endpoints: Mapping[str, str] = field(default_factory=dict)
    credentials: Mapping[str, ReadOnlyCredentials] = field(default_factory=dict)
    clock: Callable[[], datetime.datetime] = utc_now
    environment: Callable[[], Credentials | None] = _environment_credentials
    _env: Any = _UNSET
    _origins: dict[tuple[str, str, str], tuple[Origin, str, str]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, endpoints: Mapping[str, str], credentials: Mapping[str, str]) -> AwsServices:
        return cls(dict(endpoints), {role: static_credentials(v) for role, v in credentials.items()})

    async def credentials_for(self, role: str | None) -> ReadOnlyCredentials | None:
        found = self.credentials.get(role or DEFAULT_ROLE) or self.credentials.get(DEFAULT_ROLE)
        if found is not None:
            return found
        if self._env is _UNSET:
            self._env = await asyncio.to_thread(self.environment)
        env: Credentials | None = self._env
        if env is None:
            return None
        if isinstance(env, RefreshableCredentials) and env.refresh_needed():
            return await asyncio.to_thread(env.get_frozen_credentials)
        return env.get_frozen_credentials()

    def origin(self, target: ServiceTarget) -> tuple[Origin, str, str]:
        """(origin, Host header, path prefix) of the target's service endpoint; memoised."""
        key = (target.partition, target.region, target.endpoint_key)
        found = self._origins.get(key)
        if found is None:
            base, prefix = endpoint_url(target, self.endpoints)
            origin, host, base_path = parse_base(base)
            found = self._origins[key] = (origin, host, base_path + prefix)
        return found


def parse_base(base: str) -> tuple[Origin, str, str]:
    """`scheme://host[:port][/path]` → (origin, Host header as SigV4 signs it, path prefix)."""
    parts = urlsplit(base)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    port = parts.port or _DEFAULT_PORTS[scheme]
    shown = f"[{host}]" if ":" in host else host
    header = shown if port == _DEFAULT_PORTS[scheme] else f"{shown}:{port}"
    return Origin(scheme, host, port), header, parts.path.rstrip("/")


def _fill(
    template: str, values: Mapping[str, str], stage: Mapping[str, str], encode: Callable[[str], str]
) -> str:
    if "{" not in template:
        return template

    def one(found: re.Match[str]) -> str:
        if found.group(1):
            return encode(stage.get(found.group(1), ""))
        value = values.get(found.group(2))
        return quote(found.group(0), safe="") if value is None else encode(value)

    return _PLACEHOLDER.sub(one, template)


def _path_encode(value: str) -> str:
    return quote(value, safe="/!$&'()*+,;=:@~")


def _query_encode(value: str) -> str:
    return quote(value, safe="~")


def request_target(
    target: ServiceTarget, prefix: str, request: IntegrationRequest, stage: Mapping[str, str]
) -> str:
    """The request-target: the URI's path and query with placeholders filled, then mapped query parameters."""
    path = prefix + _fill(target.path, request.path_params, stage, _path_encode)
    parts = [_fill(target.query, request.path_params, stage, _query_encode)] if target.query else []
    for name, values in request.query.items():
        parts.extend(f"{_query_encode(name)}={_query_encode(v)}" for v in values)
    return f"{path}?{'&'.join(parts)}" if parts else path


def request_headers(inv: Invocation, target: ServiceTarget, request: IntegrationRequest) -> Headers:
    """Mapped headers (minus hop-by-hop ones) plus what API Gateway adds (Accept, User-Agent, trace).

    An `action/` call of a JSON-protocol service also gets `X-Amz-Target` and an
    `application/x-amz-json-*` Content-Type unless mapped (AWS routes `?Action=` alone; emulators
    such as moto and LocalStack need them)."""
    out: Headers = []
    names: dict[str, str] = {}
    for name, values in request.headers.items():
        low = name.lower()
        if low not in _DROPPED and values:
            names[low] = values[-1]
            out.extend((name, value) for value in values)
    protocol = json_protocol(target.service) if target.action else None
    if protocol is not None:
        if "x-amz-target" not in names:
            out.append(("X-Amz-Target", f"{protocol[0]}.{target.action}"))
        if names.get("content-type", "application/json").split(";")[0].strip().lower() == "application/json":
            out = [(k, v) for k, v in out if k.lower() != "content-type"]
            out.append(("Content-Type", f"application/x-amz-json-{protocol[1]}"))
    if "accept" not in names:
        out.append(("Accept", "application/json"))
    if "user-agent" not in names:
        out.append(("User-Agent", f"AmazonAPIGateway_{inv.target.api_id}"))
    out.append(("X-Amzn-Trace-Id", inv.trace_id))
    return out


def serialise_head(method: str, path: str, headers: Headers, body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1\r\n"]
    lines.extend(f"{name}: {value}\r\n" for name, value in headers)
    if body or method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
        lines.append(f"Content-Length: {len(body)}\r\n")
    lines.append("\r\n")
    return "".join(lines).encode("utf-8")


async def _exchange(
    inv: Invocation, origin: Origin, head: bytes, body: bytes, method: str, timeout: float
) -> UpstreamResponse:
    started = time.monotonic()
    try:
        response = await loop_pool().request(origin, head, body, method=method, timeout=timeout)
    except UpstreamTimeout:
        raise GatewayError("INTEGRATION_TIMEOUT") from None
    except (ResolveFailed, TlsFailed) as exc:
        raise configuration_error(inv, f"Invalid endpoint address ({exc})") from None
    except BadResponse as exc:
        log.warning("%s: Execution failed: invalid endpoint response: %s", inv.request_id, exc)
        raise GatewayError("DEFAULT_5XX", "Internal server error", status=502) from None
    except UpstreamError as exc:
        log.warning(
            "%s: Execution failed due to a network error communicating with endpoint: %s", inv.request_id, exc
        )
        raise GatewayError("INTEGRATION_FAILURE", "Network error communicating with endpoint") from None
    finally:
        inv.integration_latency = int((time.monotonic() - started) * 1000)
    inv.integration_status = str(response.status)
    return response


async def invoke_aws_service(inv: Invocation, integration: dict[str, Any]) -> Response:
    """Call the AWS service action or path the integration names; map its answer."""
    services = inv.aws if inv.aws is not None else AwsServices()
    try:
        target = parse_service_uri(integration.get("uri") or "")
    except TargetError as exc:
        raise configuration_error(inv, str(exc)) from None
    request = map_request(inv, integration)
    origin, host, prefix = services.origin(target)
    path = request_target(target, prefix, request, inv.variables)
    headers = [("Host", host), *request_headers(inv, target, request)]
    credentials = await services.credentials_for(integration.get("credentials"))
    if credentials is not None:
        url = f"{origin.scheme}://{host}{path}"
        headers = sign(
            request.method, url, headers, request.body, credentials,
            service=target.service, region=target.region, now=services.clock(),
        )  # fmt: skip
    timeout = (integration.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS) / 1000.0
    head = serialise_head(request.method, path, headers, request.body)
    answer = await _exchange(inv, origin, head, request.body, request.method, timeout)
    return map_response(inv, integration, answer.status, answer.headers, answer.body)
