"""ImportRestApi, PutRestApi and GetExport (API Gateway REST API reference; Developer Guide:
"Develop REST APIs using OpenAPI in API Gateway" and "Export a REST API from API Gateway")."""

from __future__ import annotations

from typing import Any

from portico.controlplane.apidoc import Doc, load_api, public, save_api
from portico.controlplane.errors import BadRequestException
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.restapis import allocate_api_id, new_api
from portico.controlplane.stages import DEPLOYMENT_KIND, load_stage
from portico.importers import export as exporter
from portico.importers.diagnostics import DefinitionError, ImportWarning, failure_message
from portico.importers.merge import apply
from portico.importers.openapi import BASEPATH_MODES, Document, ImportOptions, parse, to_api

ENDPOINT_TYPES = ("EDGE", "REGIONAL", "PRIVATE")
MAX_DEFINITION = 6 * 1024 * 1024
_NEW_API_MEMBERS = (
    "name",
    "description",
    "version",
    "binaryMediaTypes",
    "minimumCompressionSize",
    "apiKeySource",
    "policy",
    "tags",
    "disableExecuteApiEndpoint",
)
_PARTS = (
    "_resources",
    "_models",
    "_requestValidators",
    "_authorizers",
    "_gatewayResponses",
    "_documentationParts",
)


def import_parameters(params: Params) -> Doc:
    """The `parameters` map of ImportRestApi/PutRestApi: basepath, ignore, endpointConfigurationTypes."""
    raw = {str(k).lower(): v for k, v in (params.get("parameters") or {}).items()}
    basepath = raw.get("basepath", "ignore")
    if basepath not in BASEPATH_MODES:
        raise BadRequestException(f"Invalid basepath parameter {basepath!r}: use ignore, prepend or split")
    ignore = raw.get("ignore")
    if ignore not in (None, "documentation"):
        raise BadRequestException(
            f"Invalid ignore parameter {ignore!r}: only ignore=documentation is supported"
        )
    types = raw.get("endpointconfigurationtypes")
    if types is not None and types.upper() not in ENDPOINT_TYPES:
        raise BadRequestException(
            f"Invalid endpointConfigurationTypes {types!r}: use {', '.join(ENDPOINT_TYPES)}"
        )
    return {"basepath": basepath, "ignore_documentation": ignore == "documentation", "endpoint": types}


def read_definition(body: Any) -> Document:
    if not body:
        raise BadRequestException("Invalid OpenAPI input: the request body is empty")
    if len(body) > MAX_DEFINITION:
        raise BadRequestException("The API definition file exceeds the maximum size of 6 MB")
    try:
        return parse(body if isinstance(body, bytes) else str(body).encode())
    except DefinitionError as exc:
        raise BadRequestException(exc.describe()) from None


def check_warnings(fail_on_warnings: bool, warnings: list[ImportWarning]) -> list[str]:
    if warnings and fail_on_warnings:
        raise BadRequestException(failure_message(warnings))
    return [w.message for w in warnings]


def _options(ctx: OpContext, api_id: str, root_id: str, settings: Doc) -> ImportOptions:
    return ImportOptions(
        api_id=api_id,
        root_id=root_id,
        region=ctx.region,
        account_id=ctx.account_id,
        basepath=settings["basepath"],
        ignore_documentation=settings["ignore_documentation"],
        new_id=ctx.ids.short,
    )


def _convert(document: Document, options: ImportOptions) -> tuple[Doc, list[ImportWarning]]:
    try:
        return to_api(document, options)
    except DefinitionError as exc:
        raise BadRequestException(exc.describe()) from None


async def create_api(
    ctx: OpContext, document: Document, settings: Doc, *, api_id: str | None = None, fail: bool = False
) -> tuple[Doc, list[ImportWarning]]:
    """ImportRestApi's work: a new API (stored) from the definition, and the import warnings."""
    if not str((document.data.get("info") or {}).get("title") or "").strip():
        raise BadRequestException("Invalid OpenAPI input: info.title (the REST API name) is required")
    api_id = api_id or await allocate_api_id(ctx, None)
    root_id = ctx.ids.short(10)
    parts, warnings = _convert(document, _options(ctx, api_id, root_id, settings))
    messages = check_warnings(fail, warnings)
    create = {k: parts[k] for k in _NEW_API_MEMBERS if k in parts}
    endpoint = dict(parts.get("endpointConfiguration") or {})
    endpoint["types"] = [(settings["endpoint"] or "EDGE").upper()]
    create["endpointConfiguration"] = endpoint
    doc = new_api(ctx, api_id, create)
    doc["rootResourceId"] = root_id
    doc.update({k: parts[k] for k in _PARTS if k in parts})
    if messages:
        doc["warnings"] = messages
    await save_api(ctx, doc)
    return doc, warnings


async def update_api(
    ctx: OpContext, existing: Doc, document: Document, settings: Doc, *, mode: str, fail: bool = False
) -> tuple[Doc, list[ImportWarning]]:
    """PutRestApi's work: merge or overwrite an existing API (stored), and the import warnings."""
    options = _options(ctx, existing["id"], existing["rootResourceId"], settings)
    parts, warnings = _convert(document, options)
    messages = check_warnings(fail, warnings)
    doc = apply(existing, parts, mode, ctx.ids.short)
    doc.pop("warnings", None)
    if messages:
        doc["warnings"] = messages
    await save_api(ctx, doc)
    return doc, warnings


@APIGATEWAY.op("ImportRestApi", write=True)
async def import_rest_api(ctx: OpContext, params: Params) -> Doc:
    settings = import_parameters(params)
    document = read_definition(params.get("body"))
    doc, _ = await create_api(ctx, document, settings, fail=bool(params.get("failOnWarnings")))
    return public(doc)


@APIGATEWAY.op("PutRestApi", write=True)
async def put_rest_api(ctx: OpContext, params: Params) -> Doc:
    existing = await load_api(ctx, params["restApiId"])
    settings = import_parameters(params)
    document = read_definition(params.get("body"))
    mode = params.get("mode") or "merge"
    doc, _ = await update_api(
        ctx, existing, document, settings, mode=mode, fail=bool(params.get("failOnWarnings"))
    )
    return public(doc)


@APIGATEWAY.op("GetExport", write=False)
async def get_export(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    stage = await load_stage(ctx, api["id"], params["stageName"])
    deployment = await ctx.tx.get(DEPLOYMENT_KIND, api["id"], stage.get("deploymentId") or "")
    if deployment is None:
        raise BadRequestException("The stage has no deployment to export")
    options = {str(k).lower(): v for k, v in (params.get("parameters") or {}).items()}
    try:
        extensions = exporter.parse_extensions(options.get("extensions"))
        document = exporter.export(
            api,
            stage,
            deployment["_snapshot"],
            params["exportType"],
            extensions,
            _invoke_host(ctx, api["id"]),
        )
        body, content_type = exporter.render(document, params.get("accepts"))
    except exporter.ExportError as exc:
        raise BadRequestException(str(exc)) from None
    return {
        "body": body,
        "contentType": content_type,
        "contentDisposition": exporter.disposition(params["exportType"], content_type, ctx.now()),
    }


def _invoke_host(ctx: OpContext, api_id: str) -> str:
    """The execute-api host of this Portico, with the port the client used."""
    _, _, port = ctx.request.host.rpartition(":")
    suffix = f":{port}" if port.isdigit() else ""
    return f"{api_id}.execute-api.localhost{suffix}"
