"""Rules of private custom domain names (Developer Guide: "Custom domain names for private APIs in API Gateway").

Pure functions shared by the DomainName operations (domains.py), the base path mappings and the
domain name access associations (domain_access.py): ARNs, the default `execute-api` policy, and the
documented limits of a PRIVATE domain name (no wildcard names, dualstack only, TLS_1_2 only, policies
are JSON documents).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from portico.controlplane.errors import BadRequestException

Doc = dict[str, Any]

PRIVATE = "PRIVATE"
ASSOCIATION_KIND = "domainnameaccessassociation"
INVALID_POLICY = (
    "Invalid policy document. Please check the policy syntax and ensure that Principals are valid."
)
_PRIVATE_ARN = re.compile(
    r"^arn:aws[a-z-]*:apigateway:([a-z0-9-]+):(\d{12}):/domainnames/([^/+]+)\+([a-z0-9]+)$"
)
_PUBLIC_ARN = re.compile(r"^arn:aws[a-z-]*:apigateway:[a-z0-9-]+::/domainnames/[^/+]+$")


@dataclass(frozen=True, slots=True)
class DomainArn:
    """The parts of a private custom domain name ARN (`.../domainnames/{name}+{id}`)."""

    region: str
    account: str
    name: str
    domain_id: str

    @property
    def key(self) -> str:
        return f"{self.name}+{self.domain_id}"


def is_private(doc: Doc) -> bool:
    return PRIVATE in ((doc.get("endpointConfiguration") or {}).get("types") or [])


def private_key(name: str, domain_id: str | None) -> str:
    """The store key of a domain name: `{name}+{id}` for a private one, the name otherwise."""
    return f"{name}+{domain_id}" if domain_id else name


def private_arn(region: str, account: str, name: str, domain_id: str) -> str:
    return f"arn:aws:apigateway:{region}:{account}:/domainnames/{name}+{domain_id}"


def parse_domain_arn(arn: str) -> DomainArn:
    """The parts of a private domain name ARN; a BadRequestException for anything else."""
    match = _PRIVATE_ARN.match(arn)
    if match is not None:
        return DomainArn(*match.groups())
    if _PUBLIC_ARN.match(arn):
        raise BadRequestException(
            f"Domain name access associations can only be created for private custom domain names: {arn}"
        )
    raise BadRequestException(f"Invalid domain name ARN specified: {arn}")


def association_arn(region: str, account: str, domain: DomainArn, source: str) -> str:
    return (
        f"arn:aws:apigateway:{region}:{account}:/domainnameaccessassociations/domainname/"
        f"{domain.key}/vpcesource/{source}"
    )


def deny_all_policy() -> str:
    """The `execute-api` policy API Gateway gives a private domain name created without one."""
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "execute-api:Invoke",
        "Resource": ["execute-api:/*"],
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, separators=(",", ":"))


def check_policy(text: Any) -> None:
    """A policy must be a JSON object with a Statement."""
    try:
        policy = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        policy = None
    if not isinstance(policy, dict) or "Statement" not in policy:
        raise BadRequestException(INVALID_POLICY)


def check_private(doc: Doc) -> None:
    """The documented limits of a PRIVATE domain name (after the common certificate checks)."""
    if str(doc["domainName"]).startswith("*."):
        raise BadRequestException(
            "Wildcard custom domain names aren't supported for private custom domain names"
        )
    ip_type = doc["endpointConfiguration"].get("ipAddressType")
    if ip_type != "dualstack":
        raise BadRequestException(
            f"Invalid ipAddressType '{ip_type}': private custom domain names support only dualstack"
        )
    if doc.get("securityPolicy") != "TLS_1_2":
        raise BadRequestException(
            f"Invalid security policy '{doc.get('securityPolicy')}': "
            "private custom domain names always use TLS_1_2"
        )
    for member in ("policy", "managementPolicy"):
        if member in doc:
            check_policy(doc[member])


def check_public(doc: Doc) -> None:
    """EDGE and REGIONAL domain names have no resource policies."""
    for member in ("policy", "managementPolicy"):
        if doc.get(member) is not None:
            raise BadRequestException(f"{member} is supported only for private custom domain names")
