"""Gateway responses on deployed REST APIs: AWS's defaults and customised responses, as AWS renders them."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

PET = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
MISSING = "MISSING_AUTHENTICATION_TOKEN"


def call(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request with exactly the given headers; response header names lower-cased."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=30)
    try:
        conn.request(method, parts.path + ("?" + parts.query if parts.query else ""), body, headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def setup_api(apigw: Any, api: dict[str, Any]) -> str:
    """/pets with a validated POST (model Pet) and a GET, both MOCK; deployed to `dev` (color=blue)."""
    api_id = api["id"]
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=json.dumps(PET))
    validator = apigw.create_request_validator(restApiId=api_id, name="body", validateRequestBody=True)["id"]
    pets = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"], pathPart="pets")["id"]
    for verb, extra in (("GET", {}), ("POST", {"requestValidatorId": validator})):
        models = {"requestModels": {"application/json": "Pet"}} if verb == "POST" else {}
        apigw.put_method(
            restApiId=api_id, resourceId=pets, httpMethod=verb, authorizationType="NONE", **extra, **models
        )
        apigw.put_integration(
            restApiId=api_id,
            resourceId=pets,
            httpMethod=verb,
            type="MOCK",
            requestTemplates={"application/json": '{"statusCode": 200}'},
        )
        apigw.put_method_response(restApiId=api_id, resourceId=pets, httpMethod=verb, statusCode="200")
        apigw.put_integration_response(
            restApiId=api_id,
            resourceId=pets,
            httpMethod=verb,
            statusCode="200",
            responseTemplates={"application/json": '{"ok":true}'},
        )
    deploy(apigw, api_id)
    return api_id


def deploy(apigw: Any, api_id: str) -> None:
    apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"color": "blue"})


def test_default_responses_exact_bodies_and_error_types(server: Any, apigw: Any, api: dict[str, Any]) -> None:
    base = f"{server.url}/_aws/execute-api/{setup_api(apigw, api)}/dev"
    status, headers, body = call(base + "/nothing")
    assert (status, body) == (403, b'{"message":"Missing Authentication Token"}')
    assert headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert headers["content-type"] == "application/json"
    status, headers, body = call(base + "/pets", "POST", b'{"age": 3}', {"Content-Type": "application/json"})
    assert (status, body) == (400, b'{"message": "Invalid request body"}')
    assert headers["x-amzn-errortype"] == "BadRequestException"
    status, _, body = call(base + "/pets", "POST", b'{"name": "Rex"}', {"Content-Type": "application/json"})
    assert (status, json.loads(body)) == (200, {"ok": True})


def test_customised_missing_authentication_token(server: Any, apigw: Any, api: dict[str, Any]) -> None:
    api_id = setup_api(apigw, api)
    base = f"{server.url}/_aws/execute-api/{api_id}/dev"
    apigw.put_gateway_response(
        restApiId=api_id,
        responseType=MISSING,
        statusCode="404",
        responseParameters={
            "gatewayresponse.header.x-trace": "method.request.header.x-trace",
            "gatewayresponse.header.x-static": "'static-value'",
            "gatewayresponse.header.x-color": "stageVariables.color",
            "gatewayresponse.header.x-query": "method.request.querystring.q",
            "gatewayresponse.header.x-request": "context.requestId",
        },
        responseTemplates={
            "application/json": '{"error":$context.error.messageString,'
            '"type":"$context.error.responseType","stage":"$context.stage"}'
        },
    )
    assert call(base + "/nothing")[0] == 403  # not deployed yet
    deploy(apigw, api_id)
    status, headers, body = call(base + "/nothing/here?q=1&q=2", headers={"x-trace": "abc-123"})
    assert status == 404
    assert json.loads(body) == {"error": "Missing Authentication Token", "type": MISSING, "stage": "dev"}
    assert headers["x-trace"] == "abc-123"
    assert headers["x-static"] == "static-value"
    assert headers["x-color"] == "blue"
    assert headers["x-query"] == "2"
    assert headers["x-request"] == headers["x-amzn-requestid"]
    assert headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert headers["content-type"] == "application/json"
    status, headers, _ = call(base + "/nothing")  # an absent source sets no header
    assert status == 404
    assert "x-trace" not in headers and "x-query" not in headers
    apigw.delete_gateway_response(restApiId=api_id, responseType=MISSING)
    deploy(apigw, api_id)
    assert call(base + "/nothing")[:3:2] == (403, b'{"message":"Missing Authentication Token"}')


def test_default_4xx_is_inherited_by_types_nobody_customised(
    server: Any, apigw: Any, api: dict[str, Any]
) -> None:
    api_id = setup_api(apigw, api)
    base = f"{server.url}/_aws/execute-api/{api_id}/dev"
    apigw.put_gateway_response(
        restApiId=api_id,
        responseType="DEFAULT_4XX",
        statusCode="418",
        responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
        responseTemplates={
            "application/json": '{"msg":$context.error.messageString,"kind":"$context.error.responseType"}'
        },
    )
    deploy(apigw, api_id)
    status, headers, body = call(base + "/pets", "POST", b"{}", {"Content-Type": "application/json"})
    assert status == 418
    assert json.loads(body) == {"msg": "Invalid request body", "kind": "BAD_REQUEST_BODY"}
    assert headers["access-control-allow-origin"] == "*"
    assert headers["x-amzn-errortype"] == "BadRequestException"
    status, headers, body = call(base + "/nothing")
    assert status == 418
    assert json.loads(body) == {"msg": "Missing Authentication Token", "kind": MISSING}
    assert headers["access-control-allow-origin"] == "*"


def test_template_chosen_by_accept(server: Any, apigw: Any, api: dict[str, Any]) -> None:
    api_id = setup_api(apigw, api)
    base = f"{server.url}/_aws/execute-api/{api_id}/dev"
    apigw.put_gateway_response(
        restApiId=api_id,
        responseType=MISSING,
        responseTemplates={
            "application/xml": "<error><type>$context.error.responseType</type>$context.error.message</error>",
            "application/json": '{"json":$context.error.messageString,"path":"$context.path"}',
        },
    )
    deploy(apigw, api_id)
    status, headers, body = call(base + "/x", headers={"Accept": "application/xml, application/json"})
    assert status == 403
    assert headers["content-type"] == "application/xml"
    assert body == f"<error><type>{MISSING}</type>Missing Authentication Token</error>".encode()
    for accept in (None, "text/html", "*/*"):
        status, headers, body = call(base + "/x", headers={"Accept": accept} if accept else {})
        assert headers["content-type"] == "application/json", accept
        assert json.loads(body) == {"json": "Missing Authentication Token", "path": "/dev/x"}, accept


def test_validation_error_string_in_template(server: Any, apigw: Any, api: dict[str, Any]) -> None:
    api_id = setup_api(apigw, api)
    base = f"{server.url}/_aws/execute-api/{api_id}/dev"
    apigw.put_gateway_response(
        restApiId=api_id,
        responseType="BAD_REQUEST_BODY",
        statusCode="422",
        responseTemplates={"text/plain": "why: $context.error.validationErrorString"},
    )
    deploy(apigw, api_id)
    status, headers, body = call(base + "/pets", "POST", b'{"name": 7}', {"Content-Type": "application/json"})
    assert (status, headers["content-type"]) == (422, "text/plain")
    assert (
        body
        == b'why: [instance type (integer) does not match any allowed primitive type (allowed: ["string"])]'
    )
    assert headers["x-amzn-errortype"] == "BadRequestException"
