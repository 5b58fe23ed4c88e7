"""Integration request/response mapping of non-proxy integrations, through MOCK integrations on a real
server: mapping templates, selection patterns, passthrough behaviors, response parameters, overrides,
content handling and compression, as API Gateway does them."""

from __future__ import annotations

import gzip
import http.client
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

PNG = b"\x89PNG\r\n\x1a\n"
ECHO_REQUEST = """#if($input.params('id') == '7' && $input.json('$.n') == '5' && $stageVariables.env == 'test' && $context.httpMethod == 'POST')
{"statusCode": 200}
#else
{"statusCode": 500}
#end"""
ECHO_RESPONSE = """{"id": "$input.params('id')", "q": "$input.params('q')", "h": "$input.params('X-H')",
 "stage": "$context.stage", "env": "$stageVariables.env", "resourcePath": "$context.resourcePath",
 "method": "$context.httpMethod", "requestId": "$context.requestId", "query": "$input.params().querystring"}"""


def call(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request with exactly the given headers."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=30)
    try:
        conn.request(method, parts.path + ("?" + parts.query if parts.query else ""), body, headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


class Builder:
    def __init__(self, apigw: Any, api_id: str, root: str) -> None:
        self.apigw, self.api_id, self.root = apigw, api_id, root

    def method(
        self,
        path: str,
        verb: str,
        request_templates: dict[str, str] | None,
        responses: dict[str, dict[str, Any]],
        **integration: Any,
    ) -> None:
        parent = self.root
        for part in path.strip("/").split("/"):
            parent = self.apigw.create_resource(restApiId=self.api_id, parentId=parent, pathPart=part)["id"]
        ids = {"restApiId": self.api_id, "resourceId": parent, "httpMethod": verb}
        self.apigw.put_method(**ids, authorizationType="NONE")
        if request_templates is not None:
            integration["requestTemplates"] = request_templates
        self.apigw.put_integration(**ids, type="MOCK", **integration)
        for code, spec in responses.items():
            headers = spec.get("headers", {})
            self.apigw.put_method_response(
                **ids,
                statusCode=code,
                responseParameters={f"method.response.header.{h}": False for h in headers},
            )
            extra = {k: spec[k] for k in ("selectionPattern", "contentHandling") if k in spec}
            self.apigw.put_integration_response(
                **ids,
                statusCode=code,
                responseTemplates=spec.get("templates", {}),
                responseParameters={f"method.response.header.{h}": v for h, v in headers.items()},
                **extra,
            )


def build(b: Builder) -> None:
    b.method(
        "echo/{id}",
        "POST",
        {"application/json": ECHO_REQUEST},
        {
            "200": {"templates": {"application/json": ECHO_RESPONSE}},
            "500": {"selectionPattern": "5\\d{2}", "templates": {"application/json": '{"failed": true}'}},
        },
    )
    b.method(
        "notfound",
        "GET",
        {"application/json": '{"statusCode": 404}'},
        {
            "200": {"templates": {"application/json": '{"found": true}'}},
            "404": {"selectionPattern": "4\\d{2}", "templates": {"application/xml": "<missing/>"}},
        },
    )
    b.method(
        "nomatch",
        "GET",
        {"application/json": '{"statusCode": 404}'},
        {"200": {"selectionPattern": "2\\d{2}"}},
    )
    b.method(
        "strict",
        "POST",
        {"application/json": "{statusCode: 200}"},
        {"200": {"templates": {"application/json": '{"strict": true}'}}},
        passthroughBehavior="NEVER",
    )
    b.method(
        "headers",
        "GET",
        {"application/json": '{"statusCode": 200}'},
        {
            "200": {
                "templates": {"application/json": '{"padding": "' + "x" * 64 + '"}'},
                "headers": {
                    "X-Static": "'hello'",
                    "X-Req": "context.requestId",
                    "X-Env": "stageVariables.env",
                    "Content-Type": "'application/vnd.pets+json'",
                },
            }
        },
    )
    b.method(
        "override",
        "GET",
        {"application/json": '{"statusCode": 200}'},
        {
            "200": {
                "templates": {
                    "text/plain": "#set($context.responseOverride.status = 201)"
                    '#set($context.responseOverride.header.X-Over = "yes")created'
                }
            }
        },
    )
    b.method(
        "upload",
        "POST",
        {"image/png": '#if($input.body == "iVBORw0KGgo="){"statusCode": 200}#{else}{"statusCode": 400}#end'},
        {
            "200": {"templates": {"application/json": '{"ok": true}'}},
            "400": {"selectionPattern": "4\\d{2}", "templates": {"application/json": '{"ok": false}'}},
        },
        contentHandling="CONVERT_TO_TEXT",
    )
    b.method(
        "download",
        "GET",
        {"application/json": '{"statusCode": 200}'},
        {"200": {"templates": {"image/png": "iVBORw0KGgo="}, "contentHandling": "CONVERT_TO_BINARY"}},
    )
    b.method(
        "broken",
        "GET",
        {"application/json": '{"statusCode": 200}'},
        {"200": {"templates": {"application/json": '#if($input.params("a") == "b" {"x": 1}'}}},
    )
    b.method(
        "notjson",
        "POST",
        {"application/json": '{"statusCode": 200, "a": $input.json(\'$.a\')}'},
        {"200": {"templates": {"application/json": "{}"}}},
    )
    b.method("notemplate", "GET", None, {"200": {"templates": {"application/json": "{}"}}})


@pytest.fixture(scope="module")
def base(server: Any, apigw: Any) -> Iterator[str]:
    api = apigw.create_rest_api(
        name=f"mapping-{uuid.uuid4().hex[:8]}", binaryMediaTypes=["image/png"], minimumCompressionSize=0
    )
    build(Builder(apigw, api["id"], api["rootResourceId"]))
    apigw.create_deployment(restApiId=api["id"], stageName="dev", variables={"env": "test"})
    yield f"{server.url}/_aws/execute-api/{api['id']}/dev"
    apigw.delete_rest_api(restApiId=api["id"])


def test_request_and_response_templates(base: str) -> None:
    headers = {"Content-Type": "application/json", "X-H": "hv"}
    status, got, body = call(base + "/echo/7?q=x&q=y", "POST", b'{"n": 5}', headers)
    assert status == 200
    assert got["content-type"] == "application/json"
    assert json.loads(body) == {
        "id": "7",
        "q": "y",
        "h": "hv",
        "stage": "dev",
        "env": "test",
        "resourcePath": "/echo/{id}",
        "method": "POST",
        "requestId": got["x-amzn-requestid"],
        "query": "{q=y}",
    }


def test_request_template_selects_the_integration_response(base: str) -> None:
    status, _, body = call(base + "/echo/7", "POST", b'{"n": 6}', {"Content-Type": "application/json"})
    assert (status, json.loads(body)) == (500, {"failed": True})


def test_selection_pattern_and_response_content_type(base: str) -> None:
    status, headers, body = call(base + "/notfound")
    assert (status, body) == (404, b"<missing/>")
    assert headers["content-type"] == "application/xml"


def test_no_match_and_no_default_is_a_configuration_error(
    base: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="portico.dataplane"):
        status, headers, body = call(base + "/nomatch")
    assert (status, json.loads(body)) == (500, {"message": "Internal server error"})
    assert headers["x-amzn-errortype"] == "InternalServerErrorException"
    assert any(
        "No match for output mapping and no default output mapping configured" in r.getMessage()
        and "Endpoint Response Status Code: 404" in r.getMessage()
        for r in caplog.records
    )


def test_passthrough_never_rejects_unknown_content_types(base: str) -> None:
    status, headers, body = call(base + "/strict", "POST", b"<pet/>", {"Content-Type": "application/xml"})
    assert (status, body) == (415, b'{"message":"Unsupported Media Type"}')
    assert headers["x-amzn-errortype"] == "UnsupportedMediaTypeException"
    status, _, body = call(
        base + "/strict", "POST", b"{}", {"Content-Type": "application/json; charset=utf-8"}
    )
    assert (status, json.loads(body)) == (200, {"strict": True})
    status, _, body = call(base + "/strict", "POST", b"{}")  # no Content-Type: application/json
    assert (status, json.loads(body)) == (200, {"strict": True})


def test_response_parameters(base: str) -> None:
    status, headers, _ = call(base + "/headers")
    assert status == 200
    assert headers["x-static"] == "hello"
    assert headers["x-req"] == headers["x-amzn-requestid"]
    assert headers["x-env"] == "test"
    assert headers["content-type"] == "application/vnd.pets+json"


def test_response_override(base: str) -> None:
    status, headers, body = call(base + "/override")
    assert (status, body) == (201, b"created")
    assert headers["x-over"] == "yes"
    assert headers["content-type"] == "text/plain"


def test_binary_request_converted_to_text(base: str) -> None:
    status, _, body = call(base + "/upload", "POST", PNG, {"Content-Type": "image/png"})
    assert (status, json.loads(body)) == (200, {"ok": True})
    status, _, body = call(base + "/upload", "POST", PNG + b"x", {"Content-Type": "image/png"})
    assert (status, json.loads(body)) == (400, {"ok": False})


def test_text_response_converted_to_binary(base: str) -> None:
    status, headers, body = call(base + "/download", headers={"Accept": "image/png"})
    assert (status, body) == (200, PNG)
    assert headers["content-type"] == "image/png"


def test_response_compression(base: str) -> None:
    status, headers, body = call(base + "/headers", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(body)) == {"padding": "x" * 64}
    status, headers, body = call(base + "/headers", headers={"Accept-Encoding": "br;q=1, gzip;q=0.5"})
    assert "content-encoding" not in headers
    assert json.loads(body) == {"padding": "x" * 64}


def test_compressed_request_body(base: str) -> None:
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    status, _, body = call(base + "/echo/7", "POST", gzip.compress(b'{"n": 5}'), headers)
    assert status == 200
    assert json.loads(body)["id"] == "7"
    headers["Content-Encoding"] = "br"
    status, _, body = call(base + "/echo/7", "POST", b"whatever", headers)
    assert (status, body) == (415, b'{"message":"Unsupported Media Type"}')


def test_template_syntax_error(base: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="portico.dataplane"):
        status, _, body = call(base + "/broken")
    assert (status, json.loads(body)) == (500, {"message": "Internal server error"})
    logged = [r.getMessage() for r in caplog.records if r.name == "portico.dataplane"]
    assert any(
        "resource /broken method GET" in line and "Response mapping template for application/json" in line
        for line in logged
    ), logged


def test_template_runtime_error(base: str) -> None:
    headers = {"Content-Type": "application/json"}
    status, _, body = call(base + "/notjson", "POST", b"not json", headers)
    assert (status, json.loads(body)) == (500, {"message": "Internal server error"})
    status, _, body = call(base + "/notjson", "POST", b'{"a": 1}', headers)
    assert (status, body) == (200, b"{}")


def test_mock_without_status_code_fails_as_aws(base: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="portico.dataplane"):
        status, _, body = call(base + "/notemplate")
    assert (status, json.loads(body)) == (500, {"message": "Internal server error"})
    assert any("Unable to parse statusCode" in r.getMessage() for r in caplog.records)
