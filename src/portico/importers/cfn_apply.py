"""Applies a Stack at start-up, idempotently (AWS CloudFormation User Guide, "Update behaviors of
stack resources": unchanged resources are left alone): CreateFunction or UpdateFunctionCode /
UpdateFunctionConfiguration, ImportRestApi or PutRestApi (overwrite), one CreateDeployment when the
API changed, stages pointed at it, AddPermission."""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Awaitable
from typing import Any

from portico.controlplane import lambda_concurrency, lambda_functions, lambda_permissions
from portico.controlplane.apidoc import KIND as API_KIND
from portico.controlplane.deployments import create_deployment_doc
from portico.controlplane.errors import ApiError
from portico.controlplane.import_ops import create_api, update_api
from portico.controlplane.lambda_common import KIND as FUNCTION_KIND
from portico.controlplane.lambda_common import load_function
from portico.controlplane.registry import OpContext
from portico.controlplane.stages import DEPLOYMENT_KIND, STAGE_KIND, check_variables, new_stage, save_stage
from portico.importers.errors import ImportFailed
from portico.importers.stack import ApiSpec, FunctionSpec, PermissionSpec, Stack, StageSpec

log = logging.getLogger("portico.import")
Doc = dict[str, Any]
_CONFIGURATION = ("Runtime", "Handler", "Timeout", "MemorySize", "Description", "Role", "Environment")
_DEFAULTS: Doc = {"Timeout": 3, "MemorySize": 128, "Description": "", "Environment": {"Variables": {}}}


async def apply_stack(ctx: OpContext, stack: Stack) -> list[str]:
    """Create or update everything the stack names; returns the import warnings ("file:line: ...")."""
    warnings: list[str] = []
    for function in stack.functions:
        await _guarded(function.where, _function(ctx, function))
    for api in stack.apis:
        warnings.extend(await _guarded(api.where, _api(ctx, api)))
    for permission in stack.permissions:
        if (warning := await _guarded(permission.where, _permission(ctx, permission))) is not None:
            warnings.append(warning)
    return warnings


async def _guarded(where: str, step: Awaitable[Any]) -> Any:
    try:
        return await step
    except ApiError as exc:
        raise ImportFailed(f"{where}: {exc.message}") from None


# -- functions ------------------------------------------------------------------------------


async def _function(ctx: OpContext, spec: FunctionSpec) -> None:
    existing = await ctx.tx.get(FUNCTION_KIND, "", spec.name)
    if existing is None:
        await lambda_functions.create_function(ctx, spec.params)
        log.info("function %s created (%s)", spec.name, _code_label(spec.params["Code"]))
    else:
        await _update_function(ctx, spec, existing)
    await _concurrency(ctx, spec)


async def _update_function(ctx: OpContext, spec: FunctionSpec, existing: Doc) -> None:
    code = spec.params["Code"]
    if not _same_code(code, existing):
        await lambda_functions.update_function_code(ctx, {"FunctionName": spec.name, **code})
        existing = await ctx.tx.get(FUNCTION_KIND, "", spec.name) or existing
    wanted = {k: spec.params.get(k, _DEFAULTS.get(k)) for k in _CONFIGURATION}
    current = {k: existing.get(k, _DEFAULTS.get(k)) for k in _CONFIGURATION}
    if wanted != current:
        params = {"FunctionName": spec.name, **{k: v for k, v in wanted.items() if v is not None}}
        await lambda_functions.update_function_configuration(ctx, params)
        log.info("function %s updated", spec.name)


def _same_code(code: Doc, existing: Doc) -> bool:
    stored = existing.get("_code") or {}
    if code.get("S3Key"):
        return bool(stored.get("local")) and stored.get("dir") == code["S3Key"]
    if code.get("ZipFile") is not None:
        digest = base64.b64encode(hashlib.sha256(code["ZipFile"]).digest()).decode()
        return not stored.get("local") and existing.get("CodeSha256") == digest
    return False


async def _concurrency(ctx: OpContext, spec: FunctionSpec) -> None:
    doc = await ctx.tx.get(FUNCTION_KIND, "", spec.name) or {}
    if doc.get("_reservedConcurrency") == spec.reserved:
        return
    if spec.reserved is None:
        await lambda_concurrency.delete_function_concurrency(ctx, {"FunctionName": spec.name})
    else:
        params = {"FunctionName": spec.name, "ReservedConcurrentExecutions": spec.reserved}
        await lambda_concurrency.put_function_concurrency(ctx, params)


def _code_label(code: Doc) -> str:
    return f"code in {code['S3Key']}, hot reload" if code.get("S3Key") else "deployment package"


# -- REST APIs ------------------------------------------------------------------------------


async def _api(ctx: OpContext, spec: ApiSpec) -> list[str]:
    existing = await ctx.tx.get(API_KIND, "", spec.api_id)
    if existing is None:
        api, found = await create_api(ctx, spec.document, dict(spec.settings), api_id=spec.api_id)
    else:
        api, found = await update_api(ctx, existing, spec.document, dict(spec.settings), mode="overwrite")
    warnings = []
    for warning in found:
        line = spec.document.line_of(warning.path) if warning.path else None
        warnings.append(f"{spec.source_name}{f':{line}' if line else ''}: {warning.message}")
    if spec.fail_on_warnings and warnings:
        raise ImportFailed("\n".join(warnings))
    if spec.stages:
        if not spec.needs_methods and not _has_methods(api):
            warnings.append(f"{spec.where}: REST API {spec.api_id} has no methods, so it is not deployed")
        else:
            try:
                await _deploy(ctx, spec, api)
            except ApiError as exc:  # the import's warnings usually say why
                raise ImportFailed("\n".join([*warnings, f"{spec.where}: {exc.message}"])) from None
    return warnings


def _has_methods(api: Doc) -> bool:
    return any(res.get("resourceMethods") for res in api["_resources"].values())


async def _deploy(ctx: OpContext, spec: ApiSpec, api: Doc) -> None:
    """Stages that already serve the API as it is keep their deployment; otherwise one new
    deployment serves every stage of the stack."""
    stages = {s.name: await ctx.tx.get(STAGE_KIND, spec.api_id, s.name) for s in spec.stages}
    current = None
    for stage in stages.values():
        deployed = await ctx.tx.get(DEPLOYMENT_KIND, spec.api_id, (stage or {}).get("deploymentId") or "")
        if deployed is not None and deployed.get("_snapshot") == api:
            current = deployed["id"]
            break
    if current is None:
        params = {"restApiId": spec.api_id}
        if spec.description is not None:
            params["description"] = spec.description
        current = (await create_deployment_doc(ctx, params))["id"]
    for wanted in spec.stages:
        await _stage(ctx, spec.api_id, wanted, stages[wanted.name], current)


async def _stage(ctx: OpContext, api_id: str, wanted: StageSpec, stage: Doc | None, deployment: str) -> None:
    check_variables(wanted.variables)
    settings: Doc = {"variables": wanted.variables, "description": wanted.description}
    if stage is None:
        settings["tracingEnabled"] = wanted.tracing
        await save_stage(ctx, api_id, new_stage(ctx, wanted.name, deployment, settings))
        return
    updated = dict(stage, deploymentId=deployment)
    if wanted.variables:
        updated["variables"] = dict(wanted.variables)
    else:
        updated.pop("variables", None)
    if wanted.description is not None:
        updated["description"] = wanted.description
    if wanted.tracing is not None:
        updated["tracingEnabled"] = wanted.tracing
    if updated != stage:
        await save_stage(ctx, api_id, updated)


# -- permissions ----------------------------------------------------------------------------


async def _permission(ctx: OpContext, spec: PermissionSpec) -> str | None:
    if await ctx.tx.get(FUNCTION_KIND, "", spec.function) is None:
        return f"{spec.where}: function {spec.function} is not hosted by Portico; permission not stored"
    doc = await load_function(ctx, spec.function)
    sid = spec.params["StatementId"]
    statement = lambda_permissions.statement_of(spec.params, doc["FunctionArn"])
    known = [s for s in (doc.get("_policy") or {}).get("Statement", []) if s.get("Sid") == sid]
    if known == [statement]:
        return None
    if known:
        await lambda_permissions.remove_permission(ctx, {"FunctionName": spec.function, "StatementId": sid})
    await lambda_permissions.add_permission(ctx, spec.params)
    return None
