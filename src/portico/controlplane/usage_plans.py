"""UsagePlan operations (API Gateway REST API reference: CreateUsagePlan ... DeleteUsagePlan).

A given API key can only be associated with one usage plan for each stage of an API (Developer
Guide, "Usage plans and API keys"): adding a stage to a plan, or a key to a plan, is refused with
ConflictException when it would break that rule.
"""

from __future__ import annotations

import re
from typing import Any

from portico.controlplane.apidoc import paginate
from portico.controlplane.errors import BadRequestException, ConflictException, NotFoundException
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.tags import check_tags
from portico.controlplane.usage_counters import KIND as USAGE_KIND
from portico.controlplane.usage_counters import counter_key
from portico.controlplane.usage_plan_patch import patch_plan

KIND = "usageplan"
PLAN_KEY_KIND = "usageplankey"
Doc = dict[str, Any]

_METHOD_KEY = re.compile(r"^(/.*)/([A-Z]+|\*)$")


async def load_plan(ctx: OpContext, plan_id: str) -> Doc:
    doc = await ctx.tx.get(KIND, "", plan_id)
    if doc is None:
        raise NotFoundException("Invalid Usage Plan ID specified")
    return doc


def public(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def stage_id(stage: Doc) -> str:
    return f"{stage['apiId']}:{stage['stage']}"


def check_throttle(throttle: Doc | None, where: str = "throttle") -> None:
    for member in ("burstLimit", "rateLimit"):
        value = (throttle or {}).get(member)
        if value is not None and value < 0:
            raise BadRequestException(f"Invalid {where}: {member} must be greater than or equal to 0")


def check_quota(quota: Doc | None) -> None:
    if quota is None:
        return
    quota.setdefault("offset", 0)
    limit, offset = quota.get("limit"), quota["offset"]
    if quota.get("period") not in ("DAY", "WEEK", "MONTH"):
        raise BadRequestException("Invalid quota: the period must be one of DAY, WEEK or MONTH")
    if limit is None or limit < 0:
        raise BadRequestException("Invalid quota: the limit must be greater than or equal to 0")
    if offset < 0 or (offset and offset >= limit):
        raise BadRequestException("Invalid quota: the offset must be at least 0 and less than the limit")


def check_method_throttles(stage: Doc) -> None:
    for key, throttle in (stage.get("throttle") or {}).items():
        if not _METHOD_KEY.match(key):
            raise BadRequestException(
                f"Invalid method throttle key '{key}': expected {{resourcePath}}/{{httpMethod}}, e.g. /pets/GET"
            )
        check_throttle(throttle, f"throttle for {key}")


async def check_api_stage(ctx: OpContext, stage: Doc) -> None:
    api_id, name = stage.get("apiId") or "", stage.get("stage") or ""
    if await ctx.tx.get("restapi", "", api_id) is None:
        raise NotFoundException(f"Invalid API identifier specified {ctx.account_id}:{api_id}")
    if await ctx.tx.get("stage", api_id, name) is None:
        raise BadRequestException("Invalid stage identifier specified")
    check_method_throttles(stage)


async def plans_of_key(ctx: OpContext, key_id: str) -> list[Doc]:
    return [p for p in await ctx.tx.list(KIND) if await ctx.tx.get(PLAN_KEY_KIND, p["id"], key_id)]


async def key_conflict(ctx: OpContext, key_id: str, plan: Doc, stages: list[Doc]) -> str | None:
    """Why `key_id` cannot use `stages` through `plan` (it reaches one through another plan)."""
    wanted = {stage_id(s) for s in stages}
    for other in await plans_of_key(ctx, key_id):
        if other["id"] == plan["id"]:
            continue
        shared = wanted & {stage_id(s) for s in other.get("apiStages") or []}
        if shared:
            return (
                f"API Key {key_id} cannot reference multiple Usage Plans with the same API Stage: "
                f"{sorted(shared)[0]} (already in usage plan {other['id']})"
            )
    return None


async def check_new_stages(ctx: OpContext, plan: Doc, stages: list[Doc]) -> None:
    for key in await ctx.tx.list(PLAN_KEY_KIND, plan["id"]):
        problem = await key_conflict(ctx, key["id"], plan, stages)
        if problem:
            raise ConflictException(f"Usage Plan {plan['id']} cannot be updated: {problem}")


async def check_plan(ctx: OpContext, plan: Doc, before: list[str]) -> None:
    check_throttle(plan.get("throttle"))
    check_quota(plan.get("quota"))
    seen: set[str] = set()
    added = []
    for stage in plan.get("apiStages") or []:
        if stage_id(stage) in seen:
            raise ConflictException(f"API Stage {stage_id(stage)} is already associated with the usage plan")
        seen.add(stage_id(stage))
        if stage_id(stage) not in before:
            await check_api_stage(ctx, stage)
            added.append(stage)
        else:
            check_method_throttles(stage)
    await check_new_stages(ctx, plan, added)


async def _new_id(ctx: OpContext) -> str:
    while True:
        plan_id = ctx.ids.short(6)
        if await ctx.tx.get(KIND, "", plan_id) is None:
            return plan_id


@APIGATEWAY.op("CreateUsagePlan", write=True)
async def create_usage_plan(ctx: OpContext, params: Params) -> Doc:
    check_tags(params.get("tags") or {})
    if not str(params.get("name") or "").strip():
        raise BadRequestException("Usage plan name is required")
    doc: Doc = {"id": await _new_id(ctx), "name": params["name"], "_createdDate": ctx.now()}
    doc["apiStages"] = [{k: v for k, v in s.items() if v is not None} for s in params.get("apiStages") or []]
    for member in ("description", "throttle", "quota", "tags"):
        if params.get(member) is not None:
            doc[member] = params[member]
    await check_plan(ctx, doc, [])
    await ctx.tx.put(KIND, "", doc["id"], doc)
    return public(doc)


@APIGATEWAY.op("GetUsagePlan", write=False)
async def get_usage_plan(ctx: OpContext, params: Params) -> Doc:
    return public(await load_plan(ctx, params["usagePlanId"]))


@APIGATEWAY.op("GetUsagePlans", write=False)
async def get_usage_plans(ctx: OpContext, params: Params) -> Doc:
    key_id = params.get("keyId")
    plans = await plans_of_key(ctx, key_id) if key_id else await ctx.tx.list(KIND)
    return paginate([public(p) for p in plans], params.get("position"), params.get("limit"))


@APIGATEWAY.op("UpdateUsagePlan", write=True)
async def update_usage_plan(ctx: OpContext, params: Params) -> Doc:
    doc = await load_plan(ctx, params["usagePlanId"])
    before = [stage_id(s) for s in doc.get("apiStages") or []]
    updated = patch_plan(doc, params.get("patchOperations"))
    await check_plan(ctx, updated, before)
    await ctx.tx.put(KIND, "", updated["id"], updated)
    return public(updated)


@APIGATEWAY.op("DeleteUsagePlan", write=True)
async def delete_usage_plan(ctx: OpContext, params: Params) -> None:
    doc = await load_plan(ctx, params["usagePlanId"])
    for plan_key in await ctx.tx.list(PLAN_KEY_KIND, doc["id"]):
        await ctx.tx.delete(PLAN_KEY_KIND, doc["id"], plan_key["id"])
    for counter in await ctx.tx.list(USAGE_KIND, doc["id"]):
        await ctx.tx.delete(USAGE_KIND, doc["id"], counter_key(counter["keyId"], counter["day"]))
    await ctx.tx.delete(KIND, "", doc["id"])
    return None
