"""AWS service integrations: request-target, endpoint origins, credentials lookup, start-up options."""

from __future__ import annotations

import pytest
from botocore.credentials import Credentials, ReadOnlyCredentials
from click.testing import CliRunner

from portico.cli import main
from portico.compile.integration_kind import AWS_SERVICE, HTTP, LAMBDA, LAMBDA_PROXY, MOCK, integration_kind
from portico.dataplane.integration_mapping import IntegrationRequest
from portico.integrations.aws_service import AwsServices, parse_base, request_target
from portico.integrations.aws_sign import parse_service_uri
from portico.integrations.upstream_connection import Origin
from portico.settings import Settings


def _request(
    path: dict[str, str] | None = None, query: dict[str, list[str]] | None = None
) -> IntegrationRequest:
    return IntegrationRequest("POST", path or {}, query or {}, {}, b"")


def test_request_target_fills_path_placeholders() -> None:
    target = parse_service_uri("arn:aws:apigateway:us-east-1:s3:path/{bucket}/{key}")
    got = request_target(target, "", _request({"bucket": "photos", "key": "a b/ü.jpg"}), {})
    assert got == "/photos/a%20b/%C3%BC.jpg"


def test_request_target_unmapped_placeholder_and_stage_variables() -> None:
    target = parse_service_uri("arn:aws:apigateway:us-east-1:s3:path/${stageVariables.bucket}/{key}")
    assert request_target(target, "", _request(), {"bucket": "b1"}) == "/b1/%7Bkey%7D"


def test_request_target_action_query_and_mapped_query() -> None:
    target = parse_service_uri("arn:aws:apigateway:us-east-1:s3:action/GetObject&Bucket={bucket}")
    request = _request({"bucket": "my bucket"}, {"Key": ["a/b"], "x": ["1", "2"]})
    got = request_target(target, "/prefix", request, {})
    assert got == "/prefix/?Action=GetObject&Bucket=my%20bucket&Key=a%2Fb&x=1&x=2"


def test_parse_base() -> None:
    assert parse_base("http://127.0.0.1:5000") == (Origin("http", "127.0.0.1", 5000), "127.0.0.1:5000", "")
    assert parse_base("https://SQS.us-east-1.amazonaws.com:443/") == (
        Origin("https", "sqs.us-east-1.amazonaws.com", 443),
        "sqs.us-east-1.amazonaws.com",
        "",
    )
    assert parse_base("http://[::1]:4566/aws/") == (Origin("http", "::1", 4566), "[::1]:4566", "/aws")


def test_origin_is_memoised_and_uses_overrides() -> None:
    services = AwsServices(endpoints={"s3": "http://localhost:9000"})
    target = parse_service_uri("arn:aws:apigateway:us-east-1:photos.s3:path/cat.jpg")
    first = services.origin(target)
    assert first == (Origin("http", "localhost", 9000), "localhost:9000", "/photos")
    assert services.origin(target) is first
    default = services.origin(parse_service_uri("arn:aws:apigateway:eu-west-1:sqs:action/SendMessage"))
    assert default == (Origin("https", "sqs.eu-west-1.amazonaws.com", 443), "sqs.eu-west-1.amazonaws.com", "")


async def test_credentials_lookup_order() -> None:
    calls: list[int] = []

    def environment() -> Credentials:
        calls.append(1)
        return Credentials("ENVKEY", "envsecret", "tok")

    role = "arn:aws:iam::1:role/r"
    listed = AwsServices.from_settings({}, {role: "K1:S1"})
    listed.environment = environment
    assert await listed.credentials_for(role) == ReadOnlyCredentials("K1", "S1", None)
    assert await listed.credentials_for("arn:aws:iam::1:role/other") == ReadOnlyCredentials(
        "ENVKEY", "envsecret", "tok"
    )
    assert await listed.credentials_for(None) == ReadOnlyCredentials("ENVKEY", "envsecret", "tok")
    assert calls == [1]  # the process's credentials are resolved once
    fallback = AwsServices.from_settings({}, {"*": "K2:S2"})
    fallback.environment = environment
    assert await fallback.credentials_for("arn:aws:iam::*:user/*") == ReadOnlyCredentials("K2", "S2", None)
    assert calls == [1]
    none = AwsServices(environment=lambda: None)
    assert await none.credentials_for(role) is None


def test_integration_kind() -> None:
    lambda_uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations"
    sqs = "arn:aws:apigateway:us-east-1:sqs:action/SendMessage"
    assert integration_kind({"type": "AWS", "uri": sqs}) == AWS_SERVICE
    assert integration_kind({"type": "AWS", "uri": lambda_uri}) == LAMBDA
    assert integration_kind({"type": "AWS_PROXY", "uri": lambda_uri}) == LAMBDA_PROXY
    assert integration_kind({"type": "HTTP", "uri": "https://example.com"}) == HTTP
    assert integration_kind({"type": "HTTP_PROXY", "uri": "https://example.com"}) == HTTP
    assert integration_kind({"type": "MOCK"}) == MOCK
    assert integration_kind({"type": "AWS_PROXY", "uri": sqs}) is None  # names no function
    assert integration_kind({"type": "AWS", "uri": "arn:aws:apigateway:us-east-1:lambda:path/bad"}) is None
    assert integration_kind({"type": "VPC"}) is None
    assert integration_kind(None) is None


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTICO_AWS_ENDPOINTS", "sqs=http://127.0.0.1:1,s3=http://127.0.0.1:2")
    monkeypatch.setenv("PORTICO_AWS_CREDENTIALS", "*=K:S")
    settings = Settings.from_env()
    assert settings.aws_endpoints == {"sqs": "http://127.0.0.1:1", "s3": "http://127.0.0.1:2"}
    assert settings.aws_credentials == {"*": "K:S"}
    assert Settings().aws_endpoints == {}


def test_cli_rejects_bad_aws_options() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["serve", "--aws-endpoint", "sqs"])
    assert result.exit_code == 2
    assert "invalid AWS endpoint 'sqs': expected NAME=VALUE" in result.output
    result = runner.invoke(main, ["serve", "--aws-credentials", "arn:aws:iam::1:role/r=nokey"])
    assert result.exit_code == 2
    assert "expected ROLE_ARN=KEY:SECRET[:TOKEN]" in result.output
