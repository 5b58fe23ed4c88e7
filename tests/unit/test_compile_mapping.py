"""Integration mappings compiled once per deployment (pure)."""

from __future__ import annotations

from typing import Any

from portico.compile.mapping import compile_integration, compile_mappings

LAMBDA_URI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"


def test_templates_compile_once_and_errors_are_kept() -> None:
    mapping = compile_integration(
        {
            "type": "MOCK",
            "requestTemplates": {
                "Application/JSON": '{"statusCode": 200}',
                "text/plain": None,
                "a/b": "#if($a == 1 {",
            },
            "integrationResponses": {},
        },
        {},
    )
    templates = mapping.request_templates.by_type
    assert templates["application/json"].template is not None
    assert templates["application/json"].content_type == "Application/JSON"
    assert templates["text/plain"].template is None and templates["text/plain"].error is None
    assert templates["a/b"].template is None and templates["a/b"].error
    assert mapping.passthrough == "WHEN_NO_MATCH"
    assert not mapping.proxy and not mapping.lambda_function


def test_reserved_header_target_is_a_configuration_error() -> None:
    mapping = compile_integration(
        {"type": "HTTP", "requestParameters": {"integration.request.header.Content-Length": "'5'"}}, {}
    )
    assert mapping.error is not None and "Content-Length" in mapping.error


def test_lambda_responses_select_on_the_error_message() -> None:
    integration: dict[str, Any] = {
        "type": "AWS",
        "uri": LAMBDA_URI,
        "integrationResponses": {
            "200": {"statusCode": "200"},
            "400": {"statusCode": "400", "selectionPattern": ".*Bad Request.*"},
        },
    }
    method = {
        "methodResponses": {"400": {"statusCode": "400", "responseModels": {"application/xml": "Error"}}}
    }
    mapping = compile_integration(integration, method)
    assert mapping.lambda_function
    chosen = mapping.responses.select("[Bad Request] nope")
    assert chosen is not None and chosen.status_code == "400"
    assert chosen.model_content_type == "application/xml"
    default = mapping.responses.select("")
    assert default is not None and default.status_code == "200"
    assert default.model_content_type == "application/json"


def test_deployment_settings() -> None:
    api = {
        "binaryMediaTypes": ["image~1png", "application/octet-stream"],
        "minimumCompressionSize": 1024,
        "_resources": {
            "r1": {"id": "r1", "resourceMethods": {"GET": {"methodIntegration": {"type": "MOCK"}}, "PUT": {}}}
        },
    }
    compiled = compile_mappings(api)
    assert compiled.binary_media_types == ("image/png", "application/octet-stream")
    assert compiled.minimum_compression_size == 1024
    assert set(compiled.methods) == {("r1", "GET")}
    assert compile_mappings({}).minimum_compression_size is None
