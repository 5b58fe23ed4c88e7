"""Two Portico processes on one store: a deployment made through one is served by the other."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.dataplane.test_routing import call, mock_method
from tests.integration.test_serve_process import serve  # noqa: F401  (fixture)


def wait_for_body(url: str, expected: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    seen: Any = None
    while time.monotonic() < deadline:
        status, _, body = call(url)
        seen = (status, body)
        if status == 200 and json.loads(body) == expected:
            return expected
        time.sleep(0.1)
    raise AssertionError(f"{url} never answered {expected}; last {seen}")


def test_deployment_through_one_process_is_served_by_the_other(serve: Any, tmp_path: Path) -> None:  # noqa: F811
    one = serve("--listen", "127.0.0.1:0", "--data-dir", str(tmp_path))
    two = serve("--listen", "127.0.0.1:0", "--data-dir", str(tmp_path))
    apigw = one.client()
    api = apigw.create_rest_api(name="shared")
    api_id, root = api["id"], api["rootResourceId"]
    mock_method(apigw, api_id, root, "GET", '{"v":1}')
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    url = f"{two.url}/_aws/execute-api/{api_id}/dev/"
    wait_for_body(url, {"v": 1})
    apigw.update_integration_response(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        statusCode="200",
        patchOperations=[
            {
                "op": "replace",
                "path": "/responseTemplates/application~1json",
                "value": '{"v":2,"x":"$stageVariables.x"}',
            }
        ],
    )
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    wait_for_body(url, {"v": 2, "x": ""})
    apigw.update_stage(
        restApiId=api_id,
        stageName="dev",
        patchOperations=[{"op": "replace", "path": "/variables/x", "value": "1"}],
    )
    wait_for_body(url, {"v": 2, "x": "1"})  # stage variables apply without a new deployment
