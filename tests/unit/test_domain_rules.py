"""Custom domain name and base path rules (pure parts of domains / base_path_mappings)."""

from __future__ import annotations

import pytest

from portico.controlplane.base_path_mappings import normalise_base_path
from portico.controlplane.domains import check_domain
from portico.controlplane.errors import BadRequestException

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/x"


def domain(types: list[str], **extra: object) -> dict[str, object]:
    return {
        "domainName": "a.example.com",
        "endpointConfiguration": {"types": types},
        "securityPolicy": "TLS_1_2",
        **extra,
    }


def test_base_paths():
    assert normalise_base_path(None) == "(none)"
    assert normalise_base_path("") == "(none)"
    assert normalise_base_path("(none)") == "(none)"
    assert normalise_base_path("v1.0-beta_$") == "v1.0-beta_$"
    with pytest.raises(BadRequestException, match="slash character"):
        normalise_base_path("a/b")
    with pytest.raises(BadRequestException, match="only alphanumerics"):
        normalise_base_path("a b")


def test_endpoint_types_and_certificates():
    assert check_domain(domain(["EDGE"], certificateArn=CERT)) == "EDGE"
    assert check_domain(domain(["EDGE"], _certificateBody="-----BEGIN CERTIFICATE-----")) == "EDGE"
    assert check_domain(domain(["REGIONAL"], regionalCertificateArn=CERT)) == "REGIONAL"
    with pytest.raises(BadRequestException, match="exactly one endpoint type"):
        check_domain(domain(["EDGE", "REGIONAL"], certificateArn=CERT, regionalCertificateArn=CERT))
    with pytest.raises(BadRequestException, match="needs a certificate"):
        check_domain(domain(["REGIONAL"], certificateArn=CERT))


def test_mutual_tls_rules():
    mtls = {"truststoreUri": "file:///etc/portico/truststore.pem"}
    assert (
        check_domain(domain(["REGIONAL"], regionalCertificateArn=CERT, mutualTlsAuthentication=mtls))
        == "REGIONAL"
    )
    with pytest.raises(BadRequestException, match="requires the security policy TLS_1_2"):
        check_domain(
            domain(
                ["REGIONAL"],
                regionalCertificateArn=CERT,
                mutualTlsAuthentication=mtls,
                securityPolicy="TLS_1_0",
            )
        )
    with pytest.raises(BadRequestException, match="s3://"):
        check_domain(
            domain(
                ["REGIONAL"],
                regionalCertificateArn=CERT,
                mutualTlsAuthentication={"truststoreUri": "http://x"},
            )
        )
