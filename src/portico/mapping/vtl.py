"""Mapping templates: compile once, render per request (Developer Guide: "Mapping template reference").

`compile_template(source)` parses a template (a syntax error raises `TemplateError` with line and column);
`Template.render(...)` evaluates it with `$input`, `$util`, `$context` and `$stageVariables` and returns
`Rendered(text, overrides)`: the output and the `$context.requestOverride.*` / `$context.responseOverride.*`
values the template set ("Override your API's request and response parameters and status codes"). An
override may be set only once per render, as in AWS. Any failure while rendering raises `TemplateError`;
the data plane answers 500 `{"message": "Internal server error"}` and logs the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from portico.mapping import vtl_engine
from portico.mapping.vtl_input import UTIL, InputVariable, RequestParams
from portico.mapping.vtl_values import java_str


class TemplateError(Exception):
    """A mapping template that cannot be parsed or rendered."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class Overrides:
    """What a template set under `$context.requestOverride` / `$context.responseOverride`."""

    request_header: Mapping[str, str | list[str]] = field(default_factory=dict)
    request_querystring: Mapping[str, str | list[str]] = field(default_factory=dict)
    request_path: Mapping[str, str] = field(default_factory=dict)
    response_header: Mapping[str, str | list[str]] = field(default_factory=dict)
    response_status: int | None = None


NO_OVERRIDES = Overrides()


class Rendered(NamedTuple):
    text: str
    overrides: Overrides


class _OverrideMap(dict[str, Any]):
    """A `requestOverride`/`responseOverride` map: each parameter may be set once."""

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self:
            raise TemplateError(f"Override of '{key}' was already set; an override may be applied only once")
        super().__setitem__(key, value)


def _override_namespace() -> tuple[_OverrideMap, _OverrideMap]:
    request = _OverrideMap(header=_OverrideMap(), querystring=_OverrideMap(), path=_OverrideMap())
    response = _OverrideMap(header=_OverrideMap())
    return request, response


def _values(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: [java_str(v) for v in value] if isinstance(value, list) else java_str(value)
        for name, value in mapping.items()
    }


def _status(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int(java_str(value).strip())
    except ValueError:
        raise TemplateError(f"Invalid $context.responseOverride.status: {java_str(value)!r}") from None


def _overrides(request: Mapping[str, Any], response: Mapping[str, Any]) -> Overrides:
    status = response.get("status")
    overridden = request["header"] or request["querystring"] or request["path"] or response["header"]
    if not overridden and status is None:
        return NO_OVERRIDES  # the common case, shared
    return Overrides(
        request_header=_values(request["header"]),
        request_querystring=_values(request["querystring"]),
        request_path={name: java_str(value) for name, value in request["path"].items()},
        response_header=_values(response["header"]),
        response_status=_status(status),
    )


class Template:
    """A compiled mapping template; immutable and safe to share between requests."""

    __slots__ = ("_parsed", "constant", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        try:
            self._parsed = vtl_engine.parse(source)
        except vtl_engine.SyntaxError_ as exc:
            raise TemplateError(f"Invalid mapping expression: {exc}", exc.line, exc.column) from None
        except Exception as exc:  # airspeed reports a few malformed constructs with plain exceptions
            raise TemplateError(f"Invalid mapping expression: {exc}") from None
        # Without references (`$`) or directives (`#`) the output is the same for every request:
        # rendered once here, returned by `render` without building a namespace.
        self.constant: Rendered | None = None
        if "$" not in source and "#" not in source:
            self.constant = self.render()

    def render(
        self,
        *,
        body: str = "",
        params: RequestParams | None = None,
        context: Mapping[str, Any] | None = None,
        stage_variables: Mapping[str, str] | None = None,
    ) -> Rendered:
        if self.constant is not None:
            return self.constant
        request, response = _override_namespace()
        scope = dict(context or {})
        scope["requestOverride"] = request
        scope["responseOverride"] = response
        namespace = {
            "input": InputVariable(body, params or RequestParams()),
            "util": UTIL,
            "context": scope,
            "stageVariables": dict(stage_variables or {}),
        }
        try:
            text = vtl_engine.render(self._parsed, namespace)
        except vtl_engine.ExecutionError as exc:
            raise _execution_error(exc) from None
        except TemplateError:
            raise
        except Exception as exc:  # a host failure outside any template element
            raise TemplateError(f"Execution failure: {type(exc).__name__}: {exc}") from None
        return Rendered(text, _overrides(request, response))


def _execution_error(exc: Any) -> TemplateError:
    cause = exc.__cause__
    if isinstance(cause, TemplateError):
        return cause
    element = exc.element
    before = element.full_text()[: element.start]
    line = before.count("\n") + 1
    column = element.start - before.rfind("\n")
    reason = f"{type(cause).__name__}: {cause}" if cause is not None else str(exc)
    return TemplateError(
        f"Execution failure at line {line}, column {column} in '{element.my_text()}': {reason}", line, column
    )


def compile_template(source: str) -> Template:
    """Parse `source` once; render the result for every request."""
    return Template(source)
