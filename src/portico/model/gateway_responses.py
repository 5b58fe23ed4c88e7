"""Gateway response types and their defaults (Developer Guide: "Gateway response types for API Gateway").

Pure data shared by the control plane (GetGatewayResponse(s) show the defaults) and the data plane
(which renders the effective response of a type, inheriting from DEFAULT_4XX / DEFAULT_5XX).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Doc = dict[str, Any]

DEFAULT_4XX = "DEFAULT_4XX"
DEFAULT_5XX = "DEFAULT_5XX"
DEFAULT_TEMPLATES: Mapping[str, str] = {"application/json": '{"message":$context.error.messageString}'}


@dataclass(frozen=True, slots=True)
class ResponseType:
    """One gateway response type: its default status (None for the two fallbacks) and fallback."""

    name: str
    status: int | None
    message: str  # the usual `$context.error.message` of this type

    @property
    def fallback(self) -> str | None:
        if self.status is None:
            return None
        return DEFAULT_4XX if self.status < 500 else DEFAULT_5XX


_TABLE = (
    ResponseType(DEFAULT_4XX, None, "Bad Request"),
    ResponseType(DEFAULT_5XX, None, "Internal server error"),
    ResponseType("RESOURCE_NOT_FOUND", 404, "Resource not found"),
    ResponseType("UNAUTHORIZED", 401, "Unauthorized"),
    ResponseType("INVALID_API_KEY", 403, "Forbidden"),
    ResponseType("ACCESS_DENIED", 403, "User is not authorized to access this resource"),
    ResponseType("AUTHORIZER_FAILURE", 500, "Internal server error"),
    ResponseType("AUTHORIZER_CONFIGURATION_ERROR", 500, "Internal server error"),
    ResponseType("INVALID_SIGNATURE", 403, "Invalid signature"),
    ResponseType("EXPIRED_TOKEN", 403, "The security token included in the request is expired"),
    ResponseType("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token"),
    ResponseType("INTEGRATION_FAILURE", 504, "Internal server error"),
    ResponseType("INTEGRATION_TIMEOUT", 504, "Endpoint request timed out"),
    ResponseType("API_CONFIGURATION_ERROR", 500, "Internal server error"),
    ResponseType("UNSUPPORTED_MEDIA_TYPE", 415, "Unsupported Media Type"),
    ResponseType("BAD_REQUEST_PARAMETERS", 400, "Invalid request parameters"),
    ResponseType("BAD_REQUEST_BODY", 400, "Invalid request body"),
    ResponseType("REQUEST_TOO_LARGE", 413, "Request Too Long"),
    ResponseType("THROTTLED", 429, "Too Many Requests"),
    ResponseType("QUOTA_EXCEEDED", 429, "Limit Exceeded"),
    ResponseType("WAF_FILTERED", 403, "Forbidden"),
)

TYPES: Mapping[str, ResponseType] = {t.name: t for t in _TABLE}


def default_response(response_type: str) -> Doc:
    """The GatewayResponse API Gateway reports for a type nobody customised."""
    spec = TYPES[response_type]
    doc: Doc = {
        "responseType": spec.name,
        "responseParameters": {},
        "responseTemplates": dict(DEFAULT_TEMPLATES),
        "defaultResponse": True,
    }
    if spec.status is not None:
        doc["statusCode"] = str(spec.status)
    return doc


@dataclass(frozen=True, slots=True)
class Effective:
    """What the data plane sends for a gateway response: status, header mappings, templates."""

    status: int
    parameters: Mapping[str, str] = field(default_factory=dict)
    templates: Mapping[str, str] = field(default_factory=dict)


def resolve(response_type: str, customised: Mapping[str, Doc], status: int | None = None) -> Effective:
    """The effective response of `response_type` given an API's customised responses.

    The Developer Guide ("Gateway response types"): a type "defaults to the DEFAULT_4XX type" (or
    DEFAULT_5XX) only "if the response type is unspecified". So a type nobody customised takes the
    header mappings and templates of its class's customised DEFAULT_ response; a customised type keeps
    its own mappings and templates (the built-in template when it has none) and inherits nothing else.
    The status code is the exception the guide spells out: changing a DEFAULT_ response's status code
    changes that of every other type of its class that does not set its own. `status` is the status
    of the error when the type itself has none (the two DEFAULT_ types).
    """
    spec = TYPES[response_type]
    own = customised.get(response_type)
    fallback = customised.get(spec.fallback or "") or {}
    source = own if own is not None else fallback
    code = (own or {}).get("statusCode") or fallback.get("statusCode") or spec.status or status
    parameters = dict(source.get("responseParameters") or {})
    templates = source.get("responseTemplates") or dict(DEFAULT_TEMPLATES)
    return Effective(int(code or _class_status(spec)), parameters, templates)


def _class_status(spec: ResponseType) -> int:
    return 500 if spec.name == DEFAULT_5XX else 400
