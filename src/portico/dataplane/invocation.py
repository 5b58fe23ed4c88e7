"""One request's state as it moves through the pipeline, and its `$context` variables."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote

from portico.compile.routes import Match
from portico.compile.snapshot import DeploymentRuntime, MethodRuntime, StageRuntime
from portico.dataplane.resolve import Target
from portico.ids import request_ids
from portico.wire import Request

if TYPE_CHECKING:
    from portico.auth.authorizer_cache import AuthorizerCache
    from portico.functions.invoker import FunctionInvoker
    from portico.integrations.aws_service import AwsServices

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_wall_clock: Final = time.time  # Final: compiled, no module attribute lookup per request
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def request_time(epoch: float) -> str:
    """`$context.requestTime`: CLF-formatted, e.g. `09/Apr/2015:12:34:56 +0000`."""
    t = time.gmtime(epoch)
    return f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"


def log_time(epoch: float) -> str:
    """The timestamp of an execution-log line, e.g. `Wed Mar 05 06:43:16 UTC 2025`."""
    t = time.gmtime(epoch)
    day = _DAYS[t.tm_wday]
    return f"{day} {_MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} UTC {t.tm_year}"


class Invocation:
    """Built for every request: a plain class with its own `__init__` (wire.Request says why)."""

    __slots__ = (
        "account_id",
        "authorizer",
        "authorizer_cache",
        "aws",
        "deployment",
        "error_message",
        "error_type",
        "extended_request_id",
        "functions",
        "integration_latency",
        "integration_status",
        "is_canary",
        "match",
        "method",
        "path_params",
        "request",
        "request_id",
        "stage",
        "start",
        "status",
        "target",
        "trace",
        "trace_id",
        "usage_identifier_key",
        "validation_error",
        "variables",
    )

    def __init__(
        self,
        request: Request,
        target: Target,
        stage: StageRuntime,
        deployment: DeploymentRuntime,
        variables: dict[str, str],
        is_canary: bool,
        account_id: str,
        *,
        aws: AwsServices | None = None,
        functions: FunctionInvoker | None = None,
        authorizer_cache: AuthorizerCache | None = None,
    ) -> None:
        self.request = request
        self.target = target
        self.stage = stage
        self.deployment = deployment
        self.variables = variables
        self.is_canary = is_canary
        self.account_id = account_id
        self.start = _wall_clock()
        self.aws = aws  # start-up settings of AWS service integrations
        self.functions = functions  # Lambda functions (hosted, or a configured endpoint)
        self.authorizer_cache = authorizer_cache  # Lambda authorizer results (auth/authorizer_cache.py)
        self.match: Match | None = None
        self.method: MethodRuntime | None = None
        self.path_params: dict[str, str] = {}
        self.status = 0
        self.integration_status = "-"
        self.integration_latency = -1
        self.error_message = ""
        self.error_type = ""
        self.validation_error = ""
        self.authorizer: dict[str, Any] | None = None  # requestContext.authorizer once an authorizer ran
        self.usage_identifier_key: str | None = None  # the API key a Lambda authorizer answered
        self.trace: list[str] | None = None  # execution-log lines, kept for TestInvokeMethod only (note())
        self.request_id, self.extended_request_id, root = request_ids(self.start)
        incoming = request.header("x-amzn-trace-id")  # propagated; otherwise a new root
        self.trace_id = incoming if incoming and "Root=" in incoming else "Root=" + root

    def note(self, message: str) -> None:
        """Add an execution-log line (`{time} : {message}`, as TestInvokeMethod shows them); free otherwise."""
        if self.trace is not None:
            self.trace.append(f"{log_time(time.time())} : {message}")

    @property
    def body(self) -> bytes:
        return self.request.body

    def query_multi(self) -> dict[str, list[str]]:
        """Query string parameters, decoded, every value of each (in order)."""
        out: dict[str, list[str]] = {}
        for key, value in self.request.query_items():
            out.setdefault(key, []).append(value)
        return out

    def headers_multi(self) -> dict[str, list[str]]:
        """Request headers by name as the client sent them, every value of each."""
        out: dict[str, list[str]] = {}
        for key, value in self.request.headers:
            out.setdefault(key, []).append(value)
        return out

    def header(self, name: str) -> str | None:
        return self.request.header(name)

    @property
    def path(self) -> str:
        """The request path without the stage, percent-decoded."""
        path = self.target.path
        return unquote(path) if "%" in path else path

    def context(self) -> dict[str, Any]:
        """The `$context` variables (Developer Guide: mapping template and access logging reference)."""
        req = self.request
        identity = {
            "sourceIp": req.client[0],
            "userAgent": req.header("user-agent"),
            "accountId": None,
            "apiKey": None,
            "apiKeyId": None,
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "user": None,
            "userArn": None,
        }
        resource_path = self.match.resource_path if self.match else ""
        return {
            "accountId": self.account_id,
            "apiId": self.target.api_id,
            "authorizer": self.authorizer or {},
            "domainName": self.target.domain_name,
            "domainPrefix": self.target.domain_prefix,
            "extendedRequestId": self.extended_request_id,
            "httpMethod": req.method,
            "identity": identity,
            "isCanaryRequest": self.is_canary,
            "path": f"/{self.target.stage}{self.target.path}",
            "protocol": f"HTTP/{req.http_version}",
            "requestId": self.request_id,
            "xrayTraceId": self.trace_id.split(";", 1)[0].removeprefix("Root="),
            "requestTime": request_time(self.start),
            "requestTimeEpoch": int(self.start * 1000),
            "resourceId": self.match.resource_id if self.match else "",
            "resourcePath": resource_path,
            "stage": self.target.stage,
            "deploymentId": self.deployment.id,
            "status": self.status,
            "error": {
                "message": self.error_message,
                "messageString": '"' + self.error_message.replace('"', '\\"') + '"',
                "responseType": self.error_type,
                "validationErrorString": self.validation_error,
            },
            "integrationStatus": self.integration_status,
            "integrationLatency": self.integration_latency,
            "responseLatency": int((time.time() - self.start) * 1000),
        }
