"""Canary releases: percentTraffic split, promotion; disableExecuteApiEndpoint."""

from __future__ import annotations

import json
from typing import Any

from tests.dataplane.test_routing import call, mock_method


def _set_body(apigw: Any, api_id: str, resource_id: str, body: str) -> None:
    apigw.update_integration_response(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        statusCode="200",
        patchOperations=[{"op": "replace", "path": "/responseTemplates/application~1json", "value": body}],
    )


def test_canary_split_and_promotion(server: Any, apigw: Any, api: dict[str, Any]) -> None:
    api_id, root = api["id"], api["rootResourceId"]
    mock_method(apigw, api_id, root, "GET", '{"v":"stable"}')
    stable = apigw.create_deployment(restApiId=api_id, stageName="prod")["id"]
    _set_body(apigw, api_id, root, '{"v":"canary"}')
    canary = apigw.create_deployment(
        restApiId=api_id, stageName="prod", canarySettings={"percentTraffic": 100.0}
    )["id"]
    stage = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert stage["deploymentId"] == stable and stage["canarySettings"]["deploymentId"] == canary
    url = f"{server.url}/_aws/execute-api/{api_id}/prod/"
    assert {json.loads(call(url)[2])["v"] for _ in range(5)} == {"canary"}

    apigw.update_stage(
        restApiId=api_id,
        stageName="prod",
        patchOperations=[{"op": "replace", "path": "/canarySettings/percentTraffic", "value": "0"}],
    )
    assert {json.loads(call(url)[2])["v"] for _ in range(5)} == {"stable"}

    apigw.update_stage(
        restApiId=api_id,
        stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/deploymentId", "value": canary},
            {"op": "remove", "path": "/canarySettings"},
        ],
    )
    assert json.loads(call(url)[2])["v"] == "canary"


def test_split_is_roughly_the_configured_percentage(server: Any, apigw: Any, api: dict[str, Any]) -> None:
    api_id, root = api["id"], api["rootResourceId"]
    mock_method(apigw, api_id, root, "GET", '{"v":"stable"}')
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    _set_body(apigw, api_id, root, '{"v":"canary"}')
    apigw.create_deployment(restApiId=api_id, stageName="prod", canarySettings={"percentTraffic": 50.0})
    url = f"{server.url}/_aws/execute-api/{api_id}/prod/"
    seen = [json.loads(call(url)[2])["v"] for _ in range(200)]
    # 200 fair coin flips land between 50 and 150 canaries with overwhelming probability (> 1 - 1e-12)
    assert 50 < seen.count("canary") < 150


def test_disable_execute_api_endpoint(server: Any, apigw: Any, api: dict[str, Any]) -> None:
    api_id, root = api["id"], api["rootResourceId"]
    mock_method(apigw, api_id, root, "GET", "{}")
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    url = f"{server.url}/_aws/execute-api/{api_id}/dev/"
    assert call(url)[0] == 200
    apigw.update_rest_api(
        restApiId=api_id,
        patchOperations=[{"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "true"}],
    )
    assert call(url)[0] == 200  # takes effect with the next deployment, as in AWS
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    status, _, body = call(url)
    assert (status, body) == (403, b'{"message":"Forbidden"}')


def test_canary_variables_and_context_flag(server: Any, apigw: Any, api: dict[str, Any]) -> None:
    api_id, root = api["id"], api["rootResourceId"]
    mock_method(
        apigw, api_id, root, "GET", '{"color":"$stageVariables.color","canary":$context.isCanaryRequest}'
    )
    apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"color": "blue"})
    url = f"{server.url}/_aws/execute-api/{api_id}/prod/"
    assert json.loads(call(url)[2]) == {"color": "blue", "canary": False}
    apigw.create_deployment(
        restApiId=api_id,
        stageName="prod",
        canarySettings={"percentTraffic": 100.0, "stageVariableOverrides": {"color": "green"}},
    )
    assert json.loads(call(url)[2]) == {"color": "green", "canary": True}
