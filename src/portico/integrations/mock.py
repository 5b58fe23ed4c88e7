"""MOCK integrations (Developer Guide: "Mock integrations for REST APIs in API Gateway").

The integration request (usually the rendered request template) must be a JSON object whose integer
`statusCode` selects the integration response; its payload is empty. Like API Gateway, the object is
read leniently (`{statusCode: 200}`, as CDK writes it, works). Without a `statusCode` the request fails
with 500 and the log line AWS writes ("Unable to parse statusCode...").
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Final

from portico.dataplane.integration_mapping import (
    configuration_error,
    constant_response,
    map_request,
    map_response,
    mapping_of,
)
from portico.dataplane.invocation import Invocation
from portico.wire import Response

_LENIENT_STATUS = re.compile(r"""(?:^|[{,\s])["']?statusCode["']?\s*:\s*["']?(\d+)""")
NO_STATUS = "Unable to parse statusCode. It should be an integer that is defined in the request template."


def mock_status(body: bytes) -> int | None:
    """The status code the MOCK integration request asks for, or None."""
    text = body.decode("utf-8", "replace").strip()
    try:
        document = json.loads(text)
    except ValueError:
        found = _LENIENT_STATUS.search(text)
        return int(found.group(1)) if found else None
    if not isinstance(document, dict):
        return None
    return _status(document.get("statusCode"))


# The status of a template without `$`/`#` is the same for every request: parsed once (the set of
# such templates is small, bounded by what API authors configured).
_constant_status = functools.lru_cache(maxsize=256)(mock_status)


def _status(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


_MEMO_LIMIT: Final = 32  # answers kept per method: one per (Content-Type, Accept, Content-Encoding) seen


def invoke_mock(inv: Invocation, integration: dict[str, Any]) -> Response:
    mapping = mapping_of(inv, integration)
    key = (inv.header("content-type"), inv.header("accept"), inv.header("content-encoding"))
    known = mapping.memo.get(key)
    if known is not None:  # a constant request template and a constant answer: computed before
        status, integration_status, headers, body = known
        inv.integration_status = integration_status
        return Response(status, list(headers), body)
    request = map_request(inv, integration)
    code = _constant_status(request.body) if request.constant_body else mock_status(request.body)
    if code is None:
        raise configuration_error(inv, NO_STATUS)
    inv.integration_status = str(code)
    response = map_response(inv, integration, code, [], b"")
    if request.constant_body and len(mapping.memo) < _MEMO_LIMIT and constant_response(inv, mapping, code):
        mapping.memo[key] = (response.status, str(code), tuple(response.headers), response.body)
    return response
