"""Identity source values of Lambda authorizers, read from a request (dataplane/authorize.py)."""

from __future__ import annotations

import pytest

from portico.compile.authorizers import compile_authorizer
from portico.dataplane.authorize import identity_values, request_method_arn
from portico.wire import Request
from tests.unit.test_events import invocation

URI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:a/invocations"
HEADERS = [("Host", "abc123.execute-api.localhost"), ("Auth", "Bearer t"), ("X-M", "1"), ("X-M", "2")]


def values(
    kind: str, source: str, target: str = "/dev/pets/42?q=a&q=b", **extra: str
) -> tuple[str, ...] | None:
    plan = compile_authorizer(
        {"id": "a1", "type": kind, "authorizerUri": URI, "identitySource": source, **extra}
    )
    assert plan is not None
    inv = invocation(Request("POST", target, list(HEADERS), client=("10.0.0.9", 1)), {"env": "dev"})
    return identity_values(inv, plan, {"extra": "x"})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("method.request.header.auth", ("Bearer t",)),
        ("method.request.multivalueheader.X-M", ("1,2",)),
        ("method.request.querystring.q", ("b",)),
        ("method.request.multivaluequerystring.q", ("a,b",)),
        ("method.request.path.petId", ("42",)),
        ("stageVariables.env", ("dev",)),
        ("context.identity.sourceIp", ("10.0.0.9",)),
        ("context.extra", ("x",)),
        ("method.request.header.Auth, method.request.querystring.q", ("Bearer t", "b")),
    ],
)
def test_request_sources(source: str, expected: tuple[str, ...]) -> None:
    assert values("REQUEST", source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "method.request.header.Missing",
        "method.request.querystring.none",
        "stageVariables.nope",
        "context.identity.caller",
        "method.request.body",
        "method.request.header.Auth, method.request.querystring.none",
    ],
)
def test_missing_request_source_is_none(source: str) -> None:
    assert values("REQUEST", source) is None


def test_empty_query_value_is_missing() -> None:
    assert values("REQUEST", "method.request.querystring.q", "/dev/pets/1?q=") is None


def test_request_without_sources_has_no_identity() -> None:
    assert values("REQUEST", "") == ()


def test_token_and_validation_expression() -> None:
    assert values("TOKEN", "method.request.header.Auth", identityValidationExpression="Bearer .+") == (
        "Bearer t",
    )
    assert values("TOKEN", "method.request.header.Auth", identityValidationExpression="Bearer") is None
    assert values("TOKEN", "method.request.header.Other") is None


def test_method_arn_of_a_request() -> None:
    inv = invocation(Request("POST", "/dev/pets/42?q=1", list(HEADERS)))
    assert request_method_arn(inv) == "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/POST/pets/42"
