"""Stage operations through boto3 and the AWS CLI against a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from botocore.exceptions import ClientError

DEFAULT_SETTING = {
    "metricsEnabled": False,
    "dataTraceEnabled": False,
    "throttlingBurstLimit": 5000,
    "throttlingRateLimit": 10000.0,
    "cachingEnabled": False,
    "cacheTtlInSeconds": 300,
    "cacheDataEncrypted": False,
    "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def deployed(apigw, api) -> dict[str, Any]:
    """An API with `GET /` and two deployments, no stages: {"id", "d1", "d2"}."""
    root = api["rootResourceId"]
    apigw.put_method(restApiId=api["id"], resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=root, httpMethod="GET", type="MOCK")
    d1 = apigw.create_deployment(restApiId=api["id"])["id"]
    d2 = apigw.create_deployment(restApiId=api["id"])["id"]
    return {"id": api["id"], "d1": d1, "d2": d2}


@pytest.fixture
def stage(apigw, deployed) -> dict[str, Any]:
    apigw.create_stage(restApiId=deployed["id"], stageName="dev", deploymentId=deployed["d1"])
    return deployed


def patch(apigw: Any, api_id: str, *ops: tuple[str, str, str | None]) -> dict[str, Any]:
    operations = [
        {"op": op, "path": path} | ({} if value is None else {"value": value}) for op, path, value in ops
    ]
    return apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=operations)


def test_create_and_get_stage(apigw, deployed):
    created = apigw.create_stage(
        restApiId=deployed["id"],
        stageName="dev",
        deploymentId=deployed["d1"],
        description="Development stage",
        variables={"key": "value"},
        tags={"team": "a"},
        documentationVersion="1.0",
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    got = apigw.get_stage(restApiId=deployed["id"], stageName="dev")
    for out in (created, got):
        assert out["stageName"] == "dev" and out["deploymentId"] == deployed["d1"]
        assert out["description"] == "Development stage"
        assert out["variables"] == {"key": "value"}
        assert out["tags"] == {"team": "a"}
        assert out["documentationVersion"] == "1.0"
        assert out["cacheClusterEnabled"] is False and out["cacheClusterStatus"] == "NOT_AVAILABLE"
        assert out["tracingEnabled"] is False
        assert out["methodSettings"] == {}
        assert out["createdDate"] == out["lastUpdatedDate"]
        assert "canarySettings" not in out and "cacheClusterSize" not in out


def test_create_stage_errors(apigw, stage):
    api_id = stage["id"]
    cases = [
        (
            {"stageName": "dev", "deploymentId": stage["d1"]},
            ("ConflictException", "Stage already exists", 409),
        ),
        (
            {"stageName": "qa", "deploymentId": "zzzzzz"},
            ("NotFoundException", "Invalid Deployment identifier specified", 404),
        ),
        (
            {"stageName": "bad/name", "deploymentId": stage["d1"]},
            ("BadRequestException", "Stage name only allows a-zA-Z0-9_-", 400),
        ),
        (
            {"stageName": "x" * 129, "deploymentId": stage["d1"]},
            ("BadRequestException", "Stage name only allows a-zA-Z0-9_-", 400),
        ),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ClientError) as exc:
            apigw.create_stage(restApiId=api_id, **kwargs)
        assert error_of(exc) == expected
    with pytest.raises(ClientError) as exc:
        apigw.create_stage(restApiId=api_id, stageName="qa", deploymentId=stage["d1"], variables={"v": "a b"})
    assert error_of(exc)[0] == "BadRequestException"
    with pytest.raises(ClientError) as exc:
        apigw.create_stage(restApiId="nosuchapi", stageName="qa", deploymentId=stage["d1"])
    assert error_of(exc) == (
        "NotFoundException",
        "Invalid API identifier specified 123456789012:nosuchapi",
        404,
    )
    assert [s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]] == ["dev"]


def test_create_stage_with_canary(apigw, deployed):
    out = apigw.create_stage(
        restApiId=deployed["id"],
        stageName="prod",
        deploymentId=deployed["d1"],
        canarySettings={"deploymentId": deployed["d2"], "percentTraffic": 25.0},
    )
    assert out["canarySettings"] == {
        "deploymentId": deployed["d2"],
        "percentTraffic": 25.0,
        "useStageCache": False,
    }


def test_get_stages_filters_by_deployment(apigw, stage):
    apigw.create_stage(restApiId=stage["id"], stageName="qa", deploymentId=stage["d2"])
    names = [s["stageName"] for s in apigw.get_stages(restApiId=stage["id"])["item"]]
    assert names == ["dev", "qa"]
    only = apigw.get_stages(restApiId=stage["id"], deploymentId=stage["d2"])["item"]
    assert [s["stageName"] for s in only] == ["qa"]


def test_update_plain_members(apigw, stage):
    out = patch(
        apigw,
        stage["id"],
        ("replace", "/description", "new"),
        ("add", "/variables/url", "pets.example.com"),
        ("replace", "/variables/v", "2"),
        ("replace", "/tracingEnabled", "true"),
        ("replace", "/cacheClusterEnabled", "true"),
        ("replace", "/documentationVersion", "2.0"),
        ("replace", "/accessLogSettings/destinationArn", "arn:aws:logs:us-east-1:123456789012:log-group:g"),
        ("replace", "/accessLogSettings/format", "$context.requestId $context.status"),
    )
    assert out["description"] == "new"
    assert out["variables"] == {"url": "pets.example.com", "v": "2"}
    assert out["tracingEnabled"] is True
    assert (out["cacheClusterEnabled"], out["cacheClusterSize"], out["cacheClusterStatus"]) == (
        True,
        "0.5",
        "AVAILABLE",
    )
    assert out["documentationVersion"] == "2.0"
    assert out["accessLogSettings"] == {
        "destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:g",
        "format": "$context.requestId $context.status",
    }
    assert out["lastUpdatedDate"] >= out["createdDate"]
    out = patch(
        apigw,
        stage["id"],
        ("remove", "/variables/v", None),
        ("replace", "/cacheClusterSize", "6.1"),
        ("remove", "/accessLogSettings", None),
    )
    assert out["variables"] == {"url": "pets.example.com"}
    assert out["cacheClusterSize"] == "6.1"
    assert "accessLogSettings" not in out
    out = patch(apigw, stage["id"], ("replace", "/cacheClusterEnabled", "false"))
    assert out["cacheClusterStatus"] == "NOT_AVAILABLE"
    assert apigw.get_stage(restApiId=stage["id"], stageName="dev")["cacheClusterSize"] == "6.1"


@pytest.mark.parametrize(
    ("ops", "fragment"),
    [
        ([("replace", "/cacheClusterSize", "2")], "Invalid cache cluster size 2"),
        ([("replace", "/variables/v", "not valid")], "Stage variable value 'not valid'"),
        ([("replace", "/accessLogSettings/format", "$context.status")], "must contain $context.requestId"),
        ([("replace", "/tracingEnabled", "maybe")], "Invalid boolean value"),
        ([("replace", "/canarySettings/percentTraffic", "101")], "between 0.0 and 100.0"),
        ([("replace", "/stageName", "x")], "Invalid method setting path: /stageName. Must be one of: ["),
        ([("replace", "/createdDate", "1")], "Invalid method setting path: /createdDate"),
        ([("replace", "/nope", "1")], "Invalid method setting path: /nope"),
        ([("replace", "/*/*/metrics/nope", "true")], "Invalid method setting path: /*/*/metrics/nope"),
        ([("replace", "/*/*/logging/loglevel", "DEBUG")], "Invalid logging level 'DEBUG'"),
        ([("replace", "/*/*/caching/ttlInSeconds", "4000")], "Cache ttl must be between 0 and 3600 seconds"),
        ([("replace", "/accessLogSettings", "{}")], "Invalid method setting path: /accessLogSettings"),
        ([("remove", "/variables/absent", None)], "Cannot remove"),
    ],
)
def test_invalid_updates_change_nothing(apigw, stage, ops, fragment):
    before = apigw.get_stage(restApiId=stage["id"], stageName="dev")
    with pytest.raises(ClientError) as exc:
        patch(apigw, stage["id"], ("replace", "/description", "changed"), *ops)
    code, message, status = error_of(exc)
    assert (code, status) == ("BadRequestException", 400)
    assert fragment in message
    after = apigw.get_stage(restApiId=stage["id"], stageName="dev")
    assert after.get("description") == before.get("description")
    assert after["lastUpdatedDate"] == before["lastUpdatedDate"]


def test_method_settings(apigw, stage):
    out = patch(
        apigw,
        stage["id"],
        ("replace", "/*/*/throttling/rateLimit", "100"),
        ("replace", "/*/*/throttling/burstLimit", "50"),
        ("replace", "/*/*/logging/loglevel", "INFO"),
        ("replace", "/~1pets/GET/caching/enabled", "true"),
        ("replace", "/~1pets~1{id}/DELETE/metrics/enabled", "true"),
    )
    assert out["methodSettings"] == {
        "*/*": {
            **DEFAULT_SETTING,
            "throttlingRateLimit": 100.0,
            "throttlingBurstLimit": 50,
            "loggingLevel": "INFO",
        },
        "~1pets/GET": {**DEFAULT_SETTING, "cachingEnabled": True},
        "~1pets~1{id}/DELETE": {**DEFAULT_SETTING, "metricsEnabled": True},
    }
    out = patch(
        apigw,
        stage["id"],
        ("remove", "/~1pets/GET", None),
        ("replace", "/*/*/caching/unauthorizedCacheControlHeaderStrategy", "FAIL_WITH_403"),
    )
    assert set(out["methodSettings"]) == {"*/*", "~1pets~1{id}/DELETE"}
    assert out["methodSettings"]["*/*"]["unauthorizedCacheControlHeaderStrategy"] == "FAIL_WITH_403"
    with pytest.raises(ClientError) as exc:
        patch(apigw, stage["id"], ("remove", "/~1pets/GET", None))
    assert error_of(exc) == (
        "BadRequestException",
        "Cannot remove method setting ~1pets/GET because there is no method setting for this method",
        400,
    )


def test_rollback_deployment(apigw, stage):
    out = patch(apigw, stage["id"], ("replace", "/deploymentId", stage["d2"]))
    assert out["deploymentId"] == stage["d2"]
    with pytest.raises(ClientError) as exc:
        patch(apigw, stage["id"], ("replace", "/deploymentId", "zzzzzz"))
    assert error_of(exc) == ("NotFoundException", "Invalid Deployment identifier specified", 404)
    assert apigw.get_stage(restApiId=stage["id"], stageName="dev")["deploymentId"] == stage["d2"]


def test_canary_lifecycle_via_update(apigw, stage):
    patch(apigw, stage["id"], ("add", "/variables/sv1", "val1"))
    out = patch(
        apigw,
        stage["id"],
        ("replace", "/canarySettings/percentTraffic", "10.5"),
        ("replace", "/canarySettings/stageVariableOverrides/sv1", "val2"),
    )
    assert out["canarySettings"] == {
        "deploymentId": stage["d1"],
        "percentTraffic": 10.5,
        "useStageCache": False,
        "stageVariableOverrides": {"sv1": "val2"},
    }
    out = patch(apigw, stage["id"], ("replace", "/canarySettings/deploymentId", stage["d2"]))
    assert out["canarySettings"]["deploymentId"] == stage["d2"] and out["deploymentId"] == stage["d1"]
    promote = [
        {"op": "copy", "path": "/deploymentId", "from": "/canarySettings/deploymentId"},
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "0.0"},
        {"op": "copy", "path": "/variables", "from": "/canarySettings/stageVariableOverrides"},
    ]
    out = apigw.update_stage(restApiId=stage["id"], stageName="dev", patchOperations=promote)
    assert out["deploymentId"] == stage["d2"]
    assert out["variables"] == {"sv1": "val2"}
    assert out["canarySettings"]["percentTraffic"] == 0.0
    out = patch(apigw, stage["id"], ("remove", "/canarySettings", None))
    assert "canarySettings" not in out
    with pytest.raises(ClientError) as exc:
        patch(apigw, stage["id"], ("replace", "/canarySettings/deploymentId", "zzzzzz"))
    assert error_of(exc) == ("NotFoundException", "Invalid Deployment identifier specified", 404)


def test_client_certificate(apigw, stage):
    cert = apigw.generate_client_certificate(description="backend")["clientCertificateId"]
    try:
        out = patch(apigw, stage["id"], ("replace", "/clientCertificateId", cert))
        assert out["clientCertificateId"] == cert
        out = patch(apigw, stage["id"], ("remove", "/clientCertificateId", None))
        assert "clientCertificateId" not in out
    finally:
        apigw.delete_client_certificate(clientCertificateId=cert)


def test_unknown_client_certificate(apigw, stage):
    with pytest.raises(ClientError) as exc:
        patch(apigw, stage["id"], ("replace", "/clientCertificateId", "nocert"))
    assert error_of(exc) == ("NotFoundException", "Invalid Client Certificate identifier specified", 404)


def test_delete_and_flush(apigw, stage):
    api_id = stage["id"]
    for flush in (apigw.flush_stage_cache, apigw.flush_stage_authorizers_cache):
        assert flush(restApiId=api_id, stageName="dev")["ResponseMetadata"]["HTTPStatusCode"] == 202
        with pytest.raises(ClientError) as exc:
            flush(restApiId=api_id, stageName="nope")
        assert error_of(exc) == ("NotFoundException", "Invalid Stage identifier specified", 404)
    assert apigw.delete_stage(restApiId=api_id, stageName="dev")["ResponseMetadata"]["HTTPStatusCode"] == 202
    for call in (apigw.get_stage, apigw.delete_stage):
        with pytest.raises(ClientError) as exc:
            call(restApiId=api_id, stageName="dev")
        assert error_of(exc) == ("NotFoundException", "Invalid Stage identifier specified", 404)
    with pytest.raises(ClientError) as exc:
        apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[])
    assert error_of(exc)[0] == "NotFoundException"


def test_stages_go_with_their_api(apigw, stage):
    apigw.delete_rest_api(restApiId=stage["id"])
    with pytest.raises(ClientError) as exc:
        apigw.get_stages(restApiId=stage["id"])
    assert error_of(exc)[0] == "NotFoundException"


def test_cli_update_stage(server, stage):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": "/dev/null",
    }
    cmd = [sys.executable, "-m", "awscli", "apigateway", "update-stage", "--rest-api-id", stage["id"]]
    cmd += ["--stage-name", "dev", "--patch-operations", "op=replace,path=/*/*/logging/dataTrace,value=true"]
    cmd += ["--endpoint-url", server.url, "--region", "us-east-1", "--output", "json"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=True)
    out = json.loads(done.stdout)
    assert out["methodSettings"] == {"*/*": {**DEFAULT_SETTING, "dataTraceEnabled": True}}
    assert out["cacheClusterStatus"] == "NOT_AVAILABLE" and out["stageName"] == "dev"
