"""`portico serve FILE`: import FILE as a REST API and deploy it to the configured stage.

Same semantics as ImportRestApi followed by CreateDeployment (API Gateway Developer Guide: "Import a
REST API", "Deploy a REST API"). Restarting on the same data directory re-imports the file into the
same API (PutRestApi mode=overwrite, ids kept), so there is never a duplicate.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from portico.controlplane.apidoc import KIND as API_KIND
from portico.controlplane.deployments import deploy
from portico.controlplane.errors import ApiError
from portico.controlplane.import_ops import create_api, update_api
from portico.controlplane.registry import Ids, OpContext
from portico.controlplane.stages import DEPLOYMENT_KIND, STAGE_KIND
from portico.importers.diagnostics import DefinitionError, ImportWarning
from portico.importers.errors import ImportFailed
from portico.importers.openapi import Document, parse
from portico.settings import Settings
from portico.store.base import Doc, Store, Tx
from portico.wire import Request

log = logging.getLogger("portico.import")
ID_EXTENSION = "x-portico-id"
_VALID_ID = re.compile(r"^[a-z0-9]{1,64}$")
_SETTINGS = {"basepath": "ignore", "ignore_documentation": False, "endpoint": None}


def read_definition(path: str) -> Document:
    try:
        body = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read the file: {exc.strerror}") from None
    try:
        return parse(body)
    except DefinitionError as exc:
        raise ImportFailed(f"{path}: {exc.describe()}") from None


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""  # read_definition reports it


def stable_api_id(document: Document, path: str) -> str:
    """`x-portico-id` from the file, else an id derived from the file's absolute path."""
    chosen = document.data.get(ID_EXTENSION)
    if chosen is not None:
        if not isinstance(chosen, str) or not _VALID_ID.match(chosen):
            raise ImportFailed(
                f"{path}: {ID_EXTENSION} must be 1 to 64 lower-case letters and digits (line "
                f"{document.line_of((ID_EXTENSION,))})"
            )
        return chosen
    return hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:10]


async def import_and_deploy(store: Store, settings: Settings, path: str) -> str:
    """Import (or re-import) the file, deploy it to `settings.stage`; returns the API id. SAM and
    CloudFormation templates and portico.yaml files go to importers/templates.py (the first API's id)."""
    from portico.importers import templates

    text = _read_text(path)
    kind, data = templates.detect(text, path)
    if kind != templates.OPENAPI:
        stack = await templates.import_file(store, settings, path, text, kind, data)
        return stack.apis[0].api_id if stack.apis else ""
    document = read_definition(path)
    api_id = stable_api_id(document, path)
    async with store.write(settings.default_region) as tx:
        ctx = context(tx, settings)
        try:
            warnings = await _import(ctx, document, api_id)
            await _deploy_if_changed(ctx, api_id, settings.stage)
        except ApiError as exc:
            raise ImportFailed(f"{path}: {exc.message}") from None
    for warning in warnings:
        line = document.line_of(warning.path) if warning.path else None
        log.warning("%s%s: %s", path, f":{line}" if line else "", warning.message)
    return api_id


def context(tx: Tx, settings: Settings) -> OpContext:
    request = Request("POST", "/restapis?mode=import", [("host", "localhost")])
    return OpContext(settings.default_region, settings.account_id, tx, request, settings, Ids())


async def _import(ctx: OpContext, document: Document, api_id: str) -> list[ImportWarning]:
    existing = await ctx.tx.get(API_KIND, "", api_id)
    if existing is None:
        _, warnings = await create_api(ctx, document, dict(_SETTINGS), api_id=api_id)
    else:
        _, warnings = await update_api(ctx, existing, document, dict(_SETTINGS), mode="overwrite")
    return warnings


async def _deploy_if_changed(ctx: OpContext, api_id: str, stage_name: str) -> None:
    api = await ctx.tx.get(API_KIND, "", api_id)
    stage = await ctx.tx.get(STAGE_KIND, api_id, stage_name)
    if stage is not None and api is not None:
        deployed: Doc | None = await ctx.tx.get(DEPLOYMENT_KIND, api_id, stage.get("deploymentId") or "")
        if deployed is not None and deployed.get("_snapshot") == api:
            return
    await deploy(ctx, api_id, stage_name, description=f"portico serve: {api.get('name') if api else api_id}")
