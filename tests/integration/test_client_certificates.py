"""ClientCertificate operations through boto3 and the AWS CLI against a real server."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from .stage_helpers import aws_cli, error_of


def test_generate_real_certificate(apigw):
    created = apigw.generate_client_certificate(description="backend auth", tags={"k": "v"})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(created["clientCertificateId"]) == 6 and created["clientCertificateId"].isalnum()
    assert created["description"] == "backend auth" and created["tags"] == {"k": "v"}
    cert = x509.load_pem_x509_certificate(created["pemEncodedCertificate"].encode())
    assert cert.issuer == cert.subject
    assert isinstance(cert.public_key(), rsa.RSAPublicKey) and cert.public_key().key_size == 2048
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(days=365)
    assert created["expirationDate"] - created["createdDate"] == dt.timedelta(days=365)
    assert created["expirationDate"] == cert.not_valid_after_utc
    got = apigw.get_client_certificate(clientCertificateId=created["clientCertificateId"])
    assert got["pemEncodedCertificate"] == created["pemEncodedCertificate"]
    assert "privateKey" not in str(got)
    assert created["clientCertificateId"] in [
        c["clientCertificateId"] for c in apigw.get_client_certificates(limit=500)["items"]
    ]


def test_update_and_delete(apigw):
    created = apigw.generate_client_certificate()
    cert_id = created["clientCertificateId"]
    updated = apigw.update_client_certificate(
        clientCertificateId=cert_id,
        patchOperations=[{"op": "replace", "path": "/description", "value": "new"}],
    )
    assert updated["description"] == "new"
    assert updated["pemEncodedCertificate"] == created["pemEncodedCertificate"]
    with pytest.raises(ClientError) as exc:
        apigw.update_client_certificate(
            clientCertificateId=cert_id,
            patchOperations=[{"op": "replace", "path": "/pemEncodedCertificate", "value": "x"}],
        )
    assert error_of(exc)[1] == (
        "Invalid patch path  '/pemEncodedCertificate' specified for op 'replace'. Must be one of: [/description]"
    )
    assert (
        apigw.delete_client_certificate(clientCertificateId=cert_id)["ResponseMetadata"]["HTTPStatusCode"]
        == 202
    )
    for call in (apigw.get_client_certificate, apigw.delete_client_certificate):
        with pytest.raises(ClientError) as exc:
            call(clientCertificateId=cert_id)
        assert error_of(exc) == ("NotFoundException", "Invalid Client Certificate identifier specified", 404)


def test_aws_cli(server):
    created = aws_cli(server, "generate-client-certificate", "--description", "cli")
    assert created["pemEncodedCertificate"].startswith("-----BEGIN CERTIFICATE-----")
    listed = aws_cli(server, "get-client-certificates")
    assert created["clientCertificateId"] in [c["clientCertificateId"] for c in listed["items"]]
