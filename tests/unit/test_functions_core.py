"""Pure parts of the function host: function references, the runtime environment, Lambda's
error documents and log lines, Runtime API routing, code fingerprints."""

from __future__ import annotations

import base64
import json
import os
import signal
from pathlib import Path

import pytest

from portico.functions.config import (
    FunctionConfig,
    config_from_doc,
    parse_function_ref,
    runtime_environment,
    runtime_family,
)
from portico.functions.reports import (
    exit_error,
    exit_reason,
    log_tail,
    normalise_error,
    report_line,
    timeout_error,
)
from portico.functions.runtime_api import Delivery, route
from portico.functions.watcher import content_sha256, fingerprint


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("my-fn", ("my-fn", None, None, None)),
        ("my-fn:$LATEST", ("my-fn", None, None, "$LATEST")),
        ("my-fn:prod", ("my-fn", None, None, "prod")),
        ("123456789012:function:my-fn", ("my-fn", None, "123456789012", None)),
        (
            "arn:aws:lambda:eu-west-1:123456789012:function:my_fn",
            ("my_fn", "eu-west-1", "123456789012", None),
        ),
        (
            "arn:aws:lambda:us-gov-west-1:123456789012:function:f:7",
            ("f", "us-gov-west-1", "123456789012", "7"),
        ),
    ],
)
def test_function_refs(value: str, expected: tuple[str | None, ...]) -> None:
    ref = parse_function_ref(value)
    assert ref is not None
    assert (ref.name, ref.region, ref.account, ref.qualifier) == expected


@pytest.mark.parametrize("value", ["", "a b", "x" * 65, "arn:aws:s3:::bucket", "a:b:c", "function:"])
def test_bad_function_refs(value: str) -> None:
    assert parse_function_ref(value) is None


def test_runtime_families() -> None:
    assert [runtime_family(r) for r in ("python3.12", "nodejs20.x", "provided.al2023", "java21")] == [
        "python",
        "nodejs",
        "provided",
        None,
    ]


def _config(**kw: object) -> FunctionConfig:
    values: dict[str, object] = {
        "name": "fn",
        "region": "eu-west-1",
        "account_id": "123456789012",
        "runtime": "python3.11",
        "handler": "app.handler",
        "code_dir": Path("/code"),
    }
    values.update(kw)
    return FunctionConfig(**values)  # type: ignore[arg-type]


def test_runtime_environment_is_lambdas() -> None:
    config = _config(memory=512, environment=(("MY", "value"),))
    env = runtime_environment(config, api="127.0.0.1:9", log_stream="s", runtime_dir=Path("/rt"), path="/bin")
    assert env["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "fn"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/fn"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == "s"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert (env["_HANDLER"], env["LAMBDA_TASK_ROOT"], env["LAMBDA_RUNTIME_DIR"]) == (
        "app.handler",
        "/code",
        "/rt",
    )
    assert (env["TZ"], env["PATH"], env["MY"]) == (":UTC", "/bin", "value")
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"] and env["AWS_SESSION_TOKEN"]
    assert "PYTHONDONTWRITEBYTECODE" not in env
    local = runtime_environment(_config(local=True), api="a", log_stream="s", runtime_dir=Path("/"), path="")
    assert local["PYTHONDONTWRITEBYTECODE"] == "1"


def test_config_from_document(tmp_path: Path) -> None:
    doc = {
        "FunctionName": "fn",
        "FunctionArn": "arn:aws:lambda:us-east-1:210987654321:function:fn",
        "Runtime": "nodejs20.x",
        "Handler": "index.handler",
        "Timeout": 9,
        "MemorySize": 1024,
        "Environment": {"Variables": {"B": "2", "A": "1"}},
        "RevisionId": "r1",
        "_code": {"dir": "fn/abc", "local": False},
        "_reservedConcurrency": 4,
    }
    config = config_from_doc("us-east-1", doc, tmp_path)
    assert config.code_dir == (tmp_path / "fn" / "abc").resolve()
    assert config.account_id == "210987654321"
    assert (config.timeout, config.memory, config.reserved) == (9, 1024, 4)
    assert config.environment == (("A", "1"), ("B", "2"))
    assert config.arn == "arn:aws:lambda:us-east-1:210987654321:function:fn"
    same_process = config_from_doc(
        "us-east-1", {**doc, "_reservedConcurrency": 1, "RevisionId": "r2"}, tmp_path
    )
    assert same_process.identity == config.identity
    other = config_from_doc("us-east-1", {**doc, "Environment": {"Variables": {"A": "9"}}}, tmp_path)
    assert other.identity != config.identity


def test_exit_reasons_use_lambdas_words() -> None:
    assert exit_reason(1) == "exit status 1"
    assert exit_reason(0) == "exit status 0"
    assert exit_reason(-signal.SIGKILL) == "signal: killed"
    assert exit_reason(-signal.SIGSEGV) == "signal: segmentation fault"
    assert exit_reason(-200) == "signal: signal 200"


def test_error_documents() -> None:
    assert json.loads(exit_error("rid", 2)) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": "RequestId: rid Error: Runtime exited with error: exit status 2",
    }
    assert json.loads(timeout_error("rid", 1)) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": "RequestId: rid Error: Task timed out after 1.00 seconds",
    }
    posted = b'{"errorMessage": "x", "errorType": "ValueError", "stackTrace": []}'
    assert normalise_error(posted, "ValueError") == posted
    assert json.loads(normalise_error(b"plain text", "Custom")) == {
        "errorType": "Custom",
        "errorMessage": "plain text",
    }
    assert json.loads(normalise_error(b"", None)) == {"errorType": "Unhandled", "errorMessage": ""}


def test_report_line_and_tail() -> None:
    line = report_line("rid", 12.345, 128, 40, 101.5)
    assert line == (
        "REPORT RequestId: rid\tDuration: 12.35 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 40 MB\tInit Duration: 101.50 ms\t"
    )
    assert "Init Duration" not in report_line("rid", 0.2, 128, None, None)
    assert "Billed Duration: 1 ms" in report_line("rid", 0.2, 128, None, None)
    text = "é" + "x" * 5000
    tail = base64.b64decode(log_tail(text))
    assert len(tail) == 4096 and tail == text.encode()[-4096:]


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/2018-06-01/runtime/invocation/next", ("next", None)),
        ("POST", "/2018-06-01/runtime/invocation/abc-1/response", ("response", "abc-1")),
        ("POST", "/2018-06-01/runtime/invocation/abc-1/error", ("error", "abc-1")),
        ("POST", "/2018-06-01/runtime/init/error", ("init-error", None)),
        ("POST", "/2018-06-01/runtime/invocation/next", None),
        ("GET", "/2018-06-01/runtime/invocation/abc/response", None),
        ("POST", "/2018-06-01/runtime/invocation//response", None),
        ("POST", "/2018-06-01/runtime/invocation/abc/other", None),
        ("GET", "/other", None),
    ],
)
def test_runtime_api_routes(method: str, path: str, expected: tuple[str, str | None] | None) -> None:
    assert route(method, path) == expected


def test_delivery_headers() -> None:
    delivery = Delivery("rid", b"{}", 1700000000000, "arn:fn", "Root=1-abc", '{"custom":{}}', None)
    headers = dict(delivery.headers())
    assert headers == {
        "Content-Type": "application/json",
        "Lambda-Runtime-Aws-Request-Id": "rid",
        "Lambda-Runtime-Deadline-Ms": "1700000000000",
        "Lambda-Runtime-Invoked-Function-Arn": "arn:fn",
        "Lambda-Runtime-Trace-Id": "Root=1-abc",
        "Lambda-Runtime-Client-Context": '{"custom":{}}',
    }


def test_fingerprint_follows_edits_but_not_caches(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("a = 1\n")
    first = fingerprint(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"x")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "dep.js").write_text("x")
    assert fingerprint(tmp_path) == first
    (tmp_path / "app.py").write_text("a = 2\n")
    os.utime(tmp_path / "app.py", ns=(1, 1))
    second = fingerprint(tmp_path)
    assert second != first
    (tmp_path / "new.py").write_text("")
    assert fingerprint(tmp_path) != second


def test_content_sha256(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello")
    digest, size = content_sha256(tmp_path)
    assert size == 5 and len(digest) == 64
    (tmp_path / "a.txt").write_text("hellO")
    assert content_sha256(tmp_path)[0] != digest
