"""OpenAPI 2.0/3.0 definition -> the stored REST API layout (ImportRestApi / PutRestApi bodies).

API Gateway Developer Guide: "Develop REST APIs using OpenAPI in API Gateway" (import, basePath
handling, errors and warnings during import, OpenAPI extensions for API Gateway).
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from portico.controlplane.errors import ApiError
from portico.controlplane.integration_rules import validate_integration, validate_integration_response
from portico.controlplane.method_rules import validate_method, validate_method_response
from portico.importers.diagnostics import DefinitionError, ImportWarning, Warnings
from portico.importers.openapi_extensions import (
    api_members,
    check_top_level,
    documentation_parts,
    gateway_responses,
    request_validators,
)
from portico.importers.openapi_integration import IntegrationReader
from portico.importers.openapi_load import ANY_METHOD, METHODS, Document, parse
from portico.importers.openapi_methods import MethodContext, build_method
from portico.importers.openapi_models import Models
from portico.importers.openapi_security import read_schemes

__all__ = ["Document", "ImportOptions", "parse", "to_api"]

Doc = dict[str, Any]
BASEPATH_MODES = ("ignore", "prepend", "split")
_PART = re.compile(r"^(\{[A-Za-z0-9._-]+\+?\}|[A-Za-z0-9._:-]+)$")
_PATH_ITEM_KEYS = {*METHODS, ANY_METHOD, "parameters", "summary", "description", "servers", "$ref", "trace"}


def _random_id(n: int) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(n))


@dataclass(frozen=True)
class ImportOptions:
    api_id: str
    root_id: str
    region: str = "us-east-1"
    account_id: str = "123456789012"
    basepath: str = "ignore"
    ignore_documentation: bool = False
    new_id: Callable[[int], str] = field(default=_random_id)


def to_api(document: Document, options: ImportOptions) -> tuple[Doc, list[ImportWarning]]:
    """RestApi members plus `_resources`, `_models`, `_requestValidators`, `_authorizers`,
    `_gatewayResponses`, `_documentationParts`, with fresh ids (the root keeps `options.root_id`)."""
    if options.basepath not in BASEPATH_MODES:
        raise DefinitionError(
            f"Invalid basepath parameter {options.basepath!r}: use ignore, prepend or split"
        )
    warnings = Warnings()
    data = document.data
    check_top_level(data, warnings)
    parts = api_members(data, options.region, options.account_id, options.api_id, warnings)
    models = Models(document, options.api_id, options.new_id, warnings)
    models.load()
    security = read_schemes(document, options.new_id, warnings)
    validators = request_validators(data, options.new_id, warnings)
    ctx = MethodContext(
        document, warnings, models, security, validators, IntegrationReader(document, warnings)
    )
    parts["_resources"] = _resources(ctx, options)
    parts["_models"] = models.by_name
    parts["_authorizers"] = {a["id"]: a for a in security.authorizers.values()}
    parts["_requestValidators"] = {v["id"]: v for v in validators.values()}
    parts["_gatewayResponses"] = gateway_responses(data, warnings)
    if not options.ignore_documentation:
        parts["_documentationParts"] = documentation_parts(data, options.new_id, warnings)
    parts["rootResourceId"] = options.root_id
    _validate_methods(parts, warnings)
    return parts, warnings.items


def _validate_methods(parts: Doc, warnings: Warnings) -> None:
    """The checks PutMethod/PutIntegration/... make; what fails is left out, with a warning."""
    for res in parts["_resources"].values():
        methods = res.get("resourceMethods") or {}
        for verb, method in list(methods.items()):
            where = f"'{verb}' for resource at path '{res['path']}'"
            try:
                validate_method(method, parts)
                for response in method["methodResponses"].values():
                    validate_method_response(response, parts)
            except ApiError as exc:
                warnings.add(f"Unable to put method {where}: {exc.message}", ("paths", res["path"]))
                del methods[verb]
                continue
            _validate_integration(method, where, res["path"], warnings)
        if not methods:
            res.pop("resourceMethods", None)


def _validate_integration(method: Doc, where: str, path: str, warnings: Warnings) -> None:
    integration = method.get("methodIntegration")
    if integration is None:
        return
    try:
        validate_integration(integration, method)
    except ApiError as exc:
        warnings.add(f"Unable to put integration on {where}: {exc.message}", ("paths", path))
        del method["methodIntegration"]
        return
    responses = integration["integrationResponses"]
    for code, response in list(responses.items()):
        try:
            validate_integration_response(response, method, {"integrationResponses": {}})
        except ApiError as exc:
            warnings.add(f"Unable to put integration response on {where}: {exc.message}", ("paths", path))
            del responses[code]


def base_path(document: Document) -> str:
    """`basePath` (2.0) or the path of the first server URL, variables at their defaults (3.0)."""
    data = document.data
    if not document.is_v3:
        return str(data.get("basePath") or "/")
    servers = data.get("servers")
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return "/"
    url = str(servers[0].get("url") or "")
    for name, var in (servers[0].get("variables") or {}).items():
        default = var.get("default", "") if isinstance(var, dict) else ""
        url = url.replace("{" + str(name) + "}", str(default).strip("/"))
    path = urlsplit(url).path if "://" in url else url
    return "/" + "/".join(p for p in path.split("/") if p)


def _prefix(document: Document, mode: str) -> list[str]:
    if mode == "ignore":
        return []
    segments = [p for p in base_path(document).split("/") if p]
    return segments[1:] if mode == "split" else segments


class _Tree:
    def __init__(self, root_id: str, new_id: Callable[[int], str]) -> None:
        self.new_id = new_id
        self.by_path: dict[str, Doc] = {"/": {"id": root_id, "path": "/"}}

    def ensure(self, segments: list[str]) -> Doc:
        parent = self.by_path["/"]
        for i, part in enumerate(segments):
            path = "/" + "/".join(segments[: i + 1])
            node = self.by_path.get(path)
            if node is None:
                taken = {r["id"] for r in self.by_path.values()}
                ident = self.new_id(6)
                while ident in taken:
                    ident = self.new_id(6)
                node = {"id": ident, "parentId": parent["id"], "pathPart": part, "path": path}
                self.by_path[path] = node
            parent = node
        return parent

    def sibling_conflict(self, segments: list[str]) -> str | None:
        """The other variable path part under the same parent, if any (AWS allows one)."""
        for i, part in enumerate(segments):
            if not part.startswith("{"):
                continue
            parent = "/" + "/".join(segments[:i])
            for path, node in self.by_path.items():
                other = node.get("pathPart", "")
                if (path.rsplit("/", 1)[0] or "/") == parent and other.startswith("{") and other != part:
                    return str(other)
        return None


def _resources(ctx: MethodContext, options: ImportOptions) -> dict[str, Doc]:
    tree = _Tree(options.root_id, options.new_id)
    prefix = _prefix(ctx.doc, options.basepath)
    if prefix:
        tree.ensure(prefix)
    for path, item in (ctx.doc.data.get("paths") or {}).items():
        segments = [p for p in str(path).split("/") if p]
        if not _valid_path(ctx, str(path), prefix + segments, tree):
            continue
        resource = tree.ensure(prefix + segments)
        _methods(ctx, str(path), item, resource)
    return {r["id"]: r for r in tree.by_path.values()}


def _valid_path(ctx: MethodContext, path: str, segments: list[str], tree: _Tree) -> bool:
    where = ("paths", path)
    for i, part in enumerate(segments):
        if not _PART.match(part) or (part.endswith("+}") and i != len(segments) - 1):
            ctx.warnings.add(
                f"Unable to create resource at path '{path}': Resource's path part only allow "
                "a-zA-Z0-9._-: and curly braces at the beginning and the end and an optional plus sign "
                "before the closing brace",
                where,
            )
            return False
    other = tree.sibling_conflict(segments)
    if other is not None:
        ctx.warnings.add(
            f"Unable to create resource at path '{path}': A sibling ({other}) of this resource already has "
            "a variable path part -- only one is allowed",
            where,
        )
        return False
    return True


def _methods(ctx: MethodContext, path: str, item: Doc, resource: Doc) -> None:
    for key in item:
        if str(key).startswith("x-amazon-apigateway-") and key != ANY_METHOD:
            ctx.warnings.unsupported(key, ("paths", path, key), "not a path-level extension")
        elif key == "trace":
            ctx.warnings.add(
                f"Unable to create method 'TRACE' at path '{path}': not supported", ("paths", path, key)
            )
    raw_shared = item.get("parameters")
    shared: list[Any] = raw_shared if isinstance(raw_shared, list) else []
    for key in (*METHODS, ANY_METHOD):
        op = item.get(key)
        if not isinstance(op, dict):
            continue
        verb = "ANY" if key == ANY_METHOD else key.upper()
        if key == ANY_METHOD and "isDefaultRoute" in op:
            ctx.warnings.add("isDefaultRoute is supported only for HTTP APIs; ignored", ("paths", path, key))
        method = build_method(ctx, path, verb, op, shared, resource["id"])
        resource.setdefault("resourceMethods", {})[verb] = method
