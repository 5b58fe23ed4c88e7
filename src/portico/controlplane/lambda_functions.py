"""Lambda function operations (AWS Lambda API Reference: CreateFunction, GetFunction,
GetFunctionConfiguration, ListFunctions, UpdateFunctionCode, UpdateFunctionConfiguration,
DeleteFunction). Functions are documents of kind "function" (scope "", key the name); their code
lives in DATA_DIR/functions/NAME/SHA256/ or in a developer's directory (lambda_code.py)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from portico.controlplane.lambda_code import code_from_params, code_location
from portico.controlplane.lambda_common import (
    KIND,
    Doc,
    InvalidParameterValueException,
    ResourceConflictException,
    check_constraints,
    check_revision,
    function_name,
    load_function,
    public,
    touch,
)
from portico.controlplane.registry import LAMBDA, OpContext, Params
from portico.functions.config import LATEST, RESERVED_ENV, function_arn, runtime_family
from portico.functions.host import functions_root

log = logging.getLogger("portico.controlplane")

ENV_LIMIT = 4096
_CONFIG_MEMBERS = (
    "Role",
    "Handler",
    "Description",
    "Timeout",
    "MemorySize",
    "Runtime",
    "VpcConfig",
    "DeadLetterConfig",
    "KMSKeyArn",
    "TracingConfig",
    "EphemeralStorage",
    "LoggingConfig",
)


def check_environment(environment: dict[str, Any] | None) -> None:
    variables = (environment or {}).get("Variables") or {}
    reserved = sorted(k for k in variables if k in RESERVED_ENV)
    if reserved:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided contains reserved keys that are currently not supported for "
            f"modification. Reserved keys used in this request: {','.join(reserved)}"
        )
    if sum(len(k) + len(v) for k, v in variables.items()) > ENV_LIMIT:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided exceeded the 4KB limit."
        )


def _new_document(ctx: OpContext, name: str, params: Params) -> Doc:
    doc: Doc = {
        "FunctionName": name,
        "FunctionArn": function_arn(ctx.region, ctx.account_id, name),
        "Runtime": params["Runtime"],
        "Role": params["Role"],
        "Handler": params["Handler"],
        "Description": params.get("Description") or "",
        "Timeout": params.get("Timeout") or 3,
        "MemorySize": params.get("MemorySize") or 128,
        "Version": LATEST,
        "TracingConfig": params.get("TracingConfig") or {"Mode": "PassThrough"},
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": params.get("Architectures") or ["x86_64"],
        "EphemeralStorage": params.get("EphemeralStorage") or {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    for member in ("Environment", "VpcConfig", "DeadLetterConfig", "KMSKeyArn"):
        if params.get(member):
            doc[member] = params[member]
    if params.get("Layers"):
        log.warning("function %s: Portico does not apply layers %s", name, params["Layers"])
        doc["Layers"] = [{"Arn": arn, "CodeSize": 0} for arn in params["Layers"]]
    if params.get("Tags"):
        doc["Tags"] = params["Tags"]
    return doc


@LAMBDA.op("CreateFunction", write=True)
async def create_function(ctx: OpContext, params: Params) -> Doc:
    check_constraints("CreateFunction", params)
    name = function_name(ctx, params["FunctionName"])
    if await ctx.tx.get(KIND, "", name) is not None:
        raise ResourceConflictException(f"Function already exist: {name}")
    if (params.get("PackageType") or "Zip") == "Image":
        raise InvalidParameterValueException(
            "Portico does not run container image functions (PackageType Image)"
        )
    if not params.get("Runtime") or not params.get("Handler"):
        raise InvalidParameterValueException(
            "Runtime and Handler are mandatory parameters for functions created with deployment packages."
        )
    if runtime_family(params["Runtime"]) is None:
        log.warning("function %s: Portico cannot run %s functions", name, params["Runtime"])
    check_environment(params.get("Environment"))
    code = await asyncio.to_thread(code_from_params, functions_root(ctx.settings), name, params["Code"])
    doc = _new_document(ctx, name, params)
    doc.update({"CodeSha256": code.sha256, "CodeSize": code.size, "_code": code.stored()})
    touch(ctx, doc)
    await ctx.tx.put(KIND, "", name, doc)
    return public(doc)


@LAMBDA.op("GetFunction", write=False)
async def get_function(ctx: OpContext, params: Params) -> Doc:
    doc = await load_function(ctx, params["FunctionName"], params.get("Qualifier"))
    out: Doc = {
        "Configuration": public(doc),
        "Code": {
            "RepositoryType": "S3",
            "Location": code_location(functions_root(ctx.settings), doc["_code"]),
        },
    }
    if doc.get("Tags"):
        out["Tags"] = doc["Tags"]
    if doc.get("_reservedConcurrency") is not None:
        out["Concurrency"] = {"ReservedConcurrentExecutions": doc["_reservedConcurrency"]}
    return out


@LAMBDA.op("GetFunctionConfiguration", write=False)
async def get_function_configuration(ctx: OpContext, params: Params) -> Doc:
    return public(await load_function(ctx, params["FunctionName"], params.get("Qualifier")))


@LAMBDA.op("ListFunctions", write=False)
async def list_functions(ctx: OpContext, params: Params) -> Doc:
    docs = [public(doc) for doc in await ctx.tx.list(KIND)]
    docs.sort(key=lambda d: d["FunctionName"])
    marker = params.get("Marker")
    start = 0
    if marker:
        names = [d["FunctionName"] for d in docs]
        if marker not in names:
            raise InvalidParameterValueException(f"Invalid marker: {marker}")
        start = names.index(marker)
    limit = params.get("MaxItems") or 50
    if not 1 <= limit <= 10000:
        raise InvalidParameterValueException("MaxItems must be between 1 and 10000")
    page = docs[start : start + limit]
    out: Doc = {"Functions": page}
    if start + limit < len(docs):
        out["NextMarker"] = docs[start + limit]["FunctionName"]
    return out


@LAMBDA.op("UpdateFunctionCode", write=True)
async def update_function_code(ctx: OpContext, params: Params) -> Doc:
    doc = await load_function(ctx, params["FunctionName"])
    check_revision(doc, params.get("RevisionId"))
    root = functions_root(ctx.settings)
    code = await asyncio.to_thread(code_from_params, root, doc["FunctionName"], params)
    if params.get("DryRun"):
        return public({**doc, "CodeSha256": code.sha256, "CodeSize": code.size})
    doc.update({"CodeSha256": code.sha256, "CodeSize": code.size, "_code": code.stored()})
    if params.get("Architectures"):
        doc["Architectures"] = params["Architectures"]
    touch(ctx, doc)
    await ctx.tx.put(KIND, "", doc["FunctionName"], doc)
    return public(doc)


@LAMBDA.op("UpdateFunctionConfiguration", write=True)
async def update_function_configuration(ctx: OpContext, params: Params) -> Doc:
    check_constraints("UpdateFunctionConfiguration", params)
    doc = await load_function(ctx, params["FunctionName"])
    check_revision(doc, params.get("RevisionId"))
    for member in _CONFIG_MEMBERS:
        if params.get(member) is not None:
            doc[member] = params[member]
    if "Environment" in params:
        check_environment(params["Environment"])
        doc["Environment"] = {"Variables": (params["Environment"] or {}).get("Variables") or {}}
    if params.get("Layers") is not None:
        doc["Layers"] = [{"Arn": arn, "CodeSize": 0} for arn in params["Layers"]]
    touch(ctx, doc)
    await ctx.tx.put(KIND, "", doc["FunctionName"], doc)
    return public(doc)


@LAMBDA.op("DeleteFunction", write=True)
async def delete_function(ctx: OpContext, params: Params) -> Doc:
    doc = await load_function(ctx, params["FunctionName"], params.get("Qualifier"))
    await ctx.tx.delete(KIND, "", doc["FunctionName"])  # the host stops it and prunes its code
    return {"StatusCode": 204}
