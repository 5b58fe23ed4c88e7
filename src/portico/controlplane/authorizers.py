"""Authorizer operations (API Gateway REST API reference: CreateAuthorizer ... DeleteAuthorizer).

TestInvokeAuthorizer needs the data plane and is not registered here.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from portico.controlplane.apidoc import Doc, load_api, new_unique_id, paginate, save_api
from portico.controlplane.errors import BadRequestException, ConflictException, NotFoundException
from portico.controlplane.patch import Patcher
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.validators import methods_of

NOT_FOUND = "Invalid Authorizer identifier specified"
DEFAULT_TTL = 300
MAX_TTL = 3600

_LAMBDA_URI = re.compile(
    r"^arn:aws[a-zA-Z-]*:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/"
    r"arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[^/\s]+/invocations$"
)
_HEADER_SOURCE = re.compile(r"^method\.request\.header\.[a-zA-Z0-9._-]+$")
_REQUEST_SOURCE = re.compile(
    r"^(method\.request\.(header|querystring|multivalueheader|multivaluequerystring|path)\.[^\s,]+"
    r"|stageVariables\.[^\s,]+|context\.[^\s,]+)$"
)
_USER_POOL_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/[\w-]+$")
_FIELDS = (
    "name",
    "type",
    "providerARNs",
    "authType",
    "authorizerUri",
    "authorizerCredentials",
    "identitySource",
    "identityValidationExpression",
    "authorizerResultTtlInSeconds",
    "jwtConfiguration",
)
_NOT_FOR_JWT = (
    "providerARNs",
    "authorizerUri",
    "authorizerCredentials",
    "identityValidationExpression",
    "authorizerResultTtlInSeconds",
)
_patcher = Patcher("apigateway", "Authorizer", readonly=("id",))


def _bad(message: str) -> BadRequestException:
    return BadRequestException(message)


def _check_uri(doc: Doc) -> None:
    uri = doc.get("authorizerUri")
    if not uri:
        raise _bad(f"Authorizer URI is required for authorizers of type {doc['type']}")
    if not _LAMBDA_URI.match(uri):
        raise _bad(
            f"Invalid Authorizer URI: {uri}. Authorizer URI should be a valid API Gateway ARN "
            "that represents a Lambda function invocation."
        )


def _check_header_source(doc: Doc) -> None:
    source = doc.get("identitySource")
    if not source or not _HEADER_SOURCE.match(source):
        raise _bad(
            f"Invalid token source expression: {source or 'null'}. The source must be a method request "
            "header, matching 'method.request.header.[a-zA-Z0-9._-]+'"
        )


def _check_request_sources(doc: Doc) -> None:
    source = doc.get("identitySource")
    if not source:
        if doc.get("authorizerResultTtlInSeconds", DEFAULT_TTL) > 0:
            raise _bad("Identity source is required for a REQUEST authorizer when caching is enabled")
        return
    for part in (p.strip() for p in source.split(",")):
        if not _REQUEST_SOURCE.match(part):
            raise _bad(f"Invalid identity source expression specified: {part}")


def _check_user_pools(doc: Doc) -> None:
    arns = doc.get("providerARNs") or []
    if not arns:
        raise _bad("providerARNs must be specified for COGNITO_USER_POOLS authorizers")
    for arn in arns:
        if not _USER_POOL_ARN.match(arn):
            raise _bad(f"Invalid provider ARN specified: {arn}")


def _check_jwt(doc: Doc) -> None:
    if present := [k for k in _NOT_FOR_JWT if doc.get(k) is not None]:
        raise _bad(f"{', '.join(present)} is not supported for JWT authorizers")
    config = doc.get("jwtConfiguration") or {}
    issuers = config.get("issuers") or []
    if not issuers or not config.get("defaultAlgorithms"):
        raise _bad("jwtConfiguration with issuers and defaultAlgorithms is required for JWT authorizers")
    seen: set[str] = set()
    for issuer in issuers:
        url = urlsplit(issuer.get("issuer") or "")
        if url.scheme != "https" or not url.hostname or url.query or url.fragment or url.username:
            raise _bad(f"Invalid issuer URL specified: {issuer.get('issuer')}")
        if issuer["issuer"] in seen:
            raise _bad(f"Issuer URLs must be unique: {issuer['issuer']}")
        seen.add(issuer["issuer"])
        if not issuer.get("audiences") or any(not a for a in issuer["audiences"]):
            raise _bad(f"Audiences of issuer {issuer['issuer']} must be non-empty")


def check_authorizer(doc: Doc) -> None:
    """AWS's validation of an authorizer, per type (see the Authorizer shape's documentation)."""
    if not str(doc.get("name") or "").strip():
        raise _bad("Authorizer name must be non-empty")
    kind = doc["type"]
    if kind == "JWT":
        _check_jwt(doc)
        return
    ttl = doc.get("authorizerResultTtlInSeconds", DEFAULT_TTL)
    if not 0 <= ttl <= MAX_TTL:
        raise _bad(f"Invalid authorizerResultTtlInSeconds: {ttl}. Must be between 0 and {MAX_TTL}")
    if kind in ("TOKEN", "REQUEST"):
        _check_uri(doc)
    if kind in ("TOKEN", "COGNITO_USER_POOLS"):
        _check_header_source(doc)
    if kind == "REQUEST":
        _check_request_sources(doc)
    if kind == "COGNITO_USER_POOLS":
        _check_user_pools(doc)
    expression = doc.get("identityValidationExpression")
    if expression is not None:
        try:
            re.compile(expression)
        except re.error:
            raise _bad(f"Invalid identity validation expression specified: {expression}") from None


def _normalise(doc: Doc) -> Doc:
    """Drops the members the authorizer's type does not take; fills the default TTL."""
    if doc["type"] == "JWT":
        return {k: v for k, v in doc.items() if k not in _NOT_FOR_JWT}
    doc = {k: v for k, v in doc.items() if k != "jwtConfiguration"}
    doc.setdefault("authorizerResultTtlInSeconds", DEFAULT_TTL)
    return doc


def _authorizers(api: Doc) -> dict[str, Doc]:
    return api.setdefault("_authorizers", {})


def _find(api: Doc, authorizer_id: str) -> Doc:
    found = _authorizers(api).get(authorizer_id)
    if found is None:
        raise NotFoundException(NOT_FOUND)
    return found


@APIGATEWAY.op("CreateAuthorizer", write=True)
async def create_authorizer(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    doc: Doc = {"id": new_unique_id(ctx, _authorizers(api))}
    doc.update({k: params[k] for k in _FIELDS if params.get(k) is not None})
    check_authorizer(doc)
    doc = _normalise(doc)
    _authorizers(api)[doc["id"]] = doc
    await save_api(ctx, api)
    return doc


@APIGATEWAY.op("GetAuthorizer", write=False)
async def get_authorizer(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    return _find(api, params["authorizerId"])


@APIGATEWAY.op("GetAuthorizers", write=False)
async def get_authorizers(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    return paginate(list(_authorizers(api).values()), params.get("position"), params.get("limit"))


@APIGATEWAY.op("UpdateAuthorizer", write=True)
async def update_authorizer(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    current = _find(api, params["authorizerId"])
    patched: dict[str, Any] = _patcher.apply(current, params.get("patchOperations"))
    if patched.get("type") not in ("TOKEN", "REQUEST", "COGNITO_USER_POOLS", "JWT"):
        raise _bad(f"Invalid authorizer type specified: {patched.get('type')}")
    if patched["type"] != current["type"]:
        patched = _normalise(patched)
    check_authorizer(patched)
    _authorizers(api)[patched["id"]] = patched
    await save_api(ctx, api)
    return patched


@APIGATEWAY.op("DeleteAuthorizer", write=True)
async def delete_authorizer(ctx: OpContext, params: Params) -> None:
    api = await load_api(ctx, params["restApiId"])
    authorizer = _find(api, params["authorizerId"])
    for path, http_method, meth in methods_of(api):
        if meth.get("authorizerId") == authorizer["id"]:
            raise ConflictException(
                f"Cannot delete authorizer, is referenced in method: {http_method}/{path}"
            )
    del _authorizers(api)[authorizer["id"]]
    await save_api(ctx, api)
    return None
