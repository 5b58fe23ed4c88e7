"""MOCK integrations (Developer Guide: "Mock integrations for REST APIs")."""

from __future__ import annotations

import re
from typing import Any

from portico.dataplane.errors import GatewayError
from portico.dataplane.invocation import Invocation
from portico.wire import Response

_STATUS = re.compile(r'"statusCode"\s*:\s*"?(\d{3})')


def mock_status(template: str | None) -> int:
    """The status a MOCK request template asks for (`{"statusCode": 200}`); 200 without one."""
    if not template:
        return 200
    found = _STATUS.search(template)
    return int(found.group(1)) if found else 200


def select_response(responses: dict[str, Any], status: str) -> dict[str, Any] | None:
    default = None
    for resp in responses.values():
        pattern = resp.get("selectionPattern")
        if not pattern:
            default = default or resp
        elif re.fullmatch(pattern, status, re.DOTALL):
            return resp
    return default


async def invoke_mock(inv: Invocation, integration: dict[str, Any]) -> Response:
    templates = integration.get("requestTemplates") or {}
    content_type = (inv.request.header("content-type") or "application/json").split(";")[0].strip()
    template = templates.get(content_type) or templates.get("application/json")
    status = mock_status(template)
    chosen = select_response(integration.get("integrationResponses") or {}, str(status))
    if chosen is None:
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error")
    out_templates = chosen.get("responseTemplates") or {}
    body = next(iter(out_templates.values()), "") or ""
    headers = [("Content-Type", next(iter(out_templates), "application/json"))]
    for name, source in (chosen.get("responseParameters") or {}).items():
        if name.startswith("method.response.header.") and source.startswith("'") and source.endswith("'"):
            headers.append((name[len("method.response.header.") :], source[1:-1]))
    return Response(int(chosen.get("statusCode") or status), headers, body.encode())
