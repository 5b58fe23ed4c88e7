"""`provided` runtimes (an executable `bootstrap` speaking the Runtime API itself) and Node.js
functions (Portico's Node runtime loop)."""

from __future__ import annotations

import base64
import shutil
from typing import Any

import pytest

from tests.functions.conftest import invoke_json

BOOTSTRAP = """#!/usr/bin/env python3
# A custom runtime, as in the Lambda Developer Guide's tutorial, in Python's standard library.
import http.client, json, os
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
def call(method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(api)
    conn.request(method, "/2018-06-01/runtime" + path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read()
print("bootstrap started", os.environ["_HANDLER"], flush=True)
while True:
    status, headers, body = call("GET", "/invocation/next")
    request_id = headers["Lambda-Runtime-Aws-Request-Id"]
    event = json.loads(body)
    print("handling", request_id, flush=True)
    if event.get("fail"):
        doc = {"errorType": "CustomError", "errorMessage": "custom failure"}
        call("POST", f"/invocation/{request_id}/error", json.dumps(doc), {"Lambda-Runtime-Function-Error-Type": "CustomError"})
        continue
    result = {
        "event": event,
        "request_id": request_id,
        "arn": headers["Lambda-Runtime-Invoked-Function-Arn"],
        "deadline": int(headers["Lambda-Runtime-Deadline-Ms"]),
        "trace": headers["Lambda-Runtime-Trace-Id"],
        "handler": os.environ["_HANDLER"],
        "task_root": os.environ["LAMBDA_TASK_ROOT"],
    }
    call("POST", f"/invocation/{request_id}/response", json.dumps(result))
"""

SHELL_BOOTSTRAP = """#!/bin/sh
set -eu
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -LD "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  curl -sS -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" -d "{\\"echo\\": $EVENT}" > /dev/null
done
"""

NODE_HANDLER = """
exports.handler = async (event, context) => {
  console.log('node got', JSON.stringify(event));
  if (event.fail) { throw new TypeError('bad input'); }
  return {
    event,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    arn: context.invokedFunctionArn,
    memory: context.memoryLimitInMB,
    remaining: context.getRemainingTimeInMillis(),
    env: process.env.MY_VAR,
    region: process.env.AWS_REGION,
  };
};
"""

NODE_CALLBACK = """
exports.handler = function (event, context, callback) {
  setTimeout(() => callback(null, { doubled: event.n * 2 }), 10);
};
"""

NODE_ESM = """
export const handler = async (event) => ({ esm: true, n: event.n });
"""

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def test_provided_bootstrap(flam: Any, create_fn: Any) -> None:
    name = create_fn(
        {"bootstrap": BOOTSTRAP}, runtime="provided.al2023", handler="my.handler", modes={"bootstrap": 0o755}
    )
    result, response = invoke_json(flam, name, {"k": "v"}, LogType="Tail")
    assert "FunctionError" not in response
    assert result["event"] == {"k": "v"}
    assert result["handler"] == "my.handler"
    assert result["arn"].endswith(f":function:{name}")
    assert result["trace"].startswith("Root=1-")
    assert result["deadline"] > 0
    log = base64.b64decode(response["LogResult"]).decode()
    assert f"handling {result['request_id']}" in log
    error, response = invoke_json(flam, name, {"fail": True})
    assert response["FunctionError"] == "Unhandled"
    assert error == {"errorType": "CustomError", "errorMessage": "custom failure"}


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_provided_shell_bootstrap(flam: Any, create_fn: Any) -> None:
    name = create_fn({"bootstrap": SHELL_BOOTSTRAP}, runtime="provided.al2", modes={"bootstrap": 0o755})
    result, _ = invoke_json(flam, name, {"a": [1, 2]})
    assert result == {"echo": {"a": [1, 2]}}


def test_provided_without_bootstrap_is_invalid_entrypoint(flam: Any, create_fn: Any) -> None:
    name = create_fn({"README": "no bootstrap"}, runtime="provided.al2023")
    error, response = invoke_json(flam, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.InvalidEntrypoint"
    assert "Couldn't find valid bootstrap(s)" in error["errorMessage"]


@needs_node
def test_node_async_handler(flam: Any, create_fn: Any) -> None:
    name = create_fn(
        {"index.js": NODE_HANDLER},
        runtime="nodejs20.x",
        handler="index.handler",
        MemorySize=512,
        Environment={"Variables": {"MY_VAR": "from-env"}},
    )
    result, response = invoke_json(flam, name, {"x": 1}, LogType="Tail")
    assert "FunctionError" not in response
    assert result["event"] == {"x": 1}
    assert result["functionName"] == name
    assert result["arn"].endswith(f":function:{name}")
    assert result["memory"] == "512"
    assert 0 < result["remaining"] <= 3000
    assert (result["env"], result["region"]) == ("from-env", "us-east-1")
    log = base64.b64decode(response["LogResult"]).decode()
    assert f'\t{result["requestId"]}\tINFO\tnode got {{"x":1}}' in log
    error, response = invoke_json(flam, name, {"fail": True})
    assert response["FunctionError"] == "Unhandled"
    assert (error["errorType"], error["errorMessage"]) == ("TypeError", "bad input")
    assert error["trace"][0] == "TypeError: bad input"


@needs_node
def test_node_callback_and_esm_handlers(flam: Any, create_fn: Any) -> None:
    callback = create_fn({"cb.js": NODE_CALLBACK}, runtime="nodejs20.x", handler="cb.handler")
    assert invoke_json(flam, callback, {"n": 21})[0] == {"doubled": 42}
    esm = create_fn({"index.mjs": NODE_ESM}, runtime="nodejs20.x", handler="index.handler")
    assert invoke_json(flam, esm, {"n": 3})[0] == {"esm": True, "n": 3}


@needs_node
def test_node_missing_handler_is_init_error(flam: Any, create_fn: Any) -> None:
    name = create_fn(
        {"index.js": "exports.other = () => 1;\n"}, runtime="nodejs20.x", handler="index.handler"
    )
    error, response = invoke_json(flam, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.HandlerNotFound"
    assert error["errorMessage"] == "index.handler is undefined or not exported"


def test_unsupported_runtime_is_invalid_runtime(flam: Any, create_fn: Any) -> None:
    name = create_fn({"App.java": "class App {}"}, runtime="java21", handler="App::handle")
    with pytest.raises(flam.exceptions.InvalidRuntimeException) as exc:
        flam.invoke(FunctionName=name, Payload=b"{}")
    assert "java21" in exc.value.response["Error"]["Message"]
