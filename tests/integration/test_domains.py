"""DomainName and BasePathMapping operations through boto3 and the AWS CLI against a real server."""

from __future__ import annotations

import re
import uuid

import pytest
from botocore.exceptions import ClientError

from .stage_helpers import aws_cli, deploy_stage, error_of

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc"


def unique_domain() -> str:
    return f"api-{uuid.uuid4().hex[:8]}.example.com"


def test_edge_domain(apigw):
    name = unique_domain()
    created = apigw.create_domain_name(domainName=name, certificateArn=CERT, tags={"team": "a"})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["domainName"] == name
    assert created["domainNameArn"] == f"arn:aws:apigateway:us-east-1::/domainnames/{name}"
    assert created["endpointConfiguration"] == {"types": ["EDGE"], "ipAddressType": "ipv4"}
    assert re.fullmatch(r"d[a-z0-9]{13}\.cloudfront\.net", created["distributionDomainName"])
    assert created["distributionHostedZoneId"] == "Z2FDTNDATAQYW2"
    assert created["domainNameStatus"] == "AVAILABLE"
    assert created["securityPolicy"] == "TLS_1_2"
    assert created["certificateArn"] == CERT and "certificateUploadDate" in created
    assert "regionalDomainName" not in created
    assert created["tags"] == {"team": "a"}
    got = apigw.get_domain_name(domainName=name)
    assert got["distributionDomainName"] == created["distributionDomainName"]
    assert name in [d["domainName"] for d in apigw.get_domain_names(limit=500)["items"]]


def test_regional_domain_with_mtls(apigw):
    name = unique_domain()
    created = apigw.create_domain_name(
        domainName=name,
        regionalCertificateArn=CERT,
        endpointConfiguration={"types": ["REGIONAL"]},
        securityPolicy="TLS_1_2",
        mutualTlsAuthentication={"truststoreUri": "s3://bucket/truststore.pem", "truststoreVersion": "v1"},
    )
    assert re.fullmatch(
        r"d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com", created["regionalDomainName"]
    )
    assert created["regionalHostedZoneId"] == "Z1UJRXOUMOOFQ8"
    assert created["mutualTlsAuthentication"] == {
        "truststoreUri": "s3://bucket/truststore.pem",
        "truststoreVersion": "v1",
    }
    assert "distributionDomainName" not in created


def test_create_validation(apigw):
    cases = [
        ({"domainName": "not a domain", "certificateArn": CERT}, "Invalid domain name 'not a domain'"),
        ({"domainName": unique_domain()}, "An EDGE domain name needs a certificate: specify certificateArn"),
        (
            {
                "domainName": unique_domain(),
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "certificateArn": CERT,
            },
            "A REGIONAL domain name needs a certificate: specify regionalCertificateArn",
        ),
        (
            {
                "domainName": unique_domain(),
                "certificateArn": CERT,
                "mutualTlsAuthentication": {"truststoreUri": "s3://b/k"},
            },
            "Mutual TLS authentication is supported only for REGIONAL domain names",
        ),
        ({"domainName": unique_domain(), "certificateArn": "nope"}, "Invalid certificateArn specified: nope"),
    ]
    for params, message in cases:
        with pytest.raises(ClientError) as exc:
            apigw.create_domain_name(**params)
        assert error_of(exc) == ("BadRequestException", message, 400)
    with pytest.raises(ClientError) as exc:
        apigw.create_domain_name(domainName=unique_domain(), certificateArn=CERT, securityPolicy="TLS_9")
    assert "Member must satisfy enum value set" in error_of(exc)[1]


def test_duplicate_and_unknown(apigw):
    name = unique_domain()
    apigw.create_domain_name(domainName=name, certificateArn=CERT)
    with pytest.raises(ClientError) as exc:
        apigw.create_domain_name(domainName=name, certificateArn=CERT)
    assert error_of(exc) == ("ConflictException", "The domain name you provided already exists.", 409)
    for call in (apigw.get_domain_name, apigw.delete_domain_name, apigw.get_base_path_mappings):
        with pytest.raises(ClientError) as exc:
            call(domainName="nosuch.example.com")
        assert error_of(exc) == ("NotFoundException", "Invalid domain name identifier specified", 404)


def test_update_domain(apigw):
    name = unique_domain()
    edge = apigw.create_domain_name(domainName=name, certificateArn=CERT)
    updated = apigw.update_domain_name(
        domainName=name,
        patchOperations=[
            {"op": "replace", "path": "/certificateName", "value": "my-cert"},
            {"op": "replace", "path": "/securityPolicy", "value": "TLS_1_0"},
        ],
    )
    assert updated["certificateName"] == "my-cert" and updated["securityPolicy"] == "TLS_1_0"
    assert updated["distributionDomainName"] == edge["distributionDomainName"]
    regional = apigw.update_domain_name(
        domainName=name,
        patchOperations=[
            {"op": "replace", "path": "/endpointConfiguration/types/0", "value": "REGIONAL"},
            {"op": "replace", "path": "/regionalCertificateArn", "value": CERT},
        ],
    )
    assert regional["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert "regionalDomainName" in regional and "distributionDomainName" not in regional
    with pytest.raises(ClientError) as exc:
        apigw.update_domain_name(
            domainName=name, patchOperations=[{"op": "replace", "path": "/domainName", "value": "x"}]
        )
    assert error_of(exc)[1].startswith(
        "Invalid patch path  '/domainName' specified for op 'replace'. Must be one of:"
    )
    with pytest.raises(ClientError) as exc:
        apigw.update_domain_name(
            domainName=name, patchOperations=[{"op": "replace", "path": "/securityPolicy", "value": "TLS_9"}]
        )
    assert error_of(exc)[1] == "Invalid security policy 'TLS_9'"
    assert apigw.get_domain_name(domainName=name)["securityPolicy"] == "TLS_1_0"


def test_base_path_mappings(apigw, api):
    name = unique_domain()
    apigw.create_domain_name(domainName=name, certificateArn=CERT)
    stage = deploy_stage(apigw, api)
    root = apigw.create_base_path_mapping(domainName=name, restApiId=api["id"])
    assert root["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (root["basePath"], root["restApiId"], root.get("stage")) == ("(none)", api["id"], None)
    v1 = apigw.create_base_path_mapping(domainName=name, restApiId=api["id"], basePath="v1", stage=stage)
    assert (v1["basePath"], v1["stage"]) == ("v1", stage)
    got = apigw.get_base_path_mapping(domainName=name, basePath="(none)")
    assert got["restApiId"] == api["id"]
    listed = apigw.get_base_path_mappings(domainName=name)["items"]
    assert [m["basePath"] for m in listed] == ["(none)", "v1"]
    moved = apigw.update_base_path_mapping(
        domainName=name,
        basePath="v1",
        patchOperations=[
            {"op": "replace", "path": "/basePath", "value": "v2"},
            {"op": "replace", "path": "/stage", "value": ""},
        ],
    )
    assert (moved["basePath"], moved.get("stage")) == ("v2", None)
    with pytest.raises(ClientError) as exc:
        apigw.get_base_path_mapping(domainName=name, basePath="v1")
    assert error_of(exc) == ("NotFoundException", "Invalid base path mapping identifier specified", 404)
    staged = apigw.update_base_path_mapping(
        domainName=name, basePath="v2", patchOperations=[{"op": "replace", "path": "/stage", "value": stage}]
    )
    assert staged["stage"] == stage
    assert (
        apigw.delete_base_path_mapping(domainName=name, basePath="v2")["ResponseMetadata"]["HTTPStatusCode"]
        == 202
    )
    assert [m["basePath"] for m in apigw.get_base_path_mappings(domainName=name)["items"]] == ["(none)"]
    apigw.delete_domain_name(domainName=name)
    apigw.create_domain_name(domainName=name, certificateArn=CERT)
    assert apigw.get_base_path_mappings(domainName=name).get("items", []) == []


def test_base_path_mapping_errors(apigw, api):
    name = unique_domain()
    apigw.create_domain_name(domainName=name, certificateArn=CERT)
    stage = deploy_stage(apigw, api)
    apigw.create_base_path_mapping(domainName=name, restApiId=api["id"], basePath="v1")
    cases = [
        (
            {"restApiId": api["id"], "basePath": "v1"},
            ("ConflictException", "Base path already exists for this domain name", 409),
        ),
        ({"restApiId": "nosuchapi0"}, ("BadRequestException", "Invalid REST API identifier specified", 400)),
        (
            {"restApiId": api["id"], "stage": "nope"},
            ("BadRequestException", "Invalid stage identifier specified", 400),
        ),
        (
            {"restApiId": api["id"], "basePath": "a/b"},
            (
                "BadRequestException",
                "API Gateway V1 doesn't support the slash character (/) in base path mappings. "
                "To create a multi-level base path mapping, use API Gateway V2.",
                400,
            ),
        ),
    ]
    for params, expected in cases:
        with pytest.raises(ClientError) as exc:
            apigw.create_base_path_mapping(domainName=name, **params)
        assert error_of(exc) == expected
    with pytest.raises(ClientError) as exc:
        apigw.update_base_path_mapping(
            domainName=name,
            basePath="v1",
            patchOperations=[{"op": "replace", "path": "/restapiId", "value": "nosuchapi0"}],
        )
    assert error_of(exc)[1] == "Invalid REST API identifier specified"
    with pytest.raises(ClientError) as exc:
        apigw.update_base_path_mapping(
            domainName=name, basePath="v1", patchOperations=[{"op": "add", "path": "/stage", "value": stage}]
        )
    assert error_of(exc)[1] == (
        "Invalid patch path  '/stage' specified for op 'add'. Must be one of: [/basePath, /restapiId, /stage]"
    )
    with pytest.raises(ClientError) as exc:
        apigw.create_base_path_mapping(domainName="nosuch.example.com", restApiId=api["id"])
    assert error_of(exc)[1] == "Invalid domain name identifier specified"


def test_aws_cli(server):
    name = unique_domain()
    created = aws_cli(
        server,
        "create-domain-name",
        "--domain-name",
        name,
        "--regional-certificate-arn",
        CERT,
        "--endpoint-configuration",
        "types=REGIONAL",
    )
    assert created["domainName"] == name and created["endpointConfiguration"]["types"] == ["REGIONAL"]
    listed = aws_cli(server, "get-domain-names")
    assert name in [d["domainName"] for d in listed["items"]]
    assert aws_cli(server, "delete-domain-name", "--domain-name", name) is None
