"""The method request validation stage (Developer Guide: "Request validation for REST APIs in API Gateway").

Runs the method's compiled validator (compile/validation.py): a missing or blank required parameter
fails with `BAD_REQUEST_PARAMETERS` (`Missing required request parameters: [a, b]`), a body that does
not match its model with `BAD_REQUEST_BODY` (`Invalid request body`); the detail goes to
`$context.error.validationErrorString`.
"""

from __future__ import annotations

from portico.compile.validation import body_errors
from portico.dataplane.errors import GatewayError
from portico.dataplane.invocation import Invocation


def validate_request(inv: Invocation) -> None:
    method = inv.method
    checks = inv.deployment.validators.get((method.resource_id, method.http_method)) if method else None
    if checks is None:
        return
    if checks.required:
        query = inv.query_multi() if checks.needs_query else {}
        missing = checks.missing(inv.path_params, query, inv.request.header_values)
        if missing:
            message = f"Missing required request parameters: [{', '.join(missing)}]"
            _fail(inv, GatewayError("BAD_REQUEST_PARAMETERS", message), message)
    if checks.validate_body:
        model = checks.model_for(inv.header("content-type"))
        errors = body_errors(model, inv.body) if model is not None else []
        if errors:
            _fail(inv, GatewayError("BAD_REQUEST_BODY", "Invalid request body"), f"[{', '.join(errors)}]")


def _fail(inv: Invocation, error: GatewayError, detail: str) -> None:
    error.validation_error = detail
    inv.validation_error = detail
    raise error
