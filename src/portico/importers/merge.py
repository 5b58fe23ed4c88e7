"""Apply imported definitions to an existing REST API: PutRestApi mode=merge|overwrite.

API Gateway Developer Guide: "Update an existing REST API using OpenAPI definitions" (merge keeps
what the definition does not mention, its methods override; overwrite replaces everything).
Ids stay stable: resources are matched by path, authorizers and validators by name, models by name.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from portico.importers.openapi_extensions import location_key

Doc = dict[str, Any]
MODES = ("merge", "overwrite")
API_MEMBERS = ("name", "description", "version", "binaryMediaTypes", "minimumCompressionSize", "policy")
_RESET_ON_OVERWRITE = ("description", "binaryMediaTypes", "minimumCompressionSize", "policy")


def apply(existing: Doc, parts: Doc, mode: str, new_id: Callable[[int], str]) -> Doc:
    """A new API document: `existing` updated with `parts` (from `to_api`, root = existing root)."""
    api = copy.deepcopy(existing)
    parts = copy.deepcopy(parts)
    overwrite = mode == "overwrite"
    authorizer_ids = _match_by_name(api["_authorizers"], parts["_authorizers"])
    validator_ids = _match_by_name(api["_requestValidators"], parts["_requestValidators"])
    api["_authorizers"] = _combine(api["_authorizers"], parts["_authorizers"], authorizer_ids, overwrite)
    api["_requestValidators"] = _combine(
        api["_requestValidators"], parts["_requestValidators"], validator_ids, overwrite
    )
    _relink_methods(parts["_resources"], authorizer_ids, validator_ids)
    api["_resources"] = _resources(api, parts["_resources"], overwrite, new_id)
    api["_models"] = _models(api["_models"], parts["_models"], overwrite)
    api["_gatewayResponses"] = (
        parts["_gatewayResponses"]
        if overwrite
        else {**api["_gatewayResponses"], **parts["_gatewayResponses"]}
    )
    if "_documentationParts" in parts:
        api["_documentationParts"] = _documentation(
            api["_documentationParts"], parts["_documentationParts"], overwrite
        )
    _members(api, parts, overwrite)
    return api


def _match_by_name(old: dict[str, Doc], new: dict[str, Doc]) -> dict[str, str]:
    """new id -> id to keep (the existing one of the same name, else the new one)."""
    by_name = {doc["name"]: ident for ident, doc in old.items()}
    return {ident: by_name.get(doc["name"], ident) for ident, doc in new.items()}


def _combine(
    old: dict[str, Doc], new: dict[str, Doc], ids: dict[str, str], overwrite: bool
) -> dict[str, Doc]:
    out = {} if overwrite else dict(old)
    for ident, doc in new.items():
        kept = ids[ident]
        out[kept] = {**doc, "id": kept}
    return out


def _relink_methods(
    resources: dict[str, Doc], authorizers: dict[str, str], validators: dict[str, str]
) -> None:
    for res in resources.values():
        for method in (res.get("resourceMethods") or {}).values():
            if method.get("authorizerId") in authorizers:
                method["authorizerId"] = authorizers[method["authorizerId"]]
            if method.get("requestValidatorId") in validators:
                method["requestValidatorId"] = validators[method["requestValidatorId"]]


def _resources(
    api: Doc, imported: dict[str, Doc], overwrite: bool, new_id: Callable[[int], str]
) -> dict[str, Doc]:
    existing_by_path = {r["path"]: r for r in api["_resources"].values()}
    taken = set(api["_resources"]) | set(imported)
    ids: dict[str, str] = {}
    for ident, res in imported.items():
        found = existing_by_path.get(res["path"])
        if found is not None:
            ids[ident] = found["id"]
        elif ident in api["_resources"]:
            fresh = new_id(6)
            while fresh in taken:
                fresh = new_id(6)
            taken.add(fresh)
            ids[ident] = fresh
        else:
            ids[ident] = ident
    out: dict[str, Doc] = {} if overwrite else copy.deepcopy(api["_resources"])
    for ident, res in imported.items():
        moved = {**res, "id": ids[ident]}
        if res.get("parentId"):
            moved["parentId"] = ids[res["parentId"]]
        _retarget_cache_namespace(moved, ident)
        target = out.get(moved["id"])
        if target is None or overwrite:
            out[moved["id"]] = moved
        elif moved.get("resourceMethods"):
            target.setdefault("resourceMethods", {}).update(moved["resourceMethods"])
    return out


def _retarget_cache_namespace(res: Doc, old_id: str) -> None:
    for method in (res.get("resourceMethods") or {}).values():
        integration = method.get("methodIntegration")
        if integration and integration.get("cacheNamespace") == old_id:
            integration["cacheNamespace"] = res["id"]


def _models(old: dict[str, Doc], new: dict[str, Doc], overwrite: bool) -> dict[str, Doc]:
    out = {} if overwrite else dict(old)
    for name, model in new.items():
        kept = old.get(name, {}).get("id", model["id"])
        out[name] = {**model, "id": kept}
    return out


def _documentation(old: dict[str, Doc], new: dict[str, Doc], overwrite: bool) -> dict[str, Doc]:
    out = {} if overwrite else dict(old)
    by_location: dict[str, str] = {location_key(p["location"]): ident for ident, p in old.items()}
    for part in new.values():
        kept = by_location.get(location_key(part["location"]), str(part["id"]))
        out[kept] = {**part, "id": kept}
    return out


def _members(api: Doc, parts: Doc, overwrite: bool) -> None:
    if overwrite:
        for key in _RESET_ON_OVERWRITE:
            api.pop(key, None)
        api["apiKeySource"] = parts.get("apiKeySource", "HEADER")
    elif "apiKeySource" in parts:
        api["apiKeySource"] = parts["apiKeySource"]
    for key in API_MEMBERS:
        if key in parts:
            api[key] = parts[key]
    if "disableExecuteApiEndpoint" in parts:
        api["disableExecuteApiEndpoint"] = parts["disableExecuteApiEndpoint"]
