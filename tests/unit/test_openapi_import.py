"""OpenAPI import as pure functions: parse (line numbers), to_api (every extension), merge."""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

import pytest

from portico.importers.diagnostics import DefinitionError, attribute, failure_message
from portico.importers.merge import apply
from portico.importers.openapi import ImportOptions, base_path, parse, to_api
from tests.unit.openapi_samples import BROKEN_YAML, LAMBDA_URI, OAS3_YAML, SWAGGER, SWAGGER_JSON


def options(**kw: Any) -> ImportOptions:
    counter = itertools.count()
    return ImportOptions("api1", "rootid", new_id=lambda n: f"i{next(counter)}", **kw)


def imported(definition: dict[str, Any] | bytes, **kw: Any) -> tuple[dict[str, Any], list[str]]:
    body = definition if isinstance(definition, bytes) else json.dumps(definition).encode()
    parts, warnings = to_api(parse(body), options(**kw))
    return parts, [w.message for w in warnings]


def by_path(parts: dict[str, Any]) -> dict[str, Any]:
    return {r["path"]: r for r in parts["_resources"].values()}


def method(parts: dict[str, Any], path: str, verb: str) -> dict[str, Any]:
    return by_path(parts)[path]["resourceMethods"][verb]


# ----- parse ---------------------------------------------------------------------------------------


def test_parse_json_and_yaml_to_plain_data():
    doc = parse(SWAGGER_JSON)
    assert doc.version == "2.0" and not doc.is_v3
    v3 = parse(OAS3_YAML)
    assert v3.is_v3
    assert v3.data["info"]["version"] == "2024-01-01"  # a YAML date stays a string
    assert "200" in v3.data["paths"]["/items"]["get"]["responses"]  # int key -> "200"


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(DefinitionError) as exc:
        parse(BROKEN_YAML)
    assert exc.value.line == 8
    assert "invalid YAML at line 8" in str(exc.value)


def test_json_syntax_error_names_the_line():
    with pytest.raises(DefinitionError) as exc:
        parse(b'{\n  "swagger": "2.0",\n  "paths": {,}\n}')
    assert exc.value.line == 3
    assert "invalid JSON at line 3" in exc.value.message


@pytest.mark.parametrize(
    ("body", "fragment", "line"),
    [
        (b"- a\n- b\n", "must be a JSON or YAML object", 1),
        (b"info: {title: x}\npaths: {}\n", "neither a 'swagger' nor an 'openapi'", None),
        (b"swagger: '1.2'\n", "unsupported swagger version", None),
        (b"openapi: 2.5.0\n", "unsupported openapi version", None),
        (b"openapi: 3.0.1\ninfo: {title: x}\npaths:\n  /a: []\n", "path item '/a' must be an object", 4),
        (b"openapi: 3.0.1\npaths:\n  /a:\n    get: nope\n", "operation get of path '/a'", 4),
        (b"openapi: 3.0.1\npaths:\n  a: {}\n", "must start with '/'", 3),
        (b"   \n", "empty", None),
        (b"\xff\xfe", "not UTF-8", None),
    ],
)
def test_invalid_documents(body, fragment, line):
    with pytest.raises(DefinitionError) as exc:
        parse(body)
    assert fragment in exc.value.message
    assert exc.value.line == line


def test_line_of_locates_nested_items():
    doc = parse(OAS3_YAML)
    assert doc.line_of(("paths", "/items", "post")) == 41
    assert doc.line_of(("components", "schemas", "Items")) == 67
    assert doc.line_of(("paths", "/nope")) == 12  # closest existing parent


# ----- API-level extensions ------------------------------------------------------------------------


def test_swagger_imports_without_warnings_and_sets_api_members():
    parts, warnings = imported(SWAGGER)
    assert warnings == []
    assert parts["name"] == "pets-v2" and parts["description"] == "Pet store" and parts["version"] == "1.2.3"
    assert parts["binaryMediaTypes"] == ["image/png", "application/octet-stream"]
    assert parts["minimumCompressionSize"] == 1024
    assert parts["apiKeySource"] == "AUTHORIZER"
    assert parts["disableExecuteApiEndpoint"] is True
    assert parts["tags"] == {"owner": "team-a"}  # plain OpenAPI tags are not AWS tags
    policy = json.loads(parts["policy"])
    assert policy["Statement"][0]["Resource"] == ["arn:aws:execute-api:us-east-1:123456789012:api1/*"]
    assert parts["rootResourceId"] == "rootid"


def test_validators_gateway_responses_and_documentation():
    parts, _ = imported(SWAGGER)
    validators = {v["name"]: v for v in parts["_requestValidators"].values()}
    assert validators["all"]["validateRequestBody"] is True
    assert validators["params-only"] == {
        "id": validators["params-only"]["id"],
        "name": "params-only",
        "validateRequestBody": False,
        "validateRequestParameters": True,
    }
    responses = parts["_gatewayResponses"]
    assert responses["INVALID_API_KEY"] == {
        "responseType": "INVALID_API_KEY",
        "defaultResponse": False,
        "statusCode": "429",
    }
    assert responses["DEFAULT_4XX"]["responseParameters"] == {
        "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"
    }
    docs = sorted(parts["_documentationParts"].values(), key=lambda p: p["location"]["type"])
    assert docs[0]["location"] == {"type": "API"}
    assert json.loads(docs[0]["properties"]) == {"description": "API description"}
    assert docs[1]["location"] == {"type": "METHOD", "path": "/pets", "method": "GET"}


def test_ignore_documentation_leaves_parts_out():
    parts, _ = imported(SWAGGER, ignore_documentation=True)
    assert "_documentationParts" not in parts


def test_authorizers_from_security_definitions():
    parts, _ = imported(SWAGGER)
    authorizers = {a["name"]: a for a in parts["_authorizers"].values()}
    assert set(authorizers) == {"token-auth", "cognito"}
    token = authorizers["token-auth"]
    assert token["type"] == "TOKEN"
    assert token["authorizerUri"] == LAMBDA_URI.format(name="auth")
    assert token["identitySource"] == "method.request.header.Authorization"
    assert token["identityValidationExpression"] == "^Bearer .+"
    assert token["authorizerResultTtlInSeconds"] == 60
    assert token["authType"] == "oauth2"
    cognito = authorizers["cognito"]
    assert cognito["type"] == "COGNITO_USER_POOLS"
    assert cognito["providerARNs"] == ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"]
    assert cognito["authorizerResultTtlInSeconds"] == 300


# ----- methods ---------------------------------------------------------------------------------------


def test_methods_parameters_models_and_auth():
    parts, _ = imported(SWAGGER)
    authorizers = {a["name"]: a["id"] for a in parts["_authorizers"].values()}
    validators = {v["name"]: v["id"] for v in parts["_requestValidators"].values()}
    get = method(parts, "/pets", "GET")
    assert get["operationName"] == "listPets"
    assert get["apiKeyRequired"] is True and get["authorizationType"] == "NONE"
    assert get["requestParameters"] == {
        "method.request.querystring.type": False,
        "method.request.header.X-Trace": True,
    }
    assert get["requestValidatorId"] == validators["params-only"]  # the API-wide default
    assert get["methodResponses"]["200"] == {
        "statusCode": "200",
        "responseParameters": {"method.response.header.X-Count": False},
        "responseModels": {"application/json": "Pets"},
    }
    post = method(parts, "/pets", "POST")
    assert post["authorizationType"] == "CUSTOM" and post["authorizerId"] == authorizers["token-auth"]
    assert post["requestModels"] == {"application/json": "Pet"}
    assert post["requestValidatorId"] == validators["all"]
    pet = method(parts, "/pets/{petId}", "GET")
    assert pet["authorizationType"] == "COGNITO_USER_POOLS"
    assert pet["authorizationScopes"] == ["pets/read"]
    assert pet["requestParameters"] == {"method.request.path.petId": True}  # path-level parameter
    assert method(parts, "/pets/{petId}", "DELETE")["authorizationType"] == "AWS_IAM"
    proxy = method(parts, "/{proxy+}", "ANY")
    assert proxy["authorizationType"] == "AWS_IAM"  # x-amazon-apigateway-auth
    assert by_path(parts)["/{proxy+}"]["pathPart"] == "{proxy+}"


def test_integrations_are_normalised():
    parts, _ = imported(SWAGGER)
    resources = by_path(parts)
    http = method(parts, "/pets", "GET")["methodIntegration"]
    assert http == {
        "type": "HTTP",
        "httpMethod": "GET",
        "uri": "http://petstore.example.com/pets",
        "requestParameters": {"integration.request.querystring.type": "method.request.querystring.type"},
        "passthroughBehavior": "WHEN_NO_TEMPLATES",
        "timeoutInMillis": 5000,
        "cacheKeyParameters": ["method.request.querystring.type"],
        "tlsConfig": {"insecureSkipVerification": True},
        "cacheNamespace": resources["/pets"]["id"],
        "connectionType": "INTERNET",
        "integrationResponses": {
            "200": {
                "statusCode": "200",
                "responseParameters": {
                    "method.response.header.X-Count": "integration.response.header.X-Total"
                },
            }
        },
    }
    mock = method(parts, "/pets/{petId}", "GET")["methodIntegration"]
    assert mock["type"] == "MOCK" and "connectionType" not in mock
    assert mock["integrationResponses"]["404"] == {"statusCode": "404", "selectionPattern": "4\\d{2}"}
    # an integration response without a declared method response gets one
    assert method(parts, "/pets/{petId}", "GET")["methodResponses"]["404"] == {"statusCode": "404"}
    proxy = method(parts, "/pets", "POST")["methodIntegration"]
    assert (proxy["type"], proxy["contentHandling"], proxy["timeoutInMillis"]) == (
        "AWS_PROXY",
        "CONVERT_TO_TEXT",
        29000,
    )


def test_oas3_request_bodies_servers_and_refs():
    parts, warnings = imported(OAS3_YAML)
    assert warnings == []
    assert parts["endpointConfiguration"] == {"vpcEndpointIds": ["vpce-0123"]}
    get = method(parts, "/items", "GET")
    assert get["requestParameters"] == {"method.request.querystring.limit": True}
    assert get["methodResponses"]["200"]["responseModels"] == {"application/json": "Items"}
    items = json.loads(parts["_models"]["Items"]["schema"])
    assert items["items"] == {"$ref": "https://apigateway.amazonaws.com/restapis/api1/models/Item"}
    post = method(parts, "/items", "POST")
    inline = post["requestModels"]["application/json"]
    assert inline == "ItemsPostRequest"
    assert json.loads(parts["_models"][inline]["schema"])["properties"] == {"name": {"type": "string"}}
    authorizer = next(iter(parts["_authorizers"].values()))
    assert authorizer["type"] == "REQUEST" and authorizer["authorizerResultTtlInSeconds"] == 0
    assert authorizer["identitySource"] == "method.request.header.X-User, method.request.querystring.tenant"
    assert post["methodIntegration"]["uri"] == "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem"


@pytest.mark.parametrize(
    ("mode", "paths"),
    [
        ("ignore", ["/", "/pets", "/pets/{petId}", "/{proxy+}"]),
        ("prepend", ["/", "/v1", "/v1/pets", "/v1/pets/{petId}", "/v1/{proxy+}"]),
    ],
)
def test_basepath_modes_swagger(mode, paths):
    parts, _ = imported(SWAGGER, basepath=mode)
    assert sorted(by_path(parts)) == sorted(paths)


def test_basepath_split_drops_the_first_segment():
    assert base_path(parse(OAS3_YAML)) == "/stage/api"
    parts, _ = imported(OAS3_YAML, basepath="split")
    assert sorted(by_path(parts)) == ["/", "/api", "/api/items"]
    assert by_path(parts)["/api"].get("resourceMethods") is None
    parts, _ = imported(OAS3_YAML, basepath="prepend")
    assert "/stage/api/items" in by_path(parts)


def test_invalid_basepath_mode():
    with pytest.raises(DefinitionError, match="Invalid basepath"):
        imported(SWAGGER, basepath="nope")


# ----- warnings: nothing is dropped silently ------------------------------------------------------


def mutate(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(SWAGGER)
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return doc


GET_PETS = ("paths", "/pets", "get")
INTEGRATION = (*GET_PETS, "x-amazon-apigateway-integration")


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        (
            ("x-amazon-apigateway-cors",),
            {"allowOrigins": ["*"]},
            "x-amazon-apigateway-cors ignored: supported only for HTTP APIs",
        ),
        (("x-amazon-apigateway-frobnicate",), 1, "Unsupported extension x-amazon-apigateway-frobnicate"),
        (("x-amazon-apigateway-importexport-version",), "2.0", "importexport-version '2.0'"),
        (
            ("x-amazon-apigateway-minimum-compression-size",),
            -1,
            "Invalid x-amazon-apigateway-minimum-compression-size",
        ),
        (("x-amazon-apigateway-api-key-source",), "COOKIE", "Invalid x-amazon-apigateway-api-key-source"),
        (("x-amazon-apigateway-gateway-responses", "NOPE"), {}, "Unable to put gateway response NOPE"),
        (("x-amazon-apigateway-request-validator",), "missing", "request validator 'missing' is not defined"),
        ((*GET_PETS, "x-amazon-apigateway-foo"), {}, "x-amazon-apigateway-foo ignored"),
        ((*GET_PETS, "security"), [{"nobody": []}], "security scheme 'nobody'"),
        ((*INTEGRATION, "type"), "grpc", "Invalid integration type specified"),
        ((*INTEGRATION, "uri"), "", "Invalid integration URI specified"),
        ((*INTEGRATION, "timeoutInMillis"), 10, "Invalid timeoutInMillis"),
        (
            (*INTEGRATION, "payloadFormatVersion"),
            "2.0",
            "payloadFormatVersion is supported only for HTTP APIs",
        ),
        ((*INTEGRATION, "integrationSubtype"), "SQS-SendMessage", "integrationSubtype is supported only"),
        ((*INTEGRATION, "tlsConfig"), {"serverNameToVerify": "x"}, "tlsConfig.serverNameToVerify"),
        ((*INTEGRATION, "bogus"), 1, "Unsupported property bogus"),
        ((*INTEGRATION, "cacheKeyParameters"), ["method.request.header.nope"], "Invalid cache key parameter"),
        (
            (*INTEGRATION, "responses", "default", "responseParameters"),
            {"method.response.header.Nope": "'x'"},
            "method.response.header.Nope is not declared",
        ),
        (
            (*GET_PETS, "parameters"),
            [{"name": "c", "in": "cookie", "type": "string"}],
            "Parameters in cookie",
        ),
        (
            (*GET_PETS, "responses", "200", "schema"),
            {"$ref": "#/definitions/Nope"},
            "#/definitions/Nope is missing",
        ),
        (("paths", "/bad path"), {"get": {}}, "Unable to create resource at path '/bad path'"),
        (("paths", "/pets/{other}"), {"get": {}}, "A sibling ({petId}) of this resource"),
        (("paths", "/{proxy+}", "x-amazon-apigateway-any-method", "isDefaultRoute"), True, "isDefaultRoute"),
        (
            ("securityDefinitions", "jwt"),
            {"type": "oauth2", "x-amazon-apigateway-authorizer": {"type": "jwt"}},
            "JWT authorizers are supported only for HTTP APIs",
        ),
        (("securityDefinitions", "basic"), {"type": "basic"}, "Unsupported security scheme 'basic'"),
        (
            ("securityDefinitions", "lam"),
            {
                "type": "apiKey",
                "name": "A",
                "in": "header",
                "x-amazon-apigateway-authorizer": {"type": "token"},
            },
            "authorizerUri is required",
        ),
        (("definitions", "Pet-Input"), {"type": "object"}, "imported as 'PetInput'"),
        (
            ("x-amazon-apigateway-documentation", "documentationParts"),
            [{"location": {"type": "NOPE"}, "properties": {"a": 1}}],
            "Unable to create documentation part: Invalid documentation part location type",
        ),
        (
            ("securityDefinitions", "token-auth", "x-amazon-apigateway-authorizer", "authorizerUri"),
            "http://not-a-lambda",
            "Unable to create authorizer 'token-auth': Invalid Authorizer URI",
        ),
    ],
)
def test_each_unsupported_item_is_a_warning(path, value, fragment):
    _, warnings = imported(mutate(path, value))
    assert any(fragment in w for w in warnings), warnings


def test_components_integrations_are_resolved_with_a_warning():
    doc = {
        "openapi": "3.0.1",
        "info": {"title": "shared"},
        "paths": {
            "/a": {
                "get": {
                    "x-amazon-apigateway-integration": {
                        "$ref": "#/components/x-amazon-apigateway-integrations/m"
                    }
                }
            }
        },
        "components": {"x-amazon-apigateway-integrations": {"m": {"type": "mock"}}},
    }
    parts, warnings = imported(doc)
    assert method(parts, "/a", "GET")["methodIntegration"]["type"] == "MOCK"
    assert len(warnings) == 2 and all("HTTP APIs" in w for w in warnings)


def test_warning_paths_and_failure_message():
    doc = mutate((*INTEGRATION, "type"), "grpc")
    parsed = parse(json.dumps(doc, indent=2).encode())
    _, warnings = to_api(parsed, options())
    assert warnings[0].path[:3] == GET_PETS
    assert parsed.line_of(warnings[0].path) is not None
    assert failure_message(warnings).startswith(
        "Warnings found during import:\n\tUnable to put integration on 'GET'"
    )
    assert attribute(("paths", "/a", "get", "responses", "200")) == "paths.'/a'(get).responses.200"


def test_a_method_failing_put_method_rules_is_dropped_with_a_warning():
    doc = mutate(
        (*GET_PETS, "parameters"),
        [{"name": "dup", "in": "query", "type": "string"}, {"name": "dup", "in": "header", "type": "string"}],
    )
    parts, warnings = imported(doc)
    assert "GET" not in by_path(parts)["/pets"]["resourceMethods"]
    assert any("Parameter names must be unique" in w for w in warnings)


# ----- PutRestApi merge / overwrite -----------------------------------------------------------------


def small(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    mock = {"type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'}}
    return {
        "swagger": "2.0",
        "info": {"title": extra.pop("title", "small")},
        "paths": {
            p: {
                v: {
                    "responses": {c: {"description": c} for c in codes},
                    "x-amazon-apigateway-integration": mock,
                }
                for v, codes in verbs.items()
            }
            for p, verbs in paths.items()
        },
        **extra,
    }


def test_merge_keeps_existing_and_overrides_methods():
    existing, _ = imported(small({"/a": {"get": ["200", "206"], "post": ["200"]}, "/b": {"get": ["200"]}}))
    existing["id"] = "api1"
    update, _ = imported(small({"/a": {"get": ["200", "400"]}, "/c": {"get": ["200"]}}, title="renamed"))
    merged = apply(existing, update, "merge", lambda n: "fresh1")
    paths = by_path(merged)
    assert sorted(paths) == ["/", "/a", "/b", "/c"]
    assert sorted(paths["/a"]["resourceMethods"]["GET"]["methodResponses"]) == ["200", "400"]
    assert sorted(paths["/a"]["resourceMethods"]["POST"]["methodResponses"]) == ["200"]
    assert paths["/a"]["id"] == by_path(existing)["/a"]["id"]
    assert merged["rootResourceId"] == "rootid" and merged["name"] == "renamed"


def test_overwrite_replaces_but_keeps_ids():
    existing, _ = imported(SWAGGER)
    existing["id"] = "api1"
    update, _ = imported(small({"/pets": {"get": ["200"]}}))
    result = apply(existing, update, "overwrite", lambda n: "fresh1")
    paths = by_path(result)
    assert sorted(paths) == ["/", "/pets"]
    assert paths["/pets"]["id"] == by_path(existing)["/pets"]["id"]
    assert (
        paths["/pets"]["resourceMethods"]["GET"]["methodIntegration"]["cacheNamespace"]
        == paths["/pets"]["id"]
    )
    assert result["_models"] == {} and result["_authorizers"] == {} and result["_gatewayResponses"] == {}
    assert "binaryMediaTypes" not in result and result["apiKeySource"] == "HEADER"


def test_merge_keeps_authorizer_ids_by_name():
    existing, _ = imported(SWAGGER)
    existing["id"] = "api1"
    again, _ = imported(SWAGGER)
    merged = apply(existing, again, "merge", lambda n: "fresh1")
    assert set(merged["_authorizers"]) == set(existing["_authorizers"])
    post = by_path(merged)["/pets"]["resourceMethods"]["POST"]
    assert post["authorizerId"] in existing["_authorizers"]
    assert {m["id"] for m in merged["_models"].values()} == {m["id"] for m in existing["_models"].values()}
