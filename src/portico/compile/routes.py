"""REST API resource matching (Developer Guide: "Set up a proxy integration with a proxy resource").

The resource tree compiles to a trie. A request path matches literal path parts first, then a
`{param}` part, then a greedy `{proxy+}` part (one or more segments), backtracking as needed.
Methods match exactly first, then `ANY`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Node:
    resource_id: str | None = None
    resource_path: str = "/"
    methods: frozenset[str] = frozenset()
    literals: dict[str, Node] = field(default_factory=dict)
    param: tuple[str, Node] | None = None
    greedy: tuple[str, Node] | None = None


class Match:
    """The resource a request path matched. Built for every request: a plain class (resolve.Target)."""

    __slots__ = ("methods", "path_params", "resource_id", "resource_path")

    def __init__(
        self, resource_id: str, resource_path: str, methods: frozenset[str], path_params: dict[str, str]
    ) -> None:
        self.resource_id = resource_id
        self.resource_path = resource_path
        self.methods = methods
        self.path_params = path_params

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Match) and (
            self.resource_id,
            self.resource_path,
            self.methods,
            self.path_params,
        ) == (other.resource_id, other.resource_path, other.methods, other.path_params)

    __hash__ = None  # type: ignore[assignment]  # holds a dict

    def __repr__(self) -> str:
        return f"Match({self.resource_id!r}, {self.resource_path!r}, {self.methods!r}, {self.path_params!r})"


def build_trie(resources: dict[str, dict[str, Any]]) -> Node:
    """Build the trie from a REST API's `_resources` (id → {path, pathPart, resourceMethods})."""
    root = Node()
    for res in sorted(resources.values(), key=lambda r: r.get("path", "/")):
        node = root
        path = res.get("path", "/")
        for part in [p for p in path.split("/") if p]:
            node = _child(node, part)
        node.resource_id = res["id"]
        node.resource_path = path
        node.methods = frozenset(res.get("resourceMethods", {}) or {})
    return root


def _child(node: Node, part: str) -> Node:
    if part.startswith("{") and part.endswith("+}"):
        if node.greedy is None:
            node.greedy = (part[1:-2], Node())
        return node.greedy[1]
    if part.startswith("{") and part.endswith("}"):
        if node.param is None:
            node.param = (part[1:-1], Node())
        return node.param[1]
    return node.literals.setdefault(part, Node())


def split_path(path: str) -> list[str]:
    """Path segments as matched by API Gateway: empty segments (`//`, trailing `/`) are ignored."""
    return [p for p in path.split("/") if p]


def match(root: Node, segments: list[str]) -> Match | None:
    params: dict[str, str] = {}
    node = _walk(root, segments, 0, params)
    if node is None or node.resource_id is None:
        return None
    return Match(node.resource_id, node.resource_path, node.methods, params)


def _walk(node: Node, segments: list[str], i: int, params: dict[str, str]) -> Node | None:
    if i == len(segments):
        return node if node.resource_id is not None else None
    seg = segments[i]
    literal = node.literals.get(seg)
    if literal is not None:
        found = _walk(literal, segments, i + 1, params)
        if found is not None:
            return found
    if node.param is not None:
        name, child = node.param
        params[name] = seg
        found = _walk(child, segments, i + 1, params)
        if found is not None:
            return found
        del params[name]
    if node.greedy is not None:
        name, child = node.greedy
        if child.resource_id is not None:
            params[name] = "/".join(segments[i:])
            return child
    return None


def select_method(methods: frozenset[str], http_method: str) -> str | None:
    if http_method in methods:
        return http_method
    if "ANY" in methods:
        return "ANY"
    return None
