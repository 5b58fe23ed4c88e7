"""UsagePlan, UsagePlanKey and Usage operations through boto3 and the AWS CLI against a real server."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from portico.controlplane.usage_counters import record_usage

from .stage_helpers import aws_cli, deploy_stage, error_of


def unique(prefix: str = "p") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def stage(apigw, api) -> dict[str, Any]:
    """An API stage of a fresh API, as usage plans name it."""
    return {"apiId": api["id"], "stage": deploy_stage(apigw, api)}


def test_create_minimal_and_get(apigw):
    plan = apigw.create_usage_plan(name=unique())
    assert plan["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(plan["id"]) == 6 and plan["id"].isalnum()
    assert plan["apiStages"] == []
    assert "quota" not in plan and "throttle" not in plan
    got = apigw.get_usage_plan(usagePlanId=plan["id"])
    assert (got["id"], got["name"]) == (plan["id"], plan["name"])
    assert plan["id"] in [p["id"] for p in apigw.get_usage_plans(limit=500)["items"]]


def test_create_full(apigw, stage):
    plan = apigw.create_usage_plan(
        name=unique(),
        description="gold",
        apiStages=[{**stage, "throttle": {"//GET": {"burstLimit": 5, "rateLimit": 2.5}}}],
        throttle={"burstLimit": 10, "rateLimit": 20.0},
        quota={"limit": 1000, "offset": 10, "period": "MONTH"},
        tags={"tier": "gold"},
    )
    assert plan["apiStages"] == [{**stage, "throttle": {"//GET": {"burstLimit": 5, "rateLimit": 2.5}}}]
    assert plan["throttle"] == {"burstLimit": 10, "rateLimit": 20.0}
    assert plan["quota"] == {"limit": 1000, "offset": 10, "period": "MONTH"}
    assert plan["tags"] == {"tier": "gold"}
    assert apigw.get_usage_plan(usagePlanId=plan["id"])["apiStages"] == plan["apiStages"]


def test_create_validation(apigw, stage):
    cases = [
        ({"apiStages": [{"apiId": "nosuchapi0", "stage": "dev"}]}, "NotFoundException"),
        ({"apiStages": [{"apiId": stage["apiId"], "stage": "nope"}]}, "BadRequestException"),
        ({"quota": {"limit": 10, "offset": 10, "period": "DAY"}}, "BadRequestException"),
        ({"throttle": {"burstLimit": -1}}, "BadRequestException"),
        ({"apiStages": [{**stage, "throttle": {"pets": {"rateLimit": 1.0}}}]}, "BadRequestException"),
        ({"apiStages": [stage, stage]}, "ConflictException"),
    ]
    messages = []
    for extra, code in cases:
        with pytest.raises(ClientError) as exc:
            apigw.create_usage_plan(name=unique(), **extra)
        assert error_of(exc)[0] == code, extra
        messages.append(error_of(exc)[1])
    assert messages[0] == "Invalid API identifier specified 123456789012:nosuchapi0"
    assert messages[1] == "Invalid stage identifier specified"
    assert messages[2] == "Invalid quota: the offset must be at least 0 and less than the limit"
    assert messages[4].startswith("Invalid method throttle key 'pets'")
    with pytest.raises(ClientError) as exc:
        apigw.create_usage_plan(name=unique(), quota={"limit": 1, "period": "YEAR"})
    assert "Member must satisfy enum value set: [DAY, WEEK, MONTH]" in error_of(exc)[1]


def test_unknown_plan(apigw):
    calls = [
        lambda: apigw.get_usage_plan(usagePlanId="nosuch"),
        lambda: apigw.update_usage_plan(usagePlanId="nosuch", patchOperations=[]),
        lambda: apigw.delete_usage_plan(usagePlanId="nosuch"),
        lambda: apigw.get_usage_plan_keys(usagePlanId="nosuch"),
        lambda: apigw.get_usage(usagePlanId="nosuch", startDate="2024-01-01", endDate="2024-01-02"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("NotFoundException", "Invalid Usage Plan ID specified", 404)


def test_update_members(apigw):
    plan = apigw.create_usage_plan(name=unique(), description="d", quota={"limit": 5, "period": "DAY"})
    updated = apigw.update_usage_plan(
        usagePlanId=plan["id"],
        patchOperations=[
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "replace", "path": "/description", "value": "new"},
            {"op": "replace", "path": "/productCode", "value": "prod-1"},
            {"op": "replace", "path": "/throttle/burstLimit", "value": "7"},
            {"op": "replace", "path": "/throttle/rateLimit", "value": "3.5"},
            {"op": "replace", "path": "/quota/limit", "value": "100"},
            {"op": "replace", "path": "/quota/period", "value": "WEEK"},
            {"op": "replace", "path": "/quota/offset", "value": "2"},
        ],
    )
    assert (updated["name"], updated["description"], updated["productCode"]) == ("renamed", "new", "prod-1")
    assert updated["throttle"] == {"burstLimit": 7, "rateLimit": 3.5}
    assert updated["quota"] == {"limit": 100, "period": "WEEK", "offset": 2}
    cleared = apigw.update_usage_plan(
        usagePlanId=plan["id"],
        patchOperations=[{"op": "remove", "path": "/throttle"}, {"op": "remove", "path": "/quota"}],
    )
    assert "throttle" not in cleared and "quota" not in cleared
    assert apigw.get_usage_plan(usagePlanId=plan["id"])["name"] == "renamed"


def test_update_rejects_bad_input(apigw):
    plan = apigw.create_usage_plan(name=unique())
    with pytest.raises(ClientError) as exc:
        apigw.update_usage_plan(
            usagePlanId=plan["id"], patchOperations=[{"op": "replace", "path": "/id", "value": "x"}]
        )
    code, message, _ = error_of(exc)
    assert code == "BadRequestException"
    assert message.startswith(
        "Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/name, "
    )
    with pytest.raises(ClientError) as exc:
        apigw.update_usage_plan(
            usagePlanId=plan["id"],
            patchOperations=[{"op": "replace", "path": "/quota/period", "value": "YEAR"}],
        )
    assert error_of(exc)[1] == "Invalid quota: the period must be one of DAY, WEEK or MONTH"
    with pytest.raises(ClientError) as exc:
        apigw.update_usage_plan(
            usagePlanId=plan["id"],
            patchOperations=[{"op": "replace", "path": "/throttle/rateLimit", "value": "x"}],
        )
    assert error_of(exc)[1] == "Invalid number value 'x' for /throttle/rateLimit"


def test_api_stages_and_method_throttles(apigw, stage):
    ident = f"{stage['apiId']}:{stage['stage']}"
    plan = apigw.create_usage_plan(name=unique())
    added = apigw.update_usage_plan(
        usagePlanId=plan["id"], patchOperations=[{"op": "add", "path": "/apiStages", "value": ident}]
    )
    assert added["apiStages"] == [stage]
    throttled = apigw.update_usage_plan(
        usagePlanId=plan["id"],
        patchOperations=[
            {"op": "replace", "path": f"/apiStages/{ident}/throttle/~1pets/GET/rateLimit", "value": "0.5"},
            {"op": "replace", "path": f"/apiStages/{ident}/throttle//pets/GET/burstLimit", "value": "2"},
            {"op": "replace", "path": f"/apiStages/{ident}/throttle/~1/POST/burstLimit", "value": "1"},
        ],
    )
    assert throttled["apiStages"][0]["throttle"] == {
        "/pets/GET": {"rateLimit": 0.5, "burstLimit": 2},
        "//POST": {"burstLimit": 1},
    }
    one_left = apigw.update_usage_plan(
        usagePlanId=plan["id"],
        patchOperations=[{"op": "remove", "path": f"/apiStages/{ident}/throttle/~1pets/GET", "value": ""}],
    )
    assert one_left["apiStages"][0]["throttle"] == {"//POST": {"burstLimit": 1}}
    whole = apigw.update_usage_plan(
        usagePlanId=plan["id"],
        patchOperations=[
            {
                "op": "replace",
                "path": f"/apiStages/{ident}/throttle",
                "value": '{"/a/GET":{"rateLimit":1.0,"burstLimit":1}}',
            }
        ],
    )
    assert whole["apiStages"][0]["throttle"] == {"/a/GET": {"rateLimit": 1.0, "burstLimit": 1}}
    cleared = apigw.update_usage_plan(
        usagePlanId=plan["id"],
        patchOperations=[{"op": "remove", "path": f"/apiStages/{ident}/throttle", "value": ""}],
    )
    assert cleared["apiStages"] == [stage]
    with pytest.raises(ClientError) as exc:
        apigw.update_usage_plan(
            usagePlanId=plan["id"], patchOperations=[{"op": "add", "path": "/apiStages", "value": ident}]
        )
    assert error_of(exc)[0] == "ConflictException"
    removed = apigw.update_usage_plan(
        usagePlanId=plan["id"], patchOperations=[{"op": "remove", "path": "/apiStages", "value": ident}]
    )
    assert removed["apiStages"] == []
    with pytest.raises(ClientError) as exc:
        apigw.update_usage_plan(
            usagePlanId=plan["id"],
            patchOperations=[{"op": "add", "path": "/apiStages", "value": f"{stage['apiId']}:nope"}],
        )
    assert error_of(exc) == ("BadRequestException", "Invalid stage identifier specified", 400)


def test_plan_keys(apigw):
    plan = apigw.create_usage_plan(name=unique())
    name = unique("key")
    key = apigw.create_api_key(name=name, enabled=True)
    other = apigw.create_api_key(name=unique("zzz"))
    created = apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    expected = {"id": key["id"], "type": "API_KEY", "value": key["value"], "name": name}
    assert {k: created[k] for k in expected} == expected
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=other["id"], keyType="API_KEY")
    got = apigw.get_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    assert {k: got[k] for k in expected} == expected
    assert len(apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]) == 2
    assert [
        k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"], nameQuery="key-")["items"]
    ] == [key["id"]]
    assert [p["id"] for p in apigw.get_usage_plans(keyId=key["id"])["items"]] == [plan["id"]]
    with pytest.raises(ClientError) as exc:
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert error_of(exc)[0] == "ConflictException"
    apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    with pytest.raises(ClientError) as exc:
        apigw.get_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    assert error_of(exc) == ("NotFoundException", "Invalid API Key identifier specified", 404)
    apigw.delete_api_key(apiKey=other["id"])
    assert apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"] == []


def test_plan_key_errors(apigw):
    plan = apigw.create_usage_plan(name=unique())
    with pytest.raises(ClientError) as exc:
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId="nosuchkey0", keyType="API_KEY")
    assert error_of(exc) == ("NotFoundException", "Invalid API Key identifier specified", 404)
    key = apigw.create_api_key(name=unique())
    with pytest.raises(ClientError) as exc:
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="OTHER")
    assert error_of(exc) == (
        "BadRequestException",
        "Invalid key type 'OTHER': the only key type is API_KEY",
        400,
    )
    with pytest.raises(ClientError) as exc:
        apigw.create_usage_plan_key(usagePlanId="nosuch", keyId=key["id"], keyType="API_KEY")
    assert error_of(exc)[1] == "Invalid Usage Plan ID specified"


def test_one_plan_per_key_and_stage(apigw, stage):
    ident = f"{stage['apiId']}:{stage['stage']}"
    first = apigw.create_usage_plan(name=unique(), apiStages=[stage])
    second = apigw.create_usage_plan(name=unique(), apiStages=[stage])
    third = apigw.create_usage_plan(name=unique())
    key = apigw.create_api_key(name=unique())
    apigw.create_usage_plan_key(usagePlanId=first["id"], keyId=key["id"], keyType="API_KEY")
    with pytest.raises(ClientError) as exc:
        apigw.create_usage_plan_key(usagePlanId=second["id"], keyId=key["id"], keyType="API_KEY")
    assert error_of(exc) == (
        "ConflictException",
        f"API Key {key['id']} cannot reference multiple Usage Plans with the same API Stage: {ident} "
        f"(already in usage plan {first['id']})",
        409,
    )
    apigw.create_usage_plan_key(usagePlanId=third["id"], keyId=key["id"], keyType="API_KEY")
    with pytest.raises(ClientError) as exc:
        apigw.update_usage_plan(
            usagePlanId=third["id"], patchOperations=[{"op": "add", "path": "/apiStages", "value": ident}]
        )
    assert error_of(exc)[0] == "ConflictException"
    assert sorted(p["id"] for p in apigw.get_usage_plans(keyId=key["id"])["items"]) == sorted(
        [first["id"], third["id"]]
    )


def test_delete_plan(apigw):
    plan = apigw.create_usage_plan(name=unique())
    key = apigw.create_api_key(name=unique())
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert apigw.delete_usage_plan(usagePlanId=plan["id"])["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as exc:
        apigw.get_usage_plan(usagePlanId=plan["id"])
    assert error_of(exc)[0] == "NotFoundException"
    assert apigw.get_usage_plans(keyId=key["id"])["items"] == []


def _record(server: Any, plan_id: str, key_id: str, day: dt.date, n: int) -> None:
    async def run() -> None:
        async with server.app.store.write("us-east-1") as tx:
            await record_usage(tx, plan_id, key_id, day, n)

    server.call(run())


def test_usage(apigw, server):
    today = dt.datetime.now(dt.UTC).date()
    plan = apigw.create_usage_plan(name=unique(), quota={"limit": 100, "period": "DAY"})
    key = apigw.create_api_key(name=unique())
    idle = apigw.create_api_key(name=unique())
    for k in (key, idle):
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=k["id"], keyType="API_KEY")
    yesterday = today - dt.timedelta(days=1)
    _record(server, plan["id"], key["id"], yesterday, 30)
    _record(server, plan["id"], key["id"], today, 5)
    _record(server, plan["id"], key["id"], today, 2)
    usage = apigw.get_usage(
        usagePlanId=plan["id"], startDate=yesterday.isoformat(), endDate=today.isoformat()
    )
    assert (usage["usagePlanId"], usage["startDate"], usage["endDate"]) == (
        plan["id"],
        yesterday.isoformat(),
        today.isoformat(),
    )
    assert usage["items"] == {key["id"]: [[30, 70], [7, 93]], idle["id"]: [[0, 100], [0, 100]]}
    one = apigw.get_usage(
        usagePlanId=plan["id"], keyId=key["id"], startDate=today.isoformat(), endDate=today.isoformat()
    )
    assert one["items"] == {key["id"]: [[7, 93]]}
    extended = apigw.update_usage(
        usagePlanId=plan["id"],
        keyId=key["id"],
        patchOperations=[{"op": "replace", "path": "/remaining", "value": "500"}],
    )
    assert extended["items"] == {key["id"]: [[7, 500]]}
    _record(server, plan["id"], key["id"], today, 10)
    after = apigw.get_usage(
        usagePlanId=plan["id"], keyId=key["id"], startDate=today.isoformat(), endDate=today.isoformat()
    )
    assert after["items"] == {key["id"]: [[17, 490]]}


def test_usage_errors(apigw):
    plan = apigw.create_usage_plan(name=unique())
    key = apigw.create_api_key(name=unique())
    with pytest.raises(ClientError) as exc:
        apigw.get_usage(usagePlanId=plan["id"], startDate="2024/01/01", endDate="2024-01-02")
    assert error_of(exc) == (
        "BadRequestException",
        "Invalid startDate '2024/01/01': use the format YYYY-MM-DD",
        400,
    )
    with pytest.raises(ClientError) as exc:
        apigw.get_usage(usagePlanId=plan["id"], startDate="2024-01-02", endDate="2024-01-01")
    assert error_of(exc)[1] == "The endDate must not be before the startDate"
    with pytest.raises(ClientError) as exc:
        apigw.get_usage(usagePlanId=plan["id"], keyId=key["id"], startDate="2024-01-01", endDate="2024-01-01")
    assert error_of(exc) == ("NotFoundException", "Invalid API Key identifier specified", 404)
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    with pytest.raises(ClientError) as exc:
        apigw.update_usage(
            usagePlanId=plan["id"],
            keyId=key["id"],
            patchOperations=[{"op": "replace", "path": "/remaining", "value": "5"}],
        )
    assert error_of(exc)[1] == f"Usage plan {plan['id']} has no quota to extend"
    with pytest.raises(ClientError) as exc:
        apigw.update_usage(
            usagePlanId=plan["id"],
            keyId=key["id"],
            patchOperations=[{"op": "replace", "path": "/used", "value": "5"}],
        )
    assert (
        error_of(exc)[1]
        == "Invalid patch path  '/used' specified for op 'replace'. Must be one of: [/remaining]"
    )


def test_aws_cli(server):
    name = unique("cli")
    plan = aws_cli(
        server,
        "create-usage-plan",
        "--name",
        name,
        "--quota",
        "limit=50,period=WEEK",
        "--throttle",
        "burstLimit=3,rateLimit=1.5",
    )
    assert plan["quota"] == {"limit": 50, "offset": 0, "period": "WEEK"}
    assert plan["throttle"] == {"burstLimit": 3, "rateLimit": 1.5}
    got = aws_cli(server, "get-usage-plan", "--usage-plan-id", plan["id"])
    assert got["name"] == name
    usage = aws_cli(
        server,
        "get-usage",
        "--usage-plan-id",
        plan["id"],
        "--start-date",
        "2024-02-27",
        "--end-date",
        "2024-03-01",
    )
    assert usage["startDate"] == "2024-02-27" and usage["items"] == {}
