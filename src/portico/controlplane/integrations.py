"""Integration and IntegrationResponse operations (API Gateway REST API reference: PutIntegration ...
DeleteIntegrationResponse)."""

from __future__ import annotations

from portico.controlplane.apidoc import Doc, save_api
from portico.controlplane.errors import NotFoundException
from portico.controlplane.integration_rules import (
    INTEGRATION_PATCHER,
    INTEGRATION_RESPONSE_PATCHER,
    apply_defaults,
    new_integration,
    validate_integration,
    validate_integration_response,
)
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.rest_lookup import (
    INTEGRATION_NOT_FOUND,
    STATUS_NOT_FOUND,
    check_status_code,
    find_integration,
    find_method,
    integration_view,
    load_resource,
)

_RESPONSE_MEMBERS = ("selectionPattern", "responseParameters", "responseTemplates", "contentHandling")


@APIGATEWAY.op("PutIntegration", write=True)
async def put_integration(ctx: OpContext, params: Params) -> Doc:
    api, res = await load_resource(ctx, params)
    method = find_method(res, params["httpMethod"])
    integ = new_integration(params, res["id"])
    validate_integration(integ, method)
    method["methodIntegration"] = integ
    await save_api(ctx, api)
    return integration_view(integ)


@APIGATEWAY.op("GetIntegration", write=False)
async def get_integration(ctx: OpContext, params: Params) -> Doc:
    _, res = await load_resource(ctx, params)
    return integration_view(find_integration(find_method(res, params["httpMethod"])))


@APIGATEWAY.op("UpdateIntegration", write=True)
async def update_integration(ctx: OpContext, params: Params) -> Doc:
    api, res = await load_resource(ctx, params)
    method = find_method(res, params["httpMethod"])
    updated = INTEGRATION_PATCHER.apply(find_integration(method), params.get("patchOperations"))
    apply_defaults(updated, res["id"])
    validate_integration(updated, method)
    method["methodIntegration"] = updated
    await save_api(ctx, api)
    return integration_view(updated)


@APIGATEWAY.op("DeleteIntegration", write=True)
async def delete_integration(ctx: OpContext, params: Params) -> None:
    api, res = await load_resource(ctx, params)
    method = find_method(res, params["httpMethod"])
    find_integration(method)
    del method["methodIntegration"]
    await save_api(ctx, api)
    return None


def _find_response(integ: Doc, status_code: str) -> Doc:
    found = (integ.get("integrationResponses") or {}).get(status_code)
    if found is None:
        raise NotFoundException(STATUS_NOT_FOUND)
    return found


@APIGATEWAY.op("PutIntegrationResponse", write=True)
async def put_integration_response(ctx: OpContext, params: Params) -> Doc:
    check_status_code(params["statusCode"])
    api, res = await load_resource(ctx, params)
    method = find_method(res, params["httpMethod"])
    integ = find_integration(method)
    response: Doc = {"statusCode": params["statusCode"]}
    response.update({k: params[k] for k in _RESPONSE_MEMBERS if params.get(k) is not None})
    validate_integration_response(response, method, integ)
    integ.setdefault("integrationResponses", {})[response["statusCode"]] = response
    await save_api(ctx, api)
    return response


@APIGATEWAY.op("GetIntegrationResponse", write=False)
async def get_integration_response(ctx: OpContext, params: Params) -> Doc:
    check_status_code(params["statusCode"])
    _, res = await load_resource(ctx, params)
    integ = find_integration(find_method(res, params["httpMethod"]))
    return _find_response(integ, params["statusCode"])


@APIGATEWAY.op("UpdateIntegrationResponse", write=True)
async def update_integration_response(ctx: OpContext, params: Params) -> Doc:
    check_status_code(params["statusCode"])
    api, res = await load_resource(ctx, params)
    method = find_method(res, params["httpMethod"])
    integ = find_integration(method)
    current = _find_response(integ, params["statusCode"])
    updated = INTEGRATION_RESPONSE_PATCHER.apply(current, params.get("patchOperations"))
    validate_integration_response(updated, method, integ)
    integ["integrationResponses"][params["statusCode"]] = updated
    await save_api(ctx, api)
    return updated


@APIGATEWAY.op("DeleteIntegrationResponse", write=True)
async def delete_integration_response(ctx: OpContext, params: Params) -> None:
    check_status_code(params["statusCode"])
    api, res = await load_resource(ctx, params)
    method = (res.get("resourceMethods") or {}).get(params["httpMethod"])
    if method is None or method.get("methodIntegration") is None:
        raise NotFoundException(INTEGRATION_NOT_FOUND)
    integ = method["methodIntegration"]
    _find_response(integ, params["statusCode"])
    del integ["integrationResponses"][params["statusCode"]]
    await save_api(ctx, api)
    return None
