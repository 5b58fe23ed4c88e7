"""`patchOperations` (add/remove/replace/move/copy) applied to a resource document.

API Gateway's PatchOperation: JSON-Pointer-like paths with `~1` for `/` and `~0` for `~`; values
are always strings and are converted to the member's modelled type. Paths are checked against the
resource's output shape from botocore's model, minus read-only members.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

from botocore.model import Shape

from portico.controlplane.errors import BadRequestException
from portico.controlplane.spec import service_model

Doc = dict[str, Any]


def unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def split_path(path: str) -> list[str]:
    if not path or not path.startswith("/"):
        raise BadRequestException(f"Invalid patch path {path!r}")
    return [unescape(s) for s in path[1:].split("/")]


def coerce(shape: Shape, raw: Any, path: str) -> Any:
    """Convert a patch value (a string) to the modelled type of `shape`."""
    t = shape.type_name
    if raw is None:
        return None
    if t == "boolean":
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() not in ("true", "false"):
            raise BadRequestException(f"Invalid boolean value {raw!r} for {path}")
        return str(raw).lower() == "true"
    if t in ("integer", "long"):
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise BadRequestException(f"Invalid integer value {raw!r} for {path}") from None
    if t in ("double", "float"):
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise BadRequestException(f"Invalid number value {raw!r} for {path}") from None
    if t in ("structure", "map", "list") and isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            raise BadRequestException(f"Invalid value {raw!r} for {path}") from None
    return raw


def invalid_path(op: str, path: str) -> BadRequestException:
    return BadRequestException(f"Invalid patch path '{path}' specified for op '{op}'")


class Patcher:
    """Applies patch operations to a document shaped like `shape_name` of `service`."""

    def __init__(self, service: str, shape_name: str, readonly: Iterable[str] = ()) -> None:
        self.shape = service_model(service).shape_for(shape_name)
        self.readonly = set(readonly)

    def apply(self, doc: Doc, operations: list[Doc] | None) -> Doc:
        result = copy.deepcopy(doc)
        for operation in operations or []:
            self.apply_one(result, operation)
        return result

    def apply_one(self, doc: Doc, operation: Doc) -> None:
        op = operation.get("op")
        path = operation.get("path") or ""
        if op not in ("add", "remove", "replace", "move", "copy", "test"):
            raise BadRequestException(f"Invalid patch operation specified: {op}")
        segments = split_path(path)
        if segments[0] in self.readonly:
            raise invalid_path(op, path)
        if op in ("move", "copy"):
            source = split_path(operation.get("from") or "")
            value = self._read(doc, source, operation.get("from") or "")
            if op == "move":
                self._write(doc, source, "remove", None, operation.get("from") or "")
            self._write(doc, segments, "add", value, path, raw=False)
            return
        if op == "test":
            return
        self._write(doc, segments, op, operation.get("value"), path)

    def _read(self, doc: Doc, segments: list[str], path: str) -> Any:
        node: Any = doc
        for seg in segments:
            if isinstance(node, dict) and seg in node:
                node = node[seg]
            elif isinstance(node, list) and seg.isdigit() and int(seg) < len(node):
                node = node[int(seg)]
            else:
                raise invalid_path("from", path)
        return copy.deepcopy(node)

    def _write(self, doc: Doc, segments: list[str], op: str, value: Any, path: str, raw: bool = True) -> None:
        node: Any = doc
        shape: Shape = self.shape
        for i, seg in enumerate(segments):
            last = i == len(segments) - 1
            t = shape.type_name
            if t == "structure":
                members = shape.members
                if seg not in members:
                    raise invalid_path(op, path)
                shape = members[seg]
                if last:
                    _set_member(node, seg, shape, op, value, path, raw)
                    return
                node = node.setdefault(seg, {} if shape.type_name != "list" else [])
            elif t == "map":
                shape = shape.value
                if last:
                    _set_member(node, seg, shape, op, value, path, raw)
                    return
                node = node.setdefault(seg, {} if shape.type_name != "list" else [])
            elif t == "list":
                member = shape.member
                if last or member.type_name not in ("structure", "map", "list"):
                    _list_op(node, seg, member, op, value, path, raw)
                    return
                if not seg.isdigit() or int(seg) >= len(node):
                    raise invalid_path(op, path)
                node = node[int(seg)]
                shape = member
            else:
                raise invalid_path(op, path)


def _set_member(node: Doc, key: str, shape: Shape, op: str, value: Any, path: str, raw: bool) -> None:
    if op == "remove":
        if key not in node:
            raise BadRequestException(f"Cannot remove '{path}': no value is set there")
        del node[key]
        return
    if shape.type_name == "list" and op == "add" and isinstance(value, str) and raw:
        node.setdefault(key, [])
        if value not in node[key]:
            node[key].append(value)
        return
    node[key] = coerce(shape, value, path) if raw else value


def _list_op(node: list[Any], seg: str, member: Shape, op: str, value: Any, path: str, raw: bool) -> None:
    if seg.isdigit() and op == "replace":
        index = int(seg)
        if index >= len(node):
            raise invalid_path(op, path)
        node[index] = coerce(member, value, path) if raw else value
        return
    if op == "add":
        item = seg if value in (None, "") else (coerce(member, value, path) if raw else value)
        if item not in node:
            node.append(item)
        return
    if op == "remove":
        if seg.isdigit() and int(seg) < len(node) and seg not in node:
            del node[int(seg)]
        elif seg in node:
            node.remove(seg)
        else:
            raise BadRequestException(f"Cannot remove '{path}': no value is set there")
        return
    if op == "replace" and seg in node:
        node[node.index(seg)] = coerce(member, value, path) if raw else value
        return
    raise invalid_path(op, path)
