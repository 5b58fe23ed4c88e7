"""Data mapping for REST APIs (Developer Guide: "Mapping template reference"): VTL templates and JSONPath."""

from portico.mapping.jsonpath import JsonPath, JsonPathError, compile_path, evaluate
from portico.mapping.vtl import Overrides, Rendered, Template, TemplateError, compile_template
from portico.mapping.vtl_input import RequestParams

__all__ = [
    "JsonPath",
    "JsonPathError",
    "Overrides",
    "Rendered",
    "RequestParams",
    "Template",
    "TemplateError",
    "compile_path",
    "compile_template",
    "evaluate",
]
