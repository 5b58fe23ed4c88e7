"""Method request validators, compiled once per deployment (Developer Guide: "Request validation for REST APIs").

A method is validated when its `requestValidatorId` names one of the API's request validators:
`validateRequestParameters` checks that every required `requestParameters` entry
(`method.request.{path|querystring|multivaluequerystring|header|multivalueheader}.{name}: true`) is
present and not blank; `validateRequestBody` checks the body against the draft-04 model of its
Content-Type (`requestModels`, else the `$default` model; no model, no check). Models may refer to other
models of the API (`https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}`): one
`referencing.Registry` holds every model of the deployment, shared by all its methods.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT4

from portico.compile.schema_messages import describe_all, format_checker

log = logging.getLogger("portico.compile")

Doc = dict[str, Any]
MODEL_URL = "https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"
DEFAULT_CONTENT_TYPE = "application/json"
DEFAULT_MODEL = "$default"
PREFIX = "method.request."
# Missing parameters are listed URI first, then query string, then headers (the Developer Guide's
# order), each location by name: a stable order whatever order the store keeps the map in.
LOCATIONS = ("path", "querystring", "multivaluequerystring", "header", "multivalueheader")
_MULTI = frozenset(("multivaluequerystring", "multivalueheader"))


@dataclass(frozen=True, slots=True)
class RequiredParameter:
    location: str
    name: str


@dataclass(frozen=True, slots=True)
class MethodValidator:
    """What one method's request validator checks (only what its validator turns on)."""

    required: tuple[RequiredParameter, ...] = ()
    validate_body: bool = False
    models: Mapping[str, Draft4Validator] = field(default_factory=dict)  # lower-case content type

    @property
    def needs_query(self) -> bool:
        return any(p.location.endswith("querystring") for p in self.required)

    def model_for(self, content_type: str | None) -> Draft4Validator | None:
        """The model of a request's Content-Type (none sent: application/json), else `$default`."""
        media = (content_type or "").split(";", 1)[0].strip().lower() or DEFAULT_CONTENT_TYPE
        found = self.models.get(media)
        return found if found is not None else self.models.get(DEFAULT_MODEL)

    def missing(
        self,
        path: Mapping[str, str],
        query: Mapping[str, list[str]],
        headers: Callable[[str], list[str]],
    ) -> list[str]:
        """Names of the required parameters that are absent or blank, in reporting order."""
        return [p.name for p in self.required if not _present(p, path, query, headers)]


def _present(
    param: RequiredParameter,
    path: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Callable[[str], list[str]],
) -> bool:
    if param.location == "path":
        values = [path.get(param.name, "")]
    elif param.location.endswith("querystring"):
        values = query.get(param.name) or []
    else:
        values = headers(param.name)  # header names are case-insensitive
    if param.location not in _MULTI:
        values = values[-1:]  # a single-value parameter takes the last value sent
    return any(v.strip() for v in values)


def body_errors(validator: Draft4Validator, body: bytes) -> list[str]:
    """The violations of a body against its model (an empty body is `{}`); [] when valid."""
    try:
        instance = json.loads(body) if body.strip() else {}
    except ValueError as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "invalid UTF-8"
        return [f"Unable to parse the request body as JSON: {detail}"]
    return describe_all(validator.iter_errors(instance))


def required_parameters(params: Mapping[str, Any] | None) -> tuple[RequiredParameter, ...]:
    found = []
    for key, required in (params or {}).items():
        location, _, name = key[len(PREFIX) :].partition(".")
        if required is True and key.startswith(PREFIX) and location in LOCATIONS and name:
            found.append(RequiredParameter(location, name))
    return tuple(sorted(found, key=lambda p: (LOCATIONS.index(p.location), p.name)))


class ModelValidators:
    """Draft-04 validators of an API's models, sharing one registry of every model."""

    def __init__(self, api: Doc) -> None:
        api_id = str(api.get("id", ""))
        self._schemas = {
            n: s for n, m in (api.get("_models") or {}).items() if (s := _parse(n, m)) is not None
        }
        self._registry: Registry[Any] = Registry().with_resources(
            (MODEL_URL.format(api_id=api_id, name=name), DRAFT4.create_resource(schema))
            for name, schema in self._schemas.items()
        )
        self._formats: FormatChecker = format_checker()
        self._compiled: dict[str, Draft4Validator] = {}

    def get(self, name: str) -> Draft4Validator | None:
        found = self._compiled.get(name)
        if found is None and name in self._schemas:
            found = Draft4Validator(
                self._schemas[name], registry=self._registry, format_checker=self._formats
            )
            self._compiled[name] = found
        return found


def _parse(name: str, model: Doc) -> Any:
    try:
        schema = json.loads(model.get("schema") or "")
    except ValueError:
        log.warning("model %s has no valid JSON schema; requests using it are not validated", name)
        return None
    return schema if isinstance(schema, dict) else None


def compile_method(method: Doc, rule: Doc, models: ModelValidators) -> MethodValidator | None:
    required = (
        required_parameters(method.get("requestParameters")) if rule.get("validateRequestParameters") else ()
    )
    body = bool(rule.get("validateRequestBody"))
    compiled: dict[str, Draft4Validator] = {}
    for content_type, name in (method.get("requestModels") or {}).items() if body else ():
        validator = models.get(name)
        if validator is not None:
            compiled[content_type.strip().lower()] = validator
    if not required and not compiled:
        return None
    return MethodValidator(required, body, compiled)


def compile_validators(api: Doc) -> dict[tuple[str, str], MethodValidator]:
    """(resource id, HTTP method) → validator, for every method with a validator that checks something."""
    rules = api.get("_requestValidators") or {}
    if not rules:
        return {}
    models = ModelValidators(api)
    out: dict[tuple[str, str], MethodValidator] = {}
    for res in (api.get("_resources") or {}).values():
        for verb, method in (res.get("resourceMethods") or {}).items():
            rule = rules.get((method or {}).get("requestValidatorId") or "")
            compiled = compile_method(method, rule, models) if rule else None
            if compiled is not None:
                out[(res["id"], verb)] = compiled
    return out
