"""Model operations through boto3 against a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

PET = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "Pet",
    "type": "object",
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "required": ["id"],
}


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def ref(api_id: str, name: str) -> str:
    return f"https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"


def create(apigw, api_id: str, name: str, schema: object, **kw):
    return apigw.create_model(
        restApiId=api_id, name=name, contentType="application/json", schema=json.dumps(schema), **kw
    )


def test_new_api_has_default_models(apigw, api):
    items = {m["name"]: m for m in apigw.get_models(restApiId=api["id"])["items"]}
    assert set(items) == {"Empty", "Error"}
    assert items["Empty"]["description"] == "This is a default empty schema model"
    assert json.loads(items["Error"]["schema"])["properties"] == {"message": {"type": "string"}}
    assert len(items["Empty"]["id"]) == 6


def test_create_get_list_update_delete(apigw, api):
    created = create(apigw, api["id"], "Pet", PET, description="a pet")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(created["id"]) == 6 and created["id"].isalnum() and created["id"].islower()
    assert (created["name"], created["contentType"], created["description"]) == (
        "Pet",
        "application/json",
        "a pet",
    )
    got = apigw.get_model(restApiId=api["id"], modelName="Pet")
    assert json.loads(got["schema"]) == PET and got["id"] == created["id"]
    assert "Pet" in [m["name"] for m in apigw.get_models(restApiId=api["id"])["items"]]
    new_schema = {**PET, "required": ["id", "name"]}
    updated = apigw.update_model(
        restApiId=api["id"],
        modelName="Pet",
        patchOperations=[
            {"op": "replace", "path": "/description", "value": "renamed"},
            {"op": "replace", "path": "/schema", "value": json.dumps(new_schema)},
        ],
    )
    assert updated["description"] == "renamed" and json.loads(updated["schema"]) == new_schema
    apigw.delete_model(restApiId=api["id"], modelName="Pet")
    with pytest.raises(ClientError) as exc:
        apigw.get_model(restApiId=api["id"], modelName="Pet")
    assert error_of(exc) == ("NotFoundException", "Invalid model name specified: Pet", 404)


def test_models_paginate(apigw, api):
    for i in range(3):
        create(apigw, api["id"], f"M{i}", {"type": "string"})
    first = apigw.get_models(restApiId=api["id"], limit=2)
    assert len(first["items"]) == 2 and first["position"]
    rest = apigw.get_models(restApiId=api["id"], limit=10, position=first["position"])
    names = [m["name"] for m in first["items"] + rest["items"]]
    assert sorted(names) == ["Empty", "Error", "M0", "M1", "M2"]


def test_duplicate_and_invalid_names(apigw, api):
    create(apigw, api["id"], "Pet", PET)
    with pytest.raises(ClientError) as exc:
        create(apigw, api["id"], "Pet", PET)
    assert error_of(exc) == ("ConflictException", "Model name already exists for this REST API", 409)
    with pytest.raises(ClientError) as exc:
        create(apigw, api["id"], "my-model", PET)
    code, message, _ = error_of(exc)
    assert code == "BadRequestException" and "alphanumeric" in message


@pytest.mark.parametrize(
    ("schema", "detail"),
    [
        ("{not json", "Invalid model schema specified"),
        ('["a"]', "Invalid model schema specified"),
        (json.dumps({"type": "object", "required": []}), "Invalid model schema specified."),
        (json.dumps({"type": "nosuchtype"}), "Invalid model schema specified."),
    ],
)
def test_invalid_schema(apigw, api, schema, detail):
    with pytest.raises(ClientError) as exc:
        apigw.create_model(restApiId=api["id"], name="Bad", contentType="application/json", schema=schema)
    code, message, status = error_of(exc)
    assert (code, status) == ("BadRequestException", 400)
    assert message.startswith(
        f"Invalid model specified: Validation Result: warnings : [], errors : [{detail}"
    )


def test_missing_schema(apigw, api):
    with pytest.raises(ClientError) as exc:
        apigw.create_model(restApiId=api["id"], name="NoSchema", contentType="application/json")
    assert error_of(exc)[1] == "Model schema must have at least 1 property or array items defined"


def test_references_between_models(apigw, api):
    api_id = api["id"]
    create(apigw, api_id, "Pet", PET)
    pets = {"type": "array", "items": {"$ref": ref(api_id, "Pet")}}
    create(apigw, api_id, "Pets", pets)
    assert json.loads(apigw.get_model(restApiId=api_id, modelName="Pets")["schema"]) == pets
    flat = json.loads(apigw.get_model(restApiId=api_id, modelName="Pets", flatten=True)["schema"])
    assert flat["items"]["properties"]["name"] == {"type": "string"}
    assert "$schema" not in flat["items"]
    plain = apigw.get_model(restApiId=api_id, modelName="Pet", flatten=True)["schema"]
    assert plain == json.dumps(PET)
    with pytest.raises(ClientError) as exc:
        apigw.delete_model(restApiId=api_id, modelName="Pet")
    assert error_of(exc) == (
        "ConflictException",
        "Cannot delete model 'Pet', is referenced in model: Pets",
        409,
    )
    apigw.delete_model(restApiId=api_id, modelName="Pets")
    apigw.delete_model(restApiId=api_id, modelName="Pet")


def test_bad_references(apigw, api):
    api_id = api["id"]
    with pytest.raises(ClientError) as exc:
        create(apigw, api_id, "Dangling", {"$ref": ref(api_id, "Nope")})
    assert error_of(exc)[1].endswith("errors : [Invalid model identifier specified: Nope]")
    with pytest.raises(ClientError) as exc:
        create(apigw, api_id, "Relative", {"$ref": "Pet.json"})
    assert error_of(exc)[1].endswith("errors : [Model reference must be in canonical form]")
    local = {"definitions": {"x": {"type": "string"}}, "properties": {"a": {"$ref": "#/definitions/x"}}}
    assert create(apigw, api_id, "Local", local)["name"] == "Local"


def test_update_errors(apigw, api):
    create(apigw, api["id"], "Pet", PET)
    cases = [
        ({"op": "add", "path": "/description", "value": "x"}, "Please choose supported operations"),
        ({"op": "replace", "path": "/name", "value": "x"}, "Must be one of: [/description, /schema]"),
        ({"op": "replace", "path": "/schema", "value": "{"}, "Invalid model schema specified"),
    ]
    for operation, fragment in cases:
        with pytest.raises(ClientError) as exc:
            apigw.update_model(restApiId=api["id"], modelName="Pet", patchOperations=[operation])
        code, message, _ = error_of(exc)
        assert code == "BadRequestException" and fragment in message
    assert json.loads(apigw.get_model(restApiId=api["id"], modelName="Pet")["schema"]) == PET


def test_model_in_use_by_method(apigw, api):
    api_id, root = api["id"], api["rootResourceId"]
    create(apigw, api_id, "Pet", PET)
    res = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    apigw.put_method(
        restApiId=api_id,
        resourceId=res["id"],
        httpMethod="POST",
        authorizationType="NONE",
        requestModels={"application/json": "Pet"},
    )
    with pytest.raises(ClientError) as exc:
        apigw.delete_model(restApiId=api_id, modelName="Pet")
    assert error_of(exc) == (
        "ConflictException",
        "Cannot delete model 'Pet', is referenced in method request: /pets/POST",
        409,
    )
    apigw.update_method(
        restApiId=api_id,
        resourceId=res["id"],
        httpMethod="POST",
        patchOperations=[{"op": "remove", "path": "/requestModels/application~1json"}],
    )
    apigw.put_method_response(
        restApiId=api_id,
        resourceId=res["id"],
        httpMethod="POST",
        statusCode="200",
        responseModels={"application/json": "Pet"},
    )
    with pytest.raises(ClientError) as exc:
        apigw.delete_model(restApiId=api_id, modelName="Pet")
    assert error_of(exc)[1] == "Cannot delete model 'Pet', is referenced in method response: /pets/POST/200"


def test_model_template(apigw, api):
    api_id = api["id"]
    create(apigw, api_id, "Pet", PET)
    create(apigw, api_id, "Pets", {"type": "array", "items": {"$ref": ref(api_id, "Pet")}})
    value = apigw.get_model_template(restApiId=api_id, modelName="Pet")["value"]
    assert value.startswith("#set($inputRoot = $input.path('$'))\n{\n")
    assert '"id" : $inputRoot.id' in value and '"name" : "$inputRoot.name"' in value
    listing = apigw.get_model_template(restApiId=api_id, modelName="Pets")["value"]
    assert "#foreach($elem in $inputRoot)" in listing and '"name" : "$elem.name"' in listing


def test_unknown_api_and_model(apigw, api):
    with pytest.raises(ClientError) as exc:
        apigw.get_models(restApiId="nosuchapi")
    assert error_of(exc) == (
        "NotFoundException",
        "Invalid API identifier specified 123456789012:nosuchapi",
        404,
    )
    for call in (apigw.delete_model, apigw.get_model_template):
        with pytest.raises(ClientError) as exc:
            call(restApiId=api["id"], modelName="Ghost")
        assert error_of(exc)[:2] == ("NotFoundException", "Invalid model name specified: Ghost")


def test_cli_create_model(server, api):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": "/dev/null",
    }
    args = ["--rest-api-id", api["id"], "--name", "Cli", "--content-type", "application/json"]
    cmd = [sys.executable, "-m", "awscli", "apigateway", "create-model", *args, "--schema", json.dumps(PET)]
    cmd += ["--endpoint-url", server.url, "--region", "us-east-1", "--output", "json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, check=True)
    printed = json.loads(done.stdout)
    assert printed["name"] == "Cli" and json.loads(printed["schema"]) == PET
