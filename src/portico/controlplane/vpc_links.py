"""VpcLink operations of REST APIs (API Gateway REST API reference: CreateVpcLink ... DeleteVpcLink).

A REST API VPC link targets exactly one Network Load Balancer. There is no provisioning here: a
new link is AVAILABLE at once (AWS takes minutes and reports PENDING meanwhile).
"""

from __future__ import annotations

import re
from typing import Any

from portico.controlplane.apidoc import paginate
from portico.controlplane.errors import BadRequestException, NotFoundException
from portico.controlplane.fieldpatch import Field, apply_fields
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.tags import check_tags

KIND = "vpclink"
READY = "Your vpc link is ready for use"
Doc = dict[str, Any]

_NLB_ARN = re.compile(r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/net/[^/]+/[^/]+$")
_FIELDS = {"/name": Field(), "/description": Field(ops=("replace", "remove"))}


async def load_link(ctx: OpContext, link_id: str) -> Doc:
    doc = await ctx.tx.get(KIND, "", link_id)
    if doc is None:
        raise NotFoundException("Invalid VPC link identifier specified")
    return doc


def check_targets(arns: list[str]) -> None:
    if len(arns) != 1:
        raise BadRequestException(
            "A VPC link of a REST API must target exactly one Network Load Balancer ARN"
        )
    if not _NLB_ARN.match(arns[0]):
        raise BadRequestException(
            f"Invalid target ARN '{arns[0]}': it must be the ARN of a Network Load Balancer"
        )


async def _new_id(ctx: OpContext) -> str:
    while True:
        link_id = ctx.ids.short(6)
        if await ctx.tx.get(KIND, "", link_id) is None:
            return link_id


@APIGATEWAY.op("CreateVpcLink", write=True)
async def create_vpc_link(ctx: OpContext, params: Params) -> Doc:
    check_tags(params.get("tags") or {})
    if not str(params.get("name") or "").strip():
        raise BadRequestException("A VPC link name is required")
    check_targets(params.get("targetArns") or [])
    doc: Doc = {
        "id": await _new_id(ctx),
        "name": params["name"],
        "targetArns": params["targetArns"],
        "status": "AVAILABLE",
        "statusMessage": READY,
    }
    for member in ("description", "tags"):
        if params.get(member) is not None:
            doc[member] = params[member]
    await ctx.tx.put(KIND, "", doc["id"], doc)
    return doc


@APIGATEWAY.op("GetVpcLink", write=False)
async def get_vpc_link(ctx: OpContext, params: Params) -> Doc:
    return await load_link(ctx, params["vpcLinkId"])


@APIGATEWAY.op("GetVpcLinks", write=False)
async def get_vpc_links(ctx: OpContext, params: Params) -> Doc:
    return paginate(await ctx.tx.list(KIND), params.get("position"), params.get("limit"))


@APIGATEWAY.op("UpdateVpcLink", write=True)
async def update_vpc_link(ctx: OpContext, params: Params) -> Doc:
    doc = apply_fields(await load_link(ctx, params["vpcLinkId"]), params.get("patchOperations"), _FIELDS)
    if not str(doc.get("name") or "").strip():
        raise BadRequestException("A VPC link name is required")
    await ctx.tx.put(KIND, "", doc["id"], doc)
    return doc


@APIGATEWAY.op("DeleteVpcLink", write=True)
async def delete_vpc_link(ctx: OpContext, params: Params) -> None:
    doc = await load_link(ctx, params["vpcLinkId"])
    await ctx.tx.delete(KIND, "", doc["id"])
    return None
