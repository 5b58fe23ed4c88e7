"""Model references, flattening and sample mapping templates (pure functions)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from portico.controlplane.model_templates import (
    flatten,
    mapping_template,
    model_url,
    parse_model_ref,
    refs_in,
)

airspeed = pytest.importorskip("airspeed")

ADDRESS = {"type": "object", "properties": {"city": {"type": "string"}, "zip": {"type": "integer"}}}
MODELS: dict[str, Any] = {"Address": ADDRESS}


def resolve(name: str) -> Any:
    return MODELS.get(name)


class _JavaBool:
    """Renders like a Java boolean, as API Gateway's `$input.path` values do."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __str__(self) -> str:
        return "true" if self.value else "false"


def _javaish(value: Any) -> Any:
    if isinstance(value, bool):
        return _JavaBool(value)
    if isinstance(value, dict):
        return {k: _javaish(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_javaish(v) for v in value]
    return value


class _Input:
    def __init__(self, body: Any) -> None:
        self.body = _javaish(body)

    def path(self, expression: str) -> Any:
        assert expression == "$"
        return self.body


def render(template: str, body: Any) -> Any:
    """Runs the template the way API Gateway would and parses what it produces."""
    return json.loads(airspeed.Template(template).merge({"input": _Input(body)}))


def test_model_refs():
    url = model_url("abc123", "Pet")
    assert url == "https://apigateway.amazonaws.com/restapis/abc123/models/Pet"
    assert parse_model_ref(url) == ("abc123", "Pet")
    assert parse_model_ref("#/definitions/Pet") is None
    assert parse_model_ref("https://example.com/models/Pet") is None
    schema = {"a": {"$ref": "#/x"}, "b": [{"$ref": url}], "$ref": "c"}
    assert sorted(refs_in(schema)) == sorted(["#/x", url, "c"])


def test_object_template_round_trips():
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "number"},
            "op": {"type": "string"},
            "ok": {"type": "boolean"},
            "first-name": {"type": "string"},
        },
    }
    template = mapping_template(schema, resolve)
    assert template.startswith("#set($inputRoot = $input.path('$'))\n{\n")
    assert '  "a" : $inputRoot.a,\n' in template
    assert '"op" : "$inputRoot.op"' in template
    assert "$inputRoot.get('first-name')" in template
    body = {"a": 1.5, "op": "+", "ok": True, "first-name": "Ann"}
    assert render(template, body) == body


def test_nested_objects_arrays_and_model_references():
    schema = {
        "type": "object",
        "properties": {
            "home": {"$ref": model_url("api", "Address")},
            "tags": {"type": "array", "items": {"type": "string"}},
            "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
            "history": {"type": "array", "items": {"$ref": model_url("api", "Address")}},
        },
    }
    template = mapping_template(schema, resolve)
    assert "#foreach($elem in $inputRoot.tags)" in template
    assert "#foreach($elem1 in $elem)" in template
    assert '"city" : "$inputRoot.home.city"' in template
    body = {
        "home": {"city": "Paris", "zip": 75001},
        "tags": ["a", "b"],
        "matrix": [[1, 2], [3]],
        "history": [{"city": "Lyon", "zip": 69001}, {"city": "Nice", "zip": 6000}],
    }
    assert render(template, body) == body


def test_root_array_template():
    template = mapping_template({"type": "array", "items": ADDRESS}, resolve)
    assert "#foreach($elem in $inputRoot)" in template and "#if($foreach.hasNext),#end" in template
    body = [{"city": "Oslo", "zip": 150}, {"city": "Bergen", "zip": 5003}]
    assert render(template, body) == body
    assert render(template, []) == []


def test_empty_and_combined_schemas():
    assert mapping_template({"type": "object"}, resolve).endswith("\n{}\n")
    combined = {
        "allOf": [{"$ref": model_url("api", "Address")}, {"properties": {"extra": {"type": "string"}}}]
    }
    template = mapping_template(combined, resolve)
    assert render(template, {"city": "X", "zip": 1, "extra": "y"}) == {"city": "X", "zip": 1, "extra": "y"}


def test_recursive_schema_terminates():
    tree = {"type": "object", "properties": {"value": {"type": "integer"}, "left": {"$ref": "#"}}}
    template = mapping_template(tree, resolve)
    assert '"left" : {' in template and template.count("#set") == 1


def test_flatten_inlines_models_and_keeps_local_refs():
    schema = {
        "definitions": {"n": {"type": "number"}},
        "properties": {"home": {"$ref": model_url("api", "Address")}, "n": {"$ref": "#/definitions/n"}},
    }
    flat = flatten(schema, resolve)
    assert flat["properties"]["home"] == ADDRESS
    assert flat["properties"]["n"] == {"$ref": "#/definitions/n"}


def test_flatten_stops_on_cycles():
    cyclic = {
        "A": {"properties": {"b": {"$ref": model_url("api", "B")}}},
        "B": {"items": {"$ref": model_url("api", "A")}},
    }
    flat = flatten(cyclic["A"], cyclic.get)
    assert flat["properties"]["b"]["items"]["properties"]["b"] == {"$ref": model_url("api", "B")}
