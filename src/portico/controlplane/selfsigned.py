"""Self-signed X.509 client certificates, as GenerateClientCertificate issues them (API Gateway
Developer Guide, "Generate and configure an SSL certificate for backend authentication").

RSA 2048 / SHA-256, valid from issue for 365 days; the private key stays with the gateway, which
presents the certificate when it calls an HTTP backend.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

VALIDITY = dt.timedelta(days=365)


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    certificate_pem: str
    private_key_pem: str
    not_before: dt.datetime
    not_after: dt.datetime


def issue(common_name: str, now: dt.datetime, validity: dt.timedelta = VALIDITY) -> IssuedCertificate:
    """A new key pair and a self-signed certificate for `common_name`, valid from `now`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    not_after = now + validity
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return IssuedCertificate(
        certificate.public_bytes(serialization.Encoding.PEM).decode(), key_pem.decode(), now, not_after
    )
