"""Parameter mapping expressions (Developer Guide: "Parameter mapping source reference for REST APIs").

Compile once (`parse_source`, `parse_request_target`, `parse_response_target`), evaluate per request
(`evaluate(source, values)`): every mapped value is a list of strings (one for single-valued sources,
every value for `multivalue*` sources), or None when the source is absent (the target is then not set).

Request sources: `method.request.{path|querystring|header|multivaluequerystring|multivalueheader}.NAME`,
`method.request.body`, `method.request.body.JSONPath`; response sources: `integration.response.header.NAME`,
`integration.response.multivalueheader.NAME`, `integration.response.body`, `integration.response.body.JSONPath`;
both sides: `stageVariables.NAME`, `context.NAME` and static `'value'`. A JSONPath selecting a string
gives the string, anything else its compact JSON. Header names match case-insensitively; a single-valued
source with several values gives the last one (as the Lambda proxy event does).

Integration request headers that API Gateway itself drops or generates ("Amazon API Gateway important
notes", REST APIs: the headers it drops or overwrites on the way to the integration) cannot be mapping
targets: such a mapping is a configuration error (500 at request time).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portico.mapping.jsonpath import JsonPath, JsonPathError, compile_path
from portico.mapping.vtl_values import java_str, json_text

RESERVED_REQUEST_HEADERS = frozenset(
    {
        "content-length",
        "content-md5",
        "connection",
        "expect",
        "host",
        "max-forwards",
        "proxy-authenticate",
        "server",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "www-authenticate",
    }
)

_REQUEST_TARGET = re.compile(
    r"^integration\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$", re.S
)
_METHOD_SOURCE = re.compile(
    r"^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$", re.S
)
_RESPONSE_SOURCE = re.compile(r"^integration\.response\.(header|multivalueheader)\.(.+)$", re.S)
_RESPONSE_TARGET = "method.response.header."
_TARGET_LOCATION = {"multivaluequerystring": "querystring", "multivalueheader": "header"}


class MappingError(ValueError):
    """A mapping expression that cannot be evaluated (invalid source or forbidden target)."""


@dataclass(frozen=True, slots=True)
class Source:
    """A compiled mapping source; `kind` names where the value comes from."""

    kind: str  # static, path, querystring, header, body, stage, context, response.header, response.body
    name: str = ""
    multi: bool = False
    path: JsonPath | None = None
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Target:
    """An integration request parameter: location path, querystring or header, and its name."""

    location: str
    name: str


@dataclass(frozen=True, slots=True)
class ParamMapping:
    target: Target
    source: Source


@dataclass(slots=True)
class Values:
    """What sources read for one request (and, for responses, one integration response)."""

    path: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, list[str]] = field(default_factory=dict)
    headers: Mapping[str, list[str]] = field(default_factory=dict)  # lower-case names
    body: str = ""
    stage_variables: Mapping[str, str] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)
    response_headers: Mapping[str, list[str]] = field(default_factory=dict)  # lower-case names
    response_body: str = ""
    _documents: dict[str, Any] = field(default_factory=dict)

    def document(self, which: str) -> Any:
        """The request or response body parsed as JSON once (None when it is not JSON)."""
        if which not in self._documents:
            text = self.body if which == "request" else self.response_body
            try:
                self._documents[which] = json.loads(text) if text.strip() else None
            except ValueError:
                self._documents[which] = None
        return self._documents[which]


def lower_multi(headers: list[tuple[str, str]] | Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Header values by lower-case name."""
    out: dict[str, list[str]] = {}
    items = headers.items() if isinstance(headers, Mapping) else ((k, [v]) for k, v in headers)
    for name, values in items:
        out.setdefault(name.lower(), []).extend(values)
    return out


def _body_path(expression: str) -> JsonPath:
    text = expression if expression.startswith("[") else "." + expression
    try:
        return compile_path("$" + text)
    except JsonPathError as exc:
        raise MappingError(f"Invalid mapping expression specified: {exc}") from None


def _common_source(expression: str) -> Source | None:
    if len(expression) >= 2 and expression[0] == "'" and expression[-1] == "'":
        return Source("static", expression[1:-1])
    if expression.startswith("stageVariables.") and len(expression) > len("stageVariables."):
        return Source("stage", expression[len("stageVariables.") :])
    if expression.startswith("context.") and len(expression) > len("context."):
        return Source("context", keys=tuple(expression[len("context.") :].split(".")))
    return None


def parse_source(expression: str, side: str = "request") -> Source:
    """Compile a mapping source of the integration request (`side="request"`) or the method response."""
    common = _common_source(expression)
    if common is not None:
        return common
    if side == "request":
        found = _METHOD_SOURCE.match(expression)
        if found:
            kind = found.group(1)
            return Source(_TARGET_LOCATION.get(kind, kind), found.group(2), multi=kind.startswith("multi"))
        if expression == "method.request.body":
            return Source("body")
        if expression.startswith("method.request.body."):
            return Source("body", path=_body_path(expression[len("method.request.body.") :]))
    else:
        found = _RESPONSE_SOURCE.match(expression)
        if found:
            return Source("response.header", found.group(2), multi=found.group(1) == "multivalueheader")
        if expression == "integration.response.body":
            return Source("response.body")
        if expression.startswith("integration.response.body."):
            return Source("response.body", path=_body_path(expression[len("integration.response.body.") :]))
    raise MappingError(f"Invalid mapping expression specified: {expression}")


def parse_request_target(key: str) -> Target:
    found = _REQUEST_TARGET.match(key)
    if found is None:
        raise MappingError(f"Invalid mapping expression specified: {key}")
    location = _TARGET_LOCATION.get(found.group(1), found.group(1))
    name = found.group(2)
    if location == "header" and name.lower() in RESERVED_REQUEST_HEADERS:
        raise MappingError(f"Invalid mapping expression specified: {key} (header {name} is reserved)")
    return Target(location, name)


def parse_response_target(key: str) -> str:
    """The method response header a `method.response.header.NAME` key sets."""
    if not key.startswith(_RESPONSE_TARGET) or len(key) == len(_RESPONSE_TARGET):
        raise MappingError(f"Invalid mapping expression specified: {key}")
    return key[len(_RESPONSE_TARGET) :]


def compile_request_parameters(mappings: Mapping[str, str] | None) -> tuple[ParamMapping, ...]:
    return tuple(
        ParamMapping(parse_request_target(k), parse_source(v, "request")) for k, v in (mappings or {}).items()
    )


def compile_response_parameters(mappings: Mapping[str, str] | None) -> tuple[tuple[str, Source], ...]:
    return tuple((parse_response_target(k), parse_source(v, "response")) for k, v in (mappings or {}).items())


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json_text(value)


def _selected(path: JsonPath | None, raw: str, document: Any) -> list[str] | None:
    if path is None:
        return [raw] if raw else None
    if document is None:
        return None
    found = path.find(document)
    if not found:
        return None
    return [_text(found[0] if path.definite else found)]


def _pick(values: list[str] | None, multi: bool) -> list[str] | None:
    if not values:
        return None
    return list(values) if multi else [values[-1]]


def _context(context: Mapping[str, Any], keys: tuple[str, ...]) -> list[str] | None:
    value: Any = context
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return None if value is None else [java_str(value)]


def evaluate(source: Source, values: Values) -> list[str] | None:
    """The value(s) of `source`, or None when it is absent."""
    kind = source.kind
    if kind == "static":
        return [source.name]
    if kind == "path":
        value = values.path.get(source.name)
        return None if value is None else [value]
    if kind == "querystring":
        return _pick(values.query.get(source.name), source.multi)
    if kind == "header":
        return _pick(values.headers.get(source.name.lower()), source.multi)
    if kind == "response.header":
        return _pick(values.response_headers.get(source.name.lower()), source.multi)
    if kind == "body":
        return _selected(source.path, values.body, source.path and values.document("request"))
    if kind == "response.body":
        return _selected(source.path, values.response_body, source.path and values.document("response"))
    if kind == "stage":
        value = values.stage_variables.get(source.name)
        return None if value is None else [value]
    return _context(values.context, source.keys)


def map_request_parameters(
    mappings: tuple[ParamMapping, ...], values: Values
) -> tuple[dict[str, str], dict[str, list[str]], dict[str, list[str]]]:
    """Evaluate the integration request parameters: (path, query string, headers)."""
    path: dict[str, str] = {}
    query: dict[str, list[str]] = {}
    headers: dict[str, list[str]] = {}
    for mapping in mappings:
        found = evaluate(mapping.source, values)
        if found is None:
            continue
        target = mapping.target
        if target.location == "path":
            path[target.name] = ",".join(found)
        elif target.location == "querystring":
            query[target.name] = found
        else:
            headers[target.name] = found
    return path, query, headers
