"""Reserved concurrency (AWS Lambda API Reference: PutFunctionConcurrency, GetFunctionConcurrency,
DeleteFunctionConcurrency; "Lambda quotas": 1,000 concurrent executions per Region, 100 of them
always unreserved)."""

from __future__ import annotations

from portico.controlplane.lambda_common import (
    KIND,
    InvalidParameterValueException,
    check_constraints,
    load_function,
)
from portico.controlplane.registry import LAMBDA, OpContext, Params

ACCOUNT_CONCURRENCY = 1000
UNRESERVED_MINIMUM = 100


@LAMBDA.op("PutFunctionConcurrency", write=True)
async def put_function_concurrency(ctx: OpContext, params: Params) -> Params:
    check_constraints("PutFunctionConcurrency", params)
    doc = await load_function(ctx, params["FunctionName"])
    wanted = params["ReservedConcurrentExecutions"]
    others = sum(
        d.get("_reservedConcurrency") or 0
        for d in await ctx.tx.list(KIND)
        if d["FunctionName"] != doc["FunctionName"]
    )
    if others + wanted > ACCOUNT_CONCURRENCY - UNRESERVED_MINIMUM:
        raise InvalidParameterValueException(
            "Specified ReservedConcurrentExecutions for function decreases account's "
            f"UnreservedConcurrentExecution below its minimum value of [{UNRESERVED_MINIMUM}]."
        )
    doc["_reservedConcurrency"] = wanted
    await ctx.tx.put(KIND, "", doc["FunctionName"], doc)
    return {"ReservedConcurrentExecutions": wanted}


@LAMBDA.op("GetFunctionConcurrency", write=False)
async def get_function_concurrency(ctx: OpContext, params: Params) -> Params:
    doc = await load_function(ctx, params["FunctionName"])
    reserved = doc.get("_reservedConcurrency")
    return {} if reserved is None else {"ReservedConcurrentExecutions": reserved}


@LAMBDA.op("DeleteFunctionConcurrency", write=True)
async def delete_function_concurrency(ctx: OpContext, params: Params) -> None:
    doc = await load_function(ctx, params["FunctionName"])
    if doc.pop("_reservedConcurrency", None) is not None:
        await ctx.tx.put(KIND, "", doc["FunctionName"], doc)
    return None
