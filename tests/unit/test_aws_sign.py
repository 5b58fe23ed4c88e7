"""AWS service integration targets, start-up options and SigV4 signing (pure; no sockets)."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.config import Config
from botocore.credentials import ReadOnlyCredentials

from portico.integrations.aws_sign import (
    ServiceTarget,
    TargetError,
    endpoint_url,
    json_protocol,
    parse_credentials,
    parse_endpoints,
    parse_service_uri,
    sign,
    static_credentials,
)

NOW = datetime.datetime(2024, 5, 17, 12, 34, 56, tzinfo=datetime.UTC)
CREDS = ReadOnlyCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None)


def test_action_uri() -> None:
    target = parse_service_uri("arn:aws:apigateway:us-west-2:sqs:action/SendMessage")
    assert target == ServiceTarget("aws", "us-west-2", "sqs", "", "SendMessage", "/", "Action=SendMessage")


def test_action_uri_with_parameters() -> None:
    target = parse_service_uri("arn:aws:apigateway:us-west-2:s3:action/GetObject&Bucket={bucket}&Key={key}")
    assert target.action == "GetObject"
    assert target.query == "Action=GetObject&Bucket={bucket}&Key={key}"
    assert parse_service_uri("arn:aws:apigateway:eu-west-1:sns:action/Publish?TopicArn=x").query == (
        "Action=Publish&TopicArn=x"
    )


def test_path_uri() -> None:
    target = parse_service_uri("arn:aws:apigateway:us-east-1:s3:path/{bucket}/{key}")
    assert (target.service, target.action, target.path, target.query) == ("s3", "", "/{bucket}/{key}", "")
    lambda_like = parse_service_uri(
        "arn:aws:apigateway:us-east-1:lambda:path//2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations"
    )
    assert lambda_like.path == "/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations"
    with_query = parse_service_uri("arn:aws:apigateway:us-east-1:s3:path/{bucket}?list-type=2")
    assert (with_query.path, with_query.query) == ("/{bucket}", "list-type=2")


def test_subdomain() -> None:
    target = parse_service_uri("arn:aws:apigateway:us-east-1:runtime.sagemaker:path//endpoints/e/invocations")
    assert (target.subdomain, target.service, target.endpoint_key) == (
        "runtime",
        "sagemaker",
        "runtime.sagemaker",
    )
    dotted = parse_service_uri("arn:aws:apigateway:us-east-1:my.bucket.s3:path/key")
    assert (dotted.subdomain, dotted.service) == ("my.bucket", "s3")


@pytest.mark.parametrize(
    "uri",
    [
        "arn:aws:apigateway:us-east-1:sqs:SendMessage",
        "arn:aws:apigateway:us-east-1:sqs:invoke/SendMessage",
        "arn:aws:apigateway::sqs:action/SendMessage",
        "arn:aws:apigateway:us-east-1::action/SendMessage",
        "arn:aws:apigateway:us-east-1:sqs:action/",
        "arn:aws:lambda:us-east-1:sqs:action/SendMessage",
        "https://sqs.us-east-1.amazonaws.com/",
    ],
)
def test_bad_uris(uri: str) -> None:
    with pytest.raises(TargetError, match="must contain path or action"):
        parse_service_uri(uri)


def test_default_endpoints() -> None:
    sqs = parse_service_uri("arn:aws:apigateway:eu-west-1:sqs:action/SendMessage")
    assert endpoint_url(sqs, {}) == ("https://sqs.eu-west-1.amazonaws.com", "")
    sm = parse_service_uri("arn:aws:apigateway:us-east-1:runtime.sagemaker:path//endpoints/e/invocations")
    assert endpoint_url(sm, {}) == ("https://runtime.sagemaker.us-east-1.amazonaws.com", "")
    cn = parse_service_uri("arn:aws-cn:apigateway:cn-north-1:s3:path/b/k")
    assert endpoint_url(cn, {}) == ("https://s3.cn-north-1.amazonaws.com.cn", "")


def test_configured_endpoints() -> None:
    sqs = parse_service_uri("arn:aws:apigateway:eu-west-1:sqs:action/SendMessage")
    assert endpoint_url(sqs, {"sqs": "http://127.0.0.1:5000/"}) == ("http://127.0.0.1:5000", "")
    bucket = parse_service_uri("arn:aws:apigateway:us-east-1:photos.s3:path/cat.jpg")
    assert endpoint_url(bucket, {"s3": "http://localhost:9000"}) == ("http://localhost:9000", "/photos")
    assert endpoint_url(bucket, {"s3": "http://a:1", "photos.s3": "http://b:2"}) == ("http://b:2", "")
    sm = parse_service_uri("arn:aws:apigateway:us-east-1:runtime.sagemaker:path//endpoints/e/invocations")
    assert endpoint_url(sm, {"sagemaker": "http://sm:1"}) == ("http://sm:1", "")


def test_parse_endpoints() -> None:
    assert parse_endpoints(["sqs=http://127.0.0.1:1", "s3=http://a:2,dynamodb=https://d"]) == {
        "sqs": "http://127.0.0.1:1",
        "s3": "http://a:2",
        "dynamodb": "https://d",
    }
    with pytest.raises(ValueError, match="expected NAME=VALUE"):
        parse_endpoints(["sqs"])
    with pytest.raises(ValueError, match="expected http"):
        parse_endpoints(["sqs=127.0.0.1:1"])


def test_parse_credentials() -> None:
    role = "arn:aws:iam::123456789012:role/api-sqs"
    parsed = parse_credentials([f"{role}=AKIA1:secret/1+x", "*=AKIA2:s2:tok=en=="])
    assert parsed == {role: "AKIA1:secret/1+x", "*": "AKIA2:s2:tok=en=="}
    assert static_credentials(parsed["*"]) == ReadOnlyCredentials("AKIA2", "s2", "tok=en==")
    assert static_credentials(parsed[role]) == ReadOnlyCredentials("AKIA1", "secret/1+x", None)
    # IAM role names may contain "=": the split is at the "=" that starts KEY:SECRET
    assert parse_credentials(["arn:aws:iam::1:role/a=b=K:S"]) == {"arn:aws:iam::1:role/a=b": "K:S"}
    with pytest.raises(ValueError, match="ROLE_ARN=KEY:SECRET"):
        parse_credentials(["arn:aws:iam::1:role/r=KEYONLY"])


def test_json_protocol() -> None:
    assert json_protocol("dynamodb") == ("DynamoDB_20120810", "1.0")
    assert json_protocol("kinesis") == ("Kinesis_20131202", "1.1")
    assert json_protocol("states") == ("AWSStepFunctions", "1.0")
    assert json_protocol("sqs") is None  # query-compatible: Action=... still works
    assert json_protocol("sns") is None
    assert json_protocol("s3") is None
    assert json_protocol("no-such-service") is None


def test_sign_scope_and_headers() -> None:
    headers = sign(
        "POST",
        "https://sqs.eu-west-1.amazonaws.com/?Action=SendMessage",
        [("Content-Type", "application/x-www-form-urlencoded")],
        b"MessageBody=hi",
        CREDS,
        service="sqs",
        region="eu-west-1",
        now=NOW,
    )
    values = dict(headers)
    assert values["X-Amz-Date"] == "20240517T123456Z"
    auth = values["Authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240517/eu-west-1/sqs/aws4_request, ")
    assert "SignedHeaders=content-type;host;x-amz-date, Signature=" in auth
    assert "X-Amz-Security-Token" not in values


def test_sign_session_token_and_s3_payload_hash() -> None:
    creds = ReadOnlyCredentials("AKID", "secret", "session-token")
    headers = dict(
        sign("PUT", "http://127.0.0.1:9/b/k", [], b"data", creds, service="s3", region="us-east-1", now=NOW)
    )
    assert headers["X-Amz-Security-Token"] == "session-token"
    assert (
        headers["X-Amz-Content-SHA256"] == "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7"
    )
    assert "x-amz-content-sha256;x-amz-date;x-amz-security-token" in headers["Authorization"]


def test_naive_time_is_utc() -> None:
    naive = NOW.replace(tzinfo=None)
    args: Any = ("GET", "https://s3.us-east-1.amazonaws.com/b", [], b"", CREDS)
    assert sign(*args, service="s3", region="us-east-1", now=naive) == sign(
        *args, service="s3", region="us-east-1", now=NOW
    )


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


class _Captured(Exception):
    pass


def _botocore_signed(service: str, call: str, **params: Any) -> Any:
    """The request a real botocore client signs for `call`, at NOW (never sent)."""
    client = boto3.client(
        service,
        endpoint_url="http://127.0.0.1:9",
        region_name="eu-central-1",
        aws_access_key_id=CREDS.access_key,
        aws_secret_access_key=CREDS.secret_key,
        config=Config(retries={"max_attempts": 1}),
    )
    captured: list[Any] = []

    def capture(request: Any, **_: Any) -> None:
        captured.append(request)
        raise _Captured

    client.meta.events.register("before-send", capture)
    clock = mock.patch("botocore.auth.get_current_datetime", return_value=NOW.replace(tzinfo=None))
    with clock, pytest.raises(_Captured):
        getattr(client, call)(**params)
    return captured[0]


@pytest.mark.parametrize(
    ("service", "call", "params"),
    [
        ("dynamodb", "put_item", {"TableName": "t", "Item": {"id": {"S": "1"}}}),
        ("sns", "publish", {"TopicArn": "arn:aws:sns:eu-central-1:1:t", "Message": "héllo"}),
        ("s3", "put_object", {"Bucket": "b", "Key": "a b/c+d.txt", "Body": b"payload"}),
        ("s3", "list_objects_v2", {"Bucket": "b", "Prefix": "x y"}),
    ],
)
def test_signature_matches_botocore_client(service: str, call: str, params: dict[str, Any]) -> None:
    sent = _botocore_signed(service, call, **params)
    expected = _text(sent.headers["Authorization"])
    signed = set(expected.split("SignedHeaders=")[1].split(",")[0].split(";")) - {"host"}
    unsigned = [(k, _text(v)) for k, v in sent.headers.items() if k.lower() in signed]
    body = sent.body if isinstance(sent.body, bytes) else (sent.body or b"")
    ours = dict(
        sign(sent.method, sent.url, unsigned, body, CREDS, service=service, region="eu-central-1", now=NOW)
    )
    assert ours["Authorization"] == expected
