"""GetAccount / UpdateAccount through boto3 and the AWS CLI against a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


ROLE = "arn:aws:iam::123456789012:role/APIGatewayToCloudWatchLogs"


def test_defaults(server):
    account = server.client("apigateway", "ap-south-1").get_account()
    assert account["throttleSettings"] == {"burstLimit": 5000, "rateLimit": 10000.0}
    assert account["features"] == ["UsagePlans"]
    assert account["apiKeyVersion"] == "4"
    assert "cloudwatchRoleArn" not in account


def test_set_and_remove_cloudwatch_role(server):
    client = server.client("apigateway", "eu-central-1")
    updated = client.update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": ROLE}]
    )
    assert updated["cloudwatchRoleArn"] == ROLE
    assert updated["throttleSettings"]["burstLimit"] == 5000
    assert client.get_account()["cloudwatchRoleArn"] == ROLE
    assert "cloudwatchRoleArn" not in server.client("apigateway", "ap-south-1").get_account()
    removed = client.update_account(patchOperations=[{"op": "remove", "path": "/cloudwatchRoleArn"}])
    assert "cloudwatchRoleArn" not in removed


@pytest.mark.parametrize("value", ["", "not-an-arn", "arn:aws:iam::123:role/x", "arn:aws:s3:::bucket"])
def test_malformed_role_rejected(server, value):
    client = server.client("apigateway", "eu-west-3")
    with pytest.raises(ClientError) as exc:
        client.update_account(
            patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": value}]
        )
    assert error_of(exc) == ("BadRequestException", "The role ARN is not well formed", 400)
    assert "cloudwatchRoleArn" not in client.get_account()


def test_features_and_throttle(server):
    client = server.client("apigateway", "ca-central-1")
    out = client.update_account(
        patchOperations=[{"op": "remove", "path": "/features", "value": "UsagePlans"}]
    )
    assert out["features"] == []
    out = client.update_account(
        patchOperations=[
            {"op": "add", "path": "/features", "value": "UsagePlans"},
            {"op": "replace", "path": "/throttleSettings/burstLimit", "value": "20"},
            {"op": "replace", "path": "/throttleSettings/rateLimit", "value": "7.5"},
        ]
    )
    assert out["features"] == ["UsagePlans"]
    assert out["throttleSettings"] == {"burstLimit": 20, "rateLimit": 7.5}
    with pytest.raises(ClientError) as exc:
        client.update_account(patchOperations=[{"op": "add", "path": "/features", "value": "Nope"}])
    assert error_of(exc) == (
        "BadRequestException",
        "Invalid feature 'Nope'. Must be one of: [UsagePlans]",
        400,
    )


@pytest.mark.parametrize(
    ("op", "path"),
    [
        ("replace", "/apiKeyVersion"),
        ("replace", "/features"),
        ("add", "/throttleSettings/burstLimit"),
        ("replace", "/x"),
    ],
)
def test_bad_paths(server, op, path):
    client = server.client("apigateway", "sa-east-1")
    with pytest.raises(ClientError) as exc:
        client.update_account(patchOperations=[{"op": op, "path": path, "value": "1"}])
    code, message, status = error_of(exc)
    assert (code, status) == ("BadRequestException", 400)
    assert message == f"Invalid patch path '{path}' specified for op '{op}'"
    assert client.get_account()["apiKeyVersion"] == "4"


def test_cli_update_account(server):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": "/dev/null",
    }
    cmd = [sys.executable, "-m", "awscli", "apigateway", "update-account", "--patch-operations"]
    cmd += [f"op=replace,path=/cloudwatchRoleArn,value={ROLE}"]
    cmd += ["--endpoint-url", server.url, "--region", "us-west-1", "--output", "json"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=True)
    out = json.loads(done.stdout)
    assert out["cloudwatchRoleArn"] == ROLE
    assert out["throttleSettings"] == {"burstLimit": 5000, "rateLimit": 10000.0}
