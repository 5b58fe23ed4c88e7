"""DomainNameAccessAssociation operations (API Gateway REST API reference: CreateDomainNameAccessAssociation,
GetDomainNameAccessAssociations, DeleteDomainNameAccessAssociation, RejectDomainNameAccessAssociation).

Documents of kind `domainnameaccessassociation`, scope "", keyed by their ARN
(`arn:aws:apigateway:{region}:{account}:/domainnameaccessassociations/domainname/{name}+{id}/vpcesource/{vpce}`).
An association joins a VPC endpoint (the only source type, VPCE) to a private custom domain name.
A Portico serves one account: every association is owned by it and names one of its own private
domain names, so `resourceOwner=OTHER_ACCOUNTS` lists nothing and there is never another account's
association to reject (rejecting one of this account's own is refused, as AWS does: delete it instead).
"""

from __future__ import annotations

import re
from typing import Any

from portico.controlplane.apidoc import paginate
from portico.controlplane.domain_private import (
    ASSOCIATION_KIND,
    DomainArn,
    association_arn,
    parse_domain_arn,
)
from portico.controlplane.domains import KIND as DOMAIN_KIND
from portico.controlplane.errors import BadRequestException, ConflictException, NotFoundException
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.tags import check_tags

KIND = ASSOCIATION_KIND
Doc = dict[str, Any]

_VPCE = re.compile(r"^vpce-[a-z0-9]{1,32}$")
NOT_FOUND = "Invalid domain name access association identifier specified"


def public(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


async def load_private_domain(ctx: OpContext, arn: str) -> tuple[DomainArn, Doc]:
    """The private domain name an ARN names, in this account and region."""
    parsed = parse_domain_arn(arn)
    doc = None
    if parsed.region == ctx.region and parsed.account == ctx.account_id:
        doc = await ctx.tx.get(DOMAIN_KIND, "", parsed.key)
    if doc is None:
        raise NotFoundException("Invalid domain name identifier specified")
    return parsed, doc


def check_source(source_type: str, source: str) -> None:
    if source_type != "VPCE" or not _VPCE.match(source):
        raise BadRequestException(
            f"Invalid access association source '{source}': it must be a VPC endpoint ID (vpce-...)"
        )


async def check_unique_name(ctx: OpContext, domain: Doc, source: str) -> None:
    """A VPC endpoint can't reach two private domain names of the same name."""
    for other in await ctx.tx.list(KIND):
        if other["accessAssociationSource"] != source or other["_domainName"] != domain["domainName"]:
            continue
        raise ConflictException(
            f"VPC endpoint {source} is already associated with the private custom domain name "
            f"{other['domainNameArn']} of the same name; associate it with a different VPC endpoint"
        )


@APIGATEWAY.op("CreateDomainNameAccessAssociation", write=True)
async def create_domain_name_access_association(ctx: OpContext, params: Params) -> Doc:
    parsed, domain = await load_private_domain(ctx, params["domainNameArn"])
    source = str(params["accessAssociationSource"])
    check_source(params["accessAssociationSourceType"], source)
    check_tags(params.get("tags") or {})
    arn = association_arn(ctx.region, ctx.account_id, parsed, source)
    if await ctx.tx.get(KIND, "", arn) is not None:
        raise ConflictException(
            f"A domain name access association between {source} and {domain['domainNameArn']} already exists"
        )
    await check_unique_name(ctx, domain, source)
    doc: Doc = {
        "domainNameAccessAssociationArn": arn,
        "domainNameArn": domain["domainNameArn"],
        "accessAssociationSourceType": params["accessAssociationSourceType"],
        "accessAssociationSource": source,
        "_domainName": domain["domainName"],
    }
    if params.get("tags"):
        doc["tags"] = params["tags"]
    await ctx.tx.put(KIND, "", arn, doc)
    return public(doc)


@APIGATEWAY.op("GetDomainNameAccessAssociations", write=False)
async def get_domain_name_access_associations(ctx: OpContext, params: Params) -> Doc:
    owned = params.get("resourceOwner") != "OTHER_ACCOUNTS"
    items = [public(d) for d in await ctx.tx.list(KIND)] if owned else []
    return paginate(items, params.get("position"), params.get("limit"))


@APIGATEWAY.op("DeleteDomainNameAccessAssociation", write=True)
async def delete_domain_name_access_association(ctx: OpContext, params: Params) -> None:
    arn = params["domainNameAccessAssociationArn"]
    if not await ctx.tx.delete(KIND, "", arn):
        raise NotFoundException(NOT_FOUND)
    return None


@APIGATEWAY.op("RejectDomainNameAccessAssociation", write=True)
async def reject_domain_name_access_association(ctx: OpContext, params: Params) -> None:
    _, domain = await load_private_domain(ctx, params["domainNameArn"])
    association = await ctx.tx.get(KIND, "", params["domainNameAccessAssociationArn"])
    if association is None or association["domainNameArn"] != domain["domainNameArn"]:
        raise NotFoundException(NOT_FOUND)
    raise BadRequestException(
        "You can't reject a domain name access association in your own account: "
        "delete it with DeleteDomainNameAccessAssociation"
    )
