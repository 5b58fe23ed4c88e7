"""ClientCertificate operations (API Gateway REST API reference: GenerateClientCertificate ...
DeleteClientCertificate).

The certificate is a real self-signed X.509 certificate (`selfsigned.issue`); its private key is
kept in the document (`_privateKeyPem`, never returned) for the data plane's calls to backends.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from portico.controlplane.apidoc import paginate
from portico.controlplane.errors import NotFoundException
from portico.controlplane.fieldpatch import Field, apply_fields
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.selfsigned import issue
from portico.controlplane.tags import check_tags

KIND = "clientcertificate"
Doc = dict[str, Any]
_FIELDS = {"/description": Field(ops=("replace", "remove"))}


async def load_certificate(ctx: OpContext, cert_id: str) -> Doc:
    doc = await ctx.tx.get(KIND, "", cert_id)
    if doc is None:
        raise NotFoundException("Invalid Client Certificate identifier specified")
    return doc


def public(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


async def _new_id(ctx: OpContext) -> str:
    while True:
        cert_id = ctx.ids.short(6)
        if await ctx.tx.get(KIND, "", cert_id) is None:
            return cert_id


@APIGATEWAY.op("GenerateClientCertificate", write=True)
async def generate_client_certificate(ctx: OpContext, params: Params) -> Doc:
    check_tags(params.get("tags") or {})
    cert_id = await _new_id(ctx)
    now = dt.datetime.fromtimestamp(ctx.now(), dt.UTC)
    issued = await asyncio.to_thread(issue, f"portico-client-certificate-{cert_id}", now)
    doc: Doc = {
        "clientCertificateId": cert_id,
        "pemEncodedCertificate": issued.certificate_pem,
        "createdDate": int(issued.not_before.timestamp()),
        "expirationDate": int(issued.not_after.timestamp()),
        "_privateKeyPem": issued.private_key_pem,
    }
    for member in ("description", "tags"):
        if params.get(member) is not None:
            doc[member] = params[member]
    await ctx.tx.put(KIND, "", cert_id, doc)
    return public(doc)


@APIGATEWAY.op("GetClientCertificate", write=False)
async def get_client_certificate(ctx: OpContext, params: Params) -> Doc:
    return public(await load_certificate(ctx, params["clientCertificateId"]))


@APIGATEWAY.op("GetClientCertificates", write=False)
async def get_client_certificates(ctx: OpContext, params: Params) -> Doc:
    items = [public(d) for d in await ctx.tx.list(KIND)]
    return paginate(items, params.get("position"), params.get("limit"))


@APIGATEWAY.op("UpdateClientCertificate", write=True)
async def update_client_certificate(ctx: OpContext, params: Params) -> Doc:
    doc = await load_certificate(ctx, params["clientCertificateId"])
    updated = apply_fields(doc, params.get("patchOperations"), _FIELDS)
    await ctx.tx.put(KIND, "", updated["clientCertificateId"], updated)
    return public(updated)


@APIGATEWAY.op("DeleteClientCertificate", write=True)
async def delete_client_certificate(ctx: OpContext, params: Params) -> None:
    doc = await load_certificate(ctx, params["clientCertificateId"])
    await ctx.tx.delete(KIND, "", doc["clientCertificateId"])
    return None
