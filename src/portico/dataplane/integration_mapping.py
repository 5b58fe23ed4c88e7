"""Integration request and integration response of non-proxy integrations (Developer Guide: "Data
transformations for REST APIs": parameter mapping, mapping templates, passthrough behaviors, content
type conversions, payload compression, overrides).

`map_request(inv, integration)` turns the method request into the `IntegrationRequest` an integration
sends; `map_response(inv, integration, status, headers, body, error_message)` turns what the integration
answered into the method response. Both use the mapping compiled with the deployment
(compile/mapping.py). Proxy integrations get only the request parameter mappings, over the method
request passed through as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from portico.compile.mapping import CompiledTemplate, IntegrationMapping, ResponseMapping, compile_integration
from portico.dataplane.errors import GatewayError
from portico.dataplane.invocation import Invocation
from portico.mapping.content import (
    DECODE,
    ENCODE,
    ConversionError,
    UnsupportedEncoding,
    compress,
    conversion,
    decode,
    decompress,
    encode,
    is_binary,
    negotiate,
    should_compress,
)
from portico.mapping.parameters import (
    RESERVED_REQUEST_HEADERS,
    Values,
    evaluate,
    lower_multi,
    map_request_parameters,
)
from portico.mapping.selection import (
    UnsupportedMediaType,
    first_accept,
    media_type,
    select_request_template,
    select_response_template,
)
from portico.mapping.vtl import NO_OVERRIDES, Overrides, Rendered, TemplateError
from portico.mapping.vtl_input import RequestParams
from portico.wire import Headers, Response

log = logging.getLogger("portico.dataplane")


class IntegrationRequest:
    """What an integration sends: HTTP method, URI path parameters, query string, headers, body.
    Built for every mapped request: a plain class (wire.Request says why)."""

    __slots__ = ("body", "constant_body", "headers", "method", "overrides", "path_params", "query")

    def __init__(
        self,
        method: str,
        path_params: dict[str, str],
        query: dict[str, list[str]],
        headers: dict[str, list[str]],
        body: bytes,
        overrides: Overrides = NO_OVERRIDES,
        constant_body: bool = False,  # the body is the output of a template that has no $ nor #
    ) -> None:
        self.method = method
        self.path_params = path_params
        self.query = query
        self.headers = headers
        self.body = body
        self.overrides = overrides
        self.constant_body = constant_body


def where(inv: Invocation) -> str:
    method = inv.method
    resource = method.resource_path if method else "-"
    verb = method.http_method if method else inv.request.method
    return f"API {inv.target.api_id} stage {inv.target.stage} resource {resource} method {verb}"


def configuration_error(inv: Invocation, detail: str) -> GatewayError:
    """Log an API configuration error of this request; the GatewayError (500) to raise."""
    log.error("%s: Execution failed due to configuration error: %s", where(inv), detail)
    return GatewayError("API_CONFIGURATION_ERROR", "Internal server error")


def mapping_of(inv: Invocation, integration: dict) -> IntegrationMapping:
    """The compiled mapping of `integration` (the deployment's, else compiled now)."""
    method = inv.method
    if method is not None and method.integration is integration:
        compiled = inv.deployment.mapping.methods.get((method.resource_id, method.http_method))
        if compiled is not None:
            return compiled
    return compile_integration(integration, method.method if method else {})


class _LazyContext(Mapping[str, Any]):
    """`$context` of a request, built on first read: most mappings never read it."""

    __slots__ = ("_built", "_inv")

    def __init__(self, inv: Invocation) -> None:
        self._inv = inv
        self._built: dict[str, Any] | None = None

    def _context(self) -> dict[str, Any]:
        if self._built is None:
            self._built = self._inv.context()
        return self._built

    def __getitem__(self, key: str) -> Any:
        return self._context()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._context())

    def __len__(self) -> int:
        return len(self._context())


def request_params(inv: Invocation) -> RequestParams:
    """`$input.params()`: the method request's parameters (the last value of repeated ones)."""
    return RequestParams(
        path=inv.path_params,
        querystring=dict(inv.request.query_items()),
        header=dict(inv.request.headers),
    )


def _render(
    inv: Invocation, compiled: CompiledTemplate, which: str, body: bytes, context: Mapping[str, Any]
) -> Rendered | None:
    if compiled.error is not None:
        raise _template_error(inv, which, compiled.content_type, compiled.error)
    template = compiled.template
    if template is None:
        return None
    if template.constant is not None:
        return template.constant
    try:
        return template.render(
            body=body.decode("utf-8", "replace"),
            params=request_params(inv),
            context=context,
            stage_variables=inv.variables,
        )
    except TemplateError as exc:
        raise _template_error(inv, which, compiled.content_type, exc.message) from None


def _transform(
    inv: Invocation,
    compiled: CompiledTemplate | None,
    which: str,
    body: bytes,
    convert: str | None,
    context: Mapping[str, Any],
) -> tuple[bytes, Overrides]:
    """Content conversion and mapping template: base64-encode before the template, decode after it."""
    if convert == ENCODE:
        body = encode(body)
    overrides = NO_OVERRIDES
    if compiled is not None:
        rendered = _render(inv, compiled, which, body, context)
        if rendered is not None:
            body, overrides = rendered.text.encode(), rendered.overrides
    if convert == DECODE:
        try:
            body = decode(body)
        except ConversionError as exc:
            raise configuration_error(inv, str(exc)) from None
    return body, overrides


def _template_error(inv: Invocation, which: str, content_type: str, message: str) -> GatewayError:
    return configuration_error(inv, f"{which} mapping template for {content_type}: {message}")


def _set(headers: dict[str, list[str]], name: str, values: list[str]) -> None:
    lowered = name.lower()
    for key in [k for k in headers if k.lower() == lowered]:
        del headers[key]
    headers[name] = values


def _as_list(value: str | list[str]) -> list[str]:
    return list(value) if isinstance(value, list) else [value]


def _request_values(inv: Invocation, body: bytes, context: Mapping[str, Any]) -> Values:
    return Values(
        path=inv.path_params,
        query=inv.query_multi(),
        headers=lower_multi(inv.request.headers),
        body=body.decode("utf-8", "replace"),
        stage_variables=inv.variables,
        context=context,
    )


def _request_parameters(
    inv: Invocation, mapping: IntegrationMapping, body: bytes, context: Mapping[str, Any]
) -> tuple[dict[str, str], dict[str, list[str]], dict[str, list[str]]]:
    """The integration request's mapped (path, query string, headers)."""
    if not mapping.request_parameters:
        return {}, {}, {}
    return map_request_parameters(mapping.request_parameters, _request_values(inv, body, context))


def _integration_method(mapping: IntegrationMapping, inv: Invocation) -> str:
    verb = mapping.http_method
    return inv.request.method if not verb or verb == "ANY" else verb


def _proxy_request(inv: Invocation, mapping: IntegrationMapping) -> IntegrationRequest:
    path, query, headers = _request_parameters(inv, mapping, inv.body, _LazyContext(inv))
    passed: dict[str, list[str]] = {}
    for name, value in inv.request.headers:
        if name.lower() not in RESERVED_REQUEST_HEADERS:
            passed.setdefault(name, []).append(value)
    for name, mapped in headers.items():
        _set(passed, name, mapped)
    return IntegrationRequest(
        _integration_method(mapping, inv), path, {**inv.query_multi(), **query}, passed, inv.body
    )


def _decoded_body(inv: Invocation) -> bytes:
    try:
        return decompress(inv.body, inv.header("content-encoding"))
    except UnsupportedEncoding as exc:
        log.info("%s: %s", where(inv), exc)
        raise GatewayError("UNSUPPORTED_MEDIA_TYPE") from None


def map_request(inv: Invocation, integration: dict) -> IntegrationRequest:
    """The integration request of `inv` for `integration` (a method's `methodIntegration`)."""
    mapping = mapping_of(inv, integration)
    if mapping.error is not None:
        raise configuration_error(inv, mapping.error)
    if mapping.proxy:
        return _proxy_request(inv, mapping)
    raw = _decoded_body(inv)
    content_type = inv.header("content-type")
    try:
        key = select_request_template(mapping.request_templates, content_type, mapping.passthrough)
    except UnsupportedMediaType:
        raise GatewayError("UNSUPPORTED_MEDIA_TYPE") from None
    binary = is_binary(media_type(content_type), inv.deployment.mapping.binary_media_types)
    context = _LazyContext(inv)  # shared by the parameter mappings and the template, built if read
    path, query, headers = _request_parameters(inv, mapping, raw, context)
    compiled = mapping.request_templates.by_type[key] if key is not None else None
    convert = conversion(binary, binary, mapping.content_handling)
    body, overrides = _transform(inv, compiled, "Request", raw, convert, context)
    out_type = compiled.content_type if compiled is not None else content_type
    if out_type and not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = [out_type]
    if overrides is not NO_OVERRIDES:
        _apply_request_overrides(path, query, headers, overrides)
    constant = compiled is not None and compiled.constant
    return IntegrationRequest(
        _integration_method(mapping, inv), path, query, headers, body, overrides, constant
    )


def _apply_request_overrides(
    path: dict[str, str], query: dict[str, list[str]], headers: dict[str, list[str]], overrides: Overrides
) -> None:
    path.update(overrides.request_path)
    for name, value in overrides.request_querystring.items():
        query[name] = _as_list(value)
    for name, value in overrides.request_header.items():
        _set(headers, name, _as_list(value))


def _select(inv: Invocation, mapping: IntegrationMapping, status: int, error: str | None) -> ResponseMapping:
    subject = (error or "") if mapping.lambda_function else str(status)
    chosen = mapping.responses.select(subject)
    if chosen is None:
        raise configuration_error(
            inv,
            "No match for output mapping and no default output mapping configured. "
            f"Endpoint Response Status Code: {status}",
        )
    if chosen.error is not None:
        raise configuration_error(inv, chosen.error)
    return chosen


def _header_value(headers: Headers, name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers if k.lower() == lowered), None)


def map_response(
    inv: Invocation,
    integration: dict,
    status: int,
    headers: Headers,
    body: bytes,
    error_message: str | None = None,
) -> Response:
    """The method response for what the integration answered (status, headers, body; for Lambda
    integrations the function's `errorMessage` when it failed)."""
    mapping = mapping_of(inv, integration)
    chosen = _select(inv, mapping, status, error_message)
    accept = inv.header("accept")
    binary_types = inv.deployment.mapping.binary_media_types
    payload_binary = is_binary(media_type(_header_value(headers, "content-type")), binary_types)
    convert = conversion(
        payload_binary, is_binary(first_accept(accept), binary_types), chosen.content_handling
    )
    key = select_response_template(chosen.templates, accept)
    compiled = chosen.templates.by_type[key] if key is not None else None
    context = _LazyContext(inv)  # shared by the template and the parameter mappings, built if read
    out, overrides = _transform(inv, compiled, "Response", body, convert, context)
    content_type = compiled.content_type if compiled is not None else chosen.model_content_type
    out_headers: dict[str, list[str]] = {"Content-Type": [content_type]}
    _map_response_parameters(inv, chosen, (headers, body, context), out_headers)
    for name, value in overrides.response_header.items():
        _set(out_headers, name, _as_list(value))
    code = overrides.response_status or int(chosen.status_code)
    flat = [(name, value) for name, values in out_headers.items() for value in values]
    return compress_response(inv, Response(code, flat, out))


def constant_response(inv: Invocation, mapping: IntegrationMapping, status: int) -> bool:
    """Whether `map_response` of an empty integration response with `status` gives every request
    with this request's Accept the same answer: constant or no template, static parameters only,
    no compression."""
    if inv.deployment.mapping.minimum_compression_size is not None or mapping.lambda_function:
        return False
    chosen = mapping.responses.select(str(status))
    if chosen is None or chosen.error is not None:
        return False
    if any(source.kind != "static" for _, source in chosen.parameters):
        return False
    key = select_response_template(chosen.templates, inv.header("accept"))
    compiled = chosen.templates.by_type[key] if key is not None else None
    return compiled is None or (compiled.error is None and (compiled.template is None or compiled.constant))


def _map_response_parameters(
    inv: Invocation,
    chosen: ResponseMapping,
    answered: tuple[Headers, bytes, Mapping[str, Any]],
    out: dict[str, list[str]],
) -> None:
    if not chosen.parameters:
        return
    headers, body, context = answered
    values = Values(
        stage_variables=inv.variables,
        context=context,
        response_headers=lower_multi(headers),
        response_body=body.decode("utf-8", "replace"),
    )
    for name, source in chosen.parameters:
        found = evaluate(source, values)
        if found is not None:
            _set(out, name, found)


def compress_response(inv: Invocation, response: Response) -> Response:
    """Compress the payload as the API's `minimumCompressionSize` and the client's `Accept-Encoding` ask."""
    minimum = inv.deployment.mapping.minimum_compression_size
    if minimum is None or not response.body:
        return response
    if not should_compress(len(response.body), minimum, response.header("content-encoding") is not None):
        return response
    coding = negotiate(inv.header("accept-encoding"))
    if coding is not None:
        response.body = compress(response.body, coding)
        response.headers.append(("Content-Encoding", coding))
    return response
