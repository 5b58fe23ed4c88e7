"""OpenAPI operations -> API Gateway Methods (request parameters, models, method responses).

API Gateway Developer Guide: "Import a REST API into API Gateway" (how OpenAPI operations map to
Method, MethodResponse, Integration and IntegrationResponse resources).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from portico.importers.diagnostics import Path, Warnings, attribute
from portico.importers.openapi_integration import EXTENSION as INTEGRATION
from portico.importers.openapi_integration import IntegrationReader
from portico.importers.openapi_load import Document
from portico.importers.openapi_models import Models, suggest_name
from portico.importers.openapi_security import AUTH, Security, method_auth

Doc = dict[str, Any]
VALIDATOR = "x-amazon-apigateway-request-validator"
_OPERATION_EXTENSIONS = {INTEGRATION, VALIDATOR, AUTH}
_PARAM_LOCATIONS = {"path": "path", "query": "querystring", "header": "header"}
_STATUS = re.compile(r"^[1-5]\d\d$")


@dataclass
class MethodContext:
    doc: Document
    warnings: Warnings
    models: Models
    security: Security
    validators: dict[str, Doc]
    integrations: IntegrationReader


def build_method(
    ctx: MethodContext, path: str, verb: str, op: Doc, shared_params: list[Any], resource_id: str
) -> Doc:
    """One Method document; `path` is the OpenAPI path key, `verb` GET/POST/.../ANY."""
    key = "x-amazon-apigateway-any-method" if verb == "ANY" else verb.lower()
    at: Path = ("paths", path, key)
    method: Doc = {"httpMethod": verb}
    top_security = ctx.doc.data.get("security")
    method.update(method_auth(op.get("security", top_security), op, ctx.security, at, ctx.warnings))
    if op.get("operationId"):
        method["operationName"] = str(op["operationId"])
    _unknown_extensions(ctx, op, at)
    params, models = _request(ctx, path, verb, op, shared_params, at)
    if params:
        method["requestParameters"] = params
    if models:
        method["requestModels"] = models
    validator = _validator(ctx, op, at)
    if validator:
        method["requestValidatorId"] = validator
    responses = _responses(ctx, path, verb, op, at)
    where = f"'{verb}' for resource at path '{path}'"
    if INTEGRATION in op:
        integration = ctx.integrations.read(op[INTEGRATION], (*at, INTEGRATION), where, resource_id)
        if integration is not None:
            _link_responses(ctx, integration, responses, where, (*at, INTEGRATION))
            method["methodIntegration"] = integration
    method["methodResponses"] = responses
    return method


def _unknown_extensions(ctx: MethodContext, op: Doc, at: Path) -> None:
    for name in op:
        if str(name).startswith("x-amazon-apigateway-") and name not in _OPERATION_EXTENSIONS:
            ctx.warnings.unsupported(name, (*at, name), "not an operation-level extension of REST APIs")


def _validator(ctx: MethodContext, op: Doc, at: Path) -> str | None:
    name = op.get(VALIDATOR, ctx.doc.data.get(VALIDATOR))
    if name is None:
        return None
    found = ctx.validators.get(str(name))
    if found is None:
        ctx.warnings.add(
            f"Parse issue: request validator '{name}' is not defined in {VALIDATOR}s", (*at, VALIDATOR)
        )
        return None
    return str(found["id"])


def _deref(ctx: MethodContext, value: Any) -> Any:
    for _ in range(10):
        if not (isinstance(value, dict) and "$ref" in value):
            return value
        found = ctx.doc.resolve(value["$ref"])
        if found is None:
            return None
        value = found[0]
    return None


def _request(
    ctx: MethodContext, path: str, verb: str, op: Doc, shared: list[Any], at: Path
) -> tuple[dict[str, bool], dict[str, str]]:
    params: dict[str, bool] = {}
    models: dict[str, str] = {}
    merged: dict[tuple[str, str], tuple[Doc, Path]] = {}
    for source, items in (
        (("paths", path, "parameters"), shared),
        ((*at, "parameters"), op.get("parameters")),
    ):
        for i, raw in enumerate(items if isinstance(items, list) else []):
            param = _deref(ctx, raw)
            if not isinstance(param, dict) or "in" not in param or "name" not in param:
                ctx.warnings.add(
                    f"Parse issue: attribute {attribute((*source, i))} is not a valid parameter", at
                )
                continue
            merged[(str(param["in"]), str(param["name"]))] = (param, (*source, i))
    for (where, name), (param, ppath) in merged.items():
        if where in _PARAM_LOCATIONS:
            required = True if where == "path" else bool(param.get("required", False))
            params[f"method.request.{_PARAM_LOCATIONS[where]}.{name}"] = required
        elif where == "body":
            for content_type in _media_types(ctx, op, "consumes"):
                name_ = ctx.models.model_for(param.get("schema"), suggest_name(path, verb, "Request"), ppath)
                if name_:
                    models[content_type] = name_
        else:
            ctx.warnings.add(f"Parameters in {where} are not supported by REST APIs; '{name}' ignored", ppath)
    body = _deref(ctx, op.get("requestBody"))
    if isinstance(body, dict):
        models.update(
            _content_models(
                ctx, body.get("content"), suggest_name(path, verb, "Request"), (*at, "requestBody")
            )
        )
    return params, models


def _media_types(ctx: MethodContext, op: Doc, key: str) -> list[str]:
    types = op.get(key, ctx.doc.data.get(key))
    if isinstance(types, list) and types:
        return [str(t) for t in types]
    return ["application/json"]


def _content_models(ctx: MethodContext, content: Any, suggestion: str, at: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for media, spec in (content or {}).items() if isinstance(content, dict) else []:
        schema = spec.get("schema") if isinstance(spec, dict) else None
        if schema is None:
            continue
        name = ctx.models.model_for(schema, suggestion, (*at, "content", media, "schema"))
        if name:
            out[str(media)] = name
    return out


def _responses(ctx: MethodContext, path: str, verb: str, op: Doc, at: Path) -> dict[str, Doc]:
    out: dict[str, Doc] = {}
    raw = op.get("responses")
    for code, spec in raw.items() if isinstance(raw, dict) else []:
        code = str(code)
        if code == "default":
            continue  # no API Gateway equivalent; integration responses choose status codes
        rpath = (*at, "responses", code)
        if not _STATUS.match(code):
            ctx.warnings.add(f"Unable to create method response {code}: Invalid status code", rpath)
            continue
        spec = _deref(ctx, spec)
        response: Doc = {"statusCode": code}
        if isinstance(spec, dict):
            _response_members(ctx, spec, response, suggest_name(path, verb, f"{code}Response"), rpath, op)
        out[code] = response
    return out


def _response_members(
    ctx: MethodContext, spec: Doc, response: Doc, suggestion: str, rpath: Path, op: Doc
) -> None:
    headers = spec.get("headers")
    if isinstance(headers, dict) and headers:
        response["responseParameters"] = {f"method.response.header.{h}": False for h in headers}
    models: dict[str, str] = {}
    if ctx.doc.is_v3:
        models = _content_models(ctx, spec.get("content"), suggestion, rpath)
    elif spec.get("schema") is not None:
        name = ctx.models.model_for(spec["schema"], suggestion, (*rpath, "schema"))
        if name:
            models = {media: name for media in _media_types(ctx, op, "produces")}
    if models:
        response["responseModels"] = models


def _link_responses(
    ctx: MethodContext, integration: Doc, responses: dict[str, Doc], where: str, at: Path
) -> None:
    """Each integration response needs its method response and declared headers (as PutIntegrationResponse)."""
    for code, ir in integration.get("integrationResponses", {}).items():
        response = responses.get(code)
        mapped = [k for k in ir.get("responseParameters", {}) if k.startswith("method.response.header.")]
        if response is None:
            response = {"statusCode": code}
            if mapped:
                response["responseParameters"] = dict.fromkeys(mapped, False)
            responses[code] = response
            continue
        declared = response.get("responseParameters", {})
        for key in mapped:
            if key not in declared:
                ctx.warnings.add(
                    f"Unable to put integration response on {where}: Invalid mapping expression specified: "
                    f"{key} is not declared in the {code} response's headers; mapping ignored",
                    (*at, "responses"),
                )
                del ir["responseParameters"][key]
