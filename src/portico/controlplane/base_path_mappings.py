"""BasePathMapping operations (API Gateway REST API reference: CreateBasePathMapping ... Delete).

Documents of kind `basepathmapping`, scope = domain name, key = base path (`(none)` for the empty
base path, as AWS shows it). A mapping names an existing REST API and, optionally, one of its stages;
without a stage, callers put the stage name after the base path.
"""

from __future__ import annotations

import re
from typing import Any

from portico.controlplane.apidoc import paginate
from portico.controlplane.domains import MAPPING_KIND, load_domain
from portico.controlplane.errors import BadRequestException, ConflictException, NotFoundException
from portico.controlplane.fieldpatch import parse_ops
from portico.controlplane.registry import APIGATEWAY, OpContext, Params

KIND = MAPPING_KIND
NONE = "(none)"
Doc = dict[str, Any]

_BASE_PATH = re.compile(r"^[A-Za-z0-9$\-_.+!*'()]+$")
_PATHS = {"/basePath": "basePath", "/restapiId": "restApiId", "/restApiId": "restApiId", "/stage": "stage"}


def normalise_base_path(value: str | None) -> str:
    if value is None or value in ("", NONE):
        return NONE
    if "/" in value:
        raise BadRequestException(
            "API Gateway V1 doesn't support the slash character (/) in base path mappings. "
            "To create a multi-level base path mapping, use API Gateway V2."
        )
    if not _BASE_PATH.match(value):
        raise BadRequestException(
            f"Invalid base path '{value}': only alphanumerics and the characters $-_.+!*'() are allowed"
        )
    return value


async def check_target(ctx: OpContext, doc: Doc) -> None:
    api_id = doc.get("restApiId") or ""
    if await ctx.tx.get("restapi", "", api_id) is None:
        raise BadRequestException("Invalid REST API identifier specified")
    stage = doc.get("stage")
    if stage and await ctx.tx.get("stage", api_id, stage) is None:
        raise BadRequestException("Invalid stage identifier specified")


async def load_mapping(ctx: OpContext, domain: str, base_path: str) -> Doc:
    await load_domain(ctx, domain)
    doc = await ctx.tx.get(KIND, domain, base_path or NONE)
    if doc is None:
        raise NotFoundException("Invalid base path mapping identifier specified")
    return doc


async def _save_new(ctx: OpContext, domain: str, doc: Doc) -> None:
    if await ctx.tx.get(KIND, domain, doc["basePath"]) is not None:
        raise ConflictException("Base path already exists for this domain name")
    await ctx.tx.put(KIND, domain, doc["basePath"], doc)


@APIGATEWAY.op("CreateBasePathMapping", write=True)
async def create_base_path_mapping(ctx: OpContext, params: Params) -> Doc:
    domain = (await load_domain(ctx, params["domainName"]))["domainName"]
    doc: Doc = {"basePath": normalise_base_path(params.get("basePath")), "restApiId": params["restApiId"]}
    if params.get("stage") and params["stage"] != NONE:
        doc["stage"] = params["stage"]
    await check_target(ctx, doc)
    await _save_new(ctx, domain, doc)
    return doc


@APIGATEWAY.op("GetBasePathMapping", write=False)
async def get_base_path_mapping(ctx: OpContext, params: Params) -> Doc:
    return await load_mapping(ctx, params["domainName"], params["basePath"])


@APIGATEWAY.op("GetBasePathMappings", write=False)
async def get_base_path_mappings(ctx: OpContext, params: Params) -> Doc:
    domain = (await load_domain(ctx, params["domainName"]))["domainName"]
    items = await ctx.tx.list(KIND, domain)
    return paginate(items, params.get("position"), params.get("limit"))


def _patched(doc: Doc, operations: list[Doc] | None) -> Doc:
    updated = dict(doc)
    for patch in parse_ops(operations):
        member = _PATHS.get(patch.path)
        if member is None or patch.op != "replace":
            raise BadRequestException(
                f"Invalid patch path  '{patch.path}' specified for op '{patch.op}'. "
                "Must be one of: [/basePath, /restapiId, /stage]"
            )
        value = "" if patch.value is None else str(patch.value)
        if member == "basePath":
            updated["basePath"] = normalise_base_path(value)
        elif member == "stage" and value in ("", NONE):
            updated.pop("stage", None)
        else:
            updated[member] = value
    return updated


@APIGATEWAY.op("UpdateBasePathMapping", write=True)
async def update_base_path_mapping(ctx: OpContext, params: Params) -> Doc:
    domain = params["domainName"]
    doc = await load_mapping(ctx, domain, params["basePath"])
    updated = _patched(doc, params.get("patchOperations"))
    await check_target(ctx, updated)
    if updated["basePath"] != doc["basePath"]:
        await _save_new(ctx, domain, updated)
        await ctx.tx.delete(KIND, domain, doc["basePath"])
    else:
        await ctx.tx.put(KIND, domain, doc["basePath"], updated)
    return updated


@APIGATEWAY.op("DeleteBasePathMapping", write=True)
async def delete_base_path_mapping(ctx: OpContext, params: Params) -> None:
    doc = await load_mapping(ctx, params["domainName"], params["basePath"])
    await ctx.tx.delete(KIND, params["domainName"], doc["basePath"])
    return None
