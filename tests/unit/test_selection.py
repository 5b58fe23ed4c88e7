"""Mapping template selection, passthrough behaviors and integration response selection (pure)."""

from __future__ import annotations

import pytest

from portico.mapping.selection import (
    ResponseSelector,
    Templates,
    UnsupportedMediaType,
    first_accept,
    media_type,
    select_request_template,
    select_response_template,
)

JSON_ONLY = Templates.of([("application/json", "t-json")])
XML_ONLY = Templates.of([("application/xml", "t-xml")])
NONE: Templates[str] = Templates.of([])


def test_media_types() -> None:
    assert media_type("Application/JSON; charset=UTF-8") == "application/json"
    assert media_type(None) is None
    assert media_type(" ; x=1") is None
    assert first_accept("image/webp,image/*,*/*;q=0.8") == "image/webp"
    assert first_accept(None) is None


# The two tables of "Integration passthrough behaviors": (templates, Content-Type) -> per behavior
@pytest.mark.parametrize(
    ("templates", "content_type", "no_match", "no_templates", "never"),
    [
        (JSON_ONLY, None, "application/json", "application/json", "application/json"),
        (JSON_ONLY, "application/json", "application/json", "application/json", "application/json"),
        (JSON_ONLY, "application/xml", None, 415, 415),
        (XML_ONLY, None, None, 415, 415),
        (XML_ONLY, "application/json", None, 415, 415),
        (XML_ONLY, "application/xml; charset=utf-8", "application/xml", "application/xml", "application/xml"),
        (NONE, "application/json", None, None, 415),
        (NONE, None, None, None, 415),
    ],
)
def test_passthrough_behaviors(
    templates: Templates[str], content_type: str | None, no_match: object, no_templates: object, never: object
) -> None:
    for behavior, expected in (
        ("WHEN_NO_MATCH", no_match),
        ("WHEN_NO_TEMPLATES", no_templates),
        ("NEVER", never),
    ):
        if expected == 415:
            with pytest.raises(UnsupportedMediaType):
                select_request_template(templates, content_type, behavior)
        else:
            assert select_request_template(templates, content_type, behavior) == expected, behavior


def test_response_template_selection() -> None:
    both = Templates.of([("application/xml", "x"), ("Application/JSON", "j")])
    assert select_response_template(both, None) == "application/json"
    assert select_response_template(both, "application/xml, application/json") == "application/xml"
    assert select_response_template(both, "text/html") == "application/xml"  # first defined
    assert select_response_template(XML_ONLY, None) == "application/xml"
    assert select_response_template(NONE, "application/json") is None
    assert both.by_type["application/json"] == "j"


def test_integration_response_selection() -> None:
    selector = ResponseSelector.of([("4\\d{2}", "client"), ("5\\d{2}", "server"), (None, "default")])
    assert selector.select("404") == "client"
    assert selector.select("503") == "server"
    assert selector.select("200") == "default"
    assert selector.select("4040") == "default"  # the whole subject must match
    assert selector.select(None) == "default"


def test_lambda_error_message_patterns() -> None:
    selector = ResponseSelector.of([(".*Bad Request.*", "400"), ("", "200")])
    assert selector.select("[Bad Request] no pet") == "400"
    assert selector.select("multi\nline Bad Request") == "200"  # `.` does not match line breaks, as in Java
    assert selector.select("") == "200"


def test_no_default_and_invalid_patterns() -> None:
    selector = ResponseSelector.of([("(", "broken"), ("2\\d{2}", "ok")])
    assert selector.default is None
    assert selector.select("200") == "ok"
    assert selector.select("500") is None
