"""Resource operations (CreateResource ... DeleteResource) through boto3 and the AWS CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest
from botocore.exceptions import ClientError

INVALID_PART = (
    "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end "
    "and an optional plus sign before the closing brace."
)


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def body(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def make(apigw: Any, api: dict[str, Any], parent: str, part: str) -> dict[str, Any]:
    return apigw.create_resource(restApiId=api["id"], parentId=parent, pathPart=part)


def paths(apigw: Any, api: dict[str, Any]) -> dict[str, str]:
    items = apigw.get_resources(restApiId=api["id"], limit=500)["items"]
    return {r["path"]: r["id"] for r in items}


def test_root_is_the_only_resource_of_a_new_api(apigw, api):
    listed = apigw.get_resources(restApiId=api["id"])
    assert listed["items"] == [{"id": api["rootResourceId"], "path": "/"}]
    assert "position" not in listed


def test_create_and_get(apigw, api):
    root = api["rootResourceId"]
    pets = make(apigw, api, root, "pets")
    assert pets["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert re.fullmatch(r"[a-z0-9]{10}", pets["id"])
    assert body(pets) == {"id": pets["id"], "parentId": root, "pathPart": "pets", "path": "/pets"}
    pet = make(apigw, api, pets["id"], "{petId}")
    assert pet["path"] == "/pets/{petId}"
    got = apigw.get_resource(restApiId=api["id"], resourceId=pet["id"])
    assert body(got) == {
        "id": pet["id"],
        "parentId": pets["id"],
        "pathPart": "{petId}",
        "path": "/pets/{petId}",
    }
    assert list(paths(apigw, api)) == ["/", "/pets", "/pets/{petId}"]


@pytest.mark.parametrize("part", ["pe ts", "{a", "a}", "{a+}x", "{}", "a/b", "x+", "{a$}"])
def test_invalid_path_parts(apigw, api, part):
    with pytest.raises(ClientError) as exc:
        make(apigw, api, api["rootResourceId"], part)
    assert error_of(exc) == ("BadRequestException", INVALID_PART, 400)


def test_allowed_path_part_characters(apigw, api):
    created = make(apigw, api, api["rootResourceId"], "v1.0_beta-x")
    assert created["path"] == "/v1.0_beta-x"


def test_duplicate_name_conflicts(apigw, api):
    make(apigw, api, api["rootResourceId"], "pets")
    with pytest.raises(ClientError) as exc:
        make(apigw, api, api["rootResourceId"], "pets")
    assert error_of(exc) == (
        "ConflictException",
        "Another resource with the same parent already has this name: pets",
        409,
    )


def test_greedy_and_variable_rules(apigw, api):
    root = api["rootResourceId"]
    proxy = make(apigw, api, root, "{proxy+}")
    assert proxy["path"] == "/{proxy+}"
    with pytest.raises(ClientError) as exc:
        make(apigw, api, root, "{dynamic}")
    assert error_of(exc) == (
        "BadRequestException",
        "A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed",
        400,
    )
    for part in ("child", "{child}"):
        with pytest.raises(ClientError) as exc:
            make(apigw, api, proxy["id"], part)
        assert error_of(exc) == (
            "BadRequestException",
            "Cannot create a child of a resource with a greedy path variable: {proxy+}",
            400,
        )
    parent = make(apigw, api, root, "parent")
    assert make(apigw, api, parent["id"], "{child+}")["path"] == "/parent/{child+}"
    assert make(apigw, api, parent["id"], "static")["path"] == "/parent/static"


def test_unknown_parent_api_and_resource(apigw, api):
    with pytest.raises(ClientError) as exc:
        make(apigw, api, "nosuchparent", "x")
    assert error_of(exc) == ("NotFoundException", "Invalid Resource identifier specified", 404)
    with pytest.raises(ClientError) as exc:
        apigw.get_resource(restApiId=api["id"], resourceId="nosuchid")
    assert error_of(exc) == ("NotFoundException", "Invalid Resource identifier specified", 404)
    with pytest.raises(ClientError) as exc:
        apigw.get_resource(restApiId="nosuchapi", resourceId=api["rootResourceId"])
    assert error_of(exc) == ("NotFoundException", "Invalid Resource identifier specified", 404)
    with pytest.raises(ClientError) as exc:
        apigw.get_resources(restApiId="nosuchapi")
    assert error_of(exc) == (
        "NotFoundException",
        "Invalid API identifier specified 123456789012:nosuchapi",
        404,
    )


def test_rename_recomputes_the_subtree(apigw, api):
    pets = make(apigw, api, api["rootResourceId"], "pets")
    pet = make(apigw, api, pets["id"], "{petId}")
    toys = make(apigw, api, pet["id"], "toys")
    renamed = apigw.update_resource(
        restApiId=api["id"],
        resourceId=pets["id"],
        patchOperations=[{"op": "replace", "path": "/pathPart", "value": "dogs"}],
    )
    assert body(renamed) == {
        "id": pets["id"],
        "parentId": api["rootResourceId"],
        "pathPart": "dogs",
        "path": "/dogs",
    }
    assert paths(apigw, api) == {
        "/": api["rootResourceId"],
        "/dogs": pets["id"],
        "/dogs/{petId}": pet["id"],
        "/dogs/{petId}/toys": toys["id"],
    }


def test_move_under_another_parent(apigw, api):
    root = api["rootResourceId"]
    pets = make(apigw, api, root, "pets")
    sub = make(apigw, api, pets["id"], "subpets")
    leaf = make(apigw, api, sub["id"], "leaf")
    other = make(apigw, api, root, "other")
    moved = apigw.update_resource(
        restApiId=api["id"],
        resourceId=sub["id"],
        patchOperations=[
            {"op": "replace", "path": "/parentId", "value": other["id"]},
            {"op": "replace", "path": "/pathPart", "value": "moved"},
        ],
    )
    assert moved["path"] == "/other/moved" and moved["parentId"] == other["id"]
    assert apigw.get_resource(restApiId=api["id"], resourceId=leaf["id"])["path"] == "/other/moved/leaf"


def test_move_errors_change_nothing(apigw, api):
    root = api["rootResourceId"]
    pets = make(apigw, api, root, "pets")
    sub = make(apigw, api, pets["id"], "subpets")
    child = make(apigw, api, sub["id"], "pets")
    before = paths(apigw, api)

    def update(resource_id: str, *ops: dict[str, str]) -> tuple[str, str, int]:
        with pytest.raises(ClientError) as exc:
            apigw.update_resource(restApiId=api["id"], resourceId=resource_id, patchOperations=list(ops))
        return error_of(exc)

    replace = "replace"
    assert update(child["id"], {"op": replace, "path": "/parentId", "value": root}) == (
        "ConflictException",
        "Another resource with the same parent already has this name: pets",
        409,
    )
    assert update(pets["id"], {"op": replace, "path": "/parentId", "value": sub["id"]}) == (
        "BadRequestException",
        "Resources cannot be cyclical.",
        400,
    )
    assert update(pets["id"], {"op": replace, "path": "/parentId", "value": pets["id"]})[1] == (
        "Resources cannot be cyclical."
    )
    assert update(pets["id"], {"op": replace, "path": "/parentId", "value": "fake-parent"}) == (
        "NotFoundException",
        "Invalid Resource identifier specified",
        404,
    )
    assert update(pets["id"], {"op": replace, "path": "/invalid", "value": "x"}) == (
        "BadRequestException",
        "Invalid patch path  '/invalid' specified for op 'replace'. Must be one of: [/parentId, /pathPart]",
        400,
    )
    for op in ("add", "remove"):
        assert update(pets["id"], {"op": op, "path": "/pathPart", "value": "x"})[1] == (
            f"Invalid patch path  '/pathPart' specified for op '{op}'. Please choose supported operations"
        )
    assert update(pets["id"], {"op": replace, "path": "/pathPart", "value": "bad part"})[1] == INVALID_PART
    assert update(root, {"op": replace, "path": "/pathPart", "value": "x"})[1] == (
        "Root resource cannot update its pathPart."
    )
    assert update(root, {"op": replace, "path": "/parentId", "value": pets["id"]})[1] == (
        "Root resource cannot update its parentId."
    )
    assert update("nosuchid", {"op": replace, "path": "/pathPart", "value": "x"})[0] == "NotFoundException"
    assert paths(apigw, api) == before


def test_rename_to_greedy_with_children_is_rejected(apigw, api):
    pets = make(apigw, api, api["rootResourceId"], "pets")
    make(apigw, api, pets["id"], "child")
    with pytest.raises(ClientError) as exc:
        apigw.update_resource(
            restApiId=api["id"],
            resourceId=pets["id"],
            patchOperations=[{"op": "replace", "path": "/pathPart", "value": "{proxy+}"}],
        )
    assert error_of(exc)[0] == "BadRequestException"


def test_delete_removes_the_subtree(apigw, api):
    root = api["rootResourceId"]
    pets = make(apigw, api, root, "pets")
    sub = make(apigw, api, pets["id"], "subpets")
    kept = make(apigw, api, root, "kept")
    deleted = apigw.delete_resource(restApiId=api["id"], resourceId=pets["id"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert paths(apigw, api) == {"/": root, "/kept": kept["id"]}
    with pytest.raises(ClientError) as exc:
        apigw.delete_resource(restApiId=api["id"], resourceId=sub["id"])
    assert error_of(exc) == ("NotFoundException", "Invalid Resource identifier specified", 404)


def test_root_cannot_be_deleted(apigw, api):
    with pytest.raises(ClientError) as exc:
        apigw.delete_resource(restApiId=api["id"], resourceId=api["rootResourceId"])
    assert error_of(exc) == ("BadRequestException", "Root resource cannot be deleted", 400)


def test_methods_are_stubs_unless_embedded(apigw, api):
    root = api["rootResourceId"]
    pets = make(apigw, api, root, "pets")
    for verb in ("GET", "POST"):
        apigw.put_method(
            restApiId=api["id"], resourceId=pets["id"], httpMethod=verb, authorizationType="NONE"
        )
    apigw.put_integration(restApiId=api["id"], resourceId=pets["id"], httpMethod="GET", type="MOCK")
    plain = {r["id"]: r for r in apigw.get_resources(restApiId=api["id"])["items"]}
    assert plain[pets["id"]]["resourceMethods"] == {"GET": {}, "POST": {}}
    assert "resourceMethods" not in plain[root]
    embedded = {r["id"]: r for r in apigw.get_resources(restApiId=api["id"], embed=["methods"])["items"]}
    get = embedded[pets["id"]]["resourceMethods"]["GET"]
    assert get["httpMethod"] == "GET" and get["authorizationType"] == "NONE"
    assert get["methodIntegration"]["type"] == "MOCK"
    assert embedded[pets["id"]]["resourceMethods"]["POST"] == {
        "httpMethod": "POST",
        "authorizationType": "NONE",
        "apiKeyRequired": False,
    }
    single = apigw.get_resource(restApiId=api["id"], resourceId=pets["id"])
    assert single["resourceMethods"] == {"GET": {}, "POST": {}}
    single = apigw.get_resource(restApiId=api["id"], resourceId=pets["id"], embed=["methods"])
    assert single["resourceMethods"]["GET"]["methodIntegration"]["cacheNamespace"] == pets["id"]


def test_pagination(apigw, api):
    for name in ("a", "b", "c", "d"):
        make(apigw, api, api["rootResourceId"], name)
    seen: list[str] = []
    page = apigw.get_resources(restApiId=api["id"], limit=2)
    pages = 1
    while "position" in page:
        seen.extend(r["path"] for r in page["items"])
        page = apigw.get_resources(restApiId=api["id"], limit=2, position=page["position"])
        pages += 1
    seen.extend(r["path"] for r in page["items"])
    assert pages == 3
    assert seen == ["/", "/a", "/b", "/c", "/d"]
    with pytest.raises(ClientError) as exc:
        apigw.get_resources(restApiId=api["id"], limit=501)
    assert error_of(exc)[0] == "BadRequestException"


def aws(server: Any, *args: str) -> Any:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    cmd = [sys.executable, "-m", "awscli", "apigateway", *args]
    cmd += ["--endpoint-url", server.url, "--region", "us-east-1", "--output", "json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def test_cli_resource_tree(server, api):
    created = aws(
        server,
        "create-resource",
        "--rest-api-id",
        api["id"],
        "--parent-id",
        api["rootResourceId"],
        "--path-part",
        "cli",
    )
    assert created["path"] == "/cli" and created["parentId"] == api["rootResourceId"]
    aws(
        server,
        "put-method",
        "--rest-api-id",
        api["id"],
        "--resource-id",
        created["id"],
        "--http-method",
        "GET",
        "--authorization-type",
        "NONE",
    )
    listed = aws(server, "get-resources", "--rest-api-id", api["id"], "--embed", "methods")
    by_path = {r["path"]: r for r in listed["items"]}
    assert by_path["/cli"]["resourceMethods"]["GET"]["authorizationType"] == "NONE"
    aws(server, "delete-resource", "--rest-api-id", api["id"], "--resource-id", created["id"])
    assert [r["path"] for r in aws(server, "get-resources", "--rest-api-id", api["id"])["items"]] == ["/"]
