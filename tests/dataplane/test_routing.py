"""Deployed REST APIs answer on every invoke URL form; routing and snapshot swaps as AWS does."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest


def call(
    url: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, dict(err.headers), err.read()


def mock_method(apigw: Any, api_id: str, resource_id: str, verb: str, body: str, status: str = "200") -> None:
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=verb, authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=verb,
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": ' + status + "}"},
    )
    apigw.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod=verb, statusCode=status)
    apigw.put_integration_response(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=verb,
        statusCode=status,
        responseTemplates={"application/json": body},
    )


@pytest.fixture
def deployed(apigw: Any, api: dict[str, Any]) -> dict[str, Any]:
    api_id, root = api["id"], api["rootResourceId"]
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    pet = apigw.create_resource(restApiId=api_id, parentId=pets, pathPart="{petId}")["id"]
    mock_method(apigw, api_id, root, "GET", '{"where":"root"}')
    mock_method(apigw, api_id, pets, "GET", '{"where":"pets"}')
    mock_method(apigw, api_id, pet, "ANY", '{"where":"pet"}')
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    return {"id": api_id, "pets": pets, "pet": pet, "root": root}


def test_every_invoke_url_form(server: Any, deployed: dict[str, Any]) -> None:
    api_id, port = deployed["id"], server.port
    urls = [
        f"http://127.0.0.1:{port}/_aws/execute-api/{api_id}/dev/pets",
        f"http://127.0.0.1:{port}/restapis/{api_id}/dev/_user_request_/pets",
    ]
    for url in urls:
        status, headers, body = call(url)
        assert (status, json.loads(body)) == (200, {"where": "pets"}), url
        assert headers["x-amzn-RequestId"]
        assert headers["x-amz-apigw-id"]
    status, _, body = call(
        f"http://127.0.0.1:{port}/dev/pets", headers={"Host": f"{api_id}.execute-api.localhost"}
    )
    assert (status, json.loads(body)) == (200, {"where": "pets"})


def test_root_param_and_any(server: Any, deployed: dict[str, Any]) -> None:
    base = f"{server.url}/_aws/execute-api/{deployed['id']}/dev"
    assert json.loads(call(base + "/")[2]) == {"where": "root"}
    assert json.loads(call(base + "/pets/7", "DELETE")[2]) == {"where": "pet"}


def test_missing_route_or_method(server: Any, deployed: dict[str, Any]) -> None:
    base = f"{server.url}/_aws/execute-api/{deployed['id']}/dev"
    for url, verb in ((base + "/nothing", "GET"), (base + "/pets", "POST")):
        status, headers, body = call(url, verb)
        assert status == 403
        assert body == b'{"message":"Missing Authentication Token"}'
        assert headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_unknown_stage_is_forbidden(server: Any, deployed: dict[str, Any]) -> None:
    status, _, body = call(f"{server.url}/_aws/execute-api/{deployed['id']}/nostage/pets")
    assert (status, body) == (403, b'{"message":"Forbidden"}')


def test_new_deployment_and_rollback_apply_without_restart(
    server: Any, apigw: Any, deployed: dict[str, Any]
) -> None:
    api_id = deployed["id"]
    url = f"{server.url}/_aws/execute-api/{api_id}/dev/pets"
    first = apigw.get_stage(restApiId=api_id, stageName="dev")["deploymentId"]
    apigw.update_integration_response(
        restApiId=api_id,
        resourceId=deployed["pets"],
        httpMethod="GET",
        statusCode="200",
        patchOperations=[
            {"op": "replace", "path": "/responseTemplates/application~1json", "value": '{"v":2}'}
        ],
    )
    assert json.loads(call(url)[2]) == {"where": "pets"}  # not deployed yet
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    assert json.loads(call(url)[2]) == {"v": 2}
    apigw.update_stage(
        restApiId=api_id,
        stageName="dev",
        patchOperations=[{"op": "replace", "path": "/deploymentId", "value": first}],
    )
    assert json.loads(call(url)[2]) == {"where": "pets"}
