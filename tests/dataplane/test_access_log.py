"""Stage access logs: accessLogSettings.format rendered per request, to a file per log group."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunningServer, start_server
from tests.dataplane.test_routing import call, mock_method


@pytest.fixture
def logging_server(tmp_path: Path) -> Any:
    srv: RunningServer = start_server(tmp_path / "data", access_log_dir=tmp_path / "logs")
    yield srv, tmp_path / "logs"
    srv.stop()


def test_json_access_log_and_trace_header(logging_server: Any) -> None:
    srv, logs = logging_server
    apigw = srv.client()
    api = apigw.create_rest_api(name="logged")
    api_id, root = api["id"], api["rootResourceId"]
    mock_method(apigw, api_id, root, "GET", '{"ok":true}')
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    fmt = '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","len":"$context.responseLength"}'
    apigw.update_stage(
        restApiId=api_id,
        stageName="dev",
        patchOperations=[
            {
                "op": "replace",
                "path": "/accessLogSettings/destinationArn",
                "value": "arn:aws:logs:us-east-1:123456789012:log-group:pets-access",
            },
            {"op": "replace", "path": "/accessLogSettings/format", "value": fmt},
        ],
    )
    status, headers, body = call(
        f"{srv.url}/_aws/execute-api/{api_id}/dev/",
        headers={"X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793"},
    )
    assert status == 200
    assert headers["X-Amzn-Trace-Id"] == "Root=1-5759e988-bd862e3fe1be46a994272793"
    call(f"{srv.url}/_aws/execute-api/{api_id}/dev/missing")
    logfile = logs / "pets-access.log"
    deadline = time.monotonic() + 10
    while not logfile.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = [json.loads(line) for line in logfile.read_text().splitlines()]
    assert lines[0] == {
        "requestId": headers["x-amzn-RequestId"],
        "ip": "127.0.0.1",
        "method": "GET",
        "resourcePath": "/",
        "status": "200",
        "protocol": "HTTP/1.1",
        "len": str(len(body)),
    }
    assert lines[1]["status"] == "403" and lines[1]["resourcePath"] == "-"


def test_trace_id_is_created_when_absent(server: Any, apigw: Any, api: dict[str, Any]) -> None:
    mock_method(apigw, api["id"], api["rootResourceId"], "GET", "{}")
    apigw.create_deployment(restApiId=api["id"], stageName="dev")
    _, headers, _ = call(f"{server.url}/_aws/execute-api/{api['id']}/dev/")
    root = headers["X-Amzn-Trace-Id"]
    assert root.startswith("Root=1-") and len(root.split("-")[1]) == 8 and len(root.split("-")[2]) == 24
