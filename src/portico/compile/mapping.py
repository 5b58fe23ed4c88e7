"""Compiled integration request/response mappings of a deployment (Developer Guide: "Data
transformations for REST APIs in API Gateway"): mapping templates parsed, parameter mapping expressions
and selection patterns compiled, once per deployment.

A template or expression that does not compile does not fail the deployment (AWS validated it when it
was stored); it is kept as an error and fails the requests that use it (500, logged).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portico.mapping.parameters import (
    MappingError,
    ParamMapping,
    Source,
    compile_request_parameters,
    compile_response_parameters,
)
from portico.mapping.selection import DEFAULT_MEDIA_TYPE, ResponseSelector, Templates
from portico.mapping.vtl import Template, TemplateError, compile_template

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CompiledTemplate:
    """One mapping template; `template` None means empty (the payload passes through)."""

    content_type: str
    template: Template | None = None
    error: str | None = None

    @property
    def constant(self) -> bool:
        """The template's output is the same for every request (no references, no directives)."""
        return self.template is not None and self.template.constant is not None


@dataclass(frozen=True, slots=True)
class ResponseMapping:
    """One integration response and what its method response declares."""

    status_code: str
    templates: Templates[CompiledTemplate]
    parameters: tuple[tuple[str, Source], ...]
    content_handling: str | None
    model_content_type: str  # the method response's first model media type, else application/json
    error: str | None = None


@dataclass(frozen=True, slots=True)
class IntegrationMapping:
    kind: str
    proxy: bool
    lambda_function: bool
    http_method: str | None
    passthrough: str
    content_handling: str | None
    request_templates: Templates[CompiledTemplate]
    request_parameters: tuple[ParamMapping, ...]
    responses: ResponseSelector[ResponseMapping]
    error: str | None = None  # a request parameter mapping that cannot be honoured
    # MOCK answers that are the same for every request with the same content headers, kept with
    # the deployment that compiled them (integrations/mock.py)
    memo: dict[tuple[str | None, ...], tuple[int, str, tuple[tuple[str, str], ...], bytes]] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True, slots=True)
class DeploymentMapping:
    methods: Mapping[tuple[str, str], IntegrationMapping] = field(default_factory=dict)
    binary_media_types: tuple[str, ...] = ()
    minimum_compression_size: int | None = None


def compile_templates(templates: Mapping[str, str | None] | None) -> Templates[CompiledTemplate]:
    compiled: list[tuple[str, CompiledTemplate]] = []
    for content_type, source in (templates or {}).items():
        if not source or not source.strip():
            compiled.append((content_type, CompiledTemplate(content_type)))
            continue
        try:
            compiled.append((content_type, CompiledTemplate(content_type, compile_template(source))))
        except TemplateError as exc:
            compiled.append((content_type, CompiledTemplate(content_type, error=exc.message)))
    return Templates.of(compiled)


def _model_content_type(method: Doc, status_code: str) -> str:
    response = (method.get("methodResponses") or {}).get(status_code) or {}
    return next(iter(response.get("responseModels") or {}), DEFAULT_MEDIA_TYPE)


def compile_response(response: Doc, method: Doc) -> ResponseMapping:
    code = str(response.get("statusCode") or "200")
    error = None
    try:
        parameters = compile_response_parameters(response.get("responseParameters"))
    except MappingError as exc:
        parameters, error = (), str(exc)
    return ResponseMapping(
        code,
        compile_templates(response.get("responseTemplates")),
        parameters,
        response.get("contentHandling") or None,
        _model_content_type(method, code),
        error,
    )


def is_lambda(integration: Doc) -> bool:
    """A Lambda function integration (its selection patterns match the Lambda `errorMessage`)."""
    uri = str(integration.get("uri") or "")
    return integration.get("type") in ("AWS", "AWS_PROXY") and ":lambda:path/" in uri


def compile_integration(integration: Doc, method: Doc) -> IntegrationMapping:
    kind = str(integration.get("type") or "")
    error = None
    try:
        parameters = compile_request_parameters(integration.get("requestParameters"))
    except MappingError as exc:
        parameters, error = (), str(exc)
    responses = (integration.get("integrationResponses") or {}).values()
    return IntegrationMapping(
        kind,
        kind.endswith("_PROXY"),
        is_lambda(integration),
        integration.get("httpMethod"),
        str(integration.get("passthroughBehavior") or "WHEN_NO_MATCH").upper(),
        integration.get("contentHandling") or None,
        compile_templates(integration.get("requestTemplates")),
        parameters,
        ResponseSelector.of((r.get("selectionPattern"), compile_response(r, method)) for r in responses),
        error,
    )


def compile_mappings(api: Doc) -> DeploymentMapping:
    """Every method's integration mapping, by (resource id, HTTP method)."""
    methods: dict[tuple[str, str], IntegrationMapping] = {}
    for res in (api.get("_resources") or {}).values():
        for verb, method in (res.get("resourceMethods") or {}).items():
            integration = method.get("methodIntegration")
            if integration:
                methods[(res["id"], verb)] = compile_integration(integration, method)
    size = api.get("minimumCompressionSize")
    return DeploymentMapping(
        methods,
        tuple(str(t).replace("~1", "/") for t in api.get("binaryMediaTypes") or ()),
        int(size) if size is not None else None,
    )
