"""AWS service integrations (type AWS, not Lambda): SQS, S3 and DynamoDB through moto in server mode,
and the SigV4 signature checked by a backend that records what it receives."""

from __future__ import annotations

import datetime
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from moto.server import ThreadedMotoServer

from tests.conftest import RunningServer, start_server

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/apigw-service"
KEY, SECRET = "AKIDPORTICOTEST", "portico/secret+key"


def call(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> Any:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, dict(err.headers), err.read()


class Recorder(BaseHTTPRequestHandler):
    """A stand-in AWS endpoint: records each request, answers 200 `{"recorded": true}`."""

    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if "Slow" in self.path:
            time.sleep(1.0)  # longer than the integration's timeout: the caller has gone
            self.close_connection = True
            return
        self.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": list(self.headers.items()),
                "body": self.rfile.read(length),
            }
        )
        payload = b'{"recorded": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    yield f"http://{host}:{port}"
    moto.stop()
    assert moto._server is not None
    moto._server.server_close()  # stop() leaves the listening socket open


@pytest.fixture(scope="module")
def recorder_url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def portico(
    tmp_path_factory: pytest.TempPathFactory, moto_url: str, recorder_url: str
) -> Iterator[RunningServer]:
    closed = "http://127.0.0.1:9"  # nothing listens there
    srv = start_server(
        tmp_path_factory.mktemp("portico-aws"),
        aws_endpoints={
            "sqs": moto_url,
            "s3": moto_url,
            "dynamodb": moto_url,
            "kinesis": recorder_url,
            "sns": closed,
        },
        aws_credentials={ROLE: f"{KEY}:{SECRET}", "*": "testing:testing"},
    )
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def apigw(portico: RunningServer) -> Any:
    return portico.client("apigateway")


def aws_client(service: str, moto_url: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )


def new_api(apigw: Any) -> tuple[str, str]:
    created = apigw.create_rest_api(name=f"aws-{uuid.uuid4().hex[:8]}")
    return created["id"], created["rootResourceId"]


def aws_method(
    apigw: Any,
    api_id: str,
    resource_id: str,
    verb: str,
    uri: str,
    *,
    integration_verb: str = "POST",
    credentials: str | None = ROLE,
    parameters: dict[str, str] | None = None,
    method_parameters: dict[str, bool] | None = None,
    templates: dict[str, str] | None = None,
    responses: tuple[tuple[str, str | None, dict[str, str] | None], ...] = (("200", None, None),),
) -> None:
    apigw.put_method(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=verb,
        authorizationType="NONE",
        requestParameters=method_parameters or {},
    )
    extra: dict[str, Any] = {"credentials": credentials} if credentials else {}
    apigw.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod=verb,
        type="AWS",
        integrationHttpMethod=integration_verb,
        uri=uri,
        requestParameters=parameters or {},
        requestTemplates=templates or {},
        **extra,
    )
    for status, pattern, response_templates in responses:
        apigw.put_method_response(
            restApiId=api_id, resourceId=resource_id, httpMethod=verb, statusCode=status
        )
        pattern_arg = {"selectionPattern": pattern} if pattern else {}
        apigw.put_integration_response(
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod=verb,
            statusCode=status,
            responseTemplates=response_templates or {},
            **pattern_arg,
        )


def invoke_base(portico: RunningServer, api_id: str) -> str:
    return f"{portico.url}/_aws/execute-api/{api_id}/dev"


SQS_TEMPLATE = "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"


def test_sqs_send_message_action(portico: RunningServer, apigw: Any, moto_url: str) -> None:
    sqs = aws_client("sqs", moto_url)
    queue_url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    api_id, root = new_api(apigw)
    aws_method(
        apigw,
        api_id,
        root,
        "POST",
        "arn:aws:apigateway:us-east-1:sqs:action/SendMessage",
        parameters={
            "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'",
            "integration.request.querystring.QueueUrl": f"'{queue_url}'",
        },
        templates={"application/json": SQS_TEMPLATE},
    )
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    message = {"order": 42, "note": "a & b = c"}
    status, _, body = call(
        invoke_base(portico, api_id) + "/",
        "POST",
        json.dumps(message).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 200, body
    assert b"<SendMessageResponse" in body and b"<MessageId>" in body
    received = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)["Messages"]
    assert [json.loads(m["Body"]) for m in received] == [message]


def test_sqs_send_message_path_form(portico: RunningServer, apigw: Any, moto_url: str) -> None:
    """The tutorial's form: `sqs:path/{account}/{queue}` with `Action=SendMessage` in the body."""
    sqs = aws_client("sqs", moto_url)
    name = f"q-{uuid.uuid4().hex[:8]}"
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    api_id, root = new_api(apigw)
    aws_method(
        apigw,
        api_id,
        root,
        "POST",
        f"arn:aws:apigateway:us-east-1:sqs:path/{ACCOUNT}/{name}",
        parameters={"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
        templates={"application/json": SQS_TEMPLATE},
    )
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    status, _, body = call(
        invoke_base(portico, api_id) + "/", "POST", b'"hello"', {"Content-Type": "application/json"}
    )
    assert status == 200, body
    received = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)["Messages"]
    assert [m["Body"] for m in received] == ['"hello"']


@pytest.fixture(scope="module")
def s3_api(apigw: Any, moto_url: str) -> tuple[str, str]:
    """PUT/GET /{bucket}/{key} → s3:path/{bucket}/{key}; a 404 from S3 maps to a 404 method response."""
    bucket = f"b-{uuid.uuid4().hex[:8]}"
    aws_client("s3", moto_url).create_bucket(Bucket=bucket)
    api_id, root = new_api(apigw)
    folder = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{bucket}")["id"]
    item = apigw.create_resource(restApiId=api_id, parentId=folder, pathPart="{key}")["id"]
    params = {
        "integration.request.path.bucket": "method.request.path.bucket",
        "integration.request.path.key": "method.request.path.key",
    }
    declared = {"method.request.path.bucket": True, "method.request.path.key": True}
    uri = "arn:aws:apigateway:us-east-1:s3:path/{bucket}/{key}"
    for verb in ("PUT", "GET"):
        aws_method(
            apigw,
            api_id,
            item,
            verb,
            uri,
            integration_verb=verb,
            parameters=params,
            method_parameters=declared,
            responses=(
                ("200", None, None),
                ("404", "404", {"application/json": '{"message": "no such object"}'}),
            ),
        )
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    return api_id, bucket


def test_s3_put_and_get_object(portico: RunningServer, s3_api: tuple[str, str], moto_url: str) -> None:
    api_id, bucket = s3_api
    url = f"{invoke_base(portico, api_id)}/{bucket}/notes%20one.txt"
    status, _, body = call(url, "PUT", b"first line\nsecond line", {"Content-Type": "text/plain"})
    assert status == 200, body
    stored = aws_client("s3", moto_url).get_object(Bucket=bucket, Key="notes one.txt")
    assert stored["Body"].read() == b"first line\nsecond line"
    status, _, body = call(url)
    assert (status, body) == (200, b"first line\nsecond line")


def test_s3_missing_object_maps_to_404(portico: RunningServer, s3_api: tuple[str, str]) -> None:
    api_id, bucket = s3_api
    status, _, body = call(f"{invoke_base(portico, api_id)}/{bucket}/absent.txt")
    assert (status, json.loads(body)) == (404, {"message": "no such object"})


def test_dynamodb_put_and_get_item(portico: RunningServer, apigw: Any, moto_url: str) -> None:
    table = f"t-{uuid.uuid4().hex[:8]}"
    dynamodb = aws_client("dynamodb", moto_url)
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    api_id, root = new_api(apigw)
    items = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    item = apigw.create_resource(restApiId=api_id, parentId=items, pathPart="{id}")["id"]
    put_template = (
        '{"TableName": "' + table + '", "Item": {"id": {"S": "$input.path(\'$.id\')"}, '
        '"name": {"S": "$input.path(\'$.name\')"}}}'
    )
    aws_method(
        apigw,
        api_id,
        items,
        "POST",
        "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
        templates={"application/json": put_template},
    )
    get_template = '{"TableName": "' + table + '", "Key": {"id": {"S": "$input.params(\'id\')"}}}'
    aws_method(
        apigw,
        api_id,
        item,
        "GET",
        "arn:aws:apigateway:us-east-1:dynamodb:action/GetItem",
        credentials="arn:aws:iam::*:user/*",  # caller's credentials: the configured "*" keys here
        parameters={"integration.request.header.X-Amz-Target": "'DynamoDB_20120810.GetItem'"},
        templates={"application/json": get_template},
        responses=(("200", None, {"application/json": '{"name": "$input.path(\'$.Item.name.S\')"}'}),),
    )
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    base = invoke_base(portico, api_id)
    status, _, body = call(
        base + "/items", "POST", b'{"id": "i-1", "name": "Ada"}', {"Content-Type": "application/json"}
    )
    assert (status, json.loads(body)) == (200, {})
    stored = dynamodb.get_item(TableName=table, Key={"id": {"S": "i-1"}})["Item"]
    assert stored == {"id": {"S": "i-1"}, "name": {"S": "Ada"}}
    status, _, body = call(base + "/items/i-1")
    assert (status, json.loads(body)) == (200, {"name": "Ada"})


def test_signed_request_scope_and_signature(portico: RunningServer, apigw: Any) -> None:
    Recorder.seen.clear()
    api_id, root = new_api(apigw)
    aws_method(
        apigw,
        api_id,
        root,
        "POST",
        "arn:aws:apigateway:eu-west-2:kinesis:action/PutRecord",
        parameters={"integration.request.header.Content-Type": "'application/x-amz-json-1.1'"},
        templates={"application/json": '{"StreamName": "s", "Data": "$util.base64Encode($input.body)"}'},
    )
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    status, _, body = call(
        invoke_base(portico, api_id) + "/", "POST", b"hi", {"Content-Type": "application/json"}
    )
    assert (status, json.loads(body)) == (200, {"recorded": True})
    (seen,) = Recorder.seen
    headers = dict(seen["headers"])
    assert seen["path"] == "/?Action=PutRecord"
    assert seen["body"] == b'{"StreamName": "s", "Data": "aGk="}'
    assert headers["X-Amz-Target"] == "Kinesis_20131202.PutRecord"
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert headers["User-Agent"] == f"AmazonAPIGateway_{api_id}"
    assert headers["Accept"] == "application/json"
    day = headers["X-Amz-Date"][:8]
    auth = headers["Authorization"]
    assert auth.startswith(f"AWS4-HMAC-SHA256 Credential={KEY}/{day}/eu-west-2/kinesis/aws4_request, ")
    # botocore's own signer, over what the backend received, at the same time, gives the same signature
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {"host", "x-amz-date", "x-amz-target", "content-type"} <= set(signed)
    request = AWSRequest(method="POST", url=f"http://{headers['Host']}{seen['path']}", data=seen["body"])
    for name, value in seen["headers"]:
        if name.lower() in signed and name.lower() not in ("x-amz-date",):
            request.headers[name] = value
    when = datetime.datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        SigV4Auth(Credentials(KEY, SECRET), "kinesis", "eu-west-2").add_auth(request)
    assert request.headers["Authorization"] == auth


def test_unreachable_service_is_a_network_error(portico: RunningServer, apigw: Any) -> None:
    api_id, root = new_api(apigw)
    aws_method(apigw, api_id, root, "POST", "arn:aws:apigateway:us-east-1:sns:action/Publish")
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    status, headers, body = call(
        invoke_base(portico, api_id) + "/", "POST", b"{}", {"Content-Type": "application/json"}
    )
    assert (status, json.loads(body)) == (504, {"message": "Network error communicating with endpoint"})
    assert headers["x-amzn-ErrorType"] == "InternalServerErrorException"


def test_slow_service_times_out(portico: RunningServer, apigw: Any) -> None:
    api_id, root = new_api(apigw)
    aws_method(apigw, api_id, root, "POST", "arn:aws:apigateway:us-east-1:kinesis:action/SlowAction")
    apigw.update_integration(
        restApiId=api_id,
        resourceId=root,
        httpMethod="POST",
        patchOperations=[{"op": "replace", "path": "/timeoutInMillis", "value": "100"}],
    )
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    status, _, body = call(
        invoke_base(portico, api_id) + "/", "POST", b"{}", {"Content-Type": "application/json"}
    )
    assert (status, json.loads(body)) == (504, {"message": "Endpoint request timed out"})


def test_action_without_name_is_a_configuration_error(portico: RunningServer, apigw: Any) -> None:
    api_id, root = new_api(apigw)
    aws_method(apigw, api_id, root, "POST", "arn:aws:apigateway:us-east-1:sqs:action/")
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    status, _, body = call(
        invoke_base(portico, api_id) + "/", "POST", b"{}", {"Content-Type": "application/json"}
    )
    assert (status, json.loads(body)) == (500, {"message": "Internal server error"})
