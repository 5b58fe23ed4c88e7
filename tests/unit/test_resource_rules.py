"""Pure rules of the REST API tree: path parts, placement, subtrees, method and integration validation."""

from __future__ import annotations

from typing import Any

import pytest

from portico.controlplane.errors import BadRequestException, ConflictException, NotFoundException
from portico.controlplane.integration_rules import (
    check_aws_uri,
    check_http_uri,
    check_request_parameters,
    check_response_parameters,
    check_selection_pattern,
    new_integration,
    validate_integration,
)
from portico.controlplane.member_patch import LIST, MAP, MemberPatcher, Rule, java_bool
from portico.controlplane.method_rules import (
    check_authorization,
    request_parameter,
)
from portico.controlplane.method_rules import (
    check_request_parameters as check_method_parameters,
)
from portico.controlplane.resource_tree import (
    check_path_part,
    check_placement,
    child_path,
    is_in_subtree,
    repath,
    subtree_ids,
)


def tree() -> dict[str, dict[str, Any]]:
    """/, /pets, /pets/{petId}, /pets/{petId}/toys, /{proxy+}"""
    return {
        "root": {"id": "root", "path": "/"},
        "pets": {"id": "pets", "parentId": "root", "pathPart": "pets", "path": "/pets"},
        "pet": {"id": "pet", "parentId": "pets", "pathPart": "{petId}", "path": "/pets/{petId}"},
        "toys": {"id": "toys", "parentId": "pet", "pathPart": "toys", "path": "/pets/{petId}/toys"},
        "proxy": {"id": "proxy", "parentId": "root", "pathPart": "{proxy+}", "path": "/{proxy+}"},
    }


@pytest.mark.parametrize("part", ["pets", "v1.0", "a_b-c", "{id}", "{proxy+}", "{a.b-c_d}"])
def test_valid_path_parts(part):
    check_path_part(part)


@pytest.mark.parametrize("part", ["", "a b", "{id", "id}", "{+}", "{a}b", "a/b", "{a+b}", "ä", "{{a}}"])
def test_invalid_path_parts(part):
    with pytest.raises(BadRequestException, match="path part only allow"):
        check_path_part(part)


def test_child_path():
    assert child_path("/", "pets") == "/pets"
    assert child_path("/pets", "{id}") == "/pets/{id}"


def test_placement_rules():
    res = tree()
    with pytest.raises(ConflictException, match="already has this name: pets"):
        check_placement(res, res["root"], "pets")
    with pytest.raises(BadRequestException, match=r"A sibling \(\{proxy\+\}\) of this resource"):
        check_placement(res, res["root"], "{other}")
    with pytest.raises(BadRequestException, match=r"greedy path variable: \{proxy\+\}"):
        check_placement(res, res["proxy"], "child")
    check_placement(res, res["root"], "cats")
    check_placement(res, res["pets"], "{renamed}", self_id="pet")  # renaming the only variable in place
    with pytest.raises(BadRequestException, match=r"A sibling \(\{petId\}\)"):
        check_placement(res, res["pets"], "{other}")


def test_subtree_and_cycles():
    res = tree()
    assert subtree_ids(res, "pets") == ["pets", "pet", "toys"]
    assert subtree_ids(res, "toys") == ["toys"]
    assert is_in_subtree(res, "toys", "pets")
    assert is_in_subtree(res, "pets", "pets")
    assert not is_in_subtree(res, "proxy", "pets")
    assert not is_in_subtree(res, "root", "pets")


def test_repath_updates_descendants_only():
    res = tree()
    res["pets"]["pathPart"] = "dogs"
    repath(res, "pets")
    assert [res[i]["path"] for i in ("root", "pets", "pet", "toys", "proxy")] == [
        "/",
        "/dogs",
        "/dogs/{petId}",
        "/dogs/{petId}/toys",
        "/{proxy+}",
    ]


def test_method_request_parameter_names():
    assert request_parameter("method.request.querystring.a.b") == ("querystring", "a.b")
    assert request_parameter("method.request.path.id") == ("path", "id")
    assert request_parameter("method.request.header.") is None
    assert request_parameter("method.request.body") is None
    assert request_parameter("x.method.request.header.a") is None
    with pytest.raises(BadRequestException, match="unique across querystring, header and path"):
        check_method_parameters({"method.request.path.id": True, "method.request.header.id": False})


def test_authorization_normalisation():
    api = {"_authorizers": {"a1": {"type": "TOKEN"}, "c1": {"type": "COGNITO_USER_POOLS"}}}
    method = {"authorizationType": "custom", "authorizerId": "a1"}
    check_authorization(method, api)
    assert method == {"authorizationType": "CUSTOM", "authorizerId": "a1"}
    method = {"authorizationType": "NONE", "authorizerId": "a1"}
    check_authorization(method, api)
    assert method == {"authorizationType": "NONE"}
    for bad in ({"authorizationType": "CUSTOM", "authorizerId": "c1"}, {"authorizationType": "CUSTOM"}):
        with pytest.raises(BadRequestException, match="requires a valid authorizer"):
            check_authorization(bad, api)
    with pytest.raises(BadRequestException, match="Invalid authorization type"):
        check_authorization({"authorizationType": "JWT"}, api)


def test_http_uris():
    for uri in (
        "http://a.example.com",
        "https://a.example.com:8443/x/{id}?q=1",
        "http://${stageVariables.h}/p",
    ):
        check_http_uri(uri)
    with pytest.raises(BadRequestException, match="Invalid integration URI specified"):
        check_http_uri(None)
    for uri in ("a.example.com", "ftp://a.example.com", "http:///path", "http://a b.com"):
        with pytest.raises(BadRequestException, match="Invalid HTTP endpoint specified for URI"):
            check_http_uri(uri)


def test_aws_uris():
    check_aws_uri("AWS", "arn:aws:apigateway:us-east-1:sqs:action/SendMessage")
    check_aws_uri("AWS", "arn:aws-cn:apigateway:cn-north-1:bucket.s3:path/key")
    check_aws_uri("AWS_PROXY", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations")
    check_aws_uri("AWS_PROXY", "arn:aws:apigateway:us-east-1:firehose:action/PutRecord")
    with pytest.raises(BadRequestException, match="Invalid ARN"):
        check_aws_uri("AWS", "arn:aws:lambda:us-east-1:123:function:f")
    with pytest.raises(BadRequestException, match="must contain path or action"):
        check_aws_uri("AWS", "arn:aws:apigateway:us-east-1:s3:bucket/key")
    with pytest.raises(BadRequestException, match="AWS_PROXY"):
        check_aws_uri("AWS_PROXY", "arn:aws:apigateway:us-east-1:s3:path/bucket")


def test_integration_request_mappings():
    method = {"requestParameters": {"method.request.querystring.q": True, "method.request.header.h": False}}
    check_request_parameters(
        {
            "integration.request.querystring.q": "method.request.multivaluequerystring.q",
            "integration.request.header.a": "method.request.multivalueheader.h",
            "integration.request.header.b": "method.request.body",
            "integration.request.header.c": "method.request.body.a[0].b",
            "integration.request.header.d": "'it''s static'",
            "integration.request.path.e": "context.authorizer.principalId",
            "integration.request.path.f": "stageVariables.backend_1",
        },
        method,
    )
    for source in ("method.request.path.q", "method.request.querystring.h"):
        with pytest.raises(BadRequestException, match="mapping expression parameter specified"):
            check_request_parameters({"integration.request.header.x": source}, method)
    for target, source in (
        ("integration.request.header.x", "stageVariables.a-b"),
        ("integration.request.header.x", "static"),
        ("integration.request.body", "'x'"),
        ("method.request.header.x", "'x'"),
    ):
        with pytest.raises(BadRequestException, match="Invalid mapping expression specified"):
            check_request_parameters({target: source}, method)


def test_integration_response_mappings():
    declared = {"statusCode": "200", "responseParameters": {"method.response.header.X": True}}
    check_response_parameters({"method.response.header.X": "integration.response.body"}, declared)
    check_response_parameters(
        {"method.response.header.X": "integration.response.multivalueheader.a"}, declared
    )
    check_response_parameters({}, None)
    with pytest.raises(BadRequestException, match="No method response exists for method"):
        check_response_parameters({"method.response.header.X": "'v'"}, None)
    with pytest.raises(BadRequestException, match=r"parameter specified: method\.response\.header\.Y"):
        check_response_parameters({"method.response.header.Y": "'v'"}, declared)
    with pytest.raises(BadRequestException, match=r"specified: integration\.response\.statusCode"):
        check_response_parameters({"method.response.header.X": "integration.response.statusCode"}, declared)


def test_selection_pattern_uniqueness():
    others = {"200": {"statusCode": "200"}, "400": {"statusCode": "400", "selectionPattern": "4.*"}}
    check_selection_pattern({"statusCode": "200", "selectionPattern": ""}, others)
    check_selection_pattern({"statusCode": "500", "selectionPattern": "5.*"}, others)
    with pytest.raises(ConflictException, match="selection pattern default already exists"):
        check_selection_pattern({"statusCode": "201", "selectionPattern": ""}, others)
    with pytest.raises(ConflictException, match=r"selection pattern 4\.\* already exists"):
        check_selection_pattern({"statusCode": "401", "selectionPattern": "4.*"}, others)
    with pytest.raises(BadRequestException, match="Invalid selection pattern"):
        check_selection_pattern({"statusCode": "500", "selectionPattern": "[a"}, others)


def test_new_integration_defaults_and_validation():
    mock = new_integration({"type": "MOCK"}, "res123")
    assert mock == {
        "type": "MOCK",
        "passthroughBehavior": "WHEN_NO_MATCH",
        "timeoutInMillis": 29000,
        "cacheNamespace": "res123",
        "cacheKeyParameters": [],
        "integrationResponses": {},
    }
    http = new_integration(
        {
            "type": "HTTP",
            "integrationHttpMethod": "GET",
            "uri": "http://x.example.com",
            "requestTemplates": {"a/b": ""},
        },
        "res123",
    )
    validate_integration(http, {})
    assert http["connectionType"] == "INTERNET" and http["requestTemplates"] == {"a/b": None}
    with pytest.raises(BadRequestException, match="Enumeration value for HttpMethod must be non-empty"):
        validate_integration(
            new_integration({"type": "AWS", "uri": "arn:aws:apigateway:r:s:path/x"}, "r"), {}
        )


def test_java_booleans():
    assert [java_bool(v) for v in ("true", "TRUE", " True ", "false", "yes", "", None)] == [
        "true",
        "true",
        "true",
        "false",
        "false",
        "false",
        "false",
    ]


def test_member_patcher_rules():
    patcher = MemberPatcher(
        "Method",
        {
            "operationName": Rule(),
            "apiKeyRequired": Rule(),
            "requestParameters": Rule(MAP, ("add", "remove", "replace"), "Invalid parameter name specified"),
            "authorizationScopes": Rule(LIST, ("add", "remove", "replace")),
        },
    )
    doc = {"httpMethod": "GET", "operationName": "Old"}
    out = patcher.apply(
        doc,
        [
            {"op": "replace", "path": "/operationName", "value": "New"},
            {"op": "replace", "path": "/apiKeyRequired", "value": "nope"},
            {"op": "add", "path": "/requestParameters/method.request.header.a", "value": "TRUE"},
            {"op": "add", "path": "/authorizationScopes", "value": "s1"},
            {"op": "add", "path": "/authorizationScopes/s2"},
            {"op": "replace", "path": "/authorizationScopes/s1", "value": "s3"},
        ],
    )
    assert doc == {"httpMethod": "GET", "operationName": "Old"}  # the input is not modified
    assert out == {
        "httpMethod": "GET",
        "operationName": "New",
        "apiKeyRequired": False,
        "requestParameters": {"method.request.header.a": True},
        "authorizationScopes": ["s3", "s2"],
    }
    emptied = patcher.apply(
        out,
        [
            {"op": "remove", "path": "/requestParameters/method.request.header.a"},
            {"op": "remove", "path": "/authorizationScopes", "value": "s3"},
            {"op": "remove", "path": "/authorizationScopes/s2"},
            {"op": "replace", "path": "/operationName", "value": ""},
        ],
    )
    assert emptied == {"httpMethod": "GET", "apiKeyRequired": False}
    with pytest.raises(NotFoundException, match="Invalid parameter name specified"):
        patcher.apply(
            out, [{"op": "replace", "path": "/requestParameters/method.request.header.z", "value": "true"}]
        )
    with pytest.raises(BadRequestException, match=r"Must be one of: \[replace\]"):
        patcher.apply(out, [{"op": "add", "path": "/operationName", "value": "x"}])
    for path in ("/httpMethod", "/requestParameters", "/requestParameters/a/b", "operationName", ""):
        with pytest.raises(BadRequestException, match="Invalid patch path"):
            patcher.apply(out, [{"op": "replace", "path": path, "value": "x"}])
    with pytest.raises(BadRequestException, match="not in authorizationScopes"):
        patcher.apply(out, [{"op": "remove", "path": "/authorizationScopes/nope"}])
