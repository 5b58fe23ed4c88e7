"""DocumentationPart and DocumentationVersion operations through boto3 against a real server."""

from __future__ import annotations

import json

import pytest
import yaml
from botocore.exceptions import ClientError


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def part(apigw, api_id: str, location: dict, properties: dict):
    return apigw.create_documentation_part(
        restApiId=api_id, location=location, properties=json.dumps(properties)
    )


def test_part_lifecycle(apigw, api):
    api_id = api["id"]
    created = part(
        apigw, api_id, {"type": "METHOD", "path": "/pets", "method": "GET"}, {"summary": "List pets"}
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    pid = created["id"]
    assert len(pid) == 6 and pid.isalnum() and pid.islower()
    assert created["location"] == {"type": "METHOD", "path": "/pets", "method": "GET"}
    got = apigw.get_documentation_part(restApiId=api_id, documentationPartId=pid)
    assert json.loads(got["properties"]) == {"summary": "List pets"}
    updated = apigw.update_documentation_part(
        restApiId=api_id,
        documentationPartId=pid,
        patchOperations=[{"op": "replace", "path": "/properties", "value": '{"summary":"All pets"}'}],
    )
    assert json.loads(updated["properties"]) == {"summary": "All pets"}
    apigw.delete_documentation_part(restApiId=api_id, documentationPartId=pid)
    with pytest.raises(ClientError) as exc:
        apigw.get_documentation_part(restApiId=api_id, documentationPartId=pid)
    assert error_of(exc) == ("NotFoundException", "Invalid Documentation part identifier specified", 404)


def test_location_defaults_and_duplicates(apigw, api):
    api_id = api["id"]
    resource = part(apigw, api_id, {"type": "RESOURCE"}, {"description": "root"})
    assert resource["location"] == {"type": "RESOURCE", "path": "/"}
    response = part(apigw, api_id, {"type": "RESPONSE", "statusCode": "200"}, {"description": "ok"})
    assert response["location"] == {"type": "RESPONSE", "path": "/", "method": "*", "statusCode": "200"}
    api_part = part(apigw, api_id, {"type": "API"}, {"info": {"description": "d"}})
    assert api_part["location"] == {"type": "API"}
    with pytest.raises(ClientError) as exc:
        part(apigw, api_id, {"type": "API"}, {"x": 1})
    assert error_of(exc) == (
        "ConflictException",
        "Documentation part already exists for the specified location: type 'API'.",
        409,
    )
    with pytest.raises(ClientError) as exc:
        part(apigw, api_id, {"type": "RESOURCE", "path": "/"}, {"x": 1})
    assert (
        error_of(exc)[1]
        == "Documentation part already exists for the specified location: type 'RESOURCE', path '/'."
    )


@pytest.mark.parametrize(
    ("location", "fragment"),
    [
        ({"type": "API", "method": "GET"}, "'method' is not a valid field for type API"),
        ({"type": "RESOURCE", "statusCode": "200"}, "'statusCode' is not a valid field for type RESOURCE"),
        (
            {"type": "AUTHORIZER", "path": "/x", "name": "a"},
            "'path' is not a valid field for type AUTHORIZER",
        ),
        ({"type": "MODEL"}, "'name' is required for type MODEL"),
        ({"type": "QUERY_PARAMETER", "path": "/pets"}, "'name' is required for type QUERY_PARAMETER"),
        ({"type": "RESPONSE", "statusCode": "999"}, "Invalid location status code specified: 999"),
        ({"type": "RESOURCE", "path": "pets"}, "Invalid location path specified: pets"),
    ],
)
def test_invalid_locations(apigw, api, location, fragment):
    with pytest.raises(ClientError) as exc:
        part(apigw, api["id"], location, {"description": "x"})
    code, message, _ = error_of(exc)
    assert code == "BadRequestException" and fragment in message


def test_invalid_properties(apigw, api):
    for properties in ("", "not json", "[1, 2]"):
        with pytest.raises(ClientError) as exc:
            apigw.create_documentation_part(
                restApiId=api["id"], location={"type": "API"}, properties=properties
            )
        assert error_of(exc)[0] == "BadRequestException"
    with pytest.raises(ClientError) as exc:
        apigw.create_documentation_part(restApiId=api["id"], location={"type": "NOPE"}, properties="{}")
    assert "Member must satisfy enum value set" in error_of(exc)[1]


def test_update_errors(apigw, api):
    pid = part(apigw, api["id"], {"type": "API"}, {"a": 1})["id"]
    cases = [
        ({"op": "add", "path": "/properties", "value": "{}"}, "Please choose supported operations"),
        ({"op": "replace", "path": "/location/type", "value": "MODEL"}, "Must be one of: [/properties]"),
        (
            {"op": "replace", "path": "/properties", "value": ""},
            "Documentation part properties must be non-empty",
        ),
    ]
    for operation, fragment in cases:
        with pytest.raises(ClientError) as exc:
            apigw.update_documentation_part(
                restApiId=api["id"], documentationPartId=pid, patchOperations=[operation]
            )
        assert error_of(exc)[0] == "BadRequestException" and fragment in error_of(exc)[1]


def test_filters_and_paging(apigw, api):
    api_id = api["id"]
    part(apigw, api_id, {"type": "MODEL", "name": "Pet"}, {"description": "pet"})
    part(apigw, api_id, {"type": "MODEL", "name": "Pet.name"}, {"description": "name"})
    part(apigw, api_id, {"type": "MODEL", "name": "Error"}, {})
    part(apigw, api_id, {"type": "METHOD", "path": "/pets", "method": "GET"}, {"summary": "s"})
    part(
        apigw, api_id, {"type": "QUERY_PARAMETER", "path": "/pets", "method": "GET", "name": "page"}, {"d": 1}
    )

    def names(**filters):
        items = apigw.get_documentation_parts(restApiId=api_id, **filters)["items"]
        return sorted(p["location"].get("name", p["location"]["type"]) for p in items)

    assert names(type="MODEL") == ["Error", "Pet", "Pet.name"]
    assert names(nameQuery="Pet") == ["Pet", "Pet.name"]
    assert names(path="/pets") == ["METHOD", "page"]
    assert names(locationStatus="UNDOCUMENTED") == ["Error"]
    assert len(names(locationStatus="DOCUMENTED")) == 4
    page = apigw.get_documentation_parts(restApiId=api_id, limit=3)
    rest = apigw.get_documentation_parts(restApiId=api_id, position=page["position"])
    assert len(page["items"]) == 3 and len(rest["items"]) == 2


def openapi_with(parts: list) -> bytes:
    return json.dumps(
        {
            "swagger": "2.0",
            "info": {"title": "doc"},
            "paths": {},
            "x-amazon-apigateway-documentation": {"documentationParts": parts},
        }
    ).encode()


def test_import_merge_and_overwrite(apigw, api):
    api_id = api["id"]
    kept = part(apigw, api_id, {"type": "RESOURCE", "path": "/old"}, {"description": "old"})["id"]
    existing = part(apigw, api_id, {"type": "API"}, {"description": "keep me", "x-a": "1"})["id"]
    body = openapi_with(
        [
            {"location": {"type": "API"}, "properties": {"x-a": "2"}},
            {
                "location": {"type": "METHOD", "method": "GET"},
                "properties": {"description": "Method description."},
            },
        ]
    )
    merged = apigw.import_documentation_parts(restApiId=api_id, body=body)
    assert merged["ids"][0] == existing and len(merged["ids"]) == 2
    api_doc = apigw.get_documentation_part(restApiId=api_id, documentationPartId=existing)
    assert json.loads(api_doc["properties"]) == {"description": "keep me", "x-a": "2"}
    assert apigw.get_documentation_part(restApiId=api_id, documentationPartId=kept)["id"] == kept
    replaced = apigw.import_documentation_parts(restApiId=api_id, body=body, mode="overwrite")
    items = apigw.get_documentation_parts(restApiId=api_id)["items"]
    assert sorted(p["id"] for p in items) == sorted(replaced["ids"]) and len(items) == 2
    assert kept not in replaced["ids"]


def test_import_warnings_and_yaml(apigw, api):
    parts = [
        {"location": {"type": "API", "method": "GET"}, "properties": {"a": 1}},
        {"location": {"type": "MODEL", "name": "Pet"}, "properties": {"description": "pet"}},
    ]
    with pytest.raises(ClientError) as exc:
        apigw.import_documentation_parts(restApiId=api["id"], body=openapi_with(parts), failOnWarnings=True)
    assert error_of(exc)[0] == "BadRequestException" and "Documentation part 0 ignored" in error_of(exc)[1]
    assert apigw.get_documentation_parts(restApiId=api["id"])["items"] == []
    document = {"openapi": "3.0.1", "x-amazon-apigateway-documentation": {"documentationParts": parts}}
    imported = apigw.import_documentation_parts(restApiId=api["id"], body=yaml.safe_dump(document).encode())
    assert len(imported["ids"]) == 1 and "Documentation part 0 ignored" in imported["warnings"][0]
    with pytest.raises(ClientError) as exc:
        apigw.import_documentation_parts(restApiId=api["id"], body=b"- [unbalanced")
    assert error_of(exc)[0] == "BadRequestException"


def test_versions(apigw, api):
    api_id = api["id"]
    part(apigw, api_id, {"type": "API"}, {"description": "v1"})
    created = apigw.create_documentation_version(
        restApiId=api_id, documentationVersion="1.0.0", description="first"
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (created["version"], created["description"]) == ("1.0.0", "first")
    assert created["createdDate"].year >= 2024
    with pytest.raises(ClientError) as exc:
        apigw.create_documentation_version(restApiId=api_id, documentationVersion="1.0.0")
    assert error_of(exc)[0] == "ConflictException"
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="1.1.0")
    assert [v["version"] for v in apigw.get_documentation_versions(restApiId=api_id)["items"]] == [
        "1.0.0",
        "1.1.0",
    ]
    updated = apigw.update_documentation_version(
        restApiId=api_id,
        documentationVersion="1.0.0",
        patchOperations=[{"op": "replace", "path": "/description", "value": "changed"}],
    )
    assert updated["description"] == "changed"
    with pytest.raises(ClientError) as exc:
        apigw.update_documentation_version(
            restApiId=api_id,
            documentationVersion="1.0.0",
            patchOperations=[{"op": "replace", "path": "/version", "value": "2"}],
        )
    assert "Must be one of: [/description]" in error_of(exc)[1]
    apigw.delete_documentation_version(restApiId=api_id, documentationVersion="1.0.0")
    with pytest.raises(ClientError) as exc:
        apigw.get_documentation_version(restApiId=api_id, documentationVersion="1.0.0")
    assert error_of(exc) == ("NotFoundException", "Documentation version not found: 1.0.0", 404)


def test_version_published_on_stage(apigw, api):
    api_id = api["id"]
    res = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"], pathPart="x")
    apigw.put_method(restApiId=api_id, resourceId=res["id"], httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=res["id"], httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="2.0", stageName="prod")
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["documentationVersion"] == "2.0"
    with pytest.raises(ClientError) as exc:
        apigw.create_documentation_version(restApiId=api_id, documentationVersion="3.0", stageName="nostage")
    assert error_of(exc)[:2] == ("NotFoundException", "Invalid Stage identifier specified")
    assert [v["version"] for v in apigw.get_documentation_versions(restApiId=api_id)["items"]] == ["2.0"]


def test_unknown_api(apigw):
    with pytest.raises(ClientError) as exc:
        apigw.get_documentation_parts(restApiId="nosuchapi")
    assert error_of(exc)[:2] == (
        "NotFoundException",
        "Invalid API identifier specified 123456789012:nosuchapi",
    )
