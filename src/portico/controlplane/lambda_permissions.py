"""Resource-based policies of functions (AWS Lambda API Reference: AddPermission,
RemovePermission, GetPolicy; Developer Guide, "Viewing resource-based IAM policies in Lambda")."""

from __future__ import annotations

import json
import re
from typing import Any

from portico.controlplane.lambda_common import (
    KIND,
    Doc,
    ResourceConflictException,
    ResourceNotFoundException,
    check_constraints,
    check_revision,
    function_name,
    load_function,
)
from portico.controlplane.registry import LAMBDA, OpContext, Params

_ACCOUNT = re.compile(r"^\d{12}$")


def principal_of(principal: str) -> Any:
    """A Principal parameter as the policy statement writes it."""
    if principal == "*":
        return "*"
    if _ACCOUNT.match(principal):
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    if principal.startswith("arn:"):
        return {"AWS": principal}
    return {"Service": principal}


def statement_of(params: Params, resource: str) -> Doc:
    statement: Doc = {
        "Sid": params["StatementId"],
        "Effect": "Allow",
        "Principal": principal_of(params["Principal"]),
        "Action": params["Action"],
        "Resource": resource,
    }
    condition: dict[str, dict[str, str]] = {}
    if params.get("SourceAccount"):
        condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = params["SourceAccount"]
    if params.get("PrincipalOrgID"):
        condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = params["PrincipalOrgID"]
    if params.get("EventSourceToken"):
        condition.setdefault("StringEquals", {})["lambda:EventSourceToken"] = params["EventSourceToken"]
    if params.get("FunctionUrlAuthType"):
        condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = params["FunctionUrlAuthType"]
    if params.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": params["SourceArn"]}
    if condition:
        statement["Condition"] = condition
    return statement


@LAMBDA.op("AddPermission", write=True)
async def add_permission(ctx: OpContext, params: Params) -> Params:
    check_constraints("AddPermission", params)
    function_name(ctx, params["FunctionName"], params.get("Qualifier"))
    doc = await load_function(ctx, params["FunctionName"])
    check_revision(doc, params.get("RevisionId"))
    policy = doc.get("_policy") or {"Version": "2012-10-17", "Id": "default", "Statement": []}
    sid = params["StatementId"]
    if any(s.get("Sid") == sid for s in policy["Statement"]):
        raise ResourceConflictException(
            f"The statement id ({sid}) provided already exists. Please provide a new statement id, "
            "or remove the existing statement."
        )
    statement = statement_of(params, doc["FunctionArn"])
    policy["Statement"].append(statement)
    doc["_policy"] = policy
    await ctx.tx.put(KIND, "", doc["FunctionName"], doc)
    return {"Statement": json.dumps(statement, separators=(",", ":"))}


@LAMBDA.op("RemovePermission", write=True)
async def remove_permission(ctx: OpContext, params: Params) -> None:
    doc = await load_function(ctx, params["FunctionName"], params.get("Qualifier"))
    check_revision(doc, params.get("RevisionId"))
    policy = doc.get("_policy") or {"Statement": []}
    sid = params["StatementId"]
    kept = [s for s in policy["Statement"] if s.get("Sid") != sid]
    if len(kept) == len(policy["Statement"]):
        raise ResourceNotFoundException(f"Statement {sid} is not found in resource policy.")
    if kept:
        doc["_policy"] = {**policy, "Statement": kept}
    else:
        doc.pop("_policy", None)
    await ctx.tx.put(KIND, "", doc["FunctionName"], doc)
    return None


@LAMBDA.op("GetPolicy", write=False)
async def get_policy(ctx: OpContext, params: Params) -> Params:
    doc = await load_function(ctx, params["FunctionName"], params.get("Qualifier"))
    policy = doc.get("_policy")
    if not policy or not policy.get("Statement"):
        raise ResourceNotFoundException("The resource you requested does not exist.")
    return {"Policy": json.dumps(policy, separators=(",", ":")), "RevisionId": doc.get("RevisionId")}
