"""Request validation on deployed REST APIs: required parameters and draft-04 body models, as AWS does."""

from __future__ import annotations

import contextlib
import http.client
import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

PET = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "Pet",
    "type": "object",
    "required": ["name", "type"],
    "properties": {
        "name": {"type": "string"},
        "type": {"type": "string", "enum": ["dog", "cat", "fish"]},
        "price": {"type": "number", "minimum": 25, "maximum": 500},
        "owner": {"$ref": "OWNER_REF"},
    },
}
OWNER = {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}}
GOOD = {"name": "Marco", "type": "dog", "price": 260, "owner": {"email": "m@example.com"}}
PARAMS = {"method.request.querystring.q": True, "method.request.header.x-token": True}


def call(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request with exactly the given headers (no Content-Type unless given)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=30)
    try:
        conn.request(method, parts.path + ("?" + parts.query if parts.query else ""), body, headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def send(
    base: str, verb: str, path: str, body: Any = GOOD, **headers: str | None
) -> tuple[int, dict[str, str], bytes]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent: dict[str, str | None] = {"Content-Type": "application/json", "x-token": "t0k"}
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    return call(base + path, verb, data, {k: v for k, v in sent.items() if v is not None})


def mock_method(apigw: Any, api_id: str, resource_id: str, verb: str, **method: Any) -> None:
    apigw.put_method(
        restApiId=api_id, resourceId=resource_id, httpMethod=verb, authorizationType="NONE", **method
    )
    apigw.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=verb,
        type="MOCK",
        # MOCK reads statusCode from the integration request: every content type sent needs a template
        requestTemplates={
            ct: '{"statusCode": 200}' for ct in ("application/json", "application/xml", "text/plain")
        },
    )
    apigw.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod=verb, statusCode="200")
    apigw.put_integration_response(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=verb,
        statusCode="200",
        responseTemplates={"application/json": '{"ok":true}'},
    )


@pytest.fixture(scope="module")
def deployed(server: Any, apigw: Any) -> Iterator[dict[str, Any]]:
    api = apigw.create_rest_api(name=f"validation-{uuid.uuid4().hex[:8]}")
    api_id = api["id"]
    apigw.create_model(
        restApiId=api_id, name="Owner", contentType="application/json", schema=json.dumps(OWNER)
    )
    owner_ref = f"https://apigateway.amazonaws.com/restapis/{api_id}/models/Owner"
    schema = json.dumps(PET).replace("OWNER_REF", owner_ref)
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=schema)
    both = apigw.create_request_validator(
        restApiId=api_id, name="all", validateRequestBody=True, validateRequestParameters=True
    )["id"]
    params_only = apigw.create_request_validator(
        restApiId=api_id, name="params", validateRequestParameters=True
    )["id"]
    body_only = apigw.create_request_validator(restApiId=api_id, name="body", validateRequestBody=True)["id"]
    pets = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"], pathPart="pets")["id"]
    pet = apigw.create_resource(restApiId=api_id, parentId=pets, pathPart="{petId}")["id"]
    models = {"application/json": "Pet"}
    mock_method(
        apigw, api_id, pets, "POST", requestValidatorId=both, requestParameters=PARAMS, requestModels=models
    )
    mock_method(
        apigw,
        api_id,
        pets,
        "PUT",
        requestValidatorId=params_only,
        requestParameters=PARAMS,
        requestModels=models,
    )
    mock_method(apigw, api_id, pets, "PATCH", requestValidatorId=body_only, requestModels={"$default": "Pet"})
    mock_method(apigw, api_id, pets, "GET", requestParameters=PARAMS, requestModels=models)  # no validator
    mock_method(
        apigw,
        api_id,
        pet,
        "DELETE",
        requestValidatorId=params_only,
        requestParameters={"method.request.path.petId": True, "method.request.path.other": True},
    )
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    yield {"id": api_id, "base": f"{server.url}/_aws/execute-api/{api_id}/dev"}
    with contextlib.suppress(apigw.exceptions.NotFoundException):
        apigw.delete_rest_api(restApiId=api_id)


def assert_bad_request(result: tuple[int, dict[str, str], bytes], message: str) -> None:
    status, headers, body = result
    assert status == 400
    assert json.loads(body) == {"message": message}
    assert headers["x-amzn-ErrorType"] == "BadRequestException"
    assert headers["Content-Type"] == "application/json"


def test_valid_request_reaches_the_integration(deployed: dict[str, Any]) -> None:
    status, _, body = send(deployed["base"], "POST", "/pets?q=cat")
    assert (status, json.loads(body)) == (200, {"ok": True})


def test_missing_required_parameters(deployed: dict[str, Any]) -> None:
    base = deployed["base"]
    result = send(base, "POST", "/pets", x_token=None)
    assert_bad_request(result, "Missing required request parameters: [q, x-token]")
    assert_bad_request(
        send(base, "POST", "/pets?q=cat", x_token=None), "Missing required request parameters: [x-token]"
    )
    # blank counts as missing, for query strings and headers alike
    assert_bad_request(send(base, "POST", "/pets?q="), "Missing required request parameters: [q]")
    assert_bad_request(
        send(base, "POST", "/pets?q=cat", x_token=""), "Missing required request parameters: [x-token]"
    )


def test_header_names_are_case_insensitive(deployed: dict[str, Any]) -> None:
    status, _, _ = send(deployed["base"], "POST", "/pets?q=cat", x_token=None, **{"X-TOKEN": "t0k"})
    assert status == 200


def test_required_path_parameter_not_in_the_path(deployed: dict[str, Any]) -> None:
    # `other` is declared required but the resource path has no {other}
    assert_bad_request(
        call(deployed["base"] + "/pets/7", "DELETE"), "Missing required request parameters: [other]"
    )


def test_parameters_are_checked_before_the_body(deployed: dict[str, Any]) -> None:
    result = send(deployed["base"], "POST", "/pets", body=b"{not json")
    assert_bad_request(result, "Missing required request parameters: [q]")


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Molly", "type": "bird", "price": 269},  # not in the enum
        {"name": "Molly", "type": "dog", "price": 501},  # above the maximum
        {"type": "dog"},  # missing required property
        {"name": "Molly", "type": "dog", "owner": {}},  # the referenced Owner model
        {"name": "Molly", "type": "dog", "owner": {"email": 7}},
        [GOOD],
        b"{not json",
        b"",  # an empty body is validated as {}
    ],
)
def test_invalid_body(deployed: dict[str, Any], body: Any) -> None:
    assert_bad_request(send(deployed["base"], "POST", "/pets?q=cat", body=body), "Invalid request body")


def test_content_type_without_model_is_not_validated(deployed: dict[str, Any]) -> None:
    base = deployed["base"]
    status, _, _ = send(base, "POST", "/pets?q=cat", body=b"<pet/>", Content_Type="application/xml")
    assert status == 200
    # no Content-Type at all: the application/json model applies
    result = call(base + "/pets?q=cat", "POST", b'{"type":"bird"}', {"x-token": "t"})
    assert_bad_request(result, "Invalid request body")
    status, _, _ = call(base + "/pets?q=cat", "POST", json.dumps(GOOD).encode(), {"x-token": "t"})
    assert status == 200
    # parameters after ';' do not matter
    result = send(
        base, "POST", "/pets?q=cat", body={"type": "x"}, Content_Type="application/json; charset=utf-8"
    )
    assert_bad_request(result, "Invalid request body")


def test_default_model_applies_to_every_content_type(deployed: dict[str, Any]) -> None:
    base = deployed["base"]
    assert_bad_request(
        send(base, "PATCH", "/pets", body=b"hello", Content_Type="text/plain"), "Invalid request body"
    )
    status, _, _ = send(base, "PATCH", "/pets", body=GOOD, Content_Type="text/plain")
    assert status == 200


def test_parameter_only_validator_ignores_the_body(deployed: dict[str, Any]) -> None:
    base = deployed["base"]
    status, _, _ = send(base, "PUT", "/pets?q=cat", body={"type": "bird"})
    assert status == 200
    assert_bad_request(
        send(base, "PUT", "/pets", body={"type": "bird"}), "Missing required request parameters: [q]"
    )


def test_method_without_validator_is_not_validated(deployed: dict[str, Any]) -> None:
    status, _, _ = send(deployed["base"], "GET", "/pets", body=b"{not json", x_token=None)
    assert status == 200


def test_customised_bad_request_body_status(server: Any, apigw: Any, deployed: dict[str, Any]) -> None:
    api_id = deployed["id"]
    apigw.put_gateway_response(restApiId=api_id, responseType="BAD_REQUEST_BODY", statusCode="422")
    apigw.create_deployment(restApiId=api_id, stageName="custom")
    try:
        status, headers, _ = send(
            f"{server.url}/_aws/execute-api/{api_id}/custom", "POST", "/pets?q=c", body={}
        )
        assert status == 422
        assert headers["x-amzn-ErrorType"] == "BadRequestException"
        status, _, _ = send(f"{server.url}/_aws/execute-api/{api_id}/custom", "POST", "/pets", body={})
        assert status == 400  # BAD_REQUEST_PARAMETERS keeps its default
    finally:
        apigw.delete_stage(restApiId=api_id, stageName="custom")
        apigw.delete_gateway_response(restApiId=api_id, responseType="BAD_REQUEST_BODY")


def test_customised_template_shows_the_validation_error(
    server: Any, apigw: Any, deployed: dict[str, Any]
) -> None:
    api_id = deployed["id"]
    apigw.put_gateway_response(
        restApiId=api_id,
        responseType="BAD_REQUEST_BODY",
        responseTemplates={
            "application/json": "$context.error.responseType: $context.error.validationErrorString"
        },
    )
    apigw.create_deployment(restApiId=api_id, stageName="tmpl")
    try:
        body = {"name": "Molly", "type": "bird", "price": 501}
        status, _, raw = send(f"{server.url}/_aws/execute-api/{api_id}/tmpl", "POST", "/pets?q=c", body=body)
        assert status == 400
        assert raw.decode() == (
            'BAD_REQUEST_BODY: [instance value ("bird") not found in enum (possible values: ["dog","cat","fish"]), '
            "numeric instance is greater than the required maximum (maximum: 500, found: 501)]"
        )
    finally:
        apigw.delete_stage(restApiId=api_id, stageName="tmpl")
        apigw.delete_gateway_response(restApiId=api_id, responseType="BAD_REQUEST_BODY")
