"""Shared pieces of the Lambda control plane (AWS Lambda API Reference, "Common Errors" and the
error shapes of `lambda` 2015-03-31): typed errors, model-driven constraint checks, function
document lookup."""

from __future__ import annotations

import re
import time
import uuid
from functools import cache
from typing import Any

from portico.controlplane.errors import ApiError
from portico.controlplane.registry import OpContext, Params
from portico.controlplane.spec import service_model
from portico.functions.config import LATEST, function_arn, parse_function_ref
from portico.functions.invoker import InvokeError

KIND = "function"
Doc = dict[str, Any]


class ResourceNotFoundException(ApiError):
    code = "ResourceNotFoundException"
    status = 404


class ResourceConflictException(ApiError):
    code = "ResourceConflictException"
    status = 409


class InvalidParameterValueException(ApiError):
    code = "InvalidParameterValueException"
    status = 400


class ValidationException(ApiError):
    code = "ValidationException"
    status = 400


class PreconditionFailedException(ApiError):
    code = "PreconditionFailedException"
    status = 412


def from_invoke_error(exc: InvokeError) -> ApiError:
    return ApiError(exc.message, code=exc.code, status=exc.status)


def host_of(ctx: OpContext) -> Any:
    """The function host of the running Portico (app.py hands it over as `ctx.services`)."""
    host = getattr(ctx.services, "functions", None)
    if host is None:
        raise ApiError("The function host is not running", code="ServiceException", status=500)
    return host


# -- model constraints ----------------------------------------------------------------------


@cache
def _constraints(operation: str) -> tuple[tuple[str, str, dict[str, Any]], ...]:
    shape = service_model("lambda").operation_model(operation).input_shape
    found = []
    for name, member in shape.members.items():
        meta = {k: member.metadata[k] for k in ("min", "max", "pattern") if k in member.metadata}
        if meta and member.type_name in ("string", "integer", "long"):
            found.append((name, member.type_name, meta))
    return tuple(found)


def _violations(name: str, kind: str, meta: dict[str, Any], value: Any) -> list[str]:
    at = f"Value '{value}' at '{name[0].lower()}{name[1:]}' failed to satisfy constraint: Member must"
    out = []
    if kind == "string":
        if "min" in meta and len(value) < meta["min"]:
            out.append(f"{at} have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"{at} have length less than or equal to {meta['max']}")
        if "pattern" in meta and value and not re.fullmatch(meta["pattern"], value):
            out.append(f"{at} satisfy regular expression pattern: {meta['pattern']}")
    else:
        if "min" in meta and value < meta["min"]:
            out.append(f"{at} have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            out.append(f"{at} have value less than or equal to {meta['max']}")
    return out


def check_constraints(operation: str, params: Params) -> None:
    """Length, range and pattern constraints of the operation's top-level members, reported as
    Lambda's ValidationException does."""
    errors: list[str] = []
    for name, kind, meta in _constraints(operation):
        if params.get(name) is not None:
            errors.extend(_violations(name, kind, meta, params[name]))
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise ValidationException(f"{len(errors)} validation {noun} detected: " + "; ".join(errors))


# -- function documents ---------------------------------------------------------------------


def function_name(ctx: OpContext, value: str, qualifier: str | None = None) -> str:
    """The plain name behind a FunctionName (name or ARN); only `$LATEST` is a known qualifier."""
    ref = parse_function_ref(value)
    name = ref.name if ref else value
    qualifier = qualifier or (ref.qualifier if ref else None)
    if qualifier not in (None, LATEST):
        arn = function_arn(ctx.region, ctx.account_id, name)
        raise ResourceNotFoundException(f"Function not found: {arn}:{qualifier}")
    return name


async def load_function(ctx: OpContext, value: str, qualifier: str | None = None) -> Doc:
    name = function_name(ctx, value, qualifier)
    doc = await ctx.tx.get(KIND, "", name)
    if doc is None:
        raise ResourceNotFoundException(
            f"Function not found: {function_arn(ctx.region, ctx.account_id, name)}"
        )
    return doc


def last_modified(clock: float) -> str:
    """Lambda's LastModified: `2024-05-01T12:00:00.000+0000`."""
    millis = int(clock * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(clock)) + f".{millis:03d}+0000"


def touch(ctx: OpContext, doc: Doc) -> None:
    doc["LastModified"] = last_modified(ctx.clock())
    doc["RevisionId"] = str(uuid.uuid4())


def check_revision(doc: Doc, revision: str | None) -> None:
    if revision is not None and revision != doc.get("RevisionId"):
        raise PreconditionFailedException(
            "The Revision Id provided does not match the latest Revision Id. "
            "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
        )


def public(doc: Doc) -> Doc:
    """The FunctionConfiguration members of a stored document (private `_` keys dropped)."""
    return {k: v for k, v in doc.items() if not k.startswith("_") and k != "Tags"}
