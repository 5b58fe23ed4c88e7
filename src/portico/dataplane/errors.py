"""Gateway errors: the one typed failure of the data plane, rendered as a gateway response."""

from __future__ import annotations

import json

from portico.model.gateway_responses import DEFAULT_TEMPLATES, TYPES, resolve
from portico.wire import Headers, Response

_ERROR_TYPES = {
    "MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
    "UNAUTHORIZED": "UnauthorizedException",
    "ACCESS_DENIED": "AccessDeniedException",
    "INVALID_API_KEY": "ForbiddenException",
    "INVALID_SIGNATURE": "InvalidSignatureException",
    "EXPIRED_TOKEN": "ExpiredTokenException",
    "THROTTLED": "TooManyRequestsException",
    "QUOTA_EXCEEDED": "LimitExceededException",
    "BAD_REQUEST_PARAMETERS": "BadRequestException",
    "BAD_REQUEST_BODY": "BadRequestException",
    "UNSUPPORTED_MEDIA_TYPE": "UnsupportedMediaTypeException",
    "REQUEST_TOO_LARGE": "RequestTooLargeException",
    "WAF_FILTERED": "ForbiddenException",
    "RESOURCE_NOT_FOUND": "NotFoundException",
    "INTEGRATION_FAILURE": "InternalServerErrorException",
    "INTEGRATION_TIMEOUT": "InternalServerErrorException",
    "AUTHORIZER_FAILURE": "AuthorizerFailureException",
    "AUTHORIZER_CONFIGURATION_ERROR": "AuthorizerConfigurationException",
    "API_CONFIGURATION_ERROR": "InternalServerErrorException",
}


class GatewayError(Exception):
    """An AWS-defined failure of a request, carrying its gateway response type."""

    def __init__(self, response_type: str, message: str | None = None, *, status: int | None = None) -> None:
        self.response_type = response_type
        self.message = message if message is not None else TYPES[response_type].message
        self.status = status
        self.validation_error: str | None = None
        super().__init__(self.message)

    @property
    def error_type(self) -> str:
        return _ERROR_TYPES.get(self.response_type, "InternalServerErrorException")


# Integration failures come back with a space after the colon, e.g. 504
# `{"message": "Endpoint request timed out"}` (other gateway responses have none).
_SPACED_MESSAGE = frozenset({"INTEGRATION_TIMEOUT", "INTEGRATION_FAILURE", "DEFAULT_5XX"})


def render_default(error: GatewayError, customised: dict, extra: Headers) -> Response:
    """Render with the API's (or the default) gateway response when no template engine is needed."""
    effective = resolve(error.response_type, customised, error.status)
    template = effective.templates.get("application/json", DEFAULT_TEMPLATES["application/json"])
    headers: Headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", error.error_type)]
    headers.extend(extra)
    if template == DEFAULT_TEMPLATES["application/json"]:
        opening = b'{"message": ' if error.response_type in _SPACED_MESSAGE else b'{"message":'
        body = opening + json.dumps(error.message).encode() + b"}"
    else:
        body = template.encode()
    return Response(effective.status, headers, body)
