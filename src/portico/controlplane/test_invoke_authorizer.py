"""TestInvokeAuthorizer (API Gateway REST API reference: TestInvokeAuthorizer; Developer Guide: "Configure
an API Gateway Lambda authorizer", testing in the console).

Runs a TOKEN or REQUEST authorizer of the API's *current* configuration (no deployment needed) on a
simulated `GET` request in the stage `ESTestInvoke-stage`, with the caller's headers, path and query,
stage variables and additional context variables, through the data plane's authorizer code (no
result cache). Answers the status the client would have received (200 when the policy allows the
method ARN, 401, 403 or 500 otherwise), the principal, the policy document, the authorizer's
context (as `authorization`), the latency and the execution log.
"""

from __future__ import annotations

import time

from portico.auth.lambda_authorizer import AuthorizerResult
from portico.compile.authorizers import AuthorizerPlan, compile_authorizer
from portico.compile.routes import build_trie
from portico.compile.snapshot import DeploymentRuntime, StageRuntime
from portico.controlplane.apidoc import Doc, load_api
from portico.controlplane.authorizers import NOT_FOUND
from portico.controlplane.errors import BadRequestException, NotFoundException
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.dataplane.authorize import authorizer_result, check_policy, request_method_arn
from portico.dataplane.errors import GatewayError
from portico.dataplane.invocation import Invocation
from portico.dataplane.resolve import Target
from portico.dataplane.simulate import TEST_DOMAIN, TEST_SOURCE_IP, request_headers
from portico.wire import Request

TEST_STAGE = "ESTestInvoke-stage"


@APIGATEWAY.op("TestInvokeAuthorizer", write=False)
async def test_invoke_authorizer(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    doc = (api.get("_authorizers") or {}).get(params["authorizerId"])
    if doc is None:
        raise NotFoundException(NOT_FOUND)
    plan = compile_authorizer(doc)
    if plan is None:
        raise BadRequestException(
            f"TestInvokeAuthorizer of {doc.get('type')} authorizers is not supported by Portico yet; "
            "TOKEN and REQUEST authorizers are"
        )
    inv = _invocation(ctx, api, params)
    return await _run(inv, plan, params.get("additionalContext") or {})


def _invocation(ctx: OpContext, api: Doc, params: Params) -> Invocation:
    path_query = params.get("pathWithQueryString") or "/"
    if not path_query.startswith("/"):
        path_query = "/" + path_query
    headers = request_headers(params.get("headers"), params.get("multiValueHeaders"))
    body = (params.get("body") or "").encode()
    request = Request("GET", path_query, headers, body, client=(TEST_SOURCE_IP, 0))
    target = Target(api["id"], TEST_STAGE, request.path, TEST_DOMAIN, "testPrefix")
    variables = dict(params.get("stageVariables") or {})
    deployment = DeploymentRuntime("", api, build_trie({}), {}, {})
    stage = StageRuntime(ctx.region, api["id"], TEST_STAGE, {"stageName": TEST_STAGE}, variables, deployment)
    data_plane = ctx.data_plane
    if data_plane is not None:
        inv: Invocation = data_plane.invocation(request, target, stage, deployment, variables, False)
    else:
        inv = Invocation(request, target, stage, deployment, variables, False, ctx.account_id)
    inv.authorizer_cache = None  # every test invocation calls the function
    return inv


async def _run(inv: Invocation, plan: AuthorizerPlan, extra_context: dict[str, str]) -> Doc:
    trace: list[str] = []
    inv.trace = trace
    out: Doc = {"clientStatus": 200}
    arn = request_method_arn(inv)
    try:
        result, _ = await authorizer_result(inv, plan, arn, extra_context)
        out.update(_result_members(result))
        check_policy(inv, result, arn)
        inv.note("Successfully completed authorizer execution")
    except GatewayError as err:
        out["clientStatus"] = err.default_status
    out["latency"] = int((time.time() - inv.start) * 1000)
    out["log"] = "\n".join([f"Execution log for request {inv.request_id}", *trace]) + "\n"
    return out


def _result_members(result: AuthorizerResult) -> Doc:
    return {
        "principalId": result.principal_id,
        "policy": result.policy_json,
        "authorization": {key: [value] for key, value in result.context.items()},
    }
