"""SdkType operations through boto3 and the AWS CLI against a real server."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from .stage_helpers import aws_cli, error_of


def test_list(apigw):
    items = apigw.get_sdk_types(limit=500)["items"]
    assert [t["id"] for t in items] == ["android", "javascript", "objectivec", "swift", "java", "ruby"]
    android = items[0]
    assert android["friendlyName"] == "Android"
    assert [p["name"] for p in android["configurationProperties"]] == [
        "groupId",
        "invokerPackage",
        "artifactId",
        "artifactVersion",
    ]
    assert all(p["required"] for p in android["configurationProperties"])
    assert items[1]["configurationProperties"] == []


def test_get_one_and_aliases(apigw):
    java = apigw.get_sdk_type(id="java")
    required = [p["name"] for p in java["configurationProperties"] if p["required"]]
    assert required == ["serviceName", "javaPackageName"]
    assert apigw.get_sdk_type(id="ios-swift")["id"] == "swift"
    assert apigw.get_sdk_type(id="ios-objective-c")["configurationProperties"][0]["name"] == "classPrefix"
    ruby = apigw.get_sdk_type(id="ruby")
    assert [p["name"] for p in ruby["configurationProperties"] if p["required"]] == ["service.name"]
    with pytest.raises(ClientError) as exc:
        apigw.get_sdk_type(id="cobol")
    assert error_of(exc) == ("NotFoundException", "Invalid SDK type specified: cobol", 404)


def test_get_sdk_is_not_offered(apigw):
    with pytest.raises(ClientError) as exc:
        apigw.get_sdk(restApiId="abc", stageName="dev", sdkType="javascript")
    assert error_of(exc)[:1] == ("NotImplementedException",)


def test_aws_cli(server):
    listed = aws_cli(server, "get-sdk-types")
    assert len(listed["items"]) == 6
    assert aws_cli(server, "get-sdk-type", "--id", "javascript")["friendlyName"] == "JavaScript"
