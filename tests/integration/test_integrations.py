"""Integration and IntegrationResponse operations (PutIntegration ... DeleteIntegrationResponse)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from botocore.exceptions import ClientError

LAMBDA_URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:pets/invocations"
)
MAPPING = "Invalid mapping expression specified: Validation Result: warnings : [], errors : [{}]"


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def body(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def failure(call: Any, *args: Any, **kw: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as exc:
        call(*args, **kw)
    return error_of(exc)


@pytest.fixture
def ids(apigw, api):
    """restApiId/resourceId/httpMethod of `GET /pets/{petId}` declaring path, query and header parameters."""
    pets = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="pets")
    pet = apigw.create_resource(restApiId=api["id"], parentId=pets["id"], pathPart="{petId}")
    apigw.put_method(
        restApiId=api["id"],
        resourceId=pet["id"],
        httpMethod="GET",
        authorizationType="NONE",
        requestParameters={
            "method.request.path.petId": True,
            "method.request.querystring.q": False,
            "method.request.header.x-trace": False,
        },
    )
    return {"restApiId": api["id"], "resourceId": pet["id"], "httpMethod": "GET"}


def test_mock_integration_defaults(apigw, ids):
    created = apigw.put_integration(
        **ids, type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'}
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    expected = {
        "type": "MOCK",
        "requestTemplates": {"application/json": '{"statusCode": 200}'},
        "passthroughBehavior": "WHEN_NO_MATCH",
        "timeoutInMillis": 29000,
        "cacheNamespace": ids["resourceId"],
        "cacheKeyParameters": [],
    }
    assert body(created) == expected
    assert body(apigw.get_integration(**ids)) == expected
    method = apigw.get_method(**ids)
    assert method["methodIntegration"] == expected


def test_http_integration(apigw, ids):
    created = apigw.put_integration(
        **ids,
        type="HTTP",
        integrationHttpMethod="GET",
        uri="http://petstore.example.com/pets/{id}",
        requestParameters={
            "integration.request.path.id": "method.request.path.petId",
            "integration.request.querystring.q": "method.request.multivaluequerystring.q",
            "integration.request.header.x-static": "'fixed value'",
            "integration.request.header.x-stage": "stageVariables.color",
            "integration.request.header.x-req": "context.requestId",
            "integration.request.header.x-body": "method.request.body.pet.name",
        },
        cacheKeyParameters=["method.request.path.petId"],
        timeoutInMillis=50,
        passthroughBehavior="when_no_templates",
        contentHandling="CONVERT_TO_TEXT",
        tlsConfig={"insecureSkipVerification": True},
    )
    assert body(created) == {
        "type": "HTTP",
        "httpMethod": "GET",
        "uri": "http://petstore.example.com/pets/{id}",
        "connectionType": "INTERNET",
        "requestParameters": {
            "integration.request.path.id": "method.request.path.petId",
            "integration.request.querystring.q": "method.request.multivaluequerystring.q",
            "integration.request.header.x-static": "'fixed value'",
            "integration.request.header.x-stage": "stageVariables.color",
            "integration.request.header.x-req": "context.requestId",
            "integration.request.header.x-body": "method.request.body.pet.name",
        },
        "passthroughBehavior": "WHEN_NO_TEMPLATES",
        "contentHandling": "CONVERT_TO_TEXT",
        "timeoutInMillis": 50,
        "cacheNamespace": ids["resourceId"],
        "cacheKeyParameters": ["method.request.path.petId"],
        "tlsConfig": {"insecureSkipVerification": True},
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"type": "HTTP", "uri": "http://x.example.com"},
            "Enumeration value for HttpMethod must be non-empty",
        ),
        ({"type": "HTTP", "integrationHttpMethod": "GET"}, "Invalid integration URI specified"),
        (
            {"type": "HTTP_PROXY", "integrationHttpMethod": "ANY", "uri": "non-valid-http"},
            "Invalid HTTP endpoint specified for URI",
        ),
        (
            {"type": "HTTP", "integrationHttpMethod": "GET", "uri": "ftp://x.example.com"},
            "Invalid HTTP endpoint specified for URI",
        ),
        (
            {"type": "AWS", "integrationHttpMethod": "POST", "uri": "non-valid-arn"},
            "Invalid ARN specified in the request",
        ),
        (
            {
                "type": "AWS",
                "integrationHttpMethod": "POST",
                "uri": "arn:aws:apigateway:us-east-1:s3:bucket/key",
            },
            "AWS ARN for integration must contain path or action",
        ),
        (
            {
                "type": "AWS_PROXY",
                "integrationHttpMethod": "POST",
                "uri": "arn:aws:apigateway:us-east-1:sqs:path/1/q",
            },
            "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.",
        ),
        ({"type": "MOCK", "timeoutInMillis": 49}, "Timeout should be between 50 ms and 29000 ms"),
        ({"type": "MOCK", "timeoutInMillis": 29001}, "Timeout should be between 50 ms and 29000 ms"),
        (
            {
                "type": "HTTP_PROXY",
                "integrationHttpMethod": "ANY",
                "uri": "http://nlb.example.com",
                "connectionType": "VPC_LINK",
            },
            "A connectionId is required when connectionType is VPC_LINK",
        ),
        (
            {
                "type": "MOCK",
                "requestParameters": {"integration.request.header.h": "method.request.header.undeclared"},
            },
            MAPPING.format(
                "Invalid mapping expression parameter specified: method.request.header.undeclared"
            ),
        ),
        (
            {"type": "MOCK", "requestParameters": {"integration.request.header.h": "*"}},
            MAPPING.format("Invalid mapping expression specified: *"),
        ),
        (
            {"type": "MOCK", "requestParameters": {"integration.response.header.h": "'v'"}},
            MAPPING.format("Invalid mapping expression specified: integration.response.header.h"),
        ),
        (
            {"type": "MOCK", "cacheKeyParameters": ["method.request.header.nope"]},
            "Invalid cache key parameter specified: method.request.header.nope",
        ),
    ],
)
def test_put_integration_validation(apigw, ids, kwargs, message):
    assert failure(apigw.put_integration, **ids, **kwargs) == ("BadRequestException", message, 400)
    assert failure(apigw.get_integration, **ids)[1] == "Invalid Integration identifier specified"


def test_aws_integrations(apigw, ids):
    proxy = apigw.put_integration(**ids, type="AWS_PROXY", integrationHttpMethod="POST", uri=LAMBDA_URI)
    assert proxy["uri"] == LAMBDA_URI and proxy["connectionType"] == "INTERNET"
    s3 = "arn:aws:apigateway:us-east-1:my-bucket.s3:path/{key}"
    aws = apigw.put_integration(
        **ids, type="AWS", integrationHttpMethod="GET", uri=s3, credentials="arn:aws:iam::123456789012:role/r"
    )
    assert aws["uri"] == s3 and aws["credentials"] == "arn:aws:iam::123456789012:role/r"


def test_vpc_link_and_stage_variables(apigw, ids):
    created = apigw.put_integration(
        **ids,
        type="HTTP_PROXY",
        integrationHttpMethod="GET",
        uri="http://${stageVariables.host}:8080/pets",
        connectionType="VPC_LINK",
        connectionId="${stageVariables.vpcLinkId}",
    )
    assert (
        created["connectionType"] == "VPC_LINK" and created["connectionId"] == "${stageVariables.vpcLinkId}"
    )


def test_put_integration_replaces_the_previous_one(apigw, ids):
    apigw.put_integration(
        **ids, type="MOCK", requestTemplates={"application/json": "{}"}, timeoutInMillis=100
    )
    apigw.put_integration_response(**ids, statusCode="200")
    replaced = apigw.put_integration(
        **ids, type="HTTP_PROXY", integrationHttpMethod="ANY", uri="https://x.example.com"
    )
    assert "requestTemplates" not in replaced and replaced["timeoutInMillis"] == 29000
    assert "integrationResponses" not in apigw.get_integration(**ids)
    assert (
        failure(apigw.get_integration_response, **ids, statusCode="200")[1]
        == "Invalid Response status code specified"
    )


def test_integration_errors_for_missing_parents(apigw, api, ids):
    assert failure(apigw.put_integration, **{**ids, "httpMethod": "POST"}, type="MOCK") == (
        "NotFoundException",
        "Invalid Method identifier specified",
        404,
    )
    assert failure(apigw.put_integration, **{**ids, "resourceId": "badresource"}, type="MOCK")[1] == (
        "Invalid Resource identifier specified"
    )
    assert (
        failure(apigw.get_integration, **{**ids, "restApiId": "nosuchapi"})[1]
        == "Invalid Resource identifier specified"
    )
    assert failure(apigw.delete_integration, **ids) == (
        "NotFoundException",
        "Invalid Integration identifier specified",
        404,
    )


def test_update_integration(apigw, ids):
    apigw.put_integration(**ids, type="HTTP", integrationHttpMethod="GET", uri="http://a.example.com")
    updated = apigw.update_integration(
        **ids,
        patchOperations=[
            {"op": "replace", "path": "/uri", "value": "https://b.example.com/{id}"},
            {"op": "replace", "path": "/httpMethod", "value": "POST"},
            {"op": "replace", "path": "/timeoutInMillis", "value": "1000"},
            {"op": "replace", "path": "/passthroughBehavior", "value": "NEVER"},
            {"op": "replace", "path": "/contentHandling", "value": "CONVERT_TO_BINARY"},
            {"op": "add", "path": "/requestTemplates/application~1json", "value": "#set($x = 1)"},
            {"op": "add", "path": "/requestTemplates/text~1plain", "value": ""},
            {
                "op": "add",
                "path": "/requestParameters/integration.request.path.id",
                "value": "method.request.path.petId",
            },
            {"op": "add", "path": "/cacheKeyParameters/method.request.path.petId"},
            {"op": "replace", "path": "/tlsConfig/insecureSkipVerification", "value": "true"},
        ],
    )
    assert body(updated) == {
        "type": "HTTP",
        "httpMethod": "POST",
        "uri": "https://b.example.com/{id}",
        "connectionType": "INTERNET",
        "requestParameters": {"integration.request.path.id": "method.request.path.petId"},
        "requestTemplates": {"application/json": "#set($x = 1)", "text/plain": None},
        "passthroughBehavior": "NEVER",
        "contentHandling": "CONVERT_TO_BINARY",
        "timeoutInMillis": 1000,
        "cacheNamespace": ids["resourceId"],
        "cacheKeyParameters": ["method.request.path.petId"],
        "tlsConfig": {"insecureSkipVerification": True},
    }
    removed = apigw.update_integration(
        **ids,
        patchOperations=[
            {"op": "remove", "path": "/requestTemplates/application~1json"},
            {"op": "remove", "path": "/requestTemplates/text~1plain"},
            {"op": "remove", "path": "/cacheKeyParameters/method.request.path.petId"},
            {"op": "remove", "path": "/requestParameters/integration.request.path.id"},
            {"op": "replace", "path": "/contentHandling", "value": ""},
            {"op": "replace", "path": "/timeoutInMillis", "value": ""},
        ],
    )
    assert "requestTemplates" not in removed and "requestParameters" not in removed
    assert "contentHandling" not in removed
    assert removed["cacheKeyParameters"] == [] and removed["timeoutInMillis"] == 29000
    assert body(apigw.get_integration(**ids)) == body(removed)


def test_update_integration_errors_change_nothing(apigw, ids):
    apigw.put_integration(**ids, type="HTTP", integrationHttpMethod="GET", uri="http://a.example.com")
    before = body(apigw.get_integration(**ids))

    def patch(*ops: dict[str, Any]) -> tuple[str, str, int]:
        return failure(apigw.update_integration, **ids, patchOperations=list(ops))

    assert patch({"op": "add", "path": "/uri", "value": "http://c.example.com"}) == (
        "BadRequestException",
        "Invalid patch operation specified. Must be one of: [replace]",
        400,
    )
    assert patch({"op": "replace", "path": "/integrationResponses", "value": "{}"})[1] == (
        "Invalid patch path /integrationResponses"
    )
    assert (
        patch({"op": "replace", "path": "/uri", "value": "not a url"})[1]
        == "Invalid HTTP endpoint specified for URI"
    )
    assert patch(
        {"op": "replace", "path": "/timeoutInMillis", "value": "100"},
        {"op": "replace", "path": "/timeoutInMillis", "value": "30000"},
    )[1] == ("Timeout should be between 50 ms and 29000 ms")
    assert patch({"op": "replace", "path": "/timeoutInMillis", "value": "soon"})[0] == "BadRequestException"
    assert patch({"op": "remove", "path": "/requestTemplates/application~1xml"}) == (
        "NotFoundException",
        "Content-Type specified was not found",
        404,
    )
    assert patch(
        {
            "op": "add",
            "path": "/requestParameters/integration.request.header.h",
            "value": "method.request.header.zz",
        }
    )[1] == (MAPPING.format("Invalid mapping expression parameter specified: method.request.header.zz"))
    assert (
        patch({"op": "replace", "path": "/type", "value": ""})[1]
        == "Invalid patch value for /type: a value is required"
    )
    assert patch({"op": "replace", "path": "/type", "value": "SOAP"})[1] == (
        "Invalid value 'SOAP' for /type. Valid options are HTTP,AWS,MOCK,HTTP_PROXY,AWS_PROXY"
    )
    assert patch({"op": "replace", "path": "/connectionType", "value": "WIRE"})[0] == "BadRequestException"
    assert body(apigw.get_integration(**ids)) == before


def test_update_integration_type(apigw, ids):
    apigw.put_integration(**ids, type="MOCK")
    changed = apigw.update_integration(
        **ids,
        patchOperations=[
            {"op": "replace", "path": "/type", "value": "AWS_PROXY"},
            {"op": "replace", "path": "/httpMethod", "value": "POST"},
            {"op": "replace", "path": "/uri", "value": LAMBDA_URI},
        ],
    )
    assert (changed["type"], changed["httpMethod"], changed["uri"]) == ("AWS_PROXY", "POST", LAMBDA_URI)
    assert changed["connectionType"] == "INTERNET"


def test_integration_response_lifecycle(apigw, ids):
    apigw.put_integration(**ids, type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    response_ids = {**ids, "statusCode": "200"}
    created = apigw.put_integration_response(
        **response_ids, selectionPattern="", responseTemplates={"application/json": '"created"'}
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert body(created) == {
        "statusCode": "200",
        "selectionPattern": "",
        "responseTemplates": {"application/json": '"created"'},
    }
    assert body(apigw.get_integration_response(**response_ids)) == body(created)
    updated = apigw.update_integration_response(
        **response_ids,
        patchOperations=[
            {"op": "replace", "path": "/selectionPattern", "value": "updated-pattern"},
            {"op": "add", "path": "/responseTemplates/application~1xml", "value": "<a/>"},
            {"op": "replace", "path": "/contentHandling", "value": "CONVERT_TO_TEXT"},
        ],
    )
    assert body(updated) == {
        "statusCode": "200",
        "selectionPattern": "updated-pattern",
        "responseTemplates": {"application/json": '"created"', "application/xml": "<a/>"},
        "contentHandling": "CONVERT_TO_TEXT",
    }
    overwritten = apigw.put_integration_response(
        **response_ids, selectionPattern="overwrite-pattern", responseTemplates={"application/json": ""}
    )
    assert body(overwritten) == {
        "statusCode": "200",
        "selectionPattern": "overwrite-pattern",
        "responseTemplates": {"application/json": None},
    }
    method = apigw.get_method(**ids)
    assert method["methodIntegration"]["integrationResponses"] == {"200": body(overwritten)}
    deleted = apigw.delete_integration_response(**response_ids)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert failure(apigw.get_integration_response, **response_ids) == (
        "NotFoundException",
        "Invalid Response status code specified",
        404,
    )


def test_integration_response_parameters_need_the_method_response(apigw, ids):
    apigw.put_integration(**ids, type="MOCK")
    mapped = {"method.response.header.Access-Control-Allow-Origin": "'*'"}
    assert failure(apigw.put_integration_response, **ids, statusCode="200", responseParameters=mapped) == (
        "BadRequestException",
        MAPPING.format("No method response exists for method."),
        400,
    )
    apigw.put_method_response(
        **ids, statusCode="200", responseParameters={"method.response.header.X-Id": False}
    )
    assert failure(apigw.put_integration_response, **ids, statusCode="200", responseParameters=mapped)[1] == (
        MAPPING.format(
            "Invalid mapping expression parameter specified: method.response.header.Access-Control-Allow-Origin"
        )
    )
    bad_source = {"method.response.header.X-Id": '"*"'}
    assert failure(apigw.put_integration_response, **ids, statusCode="200", responseParameters=bad_source)[
        1
    ] == (MAPPING.format('Invalid mapping expression specified: "*"'))
    for source in (
        "integration.response.header.x-app-id",
        "integration.response.body.redirect.url",
        "'static'",
    ):
        created = apigw.put_integration_response(
            **ids, statusCode="200", responseParameters={"method.response.header.X-Id": source}
        )
        assert created["responseParameters"] == {"method.response.header.X-Id": source}


def test_selection_patterns(apigw, ids):
    apigw.put_integration(**ids, type="MOCK")
    apigw.put_integration_response(**ids, statusCode="200")
    assert failure(apigw.put_integration_response, **ids, statusCode="201") == (
        "ConflictException",
        "Integration response with selection pattern default already exists",
        409,
    )
    apigw.put_integration_response(**ids, statusCode="400", selectionPattern="4\\d{2}")
    assert failure(apigw.put_integration_response, **ids, statusCode="401", selectionPattern="4\\d{2}")[
        1
    ] == ("Integration response with selection pattern 4\\d{2} already exists")
    assert failure(apigw.put_integration_response, **ids, statusCode="500", selectionPattern="(")[0] == (
        "BadRequestException"
    )
    same_code = apigw.put_integration_response(**ids, statusCode="400", selectionPattern="4\\d{2}")
    assert same_code["selectionPattern"] == "4\\d{2}"


def test_integration_response_errors(apigw, ids):
    response_ids = {**ids, "statusCode": "200"}
    assert failure(apigw.get_integration_response, **response_ids) == (
        "NotFoundException",
        "Invalid Integration identifier specified",
        404,
    )
    assert (
        failure(apigw.put_integration_response, **response_ids)[1]
        == "Invalid Integration identifier specified"
    )
    assert failure(apigw.get_integration_response, **{**response_ids, "httpMethod": "POST"})[1] == (
        "Invalid Method identifier specified"
    )
    assert failure(apigw.delete_integration_response, **{**response_ids, "httpMethod": "POST"})[1] == (
        "Invalid Integration identifier specified"
    )
    assert (
        failure(apigw.get_integration_response, **{**ids, "statusCode": "wrong"})[0] == "ValidationException"
    )
    apigw.put_integration(**ids, type="MOCK")
    apigw.put_integration_response(**response_ids, responseTemplates={"application/json": "{}"})
    assert failure(
        apigw.update_integration_response,
        **response_ids,
        patchOperations=[{"op": "remove", "path": "/responseParameters/method.response.header.h"}],
    ) == ("NotFoundException", "Invalid parameter name specified", 404)
    assert (
        failure(
            apigw.update_integration_response,
            **response_ids,
            patchOperations=[{"op": "replace", "path": "/statusCode", "value": "201"}],
        )[1]
        == "Invalid patch path /statusCode"
    )
    assert failure(apigw.delete_integration_response, **{**ids, "statusCode": "500"})[1] == (
        "Invalid Response status code specified"
    )


def test_delete_integration(apigw, ids):
    apigw.put_integration(**ids, type="MOCK")
    deleted = apigw.delete_integration(**ids)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert failure(apigw.get_integration, **ids)[1] == "Invalid Integration identifier specified"
    assert "methodIntegration" not in apigw.get_method(**ids)


def test_cli_put_integration(server, ids):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    cmd = [sys.executable, "-m", "awscli", "apigateway", "put-integration"]
    cmd += ["--rest-api-id", ids["restApiId"], "--resource-id", ids["resourceId"], "--http-method", "GET"]
    cmd += ["--type", "AWS_PROXY", "--integration-http-method", "POST", "--uri", LAMBDA_URI]
    cmd += ["--endpoint-url", server.url, "--region", "us-east-1", "--output", "json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "type": "AWS_PROXY",
        "httpMethod": "POST",
        "uri": LAMBDA_URI,
        "connectionType": "INTERNET",
        "passthroughBehavior": "WHEN_NO_MATCH",
        "timeoutInMillis": 29000,
        "cacheNamespace": ids["resourceId"],
        "cacheKeyParameters": [],
    }
