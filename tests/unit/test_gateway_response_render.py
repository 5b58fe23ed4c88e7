"""Gateway responses: compiled customisations and the rendering helpers (pure)."""

from __future__ import annotations

from portico.compile.gateway_responses import HeaderMapping, compile_gateway_responses, parse_source
from portico.dataplane.errors import GatewayError, render_default, select_template, substitute


def test_nothing_customised_compiles_nothing() -> None:
    assert compile_gateway_responses({}) == {}
    assert compile_gateway_responses({"_gatewayResponses": {}}) == {}


def test_default_class_reaches_every_type_of_its_class() -> None:
    api = {
        "_gatewayResponses": {
            "DEFAULT_5XX": {"statusCode": "503", "responseTemplates": {"text/plain": "down"}},
            "THROTTLED": {"responseParameters": {"gatewayresponse.header.Retry-After": "'1'"}},
        }
    }
    compiled = compile_gateway_responses(api)
    assert set(compiled) == {
        "DEFAULT_5XX",
        "AUTHORIZER_FAILURE",
        "AUTHORIZER_CONFIGURATION_ERROR",
        "INTEGRATION_FAILURE",
        "INTEGRATION_TIMEOUT",
        "API_CONFIGURATION_ERROR",
        "THROTTLED",
    }
    assert compiled["INTEGRATION_TIMEOUT"].status == 503
    assert compiled["INTEGRATION_TIMEOUT"].templates["text/plain"].source == "down"
    throttled = compiled["THROTTLED"]
    assert throttled.status is None  # the error's own status (429) applies
    assert throttled.headers == (HeaderMapping("Retry-After", "static", "1"),)
    assert throttled.templates["application/json"].source == '{"message":$context.error.messageString}'


def test_header_sources() -> None:
    assert parse_source("a", "method.request.header.X-Trace") == HeaderMapping("a", "header", "X-Trace")
    assert parse_source("a", "method.request.multivaluequerystring.q") == HeaderMapping(
        "a", "multiquery", "q"
    )
    assert parse_source("a", "method.request.path.petId") == HeaderMapping("a", "path", "petId")
    assert parse_source("a", "stageVariables.color") == HeaderMapping("a", "stage", "color")
    assert parse_source("a", "context.identity.sourceIp") == HeaderMapping(
        "a", "context", "identity.sourceIp"
    )
    assert parse_source("a", "''") == HeaderMapping("a", "static", "")
    assert parse_source("a", "method.input.params.q") is None


def test_unparsable_template_falls_back_to_substitution() -> None:
    api = {
        "_gatewayResponses": {"UNAUTHORIZED": {"responseTemplates": {"text/plain": "#if( $context.stage"}}}
    }
    chosen = compile_gateway_responses(api)["UNAUTHORIZED"].templates["text/plain"]
    assert chosen.template is None
    assert chosen.content_type == "text/plain"


def test_select_template() -> None:
    api = {
        "_gatewayResponses": {
            "UNAUTHORIZED": {"responseTemplates": {"text/html": "<p/>", "Application/XML": "<x/>"}},
            "ACCESS_DENIED": {
                "responseTemplates": {"application/xml": "<x/>", "application/json": "{}"},
            },
        }
    }
    compiled = compile_gateway_responses(api)
    unauthorized = compiled["UNAUTHORIZED"].templates
    assert select_template(unauthorized, "application/xml;q=0.9, text/html").source == "<x/>"
    assert select_template(unauthorized, None).source == "<p/>"  # the first defined
    denied = compiled["ACCESS_DENIED"].templates
    assert select_template(denied, "text/csv").source == "{}"
    assert select_template(denied, "text/csv, application/xml").source == "{}"
    assert select_template({}, None) is None


def test_substitute() -> None:
    context = {
        "stage": "dev",
        "error": {"message": "Nope", "messageString": '"Nope"'},
        "isCanaryRequest": False,
    }
    out = substitute(
        '{"m":$context.error.messageString,"s":"${context.stage}","v":"$stageVariables.v","x":"$context.none.y",'
        '"c":$context.isCanaryRequest}',
        context,
        {"v": "1"},
    )
    assert out == '{"m":"Nope","s":"dev","v":"1","x":"","c":false}'


def test_default_bodies_as_aws_writes_them() -> None:
    forbidden = render_default(GatewayError("MISSING_AUTHENTICATION_TOKEN"))
    assert (forbidden.status, forbidden.body) == (403, b'{"message":"Missing Authentication Token"}')
    assert forbidden.headers == [
        ("Content-Type", "application/json"),
        ("x-amzn-ErrorType", "MissingAuthenticationTokenException"),
    ]
    timeout = render_default(GatewayError("INTEGRATION_TIMEOUT"))
    assert (timeout.status, timeout.body) == (504, b'{"message": "Endpoint request timed out"}')
    bad = render_default(GatewayError("DEFAULT_5XX", "Internal server error", status=502))
    assert (bad.status, bad.body, bad.header("x-amzn-ErrorType")) == (
        502,
        b'{"message": "Internal server error"}',
        "InternalServerErrorException",
    )
    quoted = render_default(GatewayError("DEFAULT_4XX", 'say "hi"'))
    assert (quoted.status, quoted.body) == (400, b'{"message":"say \\"hi\\""}')
    assert quoted.header("x-amzn-ErrorType") == "BadRequestException"


def test_error_type_override() -> None:
    error = GatewayError(
        "MISSING_AUTHENTICATION_TOKEN", "bad header", error_type="IncompleteSignatureException"
    )
    assert render_default(error).header("x-amzn-ErrorType") == "IncompleteSignatureException"
    assert GatewayError("THROTTLED").error_type == "TooManyRequestsException"
    assert GatewayError("QUOTA_EXCEEDED").error_type == "LimitExceededException"
