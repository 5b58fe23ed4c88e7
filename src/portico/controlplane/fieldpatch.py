"""Patch operations on resources whose patchable paths are a fixed list (API Gateway "PATCH" rules).

Used by resources whose `Update*` operation accepts only a few documented paths (API keys, usage
plans, domain names, VPC links, ...). Errors use API Gateway's wording, e.g.
`Invalid patch path  '/x' specified for op 'replace'. Must be one of: [/name, /description]`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from portico.controlplane.errors import BadRequestException

Doc = dict[str, Any]
Converter = Callable[[Any, str], Any]
OPS = ("add", "remove", "replace", "move", "copy", "test")


def as_string(value: Any, path: str) -> str:
    if value is None:
        raise BadRequestException(f"A value is required for {path}")
    return str(value)


def as_bool(value: Any, path: str) -> bool:
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise BadRequestException(f"Invalid boolean value '{value}' for {path}: must be true or false")
    return text == "true"


def as_int(value: Any, path: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise BadRequestException(f"Invalid integer value '{value}' for {path}") from None


def as_float(value: Any, path: str) -> float:
    try:
        return float(str(value).strip())
    except ValueError:
        raise BadRequestException(f"Invalid number value '{value}' for {path}") from None


@dataclass(frozen=True, slots=True)
class Field:
    """A patchable path: the operations it accepts and how its string value is converted."""

    ops: tuple[str, ...] = ("replace",)
    convert: Converter = as_string


@dataclass(frozen=True, slots=True)
class PatchOp:
    op: str
    path: str
    value: Any


def parse_ops(operations: list[Doc] | None) -> list[PatchOp]:
    """Normalise `patchOperations`; rejects unknown operation names."""
    parsed = []
    for raw in operations or []:
        op = str(raw.get("op") or "")
        if op not in OPS:
            raise BadRequestException(
                f"Invalid patch operation specified. Must be one of: [{', '.join(OPS)}]"
            )
        parsed.append(PatchOp(op, str(raw.get("path") or "").strip(), raw.get("value")))
    return parsed


def invalid_path(op: str, path: str, fields: Mapping[str, Field]) -> BadRequestException:
    if path in fields:
        return BadRequestException(
            f"Invalid patch path  '{path}' specified for op '{op}'. Please choose supported operations"
        )
    allowed = [p for p, f in fields.items() if op in f.ops]
    if not allowed:
        return BadRequestException(
            f"Invalid patch path  '{path}' specified for op '{op}'. Please choose supported operations"
        )
    return BadRequestException(
        f"Invalid patch path  '{path}' specified for op '{op}'. Must be one of: [{', '.join(allowed)}]"
    )


def apply_field(doc: Doc, patch: PatchOp, fields: Mapping[str, Field]) -> None:
    """Apply one operation on a listed path (`/a` or `/a/b` for a nested member), in place."""
    field = fields.get(patch.path)
    if field is None or patch.op not in field.ops:
        raise invalid_path(patch.op, patch.path, fields)
    *parents, leaf = patch.path[1:].split("/")
    node = doc
    for name in parents:
        if patch.op == "remove" and not isinstance(node.get(name), dict):
            return
        node = node.setdefault(name, {})
    if patch.op == "remove":
        node.pop(leaf, None)
    else:
        node[leaf] = field.convert(patch.value, patch.path)


def apply_fields(doc: Doc, operations: list[Doc] | None, fields: Mapping[str, Field]) -> Doc:
    """A patched copy of `doc` where every operation must target one of `fields`."""
    result = copy.deepcopy(doc)
    for patch in parse_ops(operations):
        apply_field(result, patch, fields)
    return result
