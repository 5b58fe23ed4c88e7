"""Resource operations (API Gateway REST API reference: CreateResource ... DeleteResource)."""

from __future__ import annotations

from portico.controlplane.apidoc import Doc, load_api, new_unique_id, paginate, save_api
from portico.controlplane.errors import BadRequestException, NotFoundException
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.resource_tree import (
    check_path_part,
    check_placement,
    child_path,
    children,
    is_greedy,
    is_in_subtree,
    repath,
    subtree_ids,
)
from portico.controlplane.rest_lookup import RESOURCE_NOT_FOUND, load_resource, resource_view

_PATCHABLE = ("/parentId", "/pathPart")


def _embeds_methods(params: Params) -> bool:
    values = [part.strip() for item in params.get("embed") or [] for part in str(item).split(",")]
    return "methods" in values


def _parent(resources: dict[str, Doc], parent_id: str | None) -> Doc:
    found = resources.get(parent_id or "")
    if found is None:
        raise NotFoundException(RESOURCE_NOT_FOUND)
    return found


@APIGATEWAY.op("CreateResource", write=True)
async def create_resource(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    resources = api["_resources"]
    parent = _parent(resources, params["parentId"])
    part = params["pathPart"]
    check_path_part(part)
    check_placement(resources, parent, part)
    rid = new_unique_id(ctx, resources, 10)
    res: Doc = {
        "id": rid,
        "parentId": parent["id"],
        "pathPart": part,
        "path": child_path(parent["path"], part),
        "resourceMethods": {},
    }
    resources[rid] = res
    await save_api(ctx, api)
    return resource_view(res, embed_methods=False)


@APIGATEWAY.op("GetResource", write=False)
async def get_resource(ctx: OpContext, params: Params) -> Doc:
    _, res = await load_resource(ctx, params)
    return resource_view(res, _embeds_methods(params))


@APIGATEWAY.op("GetResources", write=False)
async def get_resources(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    embed = _embeds_methods(params)
    ordered = sorted(api["_resources"].values(), key=lambda r: (r.get("path") or "", r["id"]))
    items = [resource_view(r, embed) for r in ordered]
    return paginate(items, params.get("position"), params.get("limit"))


def _resource_changes(operations: list[Doc]) -> dict[str, str]:
    """The new `parentId` / `pathPart` requested by UpdateResource's patch operations."""
    changes: dict[str, str] = {}
    for operation in operations:
        op, path = operation.get("op"), operation.get("path") or "null"
        if op != "replace":
            raise BadRequestException(
                f"Invalid patch path  '{path}' specified for op '{op}'. Please choose supported operations"
            )
        if path not in _PATCHABLE:
            raise BadRequestException(
                f"Invalid patch path  '{path}' specified for op 'replace'. "
                f"Must be one of: [{', '.join(_PATCHABLE)}]"
            )
        changes[str(path)[1:]] = operation.get("value") or ""
    return changes


def _move(resources: dict[str, Doc], res: Doc, changes: dict[str, str]) -> None:
    if not res.get("parentId"):
        field = "pathPart" if "pathPart" in changes else "parentId"
        raise BadRequestException(f"Root resource cannot update its {field}.")
    parent = _parent(resources, changes.get("parentId", res["parentId"]))
    if is_in_subtree(resources, parent["id"], res["id"]):
        raise BadRequestException("Resources cannot be cyclical.")
    part = str(changes.get("pathPart", res["pathPart"]))
    check_path_part(part)
    check_placement(resources, parent, part, self_id=res["id"])
    if is_greedy(part) and children(resources, res["id"]):
        raise BadRequestException(f"Cannot create a child of a resource with a greedy path variable: {part}")
    res["parentId"], res["pathPart"] = parent["id"], part
    repath(resources, res["id"])


@APIGATEWAY.op("UpdateResource", write=True)
async def update_resource(ctx: OpContext, params: Params) -> Doc:
    api, res = await load_resource(ctx, params)
    changes = _resource_changes(params.get("patchOperations") or [])
    if changes:
        _move(api["_resources"], res, changes)
        await save_api(ctx, api)
    return resource_view(res, embed_methods=False)


@APIGATEWAY.op("DeleteResource", write=True)
async def delete_resource(ctx: OpContext, params: Params) -> None:
    api, res = await load_resource(ctx, params)
    if not res.get("parentId"):
        raise BadRequestException("Root resource cannot be deleted")
    resources = api["_resources"]
    for rid in subtree_ids(resources, res["id"]):
        del resources[rid]
    await save_api(ctx, api)
    return None
