"""Validation and defaults of Integration and IntegrationResponse settings.

API Gateway REST API reference (PutIntegration, PutIntegrationResponse) and Developer Guide,
"API Gateway API request and response data mapping reference": integration types and URIs, timeouts,
connection types, `integration.request.*` and `method.response.header.*` mapping expressions.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from portico.controlplane.errors import BadRequestException, ConflictException
from portico.controlplane.member_patch import LIST, MAP, STRUCT, MemberPatcher, Rule
from portico.controlplane.method_rules import (
    CONTENT_TYPE_NOT_FOUND,
    HTTP_METHODS,
    PARAM_NOT_FOUND,
    SINGLE_LOCATION,
    mapping_error,
    request_parameter,
)

Doc = dict[str, Any]

DEFAULT_TIMEOUT = 29000
PASSTHROUGH = ("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER")
_OPTIONAL = (
    "uri",
    "connectionType",
    "connectionId",
    "credentials",
    "requestParameters",
    "requestTemplates",
    "passthroughBehavior",
    "cacheNamespace",
    "cacheKeyParameters",
    "contentHandling",
    "timeoutInMillis",
    "tlsConfig",
    "responseTransferMode",
    "integrationTarget",
)
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.[A-Za-z0-9_]+\}")
_INTEGRATION_TARGET = re.compile(
    r"^integration\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$"
)
_METHOD_SOURCE = re.compile(
    r"^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$"
)
_COMMON_SOURCE = re.compile(r"^(stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.-]+|'.*')$", re.DOTALL)
_RESPONSE_SOURCE = re.compile(r"^integration\.response\.(header\..+|multivalueheader\..+|body|body\..+)$")


def new_integration(params: Doc, resource_id: str) -> Doc:
    integ: Doc = {"type": params["type"]}
    if params.get("integrationHttpMethod"):
        integ["httpMethod"] = params["integrationHttpMethod"]
    integ.update({k: params[k] for k in _OPTIONAL if params.get(k) is not None})
    apply_defaults(integ, resource_id)
    integ["integrationResponses"] = {}
    return integ


def apply_defaults(integ: Doc, resource_id: str) -> None:
    integ.setdefault("passthroughBehavior", "WHEN_NO_MATCH")
    integ.setdefault("timeoutInMillis", DEFAULT_TIMEOUT)
    integ.setdefault("cacheNamespace", resource_id)
    integ.setdefault("cacheKeyParameters", [])
    if integ["type"] != "MOCK":
        integ.setdefault("connectionType", "INTERNET")


def check_http_uri(uri: str | None) -> None:
    if not uri:
        raise BadRequestException("Invalid integration URI specified")
    try:
        parts = urlsplit(_STAGE_VARIABLE.sub("x", uri))
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in uri
    except ValueError:
        valid = False
    if not valid:
        raise BadRequestException("Invalid HTTP endpoint specified for URI")


def check_aws_uri(integration_type: str, uri: str | None) -> None:
    """`arn:{partition}:apigateway:{region}:{subdomain.service|service}:{path|action}/{...}`."""
    parts = (uri or "").split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "apigateway" or not parts[3] or not parts[4]:
        raise BadRequestException("Invalid ARN specified in the request")
    if not parts[5].startswith(("path/", "action/")):
        raise BadRequestException("AWS ARN for integration must contain path or action")
    service = parts[4].rsplit(".", 1)[-1]
    if integration_type == "AWS_PROXY" and service not in ("lambda", "firehose"):
        raise BadRequestException(
            "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream "
            "invocations."
        )


def check_target(integ: Doc) -> None:
    kind = integ["type"]
    if kind == "MOCK":
        return
    verb = integ.get("httpMethod")
    if not verb:
        raise BadRequestException("Enumeration value for HttpMethod must be non-empty")
    if verb not in HTTP_METHODS:
        raise BadRequestException(f"Invalid HttpMethod specified. Valid options are {','.join(HTTP_METHODS)}")
    if kind in ("HTTP", "HTTP_PROXY"):
        check_http_uri(integ.get("uri"))
    else:
        check_aws_uri(kind, integ.get("uri"))


def check_settings(integ: Doc) -> None:
    timeout = integ["timeoutInMillis"]
    if not 50 <= timeout <= DEFAULT_TIMEOUT:
        raise BadRequestException("Timeout should be between 50 ms and 29000 ms")
    behavior = str(integ["passthroughBehavior"]).upper()
    if behavior not in PASSTHROUGH:
        raise BadRequestException(
            f"Invalid passthrough behavior specified: {integ['passthroughBehavior']}. "
            f"Valid options are {','.join(PASSTHROUGH)}"
        )
    integ["passthroughBehavior"] = behavior
    connection = integ.get("connectionType")
    if connection == "VPC_LINK" and not integ.get("connectionId"):
        raise BadRequestException("A connectionId is required when connectionType is VPC_LINK")
    if connection != "VPC_LINK" and integ.get("connectionId"):
        raise BadRequestException("A connectionId can only be specified when connectionType is VPC_LINK")


def _declared(method: Doc) -> set[tuple[str, str]]:
    """(location, name) of the method's request parameters, multi-value ones under their single form."""
    found = (request_parameter(key) for key in method.get("requestParameters") or {})
    return {(SINGLE_LOCATION.get(p[0], p[0]), p[1]) for p in found if p is not None}


def check_request_parameters(mappings: dict[str, str] | None, method: Doc) -> None:
    declared = _declared(method)
    for target, source in (mappings or {}).items():
        if not _INTEGRATION_TARGET.match(target):
            raise mapping_error(f"Invalid mapping expression specified: {target}")
        found = _METHOD_SOURCE.match(source)
        if found:
            location = SINGLE_LOCATION.get(found.group(1), found.group(1))
            if (location, found.group(2)) not in declared:
                raise mapping_error(f"Invalid mapping expression parameter specified: {source}")
        elif not _is_body_source(source) and not _COMMON_SOURCE.match(source):
            raise mapping_error(f"Invalid mapping expression specified: {source}")


def _is_body_source(source: str) -> bool:
    return source == "method.request.body" or source.startswith("method.request.body.")


def check_cache_keys(integ: Doc, method: Doc) -> None:
    known = set(method.get("requestParameters") or {}) | set(integ.get("requestParameters") or {})
    for key in integ.get("cacheKeyParameters") or []:
        if key not in known:
            raise BadRequestException(f"Invalid cache key parameter specified: {key}")


def null_blank_templates(doc: Doc, member: str) -> None:
    """An empty template is stored as null, as AWS does."""
    templates = doc.get(member)
    if templates:
        doc[member] = {k: (v if v not in ("",) else None) for k, v in templates.items()}


def validate_integration(integ: Doc, method: Doc) -> None:
    check_target(integ)
    check_settings(integ)
    check_request_parameters(integ.get("requestParameters"), method)
    check_cache_keys(integ, method)
    null_blank_templates(integ, "requestTemplates")


def check_response_parameters(mappings: dict[str, str] | None, method_response: Doc | None) -> None:
    if not mappings:
        return
    if method_response is None:
        raise mapping_error("No method response exists for method.")
    declared = set(method_response.get("responseParameters") or {})
    for target, source in mappings.items():
        if not target.startswith("method.response.header.") or target not in declared:
            raise mapping_error(f"Invalid mapping expression parameter specified: {target}")
        if not (_RESPONSE_SOURCE.match(source) or _COMMON_SOURCE.match(source)):
            raise mapping_error(f"Invalid mapping expression specified: {source}")


def check_selection_pattern(response: Doc, others: dict[str, Doc]) -> None:
    pattern = response.get("selectionPattern") or None
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error:
            raise BadRequestException(f"Invalid selection pattern specified: {pattern}") from None
    for code, other in others.items():
        if code != response["statusCode"] and (other.get("selectionPattern") or None) == pattern:
            raise ConflictException(
                f"Integration response with selection pattern {pattern or 'default'} already exists"
            )


def validate_integration_response(response: Doc, method: Doc, integ: Doc) -> None:
    method_response = (method.get("methodResponses") or {}).get(response["statusCode"])
    check_response_parameters(response.get("responseParameters"), method_response)
    check_selection_pattern(response, integ.get("integrationResponses") or {})
    null_blank_templates(response, "responseTemplates")


_EDIT = ("add", "remove", "replace")
_SCALARS = (
    "httpMethod",
    "uri",
    "connectionType",
    "connectionId",
    "credentials",
    "passthroughBehavior",
    "contentHandling",
    "timeoutInMillis",
    "cacheNamespace",
    "responseTransferMode",
    "integrationTarget",
)

INTEGRATION_PATCHER = MemberPatcher(
    "Integration",
    {
        "type": Rule(required=True),
        **{name: Rule() for name in _SCALARS},
        "requestParameters": Rule(MAP, _EDIT, PARAM_NOT_FOUND),
        "requestTemplates": Rule(MAP, _EDIT, CONTENT_TYPE_NOT_FOUND),
        "cacheKeyParameters": Rule(LIST, _EDIT),
        "tlsConfig": Rule(STRUCT),
    },
)

INTEGRATION_RESPONSE_PATCHER = MemberPatcher(
    "IntegrationResponse",
    {
        "selectionPattern": Rule(),
        "contentHandling": Rule(),
        "responseParameters": Rule(MAP, _EDIT, PARAM_NOT_FOUND),
        "responseTemplates": Rule(MAP, _EDIT, CONTENT_TYPE_NOT_FOUND),
    },
)
