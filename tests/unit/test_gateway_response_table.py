"""The gateway response table and the effective response of a type (pure)."""

from __future__ import annotations

from portico.model.gateway_responses import DEFAULT_TEMPLATES, TYPES, default_response, resolve


def test_table_matches_the_developer_guide():
    assert len(TYPES) == 21
    expected = {
        "ACCESS_DENIED": 403,
        "API_CONFIGURATION_ERROR": 500,
        "AUTHORIZER_CONFIGURATION_ERROR": 500,
        "AUTHORIZER_FAILURE": 500,
        "BAD_REQUEST_PARAMETERS": 400,
        "BAD_REQUEST_BODY": 400,
        "EXPIRED_TOKEN": 403,
        "INTEGRATION_FAILURE": 504,
        "INTEGRATION_TIMEOUT": 504,
        "INVALID_API_KEY": 403,
        "INVALID_SIGNATURE": 403,
        "MISSING_AUTHENTICATION_TOKEN": 403,
        "QUOTA_EXCEEDED": 429,
        "REQUEST_TOO_LARGE": 413,
        "RESOURCE_NOT_FOUND": 404,
        "THROTTLED": 429,
        "UNAUTHORIZED": 401,
        "UNSUPPORTED_MEDIA_TYPE": 415,
        "WAF_FILTERED": 403,
        "DEFAULT_4XX": None,
        "DEFAULT_5XX": None,
    }
    assert {name: t.status for name, t in TYPES.items()} == expected
    assert TYPES["THROTTLED"].fallback == "DEFAULT_4XX"
    assert TYPES["INTEGRATION_TIMEOUT"].fallback == "DEFAULT_5XX"
    assert TYPES["DEFAULT_4XX"].fallback is None


def test_default_response_document():
    doc = default_response("MISSING_AUTHENTICATION_TOKEN")
    assert doc == {
        "responseType": "MISSING_AUTHENTICATION_TOKEN",
        "statusCode": "403",
        "responseParameters": {},
        "responseTemplates": {"application/json": '{"message":$context.error.messageString}'},
        "defaultResponse": True,
    }
    assert "statusCode" not in default_response("DEFAULT_5XX")


def test_resolve_defaults():
    plain = resolve("THROTTLED", {})
    assert (plain.status, dict(plain.parameters), dict(plain.templates)) == (429, {}, dict(DEFAULT_TEMPLATES))
    assert resolve("DEFAULT_4XX", {}, status=405).status == 405
    assert resolve("DEFAULT_5XX", {}).status == 500


def test_resolve_inherits_from_the_customised_fallback():
    customised = {
        "DEFAULT_4XX": {
            "statusCode": "400",
            "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
        },
        "UNAUTHORIZED": {"statusCode": "401", "responseParameters": {"gatewayresponse.header.x": "'y'"}},
    }
    throttled = resolve("THROTTLED", customised)
    assert throttled.status == 400
    assert throttled.parameters == {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}
    assert throttled.templates == DEFAULT_TEMPLATES
    unauthorized = resolve("UNAUTHORIZED", customised)
    assert unauthorized.status == 401
    assert unauthorized.parameters == {"gatewayresponse.header.x": "'y'"}
    assert resolve("INTEGRATION_TIMEOUT", customised).status == 504


def test_a_customised_type_inherits_no_mappings_or_templates_from_its_class():
    default_4xx = {
        "statusCode": "418",
        "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
        "responseTemplates": {"application/json": '{"class":true}'},
    }
    customised = {
        "DEFAULT_4XX": default_4xx,
        "ACCESS_DENIED": {"responseParameters": {}, "responseTemplates": {}},
        "THROTTLED": {
            "statusCode": "503",
            "responseParameters": {"gatewayresponse.header.Retry-After": "'1'"},
        },
    }
    denied = resolve("ACCESS_DENIED", customised)
    assert (denied.status, dict(denied.parameters), dict(denied.templates)) == (
        418,
        {},
        dict(DEFAULT_TEMPLATES),
    )
    throttled = resolve("THROTTLED", customised)
    assert throttled.status == 503
    assert throttled.parameters == {"gatewayresponse.header.Retry-After": "'1'"}
    assert throttled.templates == DEFAULT_TEMPLATES
    untouched = resolve("BAD_REQUEST_BODY", customised)
    assert (untouched.status, untouched.parameters) == (418, default_4xx["responseParameters"])
    assert untouched.templates == default_4xx["responseTemplates"]
    assert resolve("DEFAULT_4XX", customised).parameters == default_4xx["responseParameters"]


def test_the_5xx_class_is_separate():
    customised = {"DEFAULT_4XX": {"responseParameters": {"gatewayresponse.header.x": "'4'"}}}
    timeout = resolve("INTEGRATION_TIMEOUT", customised)
    assert (timeout.status, dict(timeout.parameters)) == (504, {})
    assert resolve("DEFAULT_5XX", customised).status == 500


def test_resolve_own_templates_win():
    customised = {"ACCESS_DENIED": {"statusCode": "403", "responseTemplates": {"application/json": "{}"}}}
    assert resolve("ACCESS_DENIED", customised).templates == {"application/json": "{}"}
