"""BasePathMapping operations (API Gateway REST API reference: CreateBasePathMapping ... Delete).

Documents of kind `basepathmapping`, scope = domain name (`{name}+{domainNameId}` for a private one,
which maps only PRIVATE APIs), key = base path (`(none)` for the empty
base path, as AWS shows it). A mapping names an existing REST API and, optionally, one of its stages;
without a stage, callers put the stage name after the base path.
"""

from __future__ import annotations

import re
from typing import Any

from portico.controlplane.apidoc import paginate
from portico.controlplane.domain_private import is_private
from portico.controlplane.domains import MAPPING_KIND, domain_key, load_domain
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


async def check_target(ctx: OpContext, doc: Doc, private: bool = False) -> None:
    api_id = doc.get("restApiId") or ""
    api = await ctx.tx.get("restapi", "", api_id)
    if api is None:
        raise BadRequestException("Invalid REST API identifier specified")
    if private and not is_private(api):
        raise BadRequestException("A private custom domain name can only be mapped to a PRIVATE REST API")
    stage = doc.get("stage")
    if stage and await ctx.tx.get("stage", api_id, stage) is None:
        raise BadRequestException("Invalid stage identifier specified")


async def scope_of(ctx: OpContext, params: Params) -> tuple[str, bool]:
    """The mappings' scope of the domain name `params` name, and whether it is private."""
    domain = await load_domain(ctx, params["domainName"], params.get("domainNameId"))
    return domain_key(domain), is_private(domain)


async def load_mapping(ctx: OpContext, domain: str, base_path: str) -> Doc:
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
    domain, private = await scope_of(ctx, params)
    doc: Doc = {"basePath": normalise_base_path(params.get("basePath")), "restApiId": params["restApiId"]}
    if params.get("stage") and params["stage"] != NONE:
        doc["stage"] = params["stage"]
    await check_target(ctx, doc, private)
    await _save_new(ctx, domain, doc)
    return doc


@APIGATEWAY.op("GetBasePathMapping", write=False)
async def get_base_path_mapping(ctx: OpContext, params: Params) -> Doc:
    return await load_mapping(ctx, (await scope_of(ctx, params))[0], params["basePath"])


@APIGATEWAY.op("GetBasePathMappings", write=False)
async def get_base_path_mappings(ctx: OpContext, params: Params) -> Doc:
    domain, _ = await scope_of(ctx, params)
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
    domain, private = await scope_of(ctx, params)
    doc = await load_mapping(ctx, domain, params["basePath"])
    updated = _patched(doc, params.get("patchOperations"))
    await check_target(ctx, updated, private)
    if updated["basePath"] != doc["basePath"]:
        await _save_new(ctx, domain, updated)
        await ctx.tx.delete(KIND, domain, doc["basePath"])
    else:
        await ctx.tx.put(KIND, domain, doc["basePath"], updated)
    return updated


@APIGATEWAY.op("DeleteBasePathMapping", write=True)
async def delete_base_path_mapping(ctx: OpContext, params: Params) -> None:
    domain, _ = await scope_of(ctx, params)
    doc = await load_mapping(ctx, domain, params["basePath"])
    await ctx.tx.delete(KIND, domain, doc["basePath"])
    return None
