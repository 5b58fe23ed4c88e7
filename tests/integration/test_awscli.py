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


def ok(server: Any, *args: str) -> Any:
    result = aws(server, "apigateway", *args)
    assert result.returncode == 0, f"aws apigateway {' '.join(args)}: {result.stderr}"
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_cli_walkthrough_of_a_new_user(server: Any, tmp_path: Any) -> None:
    """The flow of the AWS CLI tutorials, command by command, across the operation families."""
    api = ok(
        server, "create-rest-api", "--name", "cli-tutorial", "--endpoint-configuration", "types=REGIONAL"
    )
    api_id = api["id"]
    root = ok(server, "get-resources", "--rest-api-id", api_id)["items"][0]["id"]
    pets = ok(server, "create-resource", "--rest-api-id", api_id, "--parent-id", root, "--path-part", "pets")
    rid = pets["id"]
    validator = ok(
        server,
        "create-request-validator",
        "--rest-api-id",
        api_id,
        "--name",
        "params",
        "--validate-request-parameters",
    )
    ok(
        server,
        "put-method",
        "--rest-api-id",
        api_id,
        "--resource-id",
        rid,
        "--http-method",
        "GET",
        "--authorization-type",
        "NONE",
        "--request-validator-id",
        validator["id"],
        "--request-parameters",
        "method.request.querystring.type=false",
    )
    ok(
        server,
        "put-integration",
        "--rest-api-id",
        api_id,
        "--resource-id",
        rid,
        "--http-method",
        "GET",
        "--type",
        "MOCK",
        "--request-templates",
        '{"application/json": "{\\"statusCode\\": 200}"}',
    )
    ok(
        server,
        "put-method-response",
        "--rest-api-id",
        api_id,
        "--resource-id",
        rid,
        "--http-method",
        "GET",
        "--status-code",
        "200",
    )
    ok(
        server,
        "put-integration-response",
        "--rest-api-id",
        api_id,
        "--resource-id",
        rid,
        "--http-method",
        "GET",
        "--status-code",
        "200",
        "--response-templates",
        '{"application/json": "[]"}',
    )
    got = ok(server, "get-integration", "--rest-api-id", api_id, "--resource-id", rid, "--http-method", "GET")
    assert got["type"] == "MOCK" and got["integrationResponses"]["200"]["responseTemplates"] == {
        "application/json": "[]"
    }
    model = ok(
        server,
        "create-model",
        "--rest-api-id",
        api_id,
        "--name",
        "Pet",
        "--content-type",
        "application/json",
        "--schema",
        '{"type": "object", "properties": {"name": {"type": "string"}}}',
    )
    assert model["name"] == "Pet"
    deployment = ok(
        server,
        "create-deployment",
        "--rest-api-id",
        api_id,
        "--stage-name",
        "dev",
        "--variables",
        "color=blue",
    )
    stage = ok(server, "get-stage", "--rest-api-id", api_id, "--stage-name", "dev")
    assert stage["deploymentId"] == deployment["id"] and stage["variables"] == {"color": "blue"}
    stage = ok(
        server,
        "update-stage",
        "--rest-api-id",
        api_id,
        "--stage-name",
        "dev",
        "--patch-operations",
        "op=replace,path=/*/*/throttling/rateLimit,value=50",
    )
    assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 50.0

    key = ok(server, "create-api-key", "--name", "cli-key", "--enabled")
    plan = ok(
        server,
        "create-usage-plan",
        "--name",
        "cli-plan",
        "--throttle",
        "burstLimit=10,rateLimit=5",
        "--quota",
        "limit=1000,period=MONTH",
        "--api-stages",
        f"apiId={api_id},stage=dev",
    )
    ok(
        server,
        "create-usage-plan-key",
        "--usage-plan-id",
        plan["id"],
        "--key-id",
        key["id"],
        "--key-type",
        "API_KEY",
    )
    keys = ok(server, "get-usage-plan-keys", "--usage-plan-id", plan["id"])["items"]
    assert [k["id"] for k in keys] == [key["id"]]
    usage = ok(
        server,
        "get-usage",
        "--usage-plan-id",
        plan["id"],
        "--start-date",
        "2026-11-01",
        "--end-date",
        "2026-11-02",
    )
    assert usage["usagePlanId"] == plan["id"]

    domain = ok(
        server,
        "create-domain-name",
        "--domain-name",
        "cli.example.com",
        "--regional-certificate-arn",
        "arn:aws:acm:us-east-1:123456789012:certificate/x",
        "--endpoint-configuration",
        "types=REGIONAL",
    )
    assert domain["regionalDomainName"].endswith(".amazonaws.com")
    ok(
        server,
        "create-base-path-mapping",
        "--domain-name",
        "cli.example.com",
        "--rest-api-id",
        api_id,
        "--stage",
        "dev",
    )
    assert (
        ok(server, "get-base-path-mappings", "--domain-name", "cli.example.com")["items"][0]["basePath"]
        == "(none)"
    )
    link = ok(
        server,
        "create-vpc-link",
        "--name",
        "cli-link",
        "--target-arns",
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/nlb/abc",
    )
    assert link["status"] == "AVAILABLE"
    cert = ok(server, "generate-client-certificate", "--description", "cli")
    assert cert["pemEncodedCertificate"].startswith("-----BEGIN CERTIFICATE-----")
    part = ok(
        server,
        "create-documentation-part",
        "--rest-api-id",
        api_id,
        "--location",
        "type=API",
        "--properties",
        '{"description": "CLI tutorial API"}',
    )
    assert part["location"]["type"] == "API"

    out = tmp_path / "export.json"
    result = aws(
        server,
        "apigateway",
        "get-export",
        "--rest-api-id",
        api_id,
        "--stage-name",
        "dev",
        "--export-type",
        "oas30",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    exported = json.loads(out.read_text())
    assert "/pets" in exported["paths"]

    for cleanup in (
        ("delete-base-path-mapping", "--domain-name", "cli.example.com", "--base-path", "(none)"),
        ("delete-domain-name", "--domain-name", "cli.example.com"),
        ("delete-usage-plan-key", "--usage-plan-id", plan["id"], "--key-id", key["id"]),
        ("delete-usage-plan", "--usage-plan-id", plan["id"]),
        ("delete-api-key", "--api-key", key["id"]),
        ("delete-vpc-link", "--vpc-link-id", link["id"]),
        ("delete-client-certificate", "--client-certificate-id", cert["clientCertificateId"]),
        ("delete-rest-api", "--rest-api-id", api_id),
    ):
        ok(server, *cleanup)
