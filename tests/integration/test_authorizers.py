"""Authorizer operations through boto3 against a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:auth"
URI = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FUNCTION}/invocations"
POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abcDEF123"


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def token_authorizer(apigw, api_id: str, **kw):
    args = {
        "name": "tok",
        "type": "TOKEN",
        "authorizerUri": URI,
        "identitySource": "method.request.header.Auth",
    }
    return apigw.create_authorizer(restApiId=api_id, **{**args, **kw})


def test_token_authorizer_lifecycle(apigw, api):
    api_id = api["id"]
    created = token_authorizer(apigw, api_id, identityValidationExpression="^Bearer .+$")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    aid = created["id"]
    assert len(aid) == 6 and aid.isalnum() and aid.islower()
    assert created["authorizerResultTtlInSeconds"] == 300
    assert (created["type"], created["authorizerUri"]) == ("TOKEN", URI)
    got = apigw.get_authorizer(restApiId=api_id, authorizerId=aid)
    assert got["identitySource"] == "method.request.header.Auth"
    assert got["identityValidationExpression"] == "^Bearer .+$"
    assert [a["id"] for a in apigw.get_authorizers(restApiId=api_id)["items"]] == [aid]
    updated = apigw.update_authorizer(
        restApiId=api_id,
        authorizerId=aid,
        patchOperations=[
            {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "0"},
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "replace", "path": "/identitySource", "value": "method.request.header.Authorization"},
        ],
    )
    assert (updated["authorizerResultTtlInSeconds"], updated["name"]) == (0, "renamed")
    assert updated["identitySource"] == "method.request.header.Authorization"
    apigw.delete_authorizer(restApiId=api_id, authorizerId=aid)
    with pytest.raises(ClientError) as exc:
        apigw.get_authorizer(restApiId=api_id, authorizerId=aid)
    assert error_of(exc) == ("NotFoundException", "Invalid Authorizer identifier specified", 404)


def test_request_and_cognito_authorizers(apigw, api):
    request = apigw.create_authorizer(
        restApiId=api["id"],
        name="req",
        type="REQUEST",
        authorizerUri=URI,
        identitySource="method.request.header.Auth, method.request.querystring.key, context.requestId",
        authorizerResultTtlInSeconds=60,
    )
    assert request["authorizerResultTtlInSeconds"] == 60
    uncached = apigw.create_authorizer(
        restApiId=api["id"], name="nocache", type="REQUEST", authorizerUri=URI, authorizerResultTtlInSeconds=0
    )
    assert "identitySource" not in uncached
    cognito = apigw.create_authorizer(
        restApiId=api["id"],
        name="pool",
        type="COGNITO_USER_POOLS",
        providerARNs=[POOL],
        identitySource="method.request.header.Authorization",
    )
    assert cognito["providerARNs"] == [POOL] and "authorizerUri" not in cognito
    names = [a["name"] for a in apigw.get_authorizers(restApiId=api["id"])["items"]]
    assert names == ["req", "nocache", "pool"]


def test_jwt_authorizer(apigw, api):
    created = apigw.create_authorizer(
        restApiId=api["id"],
        name="jwt",
        type="JWT",
        jwtConfiguration={
            "issuers": [{"issuer": "https://issuer.example.com", "audiences": ["api"]}],
            "defaultAlgorithms": ["RS256"],
        },
    )
    assert created["jwtConfiguration"]["issuers"][0]["issuer"] == "https://issuer.example.com"
    assert "authorizerResultTtlInSeconds" not in created
    with pytest.raises(ClientError) as exc:
        apigw.create_authorizer(
            restApiId=api["id"],
            name="jwt2",
            type="JWT",
            jwtConfiguration={
                "issuers": [{"issuer": "http://plain", "audiences": ["a"]}],
                "defaultAlgorithms": ["RS256"],
            },
        )
    assert error_of(exc)[1] == "Invalid issuer URL specified: http://plain"


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"authorizerUri": None}, "Authorizer URI is required"),
        ({"authorizerUri": FUNCTION}, f"Invalid Authorizer URI: {FUNCTION}."),
        ({"identitySource": "method.request.querystring.key"}, "Invalid token source expression"),
        ({"identitySource": None}, "Invalid token source expression: null."),
        ({"authorizerResultTtlInSeconds": 3601}, "authorizerResultTtlInSeconds"),
        ({"authorizerResultTtlInSeconds": -1}, "authorizerResultTtlInSeconds"),
        ({"identityValidationExpression": "(unclosed"}, "Invalid identity validation expression"),
        ({"type": "COGNITO_USER_POOLS", "providerARNs": None}, "providerARNs must be specified"),
        ({"type": "COGNITO_USER_POOLS", "providerARNs": ["arn:aws:iam::1:role/x"]}, "Invalid provider ARN"),
        ({"type": "REQUEST", "identitySource": None}, "caching is enabled"),
        ({"type": "REQUEST", "identitySource": "header.Auth"}, "Invalid identity source expression"),
        ({"type": "JWT"}, "is not supported for JWT authorizers"),
    ],
)
def test_validation(apigw, api, overrides, fragment):
    args = {
        "restApiId": api["id"],
        "name": "a",
        "type": "TOKEN",
        "authorizerUri": URI,
        "identitySource": "method.request.header.Auth",
    }
    args.update(overrides)
    with pytest.raises(ClientError) as exc:
        apigw.create_authorizer(**{k: v for k, v in args.items() if v is not None})
    code, message, status = error_of(exc)
    assert (code, status) == ("BadRequestException", 400)
    assert fragment in message
    assert apigw.get_authorizers(restApiId=api["id"])["items"] == []


def test_invalid_type_rejected_by_model(apigw, api):
    with pytest.raises(ClientError) as exc:
        apigw.create_authorizer(restApiId=api["id"], name="x", type="LAMBDA")
    assert "Member must satisfy enum value set: [TOKEN, REQUEST, COGNITO_USER_POOLS, JWT]" in error_of(exc)[1]


def test_update_validates_and_changes_nothing_on_error(apigw, api):
    aid = token_authorizer(apigw, api["id"])["id"]
    for operation in (
        {"op": "replace", "path": "/authorizerUri", "value": "arn:aws:lambda:nowhere"},
        {"op": "replace", "path": "/id", "value": "zzzzzz"},
        {"op": "replace", "path": "/nosuch", "value": "1"},
        {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "soon"},
    ):
        with pytest.raises(ClientError) as exc:
            apigw.update_authorizer(restApiId=api["id"], authorizerId=aid, patchOperations=[operation])
        assert error_of(exc)[0] == "BadRequestException"
    assert apigw.get_authorizer(restApiId=api["id"], authorizerId=aid)["authorizerUri"] == URI


def test_update_type_switches_members(apigw, api):
    aid = token_authorizer(apigw, api["id"])["id"]
    switched = apigw.update_authorizer(
        restApiId=api["id"],
        authorizerId=aid,
        patchOperations=[
            {"op": "replace", "path": "/type", "value": "COGNITO_USER_POOLS"},
            {"op": "add", "path": "/providerARNs", "value": POOL},
        ],
    )
    assert switched["type"] == "COGNITO_USER_POOLS" and switched["providerARNs"] == [POOL]


def test_authorizer_in_use_cannot_be_deleted(apigw, api):
    api_id = api["id"]
    aid = token_authorizer(apigw, api_id)["id"]
    res = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"], pathPart="expenses")
    apigw.put_method(
        restApiId=api_id,
        resourceId=res["id"],
        httpMethod="POST",
        authorizationType="CUSTOM",
        authorizerId=aid,
    )
    with pytest.raises(ClientError) as exc:
        apigw.delete_authorizer(restApiId=api_id, authorizerId=aid)
    assert error_of(exc) == (
        "ConflictException",
        "Cannot delete authorizer, is referenced in method: POST//expenses",
        409,
    )
    apigw.delete_method(restApiId=api_id, resourceId=res["id"], httpMethod="POST")
    apigw.delete_authorizer(restApiId=api_id, authorizerId=aid)


def test_unknown_ids(apigw, api):
    for call in (apigw.get_authorizer, apigw.delete_authorizer):
        with pytest.raises(ClientError) as exc:
            call(restApiId=api["id"], authorizerId="nope12")
        assert error_of(exc)[:2] == ("NotFoundException", "Invalid Authorizer identifier specified")
    with pytest.raises(ClientError) as exc:
        apigw.get_authorizers(restApiId="nosuchapi")
    assert error_of(exc)[0] == "NotFoundException"


def test_cli_create_authorizer(server, api):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": "/dev/null",
    }
    cmd = [sys.executable, "-m", "awscli", "apigateway", "create-authorizer", "--rest-api-id", api["id"]]
    cmd += ["--name", "cli", "--type", "TOKEN", "--authorizer-uri", URI]
    cmd += [
        "--identity-source",
        "method.request.header.Authorization",
        "--authorizer-result-ttl-in-seconds",
        "120",
    ]
    cmd += ["--endpoint-url", server.url, "--region", "us-east-1", "--output", "json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, check=True)
    printed = json.loads(done.stdout)
    assert (printed["name"], printed["type"], printed["authorizerResultTtlInSeconds"]) == (
        "cli",
        "TOKEN",
        120,
    )
