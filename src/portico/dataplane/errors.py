"""Gateway errors rendered as gateway responses (Developer Guide: "Gateway responses for REST APIs in API Gateway").

`GatewayError` is the one typed failure of the data plane; `render_error` turns it into the API's
effective gateway response, in one place:
- a type nobody customised (nor its DEFAULT_4XX/DEFAULT_5XX class) answers AWS's built-in default,
  `{"message":"..."}` (with a space after the colon for the request-validation and integration
  failures, as AWS writes them), `Content-Type: application/json` and `x-amzn-ErrorType`;
- a customised one (compiled once per deployment, compile/gateway_responses.py) answers its status
  code (else the error's, else the type's), its `gatewayresponse.header.*` mappings and the body
  template chosen by the first media type of `Accept` (`application/json` when absent, the first
  template defined when nothing matches), rendered with `$context` (including `$context.error.*`),
  `$stageVariables` and `$input.params()`. AWS documents these templates as simple variable
  substitution; Portico renders them with its VTL engine, which gives the same output for them, and
  falls back to plain substitution for a template VTL cannot parse or render.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from portico.compile.gateway_responses import BodyTemplate, CompiledResponse, HeaderMapping
from portico.mapping.vtl import TemplateError
from portico.mapping.vtl_input import RequestParams
from portico.mapping.vtl_values import java_str
from portico.model.gateway_responses import DEFAULT_4XX, TYPES
from portico.wire import Headers, Response

if TYPE_CHECKING:
    from portico.dataplane.invocation import Invocation

log = logging.getLogger("portico.dataplane")

_ERROR_TYPES = {
    "DEFAULT_4XX": "BadRequestException",
    "DEFAULT_5XX": "InternalServerErrorException",
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

# AWS writes these default bodies with a space after the colon, e.g. 504
# `{"message": "Endpoint request timed out"}`, 400 `{"message": "Invalid request body"}`,
# 500 `{"message": "Internal server error"}`; the others have none (`{"message":"Forbidden"}`).
_SPACED_MESSAGE = frozenset(
    {
        "BAD_REQUEST_PARAMETERS",
        "BAD_REQUEST_BODY",
        "API_CONFIGURATION_ERROR",
        "INTEGRATION_TIMEOUT",
        "INTEGRATION_FAILURE",
        "DEFAULT_5XX",
        "AUTHORIZER_CONFIGURATION_ERROR",
        "AUTHORIZER_FAILURE",
    }
)
# Access denials are the one default body AWS writes with a capitalised key:
# 403 `{"Message":"User is not authorized to access this resource with an explicit deny"}`.
_CAPITALISED = frozenset({"ACCESS_DENIED"})
_JSON = "application/json"
_SUBSTITUTION = re.compile(
    r"\$\{(context|stageVariables)((?:\.[\w-]+)+)\}|\$(context|stageVariables)((?:\.\w+)+)"
)


class GatewayError(Exception):
    """An AWS-defined failure of a request, carrying its gateway response type.

    `status` replaces the type's default status code (e.g. 502 for DEFAULT_5XX); `error_type`
    replaces the `x-amzn-ErrorType` of the type (e.g. `IncompleteSignatureException`).
    """

    def __init__(
        self,
        response_type: str,
        message: str | None = None,
        *,
        status: int | None = None,
        error_type: str | None = None,
        null_message: bool = False,
    ) -> None:
        self.response_type = response_type
        self.message = message if message is not None else TYPES[response_type].message
        # AWS answers some failures with a JSON null message, e.g. 500 `{"message": null}` when a
        # Lambda authorizer fails; `message` is then empty.
        self.null_message = null_message
        if null_message:
            self.message = ""
        self.status = status
        self.validation_error: str | None = None
        self._error_type = error_type
        super().__init__(self.message)

    @property
    def error_type(self) -> str:
        return self._error_type or _ERROR_TYPES.get(self.response_type, "InternalServerErrorException")

    @property
    def default_status(self) -> int:
        """The status of the type's built-in response (the error's own for the DEFAULT_ types)."""
        if self.status is not None:
            return self.status
        spec = TYPES[self.response_type]
        if spec.status is not None:
            return spec.status
        return 400 if self.response_type == DEFAULT_4XX else 500


def message_string(message: str) -> str:
    """`$context.error.messageString`: the message as a quoted JSON string."""
    return '"' + message.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_default(error: GatewayError, extra: Headers | None = None) -> Response:
    """AWS's built-in gateway response of a type nobody customised."""
    key = '{"Message":' if error.response_type in _CAPITALISED else '{"message":'
    opening = key + " " if error.response_type in _SPACED_MESSAGE else key
    headers: Headers = [("Content-Type", _JSON), ("x-amzn-ErrorType", error.error_type)]
    if extra:
        headers.extend(extra)
    value = "null" if error.null_message else message_string(error.message)
    return Response(error.default_status, headers, (opening + value + "}").encode())


def render_error(inv: Invocation, error: GatewayError) -> Response:
    """The API's effective gateway response for `error` (records the error on the invocation)."""
    inv.error_message = error.message
    inv.error_type = error.response_type
    compiled = inv.deployment.compiled_responses.get(error.response_type)
    response = render_default(error) if compiled is None else render_custom(inv, error, compiled)
    inv.status = response.status
    return response


def render_custom(inv: Invocation, error: GatewayError, compiled: CompiledResponse) -> Response:
    inv.status = compiled.status or error.default_status
    chosen = select_template(compiled.templates, inv.header("accept"))
    context = inv.context()
    if error.null_message:
        context["error"]["messageString"] = "null"
    body = _body(chosen, inv, context) if chosen is not None else ""
    headers: Headers = [("Content-Type", chosen.content_type if chosen else _JSON)]
    headers.append(("x-amzn-ErrorType", error.error_type))
    for mapping in compiled.headers:
        value = header_value(mapping, inv, context)
        if value is not None:
            _put(headers, mapping.name, value)
    return Response(inv.status, headers, body.encode())


def select_template(templates: Mapping[str, BodyTemplate], accept: str | None) -> BodyTemplate | None:
    """The template for the first media type of `Accept`, else `application/json`, else the first one."""
    if accept:
        wanted = accept.split(",", 1)[0].split(";", 1)[0].strip().lower()
        if wanted in templates:
            return templates[wanted]
    found = templates.get(_JSON)
    if found is not None:
        return found
    return next(iter(templates.values()), None)


def _body(chosen: BodyTemplate, inv: Invocation, context: dict[str, Any]) -> str:
    if chosen.template is not None:
        try:
            return chosen.template.render(
                body=inv.body.decode("utf-8", "replace"),
                params=RequestParams(inv.path_params, _last(inv.query_multi()), _last(inv.headers_multi())),
                context=context,
                stage_variables=inv.variables,
            ).text
        except TemplateError as exc:
            log.warning(
                "%s: gateway response template failed (%s); substituting variables", inv.request_id, exc
            )
    return substitute(chosen.source, context, inv.variables)


def substitute(source: str, context: Mapping[str, Any], variables: Mapping[str, str]) -> str:
    """Plain `$context.x` / `$stageVariables.x` substitution (absent values print nothing)."""

    def value(found: re.Match[str]) -> str:
        root = found.group(1) or found.group(3)
        keys = (found.group(2) or found.group(4))[1:].split(".")
        current: Any = context if root == "context" else variables
        for key in keys:
            if not isinstance(current, Mapping) or current.get(key) is None:
                return ""
            current = current[key]
        return java_str(current)

    return _SUBSTITUTION.sub(value, source)


def header_value(mapping: HeaderMapping, inv: Invocation, context: Mapping[str, Any]) -> str | None:
    """The value of one `gatewayresponse.header.*` mapping for this request, or None when absent."""
    kind, key = mapping.kind, mapping.key
    if kind == "static":
        return key
    if kind == "header" or kind == "multiheader":
        values = inv.request.header_values(key)
        return _join(values, kind == "multiheader")
    if kind == "query" or kind == "multiquery":
        return _join(inv.query_multi().get(key, []), kind == "multiquery")
    if kind == "path":
        return inv.path_params.get(key)
    if kind == "stage":
        return inv.variables.get(key)
    current: Any = context
    for part in key.split("."):
        if not isinstance(current, Mapping) or current.get(part) is None:
            return None
        current = current[part]
    return java_str(current)


def _join(values: list[str], multi: bool) -> str | None:
    if not values:
        return None
    return ",".join(values) if multi else values[-1]


def _last(multi: Mapping[str, list[str]]) -> dict[str, str]:
    return {name: values[-1] for name, values in multi.items() if values}


def _put(headers: Headers, name: str, value: str) -> None:
    lower = name.lower()
    headers[:] = [(k, v) for k, v in headers if k.lower() != lower]
    headers.append((name, value))
