"""What the data plane's compile-time shortcuts must not change: MOCK answers from constant and
rendered templates, ids on every response, and Portico's one INFO line per request."""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from typing import Any

import pytest


def call(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, dict(resp.headers), resp.read()


@pytest.fixture
def base(server: Any, apigw: Any, api: dict[str, Any]) -> str:
    api_id, root = api["id"], api["rootResourceId"]
    for part, request_template, response_template in (
        ("constant", '{"statusCode": 201}', '{"hello":"world"}'),
        ("rendered", '{"statusCode": $input.params("code")}', '{"id":"$context.requestId"}'),
    ):
        res = apigw.create_resource(restApiId=api_id, parentId=root, pathPart=part)["id"]
        apigw.put_method(restApiId=api_id, resourceId=res, httpMethod="GET", authorizationType="NONE")
        apigw.put_integration(
            restApiId=api_id,
            resourceId=res,
            httpMethod="GET",
            type="MOCK",
            requestTemplates={"application/json": request_template},
        )
        for code in ("201", "202"):
            apigw.put_method_response(restApiId=api_id, resourceId=res, httpMethod="GET", statusCode=code)
            apigw.put_integration_response(
                restApiId=api_id,
                resourceId=res,
                httpMethod="GET",
                statusCode=code,
                selectionPattern="" if code == "201" else code,
                responseTemplates={"application/json": response_template},
            )
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    return f"http://127.0.0.1:{server.port}/_aws/execute-api/{api_id}/dev"


def test_constant_templates_answer_every_request_alike_with_fresh_ids(base: str) -> None:
    seen = set()
    for _ in range(3):
        status, headers, body = call(base + "/constant")
        assert (status, body) == (201, b'{"hello":"world"}')
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
            headers["x-amzn-RequestId"],
        )
        assert len(headers["x-amz-apigw-id"]) == 16
        assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}", headers["X-Amzn-Trace-Id"])
        seen.add((headers["x-amzn-RequestId"], headers["x-amz-apigw-id"], headers["X-Amzn-Trace-Id"]))
    assert len(seen) == 3 and len({ids[0] for ids in seen}) == 3


def test_rendered_templates_still_read_the_request_and_context(base: str) -> None:
    status, headers, body = call(base + "/rendered?code=202")
    assert status == 202
    assert json.loads(body) == {"id": headers["x-amzn-RequestId"]}
    status, _, _ = call(base + "/rendered?code=201")
    assert status == 201


def test_one_info_line_per_request(base: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="portico.dataplane"):
        _, headers, _ = call(base + "/constant")
    request_id = headers["x-amzn-RequestId"]
    lines = [r for r in caplog.records if r.name == "portico.dataplane" and request_id in r.getMessage()]
    assert len(lines) == 1
    record = lines[0]
    api_id = base.split("/")[-2]
    assert re.fullmatch(
        rf"{request_id} GET /_aws/execute-api/{api_id}/dev/constant -> api={api_id} stage=dev "
        r"resource=/constant GET integration=MOCK status=201 \d+ms",
        record.getMessage(),
    )
    assert record.levelno == logging.INFO
    assert record.funcName == "_log_request" and record.pathname.endswith("handler.py")
