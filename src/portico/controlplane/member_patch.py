"""Per-path patch rules for UpdateMethod, UpdateMethodResponse, UpdateIntegration, UpdateIntegrationResponse.

API Gateway REST API reference, PatchOperation: each Update* accepts a fixed set of paths, each with
its own operations (scalars: `replace`; map entries such as `/requestParameters/method.request.header.x`
or `/requestTemplates/application~1json`: `add`/`replace`/`remove`; lists: `add`/`remove`). The checked
operations are applied with `Patcher`, which converts the string values to the modelled types.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from botocore.model import Shape

from portico.controlplane.errors import BadRequestException, NotFoundException
from portico.controlplane.patch import Patcher, unescape

Doc = dict[str, Any]

SCALAR, MAP, LIST, STRUCT = "scalar", "map", "list", "struct"
_DEPTH = {SCALAR: 1, MAP: 2, STRUCT: 2}


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str = SCALAR
    ops: tuple[str, ...] = ("replace",)
    missing: str | None = None  # NotFound message for replace/remove of an absent map entry
    required: bool = False  # a scalar that cannot be cleared with an empty value


def java_bool(value: Any) -> str:
    """AWS parses patch booleans like Java's Boolean.parseBoolean: anything but "true" is false."""
    return "true" if str(value).strip().lower() == "true" else "false"


class MemberPatcher:
    def __init__(self, shape_name: str, rules: dict[str, Rule]) -> None:
        self.patcher = Patcher("apigateway", shape_name)
        self.rules = rules

    def apply(self, doc: Doc, operations: list[Doc] | None) -> Doc:
        result = copy.deepcopy(doc)
        for operation in operations or []:
            self._apply_one(result, operation)
        return result

    def _rule(self, path: str | None, op: str | None) -> tuple[Rule, list[str]]:
        if not path:
            raise BadRequestException("Invalid patch path null")
        segments = [unescape(s) for s in path[1:].split("/")] if path.startswith("/") else []
        rule = self.rules.get(segments[0]) if segments else None
        depth_ok = rule is not None and (
            len(segments) in (1, 2) if rule.kind == LIST else len(segments) == _DEPTH[rule.kind]
        )
        if rule is None or not depth_ok:
            raise BadRequestException(f"Invalid patch path {path}")
        if op not in rule.ops:
            raise BadRequestException(
                f"Invalid patch operation specified. Must be one of: [{', '.join(rule.ops)}]"
            )
        return rule, segments

    def _apply_one(self, doc: Doc, operation: Doc) -> None:
        op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
        rule, segments = self._rule(path, op)
        member = segments[0]
        if rule.kind == LIST:
            _list_op(doc, member, segments[1] if len(segments) > 1 else None, op, value)
        elif rule.kind == MAP:
            self._map_op(doc, rule, segments, str(op), value, str(path))
        elif op == "remove":
            doc.pop(member, None)
        elif rule.kind == SCALAR and value in (None, "") and self._target(segments).type_name != "boolean":
            if rule.required:
                raise BadRequestException(f"Invalid patch value for {path}: a value is required")
            doc.pop(member, None)
        else:
            self._write(doc, segments, "replace", value, str(path))

    def _map_op(self, doc: Doc, rule: Rule, segments: list[str], op: str, value: Any, path: str) -> None:
        member, key = segments
        entries = doc.get(member) or {}
        if op in ("replace", "remove") and key not in entries and rule.missing:
            raise NotFoundException(rule.missing)
        if op == "remove":
            entries.pop(key, None)
            if entries:
                doc[member] = entries
            else:
                doc.pop(member, None)
            return
        self._write(doc, segments, "add", value, path)

    def _write(self, doc: Doc, segments: list[str], op: str, value: Any, path: str) -> None:
        shape = self._target(segments)
        if shape.type_name == "boolean":
            value = java_bool(value)
        enum = getattr(shape, "enum", None)
        if enum and value not in enum:
            raise BadRequestException(
                f"Invalid value '{value}' for {path}. Valid options are {','.join(enum)}"
            )
        self.patcher.apply_one(doc, {"op": op, "path": path, "value": value})

    def _target(self, segments: list[str]) -> Shape:
        shape: Shape = self.patcher.shape
        for seg in segments:
            if shape.type_name == "structure" and seg in shape.members:
                shape = shape.members[seg]
            elif shape.type_name == "map":
                shape = shape.value
        return shape


def _list_op(doc: Doc, member: str, segment: str | None, op: Any, value: Any) -> None:
    items: list[Any] = list(doc.get(member) or [])
    target = segment if segment is not None else value
    if op == "add":
        item = value if value not in (None, "") else segment
        if item in (None, ""):
            raise BadRequestException(f"Invalid value for {member}: a value is required")
        if item not in items:
            items.append(item)
    elif target not in items:
        raise BadRequestException(f"Invalid patch path /{member}: {target!r} is not in {member}")
    elif op == "remove":
        items.remove(target)
    else:
        if value in (None, ""):
            raise BadRequestException(f"Invalid value for {member}: a value is required")
        items[items.index(target)] = value
    if items:
        doc[member] = items
    else:
        doc.pop(member, None)
