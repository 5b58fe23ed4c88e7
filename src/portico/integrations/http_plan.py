"""HTTP and HTTP_PROXY integrations compiled once per deployment (Developer Guide: "Set up HTTP
integrations in API Gateway", "HTTP proxy integration", stage variables in integration URIs).

Pure data and functions, no I/O: the integration URI splits into literal text, `{param}` path
placeholders (filled through `integration.request.path.*` mappings) and `${stageVariables.x}`;
the origin and the `Host` header are precomputed when the scheme and authority are constant.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from portico.integrations.upstream_connection import Origin

if TYPE_CHECKING:
    from portico.dataplane.invocation import Invocation

Doc = dict[str, Any]
Source = Callable[["Invocation"], "str | None"]

LITERAL: Final = 0
PATH: Final = 1
STAGE: Final = 2
Piece = tuple[int, str]

_PLACEHOLDER = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_.-]+)\}|\{([^{}/?]+)\}")
_PATH_SAFE = re.compile(r"[A-Za-z0-9/._~!$&'()*+,;=:@-]*\Z").match
_QUERY_SAFE = re.compile(r"[A-Za-z0-9._~-]*\Z").match
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_MAX_DYNAMIC_ORIGINS: Final = 64


class PlanError(Exception):
    """The integration cannot be invoked as configured (rendered as API_CONFIGURATION_ERROR)."""


def _pieces(text: str) -> tuple[Piece, ...]:
    out: list[Piece] = []
    pos = 0
    for found in _PLACEHOLDER.finditer(text):
        if found.start() > pos:
            out.append((LITERAL, text[pos : found.start()]))
        out.append((STAGE, found.group(1)) if found.group(1) else (PATH, found.group(2)))
        pos = found.end()
    if pos < len(text):
        out.append((LITERAL, text[pos:]))
    return tuple(out)


def encode_path_value(value: str) -> str:
    if (value.isalnum() and value.isascii()) or _PATH_SAFE(value):
        return value
    return quote(value, safe="/!$&'()*+,;=:@")


def encode_query_value(value: str) -> str:
    return value if _QUERY_SAFE(value) else quote(value, safe="")


def _render(pieces: tuple[Piece, ...], params: dict[str, str], stage: dict[str, str], query: bool) -> str:
    out = []
    for kind, text in pieces:
        if kind == LITERAL:
            out.append(text)
        elif kind == STAGE:
            out.append(stage.get(text, ""))
        else:
            value = params.get(text)
            if value is None:
                out.append(quote("{" + text + "}", safe=""))  # unmapped: sent as written, like AWS
            else:
                out.append(encode_query_value(value) if query else encode_path_value(value))
    return "".join(out)


def parse_origin(base: str, verify: bool) -> tuple[Origin, str]:
    """`scheme://host[:port]` → (Origin, Host header value)."""
    scheme, sep, authority = base.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in _DEFAULT_PORTS or not authority or "@" in authority:
        raise PlanError(f"Invalid endpoint address: {base}")
    host, port = authority, _DEFAULT_PORTS[scheme]
    if authority.startswith("["):
        end = authority.find("]")
        host, rest = authority[1:end], authority[end + 1 :]
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
    elif ":" in authority:
        host, _, text = authority.rpartition(":")
        if not text.isdigit():
            raise PlanError(f"Invalid endpoint address: {base}")
        port = int(text)
    if not host or not 0 < port < 65536:
        raise PlanError(f"Invalid endpoint address: {base}")
    return Origin(scheme, host.lower(), port, verify), authority


@dataclass(frozen=True, slots=True)
class UriTemplate:
    base: tuple[Piece, ...]  # scheme://authority
    path: tuple[Piece, ...]
    query: tuple[Piece, ...]
    verify: bool
    origin: Origin | None = None  # precomputed when `base` is constant
    host: str = ""
    _dynamic: dict[str, tuple[Origin, str]] = field(default_factory=dict)

    def resolve_origin(self, stage: dict[str, str]) -> tuple[Origin, str]:
        if self.origin is not None:
            return self.origin, self.host
        base = _render(self.base, {}, stage, False)
        found = self._dynamic.get(base)
        if found is None:
            found = parse_origin(base, self.verify)
            if len(self._dynamic) >= _MAX_DYNAMIC_ORIGINS:
                self._dynamic.clear()
            self._dynamic[base] = found
        return found

    def target(self, params: dict[str, str], stage: dict[str, str], extra_query: str) -> str:
        """The request-target: path (with placeholders filled) and query string."""
        path = _render(self.path, params, stage, False) if self.path else "/"
        query = _render(self.query, params, stage, True) if self.query else ""
        if extra_query:
            query = f"{query}&{extra_query}" if query else extra_query
        return f"{path}?{query}" if query else path


def compile_uri(uri: str, verify: bool = True) -> UriTemplate:
    scheme, sep, rest = uri.partition("://")
    cut = len(rest)
    for mark in ("/", "?", "#"):
        at = rest.find(mark)
        if at != -1:
            cut = min(cut, at)
    authority, rest = rest[:cut], rest[cut:]
    rest = rest.partition("#")[0]
    path, _, query = rest.partition("?")
    base = _pieces(f"{scheme}{sep}{authority}")
    template = UriTemplate(base, _pieces(path), _pieces(query), verify)
    if all(kind == LITERAL for kind, _ in base):
        origin, host = parse_origin(f"{scheme}{sep}{authority}", verify)
        template = UriTemplate(base, template.path, template.query, verify, origin, host)
    return template


# -- requestParameters sources (Developer Guide: "Parameter mapping source reference") ------------


def _last(values: list[str]) -> str | None:
    return values[-1] if values else None


def _query_values(inv: Invocation, name: str) -> list[str]:
    return [v for k, v in inv.request.query_items() if k == name]


def _context_value(inv: Invocation, dotted: str) -> str | None:
    value: Any = inv.context()
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None or isinstance(value, dict):
        return None
    return str(value).lower() if isinstance(value, bool) else str(value)


def compile_source(expr: str) -> Source | None:
    """A mapping source expression → a function of the invocation (None: not available here)."""
    if len(expr) >= 2 and expr[0] == "'" and expr[-1] == "'":
        static = expr[1:-1]
        return lambda inv: static
    head, _, name = expr.partition(".request.")
    if head == "method" and name:
        where, _, key = name.partition(".")
        lkey = key.lower()
        table: dict[str, Source] = {
            "path": lambda inv: inv.path_params.get(key),
            "querystring": lambda inv: _last(_query_values(inv, key)),
            "multivaluequerystring": lambda inv: ",".join(_query_values(inv, key)) or None,
            "header": lambda inv: inv.request.header(lkey),
            "multivalueheader": lambda inv: ",".join(inv.request.header_values(lkey)) or None,
        }
        return table.get(where) if key else None
    if expr.startswith("stageVariables."):
        var = expr[len("stageVariables.") :]
        return lambda inv: inv.variables.get(var)
    if expr.startswith("context."):
        dotted = expr[len("context.") :]
        return lambda inv: _context_value(inv, dotted)
    return None


@dataclass(frozen=True, slots=True)
class Mappings:
    """`integration.request.{path,querystring,header}.*` mappings of an integration."""

    path: tuple[tuple[str, Source], ...] = ()
    query: tuple[tuple[str, Source], ...] = ()
    header: tuple[tuple[str, Source], ...] = ()

    def path_values(self, inv: Invocation) -> dict[str, str]:
        out = {}
        for name, source in self.path:
            value = source(inv)
            if value is not None:
                out[name] = value
        return out

    def query_string(self, inv: Invocation) -> str:
        parts = []
        for name, source in self.query:
            value = source(inv)
            if value is not None:
                parts.append(f"{encode_query_value(name)}={encode_query_value(value)}")
        return "&".join(parts)


def compile_mappings(request_parameters: dict[str, str] | None) -> Mappings:
    groups: dict[str, list[tuple[str, Source]]] = {"path": [], "querystring": [], "header": []}
    for target, expr in (request_parameters or {}).items():
        _, _, rest = target.partition("integration.request.")
        where, _, name = rest.partition(".")
        source = compile_source(expr)
        if where in groups and name and source is not None:
            groups[where].append((name, source))
    return Mappings(tuple(groups["path"]), tuple(groups["querystring"]), tuple(groups["header"]))


# -- the compiled integration ---------------------------------------------------------------------

DEFAULT_TIMEOUT_MS: Final = 29000


@dataclass(frozen=True, slots=True)
class HttpPlan:
    kind: str  # HTTP_PROXY | HTTP
    method: str | None  # None: the method of the request (integration method ANY)
    uri: UriTemplate | None  # None: invalid URI, `error` says why
    mappings: Mappings
    timeout: float  # seconds
    api_id: str
    forbidden_mapping: str = ""  # a header mapping AWS refuses at run time
    error: str = ""
    mapped_headers: frozenset[str] = frozenset()  # lower-cased names set by mappings
    agent_line: str = ""  # `User-Agent: AmazonAPIGateway_{apiId}` (sent unless the client's is)
    api_id_line: str = ""  # `X-Amzn-Apigateway-Api-Id: {apiId}`


# Headers a mapping may not set (Developer Guide: HTTP integrations; the request fails with 500).
FORBIDDEN_MAPPED_HEADERS: Final = frozenset(
    {"content-length", "transfer-encoding", "x-amzn-trace-id", "x-amzn-apigateway-api-id"}
)


def compile_http_plan(api_id: str, integration: Doc) -> HttpPlan:
    verb = str(integration.get("httpMethod") or "ANY").upper()
    mappings = compile_mappings(integration.get("requestParameters"))
    forbidden = next((n for n, _ in mappings.header if n.lower() in FORBIDDEN_MAPPED_HEADERS), "")
    verify = not (integration.get("tlsConfig") or {}).get("insecureSkipVerification", False)
    timeout = int(integration.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS) / 1000.0
    uri: UriTemplate | None = None
    error = ""
    try:
        uri = compile_uri(str(integration.get("uri") or ""), verify)
    except PlanError as exc:
        error = str(exc)
    return HttpPlan(
        str(integration.get("type")),
        None if verb == "ANY" else verb,
        uri,
        mappings,
        timeout,
        api_id,
        forbidden,
        error,
        frozenset(name.lower() for name, _ in mappings.header),
        f"User-Agent: AmazonAPIGateway_{api_id}\r\n",
        f"X-Amzn-Apigateway-Api-Id: {api_id}\r\n",
    )


def compile_http_plans(api: Doc) -> dict[tuple[str, str], HttpPlan]:
    """One plan per method with an HTTP or HTTP_PROXY integration, keyed by (resource id, verb)."""
    plans = {}
    api_id = str(api.get("id") or "")
    for res in (api.get("_resources") or {}).values():
        for verb, method in (res.get("resourceMethods") or {}).items():
            integration = method.get("methodIntegration") or {}
            if integration.get("type") in ("HTTP", "HTTP_PROXY"):
                plans[(res["id"], verb)] = compile_http_plan(api_id, integration)
    return plans
