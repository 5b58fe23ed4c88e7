"""Compile-time shortcuts of the data plane hot path give the same results as the general path."""

from __future__ import annotations

import uuid

import pytest

from portico.dataplane.invocation import uuid4_text
from portico.mapping.vtl import NO_OVERRIDES, TemplateError, compile_template


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


def test_renders_without_overrides_share_one_empty_overrides() -> None:
    assert compile_template('{"a": "$input.body"}').render(body="x").overrides is NO_OVERRIDES
    rendered = compile_template("#set($context.responseOverride.status = 404)").render()
    assert rendered.overrides.response_status == 404
    assert NO_OVERRIDES.response_status is None and not NO_OVERRIDES.request_header
