"""Stage operations (API Gateway REST API reference: CreateStage ... FlushStageAuthorizersCache)."""

from __future__ import annotations

import copy
import re
from typing import Any

from portico.controlplane import method_settings
from portico.controlplane.apidoc import Doc, load_api
from portico.controlplane.errors import BadRequestException, ConflictException, NotFoundException
from portico.controlplane.patch import Patcher
from portico.controlplane.registry import APIGATEWAY, OpContext, Params

KIND = "stage"
STAGE_KIND = KIND
DEPLOYMENT_KIND = "deployment"

_STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]+$")
_VARIABLE_VALUE = re.compile(r"^[A-Za-z0-9\-._~:/?#&=,]+$")
_PATCHABLE = re.compile(
    r"^/(deploymentId|description|cacheClusterEnabled|cacheClusterSize|clientCertificateId"
    r"|documentationVersion|tracingEnabled|accessLogSettings(/destinationArn|/format)?"
    r"|canarySettings(/deploymentId|/percentTraffic|/useStageCache|/stageVariableOverrides/[^/]+)?"
    r"|variables/[^/]+)$"
)
_patcher = Patcher("apigateway", "Stage")
CACHE_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")


def check_stage_name(name: str) -> None:
    if not _STAGE_NAME.match(name or ""):
        raise BadRequestException("Stage name only allows a-zA-Z0-9_-")


def check_variables(variables: dict[str, str] | None, what: str = "Stage variable") -> None:
    for name, value in (variables or {}).items():
        if not _VARIABLE_NAME.match(name):
            raise BadRequestException(
                f"{what} name '{name}' is invalid: only alphanumeric and underscore characters are allowed"
            )
        if not isinstance(value, str) or not _VARIABLE_VALUE.match(value):
            raise BadRequestException(
                f"{what} value '{value}' for '{name}' is invalid: "
                "it must match the regular expression [A-Za-z0-9-._~:/?#&=,]+"
            )


def check_percent(value: Any) -> None:
    if value is not None and not 0.0 <= float(value) <= 100.0:
        raise BadRequestException("Canary traffic percentage must be between 0.0 and 100.0")


async def load_stage(ctx: OpContext, api_id: str, name: str) -> Doc:
    await load_api(ctx, api_id)
    doc = await ctx.tx.get(KIND, api_id, name)
    if doc is None:
        raise NotFoundException("Invalid Stage identifier specified")
    return doc


async def save_stage(ctx: OpContext, api_id: str, doc: Doc) -> None:
    doc["lastUpdatedDate"] = ctx.now()
    await ctx.tx.put(KIND, api_id, doc["stageName"], doc)


async def check_deployment_exists(ctx: OpContext, api_id: str, deployment_id: str) -> None:
    if await ctx.tx.get(DEPLOYMENT_KIND, api_id, deployment_id) is None:
        raise NotFoundException("Invalid Deployment identifier specified")


def set_cache_cluster(doc: Doc, enabled: bool | None, size: str | None) -> None:
    """Apply cache cluster settings; the status follows (there is no provisioning delay here)."""
    if enabled is not None:
        doc["cacheClusterEnabled"] = bool(enabled)
    if size is not None:
        if size not in CACHE_SIZES:
            raise BadRequestException(
                f"Invalid cache cluster size {size}. Must be one of: {list(CACHE_SIZES)}"
            )
        doc["cacheClusterSize"] = size
    if doc.get("cacheClusterEnabled"):
        doc.setdefault("cacheClusterSize", "0.5")
        doc["cacheClusterStatus"] = "AVAILABLE"
    else:
        doc["cacheClusterStatus"] = "NOT_AVAILABLE"


def new_stage(ctx: OpContext, name: str, deployment_id: str, params: Params) -> Doc:
    """A Stage document from CreateStage-like parameters (validated)."""
    check_stage_name(name)
    check_variables(params.get("variables"))
    now = ctx.now()
    doc: Doc = {
        "stageName": name,
        "deploymentId": deployment_id,
        "methodSettings": {},
        "tracingEnabled": bool(params.get("tracingEnabled") or False),
        "createdDate": now,
        "lastUpdatedDate": now,
    }
    for key in ("description", "documentationVersion"):
        if params.get(key) is not None:
            doc[key] = params[key]
    if params.get("variables"):
        doc["variables"] = dict(params["variables"])
    if params.get("tags"):
        doc["tags"] = dict(params["tags"])
    set_cache_cluster(doc, bool(params.get("cacheClusterEnabled") or False), params.get("cacheClusterSize"))
    return doc


async def stages_of(ctx: OpContext, api_id: str) -> list[Doc]:
    return await ctx.tx.list(KIND, api_id)


@APIGATEWAY.op("CreateStage", write=True)
async def create_stage(ctx: OpContext, params: Params) -> Doc:
    api_id, name = params["restApiId"], params["stageName"]
    await load_api(ctx, api_id)
    check_stage_name(name)
    await check_deployment_exists(ctx, api_id, params["deploymentId"])
    if await ctx.tx.get(KIND, api_id, name) is not None:
        raise ConflictException("Stage already exists")
    doc = new_stage(ctx, name, params["deploymentId"], params)
    canary = params.get("canarySettings")
    if canary:
        canary = {"deploymentId": params["deploymentId"], **canary}
        doc["canarySettings"] = await canary_settings(ctx, api_id, canary)
    await save_stage(ctx, api_id, doc)
    return doc


async def canary_settings(ctx: OpContext, api_id: str, canary: Doc) -> Doc:
    check_percent(canary.get("percentTraffic"))
    check_variables(canary.get("stageVariableOverrides"), "Stage variable override")
    if canary.get("deploymentId"):
        await check_deployment_exists(ctx, api_id, canary["deploymentId"])
    settings: Doc = {
        "percentTraffic": float(canary.get("percentTraffic") or 0.0),
        "useStageCache": bool(canary.get("useStageCache") or False),
    }
    if canary.get("deploymentId"):
        settings["deploymentId"] = canary["deploymentId"]
    if canary.get("stageVariableOverrides"):
        settings["stageVariableOverrides"] = dict(canary["stageVariableOverrides"])
    return settings


@APIGATEWAY.op("GetStage", write=False)
async def get_stage(ctx: OpContext, params: Params) -> Doc:
    return await load_stage(ctx, params["restApiId"], params["stageName"])


@APIGATEWAY.op("GetStages", write=False)
async def get_stages(ctx: OpContext, params: Params) -> Doc:
    api_id = params["restApiId"]
    await load_api(ctx, api_id)
    wanted = params.get("deploymentId")
    stages = await stages_of(ctx, api_id)
    if wanted:
        stages = [s for s in stages if s.get("deploymentId") == wanted]
    return {"item": stages}


@APIGATEWAY.op("UpdateStage", write=True)
async def update_stage(ctx: OpContext, params: Params) -> Doc:
    api_id = params["restApiId"]
    before = await load_stage(ctx, api_id, params["stageName"])
    doc = copy.deepcopy(before)
    for operation in params.get("patchOperations") or []:
        doc = _patch_one(doc, operation)
    await _check_patched(ctx, api_id, before, doc)
    await save_stage(ctx, api_id, doc)
    return doc


def _patch_one(doc: Doc, operation: Doc) -> Doc:
    op, path = str(operation.get("op")), str(operation.get("path") or "")
    if op in ("copy", "move"):
        return _copy(doc, op, str(operation.get("from") or ""), path)
    if _PATCHABLE.match(path) and (op == "remove" or path not in ("/canarySettings", "/accessLogSettings")):
        had_canary = "canarySettings" in doc
        doc = _patcher.apply(doc, [operation])
        if path.startswith("/canarySettings/") and not had_canary:
            doc["canarySettings"] = {**_new_canary(doc), **doc["canarySettings"]}
        return doc
    target = method_settings.parse_path(path)
    if target is None:
        raise method_settings.invalid_path(path)
    settings = method_settings.apply(doc.get("methodSettings", {}), op, target, operation.get("value"), path)
    return {**doc, "methodSettings": settings}


def _copy(doc: Doc, op: str, source: str, path: str) -> Doc:
    """Canary promotion (Developer Guide, "Promote a canary release"): copy the canary's
    deploymentId to /deploymentId and its stageVariableOverrides into /variables."""
    canary = doc.get("canarySettings") or {}
    if op == "copy" and (source, path) == ("/canarySettings/deploymentId", "/deploymentId"):
        if not canary.get("deploymentId"):
            raise BadRequestException(
                "Cannot copy from /canarySettings/deploymentId: the stage has no canary"
            )
        return {**doc, "deploymentId": canary["deploymentId"]}
    if op == "copy" and (source, path) == ("/canarySettings/stageVariableOverrides", "/variables"):
        return {**doc, "variables": {**doc.get("variables", {}), **canary.get("stageVariableOverrides", {})}}
    raise method_settings.invalid_path(path)


def _new_canary(doc: Doc) -> Doc:
    """A canary added by UpdateStage starts on the stage's own deployment (AWS console behaviour)."""
    return {"deploymentId": doc.get("deploymentId"), "percentTraffic": 0.0, "useStageCache": False}


async def _check_patched(ctx: OpContext, api_id: str, before: Doc, doc: Doc) -> None:
    if not doc.get("deploymentId"):
        raise BadRequestException("Invalid patch path '/deploymentId': a stage must point to a deployment")
    if doc["deploymentId"] != before["deploymentId"]:
        await check_deployment_exists(ctx, api_id, doc["deploymentId"])
    check_variables(doc.get("variables"))
    set_cache_cluster(doc, None, doc.get("cacheClusterSize"))
    await _check_canary(ctx, api_id, before, doc.get("canarySettings"))
    _check_access_log(doc.get("accessLogSettings"))
    cert = str(doc.get("clientCertificateId") or "")
    changed = cert and cert != before.get("clientCertificateId")
    if changed and await ctx.tx.get("clientcertificate", "", cert) is None:
        raise NotFoundException("Invalid Client Certificate identifier specified")
    for holder in (doc, doc.get("canarySettings") or {}):
        for key in ("variables", "stageVariableOverrides", "accessLogSettings"):
            if holder.get(key) == {}:
                del holder[key]


async def _check_canary(ctx: OpContext, api_id: str, before: Doc, canary: Doc | None) -> None:
    if canary is None:
        return
    check_percent(canary.get("percentTraffic"))
    check_variables(canary.get("stageVariableOverrides"), "Stage variable override")
    old = (before.get("canarySettings") or {}).get("deploymentId")
    if canary.get("deploymentId") and canary["deploymentId"] != old:
        await check_deployment_exists(ctx, api_id, canary["deploymentId"])


def _check_access_log(settings: Doc | None) -> None:
    if not settings:
        return
    fmt = settings.get("format")
    if fmt is not None and "$context.requestId" not in fmt and "$context.extendedRequestId" not in fmt:
        raise BadRequestException("Access Log format must contain $context.requestId")
    arn = settings.get("destinationArn")
    if arn is not None and not arn.startswith("arn:"):
        raise BadRequestException(f"Invalid ARN specified in the request: {arn}")


@APIGATEWAY.op("DeleteStage", write=True)
async def delete_stage(ctx: OpContext, params: Params) -> None:
    doc = await load_stage(ctx, params["restApiId"], params["stageName"])
    await ctx.tx.delete(KIND, params["restApiId"], doc["stageName"])
    return None


@APIGATEWAY.op("FlushStageCache", write=False)
async def flush_stage_cache(ctx: OpContext, params: Params) -> None:
    # The response cache lives in the data plane (traffic/cache.py), keyed by api/stage; it will
    # subscribe to this operation through the change feed. Until then only the stage is validated.
    await load_stage(ctx, params["restApiId"], params["stageName"])
    return None


@APIGATEWAY.op("FlushStageAuthorizersCache", write=False)
async def flush_stage_authorizers_cache(ctx: OpContext, params: Params) -> None:
    # The authorizer result cache of this process's data plane (auth/authorizer_cache.py).
    doc = await load_stage(ctx, params["restApiId"], params["stageName"])
    if ctx.data_plane is not None:
        ctx.data_plane.authorizer_cache.flush(params["restApiId"], doc["stageName"])
    return None
