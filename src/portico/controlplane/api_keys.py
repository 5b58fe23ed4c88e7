"""ApiKey operations (API Gateway REST API reference: CreateApiKey ... DeleteApiKey).

Values are unique (20 to 128 characters; generated ones have 40 alphanumerics). GetApiKeys'
`name` query matches names by prefix. Deleting a key removes it from its usage plans.
"""

from __future__ import annotations

from typing import Any

from portico.controlplane.apidoc import paginate
from portico.controlplane.errors import BadRequestException, ConflictException, NotFoundException
from portico.controlplane.fieldpatch import Field, PatchOp, apply_field, as_bool, parse_ops
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.tags import check_tags

KIND = "apikey"
PLAN_KEY_KIND = "usageplankey"
Doc = dict[str, Any]

_FIELDS = {
    "/name": Field(),
    "/description": Field(),
    "/customerId": Field(),
    "/enabled": Field(convert=as_bool),
    "/stages": Field(ops=("add", "remove")),
}


def check_value(value: str) -> None:
    if len(value) < 20:
        raise BadRequestException("API Key value should be at least 20 characters")
    if len(value) > 128:
        raise BadRequestException("API Key value exceeds maximum size of 128 characters")


async def load_key(ctx: OpContext, key_id: str) -> Doc:
    doc = await ctx.tx.get(KIND, "", key_id)
    if doc is None:
        raise NotFoundException("Invalid API Key identifier specified")
    return doc


async def find_by_value(ctx: OpContext, value: str) -> Doc | None:
    return next((d for d in await ctx.tx.list(KIND) if d.get("value") == value), None)


async def save_key(ctx: OpContext, doc: Doc) -> None:
    doc["lastUpdatedDate"] = ctx.now()
    await ctx.tx.put(KIND, "", doc["id"], doc)


def public(doc: Doc, include_value: bool) -> Doc:
    return {k: v for k, v in doc.items() if include_value or k != "value"}


async def _new_id(ctx: OpContext) -> str:
    while True:
        key_id = ctx.ids.short(10)
        if await ctx.tx.get(KIND, "", key_id) is None:
            return key_id


async def _stage_key(ctx: OpContext, rest_api_id: str, stage_name: str) -> str:
    if await ctx.tx.get("restapi", "", rest_api_id) is None:
        raise NotFoundException(f"Invalid API identifier specified {ctx.account_id}:{rest_api_id}")
    if await ctx.tx.get("stage", rest_api_id, stage_name) is None:
        raise BadRequestException("Invalid stage identifier specified")
    return f"{rest_api_id}/{stage_name}"


async def new_key(ctx: OpContext, params: Params) -> Doc:
    check_tags(params.get("tags") or {})
    value = params.get("value")
    if value is None:
        value = ctx.ids.mixed(40)
    check_value(value)
    if await find_by_value(ctx, value) is not None:
        raise ConflictException("API Key already exists")
    now = ctx.now()
    doc: Doc = {
        "id": await _new_id(ctx),
        "value": value,
        "enabled": bool(params.get("enabled", False)),
        "createdDate": now,
        "lastUpdatedDate": now,
        "stageKeys": [
            await _stage_key(ctx, s["restApiId"], s["stageName"]) for s in params.get("stageKeys") or []
        ],
    }
    for member in ("name", "description", "customerId", "tags"):
        if params.get(member) is not None:
            doc[member] = params[member]
    return doc


@APIGATEWAY.op("CreateApiKey", write=True)
async def create_api_key(ctx: OpContext, params: Params) -> Doc:
    doc = await new_key(ctx, params)
    await save_key(ctx, doc)
    return public(doc, include_value=True)


@APIGATEWAY.op("GetApiKey", write=False)
async def get_api_key(ctx: OpContext, params: Params) -> Doc:
    doc = await load_key(ctx, params["apiKey"])
    return public(doc, bool(params.get("includeValue")))


@APIGATEWAY.op("GetApiKeys", write=False)
async def get_api_keys(ctx: OpContext, params: Params) -> Doc:
    name, customer = params.get("nameQuery"), params.get("customerId")
    keys = [
        public(d, bool(params.get("includeValues")))
        for d in await ctx.tx.list(KIND)
        if (not name or str(d.get("name", "")).startswith(name))
        and (customer is None or d.get("customerId") == customer)
    ]
    return paginate(keys, params.get("position"), params.get("limit"))


async def _patch_stages(ctx: OpContext, doc: Doc, patch: PatchOp) -> None:
    rest_api_id, _, stage_name = str(patch.value or "").partition("/")
    if not rest_api_id or not stage_name:
        raise BadRequestException(f"Invalid stage key '{patch.value}': expected restApiId/stageName")
    stages: list[str] = doc.setdefault("stageKeys", [])
    if patch.op == "add":
        key = await _stage_key(ctx, rest_api_id, stage_name)
        if key not in stages:
            stages.append(key)
    elif f"{rest_api_id}/{stage_name}" in stages:
        stages.remove(f"{rest_api_id}/{stage_name}")
    else:
        raise BadRequestException(f"Cannot remove stage {patch.value}: the API key is not associated with it")


@APIGATEWAY.op("UpdateApiKey", write=True)
async def update_api_key(ctx: OpContext, params: Params) -> Doc:
    doc = await load_key(ctx, params["apiKey"])
    for patch in parse_ops(params.get("patchOperations")):
        if patch.path == "/stages" and patch.op in ("add", "remove"):
            await _patch_stages(ctx, doc, patch)
        else:
            apply_field(doc, patch, _FIELDS)
    await save_key(ctx, doc)
    return public(doc, include_value=False)


@APIGATEWAY.op("DeleteApiKey", write=True)
async def delete_api_key(ctx: OpContext, params: Params) -> None:
    doc = await load_key(ctx, params["apiKey"])
    await ctx.tx.delete(KIND, "", doc["id"])
    for plan in await ctx.tx.list("usageplan"):
        await ctx.tx.delete(PLAN_KEY_KIND, plan["id"], doc["id"])
    return None
