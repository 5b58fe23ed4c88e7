"""Validation of Method and MethodResponse settings (API Gateway Developer Guide: "Set up a method request",
"Set up a method response"; REST API reference: PutMethod, UpdateMethod, PutMethodResponse).

Pure functions over the method document and the REST API document (authorizers, validators, models).
"""

from __future__ import annotations

from typing import Any

from portico.controlplane.errors import BadRequestException
from portico.controlplane.member_patch import LIST, MAP, MemberPatcher, Rule

Doc = dict[str, Any]

HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY")
AUTH_TYPES = ("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS")
# `multivaluequerystring` / `multivalueheader` declare a query string parameter / header whose every
# value the method uses (Developer Guide: "Parameter mapping for REST APIs", multi-value sources).
REQUEST_LOCATIONS = ("path", "querystring", "header", "multivaluequerystring", "multivalueheader")
SINGLE_LOCATION = {"multivaluequerystring": "querystring", "multivalueheader": "header"}
_AUTHORIZER_TYPES = {"CUSTOM": ("TOKEN", "REQUEST"), "COGNITO_USER_POOLS": ("COGNITO_USER_POOLS",)}
AUTHORIZER_REQUIRED = (
    "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS "
    "requires a valid authorizer."
)
PARAM_NOT_FOUND = "Invalid parameter name specified"
CONTENT_TYPE_NOT_FOUND = "Content-Type specified was not found"


def mapping_error(detail: str) -> BadRequestException:
    return BadRequestException(
        f"Invalid mapping expression specified: Validation Result: warnings : [], errors : [{detail}]"
    )


def check_http_method(verb: str) -> None:
    if verb not in HTTP_METHODS:
        raise BadRequestException(f"Invalid HttpMethod specified. Valid options are {','.join(HTTP_METHODS)}")


def request_parameter(key: str) -> tuple[str, str] | None:
    """(location, name) of a `method.request.{location}.{name}` declaration, None if malformed."""
    prefix, _, rest = key.partition("method.request.")
    location, _, name = rest.partition(".")
    if prefix or location not in REQUEST_LOCATIONS or not name:
        return None
    return location, name


def check_request_parameters(params: dict[str, bool] | None) -> None:
    """Well-formed `method.request.{location}.{name}` keys; a name is declared once, in one location."""
    names: set[str] = set()
    for key in params or {}:
        parsed = request_parameter(key)
        if parsed is None:
            raise mapping_error(f"Invalid mapping expression specified: {key}")
        if parsed[1] in names:
            raise BadRequestException("Parameter names must be unique across querystring, header and path")
        names.add(parsed[1])


def check_authorization(method: Doc, api: Doc) -> None:
    """Normalise `authorizationType`; CUSTOM and COGNITO_USER_POOLS need an authorizer of a matching type.

    Other types ignore `authorizerId`, as AWS does.
    """
    auth_type = str(method.get("authorizationType") or "").upper()
    if auth_type not in AUTH_TYPES:
        raise BadRequestException(
            f"Invalid authorization type specified. Valid options are {','.join(AUTH_TYPES)}"
        )
    method["authorizationType"] = auth_type
    if auth_type not in _AUTHORIZER_TYPES:
        method.pop("authorizerId", None)
        return
    authorizer = api.get("_authorizers", {}).get(method.get("authorizerId") or "")
    if (
        authorizer is None
        or authorizer.get("type", _AUTHORIZER_TYPES[auth_type][0]) not in _AUTHORIZER_TYPES[auth_type]
    ):
        raise BadRequestException(AUTHORIZER_REQUIRED)


def check_models(models: dict[str, str] | None, api: Doc) -> None:
    known = api.get("_models", {})
    for content_type, name in (models or {}).items():
        if not content_type:
            raise BadRequestException(
                "Validation Result: warnings : [], errors : [Invalid content type specified: ]"
            )
        if name not in known:
            raise BadRequestException(f"Invalid model identifier specified: {name}")


def check_validator(validator_id: str | None, api: Doc) -> None:
    if validator_id and validator_id not in api.get("_requestValidators", {}):
        raise BadRequestException("Invalid Request Validator identifier specified")


def validate_method(method: Doc, api: Doc) -> None:
    check_request_parameters(method.get("requestParameters"))
    check_authorization(method, api)
    check_validator(method.get("requestValidatorId"), api)
    check_models(method.get("requestModels"), api)


def check_response_parameters(params: dict[str, bool] | None) -> None:
    for key in params or {}:
        prefix, _, name = key.partition("method.response.header.")
        if prefix or not name:
            raise mapping_error(f"Invalid mapping expression specified: {key}")


def validate_method_response(response: Doc, api: Doc) -> None:
    check_response_parameters(response.get("responseParameters"))
    check_models(response.get("responseModels"), api)


_EDIT = ("add", "remove", "replace")

METHOD_PATCHER = MemberPatcher(
    "Method",
    {
        "authorizationType": Rule(required=True),
        "authorizerId": Rule(),
        "apiKeyRequired": Rule(),
        "requestValidatorId": Rule(),
        "operationName": Rule(),
        "requestParameters": Rule(MAP, _EDIT, PARAM_NOT_FOUND),
        "requestModels": Rule(MAP, _EDIT, CONTENT_TYPE_NOT_FOUND),
        "authorizationScopes": Rule(LIST, _EDIT),
    },
)

METHOD_RESPONSE_PATCHER = MemberPatcher(
    "MethodResponse",
    {
        "responseParameters": Rule(MAP, _EDIT, PARAM_NOT_FOUND),
        "responseModels": Rule(MAP, _EDIT, CONTENT_TYPE_NOT_FOUND),
    },
)
