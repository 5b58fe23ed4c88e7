"""Patch operations on fixed lists of paths (pure)."""

from __future__ import annotations

import pytest

from portico.controlplane.errors import BadRequestException
from portico.controlplane.fieldpatch import Field, apply_fields, as_bool, as_float, as_int

FIELDS = {
    "/name": Field(),
    "/enabled": Field(convert=as_bool),
    "/quota": Field(ops=("remove",)),
    "/quota/limit": Field(ops=("add", "replace"), convert=as_int),
    "/rate": Field(convert=as_float),
}


def test_replace_converts_and_nests_without_touching_the_input():
    doc = {"name": "a", "quota": {"period": "DAY"}}
    out = apply_fields(
        doc,
        [
            {"op": "replace", "path": "/name", "value": "b"},
            {"op": "replace", "path": "/enabled", "value": "TRUE"},
            {"op": "add", "path": "/quota/limit", "value": "10"},
            {"op": "replace", "path": "/rate", "value": "0.5"},
        ],
        FIELDS,
    )
    assert out == {"name": "b", "enabled": True, "quota": {"period": "DAY", "limit": 10}, "rate": 0.5}
    assert doc == {"name": "a", "quota": {"period": "DAY"}}


def test_remove():
    assert apply_fields(
        {"name": "a", "quota": {"limit": 1}}, [{"op": "remove", "path": "/quota"}], FIELDS
    ) == {"name": "a"}


def test_errors_use_api_gateway_wording():
    with pytest.raises(BadRequestException) as exc:
        apply_fields({}, [{"op": "replace", "path": "/nope", "value": "x"}], FIELDS)
    assert exc.value.message == (
        "Invalid patch path  '/nope' specified for op 'replace'. Must be one of: [/name, /enabled, /quota/limit, /rate]"
    )
    with pytest.raises(BadRequestException) as exc:
        apply_fields({}, [{"op": "remove", "path": "/name"}], FIELDS)
    assert (
        exc.value.message
        == "Invalid patch path  '/name' specified for op 'remove'. Please choose supported operations"
    )
    with pytest.raises(BadRequestException) as exc:
        apply_fields({}, [{"op": "merge", "path": "/name"}], FIELDS)
    assert exc.value.message.startswith("Invalid patch operation specified. Must be one of: [add, remove")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("/enabled", "yes", "Invalid boolean value 'yes' for /enabled: must be true or false"),
        ("/quota/limit", "1.5", "Invalid integer value '1.5' for /quota/limit"),
        ("/rate", "fast", "Invalid number value 'fast' for /rate"),
        ("/name", None, "A value is required for /name"),
    ],
)
def test_bad_values(path, value, message):
    with pytest.raises(BadRequestException) as exc:
        apply_fields({}, [{"op": "replace", "path": path, "value": value}], FIELDS)
    assert exc.value.message == message
