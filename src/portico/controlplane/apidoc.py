"""The stored REST API document and helpers shared by the REST API operation families.

One document per REST API (kind `restapi`) holds everything a deployment snapshots:
`_resources` (with methods, integrations and responses), `_models`, `_requestValidators`,
`_authorizers`, `_gatewayResponses`, `_documentationParts`, `_documentationVersions`.
Keys starting with `_` are internal; the serializer only emits modelled members.
"""

from __future__ import annotations

from typing import Any

from portico.controlplane.errors import BadRequestException, NotFoundException
from portico.controlplane.registry import OpContext

Doc = dict[str, Any]
KIND = "restapi"
INTERNAL = (
    "_resources",
    "_models",
    "_requestValidators",
    "_authorizers",
    "_gatewayResponses",
    "_documentationParts",
    "_documentationVersions",
)


async def load_api(ctx: OpContext, api_id: str) -> Doc:
    doc = await ctx.tx.get(KIND, "", api_id)
    if doc is None:
        raise NotFoundException(f"Invalid API identifier specified {ctx.account_id}:{api_id}")
    return doc


async def save_api(ctx: OpContext, doc: Doc) -> None:
    await ctx.tx.put(KIND, "", doc["id"], doc)


def public(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def resource(api: Doc, resource_id: str) -> Doc:
    found = api["_resources"].get(resource_id)
    if found is None:
        raise NotFoundException("Invalid Resource identifier specified")
    return found


def method(res: Doc, http_method: str) -> Doc:
    found = res.get("resourceMethods", {}).get(http_method.upper())
    if found is None:
        raise NotFoundException("Invalid Method identifier specified")
    return found


def new_unique_id(ctx: OpContext, taken: Any, n: int = 6) -> str:
    while True:
        candidate = ctx.ids.short(n)
        if candidate not in taken:
            return candidate


def paginate(items: list[Doc], position: str | None, limit: int | None) -> Doc:
    """`position`/`limit` paging as the Get* list operations do (default 25, maximum 500)."""
    size = 25 if limit is None else limit
    if size < 1 or size > 500:
        raise BadRequestException("Invalid limit: must be between 1 and 500")
    start = 0
    if position:
        if not position.isdigit():
            raise BadRequestException("Invalid position parameter")
        start = int(position)
    page = items[start : start + size]
    out: Doc = {"items": page}
    if start + size < len(items):
        out["position"] = str(start + size)
    return out
