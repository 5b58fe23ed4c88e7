"""Deployment operations (API Gateway REST API reference: CreateDeployment ... DeleteDeployment).

A deployment stores an immutable deep copy of the REST API document under `_snapshot`; the
compiler builds the runtime routes of a stage from the snapshot of the deployment it points to.
"""

from __future__ import annotations

import copy

from portico.controlplane.apidoc import Doc, load_api, paginate
from portico.controlplane.errors import BadRequestException, NotFoundException
from portico.controlplane.patch import Patcher, invalid_path
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.stages import (
    DEPLOYMENT_KIND,
    STAGE_KIND,
    canary_settings,
    check_stage_name,
    check_variables,
    new_stage,
    save_stage,
    set_cache_cluster,
    stages_of,
)

KIND = DEPLOYMENT_KIND
SNAPSHOT = "_snapshot"
_patcher = Patcher("apigateway", "Deployment", readonly=("id", "createdDate", "apiSummary"))
_PATCHABLE = ("/description",)


async def deploy(
    ctx: OpContext,
    api_id: str,
    stage_name: str,
    *,
    description: str | None = None,
    variables: dict[str, str] | None = None,
) -> Doc:
    """Deploy the API's current state and point `stage_name` at it (creating the stage if needed).

    Raises the same errors as CreateDeployment (e.g. an API without methods cannot be deployed).
    Returns the stored deployment document (including its `_snapshot`).
    """
    params: Params = {"restApiId": api_id, "stageName": stage_name}
    if description is not None:
        params["description"] = description
    if variables:
        params["variables"] = variables
    return await create_deployment_doc(ctx, params)


def check_deployable(api: Doc) -> None:
    methods = [m for res in api["_resources"].values() for m in (res.get("resourceMethods") or {}).values()]
    if not methods:
        raise BadRequestException("The REST API doesn't contain any methods")
    if any(m.get("methodIntegration") is None for m in methods):
        raise BadRequestException("No integration defined for method")


async def create_deployment_doc(ctx: OpContext, params: Params) -> Doc:
    api_id = params["restApiId"]
    api = await load_api(ctx, api_id)
    stage_name = params.get("stageName")
    canary = params.get("canarySettings")
    if stage_name is not None:
        check_stage_name(stage_name)
    elif canary is not None:
        raise BadRequestException("A stage name is required to create a canary release deployment")
    check_variables(params.get("variables"))
    stage = await ctx.tx.get(STAGE_KIND, api_id, stage_name) if stage_name else None
    if canary is not None and stage is None:
        raise NotFoundException("Invalid Stage identifier specified")
    check_deployable(api)
    doc: Doc = {"id": await _new_id(ctx, api_id), "createdDate": ctx.now()}
    if params.get("description") is not None:
        doc["description"] = params["description"]
    doc[SNAPSHOT] = copy.deepcopy(api)
    await ctx.tx.put(KIND, api_id, doc["id"], doc)
    if stage is not None and canary is not None:
        stage["canarySettings"] = await canary_settings(ctx, api_id, {**canary, "deploymentId": doc["id"]})
        await save_stage(ctx, api_id, stage)
    elif stage_name:
        await _point_stage(ctx, api_id, stage_name, stage, doc["id"], params)
    return doc


async def _new_id(ctx: OpContext, api_id: str) -> str:
    while True:
        candidate = ctx.ids.short(6)
        if await ctx.tx.get(KIND, api_id, candidate) is None:
            return candidate


async def _point_stage(
    ctx: OpContext, api_id: str, name: str, stage: Doc | None, deployment_id: str, params: Params
) -> None:
    if stage is None:
        settings = {**params, "description": params.get("stageDescription")}
        await save_stage(ctx, api_id, new_stage(ctx, name, deployment_id, settings))
        return
    stage["deploymentId"] = deployment_id
    if params.get("stageDescription") is not None:
        stage["description"] = params["stageDescription"]
    if params.get("variables"):
        stage["variables"] = {**stage.get("variables", {}), **params["variables"]}
    if params.get("tracingEnabled") is not None:
        stage["tracingEnabled"] = params["tracingEnabled"]
    set_cache_cluster(stage, params.get("cacheClusterEnabled"), params.get("cacheClusterSize"))
    await save_stage(ctx, api_id, stage)


async def load_deployment(ctx: OpContext, api_id: str, deployment_id: str) -> Doc:
    await load_api(ctx, api_id)
    doc = await ctx.tx.get(KIND, api_id, deployment_id)
    if doc is None:
        raise NotFoundException("Invalid Deployment identifier specified")
    return doc


def api_summary(snapshot: Doc) -> Doc:
    """`{path: {METHOD: {authorizationType, apiKeyRequired}}}` of the deployed API."""
    summary: Doc = {}
    for res in snapshot["_resources"].values():
        methods = res.get("resourceMethods") or {}
        if methods:
            summary[res["path"]] = {
                verb: {
                    "authorizationType": m.get("authorizationType", "NONE"),
                    "apiKeyRequired": bool(m.get("apiKeyRequired", False)),
                }
                for verb, m in methods.items()
            }
    return summary


def public(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


@APIGATEWAY.op("CreateDeployment", write=True)
async def create_deployment(ctx: OpContext, params: Params) -> Doc:
    return public(await create_deployment_doc(ctx, params))


@APIGATEWAY.op("GetDeployment", write=False)
async def get_deployment(ctx: OpContext, params: Params) -> Doc:
    doc = await load_deployment(ctx, params["restApiId"], params["deploymentId"])
    out = public(doc)
    embeds = {e.strip().lower() for item in params.get("embed") or [] for e in item.split(",")}
    if "apisummary" in embeds:
        out["apiSummary"] = api_summary(doc[SNAPSHOT])
    return out


@APIGATEWAY.op("GetDeployments", write=False)
async def get_deployments(ctx: OpContext, params: Params) -> Doc:
    api_id = params["restApiId"]
    await load_api(ctx, api_id)
    items = [public(d) for d in await ctx.tx.list(KIND, api_id)]
    return paginate(items, params.get("position"), params.get("limit"))


@APIGATEWAY.op("UpdateDeployment", write=True)
async def update_deployment(ctx: OpContext, params: Params) -> Doc:
    api_id = params["restApiId"]
    doc = await load_deployment(ctx, api_id, params["deploymentId"])
    operations = params.get("patchOperations") or []
    for op in operations:
        if op.get("path") not in _PATCHABLE:
            raise invalid_path(str(op.get("op")), str(op.get("path")))
    updated = _patcher.apply(doc, operations)
    await ctx.tx.put(KIND, api_id, updated["id"], updated)
    return public(updated)


@APIGATEWAY.op("DeleteDeployment", write=True)
async def delete_deployment(ctx: OpContext, params: Params) -> None:
    api_id = params["restApiId"]
    doc = await load_deployment(ctx, api_id, params["deploymentId"])
    for stage in await stages_of(ctx, api_id):
        canary = stage.get("canarySettings") or {}
        if doc["id"] in (stage.get("deploymentId"), canary.get("deploymentId")):
            raise BadRequestException("Active stages pointing to this deployment must be moved or deleted")
    await ctx.tx.delete(KIND, api_id, doc["id"])
    return None
