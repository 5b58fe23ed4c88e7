"""TestInvokeMethod: a simulated request on the API's current (undeployed) configuration, with AWS's log."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest
from botocore.exceptions import ClientError

LINE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4} : (.*)$")
PET = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}


def mock_method(apigw: Any, api_id: str, resource_id: str, verb: str, template: str, **method: Any) -> None:
    apigw.put_method(
        restApiId=api_id, resourceId=resource_id, httpMethod=verb, authorizationType="NONE", **method
    )
    apigw.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=verb,
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw.put_method_response(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=verb,
        statusCode="200",
        responseParameters={"method.response.header.x-pet": False},
    )
    apigw.put_integration_response(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=verb,
        statusCode="200",
        responseParameters={"method.response.header.x-pet": "'spot'"},
        responseTemplates={"application/json": template},
    )


@pytest.fixture
def pets(apigw: Any, api: dict[str, Any]) -> dict[str, str]:
    api_id = api["id"]
    pets = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"], pathPart="pets")["id"]
    pet = apigw.create_resource(restApiId=api_id, parentId=pets, pathPart="{petId}")["id"]
    mock_method(
        apigw,
        api_id,
        pet,
        "GET",
        '{"id":"$input.params(\'petId\')","q":"$input.params(\'q\')","stage":"$context.stage",'
        '"color":"$stageVariables.color","agent":"$input.params(\'x-agent\')"}',
    )
    return {"api": api_id, "pets": pets, "pet": pet}


def messages(log: str) -> list[str]:
    lines = log.splitlines()
    found = [LINE.match(line) for line in lines[1:]]
    assert all(found), log
    return [m.group(2) for m in found if m]


def test_mock_method_runs_on_the_current_configuration(apigw: Any, pets: dict[str, str]) -> None:
    out = apigw.test_invoke_method(
        restApiId=pets["api"],
        resourceId=pets["pet"],
        httpMethod="GET",
        pathWithQueryString="/pets/42?q=cats&q=dogs",
        headers={"x-agent": "tester"},
        stageVariables={"color": "blue"},
    )
    assert out["status"] == 200
    assert json.loads(out["body"]) == {
        "id": "42",
        "q": "dogs",
        "stage": "test-invoke-stage",
        "color": "blue",
        "agent": "tester",
    }
    assert out["headers"] == {"Content-Type": "application/json", "x-pet": "spot"}
    assert out["multiValueHeaders"] == {"Content-Type": ["application/json"], "x-pet": ["spot"]}
    assert isinstance(out["latency"], int)
    first, *_ = out["log"].splitlines()
    request_id = first.removeprefix("Execution log for request ")
    assert re.fullmatch(r"[0-9a-f-]{36}", request_id)
    assert messages(out["log"]) == [
        f"Starting execution for request: {request_id}",
        "HTTP Method: GET, Resource Path: /pets/42",
        "Method request path: {petId=42}",
        "Method request query string: {q=dogs}",
        "Method request headers: {x-agent=tester}",
        "Method request body before transformations: ",
        f"Method response body after transformations: {out['body']}",
        "Method response headers: {Content-Type=application/json, x-pet=spot}",
        "Successfully completed execution",
        "Method completed with status: 200",
    ]
    assert out["log"].endswith("\n")


def test_changes_apply_without_deploying(apigw: Any, pets: dict[str, str]) -> None:
    apigw.update_integration_response(
        restApiId=pets["api"],
        resourceId=pets["pet"],
        httpMethod="GET",
        statusCode="200",
        patchOperations=[
            {"op": "replace", "path": "/responseTemplates/application~1json", "value": '{"v":2}'}
        ],
    )
    out = apigw.test_invoke_method(restApiId=pets["api"], resourceId=pets["pet"], httpMethod="get")
    assert (out["status"], out["body"]) == (200, '{"v":2}')
    assert "HTTP Method: GET, Resource Path: /pets/{petId}" in out["log"]


def test_validation_failure_answers_the_gateway_response(apigw: Any, pets: dict[str, str]) -> None:
    api_id = pets["api"]
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=json.dumps(PET))
    validator = apigw.create_request_validator(restApiId=api_id, name="body", validateRequestBody=True)["id"]
    mock_method(
        apigw,
        api_id,
        pets["pets"],
        "POST",
        '{"ok":true}',
        requestValidatorId=validator,
        requestModels={"application/json": "Pet"},
    )
    out = apigw.test_invoke_method(
        restApiId=api_id,
        resourceId=pets["pets"],
        httpMethod="POST",
        body='{"name": 5}',
        multiValueHeaders={"Content-Type": ["application/json"]},
    )
    assert (out["status"], out["body"]) == (400, '{"message": "Invalid request body"}')
    assert out["headers"]["x-amzn-ErrorType"] == "BadRequestException"
    assert messages(out["log"])[-2:] == [
        "Request body does not match model schema for content type application/json: "
        '[instance type (integer) does not match any allowed primitive type (allowed: ["string"])]',
        "Method completed with status: 400",
    ]
    ok = apigw.test_invoke_method(
        restApiId=api_id, resourceId=pets["pets"], httpMethod="POST", body='{"name": "Rex"}'
    )
    assert (ok["status"], ok["body"]) == (200, '{"ok":true}')
    assert 'Method request body before transformations: {"name": "Rex"}' in ok["log"]


def test_http_integration_logs_its_endpoint(apigw: Any, pets: dict[str, str]) -> None:
    api_id, resource_id = pets["api"], pets["pets"]
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        type="HTTP_PROXY",
        integrationHttpMethod="GET",
        uri="http://${stageVariables.host}:9/pets",  # nothing listens on port 9 (discard)
    )
    out = apigw.test_invoke_method(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        pathWithQueryString="/pets?kind=cat",
        stageVariables={"host": "127.0.0.1"},
    )
    assert out["status"] >= 500
    found = messages(out["log"])
    assert "Endpoint request URI: http://127.0.0.1:9/pets?kind=cat" in found
    assert found[-1] == f"Method completed with status: {out['status']}"
    assert "Successfully completed execution" not in found


def test_errors(apigw: Any, pets: dict[str, str]) -> None:
    api_id = pets["api"]
    with pytest.raises(ClientError) as err:
        apigw.test_invoke_method(restApiId=api_id, resourceId="nope00", httpMethod="GET")
    assert err.value.response["Error"]["Code"] == "NotFoundException"
    assert err.value.response["Error"]["Message"] == "Invalid Resource identifier specified"
    with pytest.raises(ClientError) as err:
        apigw.test_invoke_method(restApiId=api_id, resourceId=pets["pet"], httpMethod="DELETE")
    assert err.value.response["Error"]["Code"] == "NotFoundException"
    assert err.value.response["Error"]["Message"] == "Invalid Method identifier specified"
    with pytest.raises(ClientError) as err:
        apigw.test_invoke_method(restApiId="missing000", resourceId=pets["pet"], httpMethod="GET")
    assert err.value.response["Error"]["Code"] == "NotFoundException"
    apigw.put_method(restApiId=api_id, resourceId=pets["pets"], httpMethod="PUT", authorizationType="NONE")
    with pytest.raises(ClientError) as err:
        apigw.test_invoke_method(restApiId=api_id, resourceId=pets["pets"], httpMethod="PUT")
    assert err.value.response["Error"]["Code"] == "BadRequestException"
    assert err.value.response["Error"]["Message"] == "No integration defined for method"


def test_aws_cli(server: Any, pets: dict[str, str]) -> None:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": "/dev/null",
    }
    command = [
        sys.executable,
        "-m",
        "awscli",
        "apigateway",
        "test-invoke-method",
        "--rest-api-id",
        pets["api"],
        "--resource-id",
        pets["pet"],
        "--http-method",
        "GET",
        "--path-with-query-string",
        "/pets/7",
        "--endpoint-url",
        server.url,
        "--region",
        "us-east-1",
        "--output",
        "json",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=True)
    out = json.loads(done.stdout)
    assert out["status"] == 200
    assert json.loads(out["body"])["id"] == "7"
    assert "Method completed with status: 200" in out["log"]
