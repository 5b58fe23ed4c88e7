"""Parse requests and serialise responses of a rest-json AWS service from botocore's model.

Implements the `rest-json` protocol as botocore's serializers/parsers read it: URI labels, query
strings, headers, JSON bodies keyed by `locationName`, blob payloads, epoch-second timestamps.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, unquote

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

from portico.controlplane.errors import BadRequestException
from portico.wire import Headers, Request, Response


@cache
def service_model(name: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(name)


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    segments: tuple[str | None, ...]  # None = label
    labels: tuple[str, ...]
    greedy: bool
    fixed_query: tuple[tuple[str, str], ...]
    operation: OperationModel

    @property
    def score(self) -> tuple[int, int]:
        literal = sum(1 for s in self.segments if s is not None)
        return (len(self.fixed_query), literal)


def _compile_route(op: OperationModel) -> Route:
    uri = op.http["requestUri"]
    path, _, query = uri.partition("?")
    segments: list[str | None] = []
    labels: list[str] = []
    greedy = False
    for part in path.strip("/").split("/") if path.strip("/") else []:
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            if name.endswith("+"):
                greedy = True
                name = name[:-1]
            labels.append(name)
            segments.append(None)
        else:
            segments.append(part)
    fixed = tuple(parse_qsl(query, keep_blank_values=True))
    return Route(op.http["method"], tuple(segments), tuple(labels), greedy, fixed, op)


class ServiceSpec:
    """Routes HTTP requests to operations of one service and converts values both ways."""

    def __init__(self, name: str) -> None:
        self.model = service_model(name)
        routes = [_compile_route(self.model.operation_model(n)) for n in self.model.operation_names]
        self.routes = sorted(routes, key=lambda r: r.score, reverse=True)
        self.prefixes = {r.segments[0] for r in routes if r.segments and r.segments[0]}

    def claims(self, path: str) -> bool:
        first = path.strip("/").split("/", 1)[0]
        return first in self.prefixes

    def match(self, request: Request) -> tuple[OperationModel, dict[str, str]] | None:
        parts = [p for p in request.path.strip("/").split("/")] if request.path.strip("/") else []
        query = dict(parse_qsl(request.query, keep_blank_values=True))
        for route in self.routes:
            if route.method != request.method:
                continue
            labels = _match_segments(route, parts)
            if labels is None:
                continue
            if any(query.get(k) != v for k, v in route.fixed_query):
                continue
            return route.operation, labels
        return None

    # ----- input -------------------------------------------------------------------------------

    def parse(self, op: OperationModel, labels: dict[str, str], request: Request) -> dict[str, Any]:
        shape = op.input_shape
        if shape is None:
            return {}
        params: dict[str, Any] = {}
        query_pairs = parse_qsl(request.query, keep_blank_values=True)
        fixed = {k for k, _ in _compile_route(op).fixed_query}
        bound_query: set[str] = set(fixed)
        for name, member in shape.members.items():
            loc = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if loc == "uri":
                if wire in labels:
                    params[name] = _scalar(member, labels[wire], name)
            elif loc == "querystring" and member.type_name != "map":
                bound_query.add(wire)
                values = [v for k, v in query_pairs if k == wire]
                if values:
                    if member.type_name == "list":
                        params[name] = [_scalar(member.member, v, name) for v in values]
                    else:
                        params[name] = _scalar(member, values[-1], name)
            elif loc == "header":
                value = request.header(wire)
                if value is not None:
                    params[name] = _scalar(member, value, name)
        for name, member in shape.members.items():
            if member.serialization.get("location") == "querystring" and member.type_name == "map":
                extra = {k: v for k, v in query_pairs if k not in bound_query}
                if extra:
                    params[name] = extra
        payload = shape.serialization.get("payload")
        if payload:
            member = shape.members[payload]
            if member.type_name in ("blob", "string"):
                if request.body:
                    params[payload] = request.body
            elif request.body:
                params[payload] = _from_json(member, _load_json(request.body), payload)
        else:
            body_members = {n: m for n, m in shape.members.items() if not m.serialization.get("location")}
            if body_members and request.body.strip():
                doc = _load_json(request.body)
                if not isinstance(doc, dict):
                    raise BadRequestException("Could not parse request body into json")
                params.update(_structure_from_json(shape, doc, body_members))
        _check_input(op, shape, params)
        return params

    # ----- output ------------------------------------------------------------------------------

    def serialize(self, op: OperationModel, output: dict[str, Any] | None) -> Response:
        status = int(op.http.get("responseCode", 200))
        shape = op.output_shape
        headers: Headers = []
        if shape is None or output is None:
            return Response(status, [("Content-Type", "application/json")], b"{}" if shape else b"")
        for name, member in shape.members.items():
            loc = member.serialization.get("location")
            if loc == "header" and output.get(name) is not None:
                headers.append((member.serialization.get("name", name), str(output[name])))
            elif loc == "statusCode" and output.get(name) is not None:
                status = int(output[name])
        payload = shape.serialization.get("payload")
        if payload:
            member = shape.members[payload]
            value = output.get(payload)
            if member.type_name in ("blob", "string"):
                body = value.encode() if isinstance(value, str) else (value or b"")
                if not any(h[0].lower() == "content-type" for h in headers):
                    headers.append(("Content-Type", "application/octet-stream"))
                return Response(status, headers, body)
            doc = _to_json(member, value) if value is not None else {}
        else:
            doc = {}
            for name, member in shape.members.items():
                if member.serialization.get("location"):
                    continue
                value = output.get(name)
                if value is not None:
                    doc[member.serialization.get("name", name)] = _to_json(member, value)
        headers.insert(0, ("Content-Type", "application/json"))
        return Response(status, headers, json.dumps(doc, separators=(",", ":")).encode())


def _match_segments(route: Route, parts: list[str]) -> dict[str, str] | None:
    segs = route.segments
    if route.greedy:
        if len(parts) < len(segs):
            return None
    elif len(parts) != len(segs):
        return None
    labels: dict[str, str] = {}
    li = 0
    for i, seg in enumerate(segs):
        if seg is None:
            if route.greedy and i == len(segs) - 1:
                labels[route.labels[li]] = unquote("/".join(parts[i:]))
            else:
                if not parts[i]:
                    return None
                labels[route.labels[li]] = unquote(parts[i])
            li += 1
        elif seg != parts[i]:
            return None
    return labels


def _load_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        raise BadRequestException(f"Could not parse request body into json: {exc}") from None


def _scalar(shape: Shape, raw: str, name: str) -> Any:
    t = shape.type_name
    if t in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            raise BadRequestException(f"Invalid value for parameter {name}: {raw!r}") from None
    if t == "boolean":
        if raw.lower() not in ("true", "false"):
            raise BadRequestException(f"Invalid value for parameter {name}: {raw!r}")
        return raw.lower() == "true"
    if t in ("double", "float"):
        try:
            return float(raw)
        except ValueError:
            raise BadRequestException(f"Invalid value for parameter {name}: {raw!r}") from None
    if t == "timestamp":
        return _parse_timestamp(raw, name)
    return raw


def _parse_timestamp(raw: Any, name: str) -> float:
    if isinstance(raw, int | float):
        return float(raw)
    try:
        return float(raw)
    except (TypeError, ValueError):
        pass
    try:
        return dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise BadRequestException(f"Invalid timestamp for parameter {name}: {raw!r}") from None


def _structure_from_json(shape: Shape, doc: dict[str, Any], members: dict[str, Shape]) -> dict[str, Any]:
    by_wire = {m.serialization.get("name", n): (n, m) for n, m in members.items()}
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key not in by_wire or value is None:
            continue  # AWS ignores unknown members of JSON bodies
        name, member = by_wire[key]
        out[name] = _from_json(member, value, name)
    return out


def _type_error(name: str, expected: str) -> BadRequestException:
    return BadRequestException(f"Invalid type for parameter {name}, expected {expected}")


def _from_json(shape: Shape, value: Any, name: str) -> Any:
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            raise _type_error(name, "an object")
        return _structure_from_json(shape, value, dict(shape.members))
    if t == "list":
        if not isinstance(value, list):
            raise _type_error(name, "a list")
        return [_from_json(shape.member, v, name) for v in value]
    if t == "map":
        if not isinstance(value, dict):
            raise _type_error(name, "a map")
        return {str(k): _from_json(shape.value, v, name) for k, v in value.items()}
    if t == "string":
        if not isinstance(value, str):
            raise _type_error(name, "a string")
        return value
    if t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(name, "an integer")
        return value
    if t in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _type_error(name, "a number")
        return float(value)
    if t == "boolean":
        if not isinstance(value, bool):
            raise _type_error(name, "a boolean")
        return value
    if t == "blob":
        try:
            return base64.b64decode(value)
        except (ValueError, TypeError):
            raise _type_error(name, "base64 data") from None
    if t == "timestamp":
        return _parse_timestamp(value, name)
    return value


def _to_json(shape: Shape, value: Any) -> Any:
    t = shape.type_name
    if t == "structure":
        out = {}
        for name, member in shape.members.items():
            v = value.get(name)
            if v is not None:
                out[member.serialization.get("name", name)] = _to_json(member, v)
        return out
    if t == "list":
        return [_to_json(shape.member, v) for v in value]
    if t == "map":
        return {k: _to_json(shape.value, v) for k, v in value.items()}
    if t == "timestamp":
        if isinstance(value, dt.datetime):
            return int(value.timestamp())
        return value
    if t == "blob":
        raw = value.encode() if isinstance(value, str) else value
        return base64.b64encode(raw).decode()
    return value


def _check_input(op: OperationModel, shape: Shape, params: dict[str, Any]) -> None:
    errors: list[str] = []
    prefix = op.name[0].lower() + op.name[1:] + "Input"
    _collect_errors(shape, params, prefix, errors)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise BadRequestException(f"{count} validation {noun} detected: " + "; ".join(errors))


def _collect_errors(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    t = shape.type_name
    if t == "structure" and isinstance(value, dict):
        for req in shape.metadata.get("required", []):
            if value.get(req) is None:
                errors.append(
                    f"Value null at '{path}.{req}' failed to satisfy constraint: Member must not be null"
                )
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _collect_errors(member, value[name], f"{path}.{name}", errors)
    elif t == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            _collect_errors(shape.member, item, f"{path}.{i + 1}.member", errors)
    elif t == "map" and isinstance(value, dict):
        for key, item in value.items():
            _collect_errors(shape.value, item, f"{path}.{key}", errors)
    elif t == "string" and isinstance(value, str):
        enum = shape.enum
        if enum and value not in enum:
            errors.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(enum)}]"
            )
