"""TagResource / UntagResource / GetTags through boto3 and the AWS CLI against a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def api_arn(api_id: str, region: str = "us-east-1") -> str:
    return f"arn:aws:apigateway:{region}::/restapis/{api_id}"


def deployed_stage(apigw, api: dict, name: str) -> None:
    api_id, root = api["id"], api["rootResourceId"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api_id, stageName=name)


def test_tag_get_untag_rest_api(apigw, api):
    arn = api_arn(api["id"])
    assert apigw.get_tags(resourceArn=arn)["tags"] == {}
    apigw.tag_resource(resourceArn=arn, tags={"team": "payments", "env": "dev"})
    apigw.tag_resource(resourceArn=arn, tags={"env": "prod", "cost:center": "42"})
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"team": "payments", "env": "prod", "cost:center": "42"}
    assert apigw.get_rest_api(restApiId=api["id"])["tags"]["env"] == "prod"
    apigw.untag_resource(resourceArn=arn, tagKeys=["env", "absent"])
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"team": "payments", "cost:center": "42"}
    apigw.untag_resource(resourceArn=arn, tagKeys=["team", "cost:center"])
    assert apigw.get_tags(resourceArn=arn)["tags"] == {}
    assert "tags" not in apigw.get_rest_api(restApiId=api["id"])


def test_tags_given_at_creation_are_listed(apigw):
    created = apigw.create_rest_api(name="tagged", tags={"owner": "me"})
    try:
        assert apigw.get_tags(resourceArn=api_arn(created["id"]))["tags"] == {"owner": "me"}
    finally:
        apigw.delete_rest_api(restApiId=created["id"])


def test_stage_tags(apigw, api):
    deployed_stage(apigw, api, "dev")
    arn = f"{api_arn(api['id'])}/stages/dev"
    apigw.tag_resource(resourceArn=arn, tags={"tier": "gold"})
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"tier": "gold"}
    assert apigw.get_stage(restApiId=api["id"], stageName="dev")["tags"] == {"tier": "gold"}
    assert apigw.get_tags(resourceArn=api_arn(api["id"]))["tags"] == {}
    with pytest.raises(ClientError) as exc:
        apigw.get_tags(resourceArn=f"{api_arn(api['id'])}/stages/nope")
    assert error_of(exc) == ("NotFoundException", "Invalid Stage identifier specified", 404)


def test_unknown_resources_are_not_found(apigw):
    cases = [
        (api_arn("nosuchapi"), "Invalid API identifier specified 123456789012:nosuchapi"),
        (f"{api_arn('nosuchapi')}/stages/dev", "Invalid API identifier specified 123456789012:nosuchapi"),
        ("arn:aws:apigateway:us-east-1::/apikeys/nokey", "Invalid API Key identifier specified"),
        ("arn:aws:apigateway:us-east-1::/usageplans/noplan", "Invalid Usage Plan ID specified"),
        (
            "arn:aws:apigateway:us-east-1::/clientcertificates/nocert",
            "Invalid Client Certificate identifier specified",
        ),
    ]
    for arn, message in cases:
        with pytest.raises(ClientError) as exc:
            apigw.tag_resource(resourceArn=arn, tags={"a": "b"})
        assert error_of(exc) == ("NotFoundException", message, 404), arn


def test_resource_in_another_region_is_not_found(apigw, api):
    with pytest.raises(ClientError) as exc:
        apigw.get_tags(resourceArn=api_arn(api["id"], "eu-west-1"))
    assert error_of(exc)[0] == "NotFoundException"


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:s3:::bucket",
        "arn:aws:apigateway:us-east-1::/widgets/abc",
        "arn:aws:apigateway:us-east-1::/restapis/abc/resources/def",
        "arn:aws:apigateway:us-east-1::/restapis/",
        "not-an-arn",
    ],
)
def test_unknown_arn_format_is_bad_request(apigw, arn):
    with pytest.raises(ClientError) as exc:
        apigw.get_tags(resourceArn=arn)
    code, message, status = error_of(exc)
    assert (code, status) == ("BadRequestException", 400)
    assert message == f"Invalid ARN specified in the request: {arn}"


@pytest.mark.parametrize(
    ("key", "value"), [("aws:reserved", "x"), ("k" * 129, "x"), ("ok", "v" * 257), ("bad!", "x")]
)
def test_invalid_tags_rejected(apigw, api, key, value):
    arn = api_arn(api["id"])
    with pytest.raises(ClientError) as exc:
        apigw.tag_resource(resourceArn=arn, tags={"keep": "1", key: value})
    assert error_of(exc)[0] == "BadRequestException"
    assert apigw.get_tags(resourceArn=arn)["tags"] == {}


def test_at_most_fifty_tags(apigw, api):
    arn = api_arn(api["id"])
    apigw.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(50)})
    with pytest.raises(ClientError) as exc:
        apigw.tag_resource(resourceArn=arn, tags={"one-more": "v"})
    assert error_of(exc) == ("BadRequestException", "A resource can have at most 50 tags", 400)
    assert len(apigw.get_tags(resourceArn=arn)["tags"]) == 50


def test_cli_tag_resource(server, api):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": "/dev/null",
    }
    common = ["--endpoint-url", server.url, "--region", "us-east-1", "--output", "json"]
    cli = [sys.executable, "-m", "awscli", "apigateway"]
    arn = api_arn(api["id"])
    subprocess.run(
        [*cli, "tag-resource", "--resource-arn", arn, "--tags", "stack=web,owner=ops", *common],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    done = subprocess.run(
        [*cli, "get-tags", "--resource-arn", arn, *common],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(done.stdout) == {"tags": {"stack": "web", "owner": "ops"}}


def tagged_resources(apigw) -> list[tuple[str, str, object]]:
    """(ARN, id, cleanup) of one resource of every other taggable kind."""
    key = apigw.create_api_key(name="tag-key")["id"]
    plan = apigw.create_usage_plan(name="tag-plan")["id"]
    cert = apigw.generate_client_certificate()["clientCertificateId"]
    link = apigw.create_vpc_link(
        name="tag-link",
        targetArns=["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/n/1"],
    )["id"]
    domain = apigw.create_domain_name(
        domainName="tags.example.com", certificateArn="arn:aws:acm:us-east-1:123456789012:certificate/abc"
    )["domainName"]
    prefix = "arn:aws:apigateway:us-east-1::"
    return [
        (f"{prefix}/apikeys/{key}", key, lambda: apigw.delete_api_key(apiKey=key)),
        (f"{prefix}/usageplans/{plan}", plan, lambda: apigw.delete_usage_plan(usagePlanId=plan)),
        (
            f"{prefix}/clientcertificates/{cert}",
            cert,
            lambda: apigw.delete_client_certificate(clientCertificateId=cert),
        ),
        (f"{prefix}/vpclinks/{link}", link, lambda: apigw.delete_vpc_link(vpcLinkId=link)),
        (f"{prefix}/domainnames/{domain}", domain, lambda: apigw.delete_domain_name(domainName=domain)),
    ]


def test_other_resource_kinds(apigw):
    resources = tagged_resources(apigw)
    try:
        for arn, _, _ in resources:
            apigw.tag_resource(resourceArn=arn, tags={"kind": arn.split("/")[-2]})
            assert apigw.get_tags(resourceArn=arn)["tags"] == {"kind": arn.split("/")[-2]}, arn
            apigw.untag_resource(resourceArn=arn, tagKeys=["kind"])
            assert apigw.get_tags(resourceArn=arn)["tags"] == {}, arn
        key_arn, key_id, _ = resources[0]
        apigw.tag_resource(resourceArn=key_arn, tags={"owner": "me"})
        assert apigw.get_api_key(apiKey=key_id)["tags"] == {"owner": "me"}
    finally:
        for _, _, cleanup in resources:
            cleanup()
