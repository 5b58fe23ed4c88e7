"""Usage operations (API Gateway REST API reference: GetUsage, UpdateUsage).

GetUsage answers `{usagePlanId, startDate, endDate, items: {keyId: [[used, remaining], ...]}}` with
one entry per day and per key of the plan (or the one `keyId`); the counters are written by the
data plane (see `usage_counters.record_usage`). UpdateUsage accepts `replace /remaining` only and
sets what is left of the key's quota for the current period, from today on.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from portico.controlplane.errors import BadRequestException, NotFoundException
from portico.controlplane.fieldpatch import as_int, parse_ops
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.usage_counters import balance, daily_log, days, grant_extra, load_counts, utc_day
from portico.controlplane.usage_plans import PLAN_KEY_KIND, load_plan

Doc = dict[str, Any]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: str, name: str) -> dt.date:
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadRequestException(f"Invalid {name} '{value}': use the format YYYY-MM-DD") from None


def _first_day(plan: Doc) -> dt.date | None:
    created = plan.get("_createdDate")
    return utc_day(created) if created is not None else None


async def _plan_key_ids(ctx: OpContext, plan_id: str, key_id: str | None) -> list[str]:
    ids = [k["id"] for k in await ctx.tx.list(PLAN_KEY_KIND, plan_id)]
    if key_id is None:
        return ids
    if key_id not in ids:
        raise NotFoundException("Invalid API Key identifier specified")
    return [key_id]


def _page(ids: list[str], position: str | None, limit: int | None) -> tuple[list[str], str | None]:
    size = 25 if limit is None else limit
    if not 1 <= size <= 500:
        raise BadRequestException("Invalid limit: must be between 1 and 500")
    if position and not position.isdigit():
        raise BadRequestException("Invalid position parameter")
    start = int(position or 0)
    nxt = str(start + size) if start + size < len(ids) else None
    return ids[start : start + size], nxt


@APIGATEWAY.op("GetUsage", write=False)
async def get_usage(ctx: OpContext, params: Params) -> Doc:
    plan = await load_plan(ctx, params["usagePlanId"])
    start = parse_date(params["startDate"], "startDate")
    end = parse_date(params["endDate"], "endDate")
    if end < start:
        raise BadRequestException("The endDate must not be before the startDate")
    ids = sorted(await _plan_key_ids(ctx, plan["id"], params.get("keyId")))
    page, position = _page(ids, params.get("position"), params.get("limit"))
    span = days(start, end)
    items = {}
    for key_id in page:
        counts = await load_counts(ctx.tx, plan["id"], key_id)
        items[key_id] = daily_log(plan.get("quota"), counts, span, _first_day(plan))
    out: Doc = {"usagePlanId": plan["id"], "startDate": start.isoformat(), "endDate": end.isoformat()}
    out["items"] = items
    if position:
        out["position"] = position
    return out


@APIGATEWAY.op("UpdateUsage", write=True)
async def update_usage(ctx: OpContext, params: Params) -> Doc:
    plan = await load_plan(ctx, params["usagePlanId"])
    (key_id,) = await _plan_key_ids(ctx, plan["id"], params["keyId"])
    quota = plan.get("quota")
    today = utc_day(ctx.now())
    for patch in parse_ops(params.get("patchOperations")):
        if patch.op != "replace" or patch.path != "/remaining":
            raise BadRequestException(
                f"Invalid patch path  '{patch.path}' specified for op '{patch.op}'. Must be one of: [/remaining]"
            )
        if not quota:
            raise BadRequestException(f"Usage plan {plan['id']} has no quota to extend")
        wanted = as_int(patch.value, patch.path)
        if wanted < 0:
            raise BadRequestException("The remaining quota must be greater than or equal to 0")
        current = balance(quota, await load_counts(ctx.tx, plan["id"], key_id), today, _first_day(plan))
        await grant_extra(ctx.tx, plan["id"], key_id, today, wanted - current)
    counts = await load_counts(ctx.tx, plan["id"], key_id)
    log = daily_log(quota, counts, [today], _first_day(plan))
    return {
        "usagePlanId": plan["id"],
        "startDate": today.isoformat(),
        "endDate": today.isoformat(),
        "items": {key_id: log},
    }
