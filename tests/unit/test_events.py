"""Lambda proxy events (payload 1.0, REST) parse with aws-lambda-powertools; responses validate as AWS."""

from __future__ import annotations

import base64
import json

import pytest
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel

from portico.compile.routes import match, split_path
from portico.compile.snapshot import StageRuntime, compile_deployment
from portico.dataplane.invocation import Invocation
from portico.dataplane.resolve import resolve
from portico.mapping.events import MalformedProxyResponse, parse_proxy_response, proxy_event
from portico.wire import Request

API = {
    "id": "abc123",
    "binaryMediaTypes": ["image/png"],
    "_resources": {
        "root": {"id": "root", "path": "/"},
        "pets": {"id": "pets", "path": "/pets", "parentId": "root", "pathPart": "pets"},
        "pet": {
            "id": "pet",
            "path": "/pets/{petId}",
            "parentId": "pets",
            "pathPart": "{petId}",
            "resourceMethods": {"POST": {"httpMethod": "POST"}},
        },
    },
}


def invocation(request: Request, variables: dict[str, str] | None = None) -> Invocation:
    deployment = compile_deployment("dep1", API)
    target = resolve(request)
    assert target is not None
    stage = StageRuntime("us-east-1", "abc123", target.stage, {}, variables or {}, deployment)
    inv = Invocation(request, target, stage, deployment, variables or {}, False, "123456789012")
    found = match(deployment.trie, split_path(inv.path))
    assert found is not None
    inv.match, inv.path_params = found, found.path_params
    return inv


def test_event_shape_and_powertools_model() -> None:
    req = Request(
        "POST",
        "/dev/pets/42?q=1&q=2&x=%20y",
        [("Host", "abc123.execute-api.localhost:4566"), ("User-Agent", "t/1"), ("X-A", "1"), ("X-A", "2")],
        b'{"a":1}',
        client=("10.1.2.3", 5555),
    )
    event = proxy_event(invocation(req, {"env": "dev"}))
    assert "version" not in event
    assert event["resource"] == "/pets/{petId}"
    assert event["path"] == "/pets/42"
    assert event["headers"]["X-A"] == "2" and event["multiValueHeaders"]["X-A"] == ["1", "2"]
    assert event["queryStringParameters"] == {"q": "2", "x": " y"}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"], "x": [" y"]}
    assert event["pathParameters"] == {"petId": "42"}
    assert event["stageVariables"] == {"env": "dev"}
    assert event["body"] == '{"a":1}' and event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert ctx["path"] == "/dev/pets/42" and ctx["stage"] == "dev" and ctx["resourcePath"] == "/pets/{petId}"
    assert ctx["identity"]["sourceIp"] == "10.1.2.3" and ctx["identity"]["userAgent"] == "t/1"
    assert ctx["domainName"] == "abc123.execute-api.localhost" and ctx["domainPrefix"] == "abc123"
    parsed = APIGatewayProxyEventModel.model_validate(json.loads(json.dumps(event)))
    assert parsed.pathParameters == {"petId": "42"}


def test_absent_parts_are_null_and_binary_bodies_base64() -> None:
    req = Request(
        "POST",
        "/dev/pets/7",
        [("Host", "abc123.execute-api.localhost"), ("Content-Type", "image/png")],
        b"\x89PNG",
    )
    event = proxy_event(invocation(req))
    assert event["queryStringParameters"] is None and event["multiValueQueryStringParameters"] is None
    assert event["stageVariables"] is None
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\x89PNG"
    APIGatewayProxyEventModel.model_validate(event)
    empty = proxy_event(
        invocation(Request("POST", "/dev/pets/7", [("Host", "abc123.execute-api.localhost")]))
    )
    assert empty["body"] is None and empty["isBase64Encoded"] is False


def test_response_headers_merge_and_base64() -> None:
    payload = json.dumps(
        {
            "statusCode": 201,
            "headers": {"A": "1", "B": 2},
            "multiValueHeaders": {"A": ["1", "3"], "Set-Cookie": ["x=1", "y=2"]},
            "body": base64.b64encode(b"\x00\x01").decode(),
            "isBase64Encoded": True,
        }
    ).encode()
    result = parse_proxy_response(payload, "application/octet-stream", ["application/octet-stream"])
    assert result.status == 201
    assert result.headers == [
        ("A", "1"),
        ("A", "3"),
        ("Set-Cookie", "x=1"),
        ("Set-Cookie", "y=2"),
        ("B", "2"),
    ]
    assert result.body == b"\x00\x01"
    text = parse_proxy_response(payload, "application/json", ["application/octet-stream"])
    assert text.body == base64.b64encode(b"\x00\x01")


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[]",
        b'{"body":"x"}',
        b'{"statusCode":"abc"}',
        b'{"statusCode":200,"body":{"a":1}}',
        b'{"statusCode":200,"extra":1}',
        b'{"statusCode":200,"headers":{"a":{"b":1}}}',
        b'{"statusCode":99}',
    ],
)
def test_malformed_responses(payload: bytes) -> None:
    with pytest.raises(MalformedProxyResponse):
        parse_proxy_response(payload, None, [])


def test_minimal_response() -> None:
    result = parse_proxy_response(b'{"statusCode": "204"}', None, [])
    assert (result.status, result.headers, result.body) == (204, [], b"")
