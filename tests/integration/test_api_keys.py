"""ApiKey operations (and ImportApiKeys) through boto3 and the AWS CLI against a real server."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from .stage_helpers import aws_cli, deploy_stage, error_of

VALUE = "abcdefghij0123456789"  # 20 characters, the minimum


def unique(prefix: str = "k") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_create_generates_id_and_value(apigw):
    created = apigw.create_api_key(name=unique(), description="d")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(created["id"]) == 10 and created["id"].isalnum() and created["id"].islower()
    assert len(created["value"]) == 40 and created["value"].isalnum()
    assert created["enabled"] is False
    assert created["stageKeys"] == []
    assert created["createdDate"] == created["lastUpdatedDate"]
    got = apigw.get_api_key(apiKey=created["id"])
    assert "value" not in got
    assert got["description"] == "d"
    with_value = apigw.get_api_key(apiKey=created["id"], includeValue=True)
    assert with_value["value"] == created["value"]


def test_given_value_and_its_limits(apigw):
    created = apigw.create_api_key(name=unique(), value=VALUE + "x", enabled=True, customerId="c-1")
    assert created["value"] == VALUE + "x" and created["enabled"] is True and created["customerId"] == "c-1"
    with pytest.raises(ClientError) as exc:
        apigw.create_api_key(name=unique(), value=VALUE[:-1])
    assert error_of(exc) == ("BadRequestException", "API Key value should be at least 20 characters", 400)
    with pytest.raises(ClientError) as exc:
        apigw.create_api_key(name=unique(), value="v" * 129)
    assert error_of(exc) == (
        "BadRequestException",
        "API Key value exceeds maximum size of 128 characters",
        400,
    )
    with pytest.raises(ClientError) as exc:
        apigw.create_api_key(name=unique(), value=VALUE + "x")
    assert error_of(exc) == ("ConflictException", "API Key already exists", 409)


def test_unknown_key(apigw):
    for call in (apigw.get_api_key, apigw.delete_api_key):
        with pytest.raises(ClientError) as exc:
            call(apiKey="nosuchkey0")
        assert error_of(exc) == ("NotFoundException", "Invalid API Key identifier specified", 404)
    with pytest.raises(ClientError) as exc:
        apigw.update_api_key(apiKey="nosuchkey0", patchOperations=[])
    assert error_of(exc)[0] == "NotFoundException"


def test_list_filters_and_pages(apigw):
    prefix = unique("list")
    made = [apigw.create_api_key(name=f"{prefix}-{i}", customerId=f"cust-{prefix}-{i % 2}") for i in range(3)]
    apigw.create_api_key(name=unique("other"))
    named = apigw.get_api_keys(nameQuery=prefix, limit=500)["items"]
    assert [k["id"] for k in named] == [k["id"] for k in made]
    assert all("value" not in k for k in named)
    with_values = apigw.get_api_keys(nameQuery=prefix, includeValues=True)["items"]
    assert [k["value"] for k in with_values] == [k["value"] for k in made]
    customer = apigw.get_api_keys(customerId=f"cust-{prefix}-1")["items"]
    assert [k["id"] for k in customer] == [made[1]["id"]]
    page = apigw.get_api_keys(nameQuery=prefix, limit=2)
    assert len(page["items"]) == 2 and page["position"] == "2"
    rest = apigw.get_api_keys(nameQuery=prefix, limit=2, position=page["position"])
    assert [k["id"] for k in rest["items"]] == [made[2]["id"]] and "position" not in rest


def test_update(apigw):
    key = apigw.create_api_key(name=unique())
    updated = apigw.update_api_key(
        apiKey=key["id"],
        patchOperations=[
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "replace", "path": "/description", "value": "new"},
            {"op": "replace", "path": "/enabled", "value": "true"},
            {"op": "replace", "path": "/customerId", "value": "cust"},
        ],
    )
    assert (updated["name"], updated["description"], updated["enabled"], updated["customerId"]) == (
        "renamed",
        "new",
        True,
        "cust",
    )
    assert updated["lastUpdatedDate"] >= key["lastUpdatedDate"]
    assert apigw.get_api_key(apiKey=key["id"])["name"] == "renamed"


def test_update_rejects_bad_paths_and_values(apigw):
    key = apigw.create_api_key(name=unique())
    with pytest.raises(ClientError) as exc:
        apigw.update_api_key(
            apiKey=key["id"],
            patchOperations=[
                {"op": "replace", "path": "/name", "value": "half"},
                {"op": "replace", "path": "/value", "value": VALUE},
            ],
        )
    code, message, status = error_of(exc)
    assert (code, status) == ("BadRequestException", 400)
    assert message == (
        "Invalid patch path  '/value' specified for op 'replace'. "
        "Must be one of: [/name, /description, /customerId, /enabled]"
    )
    assert apigw.get_api_key(apiKey=key["id"])["name"] == key["name"]
    with pytest.raises(ClientError) as exc:
        apigw.update_api_key(
            apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled", "value": "y"}]
        )
    assert error_of(exc)[:2] == (
        "BadRequestException",
        "Invalid boolean value 'y' for /enabled: must be true or false",
    )


def test_stage_keys(apigw, api):
    stage = deploy_stage(apigw, api)
    key = apigw.create_api_key(name=unique(), stageKeys=[{"restApiId": api["id"], "stageName": stage}])
    assert key["stageKeys"] == [f"{api['id']}/{stage}"]
    removed = apigw.update_api_key(
        apiKey=key["id"],
        patchOperations=[{"op": "remove", "path": "/stages", "value": f"{api['id']}/{stage}"}],
    )
    assert removed["stageKeys"] == []
    added = apigw.update_api_key(
        apiKey=key["id"], patchOperations=[{"op": "add", "path": "/stages", "value": f"{api['id']}/{stage}"}]
    )
    assert added["stageKeys"] == [f"{api['id']}/{stage}"]
    with pytest.raises(ClientError) as exc:
        apigw.create_api_key(name=unique(), stageKeys=[{"restApiId": api["id"], "stageName": "nope"}])
    assert error_of(exc) == ("BadRequestException", "Invalid stage identifier specified", 400)
    with pytest.raises(ClientError) as exc:
        apigw.update_api_key(
            apiKey=key["id"], patchOperations=[{"op": "add", "path": "/stages", "value": "nosuchapi0/dev"}]
        )
    assert error_of(exc) == (
        "NotFoundException",
        "Invalid API identifier specified 123456789012:nosuchapi0",
        404,
    )


def test_delete(apigw):
    key = apigw.create_api_key(name=unique())
    assert apigw.delete_api_key(apiKey=key["id"])["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as exc:
        apigw.get_api_key(apiKey=key["id"])
    assert error_of(exc)[0] == "NotFoundException"


def test_tags(apigw):
    key = apigw.create_api_key(name=unique(), tags={"team": "a"})
    assert key["tags"] == {"team": "a"}
    arn = f"arn:aws:apigateway:us-east-1::/apikeys/{key['id']}"
    apigw.tag_resource(resourceArn=arn, tags={"env": "dev"})
    assert apigw.get_api_key(apiKey=key["id"])["tags"] == {"team": "a", "env": "dev"}


def test_import_csv(apigw):
    plan = apigw.create_usage_plan(name=unique("plan"))
    v1, v2, v3 = (uuid.uuid4().hex for _ in range(3))
    body = (
        "Key,name, Description ,Enabled,usageplanIds,ignored\n"
        f"{v1}, imported-1, first one, tRuE, {plan['id']}, x\n"
        f"{v2},imported-2,,false,'{plan['id']}'\n"
        f"{v3},imported-3\n"
        "short,bad-one\n"
    )
    result = apigw.import_api_keys(body=body.encode(), format="csv")
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(result["ids"]) == 3
    assert result["warnings"] == ["Line 5: a Key must have between 20 and 128 characters"]
    keys = [apigw.get_api_key(apiKey=i, includeValue=True) for i in result["ids"]]
    assert [(k["name"], k["value"], k["enabled"]) for k in keys] == [
        ("imported-1", v1, True),
        ("imported-2", v2, False),
        ("imported-3", v3, True),
    ]
    assert keys[0]["description"] == "first one" and "description" not in keys[1]
    plan_keys = apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]
    assert sorted(k["id"] for k in plan_keys) == sorted(result["ids"][:2])
    again = apigw.import_api_keys(body=f"name,key\nrenamed,{v3}\n".encode(), format="csv")
    assert again["ids"] == [result["ids"][2]]
    assert apigw.get_api_key(apiKey=result["ids"][2])["name"] == "renamed"


def test_import_fail_on_warnings(apigw):
    value = uuid.uuid4().hex
    body = f"name,key,usageplanids\nok,{value},nosuchplan\n".encode()
    with pytest.raises(ClientError) as exc:
        apigw.import_api_keys(body=body, format="csv", failOnWarnings=True)
    code, message, _ = error_of(exc)
    assert code == "BadRequestException"
    assert message == "API keys were not imported: Line 2: Invalid Usage Plan ID specified: nosuchplan"
    assert all(k["value"] != value for k in apigw.get_api_keys(includeValues=True, limit=500)["items"])
    lenient = apigw.import_api_keys(body=body, format="csv")
    assert len(lenient["ids"]) == 1
    assert lenient["warnings"] == ["Line 2: Invalid Usage Plan ID specified: nosuchplan"]


def test_import_needs_name_and_key_columns(apigw):
    with pytest.raises(ClientError) as exc:
        apigw.import_api_keys(body=b"name,value\nx,abcdefghijabcdefghijabcdefghij\n", format="csv")
    code, message, _ = error_of(exc)
    assert code == "BadRequestException"
    assert message == "Invalid API key file: the header must contain the Name and Key columns (missing: key)"


def test_aws_cli_create_and_get(server):
    name = unique("cli")
    created = aws_cli(server, "create-api-key", "--name", name, "--enabled", "--value", VALUE + "cli")
    assert created["name"] == name and created["enabled"] is True and created["value"] == VALUE + "cli"
    got = aws_cli(server, "get-api-key", "--api-key", created["id"], "--include-value")
    assert got["value"] == VALUE + "cli" and got["id"] == created["id"]
    listed = aws_cli(server, "get-api-keys", "--name-query", name)
    assert [k["id"] for k in listed["items"]] == [created["id"]]
