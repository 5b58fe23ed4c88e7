"""GatewayResponse operations (API Gateway REST API reference: PutGatewayResponse ... DeleteGatewayResponse).

Only customised responses are stored (`api["_gatewayResponses"][type]`); the others are the defaults
of the Developer Guide's "Gateway response types" table (`portico.model.gateway_responses`).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from portico.controlplane.apidoc import Doc, load_api, save_api
from portico.controlplane.errors import BadRequestException, NotFoundException
from portico.controlplane.patch import split_path
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.model.gateway_responses import TYPES, default_response

_STATUS = re.compile(r"^[1-5]\d\d$")
_KEY = re.compile(r"^gatewayresponse\.(header|path|querystring)\.[^.\s]+$")
_SOURCE = re.compile(
    r"^(method\.request\.(header|path|querystring|multivalueheader|multivaluequerystring)\.[^\s]+"
    r"|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$"
)
_MAPS = ("responseParameters", "responseTemplates")


def _mapping_error(expression: str) -> BadRequestException:
    return BadRequestException(
        "Invalid mapping expression specified: Validation Result: warnings : [], "
        f"errors : [Invalid mapping expression specified: {expression}]"
    )


def check_response(doc: Doc) -> None:
    """AWS's checks of a customised gateway response: status code pattern and parameter mappings."""
    status = doc.get("statusCode")
    if status is not None and not _STATUS.match(str(status)):
        raise BadRequestException(f"Invalid status code specified: {status}. Must match [1-5]\\d\\d")
    for key, value in (doc.get("responseParameters") or {}).items():
        if not _KEY.match(key):
            raise _mapping_error(key)
        static = len(value) >= 2 and value.startswith("'") and value.endswith("'")
        if not static and not _SOURCE.match(value):
            raise _mapping_error(value)


def view(api: Doc, response_type: str) -> Doc:
    """The GatewayResponse of `response_type` as GetGatewayResponse reports it."""
    custom = api.get("_gatewayResponses", {}).get(response_type)
    if custom is None:
        return default_response(response_type)
    return {**copy.deepcopy(custom), "responseType": response_type, "defaultResponse": False}


def _customise(api: Doc, response_type: str, doc: Doc) -> Doc:
    stored = {k: doc[k] for k in ("statusCode", *_MAPS) if doc.get(k) is not None}
    api.setdefault("_gatewayResponses", {})[response_type] = stored
    return view(api, response_type)


@APIGATEWAY.op("GetGatewayResponse", write=False)
async def get_gateway_response(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    return view(api, params["responseType"])


@APIGATEWAY.op("GetGatewayResponses", write=False)
async def get_gateway_responses(ctx: OpContext, params: Params) -> Doc:
    """Every response type, customised or default; the collection is not paginated."""
    api = await load_api(ctx, params["restApiId"])
    return {"items": [view(api, name) for name in TYPES]}


@APIGATEWAY.op("PutGatewayResponse", write=True)
async def put_gateway_response(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    response_type = params["responseType"]
    doc: Doc = {
        "statusCode": params.get("statusCode") or default_response(response_type).get("statusCode"),
        "responseParameters": params.get("responseParameters") or {},
        "responseTemplates": params.get("responseTemplates") or {},
    }
    check_response(doc)
    out = _customise(api, response_type, doc)
    await save_api(ctx, api)
    return out


@APIGATEWAY.op("UpdateGatewayResponse", write=True)
async def update_gateway_response(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    response_type = params["responseType"]
    doc = view(api, response_type)
    for operation in params.get("patchOperations") or []:
        _patch(doc, operation)
    check_response(doc)
    out = _customise(api, response_type, doc)
    await save_api(ctx, api)
    return out


def _patch(doc: Doc, operation: Doc) -> None:
    """Patch paths of UpdateGatewayResponse: /statusCode (replace), /responseParameters/{name} and
    /responseTemplates/{content-type} (add, replace, remove)."""
    op, path = operation.get("op"), operation.get("path") or ""
    value: Any = operation.get("value")
    segments = split_path(path)
    if segments == ["statusCode"]:
        if op != "replace":
            raise BadRequestException(f"Invalid patch path {path}")
        doc["statusCode"] = value
        return
    if len(segments) != 2 or segments[0] not in _MAPS:
        raise BadRequestException(f"Invalid patch path {path}")
    field, name = segments
    mapping = doc.setdefault(field, {})
    if op == "remove":
        if mapping.pop(name, None) is None:
            raise NotFoundException("Invalid parameter name specified")
        return
    if op not in ("add", "replace"):
        raise BadRequestException(
            f"Invalid patch operation specified. Must be 'add'|'remove'|'replace': {op}"
        )
    if op == "replace" and name not in mapping:
        raise NotFoundException("Invalid parameter name specified")
    if value is None or (field == "responseParameters" and value == ""):
        raise BadRequestException(f"Invalid null or empty value in {field}")
    mapping[name] = value


@APIGATEWAY.op("DeleteGatewayResponse", write=True)
async def delete_gateway_response(ctx: OpContext, params: Params) -> None:
    """Clears a customisation; the type answers with its default again."""
    api = await load_api(ctx, params["restApiId"])
    if api.get("_gatewayResponses", {}).pop(params["responseType"], None) is None:
        raise NotFoundException("Gateway response type not defined on api")
    await save_api(ctx, api)
    return None
