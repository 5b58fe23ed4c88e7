"""Private custom domain names and domain name access associations through boto3 and the AWS CLI."""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .stage_helpers import aws_cli, deploy_stage, error_of

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
ACCOUNT = "123456789012"
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": ["execute-api:/*"],
            }
        ],
    }
)


def unique_domain() -> str:
    return f"private-{uuid.uuid4().hex[:8]}.example.com"


def create_private(apigw: Any, name: str, **kw: Any) -> dict[str, Any]:
    return apigw.create_domain_name(
        domainName=name, certificateArn=CERT, endpointConfiguration={"types": ["PRIVATE"]}, **kw
    )


def failure(call: Any, **kw: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as exc:
        call(**kw)
    return error_of(exc)


def vpce() -> str:
    return f"vpce-{uuid.uuid4().hex[:17]}"


@pytest.fixture
def private_api(apigw: Any) -> Iterator[dict[str, Any]]:
    created = apigw.create_rest_api(
        name=f"p-{uuid.uuid4().hex[:8]}",
        endpointConfiguration={"types": ["PRIVATE"], "ipAddressType": "dualstack"},
    )
    yield created
    with contextlib.suppress(apigw.exceptions.NotFoundException):
        apigw.delete_rest_api(restApiId=created["id"])


def test_private_domain_name(apigw):
    name = unique_domain()
    created = create_private(apigw, name, policy=POLICY, tags={"team": "a"})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    domain_id = created["domainNameId"]
    assert re.fullmatch(r"[a-z0-9]{10}", domain_id)
    assert (
        created["domainNameArn"] == f"arn:aws:apigateway:us-east-1:{ACCOUNT}:/domainnames/{name}+{domain_id}"
    )
    assert created["endpointConfiguration"] == {"types": ["PRIVATE"], "ipAddressType": "dualstack"}
    assert (created["policy"], created["securityPolicy"], created["domainNameStatus"]) == (
        POLICY,
        "TLS_1_2",
        "AVAILABLE",
    )
    assert created["routingMode"] == "BASE_PATH_MAPPING_ONLY" and "certificateUploadDate" in created
    for absent in ("distributionDomainName", "regionalDomainName", "managementPolicy"):
        assert absent not in created
    got = apigw.get_domain_name(domainName=name, domainNameId=domain_id)
    assert got["domainNameArn"] == created["domainNameArn"] and got["tags"] == {"team": "a"}
    assert failure(apigw.get_domain_name, domainName=name) == (
        "NotFoundException",
        "Invalid domain name identifier specified",
        404,
    )
    assert (
        failure(apigw.get_domain_name, domainName=name, domainNameId="nosuchid00")[0] == "NotFoundException"
    )
    listed = apigw.get_domain_names(limit=500)["items"]
    assert created["domainNameArn"] in [d["domainNameArn"] for d in listed]
    assert apigw.get_domain_names(resourceOwner="OTHER_ACCOUNTS").get("items", []) == []


def test_private_and_public_domain_names_share_a_name(apigw):
    name = unique_domain()
    public = apigw.create_domain_name(domainName=name, certificateArn=CERT)
    first = create_private(apigw, name)
    second = create_private(apigw, name)
    assert first["domainNameId"] != second["domainNameId"]
    assert apigw.get_domain_name(domainName=name)["domainNameArn"] == public["domainNameArn"]
    policy = json.loads(first["policy"])
    assert [s["Effect"] for s in policy["Statement"]] == ["Deny"]
    assert policy["Statement"][0]["Action"] == "execute-api:Invoke"
    deleted = apigw.delete_domain_name(domainName=name, domainNameId=first["domainNameId"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert failure(apigw.get_domain_name, domainName=name, domainNameId=first["domainNameId"])[2] == 404
    assert apigw.get_domain_name(domainName=name, domainNameId=second["domainNameId"])["domainName"] == name
    assert (
        apigw.get_domain_name(domainName=name)["distributionDomainName"] == public["distributionDomainName"]
    )


def test_update_private_domain_name(apigw):
    name = unique_domain()
    domain_id = create_private(apigw, name)["domainNameId"]
    management = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]},
                    "Action": "apigateway:CreateAccessAssociation",
                    "Resource": f"arn:aws:apigateway:us-east-1:{ACCOUNT}:/domainnames/{name}+{domain_id}",
                }
            ],
        }
    )
    updated = apigw.update_domain_name(
        domainName=name,
        domainNameId=domain_id,
        patchOperations=[
            {"op": "replace", "path": "/policy", "value": POLICY},
            {"op": "replace", "path": "/managementPolicy", "value": management},
            {"op": "replace", "path": "/certificateName", "value": "my-cert"},
        ],
    )
    assert (updated["policy"], updated["managementPolicy"], updated["certificateName"]) == (
        POLICY,
        management,
        "my-cert",
    )
    removed = apigw.update_domain_name(
        domainName=name,
        domainNameId=domain_id,
        patchOperations=[{"op": "remove", "path": "/managementPolicy"}],
    )
    assert "managementPolicy" not in removed and removed["policy"] == POLICY
    refused = [
        ({"op": "replace", "path": "/policy", "value": "not json"}, "Invalid policy document."),
        (
            {"op": "replace", "path": "/securityPolicy", "value": "TLS_1_0"},
            "Invalid security policy 'TLS_1_0'",
        ),
        (
            {"op": "replace", "path": "/endpointConfiguration/types/0", "value": "REGIONAL"},
            "The endpoint type",
        ),
        (
            {"op": "replace", "path": "/endpointConfiguration/ipAddressType", "value": "ipv4"},
            "Invalid ipAddressType",
        ),
    ]
    for patch, message in refused:
        code, text, status = failure(
            apigw.update_domain_name, domainName=name, domainNameId=domain_id, patchOperations=[patch]
        )
        assert (code, status) == ("BadRequestException", 400) and text.startswith(message), text
    assert apigw.get_domain_name(domainName=name, domainNameId=domain_id)["policy"] == POLICY
    assert failure(
        apigw.update_domain_name,
        domainName=name,
        patchOperations=[{"op": "replace", "path": "/policy", "value": POLICY}],
    )[0] == ("NotFoundException")


def test_private_domain_name_validation(apigw):
    base = {"certificateArn": CERT, "endpointConfiguration": {"types": ["PRIVATE"]}}
    cases = [
        (
            {**base, "domainName": "*.private.example.com"},
            "Wildcard custom domain names aren't supported for private custom domain names",
        ),
        (
            {
                **base,
                "domainName": unique_domain(),
                "endpointConfiguration": {"types": ["PRIVATE"], "ipAddressType": "ipv4"},
            },
            "Invalid ipAddressType 'ipv4': private custom domain names support only dualstack",
        ),
        (
            {**base, "domainName": unique_domain(), "securityPolicy": "TLS_1_0"},
            "Invalid security policy 'TLS_1_0': private custom domain names always use TLS_1_2",
        ),
        (
            {**base, "domainName": unique_domain(), "policy": "[1, 2]"},
            "Invalid policy document. Please check the policy syntax and ensure that Principals are valid.",
        ),
        (
            {"domainName": unique_domain(), "endpointConfiguration": {"types": ["PRIVATE"]}},
            "A PRIVATE domain name needs a certificate: specify certificateArn",
        ),
        (
            {"domainName": unique_domain(), "certificateArn": CERT, "policy": POLICY},
            "policy is supported only for private custom domain names",
        ),
    ]
    for params, message in cases:
        assert failure(apigw.create_domain_name, **params) == ("BadRequestException", message, 400)
    name = unique_domain()
    apigw.create_domain_name(domainName=name, certificateArn=CERT)
    for patch in (
        {"op": "replace", "path": "/endpointConfiguration/types/0", "value": "PRIVATE"},
        {"op": "replace", "path": "/managementPolicy", "value": POLICY},
    ):
        code, message, _ = failure(apigw.update_domain_name, domainName=name, patchOperations=[patch])
        assert code == "BadRequestException"
        assert message in (
            "The endpoint type of a domain name can't be changed between PRIVATE and EDGE or REGIONAL",
            "managementPolicy is supported only for private custom domain names",
        )


def test_private_base_path_mappings(apigw, api, private_api):
    name = unique_domain()
    domain_id = create_private(apigw, name)["domainNameId"]
    stage = deploy_stage(apigw, private_api)
    ids = {"domainName": name, "domainNameId": domain_id}
    created = apigw.create_base_path_mapping(**ids, restApiId=private_api["id"], stage=stage, basePath="v1")
    assert (created["basePath"], created["restApiId"], created["stage"]) == ("v1", private_api["id"], stage)
    assert apigw.get_base_path_mapping(**ids, basePath="v1")["restApiId"] == private_api["id"]
    assert [m["basePath"] for m in apigw.get_base_path_mappings(**ids)["items"]] == ["v1"]
    assert (
        failure(apigw.get_base_path_mappings, domainName=name)[1]
        == "Invalid domain name identifier specified"
    )
    assert failure(apigw.create_base_path_mapping, **ids, restApiId=api["id"], basePath="v2") == (
        "BadRequestException",
        "A private custom domain name can only be mapped to a PRIVATE REST API",
        400,
    )
    moved = apigw.update_base_path_mapping(
        **ids, basePath="v1", patchOperations=[{"op": "replace", "path": "/basePath", "value": "v3"}]
    )
    assert moved["basePath"] == "v3"
    apigw.delete_base_path_mapping(**ids, basePath="v3")
    apigw.create_base_path_mapping(**ids, restApiId=private_api["id"])
    apigw.delete_domain_name(**ids)
    domain_id = create_private(apigw, name)["domainNameId"]
    assert apigw.get_base_path_mappings(domainName=name, domainNameId=domain_id).get("items", []) == []


def test_domain_name_access_associations(apigw):
    name = unique_domain()
    domain = create_private(apigw, name)
    source = vpce()
    created = apigw.create_domain_name_access_association(
        domainNameArn=domain["domainNameArn"],
        accessAssociationSourceType="VPCE",
        accessAssociationSource=source,
        tags={"env": "dev"},
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    arn = (
        f"arn:aws:apigateway:us-east-1:{ACCOUNT}:/domainnameaccessassociations/domainname/"
        f"{name}+{domain['domainNameId']}/vpcesource/{source}"
    )
    expected = {
        "domainNameAccessAssociationArn": arn,
        "domainNameArn": domain["domainNameArn"],
        "accessAssociationSourceType": "VPCE",
        "accessAssociationSource": source,
        "tags": {"env": "dev"},
    }
    assert {k: v for k, v in created.items() if k != "ResponseMetadata"} == expected
    for owner in ({}, {"resourceOwner": "SELF"}):
        assert expected in apigw.get_domain_name_access_associations(limit=500, **owner)["items"]
    assert apigw.get_domain_name_access_associations(resourceOwner="OTHER_ACCOUNTS").get("items", []) == []
    apigw.tag_resource(resourceArn=arn, tags={"extra": "1"})
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"env": "dev", "extra": "1"}
    apigw.tag_resource(resourceArn=domain["domainNameArn"], tags={"owner": "me"})
    assert apigw.get_tags(resourceArn=domain["domainNameArn"])["tags"] == {"owner": "me"}
    other = apigw.create_domain_name_access_association(
        domainNameArn=domain["domainNameArn"],
        accessAssociationSourceType="VPCE",
        accessAssociationSource=vpce(),
    )
    assert other["domainNameAccessAssociationArn"] != arn
    deleted = apigw.delete_domain_name_access_association(domainNameAccessAssociationArn=arn)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    listed = apigw.get_domain_name_access_associations(limit=500)["items"]
    assert arn not in [a["domainNameAccessAssociationArn"] for a in listed]
    assert failure(apigw.delete_domain_name_access_association, domainNameAccessAssociationArn=arn) == (
        "NotFoundException",
        "Invalid domain name access association identifier specified",
        404,
    )
    apigw.delete_domain_name(domainName=name, domainNameId=domain["domainNameId"])
    listed = apigw.get_domain_name_access_associations(limit=500)["items"]
    assert other["domainNameAccessAssociationArn"] not in [
        a["domainNameAccessAssociationArn"] for a in listed
    ]


def test_access_association_errors(apigw):
    name = unique_domain()
    domain = create_private(apigw, name)
    source = vpce()

    def create(arn: str = domain["domainNameArn"], src: str = source) -> Any:
        return apigw.create_domain_name_access_association(
            domainNameArn=arn, accessAssociationSourceType="VPCE", accessAssociationSource=src
        )

    association = create()["domainNameAccessAssociationArn"]
    assert failure(create)[0:3:2] == ("ConflictException", 409)
    twin = create_private(apigw, name)
    code, message, _ = failure(create, arn=twin["domainNameArn"])
    assert code == "ConflictException" and message.startswith(f"VPC endpoint {source} is already associated")
    assert create(arn=twin["domainNameArn"], src=vpce())["domainNameArn"] == twin["domainNameArn"]
    public = apigw.create_domain_name(domainName=unique_domain(), certificateArn=CERT)
    missing = domain["domainNameArn"].replace(domain["domainNameId"], "nosuchid00")
    elsewhere = domain["domainNameArn"].replace(ACCOUNT, "111122223333")
    cases = [
        (
            {"arn": public["domainNameArn"]},
            (
                "BadRequestException",
                "Domain name access associations can only be created for private custom domain names: "
                + public["domainNameArn"],
                400,
            ),
        ),
        ({"arn": "nope"}, ("BadRequestException", "Invalid domain name ARN specified: nope", 400)),
        ({"arn": missing}, ("NotFoundException", "Invalid domain name identifier specified", 404)),
        ({"arn": elsewhere}, ("NotFoundException", "Invalid domain name identifier specified", 404)),
        (
            {"src": "vpc-123"},
            (
                "BadRequestException",
                "Invalid access association source 'vpc-123': it must be a VPC endpoint ID (vpce-...)",
                400,
            ),
        ),
    ]
    for kw, expected in cases:
        assert failure(create, **kw) == expected
    with pytest.raises(ClientError) as exc:
        apigw.create_domain_name_access_association(
            domainNameArn=domain["domainNameArn"],
            accessAssociationSourceType="VPC",
            accessAssociationSource=source,
        )
    assert "Member must satisfy enum value set" in error_of(exc)[1]
    assert failure(
        apigw.reject_domain_name_access_association,
        domainNameAccessAssociationArn=association,
        domainNameArn=domain["domainNameArn"],
    ) == (
        "BadRequestException",
        "You can't reject a domain name access association in your own account: "
        "delete it with DeleteDomainNameAccessAssociation",
        400,
    )
    assert failure(
        apigw.reject_domain_name_access_association,
        domainNameAccessAssociationArn=association,
        domainNameArn=twin["domainNameArn"],
    ) == ("NotFoundException", "Invalid domain name access association identifier specified", 404)
    assert failure(
        apigw.reject_domain_name_access_association,
        domainNameAccessAssociationArn=association,
        domainNameArn=missing,
    ) == ("NotFoundException", "Invalid domain name identifier specified", 404)


def test_aws_cli(server):
    name = unique_domain()
    domain = aws_cli(
        server,
        "create-domain-name",
        "--domain-name",
        name,
        "--certificate-arn",
        CERT,
        "--endpoint-configuration",
        '{"types":["PRIVATE"]}',
        "--policy",
        POLICY,
    )
    assert domain["domainNameArn"].endswith(f"/domainnames/{name}+{domain['domainNameId']}")
    source = vpce()
    association = aws_cli(
        server,
        "create-domain-name-access-association",
        "--domain-name-arn",
        domain["domainNameArn"],
        "--access-association-source",
        source,
        "--access-association-source-type",
        "VPCE",
    )
    arn = association["domainNameAccessAssociationArn"]
    assert arn.endswith(f"/vpcesource/{source}")
    listed = aws_cli(server, "get-domain-name-access-associations", "--resource-owner", "SELF")
    assert arn in [a["domainNameAccessAssociationArn"] for a in listed["items"]]
    assert (
        aws_cli(server, "delete-domain-name-access-association", "--domain-name-access-association-arn", arn)
        is None
    )
    got = aws_cli(
        server, "get-domain-name", "--domain-name", name, "--domain-name-id", domain["domainNameId"]
    )
    assert got["policy"] == POLICY
    assert (
        aws_cli(
            server, "delete-domain-name", "--domain-name", name, "--domain-name-id", domain["domainNameId"]
        )
        is None
    )
