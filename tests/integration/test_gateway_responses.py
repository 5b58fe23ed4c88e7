"""GatewayResponse operations through boto3 against a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

from portico.model.gateway_responses import DEFAULT_TEMPLATES, TYPES

MESSAGE_TEMPLATE = {"application/json": '{"message":$context.error.messageString}'}


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def test_defaults_of_every_type(apigw, api):
    items = apigw.get_gateway_responses(restApiId=api["id"])["items"]
    by_type = {i["responseType"]: i for i in items}
    assert len(items) == 21 and set(by_type) == set(TYPES)
    assert all(i["defaultResponse"] is True and i["responseTemplates"] == MESSAGE_TEMPLATE for i in items)
    assert by_type["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "403"
    assert by_type["INTEGRATION_TIMEOUT"]["statusCode"] == "504"
    assert by_type["QUOTA_EXCEEDED"]["statusCode"] == "429"
    assert by_type["UNAUTHORIZED"]["statusCode"] == "401"
    assert "statusCode" not in by_type["DEFAULT_4XX"] and "statusCode" not in by_type["DEFAULT_5XX"]
    one = apigw.get_gateway_response(restApiId=api["id"], responseType="THROTTLED")
    assert (one["statusCode"], one["defaultResponse"], one["responseParameters"]) == ("429", True, {})
    assert dict(DEFAULT_TEMPLATES) == MESSAGE_TEMPLATE


def test_put_get_delete(apigw, api):
    api_id = api["id"]
    put = apigw.put_gateway_response(
        restApiId=api_id,
        responseType="MISSING_AUTHENTICATION_TOKEN",
        statusCode="404",
        responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
        responseTemplates={"application/json": '{"error":"not here"}'},
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (put["statusCode"], put["defaultResponse"]) == ("404", False)
    got = apigw.get_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert got["responseParameters"] == {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}
    assert got["responseTemplates"] == {"application/json": '{"error":"not here"}'}
    listed = {i["responseType"]: i for i in apigw.get_gateway_responses(restApiId=api_id)["items"]}
    assert listed["MISSING_AUTHENTICATION_TOKEN"]["defaultResponse"] is False
    assert listed["THROTTLED"]["defaultResponse"] is True
    apigw.delete_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    reset = apigw.get_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert (reset["statusCode"], reset["defaultResponse"], reset["responseTemplates"]) == (
        "403",
        True,
        MESSAGE_TEMPLATE,
    )
    with pytest.raises(ClientError) as exc:
        apigw.delete_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert error_of(exc) == ("NotFoundException", "Gateway response type not defined on api", 404)


def test_put_defaults_and_fallback_types(apigw, api):
    plain = apigw.put_gateway_response(restApiId=api["id"], responseType="ACCESS_DENIED")
    assert (plain["statusCode"], plain["responseParameters"], plain["responseTemplates"]) == ("403", {}, {})
    fallback = apigw.put_gateway_response(
        restApiId=api["id"],
        responseType="DEFAULT_4XX",
        responseParameters={"gatewayresponse.header.x-from": "method.request.header.x-req"},
    )
    assert "statusCode" not in fallback and fallback["defaultResponse"] is False


def test_update_customises_a_default(apigw, api):
    api_id = api["id"]
    updated = apigw.update_gateway_response(
        restApiId=api_id,
        responseType="UNAUTHORIZED",
        patchOperations=[
            {"op": "replace", "path": "/statusCode", "value": "403"},
            {"op": "add", "path": "/responseParameters/gatewayresponse.header.x-why", "value": "'nope'"},
            {"op": "replace", "path": "/responseTemplates/application~1json", "value": '{"m":"x"}'},
            {"op": "add", "path": "/responseTemplates/text~1plain", "value": "no"},
        ],
    )
    assert (updated["statusCode"], updated["defaultResponse"]) == ("403", False)
    assert updated["responseParameters"] == {"gatewayresponse.header.x-why": "'nope'"}
    assert updated["responseTemplates"] == {"application/json": '{"m":"x"}', "text/plain": "no"}
    removed = apigw.update_gateway_response(
        restApiId=api_id,
        responseType="UNAUTHORIZED",
        patchOperations=[{"op": "remove", "path": "/responseTemplates/text~1plain"}],
    )
    assert removed["responseTemplates"] == {"application/json": '{"m":"x"}'}


@pytest.mark.parametrize(
    ("operation", "code", "message"),
    [
        (
            {"op": "add", "path": "/statusCode", "value": "400"},
            "BadRequestException",
            "Invalid patch path /statusCode",
        ),
        (
            {"op": "replace", "path": "/nosuch", "value": "x"},
            "BadRequestException",
            "Invalid patch path /nosuch",
        ),
        (
            {"op": "replace", "path": "/responseParameters/gatewayresponse.header.absent", "value": "'x'"},
            "NotFoundException",
            "Invalid parameter name specified",
        ),
        (
            {"op": "add", "path": "/responseParameters/gatewayresponse.header.x"},
            "BadRequestException",
            "Invalid null or empty value in responseParameters",
        ),
    ],
)
def test_update_errors(apigw, api, operation, code, message):
    with pytest.raises(ClientError) as exc:
        apigw.update_gateway_response(
            restApiId=api["id"], responseType="THROTTLED", patchOperations=[operation]
        )
    assert error_of(exc)[:2] == (code, message)
    assert (
        apigw.get_gateway_response(restApiId=api["id"], responseType="THROTTLED")["defaultResponse"] is True
    )


def test_invalid_values(apigw, api):
    with pytest.raises(ClientError) as exc:
        apigw.put_gateway_response(restApiId=api["id"], responseType="THROTTLED", statusCode="99")
    assert error_of(exc)[0] == "BadRequestException"
    with pytest.raises(ClientError) as exc:
        apigw.put_gateway_response(
            restApiId=api["id"],
            responseType="THROTTLED",
            responseParameters={"method.response.header.x": "'y'"},
        )
    assert error_of(exc)[1].startswith("Invalid mapping expression specified: Validation Result")
    with pytest.raises(ClientError) as exc:
        apigw.put_gateway_response(
            restApiId=api["id"],
            responseType="THROTTLED",
            responseParameters={"gatewayresponse.header.x": "bogus"},
        )
    assert "bogus" in error_of(exc)[1]


def test_unknown_type_and_api(apigw, api):
    with pytest.raises(ClientError) as exc:
        apigw.get_gateway_response(restApiId=api["id"], responseType="NOT_A_TYPE")
    code, message, status = error_of(exc)
    assert (code, status) == ("BadRequestException", 400)
    assert "Member must satisfy enum value set" in message and "WAF_FILTERED" in message
    with pytest.raises(ClientError) as exc:
        apigw.get_gateway_responses(restApiId="nosuchapi")
    assert error_of(exc)[:2] == (
        "NotFoundException",
        "Invalid API identifier specified 123456789012:nosuchapi",
    )


def test_cli_put_gateway_response(server, api):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": "/dev/null",
    }
    cmd = [sys.executable, "-m", "awscli", "apigateway", "put-gateway-response", "--rest-api-id", api["id"]]
    cmd += ["--response-type", "DEFAULT_5XX", "--status-code", "503"]
    cmd += ["--endpoint-url", server.url, "--region", "us-east-1", "--output", "json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, check=True)
    printed = json.loads(done.stdout)
    assert (printed["responseType"], printed["statusCode"], printed["defaultResponse"]) == (
        "DEFAULT_5XX",
        "503",
        False,
    )
