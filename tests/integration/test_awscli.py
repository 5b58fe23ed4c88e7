"""The AWS CLI (awscli from PyPI) against a real server, as a new user would drive it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any


def aws(server: Any, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    cmd = [
        sys.executable,
        "-m",
        "awscli",
        *args,
        "--endpoint-url",
        server.url,
        "--region",
        "us-east-1",
        "--output",
        "json",
    ]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def test_cli_create_get_delete_rest_api(server: Any) -> None:
    created = aws(
        server, "apigateway", "create-rest-api", "--name", "cli-api", "--description", "from the cli"
    )
    assert created.returncode == 0, created.stderr
    api = json.loads(created.stdout)
    assert api["name"] == "cli-api" and api["description"] == "from the cli"
    got = aws(server, "apigateway", "get-rest-api", "--rest-api-id", api["id"])
    assert json.loads(got.stdout)["id"] == api["id"]
    listed = aws(server, "apigateway", "get-rest-apis")
    assert api["id"] in [a["id"] for a in json.loads(listed.stdout)["items"]]
    patched = aws(
        server,
        "apigateway",
        "update-rest-api",
        "--rest-api-id",
        api["id"],
        "--patch-operations",
        "op=replace,path=/description,value=changed",
    )
    assert json.loads(patched.stdout)["description"] == "changed"
    assert aws(server, "apigateway", "delete-rest-api", "--rest-api-id", api["id"]).returncode == 0


def test_cli_reports_not_found(server: Any) -> None:
    result = aws(server, "apigateway", "get-rest-api", "--rest-api-id", "doesnotexist")
    assert result.returncode != 0
    assert "NotFoundException" in result.stderr
    assert "Invalid API identifier specified 123456789012:doesnotexist" in result.stderr
