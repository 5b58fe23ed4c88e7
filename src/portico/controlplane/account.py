"""Account operations (API Gateway REST API reference: GetAccount, UpdateAccount).

One document per region (kind `account`, key `account`). AWS lets users patch `/cloudwatchRoleArn`
and `/features`; Portico also accepts `/throttleSettings/burstLimit|rateLimit` (replace), since
locally there is no quota console to raise the account-level throttle.
"""

from __future__ import annotations

import re

from portico.controlplane.apidoc import Doc
from portico.controlplane.errors import BadRequestException
from portico.controlplane.patch import Patcher, invalid_path
from portico.controlplane.registry import APIGATEWAY, OpContext, Params

KIND = "account"
KEY = "account"
FEATURES = ("UsagePlans",)
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
_PATHS = {
    "/cloudwatchRoleArn": ("add", "replace", "remove"),
    "/features": ("add", "remove"),
    "/throttleSettings/burstLimit": ("replace",),
    "/throttleSettings/rateLimit": ("replace",),
}
_patcher = Patcher("apigateway", "Account")


def default_account() -> Doc:
    return {
        "throttleSettings": {"burstLimit": 5000, "rateLimit": 10000.0},
        "features": ["UsagePlans"],
        "apiKeyVersion": "4",
    }


async def load_account(ctx: OpContext) -> Doc:
    return await ctx.tx.get(KIND, "", KEY) or default_account()


@APIGATEWAY.op("GetAccount", write=False)
async def get_account(ctx: OpContext, params: Params) -> Doc:
    return await load_account(ctx)


@APIGATEWAY.op("UpdateAccount", write=True)
async def update_account(ctx: OpContext, params: Params) -> Doc:
    doc = await load_account(ctx)
    for operation in params.get("patchOperations") or []:
        doc = _apply(doc, operation)
    _check(doc)
    await ctx.tx.put(KIND, "", KEY, doc)
    return doc


def _apply(doc: Doc, operation: Doc) -> Doc:
    op, path = str(operation.get("op")), str(operation.get("path") or "")
    if op not in _PATHS.get(path, ()):
        raise invalid_path(op, path)
    if path == "/features":
        return _feature(doc, op, operation.get("value"))
    return _patcher.apply(doc, [operation])


def _feature(doc: Doc, op: str, value: object) -> Doc:
    if value not in FEATURES:
        raise BadRequestException(f"Invalid feature '{value}'. Must be one of: [{', '.join(FEATURES)}]")
    features = [f for f in doc.get("features", []) if f != value]
    if op == "add":
        features.append(str(value))
    return {**doc, "features": features}


def _check(doc: Doc) -> None:
    role = doc.get("cloudwatchRoleArn")
    if role is not None and not _ROLE_ARN.match(role):
        raise BadRequestException("The role ARN is not well formed")
    throttle = doc.get("throttleSettings") or {}
    if throttle.get("burstLimit", 0) < 0 or throttle.get("rateLimit", 0) < 0:
        raise BadRequestException("Throttle settings must not be negative")
