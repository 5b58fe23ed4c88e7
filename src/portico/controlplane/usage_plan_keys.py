"""UsagePlanKey operations (API Gateway REST API reference: CreateUsagePlanKey ... DeleteUsagePlanKey).

Stored as `{"id": keyId, "type": "API_KEY"}` (kind `usageplankey`, scope = usage plan id); the
name and value are read from the API key, so renaming a key shows in its plan keys.
"""

from __future__ import annotations

from typing import Any

from portico.controlplane.api_keys import KIND as API_KEY_KIND
from portico.controlplane.api_keys import load_key
from portico.controlplane.apidoc import paginate
from portico.controlplane.errors import BadRequestException, ConflictException, NotFoundException
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.usage_plans import PLAN_KEY_KIND, key_conflict, load_plan

Doc = dict[str, Any]
KIND = PLAN_KEY_KIND


def view(plan_key: Doc, api_key: Doc) -> Doc:
    out = {"id": plan_key["id"], "type": plan_key.get("type", "API_KEY"), "value": api_key.get("value")}
    if api_key.get("name") is not None:
        out["name"] = api_key["name"]
    return out


async def add_key(ctx: OpContext, plan: Doc, key_id: str) -> Doc:
    """Attach API key `key_id` to `plan`, enforcing one plan per key and API stage."""
    if await ctx.tx.get(KIND, plan["id"], key_id) is not None:
        raise ConflictException(f"API Key {key_id} is already associated with usage plan {plan['id']}")
    problem = await key_conflict(ctx, key_id, plan, plan.get("apiStages") or [])
    if problem:
        raise ConflictException(problem)
    doc = {"id": key_id, "type": "API_KEY"}
    await ctx.tx.put(KIND, plan["id"], key_id, doc)
    return doc


@APIGATEWAY.op("CreateUsagePlanKey", write=True)
async def create_usage_plan_key(ctx: OpContext, params: Params) -> Doc:
    if params["keyType"] != "API_KEY":
        raise BadRequestException(f"Invalid key type '{params['keyType']}': the only key type is API_KEY")
    plan = await load_plan(ctx, params["usagePlanId"])
    api_key = await load_key(ctx, params["keyId"])
    return view(await add_key(ctx, plan, api_key["id"]), api_key)


async def _load(ctx: OpContext, plan_id: str, key_id: str) -> tuple[Doc, Doc]:
    await load_plan(ctx, plan_id)
    plan_key = await ctx.tx.get(KIND, plan_id, key_id)
    api_key = await ctx.tx.get(API_KEY_KIND, "", key_id)
    if plan_key is None or api_key is None:
        raise NotFoundException("Invalid API Key identifier specified")
    return plan_key, api_key


@APIGATEWAY.op("GetUsagePlanKey", write=False)
async def get_usage_plan_key(ctx: OpContext, params: Params) -> Doc:
    plan_key, api_key = await _load(ctx, params["usagePlanId"], params["keyId"])
    return view(plan_key, api_key)


@APIGATEWAY.op("GetUsagePlanKeys", write=False)
async def get_usage_plan_keys(ctx: OpContext, params: Params) -> Doc:
    plan = await load_plan(ctx, params["usagePlanId"])
    name = params.get("nameQuery")
    items = []
    for plan_key in await ctx.tx.list(KIND, plan["id"]):
        api_key = await ctx.tx.get(API_KEY_KIND, "", plan_key["id"])
        if api_key is not None and (not name or str(api_key.get("name", "")).startswith(name)):
            items.append(view(plan_key, api_key))
    return paginate(items, params.get("position"), params.get("limit"))


@APIGATEWAY.op("DeleteUsagePlanKey", write=True)
async def delete_usage_plan_key(ctx: OpContext, params: Params) -> None:
    plan_key, _ = await _load(ctx, params["usagePlanId"], params["keyId"])
    await ctx.tx.delete(KIND, params["usagePlanId"], plan_key["id"])
    return None
