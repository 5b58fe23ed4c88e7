"""Pure helpers of the Lambda control plane: model constraints, code packages, policy statements,
client contexts, payload checks, remote error mapping."""

from __future__ import annotations

import base64
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from portico.controlplane.lambda_code import LOCAL_BUCKET, code_from_params, unzip_package
from portico.controlplane.lambda_common import (
    InvalidParameterValueException,
    ValidationException,
    check_constraints,
    last_modified,
)
from portico.controlplane.lambda_functions import check_environment
from portico.controlplane.lambda_invoke import decode_client_context
from portico.controlplane.lambda_permissions import principal_of, statement_of
from portico.functions.host import check_payload
from portico.functions.invoker import (
    FunctionNotFound,
    InvalidRequestContent,
    RequestTooLarge,
    Throttled,
)
from portico.functions.remote import remote_error


def _zip(entries: dict[str, tuple[bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, (data, mode) in entries.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def test_constraints_report_like_lambda() -> None:
    check_constraints("CreateFunction", {"FunctionName": "ok-name", "Timeout": 3, "MemorySize": 128})
    with pytest.raises(ValidationException) as exc:
        check_constraints("CreateFunction", {"Timeout": 0, "MemorySize": 64})
    assert exc.value.message == (
        "2 validation errors detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have "
        "value greater than or equal to 1; Value '64' at 'memorySize' failed to satisfy constraint: Member "
        "must have value greater than or equal to 128"
    )
    with pytest.raises(ValidationException) as exc:
        check_constraints("CreateFunction", {"FunctionName": "has space"})
    assert (
        "at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern"
        in (exc.value.message)
    )


def test_last_modified_format() -> None:
    assert last_modified(1700000000.25) == "2023-11-14T22:13:20.250+0000"


def test_unzip_keeps_modes_and_is_content_addressed(tmp_path: Path) -> None:
    package = _zip({"bootstrap": (b"#!/bin/sh\n", 0o100755), "lib/data.txt": (b"x", 0o100644)})
    code = unzip_package(tmp_path, "fn", package)
    directory = tmp_path / code.dir
    assert code.dir.startswith("fn/") and not code.local
    assert os.access(directory / "bootstrap", os.X_OK)
    assert (directory / "lib" / "data.txt").read_bytes() == b"x"
    assert code.size == len(package)
    assert unzip_package(tmp_path, "fn", package) == code  # same package, same directory
    assert [p.name for p in (tmp_path / "fn").iterdir()] == [directory.name]


@pytest.mark.parametrize("name", ["../evil.py", "/abs/evil.py", "a/../../evil.py"])
def test_unzip_refuses_paths_outside(tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidParameterValueException):
        unzip_package(tmp_path / "root", "fn", _zip({name: (b"x", 0o100644)}))
    assert not (tmp_path / "evil.py").exists()


def test_code_sources(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("x = 1\n")
    local = code_from_params(
        tmp_path / "root", "fn", {"S3Bucket": LOCAL_BUCKET, "S3Key": str(tmp_path / "src")}
    )
    assert local.local and local.dir == str((tmp_path / "src").resolve()) and local.size == 6
    assert len(base64.b64decode(local.sha256)) == 32
    for bad in (
        {},
        {"S3Bucket": "b", "S3Key": "k"},
        {"ImageUri": "x"},
        {"S3Bucket": LOCAL_BUCKET, "S3Key": "rel"},
    ):
        with pytest.raises(InvalidParameterValueException):
            code_from_params(tmp_path, "fn", bad)


def test_environment_checks() -> None:
    check_environment({"Variables": {"MY_VAR": "x"}})
    check_environment(None)
    with pytest.raises(InvalidParameterValueException) as exc:
        check_environment({"Variables": {"AWS_REGION": "x", "_HANDLER": "y"}})
    assert exc.value.message.endswith("Reserved keys used in this request: AWS_REGION,_HANDLER")
    with pytest.raises(InvalidParameterValueException):
        check_environment({"Variables": {"BIG": "x" * 5000}})


def test_policy_statements() -> None:
    assert principal_of("*") == "*"
    assert principal_of("123456789012") == {"AWS": "arn:aws:iam::123456789012:root"}
    assert principal_of("arn:aws:iam::123456789012:role/r") == {"AWS": "arn:aws:iam::123456789012:role/r"}
    assert principal_of("s3.amazonaws.com") == {"Service": "s3.amazonaws.com"}
    statement = statement_of(
        {
            "StatementId": "s",
            "Principal": "s3.amazonaws.com",
            "Action": "lambda:InvokeFunction",
            "SourceAccount": "123456789012",
            "SourceArn": "arn:aws:s3:::bucket",
        },
        "arn:fn",
    )
    assert statement["Condition"] == {
        "StringEquals": {"AWS:SourceAccount": "123456789012"},
        "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"},
    }
    assert "Condition" not in statement_of(
        {"StatementId": "s", "Principal": "*", "Action": "lambda:*"}, "arn:fn"
    )


def test_client_context_must_be_base64_json_object() -> None:
    text = json.dumps({"custom": {"a": 1}})
    assert decode_client_context(base64.b64encode(text.encode()).decode()) == text
    assert decode_client_context(None) is None
    for bad in ("not base64!", base64.b64encode(b"[1]").decode(), base64.b64encode(b"{").decode()):
        with pytest.raises(InvalidRequestContent):
            decode_client_context(bad)


def test_payload_checks() -> None:
    check_payload(b"", "RequestResponse")
    check_payload(b'"a string"', "RequestResponse")
    with pytest.raises(InvalidRequestContent):
        check_payload(b"{oops", "RequestResponse")
    with pytest.raises(RequestTooLarge) as exc:
        check_payload(b" " * (256 * 1024 + 1), "Event")
    assert exc.value.message == "Request must be smaller than 262144 bytes for the InvokeAsync operation"
    with pytest.raises(RequestTooLarge):
        check_payload(b" " * (6 * 1024 * 1024 + 1), "RequestResponse")


def test_remote_errors_map_to_invoke_errors() -> None:
    headers = [("x-amzn-ErrorType", "ResourceNotFoundException")]
    found = remote_error(404, headers, b'{"Type":"User","message":"Function not found: arn"}')
    assert isinstance(found, FunctionNotFound) and found.message == "Function not found: arn"
    throttled = remote_error(
        429,
        [],
        b'{"__type":"TooManyRequestsException","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}',
    )
    assert isinstance(throttled, Throttled) and throttled.reason.startswith("Reserved")
    other = remote_error(
        400, [("x-amzn-ErrorType", "InvalidRequestContentException:http://x")], b'{"message":"bad"}'
    )
    assert (other.code, other.status, other.message) == ("InvalidRequestContentException", 400, "bad")
    assert remote_error(502, [], b"<html>").message == "<html>"
