"""Lambda Invoke (AWS Lambda API Reference, "Invoke"): RequestResponse, Event (202), DryRun (204),
X-Amz-Function-Error, LogType=Tail. Runs outside any store transaction: the function host keeps
the configurations and the invocation may take up to the function's timeout."""

from __future__ import annotations

import base64
import binascii
import json

from portico.controlplane.lambda_common import (
    check_constraints,
    from_invoke_error,
    function_name,
    host_of,
)
from portico.controlplane.registry import LAMBDA, OpContext, Params
from portico.functions.invoker import REQUEST_RESPONSE, InvalidRequestContent, InvokeError
from portico.functions.reports import log_tail


def decode_client_context(value: str | None) -> str | None:
    """X-Amz-Client-Context is base64 of a JSON object; runtimes get the JSON text."""
    if value is None:
        return None
    try:
        text = base64.b64decode(value, validate=True).decode()
        if not isinstance(json.loads(text), dict):
            raise ValueError
    except (binascii.Error, ValueError):
        raise InvalidRequestContent("Client context must be a valid Base64-encoded JSON object.") from None
    return text


@LAMBDA.op("Invoke", write=False, transaction=False)
async def invoke(ctx: OpContext, params: Params) -> Params:
    check_constraints("Invoke", params)
    name = function_name(ctx, params["FunctionName"], params.get("Qualifier"))
    invocation_type = params.get("InvocationType") or REQUEST_RESPONSE
    try:
        result = await host_of(ctx).invoke(
            name,
            params.get("Payload") or b"",
            invocation_type=invocation_type,
            client_context=decode_client_context(params.get("ClientContext")),
            region=ctx.region,
        )
    except InvokeError as exc:
        raise from_invoke_error(exc) from None
    out: Params = {"StatusCode": result.status, "Payload": result.payload}
    if invocation_type == REQUEST_RESPONSE:
        out["ExecutedVersion"] = result.executed_version
        if result.function_error:
            out["FunctionError"] = result.function_error
        if params.get("LogType") == "Tail":
            out["LogResult"] = log_tail(result.log)
    return out
