"""Tag operations (API Gateway REST API reference: TagResource, UntagResource, GetTags).

Tags live in the tagged resource's own document under `tags`; the ARN names the document
(`arn:aws:apigateway:{region}::/restapis/{id}[/stages/{name}]`, `::/apikeys/{id}`, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portico.controlplane.apidoc import Doc
from portico.controlplane.errors import BadRequestException, NotFoundException
from portico.controlplane.registry import APIGATEWAY, OpContext, Params

_ARN = re.compile(r"^arn:aws[a-z-]*:apigateway:([a-z0-9-]+)::(/.+)$")
# Private custom domain names and their access associations have ARNs with an account id.
_ACCOUNT_ARN = re.compile(
    r"^arn:aws[a-z-]*:apigateway:([a-z0-9-]+):(\d{12}):/(domainnames/[^/]+\+[a-z0-9]+|domainnameaccessassociations/.+)$"
)
_TAG_KEY = re.compile(r"^[\w\s+\-=.:/@]{1,128}$")
_TAG_VALUE = re.compile(r"^[\w\s+\-=.:/@]{0,256}$")
MAX_TAGS = 50

# first path segment -> (document kind, NotFoundException message)
_TOP_LEVEL = {
    "restapis": ("restapi", "Invalid API identifier specified {account}:{id}"),
    "apikeys": ("apikey", "Invalid API Key identifier specified"),
    "usageplans": ("usageplan", "Invalid Usage Plan ID specified"),
    "domainnames": ("domainname", "Invalid domain name identifier specified"),
    "vpclinks": ("vpclink", "Invalid VPC link identifier specified"),
    "clientcertificates": ("clientcertificate", "Invalid Client Certificate identifier specified"),
}


@dataclass(frozen=True, slots=True)
class Target:
    """The document a taggable ARN names."""

    region: str
    kind: str
    scope: str
    key: str
    missing: str


def _account_target(arn: str, account_id: str) -> Target | None:
    match = _ACCOUNT_ARN.match(arn)
    if match is None:
        return None
    region, account, path = match.groups()
    region = region if account == account_id else ""  # another account's resource: never found
    if path.startswith("domainnames/"):
        return Target(region, "domainname", "", path.split("/", 1)[1], _TOP_LEVEL["domainnames"][1])
    message = "Invalid domain name access association identifier specified"
    return Target(region, "domainnameaccessassociation", "", arn, message)


def parse_arn(arn: str, account_id: str) -> Target:
    account_target = _account_target(arn, account_id)
    if account_target is not None:
        return account_target
    match = _ARN.match(arn)
    if match is None:
        raise BadRequestException(f"Invalid ARN specified in the request: {arn}")
    region, path = match.groups()
    parts = path[1:].split("/")
    if len(parts) == 4 and parts[0] == "restapis" and parts[2] == "stages" and parts[1] and parts[3]:
        return Target(region, "stage", parts[1], parts[3], "Invalid Stage identifier specified")
    if len(parts) == 2 and parts[0] in _TOP_LEVEL and parts[1]:
        kind, message = _TOP_LEVEL[parts[0]]
        return Target(region, kind, "", parts[1], message.format(account=account_id, id=parts[1]))
    raise BadRequestException(f"Invalid ARN specified in the request: {arn}")


async def _load(ctx: OpContext, arn: str) -> tuple[Target, Doc]:
    target = parse_arn(arn, ctx.account_id)
    doc = None
    if target.region == ctx.region:
        if target.kind == "stage" and await ctx.tx.get("restapi", "", target.scope) is None:
            raise NotFoundException(f"Invalid API identifier specified {ctx.account_id}:{target.scope}")
        doc = await ctx.tx.get(target.kind, target.scope, target.key)
    if doc is None:
        raise NotFoundException(target.missing)
    return target, doc


def check_tags(tags: dict[str, str]) -> None:
    for key, value in tags.items():
        if not _TAG_KEY.match(key) or key.lower().startswith("aws:"):
            raise BadRequestException(
                f"Invalid tag key '{key}': up to 128 characters of [a-zA-Z0-9 +-=._:/@], not starting with aws:"
            )
        if not _TAG_VALUE.match(value):
            raise BadRequestException(
                f"Invalid tag value for key '{key}': up to 256 characters of [a-zA-Z0-9 +-=._:/@]"
            )


@APIGATEWAY.op("TagResource", write=True)
async def tag_resource(ctx: OpContext, params: Params) -> None:
    target, doc = await _load(ctx, params["resourceArn"])
    check_tags(params["tags"])
    tags = {**(doc.get("tags") or {}), **params["tags"]}
    if len(tags) > MAX_TAGS:
        raise BadRequestException(f"A resource can have at most {MAX_TAGS} tags")
    doc["tags"] = tags
    await ctx.tx.put(target.kind, target.scope, target.key, doc)
    return None


@APIGATEWAY.op("UntagResource", write=True)
async def untag_resource(ctx: OpContext, params: Params) -> None:
    target, doc = await _load(ctx, params["resourceArn"])
    tags = {k: v for k, v in (doc.get("tags") or {}).items() if k not in set(params["tagKeys"])}
    if tags:
        doc["tags"] = tags
    else:
        doc.pop("tags", None)
    await ctx.tx.put(target.kind, target.scope, target.key, doc)
    return None


@APIGATEWAY.op("GetTags", write=False)
async def get_tags(ctx: OpContext, params: Params) -> Doc:
    _, doc = await _load(ctx, params["resourceArn"])
    return {"tags": dict(doc.get("tags") or {})}
