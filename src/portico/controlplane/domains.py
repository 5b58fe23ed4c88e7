"""DomainName operations (API Gateway REST API reference: CreateDomainName ... DeleteDomainName).

EDGE, REGIONAL and PRIVATE custom domain names are supported. The generated CloudFront / regional
target names are unique per domain and only informative: the Portico data plane routes public custom
domains by `Host` and base path. A PRIVATE domain name ("Custom domain names for private APIs") gets a
`domainNameId`, is stored under `{name}+{id}` (so it may share its name with a public domain name and
with other private ones) and is named by `domainNameId` in Get/Update/Delete; it has an `execute-api`
`policy` (deny-all unless given) and an optional `managementPolicy`. There being no VPC endpoints
locally, the data plane does not serve private domain names. A certificate body and private
key given with the (deprecated) certificateBody/certificatePrivateKey members are kept so the
listener can serve the domain over TLS. A mutual TLS truststore may be an `s3://` URI (as on AWS)
or, locally, a `file://` URI.
"""

from __future__ import annotations

import re
from typing import Any

from portico.controlplane.apidoc import paginate
from portico.controlplane.domain_private import (
    ASSOCIATION_KIND,
    PRIVATE,
    check_private,
    check_public,
    deny_all_policy,
    private_arn,
    private_key,
)
from portico.controlplane.errors import BadRequestException, ConflictException, NotFoundException
from portico.controlplane.fieldpatch import Field, apply_field, parse_ops
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.spec import service_model
from portico.controlplane.tags import check_tags

KIND = "domainname"
MAPPING_KIND = "basepathmapping"
Doc = dict[str, Any]

EDGE_HOSTED_ZONE = "Z2FDTNDATAQYW2"
# Route 53 hosted zone ids of the execute-api regional endpoints (AWS General Reference).
REGIONAL_HOSTED_ZONES = {
    "us-east-2": "ZOJJZC49E0EPZ",
    "us-east-1": "Z1UJRXOUMOOFQ8",
    "us-west-1": "Z2MUQ32089INYE",
    "us-west-2": "Z2OJLYMUO9EFXC",
    "ap-south-1": "Z3VO1THU9YC4UR",
    "ap-northeast-3": "Z2YQB5RD63NC85",
    "ap-northeast-2": "Z20JF4UZKIW1U8",
    "ap-southeast-1": "ZL327KTPIQFUL",
    "ap-southeast-2": "Z2RPCDW04V8134",
    "ap-northeast-1": "Z1YSHQZHG15GKL",
    "ca-central-1": "Z19DQILCV0OWEC",
    "eu-central-1": "Z1U9ULNL0V5AJ3",
    "eu-west-1": "ZLY8HYME6SFDD",
    "eu-west-2": "ZJ5UAJN8Y3Z2Q",
    "eu-west-3": "Z3KY65QIEKYHQQ",
    "sa-east-1": "ZCMLWB8V5SYIT",
}
SECURITY_POLICIES = tuple(service_model("apigateway").shape_for("SecurityPolicy").enum)
_DOMAIN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE)
_TARGETS = (
    "regionalDomainName",
    "regionalHostedZoneId",
    "distributionDomainName",
    "distributionHostedZoneId",
)
_INPUT_ONLY = ("certificateBody", "certificatePrivateKey", "certificateChain")
_COPIED = (
    "certificateName",
    "certificateArn",
    "regionalCertificateName",
    "regionalCertificateArn",
    "ownershipVerificationCertificateArn",
    "endpointAccessMode",
    "tags",
    "policy",
)
FIELDS = {
    "/certificateName": Field(),
    "/certificateArn": Field(),
    "/regionalCertificateName": Field(),
    "/regionalCertificateArn": Field(),
    "/securityPolicy": Field(),
    "/endpointAccessMode": Field(),
    "/ownershipVerificationCertificateArn": Field(),
    "/endpointConfiguration/types/0": Field(),
    "/endpointConfiguration/ipAddressType": Field(),
    "/mutualTlsAuthentication": Field(ops=("remove",)),
    "/mutualTlsAuthentication/truststoreUri": Field(),
    "/mutualTlsAuthentication/truststoreVersion": Field(ops=("replace", "remove")),
    "/policy": Field(),
    "/managementPolicy": Field(ops=("replace", "remove")),
}


async def load_domain(ctx: OpContext, name: str, domain_id: str | None = None) -> Doc:
    """A public domain name, or with `domain_id` the private one of that name and id."""
    doc = await ctx.tx.get(KIND, "", private_key(name, domain_id))
    if doc is None:
        raise NotFoundException("Invalid domain name identifier specified")
    return doc


def domain_key(doc: Doc) -> str:
    """The store key (and base path mapping scope) of a domain name document."""
    return private_key(doc["domainName"], doc.get("domainNameId"))


def public(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def endpoint_type(doc: Doc) -> str:
    types = doc["endpointConfiguration"].get("types") or []
    if len(types) != 1:
        raise BadRequestException("A domain name must have exactly one endpoint type: EDGE or REGIONAL")
    if types[0] not in ("EDGE", "REGIONAL", PRIVATE):
        raise BadRequestException(f"Invalid endpoint type '{types[0]}': must be EDGE, REGIONAL or PRIVATE")
    return str(types[0])


def _check_certificate(doc: Doc, kind: str) -> None:
    if kind in ("EDGE", PRIVATE) and not (doc.get("certificateArn") or doc.get("_certificateBody")):
        article = "An" if kind == "EDGE" else "A"
        raise BadRequestException(f"{article} {kind} domain name needs a certificate: specify certificateArn")
    if kind == "REGIONAL" and not doc.get("regionalCertificateArn"):
        raise BadRequestException(
            "A REGIONAL domain name needs a certificate: specify regionalCertificateArn"
        )
    for member in ("certificateArn", "regionalCertificateArn", "ownershipVerificationCertificateArn"):
        if doc.get(member) and not str(doc[member]).startswith("arn:"):
            raise BadRequestException(f"Invalid {member} specified: {doc[member]}")


def _check_mtls(doc: Doc, kind: str) -> None:
    mtls = doc.get("mutualTlsAuthentication")
    if not mtls:
        return
    uri = str(mtls.get("truststoreUri") or "")
    if not uri.startswith(("s3://", "file://")):
        raise BadRequestException(f"Invalid truststoreUri '{uri}': it must be an s3:// (or file://) URI")
    if kind != "REGIONAL":
        raise BadRequestException("Mutual TLS authentication is supported only for REGIONAL domain names")
    if doc.get("securityPolicy") != "TLS_1_2":
        raise BadRequestException("Mutual TLS authentication requires the security policy TLS_1_2")


def check_domain(doc: Doc) -> str:
    kind = endpoint_type(doc)
    _check_certificate(doc, kind)
    _check_mtls(doc, kind)
    if doc.get("routingMode", "BASE_PATH_MAPPING_ONLY") != "BASE_PATH_MAPPING_ONLY":
        raise BadRequestException("Portico supports only the routing mode BASE_PATH_MAPPING_ONLY")
    if kind == PRIVATE:
        check_private(doc)
    else:
        check_public(doc)
    return kind


def derive_targets(ctx: OpContext, doc: Doc, kind: str) -> None:
    """Fill the generated target names of the domain's endpoint type, drop the other type's."""
    if kind == PRIVATE:
        for member in _TARGETS:
            doc.pop(member, None)
        doc.setdefault("certificateUploadDate", ctx.now())
    elif kind == "EDGE":
        for member in ("regionalDomainName", "regionalHostedZoneId"):
            doc.pop(member, None)
        doc.setdefault("distributionDomainName", f"d{ctx.ids.short(13)}.cloudfront.net")
        doc["distributionHostedZoneId"] = EDGE_HOSTED_ZONE
        doc.setdefault("certificateUploadDate", ctx.now())
    else:
        for member in ("distributionDomainName", "distributionHostedZoneId", "certificateUploadDate"):
            doc.pop(member, None)
        doc.setdefault("regionalDomainName", f"d-{ctx.ids.short(10)}.execute-api.{ctx.region}.amazonaws.com")
        doc["regionalHostedZoneId"] = REGIONAL_HOSTED_ZONES.get(ctx.region, "Z1UJRXOUMOOFQ8")


def new_domain(ctx: OpContext, params: Params) -> Doc:
    check_tags(params.get("tags") or {})
    name = str(params["domainName"])
    if not _DOMAIN.match(name) or len(name) > 253:
        raise BadRequestException(f"Invalid domain name '{name}'")
    endpoint = dict(params.get("endpointConfiguration") or {})
    endpoint.setdefault("types", ["EDGE"])
    endpoint.setdefault("ipAddressType", "dualstack" if PRIVATE in endpoint["types"] else "ipv4")
    doc: Doc = {
        "domainName": name,
        "domainNameArn": f"arn:aws:apigateway:{ctx.region}::/domainnames/{name}",
        "endpointConfiguration": endpoint,
        "domainNameStatus": "AVAILABLE",
        "securityPolicy": params.get("securityPolicy") or "TLS_1_2",
        "routingMode": params.get("routingMode") or "BASE_PATH_MAPPING_ONLY",
    }
    for member in _COPIED:
        if params.get(member) is not None:
            doc[member] = params[member]
    for member in _INPUT_ONLY:
        if params.get(member):
            doc["_" + member] = params[member]
    if params.get("mutualTlsAuthentication"):
        doc["mutualTlsAuthentication"] = {k: v for k, v in params["mutualTlsAuthentication"].items() if v}
    if PRIVATE in endpoint["types"]:
        doc["domainNameId"] = ctx.ids.short(10)
        doc["domainNameArn"] = private_arn(ctx.region, ctx.account_id, name, doc["domainNameId"])
        doc.setdefault("policy", deny_all_policy())
    return doc


@APIGATEWAY.op("CreateDomainName", write=True)
async def create_domain_name(ctx: OpContext, params: Params) -> Doc:
    doc = new_domain(ctx, params)
    if await ctx.tx.get(KIND, "", domain_key(doc)) is not None:
        raise ConflictException("The domain name you provided already exists.")
    derive_targets(ctx, doc, check_domain(doc))
    await ctx.tx.put(KIND, "", domain_key(doc), doc)
    return public(doc)


@APIGATEWAY.op("GetDomainName", write=False)
async def get_domain_name(ctx: OpContext, params: Params) -> Doc:
    return public(await load_domain(ctx, params["domainName"], params.get("domainNameId")))


@APIGATEWAY.op("GetDomainNames", write=False)
async def get_domain_names(ctx: OpContext, params: Params) -> Doc:
    # OTHER_ACCOUNTS: private domain names other accounts shared with this one; a Portico has one account.
    owned = params.get("resourceOwner") != "OTHER_ACCOUNTS"
    domains = [public(d) for d in await ctx.tx.list(KIND)] if owned else []
    return paginate(domains, params.get("position"), params.get("limit"))


@APIGATEWAY.op("UpdateDomainName", write=True)
async def update_domain_name(ctx: OpContext, params: Params) -> Doc:
    doc = await load_domain(ctx, params["domainName"], params.get("domainNameId"))
    was_private = doc.get("domainNameId") is not None
    for patch in parse_ops(params.get("patchOperations")):
        if patch.path == "/endpointConfiguration/types/0" and patch.op == "replace":
            doc["endpointConfiguration"]["types"] = [str(patch.value)]
        else:
            apply_field(doc, patch, FIELDS)
    if doc.get("securityPolicy") not in SECURITY_POLICIES:
        raise BadRequestException(f"Invalid security policy '{doc.get('securityPolicy')}'")
    if not (doc.get("mutualTlsAuthentication") or {}).get("truststoreUri"):
        doc.pop("mutualTlsAuthentication", None)
    if was_private != (endpoint_type(doc) == PRIVATE):
        raise BadRequestException(
            "The endpoint type of a domain name can't be changed between PRIVATE and EDGE or REGIONAL"
        )
    derive_targets(ctx, doc, check_domain(doc))
    await ctx.tx.put(KIND, "", domain_key(doc), doc)
    return public(doc)


@APIGATEWAY.op("DeleteDomainName", write=True)
async def delete_domain_name(ctx: OpContext, params: Params) -> None:
    doc = await load_domain(ctx, params["domainName"], params.get("domainNameId"))
    key = domain_key(doc)
    for mapping in await ctx.tx.list(MAPPING_KIND, key):
        await ctx.tx.delete(MAPPING_KIND, key, mapping["basePath"])
    for association in await ctx.tx.list(ASSOCIATION_KIND):
        if association["domainNameArn"] == doc["domainNameArn"]:
            await ctx.tx.delete(ASSOCIATION_KIND, "", association["domainNameAccessAssociationArn"])
    await ctx.tx.delete(KIND, "", key)
    return None
