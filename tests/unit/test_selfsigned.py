"""Self-signed client certificates (pure)."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from portico.controlplane.selfsigned import issue


def test_issue_is_a_self_signed_client_certificate_with_its_key():
    now = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    issued = issue("my-client", now)
    cert = x509.load_pem_x509_certificate(issued.certificate_pem.encode())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "my-client"
    assert cert.issuer == cert.subject
    assert cert.not_valid_before_utc == now and cert.not_valid_after_utc == now + dt.timedelta(days=365)
    assert issued.not_after == cert.not_valid_after_utc
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in usage
    cert.verify_directly_issued_by(cert)
    key = serialization.load_pem_private_key(issued.private_key_pem.encode(), password=None)
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()
