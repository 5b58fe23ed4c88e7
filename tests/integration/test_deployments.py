"""Deployment operations through boto3 and the AWS CLI against a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from botocore.exceptions import ClientError


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def add_method(apigw: Any, api_id: str, resource_id: str, verb: str = "GET", **kw: Any) -> None:
    apigw.put_method(
        restApiId=api_id, resourceId=resource_id, httpMethod=verb, authorizationType="NONE", **kw
    )
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=verb, type="MOCK")


@pytest.fixture
def ready(apigw, api):
    """An API with `GET /` integrated, ready to deploy."""
    add_method(apigw, api["id"], api["rootResourceId"])
    return api


def test_api_without_methods_cannot_be_deployed(apigw, api):
    with pytest.raises(ClientError) as exc:
        apigw.create_deployment(restApiId=api["id"], stageName="dev")
    assert error_of(exc) == ("BadRequestException", "The REST API doesn't contain any methods", 400)
    assert apigw.get_deployments(restApiId=api["id"])["items"] == []
    assert apigw.get_stages(restApiId=api["id"])["item"] == []


def test_method_without_integration_cannot_be_deployed(apigw, api):
    apigw.put_method(
        restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET", authorizationType="NONE"
    )
    with pytest.raises(ClientError) as exc:
        apigw.create_deployment(restApiId=api["id"], stageName="dev")
    assert error_of(exc) == ("BadRequestException", "No integration defined for method", 400)
    assert apigw.get_deployments(restApiId=api["id"])["items"] == []


def test_deploy_to_new_stage(apigw, ready):
    api_id = ready["id"]
    dep = apigw.create_deployment(
        restApiId=api_id,
        stageName="dev",
        stageDescription="Development stage",
        description="first",
        variables={"backend": "pets.example.com", "v": "1"},
        tracingEnabled=True,
        cacheClusterEnabled=True,
        cacheClusterSize="1.6",
    )
    assert dep["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(dep["id"]) == 6 and dep["id"].isalnum() and dep["description"] == "first"
    assert "apiSummary" not in dep
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["deploymentId"] == dep["id"]
    assert stage["description"] == "Development stage"
    assert stage["variables"] == {"backend": "pets.example.com", "v": "1"}
    assert stage["tracingEnabled"] is True
    assert (stage["cacheClusterEnabled"], stage["cacheClusterSize"], stage["cacheClusterStatus"]) == (
        True,
        "1.6",
        "AVAILABLE",
    )
    got = apigw.get_deployment(restApiId=api_id, deploymentId=dep["id"])
    assert got["id"] == dep["id"] and got["createdDate"] == dep["createdDate"]


def test_redeploy_moves_existing_stage(apigw, ready):
    api_id = ready["id"]
    first = apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"a": "1", "b": "2"})
    second = apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"b": "3"})
    assert first["id"] != second["id"]
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["deploymentId"] == second["id"]
    assert stage["variables"] == {"a": "1", "b": "3"}
    assert [d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]] == [first["id"], second["id"]]
    assert len(apigw.get_stages(restApiId=api_id)["item"]) == 1


def test_deployment_without_stage(apigw, ready):
    dep = apigw.create_deployment(restApiId=ready["id"])
    assert apigw.get_stages(restApiId=ready["id"])["item"] == []
    assert apigw.get_deployment(restApiId=ready["id"], deploymentId=dep["id"])["id"] == dep["id"]


def test_snapshot_is_immutable_and_summarised(apigw, ready):
    api_id = ready["id"]
    first = apigw.create_deployment(restApiId=api_id, stageName="dev")
    pets = apigw.create_resource(restApiId=api_id, parentId=ready["rootResourceId"], pathPart="pets")
    add_method(apigw, api_id, pets["id"], "POST", apiKeyRequired=True)
    second = apigw.create_deployment(restApiId=api_id)
    old = apigw.get_deployment(restApiId=api_id, deploymentId=first["id"], embed=["apisummary"])
    assert old["apiSummary"] == {"/": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}}}
    new = apigw.get_deployment(restApiId=api_id, deploymentId=second["id"], embed=["apisummary"])
    assert new["apiSummary"] == {
        "/": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}},
        "/pets": {"POST": {"authorizationType": "NONE", "apiKeyRequired": True}},
    }
    assert "apiSummary" not in apigw.get_deployment(restApiId=api_id, deploymentId=second["id"])


def test_update_deployment_description(apigw, ready):
    dep = apigw.create_deployment(restApiId=ready["id"], description="old")
    out = apigw.update_deployment(
        restApiId=ready["id"],
        deploymentId=dep["id"],
        patchOperations=[{"op": "replace", "path": "/description", "value": "new"}],
    )
    assert out["description"] == "new" and out["id"] == dep["id"]
    assert apigw.get_deployment(restApiId=ready["id"], deploymentId=dep["id"])["description"] == "new"
    for path in ("/id", "/createdDate", "/apiSummary", "/nope"):
        with pytest.raises(ClientError) as exc:
            apigw.update_deployment(
                restApiId=ready["id"],
                deploymentId=dep["id"],
                patchOperations=[{"op": "replace", "path": path, "value": "x"}],
            )
        assert error_of(exc) == (
            "BadRequestException",
            f"Invalid patch path '{path}' specified for op 'replace'",
            400,
        )


def test_delete_deployment(apigw, ready):
    api_id = ready["id"]
    dep = apigw.create_deployment(restApiId=api_id, stageName="dev")
    with pytest.raises(ClientError) as exc:
        apigw.delete_deployment(restApiId=api_id, deploymentId=dep["id"])
    assert error_of(exc) == (
        "BadRequestException",
        "Active stages pointing to this deployment must be moved or deleted",
        400,
    )
    assert len(apigw.get_deployments(restApiId=api_id)["items"]) == 1
    apigw.delete_stage(restApiId=api_id, stageName="dev")
    deleted = apigw.delete_deployment(restApiId=api_id, deploymentId=dep["id"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as exc:
        apigw.get_deployment(restApiId=api_id, deploymentId=dep["id"])
    assert error_of(exc) == ("NotFoundException", "Invalid Deployment identifier specified", 404)


def test_canary_deployment(apigw, ready):
    api_id = ready["id"]
    base = apigw.create_deployment(
        restApiId=api_id, stageName="prod", variables={"sv0": "val0", "sv1": "val1"}
    )
    canary = apigw.create_deployment(
        restApiId=api_id,
        stageName="prod",
        canarySettings={
            "percentTraffic": 10.5,
            "stageVariableOverrides": {"sv1": "val2"},
            "useStageCache": False,
        },
    )
    stage = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert stage["deploymentId"] == base["id"]
    assert stage["variables"] == {"sv0": "val0", "sv1": "val1"}
    assert stage["canarySettings"] == {
        "deploymentId": canary["id"],
        "percentTraffic": 10.5,
        "stageVariableOverrides": {"sv1": "val2"},
        "useStageCache": False,
    }
    with pytest.raises(ClientError) as exc:
        apigw.delete_deployment(restApiId=api_id, deploymentId=canary["id"])
    assert error_of(exc)[0] == "BadRequestException"


def test_canary_needs_existing_stage(apigw, ready):
    with pytest.raises(ClientError) as exc:
        apigw.create_deployment(
            restApiId=ready["id"], stageName="nope", canarySettings={"percentTraffic": 5.0}
        )
    assert error_of(exc) == ("NotFoundException", "Invalid Stage identifier specified", 404)
    assert apigw.get_deployments(restApiId=ready["id"])["items"] == []


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"stageName": "bad name!"}, "Stage name only allows a-zA-Z0-9_-"),
        ({"stageName": "dev", "variables": {"bad-name": "x"}}, "Stage variable name 'bad-name' is invalid"),
        ({"stageName": "dev", "variables": {"ok": "white space"}}, "Stage variable value 'white space'"),
        ({"stageName": "dev", "cacheClusterSize": "2"}, "Member must satisfy enum value set"),
        ({"canarySettings": {"percentTraffic": 5.0}}, "A stage name is required"),
    ],
)
def test_invalid_create_deployment(apigw, ready, kwargs, fragment):
    with pytest.raises(ClientError) as exc:
        apigw.create_deployment(restApiId=ready["id"], **kwargs)
    code, message, status = error_of(exc)
    assert (code, status) == ("BadRequestException", 400)
    assert fragment in message
    assert apigw.get_deployments(restApiId=ready["id"])["items"] == []


def test_canary_percent_out_of_range(apigw, ready):
    apigw.create_deployment(restApiId=ready["id"], stageName="prod")
    with pytest.raises(ClientError) as exc:
        apigw.create_deployment(
            restApiId=ready["id"], stageName="prod", canarySettings={"percentTraffic": 150.0}
        )
    assert error_of(exc) == (
        "BadRequestException",
        "Canary traffic percentage must be between 0.0 and 100.0",
        400,
    )
    assert len(apigw.get_deployments(restApiId=ready["id"])["items"]) == 1


def test_unknown_api_and_deployment(apigw, ready):
    with pytest.raises(ClientError) as exc:
        apigw.create_deployment(restApiId="nosuchapi", stageName="dev")
    assert error_of(exc) == (
        "NotFoundException",
        "Invalid API identifier specified 123456789012:nosuchapi",
        404,
    )
    for call in (apigw.get_deployment, apigw.delete_deployment):
        with pytest.raises(ClientError) as exc:
            call(restApiId=ready["id"], deploymentId="zzzzzz")
        assert error_of(exc) == ("NotFoundException", "Invalid Deployment identifier specified", 404)


def test_get_deployments_pages(apigw, ready):
    made = [apigw.create_deployment(restApiId=ready["id"])["id"] for _ in range(3)]
    page = apigw.get_deployments(restApiId=ready["id"], limit=2)
    assert [d["id"] for d in page["items"]] == made[:2]
    rest = apigw.get_deployments(restApiId=ready["id"], limit=2, position=page["position"])
    assert [d["id"] for d in rest["items"]] == made[2:] and "position" not in rest


def test_cli_create_deployment(server, apigw, ready):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": "/dev/null",
    }
    common = ["--endpoint-url", server.url, "--region", "us-east-1", "--output", "json"]
    cli = [sys.executable, "-m", "awscli", "apigateway"]
    args = ["create-deployment", "--rest-api-id", ready["id"], "--stage-name", "dev"]
    args += ["--description", "First deployment", "--variables", "key=value,otherKey=otherValue"]
    done = subprocess.run(
        [*cli, *args, *common], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    dep = json.loads(done.stdout)
    assert dep["description"] == "First deployment" and set(dep) == {"id", "description", "createdDate"}
    done = subprocess.run(
        [*cli, "get-stage", "--rest-api-id", ready["id"], "--stage-name", "dev", *common],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    stage = json.loads(done.stdout)
    assert stage["deploymentId"] == dep["id"]
    assert stage["variables"] == {"key": "value", "otherKey": "otherValue"}
