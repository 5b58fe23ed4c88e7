"""GetExport as pure functions: swagger/oas30, extensions, rendering, import -> export -> import."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
import yaml

from portico.importers.export import ExportError, disposition, export, parse_extensions, render
from portico.importers.openapi import ImportOptions, base_path, parse, to_api
from tests.unit.openapi_samples import OAS3_YAML, SWAGGER, SWAGGER_JSON

API = {"id": "api1", "name": "pets-v2", "createdDate": 1700000000}
STAGE = {"stageName": "dev", "deploymentId": "d1", "documentationVersion": "1.0"}
ALL = {"apigateway", "integrations", "authorizers"}


def imported(body: bytes, api_id: str = "api1") -> dict[str, Any]:
    counter = itertools.count()
    parts, warnings = to_api(parse(body), ImportOptions(api_id, "root", new_id=lambda n: f"x{next(counter)}"))
    assert [w.message for w in warnings] == []
    return parts


def exported(export_type: str, extensions: set[str], body: bytes = SWAGGER_JSON) -> dict[str, Any]:
    return export(API, STAGE, imported(body), export_type, extensions, "api1.execute-api.localhost:4566")


def test_swagger_export_structure_with_all_extensions():
    doc = exported("swagger", ALL)
    assert doc["swagger"] == "2.0"
    assert doc["info"] == {"description": "Pet store", "version": "1.2.3", "title": "pets-v2"}
    assert (doc["host"], doc["basePath"], doc["schemes"]) == (
        "api1.execute-api.localhost:4566",
        "/dev",
        ["http"],
    )
    get = doc["paths"]["/pets"]["get"]
    assert get["operationId"] == "listPets"
    assert get["produces"] == ["application/json"]
    assert {"name": "type", "in": "query", "required": False, "type": "string"} in get["parameters"]
    assert get["responses"]["200"] == {
        "description": "200 response",
        "schema": {"$ref": "#/definitions/Pets"},
        "headers": {"X-Count": {"type": "string"}},
    }
    assert get["security"] == [{"api_key": []}]
    assert get["x-amazon-apigateway-request-validator"] == "params-only"
    integration = get["x-amazon-apigateway-integration"]
    assert integration["type"] == "http" and integration["passthroughBehavior"] == "when_no_templates"
    assert integration["responses"]["default"]["statusCode"] == "200"
    assert "cacheNamespace" not in integration  # the default (the resource id) is left out
    post = doc["paths"]["/pets"]["post"]
    assert post["consumes"] == ["application/json"]
    assert post["parameters"] == [
        {"in": "body", "name": "Pet", "required": True, "schema": {"$ref": "#/definitions/Pet"}}
    ]
    assert doc["paths"]["/{proxy+}"]["x-amazon-apigateway-any-method"]["security"] == [{"sigv4": []}]
    assert doc["definitions"]["Pets"]["items"] == {"$ref": "#/definitions/Pet"}
    token = doc["securityDefinitions"]["token-auth"]
    assert token["x-amazon-apigateway-authtype"] == "oauth2"
    assert token["x-amazon-apigateway-authorizer"]["type"] == "token"
    assert doc["securityDefinitions"]["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"


def test_api_level_extensions_only_with_apigateway():
    doc = exported("swagger", ALL)
    assert doc["x-amazon-apigateway-binary-media-types"] == ["image/png", "application/octet-stream"]
    assert doc["x-amazon-apigateway-minimum-compression-size"] == 1024
    assert doc["x-amazon-apigateway-api-key-source"] == "AUTHORIZER"
    assert doc["x-amazon-apigateway-policy"]["Statement"][0]["Resource"] == ["execute-api:/*"]
    assert doc["x-amazon-apigateway-gateway-responses"]["INVALID_API_KEY"] == {"statusCode": "429"}
    assert set(doc["x-amazon-apigateway-request-validators"]) == {"all", "params-only"}
    assert doc["x-amazon-apigateway-documentation"]["version"] == "1.0"
    assert doc["x-amazon-apigateway-endpoint-configuration"] == {"disableExecuteApiEndpoint": True}
    assert exported("oas30", ALL, OAS3_YAML)["servers"][0]["x-amazon-apigateway-endpoint-configuration"] == {
        "vpcEndpointIds": ["vpce-0123"]
    }
    plain = exported("swagger", set())
    assert not [k for k in plain if k.startswith("x-amazon-apigateway")]


def test_without_extensions_no_integrations_or_authorizer_objects():
    doc = exported("swagger", set())
    operations = [op for item in doc["paths"].values() for op in item.values()]
    assert operations and not any("x-amazon-apigateway-integration" in op for op in operations)
    assert "x-amazon-apigateway-authorizer" not in doc["securityDefinitions"]["token-auth"]
    only_integrations = exported("swagger", {"integrations"})
    assert "x-amazon-apigateway-integration" in only_integrations["paths"]["/pets"]["get"]
    assert "x-amazon-apigateway-authorizer" not in only_integrations["securityDefinitions"]["cognito"]


def test_oas30_export():
    doc = exported("oas30", ALL, OAS3_YAML)
    assert doc["openapi"] == "3.0.1"
    server = doc["servers"][0]
    assert server["url"] == "http://api1.execute-api.localhost:4566/{basePath}"
    assert server["variables"] == {"basePath": {"default": "/dev"}}
    assert base_path(parse(render(doc, "application/yaml")[0])) == "/dev"
    get = doc["paths"]["/items"]["get"]
    assert get["parameters"] == [
        {"name": "limit", "in": "query", "required": True, "schema": {"type": "string"}}
    ]
    assert get["responses"]["200"]["headers"] == {"Link": {"schema": {"type": "string"}}}
    assert get["responses"]["200"]["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/Items"}}
    }
    post = doc["paths"]["/items"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ItemsPostRequest"
    }
    assert doc["components"]["schemas"]["Items"]["items"] == {"$ref": "#/components/schemas/Item"}
    scheme = doc["components"]["securitySchemes"]["lambda-request"]
    assert scheme["name"] == "Unused" and scheme["x-amazon-apigateway-authorizer"]["type"] == "request"


def normalised(parts: dict[str, Any]) -> dict[str, Any]:
    """Resources by path with ids replaced by names (what must survive a round trip)."""
    authorizers = {a["id"]: a["name"] for a in parts["_authorizers"].values()}
    validators = {v["id"]: v["name"] for v in parts["_requestValidators"].values()}
    out: dict[str, Any] = {}
    for res in parts["_resources"].values():
        methods = {}
        for verb, m in (res.get("resourceMethods") or {}).items():
            m = json.loads(json.dumps(m))
            m["authorizerId"] = authorizers.get(m.get("authorizerId"))
            m["requestValidatorId"] = validators.get(m.get("requestValidatorId"))
            m.get("methodIntegration", {}).pop("cacheNamespace", None)
            methods[verb] = m
        out[res["path"]] = methods
    return out


def strip_ids(items: dict[str, Any]) -> dict[str, Any]:
    return {doc["name"]: {k: v for k, v in doc.items() if k != "id"} for doc in items.values()}


@pytest.mark.parametrize("export_type", ["swagger", "oas30"])
@pytest.mark.parametrize("source", [SWAGGER_JSON, OAS3_YAML])
def test_round_trip_import_export_import(export_type, source):
    first = imported(source)
    document = export(API, STAGE, first, export_type, ALL, "h")
    body, _ = render(document, "application/yaml")
    second = imported(body)
    assert normalised(second) == normalised(first)
    assert strip_ids(second["_models"]) == strip_ids(first["_models"])
    assert strip_ids(second["_authorizers"]) == strip_ids(first["_authorizers"])
    assert strip_ids(second["_requestValidators"]) == strip_ids(first["_requestValidators"])
    assert second["_gatewayResponses"] == first["_gatewayResponses"]
    for key in (
        "binaryMediaTypes",
        "minimumCompressionSize",
        "apiKeySource",
        "policy",
        "endpointConfiguration",
    ):
        assert second.get(key) == first.get(key)


def test_render_json_and_yaml():
    doc = {"swagger": "2.0", "info": {"title": "t"}}
    body, content_type = render(doc, None)
    assert content_type == "application/json" and json.loads(body) == doc
    body, content_type = render(doc, "application/yaml")
    assert content_type == "application/yaml" and yaml.safe_load(body) == doc
    assert body.startswith(b"swagger: '2.0'")
    with pytest.raises(ExportError, match="Unsupported Accept type"):
        render(doc, "text/html")


def test_extensions_parameter():
    assert parse_extensions(None) == set()
    assert parse_extensions("integrations, authorizers") == {"integrations", "authorizers"}
    assert parse_extensions("apigateway") == ALL
    assert parse_extensions("postman") == {"postman"}
    with pytest.raises(ExportError, match="Invalid extensions specified: nope"):
        parse_extensions("integrations,nope")
    with pytest.raises(ExportError, match="Invalid export type"):
        export(API, STAGE, imported(SWAGGER_JSON), "raml", set(), "h")


def test_disposition_names_the_file():
    assert (
        disposition("swagger", "application/json", 0)
        == 'attachment; filename="swagger_1970-01-01T00:00:00Z.json"'
    )
    assert disposition("oas30", "application/yaml", 0).endswith('oas30_1970-01-01T00:00:00Z.yaml"')


def test_info_version_defaults_to_creation_time():
    parts = imported(json.dumps({**SWAGGER, "info": {"title": "t"}}).encode())
    doc = export(API, STAGE, parts, "swagger", set(), "h")
    assert doc["info"] == {"version": "2023-11-14T22:13:20Z", "title": "t"}
