"""Method request validators compiled from an API document, and AWS's validation messages (no sockets)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft4Validator

from portico.compile.schema_messages import describe_all, format_checker
from portico.compile.snapshot import compile_deployment
from portico.compile.validation import (
    MethodValidator,
    RequiredParameter,
    body_errors,
    compile_validators,
    required_parameters,
)

API_ID = "abc123"


def ref(name: str) -> str:
    return f"https://apigateway.amazonaws.com/restapis/{API_ID}/models/{name}"


OWNER = {
    "type": "object",
    "required": ["email"],
    "properties": {"email": {"type": "string", "format": "email"}},
}
PET = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["name", "type"],
    "properties": {
        "name": {"type": "string", "minLength": 2, "maxLength": 10},
        "type": {"type": "string", "enum": ["dog", "cat", "fish"]},
        "price": {"type": "number", "minimum": 25, "maximum": 500},
        "owner": {"$ref": ref("Owner")},
        "tags": {"type": "array", "items": {"$ref": "#/definitions/tag"}, "maxItems": 2, "uniqueItems": True},
    },
    "definitions": {"tag": {"type": "string", "pattern": "^[a-z]+$"}},
    "additionalProperties": False,
}


def model(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"id": name.lower(), "name": name, "schema": json.dumps(schema), "contentType": "application/json"}


def api_doc(method: dict[str, Any], validators: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": API_ID,
        "_models": {"Pet": model("Pet", PET), "Owner": model("Owner", OWNER), "Empty": model("Empty", {})},
        "_requestValidators": validators
        if validators is not None
        else {"all": {"id": "all", "validateRequestBody": True, "validateRequestParameters": True}},
        "_resources": {
            "root": {"id": "root", "path": "/", "resourceMethods": {}},
            "pets": {"id": "pets", "path": "/pets", "resourceMethods": {"POST": method}},
        },
    }


def compiled(method: dict[str, Any], validators: dict[str, Any] | None = None) -> MethodValidator | None:
    return compile_validators(api_doc(method, validators)).get(("pets", "POST"))


def pet_validator() -> MethodValidator:
    found = compiled({"requestValidatorId": "all", "requestModels": {"application/json": "Pet"}})
    assert found is not None
    return found


def errors_of(body: Any) -> list[str]:
    validator = pet_validator().model_for("application/json")
    assert validator is not None
    return body_errors(validator, body if isinstance(body, bytes) else json.dumps(body).encode())


def test_required_parameters_in_reporting_order() -> None:
    params = {
        "method.request.header.x-token": True,
        "method.request.querystring.q": True,
        "method.request.path.id": True,
        "method.request.multivalueheader.x-list": True,
        "method.request.querystring.b": True,
        "method.request.querystring.optional": False,
        "method.request.multivaluequerystring.tags": True,
    }
    assert [(p.location, p.name) for p in required_parameters(params)] == [
        ("path", "id"),
        ("querystring", "b"),
        ("querystring", "q"),
        ("multivaluequerystring", "tags"),
        ("header", "x-token"),
        ("multivalueheader", "x-list"),
    ]


def test_missing_blank_and_case_insensitive_headers() -> None:
    check = MethodValidator(
        (
            RequiredParameter("path", "id"),
            RequiredParameter("querystring", "q"),
            RequiredParameter("multivaluequerystring", "tags"),
            RequiredParameter("header", "X-Token"),
        )
    )
    headers = {"x-token": ["abc"]}

    def lookup(name: str) -> list[str]:
        return headers.get(name.lower(), [])

    assert check.missing({"id": "7"}, {"q": ["cat"], "tags": ["a"]}, lookup) == []
    assert check.missing({}, {}, lambda _: []) == ["id", "q", "tags", "X-Token"]
    # blank values are missing; a single-value parameter takes the last value, a multi-value one any
    assert check.missing({"id": " "}, {"q": ["cat", ""], "tags": ["", "x"]}, lookup) == ["id", "q"]
    assert check.missing({"id": "1"}, {"q": ["", "cat"], "tags": ["x"]}, lambda _: ["  "]) == ["X-Token"]


def test_validator_flags_decide_what_is_checked() -> None:
    method = {
        "requestValidatorId": "v",
        "requestParameters": {"method.request.querystring.q": True},
        "requestModels": {"application/json": "Pet"},
    }
    params_only = compiled(method, {"v": {"id": "v", "validateRequestParameters": True}})
    assert params_only is not None
    assert params_only.models == {} and [p.name for p in params_only.required] == ["q"]
    body_only = compiled(method, {"v": {"id": "v", "validateRequestBody": True}})
    assert body_only is not None
    assert body_only.required == () and body_only.model_for(None) is not None
    assert compiled(method, {"v": {"id": "v"}}) is None
    assert compiled({**method, "requestValidatorId": None}) is None
    assert compiled({k: v for k, v in method.items() if k != "requestValidatorId"}) is None


def test_model_by_content_type_then_default() -> None:
    check = compiled(
        {"requestValidatorId": "all", "requestModels": {"Application/JSON": "Pet", "$default": "Owner"}}
    )
    assert check is not None
    pet, owner = check.model_for("application/json"), check.model_for("text/plain")
    assert pet is not None and owner is not None and pet is not owner
    assert check.model_for("application/json; charset=utf-8") is pet
    assert check.model_for(None) is pet  # no Content-Type: application/json
    only_json = compiled({"requestValidatorId": "all", "requestModels": {"application/json": "Pet"}})
    assert only_json is not None and only_json.model_for("application/xml") is None


def test_models_are_compiled_once_and_shared() -> None:
    doc = api_doc({"requestValidatorId": "all", "requestModels": {"application/json": "Pet"}})
    doc["_resources"]["root"]["resourceMethods"]["PUT"] = {
        "requestValidatorId": "all",
        "requestModels": {"application/json": "Pet"},
    }
    validators = compile_validators(doc)
    assert (
        validators[("pets", "POST")].models["application/json"]
        is validators[("root", "PUT")].models["application/json"]
    )


def test_valid_bodies() -> None:
    assert errors_of({"name": "rex", "type": "dog"}) == []
    assert (
        errors_of({"name": "rex", "type": "dog", "price": 25, "owner": {"email": "a@b.co"}, "tags": ["x"]})
        == []
    )


def test_enum_and_range_messages() -> None:
    assert errors_of({"name": "Molly", "type": "bird", "price": 501}) == [
        'instance value ("bird") not found in enum (possible values: ["dog","cat","fish"])',
        "numeric instance is greater than the required maximum (maximum: 500, found: 501)",
    ]
    assert errors_of({"name": "Molly", "type": "cat", "price": 1.5}) == [
        "numeric instance is lower than the required minimum (minimum: 25, found: 1.5)"
    ]


def test_missing_properties_are_reported_together() -> None:
    assert errors_of({}) == ['object has missing required properties (["name","type"])']
    assert errors_of(b"") == ['object has missing required properties (["name","type"])']  # empty body is {}


def test_type_length_additional_and_array_messages() -> None:
    assert errors_of([1]) == [
        'instance type (array) does not match any allowed primitive type (allowed: ["object"])'
    ]
    assert errors_of({"name": "x" * 11, "type": "dog", "extra": 1, "more": 2}) == [
        'string "xxxxxxxxxxx" is too long (length: 11, maximum allowed: 10)',
        'object instance has properties which are not allowed by the schema: ["extra","more"]',
    ]
    assert errors_of({"name": "r", "type": "dog", "tags": ["a", "a", "B"]}) == [
        'string "r" is too short (length: 1, required minimum: 2)',
        'ECMA 262 regex "^[a-z]+$" does not match input string "B"',
        "array is too long: must have at most 2 elements but instance has 3 elements",
        "array must not contain duplicate elements",
    ]


def test_referenced_model_is_validated() -> None:
    assert errors_of({"name": "rex", "type": "dog", "owner": {}}) == [
        'object has missing required properties (["email"])'
    ]
    assert errors_of({"name": "rex", "type": "dog", "owner": {"email": "nope"}}) == [
        'string "nope" is not a valid email address'
    ]


@pytest.mark.parametrize("body", [b"{bad json", b'{"name": "rex",}', b"\xff\xfe"])
def test_invalid_json_is_an_invalid_body(body: bytes) -> None:
    found = errors_of(body)
    assert len(found) == 1 and found[0].startswith("Unable to parse the request body as JSON: ")


def test_snapshot_carries_the_validators() -> None:
    doc = api_doc({"requestValidatorId": "all", "requestModels": {"application/json": "Pet"}})
    runtime = compile_deployment("dep1", doc)
    assert set(runtime.validators) == {("pets", "POST")}


def test_api_without_validators_compiles_none() -> None:
    assert compile_validators(api_doc({"requestModels": {"application/json": "Pet"}}, {})) == {}


@pytest.mark.parametrize(
    ("schema", "instance", "message"),
    [
        ({"multipleOf": 2}, 5, "numeric instance is not a multiple of divisor (value: 5, divisor: 2)"),
        (
            {"maximum": 10, "exclusiveMaximum": True},
            10,
            "numeric instance is not strictly lower than the required maximum 10",
        ),
        (
            {"minimum": 0, "exclusiveMinimum": True},
            0,
            "numeric instance is not strictly greater than the required minimum 0",
        ),
        (
            {"minProperties": 2},
            {"a": 1},
            "object has too few properties (found 1 but schema requires at least 2)",
        ),
        (
            {"maxProperties": 1},
            {"a": 1, "b": 2},
            "object has too many properties (found 2 but schema requires at most 1)",
        ),
        (
            {"minItems": 2},
            [1],
            "array is too short: must have at least 2 elements but instance has 1 elements",
        ),
        (
            {"dependencies": {"a": ["b", "c"]}},
            {"a": 1, "c": 2},
            'property "a" of object has missing property dependencies (schema requires ["b","c"]; missing: ["b"])',
        ),
        (
            {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            1.5,
            "instance failed to match at least one required schema among 2",
        ),
        (
            {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            1.5,
            "instance failed to match exactly one schema (matched 0 out of 2)",
        ),
        ({"not": {"type": "string"}}, "x", "instance matched a schema which it should not have"),
        (
            {"type": ["integer", "boolean"]},
            "x",
            'instance type (string) does not match any allowed primitive type (allowed: ["boolean","integer"])',
        ),
        (
            {"type": "integer"},
            1.0,
            'instance type (number) does not match any allowed primitive type (allowed: ["integer"])',
        ),
        ({"format": "ipv4"}, "1.2.3", 'string "1.2.3" is not a valid IPv4 address'),
        ({"format": "uri"}, "no-scheme", 'string "no-scheme" is not a valid URI'),
        (
            {"format": "date-time"},
            "2024-13",
            'string "2024-13" is invalid against requested date format(s) '
            "[yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,12}Z]",
        ),
    ],
)
def test_messages_in_aws_wording(schema: dict[str, Any], instance: Any, message: str) -> None:
    validator = Draft4Validator(schema, format_checker=format_checker())
    assert describe_all(validator.iter_errors(instance)) == [message]


def test_valid_formats_pass() -> None:
    validator = Draft4Validator({"format": "date-time"}, format_checker=format_checker())
    assert describe_all(validator.iter_errors("2024-05-01T10:00:00.123Z")) == []
