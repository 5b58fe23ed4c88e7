"""Headers between API Gateway and an HTTP endpoint (Developer Guide: "Amazon API Gateway important
notes" — headers dropped, overwritten or remapped to `x-amzn-Remapped-*` for REST APIs).

Pure functions: the request head sent upstream (serialised with one join) and the response headers
passed back. HTTP_PROXY forwards the client's headers except hop-by-hop and gateway-owned ones and
adds `X-Amzn-Trace-Id`, `X-Forwarded-For/Port/Proto` and `X-Amzn-Apigateway-Api-Id`; the HTTP
(non-proxy) integration sends only mapped headers plus API Gateway's defaults (`Accept`,
`User-Agent: AmazonAPIGateway_{apiId}`, `X-Amzn-Apigateway-Api-Id`, `X-Amzn-Trace-Id`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from portico.wire import Headers

if TYPE_CHECKING:
    from portico.dataplane.invocation import Invocation
    from portico.integrations.http_plan import HttpPlan

# Request headers never forwarded (re-generated, hop-by-hop, or owned by the gateway).
DROPPED_REQUEST: Final = frozenset(
    {
        "host",
        "connection",
        "content-length",
        "content-md5",
        "expect",
        "keep-alive",
        "max-forwards",
        "proxy-authenticate",
        "proxy-connection",
        "server",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
        "www-authenticate",
        "x-amzn-trace-id",
        "x-amzn-apigateway-api-id",
        "x-forwarded-for",
        "x-forwarded-port",
        "x-forwarded-proto",
    }
)

_DROP: Final = 1
_REMAP: Final = 2
_KEEP: Final = 3  # what a name absent from a rule table gets
_HOP_BY_HOP = ("transfer-encoding", "keep-alive", "proxy-connection", "te", "trailer", "upgrade")
# HTTP_PROXY: the endpoint's response passes through, except these.
PROXY_RESPONSE: Final[dict[str, int]] = {
    **dict.fromkeys(_HOP_BY_HOP, _DROP),
    **dict.fromkeys(("via", "proxy-authenticate", "expect", "host"), _DROP),
    **dict.fromkeys(("connection", "content-length", "date", "server", "x-amzn-requestid"), _REMAP),
}
# HTTP (non-proxy): applied to the method response built by the integration response mapping.
MAPPED_RESPONSE: Final[dict[str, int]] = {
    "transfer-encoding": _DROP,
    **dict.fromkeys(
        (
            "connection",
            "content-length",
            "date",
            "server",
            "authorization",
            "content-md5",
            "expect",
            "host",
            "max-forwards",
            "proxy-authenticate",
            "trailer",
            "upgrade",
            "user-agent",
            "www-authenticate",
            "x-amzn-requestid",
        ),
        _REMAP,
    ),
}
_PROXY_RESPONSE_RAW: Final = {name.encode(): action for name, action in PROXY_RESPONSE.items()}
# The same rules by the names' usual spellings, and common names kept, matched without lower-casing.
_COMMON_KEPT = (
    "Content-Type", "Content-Encoding", "Cache-Control", "ETag", "Last-Modified", "Vary", "Set-Cookie",
    "Location", "Expires", "Accept-Ranges", "Access-Control-Allow-Origin", "Content-Language",
)  # fmt: skip
_PROXY_RESPONSE_EXACT: Final = {
    **{spelling: _KEEP for name in _COMMON_KEPT for spelling in (name, name.lower())},
    **PROXY_RESPONSE,
    **{name.title(): action for name, action in PROXY_RESPONSE.items()},
    "x-amzn-RequestId": _REMAP,
}
_CONNECTION_PLAIN: Final = frozenset({"keep-alive", "close", "", "content-length", "date", "server"})
_NO_BODY_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "TRACE"})
_ACCEPT_JSON: Final = "Accept: application/json\r\n"


def encode_head(text: str) -> bytes:
    try:
        return text.encode("latin-1")  # header values were decoded as Latin-1: round trip
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _tail(plan: HttpPlan, inv: Invocation, method: str, body: bytes, accept: bool, agent: bool) -> str:
    """API Gateway's own headers and the end of the head (one string built: this runs per request)."""
    length = f"Content-Length: {len(body)}\r\n" if body or method not in _NO_BODY_METHODS else ""
    return (
        f"{'' if accept else _ACCEPT_JSON}{'' if agent else plan.agent_line}X-Amzn-Trace-Id: {inv.trace_id}\r\n"
        f"{plan.api_id_line}{length}\r\n"
    )


def proxy_request_head(
    plan: HttpPlan, inv: Invocation, method: str, target: str, host: str, body: bytes
) -> bytes:
    """The HTTP_PROXY request line and headers: the client's headers, passed through."""
    request = inv.request
    parts = [method, " ", target, " HTTP/1.1\r\nHost: ", host, "\r\n"]
    mapped = plan.mapped_headers
    forwarded_for = ""
    accept = agent = False
    for name, value in request.headers:
        low = name.lower()
        if low in DROPPED_REQUEST or low in mapped:
            if low == "x-forwarded-for":
                forwarded_for = f"{value}, "
            continue
        if low == "accept":
            accept = True
        elif low == "user-agent":
            agent = True
        parts += (name, ": ", value, "\r\n")
    for name, source in plan.mappings.header:
        mapped_value = source(inv)
        if mapped_value is not None:
            parts += (name, ": ", mapped_value, "\r\n")
            accept = accept or name.lower() == "accept"
            agent = agent or name.lower() == "user-agent"
    parts.append(
        f"X-Forwarded-For: {forwarded_for}{request.client[0]}\r\n"
        f"X-Forwarded-Port: {request.server_port}\r\nX-Forwarded-Proto: {request.scheme}\r\n"
    )
    parts.append(_tail(plan, inv, method, body, accept, agent))
    return encode_head("".join(parts))


def mapped_request_head(
    plan: HttpPlan,
    inv: Invocation,
    method: str,
    target: str,
    host: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
) -> bytes:
    """The HTTP (non-proxy) request line and headers: the mapped headers and the defaults."""
    parts = [f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n"]
    accept = agent = content_type = False
    for name, value in headers:
        low = name.lower()
        if low in DROPPED_REQUEST:
            continue
        accept = accept or low == "accept"
        agent = agent or low == "user-agent"
        content_type = content_type or low == "content-type"
        parts.append(f"{name}: {value}\r\n")
    if not content_type and method not in _NO_BODY_METHODS:
        client_type = inv.request.header("content-type")
        if client_type:
            parts.append(f"Content-Type: {client_type}\r\n")
    parts.append(_tail(plan, inv, method, body, accept, agent))
    return encode_head("".join(parts))


def _connection_tokens(value: str) -> set[str]:
    return {t.strip().lower() for t in value.split(",")} - _CONNECTION_PLAIN


def _without(headers: Headers, listed: set[str]) -> Headers:
    """RFC 9110 7.6.1: headers named in `Connection` are hop-by-hop too."""
    return [(n, v) for n, v in headers if n.lower() not in listed]


def proxy_response_headers(raw: Iterable[tuple[bytes, bytes]], head: bool = False) -> Headers:
    """An HTTP_PROXY endpoint's response headers (as received) as the client gets them. A HEAD
    response keeps its `Content-Length` (the length a GET would have)."""
    out: Headers = []
    listed: set[str] = set()
    rules = _PROXY_RESPONSE_RAW
    for name, value in raw:
        lowered = name.lower()
        action = rules.get(lowered)
        if action is None or (head and lowered == b"content-length"):
            out.append((name.decode("latin-1"), value.decode("latin-1")))
        elif action == _REMAP:
            text = value.decode("latin-1")
            out.append(("x-amzn-Remapped-" + name.decode("latin-1"), text))
            if lowered == b"connection" and text.lower() not in _CONNECTION_PLAIN:
                listed |= _connection_tokens(text)
    return _without(out, listed) if listed else out


def proxy_response_head(section: str) -> str | None:
    """`proxy_response_headers` of an endpoint's header section as received (UpstreamResponse.head),
    serialised for wire.Response.head: kept lines pass through as received; None when the
    `Connection` header names further hop-by-hop headers (`proxy_response_headers` drops those).
    Not for HEAD: that keeps `Content-Length`. A line's fate is a function of the line alone, and
    an endpoint sends mostly the same lines (`Server`, `Content-Type`, ...): it is memoised."""
    out: list[str] = []
    memo = _LINE_MEMO
    for line in section.split("\r\n"):
        if not line:
            continue
        sent = memo.get(line)
        if sent is None:
            sent = _proxy_line(line)
            if sent is None:
                return None
            if len(memo) >= _LINE_MEMO_LIMIT:
                memo.clear()
            memo[line] = sent
        if sent:
            out.append(sent)
    out.append("")
    return "\r\n".join(out) if len(out) > 1 else ""


def _proxy_line(line: str) -> str | None:
    """One header line as the client gets it: as received, remapped, or dropped (""); None when it
    is a `Connection` header that names further hop-by-hop headers."""
    name = line[: line.find(":")]
    action = _PROXY_RESPONSE_EXACT.get(name, 0)
    if action == 0:
        action = PROXY_RESPONSE.get(name.lower(), _KEEP)
    if action == _KEEP:
        return line
    if action == _DROP:
        return ""
    connection = len(name) == 10 and name.lower() == "connection"
    if connection and line[11:].strip(" \t").lower() not in _CONNECTION_PLAIN:
        return None
    return "x-amzn-Remapped-" + line


_LINE_MEMO: Final[dict[str, str]] = {}
_LINE_MEMO_LIMIT: Final = 1024


def method_response_headers(headers: Iterable[tuple[str, str]]) -> Headers:
    """Remapping applied to the method response of an HTTP (non-proxy) integration."""
    out: Headers = []
    listed: set[str] = set()
    for header in headers:
        name = header[0]
        action = MAPPED_RESPONSE.get(name.lower())
        if action is None:
            out.append(header)
        elif action == _REMAP:
            out.append(("x-amzn-Remapped-" + name, header[1]))
            if name.lower() == "connection":
                listed |= _connection_tokens(header[1])
    return _without(out, listed) if listed else out
