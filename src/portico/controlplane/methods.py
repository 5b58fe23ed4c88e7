"""Method and MethodResponse operations (API Gateway REST API reference: PutMethod ... DeleteMethodResponse)."""

from __future__ import annotations

from portico.controlplane.apidoc import Doc, save_api
from portico.controlplane.errors import ConflictException, NotFoundException
from portico.controlplane.method_rules import (
    METHOD_PATCHER,
    METHOD_RESPONSE_PATCHER,
    check_http_method,
    validate_method,
    validate_method_response,
)
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.rest_lookup import (
    STATUS_NOT_FOUND,
    check_status_code,
    find_method,
    load_resource,
    method_view,
)

_OPTIONAL = (
    "authorizerId",
    "requestValidatorId",
    "operationName",
    "requestParameters",
    "requestModels",
    "authorizationScopes",
)


@APIGATEWAY.op("PutMethod", write=True)
async def put_method(ctx: OpContext, params: Params) -> Doc:
    api, res = await load_resource(ctx, params)
    verb = params["httpMethod"]
    check_http_method(verb)
    methods = res.setdefault("resourceMethods", {})
    if verb in methods:
        raise ConflictException("Method already exists for this resource")
    method: Doc = {
        "httpMethod": verb,
        "authorizationType": params["authorizationType"],
        "apiKeyRequired": bool(params.get("apiKeyRequired", False)),
    }
    method.update({k: params[k] for k in _OPTIONAL if params.get(k) not in (None, "")})
    validate_method(method, api)
    method["methodResponses"] = {}
    methods[verb] = method
    await save_api(ctx, api)
    return method_view(method)


@APIGATEWAY.op("GetMethod", write=False)
async def get_method(ctx: OpContext, params: Params) -> Doc:
    _, res = await load_resource(ctx, params)
    return method_view(find_method(res, params["httpMethod"]))


@APIGATEWAY.op("UpdateMethod", write=True)
async def update_method(ctx: OpContext, params: Params) -> Doc:
    api, res = await load_resource(ctx, params)
    verb = params["httpMethod"]
    updated = METHOD_PATCHER.apply(find_method(res, verb), params.get("patchOperations"))
    validate_method(updated, api)
    res["resourceMethods"][verb] = updated
    await save_api(ctx, api)
    return method_view(updated)


@APIGATEWAY.op("DeleteMethod", write=True)
async def delete_method(ctx: OpContext, params: Params) -> None:
    api, res = await load_resource(ctx, params)
    verb = params["httpMethod"]
    find_method(res, verb)
    del res["resourceMethods"][verb]
    await save_api(ctx, api)
    return None


def _find_response(method: Doc, status_code: str) -> Doc:
    found = (method.get("methodResponses") or {}).get(status_code)
    if found is None:
        raise NotFoundException(STATUS_NOT_FOUND)
    return found


@APIGATEWAY.op("PutMethodResponse", write=True)
async def put_method_response(ctx: OpContext, params: Params) -> Doc:
    check_status_code(params["statusCode"])
    api, res = await load_resource(ctx, params)
    method = find_method(res, params["httpMethod"])
    response: Doc = {"statusCode": params["statusCode"]}
    for key in ("responseParameters", "responseModels"):
        if params.get(key) is not None:
            response[key] = params[key]
    validate_method_response(response, api)
    method.setdefault("methodResponses", {})[response["statusCode"]] = response
    await save_api(ctx, api)
    return response


@APIGATEWAY.op("GetMethodResponse", write=False)
async def get_method_response(ctx: OpContext, params: Params) -> Doc:
    check_status_code(params["statusCode"])
    _, res = await load_resource(ctx, params)
    return _find_response(find_method(res, params["httpMethod"]), params["statusCode"])


@APIGATEWAY.op("UpdateMethodResponse", write=True)
async def update_method_response(ctx: OpContext, params: Params) -> Doc:
    check_status_code(params["statusCode"])
    api, res = await load_resource(ctx, params)
    method = find_method(res, params["httpMethod"])
    current = _find_response(method, params["statusCode"])
    updated = METHOD_RESPONSE_PATCHER.apply(current, params.get("patchOperations"))
    validate_method_response(updated, api)
    method["methodResponses"][params["statusCode"]] = updated
    await save_api(ctx, api)
    return updated


@APIGATEWAY.op("DeleteMethodResponse", write=True)
async def delete_method_response(ctx: OpContext, params: Params) -> None:
    check_status_code(params["statusCode"])
    api, res = await load_resource(ctx, params)
    method = find_method(res, params["httpMethod"])
    _find_response(method, params["statusCode"])
    del method["methodResponses"][params["statusCode"]]
    await save_api(ctx, api)
    return None
