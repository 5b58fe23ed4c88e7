"""DocumentationPart and DocumentationVersion operations (API Gateway REST API reference), with
ImportDocumentationParts (Developer Guide: "Documenting REST APIs", "Import API documentation").

Location fields per entity type follow the guide's table "Valid location fields of DocumentationPart".
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import yaml

from portico.controlplane.apidoc import Doc, load_api, new_unique_id, paginate, public, save_api
from portico.controlplane.errors import BadRequestException, ConflictException, NotFoundException
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.stages import load_stage, save_stage

PART_NOT_FOUND = "Invalid Documentation part identifier specified"
EXTENSION = "x-amazon-apigateway-documentation"
_FIELDS = ("path", "method", "statusCode", "name")
_VALID: dict[str, tuple[str, ...]] = {
    "API": (),
    "AUTHORIZER": ("name",),
    "MODEL": ("name",),
    "RESOURCE": ("path",),
    "METHOD": ("path", "method"),
    "PATH_PARAMETER": ("path", "method", "name"),
    "QUERY_PARAMETER": ("path", "method", "name"),
    "REQUEST_HEADER": ("path", "method", "name"),
    "REQUEST_BODY": ("path", "method", "name"),
    "RESPONSE": ("path", "method", "statusCode"),
    "RESPONSE_HEADER": ("path", "method", "statusCode", "name"),
    "RESPONSE_BODY": ("path", "method", "statusCode"),
}
_NAME_REQUIRED = {
    "AUTHORIZER",
    "MODEL",
    "PATH_PARAMETER",
    "QUERY_PARAMETER",
    "REQUEST_HEADER",
    "RESPONSE_HEADER",
}
_DEFAULTS = {"path": "/", "method": "*", "statusCode": "*"}
_STATUS = re.compile(r"^([1-5]\d\d|\*)$")


# ----- pure checks -------------------------------------------------------------------------------


def normalise_location(location: Any) -> Doc:
    """A location with only the fields its type takes, defaults filled in; BadRequest otherwise."""
    if not isinstance(location, dict) or location.get("type") not in _VALID:
        kind = location.get("type") if isinstance(location, dict) else None
        raise BadRequestException(f"Invalid documentation part location type specified: {kind}")
    kind = location["type"]
    valid = _VALID[kind]
    out: Doc = {"type": kind}
    for field in _FIELDS:
        value = location.get(field)
        if isinstance(value, str) and not value.strip():
            value = None
        if value is not None and field not in valid:
            raise BadRequestException(f"Invalid location: '{field}' is not a valid field for type {kind}")
        if field in valid:
            value = value if value is not None else _DEFAULTS.get(field)
            if value is not None:
                out[field] = value
    _check_values(out)
    return out


def _check_values(location: Doc) -> None:
    kind = location["type"]
    if kind in _NAME_REQUIRED and not location.get("name"):
        raise BadRequestException(f"Invalid location: 'name' is required for type {kind}")
    if not str(location.get("path", "/")).startswith("/"):
        raise BadRequestException(f"Invalid location path specified: {location['path']}")
    status = location.get("statusCode")
    if status is not None and not _STATUS.match(status):
        raise BadRequestException(f"Invalid location status code specified: {status}")


def check_properties(properties: Any) -> str:
    """Documentation content: a non-empty JSON object (given as a JSON string or as an object)."""
    if isinstance(properties, dict):
        return json.dumps(properties)
    if not isinstance(properties, str) or not properties.strip():
        raise BadRequestException("Documentation part properties must be non-empty")
    try:
        parsed = json.loads(properties)
    except ValueError:
        raise BadRequestException("Invalid documentation part properties: must be valid JSON") from None
    if not isinstance(parsed, dict):
        raise BadRequestException("Invalid documentation part properties: must be a JSON object")
    return properties


def _key(location: Doc) -> tuple[Any, ...]:
    return (location["type"], *(location.get(f) for f in _FIELDS))


def _describe(location: Doc) -> str:
    return ", ".join(f"{f} '{location[f]}'" for f in ("type", *_FIELDS) if location.get(f) is not None)


# ----- parts -------------------------------------------------------------------------------------


def _parts(api: Doc) -> dict[str, Doc]:
    return api.setdefault("_documentationParts", {})


def _find_part(api: Doc, part_id: str) -> Doc:
    found = _parts(api).get(part_id)
    if found is None:
        raise NotFoundException(PART_NOT_FOUND)
    return found


def _at(api: Doc, location: Doc) -> Doc | None:
    key = _key(location)
    return next((p for p in _parts(api).values() if _key(p["location"]) == key), None)


@APIGATEWAY.op("CreateDocumentationPart", write=True)
async def create_documentation_part(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    location = normalise_location(params["location"])
    properties = check_properties(params["properties"])
    if _at(api, location) is not None:
        raise ConflictException(
            f"Documentation part already exists for the specified location: {_describe(location)}."
        )
    part: Doc = {"id": new_unique_id(ctx, _parts(api)), "location": location, "properties": properties}
    _parts(api)[part["id"]] = part
    await save_api(ctx, api)
    return part


@APIGATEWAY.op("GetDocumentationPart", write=False)
async def get_documentation_part(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    return _find_part(api, params["documentationPartId"])


def _documented(part: Doc) -> bool:
    try:
        return bool(json.loads(part["properties"]))
    except ValueError:
        return True


def _matches(part: Doc, params: Params) -> bool:
    location = part["location"]
    if params.get("type") and location["type"] != params["type"]:
        return False
    if params.get("nameQuery") and not str(location.get("name") or "").startswith(params["nameQuery"]):
        return False
    if params.get("path") and location.get("path") != params["path"]:
        return False
    status = params.get("locationStatus")
    return status is None or _documented(part) == (status == "DOCUMENTED")


@APIGATEWAY.op("GetDocumentationParts", write=False)
async def get_documentation_parts(ctx: OpContext, params: Params) -> Doc:
    """Filters: `type`, `nameQuery` (name prefix), `path`, `locationStatus` (DOCUMENTED: non-empty content)."""
    api = await load_api(ctx, params["restApiId"])
    items = [p for p in _parts(api).values() if _matches(p, params)]
    return paginate(items, params.get("position"), params.get("limit"))


@APIGATEWAY.op("UpdateDocumentationPart", write=True)
async def update_documentation_part(ctx: OpContext, params: Params) -> Doc:
    """Only `replace` of /properties is supported."""
    api = await load_api(ctx, params["restApiId"])
    part = copy.deepcopy(_find_part(api, params["documentationPartId"]))
    for operation in params.get("patchOperations") or []:
        op, path = operation.get("op"), operation.get("path") or ""
        if op != "replace":
            raise BadRequestException(
                f"Invalid patch path  '{path}' specified for op '{op}'. Please choose supported operations"
            )
        if path != "/properties":
            raise BadRequestException(
                f"Invalid patch path  '{path}' specified for op 'replace'. Must be one of: [/properties]"
            )
        part["properties"] = check_properties(operation.get("value"))
    _parts(api)[part["id"]] = part
    await save_api(ctx, api)
    return part


@APIGATEWAY.op("DeleteDocumentationPart", write=True)
async def delete_documentation_part(ctx: OpContext, params: Params) -> None:
    api = await load_api(ctx, params["restApiId"])
    del _parts(api)[_find_part(api, params["documentationPartId"])["id"]]
    await save_api(ctx, api)
    return None


# ----- import ------------------------------------------------------------------------------------


def _load_document(body: bytes | str | None) -> Any:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise BadRequestException(
            "Invalid OpenAPI input specified: the body is neither JSON nor YAML"
        ) from None


def read_import(document: Any) -> tuple[list[tuple[Doc, str]], list[str]]:
    """(location, properties) of each valid part of `x-amazon-apigateway-documentation`, and warnings."""
    if not isinstance(document, dict):
        raise BadRequestException("Invalid OpenAPI input specified: the document must be an object")
    raw = (document.get(EXTENSION) or {}).get("documentationParts")
    if not isinstance(raw, list):
        return [], [f"No documentation parts found: {EXTENSION}.documentationParts is missing"]
    entries: list[tuple[Doc, str]] = []
    warnings: list[str] = []
    for index, item in enumerate(raw):
        try:
            if not isinstance(item, dict):
                raise BadRequestException("a documentation part must be an object")
            entries.append(
                (normalise_location(item.get("location")), check_properties(item.get("properties")))
            )
        except BadRequestException as exc:
            warnings.append(f"Documentation part {index} ignored: {exc.message}")
    return entries, warnings


def apply_import(ctx: OpContext, api: Doc, entries: list[tuple[Doc, str]], mode: str) -> list[str]:
    """Adds (or, for a known location, merges the attributes of) each part; `overwrite` starts empty."""
    if mode == "overwrite":
        api["_documentationParts"] = {}
    ids: list[str] = []
    for location, properties in entries:
        existing = _at(api, location)
        if existing is None:
            existing = {"id": new_unique_id(ctx, _parts(api)), "location": location, "properties": properties}
            _parts(api)[existing["id"]] = existing
        else:
            merged = {**json.loads(existing["properties"]), **json.loads(properties)}
            existing["properties"] = json.dumps(merged)
        ids.append(existing["id"])
    return ids


@APIGATEWAY.op("ImportDocumentationParts", write=True)
async def import_documentation_parts(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    entries, warnings = read_import(_load_document(params.get("body")))
    if warnings and params.get("failOnWarnings"):
        raise BadRequestException("Warnings found during import:\n\t" + "\n\t".join(warnings))
    ids = apply_import(ctx, api, entries, params.get("mode") or "merge")
    await save_api(ctx, api)
    out: Doc = {"ids": ids}
    if warnings:
        out["warnings"] = warnings
    return out


# ----- versions ----------------------------------------------------------------------------------


def _versions(api: Doc) -> dict[str, Doc]:
    return api.setdefault("_documentationVersions", {})


def _find_version(api: Doc, version: str) -> Doc:
    found = _versions(api).get(version)
    if found is None:
        raise NotFoundException(f"Documentation version not found: {version}")
    return found


async def _attach_to_stage(ctx: OpContext, api_id: str, stage_name: str, version: str) -> None:
    stage = await load_stage(ctx, api_id, stage_name)
    stage["documentationVersion"] = version
    await save_stage(ctx, api_id, stage)


@APIGATEWAY.op("CreateDocumentationVersion", write=True)
async def create_documentation_version(ctx: OpContext, params: Params) -> Doc:
    """Snapshots the documentation parts; `stageName` publishes the snapshot on that stage."""
    api = await load_api(ctx, params["restApiId"])
    version = params["documentationVersion"]
    if not version.strip():
        raise BadRequestException("Documentation version must be non-empty")
    if version in _versions(api):
        raise ConflictException(f"Documentation version already exists: {version}")
    doc: Doc = {
        "version": version,
        "createdDate": ctx.now(),
        "_parts": copy.deepcopy(list(_parts(api).values())),
    }
    if params.get("description"):
        doc["description"] = params["description"]
    if params.get("stageName"):
        await _attach_to_stage(ctx, api["id"], params["stageName"], version)
    _versions(api)[version] = doc
    await save_api(ctx, api)
    return public(doc)


@APIGATEWAY.op("GetDocumentationVersion", write=False)
async def get_documentation_version(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    return public(_find_version(api, params["documentationVersion"]))


@APIGATEWAY.op("GetDocumentationVersions", write=False)
async def get_documentation_versions(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    items = [public(v) for v in _versions(api).values()]
    return paginate(items, params.get("position"), params.get("limit"))


@APIGATEWAY.op("UpdateDocumentationVersion", write=True)
async def update_documentation_version(ctx: OpContext, params: Params) -> Doc:
    """Only `replace` of /description is supported."""
    api = await load_api(ctx, params["restApiId"])
    doc = _find_version(api, params["documentationVersion"])
    for operation in params.get("patchOperations") or []:
        op, path = operation.get("op"), operation.get("path") or ""
        if op != "replace" or path != "/description":
            raise BadRequestException(
                f"Invalid patch path  '{path}' specified for op '{op}'. Must be one of: [/description]"
            )
        if operation.get("value"):
            doc["description"] = operation["value"]
        else:
            doc.pop("description", None)
    await save_api(ctx, api)
    return public(doc)


@APIGATEWAY.op("DeleteDocumentationVersion", write=True)
async def delete_documentation_version(ctx: OpContext, params: Params) -> None:
    api = await load_api(ctx, params["restApiId"])
    del _versions(api)[_find_version(api, params["documentationVersion"])["version"]]
    await save_api(ctx, api)
    return None
