"""RequestValidator operations through boto3 against a real server."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def test_create_get_list_update_delete(apigw, api):
    api_id = api["id"]
    created = apigw.create_request_validator(restApiId=api_id, name="body-only", validateRequestBody=True)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    vid = created["id"]
    assert len(vid) == 6 and vid.isalnum() and vid.islower()
    assert (created["validateRequestBody"], created["validateRequestParameters"]) == (True, False)
    got = apigw.get_request_validator(restApiId=api_id, requestValidatorId=vid)
    assert got["name"] == "body-only" and got["validateRequestBody"] is True
    defaults = apigw.create_request_validator(restApiId=api_id, name="none")
    assert (defaults["validateRequestBody"], defaults["validateRequestParameters"]) == (False, False)
    listed = apigw.get_request_validators(restApiId=api_id)["items"]
    assert [v["name"] for v in listed] == ["body-only", "none"]
    updated = apigw.update_request_validator(
        restApiId=api_id,
        requestValidatorId=vid,
        patchOperations=[
            {"op": "replace", "path": "/name", "value": "both"},
            {"op": "replace", "path": "/validateRequestParameters", "value": "true"},
            {"op": "replace", "path": "/validateRequestBody", "value": "false"},
        ],
    )
    assert (updated["name"], updated["validateRequestParameters"], updated["validateRequestBody"]) == (
        "both",
        True,
        False,
    )
    apigw.delete_request_validator(restApiId=api_id, requestValidatorId=vid)
    with pytest.raises(ClientError) as exc:
        apigw.get_request_validator(restApiId=api_id, requestValidatorId=vid)
    assert error_of(exc) == ("NotFoundException", "Invalid Request Validator identifier specified", 404)


def test_paging(apigw, api):
    for i in range(3):
        apigw.create_request_validator(restApiId=api["id"], name=f"v{i}")
    page = apigw.get_request_validators(restApiId=api["id"], limit=2)
    assert len(page["items"]) == 2
    rest = apigw.get_request_validators(restApiId=api["id"], position=page["position"])
    assert [v["name"] for v in page["items"] + rest["items"]] == ["v0", "v1", "v2"]


def test_name_rules(apigw, api):
    apigw.create_request_validator(restApiId=api["id"], name="taken")
    with pytest.raises(ClientError) as exc:
        apigw.create_request_validator(restApiId=api["id"], name="taken")
    assert error_of(exc)[0] == "ConflictException"
    with pytest.raises(ClientError) as exc:
        apigw.create_request_validator(restApiId=api["id"])
    assert error_of(exc) == ("BadRequestException", "Request Validator name cannot be blank", 400)


def test_update_errors(apigw, api):
    vid = apigw.create_request_validator(restApiId=api["id"], name="v")["id"]
    apigw.create_request_validator(restApiId=api["id"], name="other")
    cases = [
        (
            {"op": "add", "path": "/name", "value": "x"},
            "BadRequestException",
            "Please choose supported operations",
        ),
        (
            {"op": "replace", "path": "/id", "value": "x"},
            "BadRequestException",
            "Must be one of: [/name, /validateRequestParameters, /validateRequestBody]",
        ),
        (
            {"op": "replace", "path": "/validateRequestBody", "value": "maybe"},
            "BadRequestException",
            "boolean",
        ),
        ({"op": "replace", "path": "/name", "value": "other"}, "ConflictException", "other"),
    ]
    for operation, code, fragment in cases:
        with pytest.raises(ClientError) as exc:
            apigw.update_request_validator(
                restApiId=api["id"], requestValidatorId=vid, patchOperations=[operation]
            )
        assert error_of(exc)[0] == code and fragment in error_of(exc)[1]
    assert apigw.get_request_validator(restApiId=api["id"], requestValidatorId=vid)["name"] == "v"


def test_validator_in_use_cannot_be_deleted(apigw, api):
    api_id = api["id"]
    vid = apigw.create_request_validator(restApiId=api_id, name="strict", validateRequestBody=True)["id"]
    res = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"], pathPart="orders")
    apigw.put_method(
        restApiId=api_id,
        resourceId=res["id"],
        httpMethod="PUT",
        authorizationType="NONE",
        requestValidatorId=vid,
    )
    with pytest.raises(ClientError) as exc:
        apigw.delete_request_validator(restApiId=api_id, requestValidatorId=vid)
    assert error_of(exc) == (
        "ConflictException",
        "Cannot delete request validator 'strict', is referenced in method: PUT//orders",
        409,
    )
    apigw.delete_method(restApiId=api_id, resourceId=res["id"], httpMethod="PUT")
    apigw.delete_request_validator(restApiId=api_id, requestValidatorId=vid)
    assert apigw.get_request_validators(restApiId=api_id)["items"] == []


def test_unknown_ids(apigw, api):
    with pytest.raises(ClientError) as exc:
        apigw.delete_request_validator(restApiId=api["id"], requestValidatorId="nope12")
    assert error_of(exc)[:2] == ("NotFoundException", "Invalid Request Validator identifier specified")
    with pytest.raises(ClientError) as exc:
        apigw.create_request_validator(restApiId="missingapi", name="x")
    assert error_of(exc)[:2] == (
        "NotFoundException",
        "Invalid API identifier specified 123456789012:missingapi",
    )
