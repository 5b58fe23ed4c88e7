"""Compile-time shortcuts of the data plane hot path give the same results as the general path."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from portico.compile.snapshot import StageRuntime, compile_deployment
from portico.dataplane.integration_mapping import map_request, map_response
from portico.dataplane.invocation import Invocation
from portico.dataplane.pipeline import route
from portico.dataplane.resolve import resolve
from portico.ids import request_ids, uuid4_text
from portico.integrations.mock import invoke_mock
from portico.mapping.vtl import NO_OVERRIDES, TemplateError, compile_template
from portico.wire import Request
from tests.purity import pure_python_only


@pytest.mark.parametrize(
    "source",
    ['{"statusCode": 200}', '{"hello":"world"}', "", " \n\t", 'a\\nb \\" \\\\ é 漢', "{{}}\r\n"],
)
def test_template_without_references_or_directives_is_constant(source: str) -> None:
    template = compile_template(source)
    assert template.constant is not None
    assert template.constant.text == source
    rendered = template.render(body="ignored", context={"requestId": "r"}, stage_variables={"a": "b"})
    assert rendered.text == source
    assert dict(rendered.overrides.response_header) == {}
    assert rendered.overrides.response_status is None


@pytest.mark.parametrize("source", ['{"id": "$context.requestId"}', "#set($a = 1)ok", "## comment only"])
def test_template_with_references_or_directives_is_rendered(source: str) -> None:
    assert compile_template(source).constant is None


def test_constant_template_keeps_parse_errors() -> None:
    with pytest.raises(TemplateError):
        compile_template("trailing backslash \\")


def test_request_ids_are_version_4_uuids() -> None:
    for raw in (bytes(16), b"\xff" * 16, bytes(range(16)), bytes(range(240, 256))):
        assert uuid4_text(raw) == str(uuid.UUID(bytes=raw, version=4))


def test_request_ids_have_the_forms_aws_uses() -> None:
    request_id, extended, trace = request_ids(1700000000.75)
    assert str(uuid.UUID(request_id)) == request_id and uuid.UUID(request_id).version == 4
    assert len(extended) == 16 and re.fullmatch(r"[A-Za-z0-9+/]{16}", extended)
    assert re.fullmatch(r"1-6553f100-[0-9a-f]{24}", trace)
    assert len({request_ids(0.0)[0] for _ in range(100)}) == 100


def test_renders_without_overrides_share_one_empty_overrides() -> None:
    assert compile_template('{"a": "$input.body"}').render(body="x").overrides is NO_OVERRIDES
    rendered = compile_template("#set($context.responseOverride.status = 404)").render()
    assert rendered.overrides.response_status == 404
    assert NO_OVERRIDES.response_status is None and not NO_OVERRIDES.request_header


MOCK_METHOD = {
    "httpMethod": "GET",
    "methodIntegration": {
        "type": "MOCK",
        "requestParameters": {"integration.request.header.X-Id": "context.requestId"},
        "requestTemplates": {"application/json": '{"statusCode": 200, "stage": "$context.stage"}'},
        "integrationResponses": {
            "200": {"statusCode": "200", "responseTemplates": {"application/json": '{"ok":true}'}}
        },
    },
}


def mock_invocation(method: dict[str, Any]) -> Invocation:
    api = {"id": "abc123", "_resources": {"r": {"id": "r", "path": "/", "resourceMethods": {"GET": method}}}}
    deployment = compile_deployment("dep1", api)
    request = Request("GET", "/dev/", [("Host", "abc123.execute-api.localhost")])
    target = resolve(request)
    assert target is not None
    stage = StageRuntime("us-east-1", "abc123", "dev", {}, {}, deployment)
    inv = Invocation(request, target, stage, deployment, {}, False, "123456789012")
    route(inv)
    return inv


@pure_python_only
def test_context_is_built_once_when_mappings_read_it_and_never_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[str] = []
    original = Invocation.context

    def counting(self: Invocation) -> dict[str, Any]:
        built.append(self.request_id)
        return original(self)

    monkeypatch.setattr(Invocation, "context", counting)
    inv = mock_invocation(MOCK_METHOD)
    assert inv.method is not None and inv.method.integration is not None
    mapped = map_request(inv, inv.method.integration)
    assert json.loads(mapped.body) == {"statusCode": 200, "stage": "dev"}
    assert mapped.headers["X-Id"] == [inv.request_id]
    assert len(built) == 1  # one $context for the parameter mapping and the template
    response = map_response(inv, inv.method.integration, 200, [], b"")
    assert (response.status, response.body) == (200, b'{"ok":true}')
    assert len(built) == 1  # the constant response template does not read it


def constant_mock(request_template: str, response: dict[str, Any]) -> dict[str, Any]:
    return {
        "httpMethod": "GET",
        "methodIntegration": {
            "type": "MOCK",
            "requestTemplates": {"application/json": request_template},
            "integrationResponses": {"200": {"statusCode": "200", **response}},
        },
        "methodResponses": {"200": {"statusCode": "200"}},
    }


def answer(inv: Invocation) -> tuple[int, list[tuple[str, str]], bytes, str]:
    assert inv.method is not None and inv.method.integration is not None
    response = invoke_mock(inv, inv.method.integration)
    return response.status, response.headers, response.body, inv.integration_status


def memo_of(inv: Invocation) -> dict[Any, Any]:
    assert inv.method is not None
    return inv.deployment.mapping.methods[(inv.method.resource_id, "GET")].memo


def test_constant_mock_answer_is_kept_and_given_again_unchanged() -> None:
    method = constant_mock(
        '{"statusCode": 200}',
        {
            "responseTemplates": {"application/json": '{"ok":true}'},
            "responseParameters": {"method.response.header.X-Static": "'yes'"},
        },
    )
    first = mock_invocation(method)
    computed = answer(first)
    assert computed == (
        200,
        [("Content-Type", "application/json"), ("X-Static", "yes")],
        b'{"ok":true}',
        "200",
    )
    assert len(memo_of(first)) == 1
    again = Invocation(first.request, first.target, first.stage, first.deployment, {}, False, "123456789012")
    route(again)
    remembered = answer(again)
    assert remembered == computed
    remembered[1].append(("x-amzn-RequestId", "r"))  # the handler appends to the answer's headers
    assert answer(again) == computed  # ... which does not change what is kept


@pytest.mark.parametrize(
    ("request_template", "response"),
    [
        (
            '{"statusCode": 200, "id": "$context.requestId"}',
            {"responseTemplates": {"application/json": "ok"}},
        ),
        ('{"statusCode": 200}', {"responseTemplates": {"application/json": '{"id": "$context.requestId"}'}}),
        ('{"statusCode": 200}', {"responseParameters": {"method.response.header.X-Id": "context.requestId"}}),
    ],
)
def test_mock_answer_that_depends_on_the_request_is_not_kept(
    request_template: str, response: dict[str, Any]
) -> None:
    inv = mock_invocation(constant_mock(request_template, response))
    answer(inv)
    assert memo_of(inv) == {}
