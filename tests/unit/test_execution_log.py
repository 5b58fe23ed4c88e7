"""Execution log formatting and TestInvokeMethod request building (pure)."""

from __future__ import annotations

import calendar

from portico.dataplane.errors import GatewayError
from portico.dataplane.execution_log import (
    endpoint_uri,
    failure_line,
    java_map,
    merged_headers,
    multi_headers,
    truncated,
)
from portico.dataplane.invocation import log_time
from portico.dataplane.simulate import path_parameters, request_headers

LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:books"


def test_log_time() -> None:
    epoch = calendar.timegm((2025, 3, 5, 6, 43, 16, 0, 0, 0))
    assert log_time(epoch) == "Wed Mar 05 06:43:16 UTC 2025"


def test_java_map_and_truncation() -> None:
    assert java_map([]) == "{}"
    assert (
        java_map([("a", "1"), ("Content-Type", "application/json")]) == "{a=1, Content-Type=application/json}"
    )
    assert truncated("x" * 1000) == "x" * 1000
    assert truncated("x" * 1001) == "x" * 1000 + " [TRUNCATED]"


def test_headers_by_name() -> None:
    headers = [("Set-Cookie", "a=1"), ("Content-Type", "text/plain"), ("set-cookie", "b=2")]
    assert merged_headers(headers) == {"Set-Cookie": "a=1,b=2", "Content-Type": "text/plain"}
    assert multi_headers(headers) == {"Set-Cookie": ["a=1", "b=2"], "Content-Type": ["text/plain"]}


def test_endpoint_uri() -> None:
    lambda_uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{LAMBDA_ARN}/invocations"
    assert endpoint_uri({"type": "AWS_PROXY", "uri": lambda_uri}, {}, {}, "") == (
        f"https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/{LAMBDA_ARN}/invocations"
    )
    sqs = {"type": "AWS", "uri": "arn:aws:apigateway:eu-west-1:sqs:action/SendMessage"}
    assert endpoint_uri(sqs, {}, {}, "") == "https://sqs.eu-west-1.amazonaws.com/?Action=SendMessage"
    http = {"type": "HTTP_PROXY", "uri": "https://${stageVariables.host}/pets/{id}/{proxy+}"}
    assert endpoint_uri(http, {"host": "example.com"}, {"id": "7", "proxy": "a/b"}, "q=1") == (
        "https://example.com/pets/7/a/b?q=1"
    )
    plain = {"type": "HTTP", "uri": "https://example.com/pets?x=1"}
    assert endpoint_uri(plain, {}, {}, "q=1") == "https://example.com/pets?x=1"


def test_failure_lines() -> None:
    body = GatewayError("BAD_REQUEST_BODY", "Invalid request body")
    body.validation_error = '[object has missing required properties (["name"])]'
    assert failure_line(body, "application/json; charset=utf-8") == (
        "Request body does not match model schema for content type application/json: "
        '[object has missing required properties (["name"])]'
    )
    assert (
        failure_line(GatewayError("INTEGRATION_TIMEOUT"), None) == "Execution failed due to a timeout error"
    )
    configuration = GatewayError("API_CONFIGURATION_ERROR", "Internal server error")
    assert (
        failure_line(configuration, None)
        == "Execution failed due to configuration error: Internal server error"
    )
    missing = GatewayError("BAD_REQUEST_PARAMETERS", "Missing required request parameters: [q]")
    assert failure_line(missing, None) == "Missing required request parameters: [q]"


def test_path_parameters() -> None:
    assert path_parameters("/pets/{petId}", "/pets/42") == {"petId": "42"}
    assert path_parameters("/files/{proxy+}", "/files/a/b/c") == {"proxy": "a/b/c"}
    assert path_parameters("/pets/{petId}", "/pets") == {}
    assert path_parameters("/pets/{petId}", "/pets/{petId}") == {"petId": "{petId}"}


def test_request_headers() -> None:
    headers = request_headers({"Accept": "text/plain"}, {"accept": ["a", "b"], "X-Multi": ["1", "2"]})
    assert headers == [("Accept", "text/plain"), ("X-Multi", "1"), ("X-Multi", "2")]
    assert request_headers(None, None) == []
