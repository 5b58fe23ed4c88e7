"""Lambda authorizer events parse with aws-lambda-powertools; answers are validated as AWS does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    ApiGatewayAuthorizerRequest,
    ApiGatewayAuthorizerToken,
)

from portico.auth.iam_policy import ALLOW, DENY
from portico.auth.lambda_authorizer import (
    AuthorizerOutputError,
    Unauthorized,
    interpret,
    method_arn,
    request_event,
    token_event,
)
from portico.wire import Request
from tests.unit.test_events import invocation

ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/POST/pets/42"
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}],
}


def answer(**doc: Any) -> bytes:
    return json.dumps(doc).encode()


def test_method_arn() -> None:
    assert method_arn("us-east-1", "123456789012", "abc123", "dev", "POST", "/pets/42") == ARN
    assert method_arn("eu-west-1", "1", "a", "s", "GET", "/").endswith(":a/s/GET/")


def test_token_event_parses_with_powertools() -> None:
    event = token_event("Bearer abc", ARN)
    assert event == {"type": "TOKEN", "methodArn": ARN, "authorizationToken": "Bearer abc"}
    parsed = ApiGatewayAuthorizerToken.model_validate(event)
    assert parsed.authorizationToken == "Bearer abc"


def test_request_event_parses_with_powertools() -> None:
    req = Request(
        "POST",
        "/dev/pets/42?q=1&q=2",
        [("Host", "abc123.execute-api.localhost:4566"), ("Auth", "t0k"), ("User-Agent", "t/1")],
        b'{"secret":"body"}',
        client=("10.1.2.3", 5555),
    )
    event = request_event(invocation(req, {"env": "dev"}), ARN)
    parsed = ApiGatewayAuthorizerRequest.model_validate(event)
    assert parsed.methodArn == ARN and parsed.type == "REQUEST"
    assert event["resource"] == "/pets/{petId}" and event["path"] == "/pets/42"
    assert event["headers"]["Auth"] == "t0k"
    assert event["queryStringParameters"] == {"q": "2"}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"]}
    assert event["pathParameters"] == {"petId": "42"}
    assert event["stageVariables"] == {"env": "dev"}
    assert event["requestContext"]["stage"] == "dev"
    assert event["requestContext"]["identity"]["sourceIp"] == "10.1.2.3"
    assert "body" not in event and "authorizer" not in event["requestContext"]


def test_request_event_empty_maps_are_objects() -> None:
    req = Request("POST", "/dev/pets/1", [("Host", "abc123.execute-api.localhost")])
    event = request_event(invocation(req), ARN, {"extra": "yes"})
    ApiGatewayAuthorizerRequest.model_validate(event)
    assert event["queryStringParameters"] == {} and event["stageVariables"] == {}
    assert event["multiValueQueryStringParameters"] == {}
    assert event["requestContext"]["extra"] == "yes"


def test_interpret_allow_with_context() -> None:
    result = interpret(
        answer(
            principalId="user-1",
            policyDocument=ALLOW_ALL,
            context={"s": "v", "n": 1, "f": 1.5, "b": True, "no": False, "gone": None},
            usageIdentifierKey="key-1",
        ),
        None,
    )
    assert result.principal_id == "user-1"
    assert result.policy.evaluate(ARN) == ALLOW
    assert json.loads(result.policy_json) == ALLOW_ALL
    assert result.context == {"s": "v", "n": "1", "f": "1.5", "b": "true", "no": "false"}
    assert result.usage_identifier_key == "key-1"
    assert result.request_context(12) == {
        "s": "v",
        "n": "1",
        "f": "1.5",
        "b": "true",
        "no": "false",
        "principalId": "user-1",
        "integrationLatency": 12,
    }


def test_interpret_deny() -> None:
    deny = {"Statement": [{"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": ARN}]}
    assert interpret(answer(principalId="u", policyDocument=deny), None).policy.evaluate(ARN) == DENY


def test_unauthorized_error_message() -> None:
    error = answer(errorMessage="Unauthorized", errorType="Exception")
    with pytest.raises(Unauthorized):
        interpret(error, "Unhandled")


@pytest.mark.parametrize(
    ("payload", "function_error"),
    [
        (answer(errorMessage="boom", errorType="ValueError"), "Unhandled"),
        (answer(errorMessage="unauthorized"), "Unhandled"),  # the match is exact
        (b"not json", None),
        (b"[1, 2]", None),
        (answer(policyDocument=ALLOW_ALL), None),
        (answer(principalId=["u"], policyDocument=ALLOW_ALL), None),
        (answer(principalId="u"), None),
        (answer(principalId="u", policyDocument={"Statement": [{"Effect": "Maybe"}]}), None),
        (answer(principalId="u", policyDocument=ALLOW_ALL, context={"nested": {"a": 1}}), None),
        (answer(principalId="u", policyDocument=ALLOW_ALL, context={"list": [1]}), None),
        (answer(principalId="u", policyDocument=ALLOW_ALL, context="flat"), None),
        (answer(principalId="u", policyDocument=ALLOW_ALL, usageIdentifierKey=5), None),
    ],
)
def test_malformed_answers_are_configuration_errors(payload: bytes, function_error: str | None) -> None:
    with pytest.raises(AuthorizerOutputError):
        interpret(payload, function_error)
