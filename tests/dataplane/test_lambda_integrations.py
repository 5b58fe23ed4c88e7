"""Lambda integrations through a real server and real Python runtimes: AWS_PROXY and AWS."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel

from tests.conftest import RunningServer, start_server
from tests.dataplane.test_routing import call
from tests.functions.conftest import ROLE, make_zip

HANDLER = """
import base64, json, time

def echo(event, context):
    return {"statusCode": 200, "headers": {"X-Fn": context.function_name},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}, "body": json.dumps(event)}

def fail(event, context):
    raise ValueError("boom")

def malformed(event, context):
    return {"statusCode": 200, "body": {"not": "a string"}}

def binary(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "image/png"},
            "body": base64.b64encode(b"\\x89PNG").decode(), "isBase64Encoded": True}

def slow(event, context):
    time.sleep(2)
    return {"statusCode": 200, "body": "late"}

def plain(event, context):
    if event.get("fail"):
        raise RuntimeError("Not found: " + str(event.get("id")))
    return {"id": event.get("id"), "greeting": "hello " + str(event.get("name"))}
"""


@pytest.fixture(scope="module")
def lserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    srv = start_server(tmp_path_factory.mktemp("portico-lambda"))
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def functions(lserver: RunningServer) -> dict[str, str]:
    lam = lserver.client("lambda")
    names = {}
    for handler in ("echo", "fail", "malformed", "binary", "slow", "plain"):
        name = f"{handler}-{uuid.uuid4().hex[:6]}"
        created = lam.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=ROLE,
            Handler=f"app.{handler}",
            Code={"ZipFile": make_zip({"app.py": HANDLER})},
            Timeout=10,
        )
        names[handler] = created["FunctionArn"]
    return names


def uri(arn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


def proxy_api(srv: RunningServer, function_arn: str, **integration: Any) -> str:
    apigw = srv.client()
    api = apigw.create_rest_api(name="lambda-proxy", binaryMediaTypes=["image/png"])
    api_id = api["id"]
    greedy = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"], pathPart="{proxy+}")[
        "id"
    ]
    apigw.put_method(restApiId=api_id, resourceId=greedy, httpMethod="ANY", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=greedy,
        httpMethod="ANY",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=uri(function_arn),
        **integration,
    )
    apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"env": "test"})
    return f"{srv.url}/_aws/execute-api/{api_id}/dev"


def test_proxy_event_and_response(lserver: RunningServer, functions: dict[str, str]) -> None:
    base = proxy_api(lserver, functions["echo"])
    status, headers, body = call(f"{base}/pets/42?q=1&q=2", "POST", {"X-Custom": "yes"})
    assert status == 200
    assert headers["X-Fn"].startswith("echo-")
    event = json.loads(body)
    APIGatewayProxyEventModel.model_validate(event)
    assert "version" not in event
    assert event["resource"] == "/{proxy+}" and event["path"] == "/pets/42"
    assert event["pathParameters"] == {"proxy": "pets/42"}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"]}
    assert event["queryStringParameters"] == {"q": "2"}
    assert event["stageVariables"] == {"env": "test"}
    assert event["headers"]["X-Custom"] == "yes"
    assert event["requestContext"]["path"] == "/dev/pets/42"
    assert event["requestContext"]["requestId"] == headers["x-amzn-RequestId"]


def test_multi_value_response_headers(lserver: RunningServer, functions: dict[str, str]) -> None:
    import urllib.request

    base = proxy_api(lserver, functions["echo"])
    with urllib.request.urlopen(f"{base}/x") as resp:
        assert resp.headers.get_all("Set-Cookie") == ["a=1", "b=2"]


@pytest.mark.parametrize("handler", ["fail", "malformed"])
def test_function_error_and_malformed_response_are_502(
    lserver: RunningServer, functions: dict[str, str], handler: str
) -> None:
    base = proxy_api(lserver, functions[handler])
    status, _, body = call(f"{base}/x")
    assert (status, body) == (502, b'{"message": "Internal server error"}')


def test_binary_response(lserver: RunningServer, functions: dict[str, str]) -> None:
    base = proxy_api(lserver, functions["binary"])
    assert call(f"{base}/img", headers={"Accept": "image/png"})[2] == b"\x89PNG"
    assert call(f"{base}/img", headers={"Accept": "application/json"})[2] == base64.b64encode(b"\x89PNG")


def test_integration_timeout_is_504(lserver: RunningServer, functions: dict[str, str]) -> None:
    base = proxy_api(lserver, functions["slow"], timeoutInMillis=300)
    status, _, body = call(f"{base}/x")
    assert (status, body) == (504, b'{"message": "Endpoint request timed out"}')


def test_unknown_function_is_500(lserver: RunningServer) -> None:
    base = proxy_api(lserver, "arn:aws:lambda:us-east-1:123456789012:function:does-not-exist")
    assert call(f"{base}/x")[0] == 500


def test_non_proxy_lambda_with_templates_and_error_selection(
    lserver: RunningServer, functions: dict[str, str]
) -> None:
    apigw = lserver.client()
    api = apigw.create_rest_api(name="lambda-aws")
    api_id = api["id"]
    res = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"], pathPart="{id}")["id"]
    apigw.put_method(restApiId=api_id, resourceId=res, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=res,
        httpMethod="GET",
        type="AWS",
        integrationHttpMethod="POST",
        uri=uri(functions["plain"]),
        requestTemplates={
            "application/json": '{"id": "$input.params(\'id\')", "name": "$input.params(\'name\')", "fail": #if($input.params(\'fail\') == "1")true#{else}false#end}'
        },
    )
    for code in ("200", "404"):
        apigw.put_method_response(restApiId=api_id, resourceId=res, httpMethod="GET", statusCode=code)
    apigw.put_integration_response(
        restApiId=api_id,
        resourceId=res,
        httpMethod="GET",
        statusCode="200",
        responseTemplates={"application/json": "{\"who\": $input.json('$.greeting')}"},
    )
    apigw.put_integration_response(
        restApiId=api_id,
        resourceId=res,
        httpMethod="GET",
        statusCode="404",
        selectionPattern="Not found:.*",
        responseTemplates={"application/json": '{"error": "$input.path(\'$.errorMessage\')"}'},
    )
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    base = f"{lserver.url}/_aws/execute-api/{api_id}/dev"
    status, _, body = call(f"{base}/7?name=Ann")
    assert (status, json.loads(body)) == (200, {"who": "hello Ann"})
    status, _, body = call(f"{base}/9?fail=1")
    assert (status, json.loads(body)) == (404, {"error": "Not found: 9"})


def test_event_invocation_type_answers_at_once(
    lserver: RunningServer, functions: dict[str, str], tmp_path: Path
) -> None:
    apigw = lserver.client()
    api = apigw.create_rest_api(name="lambda-async")
    api_id, root = api["id"], api["rootResourceId"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="POST", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=root,
        httpMethod="POST",
        type="AWS",
        integrationHttpMethod="POST",
        uri=uri(functions["slow"]),
        requestParameters={"integration.request.header.X-Amz-Invocation-Type": "'Event'"},
    )
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="202")
    apigw.put_integration_response(
        restApiId=api_id,
        resourceId=root,
        httpMethod="POST",
        statusCode="202",
        responseTemplates={"application/json": '{"queued": true}'},
    )
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    status, _, body = call(f"{lserver.url}/_aws/execute-api/{api_id}/dev/", "POST")
    assert (status, json.loads(body)) == (202, {"queued": True})


def test_function_timeout_through_a_proxy_route_is_502(lserver: RunningServer) -> None:
    lam = lserver.client("lambda")
    name = f"short-{uuid.uuid4().hex[:6]}"
    arn = lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.slow",
        Code={"ZipFile": make_zip({"app.py": HANDLER})},
        Timeout=1,
    )["FunctionArn"]
    base = proxy_api(lserver, arn)
    status, _, body = call(f"{base}/x")
    assert (status, body) == (502, b'{"message": "Internal server error"}')
    assert (
        call(f"{base}/x")[0] == 502
    )  # the timed-out instance was replaced; the next call runs (and times out) again
