"""Model schemas: references between models, flattening, and GetModelTemplate's sample mapping template.

Developer Guide, "Data models for REST APIs": a model refers to another with the absolute URL
`https://apigateway.amazonaws.com/restapis/{restapi_id}/models/{model_name}`. The generated template
follows the console's style: `#set($inputRoot = $input.path('$'))` then a JSON skeleton with
`$inputRoot.prop` references, string members quoted, arrays walked with `#foreach`. Pure functions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

Resolver = Callable[[str], Any]  # model name -> parsed schema, or None when there is no such model

MODEL_URL = "https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"
_MODEL_REF = re.compile(r"^https://apigateway\.amazonaws\.com/restapis/([^/]+)/models/([^/#?]+)$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SCALARS = ("string", "number", "integer", "boolean", "null")


def model_url(api_id: str, name: str) -> str:
    return MODEL_URL.format(api_id=api_id, name=name)


def parse_model_ref(ref: str) -> tuple[str, str] | None:
    """(restapi id, model name) of a canonical model reference, else None."""
    match = _MODEL_REF.match(ref)
    return (match.group(1), match.group(2)) if match else None


def refs_in(schema: Any) -> Iterator[str]:
    """Every `$ref` value in a schema, depth first."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs_in(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from refs_in(item)


def _pointer(root: Any, ref: str) -> Any:
    node = root
    for raw in ref[1:].lstrip("/").split("/") if ref not in ("#", "#/") else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _follow(ref: str, root: Any, resolve: Resolver) -> tuple[Any, Any, str] | None:
    """The target of a reference: (node, its document root, a key identifying it) or None."""
    model = parse_model_ref(ref)
    if model is not None:
        target = resolve(model[1])
        return None if target is None else (target, target, f"model:{model[1]}")
    if ref.startswith("#"):
        target = _pointer(root, ref)
        return None if target is None else (target, root, f"{id(root)}:{ref}")
    return None


def flatten(schema: Any, resolve: Resolver) -> Any:
    """The schema with every model reference replaced by the referenced schema (GetModel flatten=true).

    Local references of the top-level schema stay as they are; references inside inlined models are
    inlined too. A reference that would recurse forever is left in place.
    """
    return _inline(schema, schema, schema, resolve, frozenset())


def _inline(node: Any, root: Any, top: Any, resolve: Resolver, seen: frozenset[str]) -> Any:
    if isinstance(node, list):
        return [_inline(item, root, top, resolve, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and not (root is top and ref.startswith("#")):
        found = _follow(ref, root, resolve)
        if found is None or found[2] in seen:
            return node
        target, target_root, key = found
        if isinstance(target, dict):
            target = {k: v for k, v in target.items() if k != "$schema"}
        return _inline(target, target_root, top, resolve, seen | {key})
    return {k: _inline(v, root, top, resolve, seen) for k, v in node.items()}


# ----- mapping template ---------------------------------------------------------------------------


def mapping_template(schema: Any, resolve: Resolver) -> str:
    """A VTL mapping template that rebuilds a payload of `schema` from the input body."""
    writer = _TemplateWriter(resolve)
    body = writer.value(schema, schema, "$inputRoot", 0, 0, frozenset())
    return "#set($inputRoot = $input.path('$'))\n" + body + "\n"


class _TemplateWriter:
    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve

    def deref(self, node: Any, root: Any, seen: frozenset[str]) -> tuple[Any, Any, frozenset[str]]:
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            found = _follow(node["$ref"], root, self.resolve)
            if found is None or found[2] in seen:
                return {}, root, seen
            node, root, key = found
            seen = seen | {key}
        return node, root, seen

    def value(self, node: Any, root: Any, ref: str, indent: int, loops: int, seen: frozenset[str]) -> str:
        node, root, seen = self.deref(node, root, seen)
        node = self.merge_combinators(node, root, seen)
        kind = _kind(node)
        if kind == "object":
            return self.obj(node, root, ref, indent, loops, seen)
        if kind == "array":
            return self.array(node, root, ref, indent, loops, seen)
        return f'"{ref}"' if kind == "string" else ref

    def merge_combinators(self, node: Any, root: Any, seen: frozenset[str]) -> Any:
        if not isinstance(node, dict):
            return {}
        if isinstance(node.get("allOf"), list):
            merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
            props = dict(merged.get("properties") or {})
            for part in node["allOf"]:
                part, _, _ = self.deref(part, root, seen)
                if isinstance(part, dict):
                    props.update(part.get("properties") or {})
                    merged.setdefault("type", part.get("type"))
            if props:
                merged["properties"] = props
            return merged
        for combinator in ("oneOf", "anyOf"):
            options = node.get(combinator)
            if isinstance(options, list) and options and "type" not in node:
                first, _, _ = self.deref(options[0], root, seen)
                return first if isinstance(first, dict) else {}
        return node

    def obj(self, node: Any, root: Any, ref: str, indent: int, loops: int, seen: frozenset[str]) -> str:
        props = node.get("properties")
        if not isinstance(props, dict) or not props:
            return "{}"
        pad = " " * (indent + 2)
        members = [
            f"{pad}{json.dumps(name)} : {self.value(sub, root, _member(ref, name), indent + 2, loops, seen)}"
            for name, sub in props.items()
        ]
        return "{\n" + ",\n".join(members) + "\n" + " " * indent + "}"

    def array(self, node: Any, root: Any, ref: str, indent: int, loops: int, seen: frozenset[str]) -> str:
        items = node.get("items")
        if isinstance(items, list):
            items = items[0] if items else {}
        var = "$elem" if loops == 0 else f"$elem{loops}"
        pad = " " * (indent + 2)
        item = self.value(items if items is not None else {}, root, var, indent + 2, loops + 1, seen)
        return (
            f"[\n#foreach({var} in {ref})\n{pad}{item}#if($foreach.hasNext),#end\n#end\n" + " " * indent + "]"
        )


def _member(ref: str, name: str) -> str:
    if _IDENTIFIER.match(name):
        return f"{ref}.{name}"
    quoted = name.replace("'", "''")
    return f"{ref}.get('{quoted}')"


def _kind(node: Any) -> str:
    if not isinstance(node, dict):
        return "any"
    declared = node.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), declared[0] if declared else None)
    if declared in ("object", "array", *_SCALARS):
        return str(declared)
    if "properties" in node:
        return "object"
    if "items" in node:
        return "array"
    return "any"
