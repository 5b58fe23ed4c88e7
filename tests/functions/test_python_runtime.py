"""Python functions run by awslambdaric against Portico's Runtime API: event in, result out,
context, environment, errors, timeouts, crashes, logs."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from tests.functions.conftest import invoke_json

CONTEXT_HANDLER = """
import os, time
def handler(event, context):
    print("got event", event)
    return {
        "event": event,
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "remaining": context.get_remaining_time_in_millis(),
        "deadline_ms": int(time.time() * 1000) + context.get_remaining_time_in_millis(),
        "version": context.function_version,
        "log_group": context.log_group_name,
        "env": {k: v for k, v in os.environ.items() if k.startswith(("AWS_", "LAMBDA_", "_HANDLER", "TZ", "LANG", "MY_"))},
        "cwd": os.getcwd(),
    }
"""

MISC_HANDLER = """
import os, time
def handler(event, context):
    action = event.get("action")
    if action == "raise":
        raise KeyError("missing thing")
    if action == "sleep":
        time.sleep(event["seconds"])
    if action == "exit":
        print("about to crash")
        os._exit(1)
    return {"pid": os.getpid(), "action": action}
"""


def test_event_context_and_environment(flam: Any, create_fn: Any) -> None:
    name = create_fn(
        {"app.py": CONTEXT_HANDLER},
        Timeout=7,
        MemorySize=256,
        Environment={"Variables": {"MY_SETTING": "on", "MY_OTHER": "x=1"}},
    )
    before = int(time.time() * 1000)
    result, response = invoke_json(flam, name, {"hello": ["world", 1]})
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert result["event"] == {"hello": ["world", 1]}
    assert result["function_name"] == name
    assert result["arn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    assert result["memory"] == "256"
    assert 0 < result["remaining"] <= 7000
    assert before + 6000 <= result["deadline_ms"] <= int(time.time() * 1000) + 7000
    assert result["version"] == "$LATEST"
    assert result["log_group"] == f"/aws/lambda/{name}"
    env = result["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
    assert "[$LATEST]" in env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert env["_HANDLER"] == "app.handler"
    assert env["LAMBDA_TASK_ROOT"] == result["cwd"]
    assert env["TZ"] == ":UTC"
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"]
    assert env["MY_SETTING"] == "on" and env["MY_OTHER"] == "x=1"
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")


def test_warm_instance_is_reused_with_new_request_ids(fserver: Any, flam: Any, create_fn: Any) -> None:
    name = create_fn({"app.py": CONTEXT_HANDLER})
    first, _ = invoke_json(flam, name, {"n": 1})
    second, _ = invoke_json(flam, name, {"n": 2})
    assert first["env"]["AWS_LAMBDA_LOG_STREAM_NAME"] == second["env"]["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert first["request_id"] != second["request_id"]
    stats = fserver.app.functions.stats(name)
    assert (stats.cold_starts, stats.warm_starts) == (1, 1)


def test_empty_payload_is_an_empty_object(flam: Any, create_fn: Any) -> None:
    name = create_fn(
        {
            "app.py": "def handler(event, context):\n    return {'type': type(event).__name__, 'event': event}\n"
        }
    )
    response = flam.invoke(FunctionName=name)
    assert json.loads(response["Payload"].read()) == {"type": "dict", "event": {}}
    result, _ = invoke_json(flam, name, [1, 2])
    assert result == {"type": "list", "event": [1, 2]}


def test_handler_exception_is_unhandled_function_error(flam: Any, create_fn: Any) -> None:
    name = create_fn({"app.py": MISC_HANDLER})
    error, response = invoke_json(flam, name, {"action": "raise"})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "KeyError"
    assert error["errorMessage"] == "'missing thing'"
    assert any("raise KeyError" in line for line in error["stackTrace"])
    ok, response = invoke_json(flam, name, {"action": "after"})
    assert ok["action"] == "after" and "FunctionError" not in response


def test_import_error_is_reported(flam: Any, create_fn: Any) -> None:
    name = create_fn({"app.py": "import no_such_module_here\n"})
    error, response = invoke_json(flam, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert error["errorMessage"] == "Unable to import module 'app': No module named 'no_such_module_here'"


def test_timeout_kills_instance_and_next_call_works(fserver: Any, flam: Any, create_fn: Any) -> None:
    name = create_fn({"app.py": MISC_HANDLER}, Timeout=1)
    warm, _ = invoke_json(flam, name, {"action": "warm"})
    error, response = invoke_json(flam, name, {"action": "sleep", "seconds": 3}, LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Sandbox.Timedout"
    assert error["errorMessage"].endswith("Error: Task timed out after 1.00 seconds")
    assert error["errorMessage"].startswith("RequestId: ")
    log = base64.b64decode(response["LogResult"]).decode()
    assert "Task timed out after 1.00 seconds" in log
    after, response = invoke_json(flam, name, {"action": "again"})
    assert "FunctionError" not in response
    assert after["pid"] != warm["pid"]  # the timed-out instance was replaced
    stats = fserver.app.functions.stats(name)
    assert stats.cold_starts == 2


def test_crash_is_runtime_exit_error_and_next_call_works(flam: Any, create_fn: Any) -> None:
    name = create_fn({"app.py": MISC_HANDLER})
    before, _ = invoke_json(flam, name, {"action": "first"})
    error, response = invoke_json(flam, name, {"action": "exit"}, LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.ExitError"
    request_id = error["errorMessage"].split()[1]
    assert error["errorMessage"] == f"RequestId: {request_id} Error: Runtime exited with error: exit status 1"
    log = base64.b64decode(response["LogResult"]).decode()
    assert "about to crash" in log and f"END RequestId: {request_id}" in log
    after, response = invoke_json(flam, name, {"action": "next"})
    assert "FunctionError" not in response and after["pid"] != before["pid"]


def test_log_tail_has_start_output_end_report(flam: Any, create_fn: Any) -> None:
    name = create_fn({"app.py": CONTEXT_HANDLER})
    result, response = invoke_json(flam, name, {"x": 1}, LogType="Tail")
    log = base64.b64decode(response["LogResult"]).decode()
    rid = result["request_id"]
    lines = log.strip().split("\n")
    assert lines[0] == f"START RequestId: {rid} Version: $LATEST"
    assert "got event {'x': 1}" in lines
    assert f"END RequestId: {rid}" in lines
    assert lines[-1].startswith(f"REPORT RequestId: {rid}\tDuration: ")
    assert "Memory Size: 128 MB" in lines[-1]
    untailed = flam.invoke(FunctionName=name, Payload=b"{}")
    assert "LogResult" not in untailed


def test_log_tail_is_the_last_4_kb(flam: Any, create_fn: Any) -> None:
    name = create_fn(
        {
            "app.py": "def handler(event, context):\n    for i in range(400):\n        print('line %04d ' % i + 'x' * 40)\n    return 1\n"
        }
    )
    _, response = invoke_json(flam, name, {}, LogType="Tail")
    log = base64.b64decode(response["LogResult"])
    assert len(log) == 4096
    assert b"line 0399" in log and b"line 0001" not in log
    assert log.rstrip().split(b"\n")[-1].startswith(b"REPORT RequestId: ")


def test_event_invocation_runs_in_background(flam: Any, create_fn: Any, tmp_path: Any) -> None:
    marker = tmp_path / "event-ran"
    code = f"import time\ndef handler(event, context):\n    time.sleep(0.2)\n    open({str(marker)!r}, 'w').write(event['v'])\n"
    name = create_fn({"app.py": code})
    response = flam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"v": "done"}))
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    deadline = time.monotonic() + 20
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.read_text() == "done"


def test_dry_run_checks_without_running(fserver: Any, flam: Any, create_fn: Any) -> None:
    name = create_fn({"app.py": MISC_HANDLER})
    response = flam.invoke(FunctionName=name, InvocationType="DryRun")
    assert response["StatusCode"] == 204
    assert fserver.app.functions.stats(name).invocations == 0


def test_client_context_reaches_the_handler(flam: Any, create_fn: Any) -> None:
    code = "def handler(event, context):\n    return {'custom': context.client_context.custom, 'env': context.client_context.env}\n"
    name = create_fn({"app.py": code})
    ctx = {"custom": {"user": "ann"}, "env": {"platform": "test"}, "client": {}}
    result, _ = invoke_json(flam, name, {}, ClientContext=base64.b64encode(json.dumps(ctx).encode()).decode())
    assert result == {"custom": {"user": "ann"}, "env": {"platform": "test"}}


def test_large_response_is_function_error(flam: Any, create_fn: Any) -> None:
    name = create_fn({"app.py": "def handler(event, context):\n    return 'x' * (7 * 1024 * 1024)\n"})
    error, response = invoke_json(flam, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Function.ResponseSizeTooLarge"
