"""Customised gateway responses compiled per deployment (Developer Guide: "Gateway responses for REST APIs").

For every response type an API customised, directly or through DEFAULT_4XX / DEFAULT_5XX, the
effective response (`portico.model.gateway_responses.resolve`) is compiled once: its customised
status code, its `gatewayresponse.header.*` mappings parsed into (kind, key) pairs and its body
templates parsed by the VTL engine. Types nobody customised are absent: the data plane renders
their built-in default without any template work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portico.mapping.vtl import Template, TemplateError, compile_template
from portico.model.gateway_responses import TYPES, resolve

Doc = dict[str, Any]

_HEADER_KEY = "gatewayresponse.header."
_REQUEST_SOURCES = {
    "method.request.header.": "header",
    "method.request.multivalueheader.": "multiheader",
    "method.request.querystring.": "query",
    "method.request.multivaluequerystring.": "multiquery",
    "method.request.path.": "path",
    "stageVariables.": "stage",
    "context.": "context",
}


@dataclass(frozen=True, slots=True)
class HeaderMapping:
    """`gatewayresponse.header.{name}` ← a static value or a request/stage/context value."""

    name: str
    kind: str  # static | header | multiheader | query | multiquery | path | stage | context
    key: str  # the static value, the parameter name, or the dotted `$context` path


@dataclass(frozen=True, slots=True)
class BodyTemplate:
    """One `responseTemplates` entry; `template` is None when VTL cannot parse the source."""

    content_type: str
    source: str
    template: Template | None


@dataclass(frozen=True, slots=True)
class CompiledResponse:
    """The effective customised response of one type."""

    status: int | None  # the customised status code (the type's or its DEFAULT_ class's), if any
    headers: tuple[HeaderMapping, ...]
    templates: Mapping[str, BodyTemplate]  # lower-cased content type → template, in definition order


def parse_source(name: str, source: str) -> HeaderMapping | None:
    """Parse one header mapping expression; None for one the data plane cannot evaluate."""
    if len(source) >= 2 and source.startswith("'") and source.endswith("'"):
        return HeaderMapping(name, "static", source[1:-1])
    for prefix, kind in _REQUEST_SOURCES.items():
        if source.startswith(prefix) and len(source) > len(prefix):
            return HeaderMapping(name, kind, source[len(prefix) :])
    return None


def _headers(parameters: Mapping[str, str]) -> tuple[HeaderMapping, ...]:
    found = []
    for key, source in parameters.items():
        if key.startswith(_HEADER_KEY) and isinstance(source, str):
            mapping = parse_source(key[len(_HEADER_KEY) :], source)
            if mapping is not None:
                found.append(mapping)
    return tuple(found)


def _template(source: str, cache: dict[str, Template | None]) -> Template | None:
    if source not in cache:
        try:
            cache[source] = compile_template(source)
        except TemplateError:
            cache[source] = None  # rendered by plain variable substitution, as AWS documents
    return cache[source]


def _status(*docs: Doc) -> int | None:
    for doc in docs:
        code = doc.get("statusCode")
        if code:
            return int(code)
    return None


def compile_gateway_responses(api: Doc) -> dict[str, CompiledResponse]:
    """The compiled effective response of every type the API customised (directly or by class)."""
    customised: Mapping[str, Doc] = api.get("_gatewayResponses") or {}
    if not customised:
        return {}
    cache: dict[str, Template | None] = {}
    out: dict[str, CompiledResponse] = {}
    for name, spec in TYPES.items():
        own = customised.get(name)
        fallback = customised.get(spec.fallback or "")
        if own is None and fallback is None:
            continue
        effective = resolve(name, customised)
        templates = {
            content_type.lower(): BodyTemplate(content_type, source, _template(source, cache))
            for content_type, source in effective.templates.items()
        }
        out[name] = CompiledResponse(
            _status(own or {}, fallback or {}), _headers(effective.parameters), templates
        )
    return out
