"""Helpers for tests that need a deployed stage or check AWS error responses."""

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


def deploy_stage(apigw: Any, api: dict[str, Any], stage: str = "dev") -> str:
    """Put `GET /` with a MOCK integration on `api` (once) and deploy it to `stage`."""
    root = api["rootResourceId"]
    try:
        apigw.get_method(restApiId=api["id"], resourceId=root, httpMethod="GET")
    except ClientError:
        apigw.put_method(restApiId=api["id"], resourceId=root, httpMethod="GET", authorizationType="NONE")
        apigw.put_integration(restApiId=api["id"], resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api["id"], stageName=stage)
    return stage


def aws_cli(server: Any, *args: str) -> Any:
    """Run `aws apigateway ARGS` against the server; the parsed JSON it prints (None if nothing)."""
    env = dict(
        os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_CONFIG_FILE="/dev/null"
    )
    cmd = [sys.executable, "-m", "awscli", "apigateway", *args]
    cmd += ["--endpoint-url", server.url, "--region", "us-east-1", "--output", "json"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None
