"""ImportApiKeys (API Gateway REST API reference: ImportApiKeys; Developer Guide, "API key file format").

A key whose value already exists is overwritten (same id, new name/description/enabled), as the
guide says. Rows that cannot be imported (bad key length, unknown usage plan, a plan that would
give a key two plans for one stage) become warnings; with `failonwarnings=true` any warning fails
the whole import and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from portico.controlplane.api_keys import find_by_value, new_key, save_key
from portico.controlplane.apikey_csv import KeyRow, parse_key_file
from portico.controlplane.errors import ApiError, BadRequestException
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.usage_plan_keys import KIND as PLAN_KEY_KIND
from portico.controlplane.usage_plan_keys import add_key
from portico.controlplane.usage_plans import KIND as PLAN_KIND

Doc = dict[str, Any]


async def _store_row(ctx: OpContext, row: KeyRow) -> Doc:
    doc = await find_by_value(ctx, row.key)
    if doc is None:
        doc = await new_key(ctx, {"value": row.key, "name": row.name})
    doc.update({"name": row.name, "enabled": row.enabled})
    if row.description:
        doc["description"] = row.description
    else:
        doc.pop("description", None)
    await save_key(ctx, doc)
    return doc


async def _attach(ctx: OpContext, row: KeyRow, key_id: str, warnings: list[str]) -> None:
    for plan_id in row.usage_plan_ids:
        plan = await ctx.tx.get(PLAN_KIND, "", plan_id)
        if plan is None:
            warnings.append(f"Line {row.line}: Invalid Usage Plan ID specified: {plan_id}")
        elif await ctx.tx.get(PLAN_KEY_KIND, plan_id, key_id) is None:
            try:
                await add_key(ctx, plan, key_id)
            except ApiError as exc:
                warnings.append(f"Line {row.line}: {exc.message}")


@APIGATEWAY.op("ImportApiKeys", write=True)
async def import_api_keys(ctx: OpContext, params: Params) -> Doc:
    if params["format"] != "csv":
        raise BadRequestException(f"Invalid format '{params['format']}': only csv is supported")
    body = params.get("body") or b""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else str(body)
    parsed = parse_key_file(text)
    warnings = list(parsed.warnings)
    ids = []
    for row in parsed.rows:
        doc = await _store_row(ctx, row)
        if doc["id"] not in ids:
            ids.append(doc["id"])
        await _attach(ctx, row, doc["id"], warnings)
    if warnings and params.get("failOnWarnings"):
        raise BadRequestException("API keys were not imported: " + "; ".join(warnings))
    out: Doc = {"ids": ids}
    if warnings:
        out["warnings"] = warnings
    return out
