"""TestInvokeMethod (API Gateway REST API reference: TestInvokeMethod; Developer Guide: "Use the console
to test a REST API method").

Simulates a request to one method of the API's *current* configuration (no deployment needed): the
API document is compiled on the fly and the request runs through the data plane's stages
(portico.dataplane.simulate), returning status, body, headers, latency and the execution log.
"""

from __future__ import annotations

from portico.compile.snapshot import compile_deployment
from portico.controlplane.apidoc import Doc, load_api, method, resource
from portico.controlplane.errors import BadRequestException
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.dataplane.simulate import NewInvocation, simulate


@APIGATEWAY.op("TestInvokeMethod", write=False)
async def test_invoke_method(ctx: OpContext, params: Params) -> Doc:
    api_id = params["restApiId"]
    api = await load_api(ctx, api_id)
    res = resource(api, params["resourceId"])
    meth = method(res, params["httpMethod"])
    if meth.get("methodIntegration") is None:
        raise BadRequestException("No integration defined for method")
    runtime = compile_deployment("", api)
    compiled = runtime.methods[(res["id"], params["httpMethod"].upper())]
    return await simulate(
        runtime,
        compiled,
        params,
        api_id=api_id,
        region=ctx.region,
        account_id=ctx.account_id,
        new_invocation=_data_plane_invocation(ctx),
    )


def _data_plane_invocation(ctx: OpContext) -> NewInvocation | None:
    """The data plane's own invocation factory (its integration services), when the app provides it."""
    data_plane = ctx.data_plane
    return data_plane.invocation if data_plane is not None else None
