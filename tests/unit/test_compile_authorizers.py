"""Lambda authorizer plans compiled per deployment (compile/authorizers.py)."""

from __future__ import annotations

import logging

import pytest

from portico.compile.authorizers import compile_authorizer, compile_authorizers, identity_source

URI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"


def api(auth_type: str = "CUSTOM", authorizer_id: str = "a1") -> dict[str, object]:
    return {
        "id": "api1",
        "_authorizers": {
            "a1": {
                "id": "a1",
                "name": "tok",
                "type": "TOKEN",
                "authorizerUri": URI,
                "identitySource": "method.request.header.Authorization",
                "identityValidationExpression": "^Bearer .+$",
                "authorizerResultTtlInSeconds": 0,
            },
            "c1": {"id": "c1", "name": "pool", "type": "COGNITO_USER_POOLS"},
        },
        "_resources": {
            "r": {
                "id": "r",
                "path": "/pets",
                "resourceMethods": {
                    "GET": {"authorizationType": auth_type, "authorizerId": authorizer_id},
                    "POST": {"authorizationType": "NONE"},
                },
            }
        },
    }


@pytest.mark.parametrize(
    ("expression", "kind", "key"),
    [
        ("method.request.header.Auth", "header", "Auth"),
        ("method.request.multivalueheader.X-A", "multiheader", "X-A"),
        ("method.request.querystring.token", "query", "token"),
        ("method.request.multivaluequerystring.q", "multiquery", "q"),
        ("method.request.path.id", "path", "id"),
        ("stageVariables.env", "stage", "env"),
        ("context.identity.sourceIp", "context", "identity.sourceIp"),
        ("method.request.body", "invalid", "method.request.body"),
    ],
)
def test_identity_sources(expression: str, kind: str, key: str) -> None:
    source = identity_source(expression)
    assert (source.kind, source.key) == (kind, key)


def test_custom_methods_get_their_plan() -> None:
    plans = compile_authorizers(api())
    assert list(plans) == [("r", "GET")]
    plan = plans[("r", "GET")]
    assert (plan.id, plan.type, plan.uri, plan.ttl) == ("a1", "TOKEN", URI, 0)
    assert [s.key for s in plan.sources] == ["Authorization"]
    assert plan.validation is not None and plan.validation.fullmatch("Bearer x")


def test_request_authorizer_sources_and_default_ttl() -> None:
    plan = compile_authorizer(
        {
            "id": "r1",
            "type": "REQUEST",
            "authorizerUri": URI,
            "identitySource": "method.request.header.A, method.request.querystring.b",
            "identityValidationExpression": "ignored for REQUEST",
        }
    )
    assert plan is not None
    assert [(s.kind, s.key) for s in plan.sources] == [("header", "A"), ("query", "b")]
    assert plan.ttl == 300 and plan.validation is None


def test_unenforced_authorization_is_logged_once_per_deployment(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="portico.dataplane"):
        assert compile_authorizers(api("AWS_IAM"), "dep1") == {}
        compile_authorizers(api("COGNITO_USER_POOLS", "c1"), "")  # TestInvokeMethod: no deployment
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1
    assert "api1" in messages[0] and "dep1" in messages[0] and "GET /pets (AWS_IAM)" in messages[0]
