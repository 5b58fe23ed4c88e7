"""VpcLink operations (REST APIs) through boto3 and the AWS CLI against a real server."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from .stage_helpers import aws_cli, error_of

NLB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/my-nlb/50dc6c495c0c9188"


def test_lifecycle(apigw):
    created = apigw.create_vpc_link(name="link", description="d", targetArns=[NLB], tags={"k": "v"})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert len(created["id"]) == 6 and created["id"].isalnum()
    assert (created["status"], created["statusMessage"]) == ("AVAILABLE", "Your vpc link is ready for use")
    assert created["targetArns"] == [NLB] and created["tags"] == {"k": "v"}
    got = apigw.get_vpc_link(vpcLinkId=created["id"])
    assert (got["name"], got["description"]) == ("link", "d")
    assert created["id"] in [v["id"] for v in apigw.get_vpc_links(limit=500)["items"]]
    updated = apigw.update_vpc_link(
        vpcLinkId=created["id"],
        patchOperations=[
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "replace", "path": "/description", "value": "new"},
        ],
    )
    assert (updated["name"], updated["description"]) == ("renamed", "new")
    assert apigw.get_vpc_link(vpcLinkId=created["id"])["name"] == "renamed"
    assert apigw.delete_vpc_link(vpcLinkId=created["id"])["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as exc:
        apigw.get_vpc_link(vpcLinkId=created["id"])
    assert error_of(exc) == ("NotFoundException", "Invalid VPC link identifier specified", 404)


def test_targets_must_be_one_nlb(apigw):
    alb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188"
    with pytest.raises(ClientError) as exc:
        apigw.create_vpc_link(name="x", targetArns=[NLB, NLB])
    assert error_of(exc) == (
        "BadRequestException",
        "A VPC link of a REST API must target exactly one Network Load Balancer ARN",
        400,
    )
    with pytest.raises(ClientError) as exc:
        apigw.create_vpc_link(name="x", targetArns=[alb])
    assert error_of(exc)[1] == f"Invalid target ARN '{alb}': it must be the ARN of a Network Load Balancer"
    with pytest.raises(ClientError) as exc:
        apigw.create_vpc_link(name="x", targetArns=[])
    assert error_of(exc)[0] == "BadRequestException"


def test_update_errors(apigw):
    link = apigw.create_vpc_link(name="link", targetArns=[NLB])
    with pytest.raises(ClientError) as exc:
        apigw.update_vpc_link(
            vpcLinkId=link["id"], patchOperations=[{"op": "replace", "path": "/targetArns", "value": NLB}]
        )
    assert error_of(exc)[1] == (
        "Invalid patch path  '/targetArns' specified for op 'replace'. Must be one of: [/name, /description]"
    )
    with pytest.raises(ClientError) as exc:
        apigw.update_vpc_link(vpcLinkId="nosuch", patchOperations=[])
    assert error_of(exc)[0] == "NotFoundException"
    for call in (apigw.get_vpc_link, apigw.delete_vpc_link):
        with pytest.raises(ClientError) as exc:
            call(vpcLinkId="nosuch")
        assert error_of(exc)[2] == 404


def test_aws_cli(server):
    created = aws_cli(server, "create-vpc-link", "--name", "cli-link", "--target-arns", NLB)
    assert created["status"] == "AVAILABLE" and created["targetArns"] == [NLB]
    got = aws_cli(server, "get-vpc-link", "--vpc-link-id", created["id"])
    assert got["name"] == "cli-link"
