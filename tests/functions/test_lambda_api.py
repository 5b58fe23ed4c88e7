"""The Lambda control plane through boto3 and the AWS CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.functions.conftest import ROLE, invoke_json, make_zip

HANDLER = "import os\ndef handler(event, context):\n    return {'v': VERSION, 'env': os.environ.get('COLOR')}\nVERSION = 1\n"


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture(scope="module")
def lam(server: Any) -> Any:
    return server.client("lambda")


@pytest.fixture
def fn(lam: Any) -> Iterator[dict[str, Any]]:
    name = f"api-{uuid.uuid4().hex[:8]}"
    created = lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": HANDLER})},
        Description="first",
        Timeout=10,
        Environment={"Variables": {"COLOR": "red"}},
        Tags={"team": "a"},
    )
    yield created
    with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
        lam.delete_function(FunctionName=name)


def test_create_get_list_delete(lam: Any) -> None:
    package = make_zip({"app.py": HANDLER})
    name = f"api-{uuid.uuid4().hex[:8]}"
    created = lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler", Code={"ZipFile": package}
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["FunctionArn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    assert created["CodeSize"] == len(package)
    assert (created["Timeout"], created["MemorySize"], created["Version"]) == (3, 128, "$LATEST")
    assert (created["State"], created["LastUpdateStatus"], created["PackageType"]) == (
        "Active",
        "Successful",
        "Zip",
    )
    assert created["Architectures"] == ["x86_64"]
    assert created["TracingConfig"] == {"Mode": "PassThrough"}
    assert created["LastModified"].endswith("+0000")
    got = lam.get_function(FunctionName=name)
    assert got["Configuration"]["FunctionArn"] == created["FunctionArn"]
    assert got["Configuration"]["RevisionId"] == created["RevisionId"]
    assert got["Code"]["RepositoryType"] == "S3"
    assert lam.get_function_configuration(FunctionName=created["FunctionArn"])["FunctionName"] == name
    names = [f["FunctionName"] for f in lam.list_functions(MaxItems=1000)["Functions"]]
    assert name in names
    assert invoke_json(lam, name, {})[0] == {"v": 1, "env": None}
    deleted = lam.delete_function(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName=name)
    assert error_of(exc) == (
        "ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:us-east-1:123456789012:function:{name}",
        404,
    )
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=name, Payload=b"{}")
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_list_functions_pages(lam: Any) -> None:
    names = sorted(f"page-{uuid.uuid4().hex[:8]}" for _ in range(3))
    for name in names:
        lam.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": HANDLER})},
        )
    try:
        seen: list[str] = []
        for page in lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 2}):
            assert len(page["Functions"]) <= 2
            seen += [f["FunctionName"] for f in page["Functions"]]
        assert [n for n in seen if n in names] == names
    finally:
        for name in names:
            lam.delete_function(FunctionName=name)


def test_create_errors(lam: Any, fn: dict[str, Any]) -> None:
    code = {"ZipFile": make_zip({"app.py": HANDLER})}
    base = {"Runtime": "python3.11", "Role": ROLE, "Handler": "app.handler", "Code": code}
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName=fn["FunctionName"], **base)
    assert error_of(exc) == (
        "ResourceConflictException",
        f"Function already exist: {fn['FunctionName']}",
        409,
    )
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName="bad", **{**base, "Code": {"ZipFile": b"not a zip"}})
    assert error_of(exc) == (
        "InvalidParameterValueException",
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
        400,
    )
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName="bad", **{**base, "Role": "not-a-role"})
    code_, message, status = error_of(exc)
    assert (code_, status) == ("ValidationException", 400)
    assert message.startswith(
        "1 validation error detected: Value 'not-a-role' at 'role' failed to satisfy constraint"
    )
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName="bad", **{**base, "Timeout": 999999})
    assert (
        "at 'timeout' failed to satisfy constraint: Member must have value less than or equal to"
        in error_of(exc)[1]
    )
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName="bad", **{**base, "Runtime": "cobol42"})
    assert error_of(exc)[0] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName="bad", **{**base, "Environment": {"Variables": {"AWS_REGION": "x"}}})
    assert error_of(exc)[0] == "InvalidParameterValueException"
    assert error_of(exc)[1].endswith("Reserved keys used in this request: AWS_REGION")
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName="bad", Role=ROLE, Code=code)
    assert error_of(exc) == (
        "InvalidParameterValueException",
        "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
        400,
    )
    with pytest.raises(ClientError) as exc:
        lam.create_function(
            FunctionName="bad", **{**base, "Code": {"S3Bucket": "some-bucket", "S3Key": "k.zip"}}
        )
    assert error_of(exc)[0] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as exc:
        lam.create_function(
            FunctionName="bad", **{**base, "Code": {"S3Bucket": "portico-local", "S3Key": "relative/dir"}}
        )
    assert "absolute path to an existing directory" in error_of(exc)[1]


def test_zip_slip_is_refused(lam: Any, tmp_path: Any) -> None:
    with pytest.raises(ClientError) as exc:
        lam.create_function(
            FunctionName=f"slip-{uuid.uuid4().hex[:6]}",
            Runtime="python3.11",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": make_zip({"../../escape.py": "x = 1\n"})},
        )
    assert error_of(exc)[0] == "InvalidParameterValueException"


def test_update_code_and_configuration(lam: Any, fn: dict[str, Any]) -> None:
    name = fn["FunctionName"]
    assert invoke_json(lam, name, {})[0] == {"v": 1, "env": "red"}
    package = make_zip({"app.py": HANDLER.replace("VERSION = 1", "VERSION = 2")})
    updated = lam.update_function_code(FunctionName=name, ZipFile=package)
    assert updated["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    assert updated["RevisionId"] != fn["RevisionId"]
    assert invoke_json(lam, name, {})[0] == {"v": 2, "env": "red"}
    config = lam.update_function_configuration(
        FunctionName=name,
        Environment={"Variables": {"COLOR": "blue"}},
        Timeout=20,
        Description="second",
        MemorySize=256,
    )
    assert (config["Timeout"], config["Description"], config["MemorySize"]) == (20, "second", 256)
    assert config["Environment"] == {"Variables": {"COLOR": "blue"}}
    assert config["Handler"] == "app.handler"
    assert invoke_json(lam, name, {})[0] == {"v": 2, "env": "blue"}
    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(FunctionName=name, Description="x", RevisionId=fn["RevisionId"])
    assert error_of(exc)[0] == "PreconditionFailedException"
    with pytest.raises(ClientError) as exc:
        lam.update_function_code(FunctionName="nope-" + name, ZipFile=package)
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_permissions_and_policy(lam: Any, fn: dict[str, Any]) -> None:
    name = fn["FunctionName"]
    with pytest.raises(ClientError) as exc:
        lam.get_policy(FunctionName=name)
    assert error_of(exc) == ("ResourceNotFoundException", "The resource you requested does not exist.", 404)
    added = lam.add_permission(
        FunctionName=name,
        StatementId="apigw",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn="arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/pets",
    )
    statement = json.loads(added["Statement"])
    assert statement == {
        "Sid": "apigw",
        "Effect": "Allow",
        "Principal": {"Service": "apigateway.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": fn["FunctionArn"],
        "Condition": {
            "ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/pets"}
        },
    }
    lam.add_permission(FunctionName=name, StatementId="acct", Action="lambda:*", Principal="210987654321")
    policy = json.loads(lam.get_policy(FunctionName=name)["Policy"])
    assert policy["Version"] == "2012-10-17"
    assert [s["Sid"] for s in policy["Statement"]] == ["apigw", "acct"]
    assert policy["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}
    with pytest.raises(ClientError) as exc:
        lam.add_permission(
            FunctionName=name, StatementId="apigw", Action="lambda:InvokeFunction", Principal="*"
        )
    assert error_of(exc) == (
        "ResourceConflictException",
        "The statement id (apigw) provided already exists. Please provide a new statement id, or remove the existing statement.",
        409,
    )
    with pytest.raises(ClientError) as exc:
        lam.add_permission(FunctionName=name, StatementId="bad", Action="invoke", Principal="*")
    assert error_of(exc)[0] == "ValidationException"
    removed = lam.remove_permission(FunctionName=name, StatementId="apigw")
    assert removed["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert [s["Sid"] for s in json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"]] == [
        "acct"
    ]
    with pytest.raises(ClientError) as exc:
        lam.remove_permission(FunctionName=name, StatementId="apigw")
    assert error_of(exc) == (
        "ResourceNotFoundException",
        "Statement apigw is not found in resource policy.",
        404,
    )


def test_reserved_concurrency_operations(lam: Any, fn: dict[str, Any]) -> None:
    name = fn["FunctionName"]
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)
    assert (
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)[
            "ReservedConcurrentExecutions"
        ]
        == 5
    )
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 5
    assert lam.get_function(FunctionName=name)["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    with pytest.raises(ClientError) as exc:
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=901)
    assert error_of(exc)[0] == "InvalidParameterValueException"
    assert lam.delete_function_concurrency(FunctionName=name)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)


def test_invoke_errors(lam: Any, fn: dict[str, Any]) -> None:
    name = fn["FunctionName"]
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=name, Payload=b"{not json")
    code, message, status = error_of(exc)
    assert (code, status) == ("InvalidRequestContentException", 400)
    assert message.startswith("Could not parse request body into json")
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=name, Qualifier="prod", Payload=b"{}")
    assert error_of(exc) == (
        "ResourceNotFoundException",
        f"Function not found: {fn['FunctionArn']}:prod",
        404,
    )
    ok = lam.invoke(FunctionName=fn["FunctionArn"], Qualifier="$LATEST", Payload=b"{}")
    assert json.loads(ok["Payload"].read()) == {"v": 1, "env": "red"}


def test_tags_come_back_with_get_function(lam: Any, fn: dict[str, Any]) -> None:
    assert lam.get_function(FunctionName=fn["FunctionName"])["Tags"] == {"team": "a"}


def test_aws_cli_invoke(server: Any, fn: dict[str, Any], tmp_path: Any) -> None:
    out = tmp_path / "out.json"
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": "/dev/null",
    }
    cmd = [
        sys.executable,
        "-m",
        "awscli",
        "lambda",
        "invoke",
        "--function-name",
        fn["FunctionName"],
        "--payload",
        '{"a": 1}',
        "--log-type",
        "Tail",
        str(out),
        "--endpoint-url",
        server.url,
        "--region",
        "us-east-1",
        "--output",
        "json",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["StatusCode"] == 200 and printed["ExecutedVersion"] == "$LATEST"
    assert "END RequestId:" in base64.b64decode(printed["LogResult"]).decode()
    assert json.loads(out.read_text()) == {"v": 1, "env": "red"}
