"""Method and MethodResponse operations (PutMethod ... DeleteMethodResponse) through boto3."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

AUTHORIZER_REQUIRED = (
    "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS "
    "requires a valid authorizer."
)


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def body(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


LAMBDA_URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"
)
USER_POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abcDEF123"


def authorizer(apigw: Any, api_id: str, kind: str) -> str:
    """The id of a new authorizer of type `kind` (TOKEN, REQUEST or COGNITO_USER_POOLS)."""
    args: dict[str, Any] = {"restApiId": api_id, "name": f"auth-{kind.lower()}", "type": kind}
    if kind == "COGNITO_USER_POOLS":
        args.update(providerARNs=[USER_POOL], identitySource="method.request.header.Authorization")
    else:
        args.update(authorizerUri=LAMBDA_URI, identitySource="method.request.header.Authorization")
    return str(apigw.create_authorizer(**args)["id"])


def validator(apigw: Any, api_id: str) -> str:
    return str(apigw.create_request_validator(restApiId=api_id, name="v")["id"])


def model(apigw: Any, api_id: str, name: str) -> None:
    apigw.create_model(restApiId=api_id, name=name, contentType="application/json", schema="{}")


@pytest.fixture
def target(apigw, api):
    """(apigw, restApiId, resourceId) of a /pets resource."""
    pets = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="pets")
    return api["id"], pets["id"]


def put(apigw: Any, target: tuple[str, str], verb: str = "GET", **kw: Any) -> dict[str, Any]:
    kw.setdefault("authorizationType", "NONE")
    return apigw.put_method(restApiId=target[0], resourceId=target[1], httpMethod=verb, **kw)


def update(apigw: Any, target: tuple[str, str], *ops: dict[str, Any], verb: str = "GET") -> dict[str, Any]:
    return apigw.update_method(
        restApiId=target[0], resourceId=target[1], httpMethod=verb, patchOperations=list(ops)
    )


def failure(call: Any, *args: Any, **kw: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as exc:
        call(*args, **kw)
    return error_of(exc)


def test_method_lifecycle(apigw, target):
    created = put(apigw, target, "ANY")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    expected = {"httpMethod": "ANY", "authorizationType": "NONE", "apiKeyRequired": False}
    assert body(created) == expected
    assert body(apigw.get_method(restApiId=target[0], resourceId=target[1], httpMethod="ANY")) == expected
    deleted = apigw.delete_method(restApiId=target[0], resourceId=target[1], httpMethod="ANY")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    for call in (apigw.get_method, apigw.delete_method):
        assert failure(call, restApiId=target[0], resourceId=target[1], httpMethod="ANY") == (
            "NotFoundException",
            "Invalid Method identifier specified",
            404,
        )


def test_put_method_with_everything(apigw, target):
    auth_id = authorizer(apigw, target[0], "COGNITO_USER_POOLS")
    validator_id = validator(apigw, target[0])
    model(apigw, target[0], "Pet")
    created = put(
        apigw,
        target,
        "POST",
        authorizationType="COGNITO_USER_POOLS",
        authorizerId=auth_id,
        apiKeyRequired=True,
        operationName="CreatePet",
        requestValidatorId=validator_id,
        requestParameters={"method.request.header.x-trace": False, "method.request.querystring.q": True},
        requestModels={"application/json": "Pet"},
        authorizationScopes=["pets/write"],
    )
    assert body(created) == {
        "httpMethod": "POST",
        "authorizationType": "COGNITO_USER_POOLS",
        "authorizerId": auth_id,
        "apiKeyRequired": True,
        "operationName": "CreatePet",
        "requestValidatorId": validator_id,
        "requestParameters": {"method.request.header.x-trace": False, "method.request.querystring.q": True},
        "requestModels": {"application/json": "Pet"},
        "authorizationScopes": ["pets/write"],
    }


def test_put_method_errors(apigw, api, target):
    assert failure(put, apigw, ("nosuchapi", target[1])) == (
        "NotFoundException",
        "Invalid Resource identifier specified",
        404,
    )
    assert failure(put, apigw, (target[0], "nosuchres"))[1] == "Invalid Resource identifier specified"
    assert failure(put, apigw, target, "WRONG") == (
        "BadRequestException",
        "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY",
        400,
    )
    put(apigw, target, "GET")
    assert failure(put, apigw, target, "GET") == (
        "ConflictException",
        "Method already exists for this resource",
        409,
    )
    assert failure(put, apigw, target, "POST", authorizationType="CUSTOM") == (
        "BadRequestException",
        AUTHORIZER_REQUIRED,
        400,
    )
    assert failure(put, apigw, target, "POST", authorizationType="CUSTOM", authorizerId="nope")[1] == (
        AUTHORIZER_REQUIRED
    )
    assert failure(put, apigw, target, "POST", authorizationType="MAGIC")[0] == "BadRequestException"
    assert failure(put, apigw, target, "POST", requestValidatorId="fake-validator") == (
        "BadRequestException",
        "Invalid Request Validator identifier specified",
        400,
    )
    assert failure(put, apigw, target, "POST", requestModels={"application/json": "petModel"}) == (
        "BadRequestException",
        "Invalid model identifier specified: petModel",
        400,
    )
    same_name = {"method.request.querystring.optional": False, "method.request.header.optional": False}
    assert failure(put, apigw, target, "POST", requestParameters=same_name) == (
        "BadRequestException",
        "Parameter names must be unique across querystring, header and path",
        400,
    )
    assert failure(put, apigw, target, "POST", requestParameters={"method.request.cookie.c": True}) == (
        "BadRequestException",
        "Invalid mapping expression specified: Validation Result: warnings : [], errors : "
        "[Invalid mapping expression specified: method.request.cookie.c]",
        400,
    )
    resource = apigw.get_resource(restApiId=api["id"], resourceId=target[1])
    assert resource["resourceMethods"] == {"GET": {}}


def test_authorizer_rules(apigw, target):
    token_id = authorizer(apigw, target[0], "TOKEN")
    custom = put(apigw, target, "GET", authorizationType="CUSTOM", authorizerId=token_id)
    assert custom["authorizerId"] == token_id
    assert failure(put, apigw, target, "POST", authorizationType="COGNITO_USER_POOLS", authorizerId=token_id)[
        1
    ] == (AUTHORIZER_REQUIRED)
    ignored = put(apigw, target, "PUT", authorizationType="AWS_IAM", authorizerId=token_id)
    assert body(ignored) == {"httpMethod": "PUT", "authorizationType": "AWS_IAM", "apiKeyRequired": False}


def test_update_method(apigw, target):
    model(apigw, target[0], "Pet")  # `Empty` comes with every new API
    auth_id = authorizer(apigw, target[0], "REQUEST")
    validator_id = validator(apigw, target[0])
    put(apigw, target, "GET")
    added = update(
        apigw,
        target,
        {"op": "add", "path": "/requestParameters/method.request.querystring.optional", "value": "true"},
        {"op": "add", "path": "/requestModels/application~1json", "value": "Empty"},
    )
    assert added["requestParameters"] == {"method.request.querystring.optional": True}
    assert added["requestModels"] == {"application/json": "Empty"}
    replaced = update(
        apigw,
        target,
        {"op": "replace", "path": "/operationName", "value": "ReplacedOperationName"},
        {"op": "replace", "path": "/apiKeyRequired", "value": "true"},
        {"op": "replace", "path": "/authorizationType", "value": "AWS_IAM"},
        {"op": "replace", "path": "/requestParameters/method.request.querystring.optional", "value": "false"},
        {"op": "replace", "path": "/requestModels/application~1json", "value": "Pet"},
        {"op": "replace", "path": "/requestValidatorId", "value": validator_id},
    )
    assert body(replaced) == {
        "httpMethod": "GET",
        "authorizationType": "AWS_IAM",
        "apiKeyRequired": True,
        "operationName": "ReplacedOperationName",
        "requestValidatorId": validator_id,
        "requestParameters": {"method.request.querystring.optional": False},
        "requestModels": {"application/json": "Pet"},
    }
    custom = update(
        apigw,
        target,
        {"op": "replace", "path": "/authorizerId", "value": auth_id},
        {"op": "replace", "path": "/authorizationType", "value": "CUSTOM"},
        {"op": "add", "path": "/authorizationScopes", "value": "read"},
        {"op": "add", "path": "/authorizationScopes", "value": "write"},
    )
    assert custom["authorizationType"] == "CUSTOM" and custom["authorizerId"] == auth_id
    assert custom["authorizationScopes"] == ["read", "write"]
    removed = update(
        apigw,
        target,
        {"op": "remove", "path": "/requestParameters/method.request.querystring.optional"},
        {"op": "remove", "path": "/requestModels/application~1json"},
        {"op": "remove", "path": "/authorizationScopes", "value": "read"},
        {"op": "replace", "path": "/requestValidatorId", "value": ""},
        {"op": "replace", "path": "/apiKeyRequired", "value": "whatever"},
    )
    assert body(removed) == {
        "httpMethod": "GET",
        "authorizationType": "CUSTOM",
        "authorizerId": auth_id,
        "apiKeyRequired": False,
        "operationName": "ReplacedOperationName",
        "authorizationScopes": ["write"],
    }
    stored = apigw.get_method(restApiId=target[0], resourceId=target[1], httpMethod="GET")
    assert body(stored) == body(removed)


def test_update_method_errors_change_nothing(apigw, target):
    put(apigw, target, "GET", apiKeyRequired=True)
    before = body(apigw.get_method(restApiId=target[0], resourceId=target[1], httpMethod="GET"))
    replace_only = (
        "BadRequestException",
        "Invalid patch operation specified. Must be one of: [replace]",
        400,
    )
    assert (
        failure(update, apigw, target, {"op": "add", "path": "/operationName", "value": "x"}) == replace_only
    )
    assert (
        failure(update, apigw, target, {"op": "add", "path": "/requestValidatorId", "value": "x"})
        == replace_only
    )
    assert failure(update, apigw, target, {"op": "add", "path": "/httpMethod", "value": "PUT"}) == (
        "BadRequestException",
        "Invalid patch path /httpMethod",
        400,
    )
    assert failure(update, apigw, target, {"op": "replace", "path": "/requestParameters", "value": "x"})[
        1
    ] == ("Invalid patch path /requestParameters")
    assert (
        failure(
            update, apigw, target, {"op": "add", "path": "/requestModels/application/json", "value": "E"}
        )[1]
        == "Invalid patch path /requestModels/application/json"
    )
    assert failure(
        update,
        apigw,
        target,
        {"op": "replace", "path": "/operationName", "value": "half-applied"},
        {"op": "replace", "path": "/authorizationType", "value": "CUSTOM"},
    ) == ("BadRequestException", AUTHORIZER_REQUIRED, 400)
    assert failure(update, apigw, target, {"op": "replace", "path": "/requestValidatorId", "value": "fake"})[
        1
    ] == ("Invalid Request Validator identifier specified")
    assert failure(
        update,
        apigw,
        target,
        {"op": "replace", "path": "/requestParameters/method.request.header.none", "value": "true"},
    ) == ("NotFoundException", "Invalid parameter name specified", 404)
    assert failure(
        update, apigw, target, {"op": "add", "path": "/requestModels/text~1plain", "value": "Nope"}
    )[1] == ("Invalid model identifier specified: Nope")
    assert (
        failure(
            update, apigw, target, {"op": "replace", "path": "/operationName", "value": "x"}, verb="POST"
        )[1]
        == "Invalid Method identifier specified"
    )
    assert failure(update, apigw, target, {"op": "replace", "path": "/authorizationType", "value": ""})[
        1
    ] == ("Invalid patch value for /authorizationType: a value is required")
    ignored = update(apigw, target, {"op": "replace", "path": "/authorizerId", "value": "abc123"})
    assert "authorizerId" not in ignored
    assert body(apigw.get_method(restApiId=target[0], resourceId=target[1], httpMethod="GET")) == before


def test_method_response_lifecycle(apigw, target):
    assert "Empty" in [m["name"] for m in apigw.get_models(restApiId=target[0])["items"]]
    put(apigw, target, "GET")
    ids = {"restApiId": target[0], "resourceId": target[1], "httpMethod": "GET", "statusCode": "200"}
    created = apigw.put_method_response(**ids, responseParameters={}, responseModels={})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert body(created) == {"statusCode": "200", "responseParameters": {}, "responseModels": {}}
    assert body(apigw.get_method_response(**ids)) == body(created)
    header = "/responseParameters/method.response.header.my-header"
    added = apigw.update_method_response(
        **ids,
        patchOperations=[
            {"op": "add", "path": header, "value": "true"},
            {"op": "add", "path": "/responseModels/application~1json", "value": "Empty"},
        ],
    )
    assert body(added) == {
        "statusCode": "200",
        "responseParameters": {"method.response.header.my-header": True},
        "responseModels": {"application/json": "Empty"},
    }
    replaced = apigw.update_method_response(
        **ids, patchOperations=[{"op": "replace", "path": header, "value": "false"}]
    )
    assert replaced["responseParameters"] == {"method.response.header.my-header": False}
    method = apigw.get_method(restApiId=target[0], resourceId=target[1], httpMethod="GET")
    assert method["methodResponses"] == {"200": body(replaced)}
    removed = apigw.update_method_response(
        **ids,
        patchOperations=[
            {"op": "remove", "path": header},
            {"op": "remove", "path": "/responseModels/application~1json"},
        ],
    )
    assert body(removed) == {"statusCode": "200"}
    deleted = apigw.delete_method_response(**ids)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert failure(apigw.get_method_response, **ids) == (
        "NotFoundException",
        "Invalid Response status code specified",
        404,
    )
    assert "methodResponses" not in apigw.get_method(
        restApiId=target[0], resourceId=target[1], httpMethod="GET"
    )


def test_method_response_errors(apigw, target):
    put(apigw, target, "GET")
    ids = {"restApiId": target[0], "resourceId": target[1], "httpMethod": "GET"}
    apigw.put_method_response(**ids, statusCode="200", responseParameters={"method.response.header.h": False})
    assert failure(apigw.put_method_response, **ids, statusCode="wrong") == (
        "ValidationException",
        "1 validation error detected: Value 'wrong' at 'statusCode' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [1-5]\\d\\d",
        400,
    )
    assert failure(apigw.put_method_response, **{**ids, "httpMethod": "POST"}, statusCode="200")[1] == (
        "Invalid Method identifier specified"
    )
    assert failure(apigw.put_method_response, **ids, statusCode="400", responseModels={"a/b": "Missing"})[
        1
    ] == ("Invalid model identifier specified: Missing")
    assert failure(
        apigw.put_method_response, **ids, statusCode="400", responseParameters={"method.response.body": True}
    )[0] == ("BadRequestException")

    def patch(*ops: dict[str, Any], status: str = "200") -> tuple[str, str, int]:
        return failure(apigw.update_method_response, **ids, statusCode=status, patchOperations=list(ops))

    assert patch({"op": "remove", "path": "/responseParameters/method.response.header.other"}) == (
        "NotFoundException",
        "Invalid parameter name specified",
        404,
    )
    assert patch({"op": "replace", "path": "/responseModels/wrong", "value": "Empty"}) == (
        "NotFoundException",
        "Content-Type specified was not found",
        404,
    )
    assert patch({"op": "remove", "path": "/wrong/method.response.header.h"}) == (
        "BadRequestException",
        "Invalid patch path /wrong/method.response.header.h",
        400,
    )
    assert (
        patch({"op": "replace", "path": "/statusCode", "value": "201"})[1] == "Invalid patch path /statusCode"
    )
    assert (
        patch(
            {"op": "replace", "path": "/responseParameters/method.response.header.h", "value": "true"},
            status="201",
        )[1]
        == "Invalid Response status code specified"
    )
    assert (
        failure(apigw.delete_method_response, **ids, statusCode="404")[1]
        == "Invalid Response status code specified"
    )


def test_delete_method_removes_its_integration(apigw, target):
    put(apigw, target, "GET")
    apigw.put_integration(restApiId=target[0], resourceId=target[1], httpMethod="GET", type="MOCK")
    apigw.delete_method(restApiId=target[0], resourceId=target[1], httpMethod="GET")
    put(apigw, target, "GET")
    assert failure(apigw.get_integration, restApiId=target[0], resourceId=target[1], httpMethod="GET") == (
        "NotFoundException",
        "Invalid Integration identifier specified",
        404,
    )
    assert "methodIntegration" not in apigw.get_method(
        restApiId=target[0], resourceId=target[1], httpMethod="GET"
    )


def test_multi_value_request_parameters(apigw, target):
    multi = {"method.request.multivaluequerystring.ids": True, "method.request.multivalueheader.x-tag": False}
    created = put(apigw, target, "GET", requestParameters=multi)
    assert created["requestParameters"] == multi
    added = update(
        apigw, target, {"op": "add", "path": "/requestParameters/method.request.multivalueheader.x-more"}
    )
    assert added["requestParameters"] == {**multi, "method.request.multivalueheader.x-more": False}
    integration = apigw.put_integration(
        restApiId=target[0],
        resourceId=target[1],
        httpMethod="GET",
        type="HTTP",
        integrationHttpMethod="GET",
        uri="http://example.com/items",
        requestParameters={
            "integration.request.querystring.ids": "method.request.multivaluequerystring.ids",
            "integration.request.header.x-tag": "method.request.header.x-tag",
        },
    )
    assert integration["requestParameters"]["integration.request.querystring.ids"] == (
        "method.request.multivaluequerystring.ids"
    )
    duplicate = {"method.request.multivaluequerystring.q": True, "method.request.querystring.q": True}
    assert failure(put, apigw, target, "POST", requestParameters=duplicate) == (
        "BadRequestException",
        "Parameter names must be unique across querystring, header and path",
        400,
    )
    assert failure(put, apigw, target, "POST", requestParameters={"method.request.multivaluepath.p": True})[
        1
    ] == (
        "Invalid mapping expression specified: Validation Result: warnings : [], errors : "
        "[Invalid mapping expression specified: method.request.multivaluepath.p]"
    )
