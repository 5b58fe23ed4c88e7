"""Finding resources, methods and integrations of a REST API, and their output views.

API Gateway REST API reference (GetResource, GetMethod, GetIntegration, ...): the NotFound messages
AWS returns at each level, and the representation it returns (empty collections omitted).
"""

from __future__ import annotations

import copy
import re

from portico.controlplane.apidoc import KIND, Doc
from portico.controlplane.errors import ApiError, NotFoundException
from portico.controlplane.registry import OpContext, Params

RESOURCE_NOT_FOUND = "Invalid Resource identifier specified"
METHOD_NOT_FOUND = "Invalid Method identifier specified"
INTEGRATION_NOT_FOUND = "Invalid Integration identifier specified"
STATUS_NOT_FOUND = "Invalid Response status code specified"

_STATUS_CODE = re.compile(r"^[1-5]\d\d$")


async def load_resource(ctx: OpContext, params: Params) -> tuple[Doc, Doc]:
    """The API document and one of its resources; an unknown API reads as an unknown resource."""
    api = await ctx.tx.get(KIND, "", params["restApiId"])
    if api is None:
        raise NotFoundException(RESOURCE_NOT_FOUND)
    found = api["_resources"].get(params["resourceId"])
    if found is None:
        raise NotFoundException(RESOURCE_NOT_FOUND)
    return api, found


def find_method(res: Doc, http_method: str) -> Doc:
    found = (res.get("resourceMethods") or {}).get(http_method)
    if found is None:
        raise NotFoundException(METHOD_NOT_FOUND)
    return found


def find_integration(meth: Doc) -> Doc:
    found = meth.get("methodIntegration")
    if found is None:
        raise NotFoundException(INTEGRATION_NOT_FOUND)
    return found


def check_status_code(status_code: str) -> None:
    if not _STATUS_CODE.match(status_code):
        raise ApiError(
            f"1 validation error detected: Value '{status_code}' at 'statusCode' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d",
            code="ValidationException",
            status=400,
        )


def integration_view(integ: Doc) -> Doc:
    out = copy.deepcopy(integ)
    if not out.get("integrationResponses"):
        out.pop("integrationResponses", None)
    return out


def method_view(meth: Doc) -> Doc:
    out = copy.deepcopy(meth)
    if not out.get("methodResponses"):
        out.pop("methodResponses", None)
    if out.get("methodIntegration") is not None:
        out["methodIntegration"] = integration_view(out["methodIntegration"])
    return out


def resource_view(res: Doc, embed_methods: bool) -> Doc:
    """Without `embed=methods` AWS lists each method as an empty object."""
    out = {k: v for k, v in res.items() if k != "resourceMethods"}
    methods = res.get("resourceMethods") or {}
    if methods:
        out["resourceMethods"] = {
            verb: (method_view(m) if embed_methods else {}) for verb, m in sorted(methods.items())
        }
    return out
