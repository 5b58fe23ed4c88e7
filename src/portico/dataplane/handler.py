"""The REST API data plane: snapshot lookup, then the pipeline; gateway errors rendered once.

Requests never read the store: `install()` swaps in a new immutable snapshot when the change feed
reports a new version; requests already running keep the snapshot they started with.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final

from portico.auth.authorizer_cache import AuthorizerCache, MemoryAuthorizerCache
from portico.compile.snapshot import EMPTY, DeploymentRuntime, Snapshot, StageRuntime
from portico.dataplane.errors import GatewayError, render_error
from portico.dataplane.invocation import Invocation
from portico.dataplane.pipeline import run_pipeline
from portico.dataplane.resolve import Target, resolve, resolve_custom_domain
from portico.observability.access_log import AccessLogFormat, AccessLogSink, StreamSink
from portico.wire import Reply, Request, Response

if TYPE_CHECKING:
    from portico.functions.invoker import FunctionInvoker
    from portico.integrations.aws_service import AwsServices

log = logging.getLogger("portico.dataplane")
_INFO: Final = logging.INFO

FORBIDDEN = Response(
    403,
    [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ForbiddenException")],
    b'{"message":"Forbidden"}',
)


_NO_MAPPING = Target("", "", "/", "", "", custom_domain=True)  # a custom domain with no matching mapping


class DataPlane:
    def __init__(
        self,
        account_id: str,
        rand: Callable[[], float] = random.random,
        access_sink: AccessLogSink | None = None,
        aws: AwsServices | None = None,
        functions: FunctionInvoker | None = None,
        authorizer_cache: AuthorizerCache | None = None,
    ) -> None:
        self.functions = functions
        self.authorizer_cache: AuthorizerCache = authorizer_cache or MemoryAuthorizerCache()
        self.account_id = account_id
        self.aws = aws
        self.access_sink: AccessLogSink = access_sink or StreamSink()
        self.snapshot: Snapshot = EMPTY
        self._rand = rand

    def install(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def invocation(
        self,
        request: Request,
        target: Target,
        stage: StageRuntime,
        deployment: DeploymentRuntime,
        variables: dict[str, str],
        is_canary: bool,
    ) -> Invocation:
        """A new request state with this data plane's services (also used by TestInvokeMethod)."""
        return Invocation(
            request,
            target,
            stage,
            deployment,
            variables,
            is_canary,
            self.account_id,
            aws=self.aws,
            functions=self.functions,
            authorizer_cache=self.authorizer_cache,
        )

    def claims(self, request: Request) -> Target | None:
        domains = self.snapshot.domains
        if domains:
            host = request.host.rsplit(":", 1)[0].lower() if request.host else ""
            domain = domains.get(host)
            if domain is not None:
                return resolve_custom_domain(host, request.path, domain.mappings) or _NO_MAPPING
        return resolve(request)

    def handle(self, request: Request, target: Target) -> Response | Reply | Awaitable[Response]:
        """The response; or, when a stage has to wait, a Reply (HTTP_PROXY) or an awaitable of it
        (authorizer, other integrations)."""
        api = self.snapshot.apis.get(target.api_id)
        stage = api.stages.get(target.stage) if api else None
        if stage is None:
            return _forbidden()
        deployment, variables, is_canary = stage.deployment, stage.variables, False
        canary = stage.canary
        if canary is not None and canary.percent > 0 and self._rand() * 100.0 < canary.percent:
            deployment, variables, is_canary = canary.deployment, canary.variables, True
        if deployment.disable_execute_api_endpoint and not target.custom_domain:
            return _forbidden()
        inv = self.invocation(request, target, stage, deployment, variables, is_canary)
        try:
            answer = run_pipeline(inv)
        except Exception as exc:
            return self._finish(inv, self._failed(inv, exc))
        if isinstance(answer, Response):
            return self._finish(inv, answer)
        if isinstance(answer, Reply):
            finished = _Finishing(self, inv)
            answer.then(finished.settled)
            return finished.reply
        return self._finish_later(inv, answer)

    async def _finish_later(self, inv: Invocation, pending: Awaitable[Response]) -> Response:
        try:
            response = await pending
        except Exception as exc:
            response = self._failed(inv, exc)
        return self._finish(inv, response)

    def _failed(self, inv: Invocation, exc: Exception) -> Response:
        if isinstance(exc, GatewayError):
            return self._render_error(inv, exc)
        log.error("request %s failed in the pipeline", inv.request_id, exc_info=exc)
        return self._render_error(inv, GatewayError("API_CONFIGURATION_ERROR"))

    def _finish(self, inv: Invocation, response: Response) -> Response:
        inv.status = response.status
        stage = inv.stage
        if response.head and not response.headers:  # serialised already (HTTP_PROXY): stay so
            ids = (
                f"x-amzn-RequestId: {inv.request_id}\r\nx-amz-apigw-id: {inv.extended_request_id}\r\n"
                f"X-Amzn-Trace-Id: {inv.trace_id}\r\n"
            )
            response.head += ids
        else:
            response.headers.append(("x-amzn-RequestId", inv.request_id))
            response.headers.append(("x-amz-apigw-id", inv.extended_request_id))
            response.headers.append(("X-Amzn-Trace-Id", inv.trace_id))
        if stage.access_log is not None:
            self._access_log(inv, stage.access_log, response)
        if log.isEnabledFor(_INFO):
            _log_request(inv, response)
        return response

    def _access_log(self, inv: Invocation, fmt: AccessLogFormat, response: Response) -> None:
        context = inv.context()
        context["responseLength"] = len(response.body)
        try:
            self.access_sink.write(fmt.destination, fmt.render(context))
        except OSError:
            log.exception("cannot write the access log of stage %s", inv.target.stage)

    def _render_error(self, inv: Invocation, err: GatewayError) -> Response:
        return render_error(inv, err)


class _Finishing:
    """The integration's Reply, finished (`DataPlane._finish`) into the Reply the listener gets."""

    __slots__ = ("inv", "plane", "reply")

    def __init__(self, plane: DataPlane, inv: Invocation) -> None:
        self.plane = plane
        self.inv = inv
        self.reply = Reply()

    def settled(self, answer: Reply) -> None:
        plane, inv = self.plane, self.inv
        try:
            response = answer.result()
        except Exception as exc:
            response = plane._failed(inv, exc)
        self.reply.resolve(plane._finish(inv, response))


def _forbidden() -> Response:
    return Response(FORBIDDEN.status, list(FORBIDDEN.headers), FORBIDDEN.body)


def _log_request(inv: Invocation, response: Response) -> None:
    """Portico's own one-line record: which API, stage, resource and integration a request took.

    INFO is the default level, so this runs for every request: the record is made and handled
    directly (`Logger.info` would also walk the stack to find this caller: 20 % of the cost)."""
    method = inv.method
    integration = (method.integration or {}).get("type", "-") if method else "-"
    target = inv.target
    message = (
        f"{inv.request_id} {inv.request.method} {inv.request.path} -> api={target.api_id} "
        f"stage={target.stage}{' (canary)' if inv.is_canary else ''} "
        f"resource={inv.match.resource_path if inv.match else '-'} {method.http_method if method else '-'} "
        f"integration={integration} status={response.status} {int((time.time() - inv.start) * 1000)}ms"
    )
    log.handle(log.makeRecord(log.name, logging.INFO, _SOURCE, _LOG_LINE, message, (), None, "_log_request"))


# Where the record says it comes from: this source file, also when compiled (setup.py; no code object then).
_SOURCE = os.path.join(os.path.dirname(__file__), "handler.py")
_LOG_LINE = getattr(getattr(_log_request, "__code__", None), "co_firstlineno", 0)
