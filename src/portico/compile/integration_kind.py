"""Which integration a method's requests go to, decided once per deployment (dataplane/pipeline.py
dispatches on it). API Gateway's integration types (Developer Guide: "Set up an integration
request"), with AWS split into a Lambda function call — the URI
`arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations` ("Lambda
integrations for REST APIs") — and any other AWS service."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

LAMBDA_URI = re.compile(r"^arn:aws:apigateway:([^:]*):lambda:path/2015-03-31/functions/(.+)/invocations$")

# Final: the compiled pipeline (setup.py) inlines them instead of looking them up per request.
MOCK: Final = "MOCK"
LAMBDA_PROXY: Final = "LAMBDA_PROXY"  # AWS_PROXY to a Lambda function
LAMBDA: Final = "LAMBDA"  # AWS (non-proxy) to a Lambda function
AWS_SERVICE: Final = "AWS_SERVICE"  # AWS to another service (action or path)
HTTP: Final = "HTTP"  # HTTP and HTTP_PROXY


def integration_kind(integration: Mapping[str, Any] | None) -> str | None:
    """The kind of `integration` (a `methodIntegration`); None when requests cannot be sent
    anywhere (no integration, an unknown type, an AWS_PROXY that names no Lambda function)."""
    if not integration:
        return None
    kind = integration.get("type")
    uri = integration.get("uri") or ""
    if kind == "MOCK":
        return MOCK
    if kind == "HTTP" or kind == "HTTP_PROXY":
        return HTTP
    if kind == "AWS_PROXY":
        return LAMBDA_PROXY if LAMBDA_URI.match(uri) else None
    if kind == "AWS":
        if LAMBDA_URI.match(uri):
            return LAMBDA
        return AWS_SERVICE if ":lambda:path/" not in uri else None
    return None
