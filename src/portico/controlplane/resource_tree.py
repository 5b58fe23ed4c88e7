"""Rules of the REST API resource tree (API Gateway Developer Guide: "Set up API resources", proxy resources).

Pure functions over `api["_resources"]` (`{id: {id, parentId, pathPart, path, resourceMethods}}`):
path-part syntax, sibling and greedy-variable rules, subtree walks and path recomputation.
"""

from __future__ import annotations

import re
from typing import Any

from portico.controlplane.errors import BadRequestException, ConflictException

Doc = dict[str, Any]
Resources = dict[str, Doc]

_PATH_PART = re.compile(r"^(?:[A-Za-z0-9._-]+|\{[A-Za-z0-9._-]+\+?\})$")
INVALID_PATH_PART = (
    "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end "
    "and an optional plus sign before the closing brace."
)


def is_variable(path_part: str | None) -> bool:
    return bool(path_part) and str(path_part).startswith("{")


def is_greedy(path_part: str | None) -> bool:
    return bool(path_part) and str(path_part).endswith("+}")


def check_path_part(path_part: str) -> None:
    if not _PATH_PART.match(path_part or ""):
        raise BadRequestException(INVALID_PATH_PART)


def child_path(parent_path: str, path_part: str) -> str:
    return "/" + path_part if parent_path == "/" else f"{parent_path}/{path_part}"


def children(resources: Resources, parent_id: str) -> list[Doc]:
    return [r for r in resources.values() if r.get("parentId") == parent_id]


def check_placement(resources: Resources, parent: Doc, path_part: str, self_id: str | None = None) -> None:
    """May a resource named `path_part` (`self_id` when it exists already) live under `parent`?"""
    if is_greedy(parent.get("pathPart")):
        raise BadRequestException(
            f"Cannot create a child of a resource with a greedy path variable: {parent['pathPart']}"
        )
    siblings = [r for r in children(resources, parent["id"]) if r["id"] != self_id]
    if any(s.get("pathPart") == path_part for s in siblings):
        raise ConflictException(f"Another resource with the same parent already has this name: {path_part}")
    if is_variable(path_part):
        for sibling in siblings:
            if is_variable(sibling.get("pathPart")):
                raise BadRequestException(
                    f"A sibling ({sibling['pathPart']}) of this resource already has a variable path part"
                    " -- only one is allowed"
                )


def subtree_ids(resources: Resources, root_id: str) -> list[str]:
    """`root_id` and all of its descendants, parents before children."""
    order = [root_id]
    index = 0
    while index < len(order):
        order.extend(r["id"] for r in children(resources, order[index]))
        index += 1
    return order


def is_in_subtree(resources: Resources, candidate_id: str, root_id: str) -> bool:
    node: Doc | None = resources.get(candidate_id)
    while node is not None:
        if node["id"] == root_id:
            return True
        parent = node.get("parentId")
        node = resources.get(parent) if parent else None
    return False


def repath(resources: Resources, resource_id: str) -> None:
    """Recompute `path` of `resource_id` and of its whole subtree from their parents."""
    for rid in subtree_ids(resources, resource_id):
        res = resources[rid]
        parent_id = res.get("parentId")
        if parent_id:
            res["path"] = child_path(resources[parent_id]["path"], res["pathPart"])
