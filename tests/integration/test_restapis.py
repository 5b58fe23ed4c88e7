"""RestApi operations through boto3 against a real server."""

from __future__ import annotations

import json
import urllib.request

import pytest
from botocore.exceptions import ClientError


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def test_create_get_list_delete(apigw):
    created = apigw.create_rest_api(name="pets", description="d", binaryMediaTypes=["image/png"])
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(created["id"]) == 10 and created["id"].isalnum()
    assert created["apiKeySource"] == "HEADER"
    assert created["endpointConfiguration"]["types"] == ["EDGE"]
    assert created["disableExecuteApiEndpoint"] is False
    assert created["rootResourceId"]
    got = apigw.get_rest_api(restApiId=created["id"])
    assert got["name"] == "pets" and got["description"] == "d"
    assert got["createdDate"] == created["createdDate"]
    assert got["binaryMediaTypes"] == ["image/png"]
    ids = [a["id"] for a in apigw.get_rest_apis(limit=500)["items"]]
    assert created["id"] in ids
    apigw.delete_rest_api(restApiId=created["id"])
    with pytest.raises(ClientError) as exc:
        apigw.get_rest_api(restApiId=created["id"])
    code, message, status = error_of(exc)
    assert (code, status) == ("NotFoundException", 404)
    assert message == f"Invalid API identifier specified 123456789012:{created['id']}"


def test_custom_id_tag(apigw):
    created = apigw.create_rest_api(name="custom", tags={"_custom_id_": "myapi123"})
    try:
        assert created["id"] == "myapi123"
        with pytest.raises(ClientError) as exc:
            apigw.create_rest_api(name="again", tags={"_custom_id_": "myapi123"})
        assert error_of(exc)[0] == "ConflictException"
    finally:
        apigw.delete_rest_api(restApiId="myapi123")


def test_update_with_patch(apigw, api):
    updated = apigw.update_rest_api(
        restApiId=api["id"],
        patchOperations=[
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "add", "path": "/binaryMediaTypes/image~1jpeg"},
            {"op": "replace", "path": "/minimumCompressionSize", "value": "1024"},
            {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "true"},
            {"op": "replace", "path": "/endpointConfiguration/types/0", "value": "REGIONAL"},
        ],
    )
    assert updated["name"] == "renamed"
    assert updated["binaryMediaTypes"] == ["image/jpeg"]
    assert updated["minimumCompressionSize"] == 1024
    assert updated["disableExecuteApiEndpoint"] is True
    assert updated["endpointConfiguration"]["types"] == ["REGIONAL"]
    removed = apigw.update_rest_api(
        restApiId=api["id"], patchOperations=[{"op": "remove", "path": "/binaryMediaTypes/image~1jpeg"}]
    )
    assert removed.get("binaryMediaTypes", []) == []


def test_bad_patch_path_changes_nothing(apigw, api):
    with pytest.raises(ClientError) as exc:
        apigw.update_rest_api(
            restApiId=api["id"],
            patchOperations=[
                {"op": "replace", "path": "/name", "value": "half"},
                {"op": "replace", "path": "/nosuchthing", "value": "x"},
            ],
        )
    code, message, status = error_of(exc)
    assert (code, status) == ("BadRequestException", 400)
    assert "/nosuchthing" in message
    assert apigw.get_rest_api(restApiId=api["id"])["name"] == api["name"]


def test_readonly_patch_path_rejected(apigw, api):
    with pytest.raises(ClientError) as exc:
        apigw.update_rest_api(
            restApiId=api["id"], patchOperations=[{"op": "replace", "path": "/id", "value": "x"}]
        )
    assert error_of(exc)[0] == "BadRequestException"


def test_invalid_enum_value(apigw):
    with pytest.raises(ClientError) as exc:
        apigw.create_rest_api(name="x", apiKeySource="NOPE")
    code, message, _ = error_of(exc)
    assert code == "BadRequestException"
    assert "Member must satisfy enum value set: [HEADER, AUTHORIZER]" in message


def test_pagination(apigw):
    made = [apigw.create_rest_api(name=f"page-{i}")["id"] for i in range(3)]
    try:
        seen: list[str] = []
        page = apigw.get_rest_apis(limit=1)
        while True:
            seen.extend(a["id"] for a in page["items"])
            if "position" not in page:
                break
            page = apigw.get_rest_apis(limit=1, position=page["position"])
        assert set(made) <= set(seen)
        assert len(seen) == len(set(seen))
    finally:
        for api_id in made:
            apigw.delete_rest_api(restApiId=api_id)


def test_regions_are_separate(server):
    east, west = server.client("apigateway", "us-east-1"), server.client("apigateway", "eu-west-1")
    created = west.create_rest_api(name="west-only")
    try:
        assert created["id"] in [a["id"] for a in west.get_rest_apis(limit=500)["items"]]
        assert created["id"] not in [a["id"] for a in east.get_rest_apis(limit=500)["items"]]
    finally:
        west.delete_rest_api(restApiId=created["id"])


def test_unimplemented_operation_is_named(apigw):
    with pytest.raises(ClientError) as exc:
        apigw.get_sdk(restApiId="abc", stageName="dev", sdkType="javascript")
    code, message, status = error_of(exc)
    assert status == 501 and code == "NotImplementedException"
    assert "GetSdk" in message


def test_health(server):
    with urllib.request.urlopen(f"{server.url}/_portico/health") as resp:
        assert resp.status == 200
        assert json.loads(resp.read())["status"] == "ok"
