"""RestApi operations (API Gateway REST API reference: CreateRestApi ... DeleteRestApi)."""

from __future__ import annotations

import copy

from portico.controlplane.apidoc import (
    KIND,
    Doc,
    load_api,
    new_unique_id,
    paginate,
    public,
    save_api,
)
from portico.controlplane.errors import BadRequestException, ConflictException
from portico.controlplane.models import default_models
from portico.controlplane.patch import Patcher
from portico.controlplane.registry import APIGATEWAY, OpContext, Params

_patcher = Patcher(
    "apigateway", "RestApi", readonly=("id", "createdDate", "rootResourceId", "warnings", "tags")
)

CUSTOM_ID_TAG = "_custom_id_"


def new_api(ctx: OpContext, api_id: str, params: Params) -> Doc:
    root_id = ctx.ids.short(10)
    endpoint = params.get("endpointConfiguration") or {"types": ["EDGE"]}
    endpoint.setdefault("types", ["EDGE"])
    endpoint.setdefault("ipAddressType", "ipv4")
    doc: Doc = {
        "id": api_id,
        "name": params["name"],
        "createdDate": ctx.now(),
        "apiKeySource": params.get("apiKeySource") or "HEADER",
        "endpointConfiguration": endpoint,
        "disableExecuteApiEndpoint": bool(params.get("disableExecuteApiEndpoint", False)),
        "rootResourceId": root_id,
        "_resources": {root_id: {"id": root_id, "path": "/"}},
        "_models": {},
        "_requestValidators": {},
        "_authorizers": {},
        "_gatewayResponses": {},
        "_documentationParts": {},
        "_documentationVersions": {},
    }
    for key in ("description", "version", "binaryMediaTypes", "minimumCompressionSize", "policy"):
        if params.get(key) is not None:
            doc[key] = params[key]
    tags = params.get("tags")
    if tags:
        doc["tags"] = tags
    _check_api(doc)
    return doc


def _check_api(doc: Doc) -> None:
    size = doc.get("minimumCompressionSize")
    if size is not None and not 0 <= size <= 10485760:
        raise BadRequestException("Invalid minimumCompressionSize: must be between 0 and 10485760 bytes")
    if not str(doc.get("name") or "").strip():
        raise BadRequestException("Invalid REST API name specified")


async def allocate_api_id(ctx: OpContext, tags: dict[str, str] | None) -> str:
    custom = (tags or {}).get(CUSTOM_ID_TAG)
    if custom:
        if await ctx.tx.get(KIND, "", custom) is not None:
            raise ConflictException(f"A REST API with id {custom} already exists")
        return custom
    while True:
        api_id = ctx.ids.short(10)
        if await ctx.tx.get(KIND, "", api_id) is None:
            return api_id


@APIGATEWAY.op("CreateRestApi", write=True)
async def create_rest_api(ctx: OpContext, params: Params) -> Doc:
    api_id = await allocate_api_id(ctx, params.get("tags"))
    doc = new_api(ctx, api_id, params)
    doc["_models"] = default_models(ctx.ids.short)  # AWS adds `Empty` and `Error` to a new API
    clone_from = params.get("cloneFrom")
    if clone_from:
        source = await load_api(ctx, clone_from)
        doc = _clone(ctx, source, doc)
    await save_api(ctx, doc)
    return public(doc)


def _clone(ctx: OpContext, source: Doc, doc: Doc) -> Doc:
    cloned = copy.deepcopy(source)
    mapping = {rid: new_unique_id(ctx, {}, 10) for rid in cloned["_resources"]}
    resources = {}
    for rid, res in cloned["_resources"].items():
        res["id"] = mapping[rid]
        if res.get("parentId"):
            res["parentId"] = mapping[res["parentId"]]
        resources[mapping[rid]] = res
    for key in ("binaryMediaTypes", "minimumCompressionSize", "policy", "apiKeySource"):
        if key in source and key not in doc:
            doc[key] = source[key]
    doc.update(
        {
            "_resources": resources,
            "rootResourceId": mapping[source["rootResourceId"]],
            "_models": cloned["_models"],
            "_requestValidators": cloned["_requestValidators"],
            "_authorizers": cloned["_authorizers"],
            "_gatewayResponses": cloned["_gatewayResponses"],
        }
    )
    return doc


@APIGATEWAY.op("GetRestApi", write=False)
async def get_rest_api(ctx: OpContext, params: Params) -> Doc:
    return public(await load_api(ctx, params["restApiId"]))


@APIGATEWAY.op("GetRestApis", write=False)
async def get_rest_apis(ctx: OpContext, params: Params) -> Doc:
    apis = [public(doc) for doc in await ctx.tx.list(KIND)]
    return paginate(apis, params.get("position"), params.get("limit"))


@APIGATEWAY.op("UpdateRestApi", write=True)
async def update_rest_api(ctx: OpContext, params: Params) -> Doc:
    doc = await load_api(ctx, params["restApiId"])
    updated = _patcher.apply(doc, params.get("patchOperations"))
    _check_api(updated)
    await save_api(ctx, updated)
    return public(updated)


@APIGATEWAY.op("DeleteRestApi", write=True)
async def delete_rest_api(ctx: OpContext, params: Params) -> None:
    doc = await load_api(ctx, params["restApiId"])
    await ctx.tx.delete(KIND, "", doc["id"])
    await ctx.tx.delete_scope(doc["id"])
    return None
