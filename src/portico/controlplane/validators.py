"""RequestValidator operations (API Gateway REST API reference: CreateRequestValidator ... DeleteRequestValidator).

Also `methods_of`, the walk over an API's methods that the in-use checks of the model, validator and
authorizer families share.
"""

from __future__ import annotations

from collections.abc import Iterator

from portico.controlplane.apidoc import Doc, load_api, new_unique_id, paginate, save_api
from portico.controlplane.errors import BadRequestException, ConflictException, NotFoundException
from portico.controlplane.patch import coerce, split_path
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.spec import service_model

NOT_FOUND = "Invalid Request Validator identifier specified"
_PATHS = ("/name", "/validateRequestParameters", "/validateRequestBody")


def methods_of(api: Doc) -> Iterator[tuple[str, str, Doc]]:
    """(resource path, HTTP method, method document) of every method of the API."""
    for res in api.get("_resources", {}).values():
        for http_method, meth in (res.get("resourceMethods") or {}).items():
            yield res.get("path", "/"), http_method, meth or {}


def _validators(api: Doc) -> dict[str, Doc]:
    return api.setdefault("_requestValidators", {})


def _find(api: Doc, validator_id: str) -> Doc:
    found = _validators(api).get(validator_id)
    if found is None:
        raise NotFoundException(NOT_FOUND)
    return found


def _check_name(api: Doc, name: str | None, own_id: str | None = None) -> str:
    if not name or not name.strip():
        raise BadRequestException("Request Validator name cannot be blank")
    if any(v["name"] == name and v["id"] != own_id for v in _validators(api).values()):
        raise ConflictException(f"Request Validator name already exists for this REST API: {name}")
    return name


@APIGATEWAY.op("CreateRequestValidator", write=True)
async def create_request_validator(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    validator: Doc = {
        "id": new_unique_id(ctx, _validators(api)),
        "name": _check_name(api, params.get("name")),
        "validateRequestBody": bool(params.get("validateRequestBody", False)),
        "validateRequestParameters": bool(params.get("validateRequestParameters", False)),
    }
    _validators(api)[validator["id"]] = validator
    await save_api(ctx, api)
    return validator


@APIGATEWAY.op("GetRequestValidator", write=False)
async def get_request_validator(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    return _find(api, params["requestValidatorId"])


@APIGATEWAY.op("GetRequestValidators", write=False)
async def get_request_validators(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    return paginate(list(_validators(api).values()), params.get("position"), params.get("limit"))


@APIGATEWAY.op("UpdateRequestValidator", write=True)
async def update_request_validator(ctx: OpContext, params: Params) -> Doc:
    """Only `replace` of /name, /validateRequestBody and /validateRequestParameters is supported."""
    api = await load_api(ctx, params["restApiId"])
    validator = dict(_find(api, params["requestValidatorId"]))
    shape = service_model("apigateway").shape_for("RequestValidator")
    for operation in params.get("patchOperations") or []:
        op, path = operation.get("op"), operation.get("path") or ""
        if op != "replace":
            raise BadRequestException(
                f"Invalid patch path  '{path}' specified for op '{op}'. Please choose supported operations"
            )
        if path not in _PATHS:
            raise BadRequestException(
                f"Invalid patch path  '{path}' specified for op 'replace'. "
                f"Must be one of: [{', '.join(_PATHS)}]"
            )
        field = split_path(path)[0]
        validator[field] = coerce(shape.members[field], operation.get("value") or "", path)
    _check_name(api, validator.get("name"), validator["id"])
    _validators(api)[validator["id"]] = validator
    await save_api(ctx, api)
    return validator


@APIGATEWAY.op("DeleteRequestValidator", write=True)
async def delete_request_validator(ctx: OpContext, params: Params) -> None:
    api = await load_api(ctx, params["restApiId"])
    validator = _find(api, params["requestValidatorId"])
    for path, http_method, meth in methods_of(api):
        if meth.get("requestValidatorId") == validator["id"]:
            raise ConflictException(
                f"Cannot delete request validator '{validator['name']}', "
                f"is referenced in method: {http_method}/{path}"
            )
    del _validators(api)[validator["id"]]
    await save_api(ctx, api)
    return None
