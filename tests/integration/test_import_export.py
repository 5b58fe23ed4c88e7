"""ImportRestApi, PutRestApi and GetExport through boto3 and the AWS CLI against a real server."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError

from tests.unit.openapi_samples import BROKEN_YAML, LAMBDA_URI, OAS3_YAML, SWAGGER, SWAGGER_JSON


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def created(apigw: Any) -> Iterator[list[str]]:
    """Ids of APIs a test created; deleted afterwards."""
    ids: list[str] = []
    yield ids
    for api_id in ids:
        with contextlib.suppress(ClientError):
            apigw.delete_rest_api(restApiId=api_id)


def do_import(apigw: Any, created: list[str], body: bytes, **kw: Any) -> dict[str, Any]:
    api = apigw.import_rest_api(body=body, **kw)
    created.append(api["id"])
    return api


def resources(apigw: Any, api_id: str) -> dict[str, dict[str, Any]]:
    items = apigw.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    return {r["path"]: r for r in items}


def all_api_ids(apigw: Any) -> set[str]:
    return {a["id"] for a in apigw.get_rest_apis(limit=500)["items"]}


def test_import_swagger_json_with_every_extension(apigw, created):
    api = do_import(
        apigw,
        created,
        SWAGGER_JSON,
        parameters={"basepath": "prepend", "endpointConfigurationTypes": "REGIONAL"},
    )
    assert api["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert "warnings" not in api
    assert (api["name"], api["description"], api["version"]) == ("pets-v2", "Pet store", "1.2.3")
    assert api["binaryMediaTypes"] == ["image/png", "application/octet-stream"]
    assert api["minimumCompressionSize"] == 1024 and api["apiKeySource"] == "AUTHORIZER"
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"] and api["disableExecuteApiEndpoint"] is True
    assert api["tags"] == {"owner": "team-a"}
    assert f"arn:aws:execute-api:us-east-1:123456789012:{api['id']}/*" in api["policy"]
    paths = resources(apigw, api["id"])
    assert sorted(paths) == ["/", "/v1", "/v1/pets", "/v1/pets/{petId}", "/v1/{proxy+}"]
    pets = paths["/v1/pets"]
    get = apigw.get_method(restApiId=api["id"], resourceId=pets["id"], httpMethod="GET")
    assert get["apiKeyRequired"] is True and get["operationName"] == "listPets"
    assert get["requestParameters"] == {
        "method.request.querystring.type": False,
        "method.request.header.X-Trace": True,
    }
    validator = apigw.get_request_validator(restApiId=api["id"], requestValidatorId=get["requestValidatorId"])
    assert validator["name"] == "params-only" and validator["validateRequestParameters"] is True
    assert get["methodResponses"]["200"]["responseModels"] == {"application/json": "Pets"}
    integration = apigw.get_integration(restApiId=api["id"], resourceId=pets["id"], httpMethod="GET")
    assert (integration["type"], integration["uri"]) == ("HTTP", "http://petstore.example.com/pets")
    assert (
        integration["passthroughBehavior"] == "WHEN_NO_TEMPLATES" and integration["timeoutInMillis"] == 5000
    )
    assert integration["tlsConfig"] == {"insecureSkipVerification": True}
    assert integration["cacheNamespace"] == pets["id"]
    response = apigw.get_integration_response(
        restApiId=api["id"], resourceId=pets["id"], httpMethod="GET", statusCode="200"
    )
    assert response["responseParameters"] == {
        "method.response.header.X-Count": "integration.response.header.X-Total"
    }
    post = pets["resourceMethods"]["POST"]
    authorizer = apigw.get_authorizer(restApiId=api["id"], authorizerId=post["authorizerId"])
    assert (authorizer["name"], authorizer["type"], authorizer["authType"]) == (
        "token-auth",
        "TOKEN",
        "oauth2",
    )
    assert authorizer["authorizerUri"] == LAMBDA_URI.format(name="auth")
    assert post["methodIntegration"]["type"] == "AWS_PROXY" and post["requestModels"] == {
        "application/json": "Pet"
    }
    pet = paths["/v1/pets/{petId}"]["resourceMethods"]
    assert pet["GET"]["authorizationType"] == "COGNITO_USER_POOLS" and pet["GET"]["authorizationScopes"] == [
        "pets/read"
    ]
    assert pet["GET"]["methodIntegration"]["integrationResponses"]["404"]["selectionPattern"] == "4\\d{2}"
    assert pet["DELETE"]["authorizationType"] == "AWS_IAM"
    assert paths["/v1/{proxy+}"]["resourceMethods"]["ANY"]["methodIntegration"]["type"] == "HTTP_PROXY"


def test_imported_models_validators_responses_documentation(apigw, created):
    api = do_import(apigw, created, SWAGGER_JSON)
    models = {m["name"]: m for m in apigw.get_models(restApiId=api["id"])["items"]}
    assert set(models) == {"Pet", "Pets"}
    pets_schema = json.loads(models["Pets"]["schema"])
    assert pets_schema["items"] == {
        "$ref": f"https://apigateway.amazonaws.com/restapis/{api['id']}/models/Pet"
    }
    validators = {v["name"] for v in apigw.get_request_validators(restApiId=api["id"])["items"]}
    assert validators == {"all", "params-only"}
    assert (
        apigw.get_gateway_response(restApiId=api["id"], responseType="INVALID_API_KEY")["statusCode"] == "429"
    )
    default_4xx = apigw.get_gateway_response(restApiId=api["id"], responseType="DEFAULT_4XX")
    assert default_4xx["defaultResponse"] is False
    assert default_4xx["responseParameters"] == {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}
    parts = apigw.get_documentation_parts(restApiId=api["id"])["items"]
    assert sorted(p["location"]["type"] for p in parts) == ["API", "METHOD"]
    authorizers = {a["name"]: a for a in apigw.get_authorizers(restApiId=api["id"])["items"]}
    assert authorizers["cognito"]["providerARNs"] == [
        "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"
    ]


def test_ignore_documentation_parameter(apigw, created):
    api = do_import(apigw, created, SWAGGER_JSON, parameters={"ignore": "documentation"})
    assert apigw.get_documentation_parts(restApiId=api["id"])["items"] == []


def test_import_openapi3_yaml(apigw, created):
    api = do_import(apigw, created, OAS3_YAML, parameters={"basepath": "split"})
    assert api["name"] == "pets-v3" and "warnings" not in api
    assert api["endpointConfiguration"] == {
        "types": ["EDGE"],
        "ipAddressType": "ipv4",
        "vpcEndpointIds": ["vpce-0123"],
    }
    paths = resources(apigw, api["id"])
    assert sorted(paths) == ["/", "/api", "/api/items"]
    get = paths["/api/items"]["resourceMethods"]["GET"]
    assert get["authorizationType"] == "CUSTOM"
    authorizer = apigw.get_authorizer(restApiId=api["id"], authorizerId=get["authorizerId"])
    assert authorizer["type"] == "REQUEST" and authorizer["authorizerResultTtlInSeconds"] == 0
    post = paths["/api/items"]["resourceMethods"]["POST"]
    model = apigw.get_model(restApiId=api["id"], modelName=post["requestModels"]["application/json"])
    assert json.loads(model["schema"])["properties"] == {"name": {"type": "string"}}
    integration = apigw.get_integration(
        restApiId=api["id"], resourceId=paths["/api/items"]["id"], httpMethod="POST"
    )
    assert (integration["type"], integration["httpMethod"]) == ("AWS", "POST")


def test_warnings_and_fail_on_warnings(apigw, created):
    definition = {**SWAGGER, "info": {"title": "warned"}, "x-amazon-apigateway-cors": {"allowOrigins": ["*"]}}
    body = json.dumps(definition).encode()
    before = all_api_ids(apigw)
    with pytest.raises(ClientError) as exc:
        apigw.import_rest_api(body=body, failOnWarnings=True)
    code, message, status = error_of(exc)
    assert (code, status) == ("BadRequestException", 400)
    assert message.startswith("Warnings found during import:\n\t")
    assert "x-amazon-apigateway-cors" in message
    assert all_api_ids(apigw) == before  # nothing was created
    api = do_import(apigw, created, body)
    assert len(api["warnings"]) == 1 and "HTTP APIs" in api["warnings"][0]
    assert apigw.get_rest_api(restApiId=api["id"])["warnings"] == api["warnings"]


def test_invalid_definitions_are_bad_requests(apigw):
    cases = [
        (BROKEN_YAML, "invalid YAML at line 8"),
        (b'{"swagger": "2.0", "paths": {,}}', "invalid JSON at line 1"),
        (b"openapi: 3.0.1\npaths: {}\n", "info.title"),
        (b"hello: world\n", "neither a 'swagger' nor an 'openapi'"),
        (b"#" * (6 * 1024 * 1024 + 1), "exceeds the maximum size of 6 MB"),
    ]
    for body, fragment in cases:
        with pytest.raises(ClientError) as exc:
            apigw.import_rest_api(body=body)
        code, message, _ = error_of(exc)
        assert code == "BadRequestException" and fragment in message, message
    with pytest.raises(ClientError) as exc:
        apigw.import_rest_api(body=SWAGGER_JSON, parameters={"basepath": "sideways"})
    assert "Invalid basepath" in error_of(exc)[1]
    with pytest.raises(ClientError) as exc:
        apigw.import_rest_api(body=SWAGGER_JSON, parameters={"endpointConfigurationTypes": "GLOBAL"})
    assert "endpointConfigurationTypes" in error_of(exc)[1]


def two_paths(title: str, paths: dict[str, list[str]]) -> bytes:
    mock = {"type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'}}
    doc = {
        "openapi": "3.0.1",
        "info": {"title": title},
        "paths": {
            path: {
                verb: {"responses": {"200": {"description": "ok"}}, "x-amazon-apigateway-integration": mock}
                for verb in verbs
            }
            for path, verbs in paths.items()
        },
    }
    return yaml.safe_dump(doc).encode()


def test_put_rest_api_merge_and_overwrite(apigw, created):
    api = do_import(apigw, created, two_paths("base", {"/a": ["get", "post"], "/b": ["get"]}))
    before = resources(apigw, api["id"])
    merged = apigw.put_rest_api(
        restApiId=api["id"], mode="merge", body=two_paths("merged", {"/a": ["put"], "/c": ["get"]})
    )
    assert merged["name"] == "merged" and merged["id"] == api["id"]
    after = resources(apigw, api["id"])
    assert sorted(after) == ["/", "/a", "/b", "/c"]
    assert sorted(after["/a"]["resourceMethods"]) == ["GET", "POST", "PUT"]
    assert after["/a"]["id"] == before["/a"]["id"]
    apigw.put_rest_api(restApiId=api["id"], body=two_paths("default-merge", {"/d": ["get"]}))
    assert "/d" in resources(apigw, api["id"]) and "/b" in resources(apigw, api["id"])
    over = apigw.put_rest_api(
        restApiId=api["id"], mode="overwrite", body=two_paths("over", {"/a": ["delete"]})
    )
    assert over["rootResourceId"] == api["rootResourceId"]
    final = resources(apigw, api["id"])
    assert sorted(final) == ["/", "/a"]
    assert list(final["/a"]["resourceMethods"]) == ["DELETE"] and final["/a"]["id"] == before["/a"]["id"]


def test_put_rest_api_errors(apigw, created):
    with pytest.raises(ClientError) as exc:
        apigw.put_rest_api(restApiId="nosuchapi", body=SWAGGER_JSON)
    code, message, status = error_of(exc)
    assert (code, status, message) == (
        "NotFoundException",
        404,
        "Invalid API identifier specified 123456789012:nosuchapi",
    )
    api = do_import(apigw, created, two_paths("keep", {"/a": ["get"]}))
    bad = json.dumps({**SWAGGER, "x-amazon-apigateway-frob": 1}).encode()
    with pytest.raises(ClientError) as exc:
        apigw.put_rest_api(restApiId=api["id"], mode="overwrite", body=bad, failOnWarnings=True)
    assert "x-amazon-apigateway-frob" in error_of(exc)[1]
    assert sorted(resources(apigw, api["id"])) == ["/", "/a"]  # rolled back
    with pytest.raises(ClientError) as exc:
        apigw.put_rest_api(restApiId=api["id"], mode="replace", body=SWAGGER_JSON)
    assert error_of(exc)[0] == "BadRequestException"


@pytest.fixture
def deployed(apigw: Any, created: list[str]) -> dict[str, Any]:
    api = do_import(apigw, created, SWAGGER_JSON)
    apigw.create_deployment(restApiId=api["id"], stageName="dev")
    return api


def test_get_export_swagger_and_oas30(apigw, deployed, server):
    api_id = deployed["id"]
    plain = apigw.get_export(restApiId=api_id, stageName="dev", exportType="swagger")
    assert plain["contentType"] == "application/json"
    assert plain["contentDisposition"].startswith('attachment; filename="swagger_')
    doc = json.loads(plain["body"].read())
    assert doc["swagger"] == "2.0" and doc["basePath"] == "/dev"
    assert doc["host"] == f"{api_id}.execute-api.localhost:{server.port}"
    assert "x-amazon-apigateway-integration" not in doc["paths"]["/pets"]["get"]
    full = apigw.get_export(
        restApiId=api_id,
        stageName="dev",
        exportType="oas30",
        accepts="application/yaml",
        parameters={"extensions": "apigateway"},
    )
    assert full["contentType"] == "application/yaml" and full["contentDisposition"].endswith('.yaml"')
    doc3 = yaml.safe_load(full["body"].read())
    assert doc3["openapi"] == "3.0.1"
    assert doc3["paths"]["/pets"]["get"]["x-amazon-apigateway-integration"]["type"] == "http"
    assert (
        doc3["components"]["securitySchemes"]["token-auth"]["x-amazon-apigateway-authorizer"]["type"]
        == "token"
    )
    assert doc3["x-amazon-apigateway-binary-media-types"] == ["image/png", "application/octet-stream"]
    integrations = apigw.get_export(
        restApiId=api_id, stageName="dev", exportType="swagger", parameters={"extensions": "integrations"}
    )
    only = json.loads(integrations["body"].read())
    assert "x-amazon-apigateway-integration" in only["paths"]["/pets"]["get"]
    assert "x-amazon-apigateway-binary-media-types" not in only


def test_export_shows_the_deployed_version(apigw, deployed):
    apigw.put_rest_api(
        restApiId=deployed["id"], mode="overwrite", body=two_paths("changed", {"/new": ["get"]})
    )
    doc = json.loads(
        apigw.get_export(restApiId=deployed["id"], stageName="dev", exportType="swagger")["body"].read()
    )
    assert "/pets" in doc["paths"] and "/new" not in doc["paths"]


def test_get_export_errors(apigw, deployed):
    api_id = deployed["id"]
    with pytest.raises(ClientError) as exc:
        apigw.get_export(restApiId=api_id, stageName="nostage", exportType="swagger")
    assert error_of(exc)[:2] == ("NotFoundException", "Invalid Stage identifier specified")
    with pytest.raises(ClientError) as exc:
        apigw.get_export(restApiId="nosuchapi", stageName="dev", exportType="swagger")
    assert error_of(exc)[0] == "NotFoundException"
    with pytest.raises(ClientError) as exc:
        apigw.get_export(
            restApiId=api_id, stageName="dev", exportType="swagger", parameters={"extensions": "bogus"}
        )
    assert error_of(exc)[:2] == (
        "BadRequestException",
        "Invalid extensions specified: bogus; use integrations, authorizers, apigateway, postman",
    )
    with pytest.raises(ClientError) as exc:
        apigw.get_export(restApiId=api_id, stageName="dev", exportType="raml")
    assert error_of(exc)[0] == "BadRequestException"


def comparable(apigw: Any, api_id: str) -> dict[str, Any]:
    """Resources, methods, integrations by path; ids replaced by names."""
    authorizers = {a["id"]: a["name"] for a in apigw.get_authorizers(restApiId=api_id)["items"]}
    validators = {v["id"]: v["name"] for v in apigw.get_request_validators(restApiId=api_id)["items"]}
    out: dict[str, Any] = {}
    for path, res in resources(apigw, api_id).items():
        methods = {}
        for verb, method in (res.get("resourceMethods") or {}).items():
            method = dict(method)
            method["authorizerId"] = authorizers.get(method.get("authorizerId", ""))
            method["requestValidatorId"] = validators.get(method.get("requestValidatorId", ""))
            integration = dict(method.get("methodIntegration") or {})
            integration.pop("cacheNamespace", None)
            method["methodIntegration"] = integration
            methods[verb] = method
        out[path] = methods
    return out


def models_of(apigw: Any, api_id: str) -> dict[str, Any]:
    items = apigw.get_models(restApiId=api_id)["items"]
    return {m["name"]: json.loads(m["schema"]) for m in items}


@pytest.mark.parametrize(
    ("export_type", "accept"), [("swagger", "application/json"), ("oas30", "application/yaml")]
)
def test_round_trip_import_export_import(apigw, created, deployed, export_type, accept):
    exported = apigw.get_export(
        restApiId=deployed["id"],
        stageName="dev",
        exportType=export_type,
        accepts=accept,
        parameters={"extensions": "apigateway"},
    )["body"].read()
    again = do_import(apigw, created, exported)
    assert "warnings" not in again
    assert comparable(apigw, again["id"]) == comparable(apigw, deployed["id"])
    first_models = json.dumps(models_of(apigw, deployed["id"])).replace(deployed["id"], "API")
    second_models = json.dumps(models_of(apigw, again["id"])).replace(again["id"], "API")
    assert second_models == first_models
    for key in ("binaryMediaTypes", "minimumCompressionSize", "apiKeySource", "disableExecuteApiEndpoint"):
        assert again.get(key) == deployed.get(key)


def cli(server: Any, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": "/dev/null",
    }
    command = [
        sys.executable,
        "-m",
        "awscli",
        "apigateway",
        *args,
        "--endpoint-url",
        server.url,
        "--region",
        "us-east-1",
    ]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_aws_cli_import_and_export(apigw, created, server, tmp_path: Path):
    source = tmp_path / "api.yaml"
    source.write_bytes(OAS3_YAML)
    result = cli(
        server,
        "import-rest-api",
        "--body",
        f"fileb://{source}",
        "--parameters",
        "basepath=split",
        "--output",
        "json",
    )
    assert result.returncode == 0, result.stderr
    api = json.loads(result.stdout)
    created.append(api["id"])
    assert api["name"] == "pets-v3"
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    target = tmp_path / "export.json"
    result = cli(
        server,
        "get-export",
        "--rest-api-id",
        api["id"],
        "--stage-name",
        "prod",
        "--export-type",
        "oas30",
        "--parameters",
        "extensions=integrations",
        str(target),
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(target.read_text())
    assert doc["paths"]["/api/items"]["get"]["x-amazon-apigateway-integration"]["type"] == "mock"
