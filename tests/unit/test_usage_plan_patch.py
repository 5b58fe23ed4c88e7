"""UpdateUsagePlan patch paths (pure)."""

from __future__ import annotations

import pytest

from portico.controlplane.errors import BadRequestException
from portico.controlplane.usage_plan_patch import method_key, patch_plan

PLAN = {"id": "p1", "name": "n", "apiStages": [{"apiId": "a1", "stage": "dev"}]}


def test_method_key_forms():
    assert method_key("~1pets/GET") == "/pets/GET"
    assert method_key("/pets/GET") == "/pets/GET"
    assert method_key("~1/GET") == "//GET"
    assert method_key("//GET") == "//GET"


def test_stage_throttles_round_trip():
    out = patch_plan(
        PLAN,
        [
            {"op": "replace", "path": "/apiStages/a1:dev/throttle/~1pets~1{id}/GET/rateLimit", "value": "2"},
            {"op": "replace", "path": "/apiStages/a1:dev/throttle/~1pets~1{id}/GET/burstLimit", "value": "4"},
        ],
    )
    assert out["apiStages"][0]["throttle"] == {"/pets/{id}/GET": {"rateLimit": 2.0, "burstLimit": 4}}
    assert PLAN["apiStages"][0] == {"apiId": "a1", "stage": "dev"}
    back = patch_plan(out, [{"op": "remove", "path": "/apiStages/a1:dev/throttle/~1pets~1{id}/GET"}])
    assert back["apiStages"] == PLAN["apiStages"]


def test_whole_throttle_map_accepts_the_cli_double_encoding():
    value = '"{\\"/pets/GET\\":{\\"rateLimit\\":1.0,\\"burstLimit\\":1}}"'
    out = patch_plan(PLAN, [{"op": "replace", "path": "/apiStages/a1:dev/throttle", "value": value}])
    assert out["apiStages"][0]["throttle"] == {"/pets/GET": {"rateLimit": 1.0, "burstLimit": 1}}


def test_add_and_remove_stages():
    out = patch_plan(PLAN, [{"op": "add", "path": "/apiStages", "value": "b2:prod"}])
    assert out["apiStages"][1] == {"apiId": "b2", "stage": "prod"}
    out = patch_plan(out, [{"op": "remove", "path": "/apiStages", "value": "a1:dev"}])
    assert out["apiStages"] == [{"apiId": "b2", "stage": "prod"}]


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (
            {"op": "add", "path": "/apiStages", "value": "nocolon"},
            "Invalid API stage 'nocolon': expected {apiId}:{stage}",
        ),
        (
            {"op": "remove", "path": "/apiStages", "value": "x:y"},
            "API Stage x:y is not associated with the usage plan",
        ),
        (
            {"op": "remove", "path": "/apiStages/a1:dev/throttle/~1a/GET"},
            "Cannot remove /apiStages/a1:dev/throttle/~1a/GET: no method throttle is set there",
        ),
        (
            {"op": "replace", "path": "/apiStages/a1:dev/stage", "value": "x"},
            "Invalid patch path  '/apiStages/a1:dev/stage' specified for op 'replace'",
        ),
        (
            {"op": "replace", "path": "/apiStages/a1:dev/throttle", "value": "[1]"},
            "Invalid throttle map: [1]",
        ),
    ],
)
def test_errors(operation, message):
    with pytest.raises(BadRequestException) as exc:
        patch_plan(PLAN, [operation])
    assert exc.value.message == message
