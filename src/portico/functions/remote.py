"""Functions Portico does not host: a SigV4-signed Lambda Invoke to a configured Lambda-compatible
endpoint (`--lambda-endpoint URL`; AWS Lambda API Reference, "Invoke"), and the invoker that tries
the local function host first."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import os
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from botocore.credentials import ReadOnlyCredentials

from portico.functions.config import parse_function_ref
from portico.functions.invoker import (
    REQUEST_RESPONSE,
    FunctionInvoker,
    FunctionNotFound,
    InvokeError,
    InvokeResult,
    RemoteFailure,
    Throttled,
)
from portico.integrations.aws_sign import sign, static_credentials
from portico.integrations.http_plan import parse_origin
from portico.integrations.upstream import loop_pool
from portico.integrations.upstream_connection import UpstreamError
from portico.settings import Settings

REMOTE_TIMEOUT = 930.0  # seconds: Lambda's longest function timeout and some


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def remote_error(status: int, headers: list[tuple[str, str]], body: bytes) -> InvokeError:
    """The Lambda API error of a failed Invoke, as the endpoint named it."""
    code = next((v for k, v in headers if k.lower() == "x-amzn-errortype"), "").split(":")[0]
    doc = None
    try:
        doc = json.loads(body)
        message = str(doc.get("message") or doc.get("Message") or "") if isinstance(doc, dict) else ""
        code = code or (str(doc.get("__type", "")).rsplit("#", 1)[-1] if isinstance(doc, dict) else "")
    except ValueError:
        message = body[:200].decode("utf-8", "replace")
    if code == "ResourceNotFoundException":
        return FunctionNotFound(message)
    if code == "TooManyRequestsException":
        return Throttled(str(doc.get("Reason", "")) if isinstance(doc, dict) else "")
    error = InvokeError(message or f"Lambda endpoint answered HTTP {status}")
    error.code = code or "ServiceException"
    error.status = status
    return error


class RemoteInvoker:
    """Implements FunctionInvoker with a real (or Lambda-compatible) Invoke API."""

    def __init__(
        self,
        endpoint: str,
        *,
        region: str,
        credentials: ReadOnlyCredentials,
        timeout: float = REMOTE_TIMEOUT,
        clock: Callable[[], datetime.datetime] = _now,
    ) -> None:
        parts = urlsplit(endpoint)
        self.origin, self.host = parse_origin(f"{parts.scheme}://{parts.netloc}", True)
        self.base_path = parts.path.rstrip("/")
        self.endpoint = endpoint.rstrip("/")
        self.region = region
        self.credentials = credentials
        self.timeout = timeout
        self.clock = clock

    async def invoke(
        self,
        name: str,
        payload: bytes,
        *,
        invocation_type: str = REQUEST_RESPONSE,
        client_context: str | None = None,
        region: str | None = None,
        json_checked: bool = False,  # the endpoint checks the payload itself
    ) -> InvokeResult:
        ref = parse_function_ref(name)
        region = (ref.region if ref else None) or region or self.region
        target = f"{self.base_path}/2015-03-31/functions/{quote(name, safe='')}/invocations"
        headers = [
            ("Host", self.host),
            ("Content-Type", "application/json"),
            ("X-Amz-Invocation-Type", invocation_type),
            ("X-Amz-Log-Type", "Tail" if invocation_type == REQUEST_RESPONSE else "None"),
        ]
        if client_context is not None:
            headers.append(("X-Amz-Client-Context", base64.b64encode(client_context.encode()).decode()))
        signed = sign(
            "POST",
            f"{self.endpoint}{target[len(self.base_path) :]}",
            headers,
            payload,
            self.credentials,
            service="lambda",
            region=region,
            now=self.clock(),
        )
        head = f"POST {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in signed)
        head += f"Content-Length: {len(payload)}\r\n\r\n"
        try:
            response = await loop_pool().request(
                self.origin, head.encode("latin-1"), payload, method="POST", timeout=self.timeout
            )
        except UpstreamError as exc:
            raise RemoteFailure(f"Lambda endpoint {self.endpoint} failed: {exc}") from None
        if response.status >= 400:
            raise remote_error(response.status, response.headers, response.body)
        found = {k.lower(): v for k, v in response.headers}
        return InvokeResult(
            response.status,
            response.body,
            found.get("x-amz-function-error"),
            _decode_log(found.get("x-amz-log-result")),
            found.get("x-amzn-requestid", ""),
            found.get("x-amz-executed-version", "$LATEST"),
        )


def _decode_log(value: str | None) -> str:
    if not value:
        return ""
    try:
        return base64.b64decode(value).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


class FallbackInvoker:
    """The local function host first; functions it does not host go to the remote endpoint."""

    def __init__(self, local: FunctionInvoker, remote: FunctionInvoker) -> None:
        self.local = local
        self.remote = remote

    async def invoke(
        self,
        name: str,
        payload: bytes,
        *,
        invocation_type: str = REQUEST_RESPONSE,
        client_context: str | None = None,
        json_checked: bool = False,
    ) -> InvokeResult:
        try:
            return await self.local.invoke(
                name,
                payload,
                invocation_type=invocation_type,
                client_context=client_context,
                json_checked=json_checked,
            )
        except FunctionNotFound:
            return await self.remote.invoke(
                name,
                payload,
                invocation_type=invocation_type,
                client_context=client_context,
                json_checked=json_checked,
            )


def invoker_for(settings: Settings, host: FunctionInvoker) -> FunctionInvoker:
    """The host alone, or the host then `--lambda-endpoint` (or `--aws-endpoint lambda=URL`),
    signed with the `--aws-credentials` `*` entry, else AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
    else dummy credentials."""
    endpoint = settings.lambda_endpoint or settings.aws_endpoints.get("lambda")
    if not endpoint:
        return host
    entry = settings.aws_credentials.get("*")
    env = os.environ
    if entry:
        credentials = static_credentials(entry)
    elif env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        token = env.get("AWS_SESSION_TOKEN")
        credentials = ReadOnlyCredentials(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], token)
    else:
        credentials = ReadOnlyCredentials("test", "test", None)
    remote = RemoteInvoker(endpoint, region=settings.default_region, credentials=credentials)
    return FallbackInvoker(host, remote)
