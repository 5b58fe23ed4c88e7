"""Parameter mapping expressions of REST APIs: sources, targets, evaluation (pure)."""

from __future__ import annotations

import pytest

from portico.mapping.parameters import (
    MappingError,
    Target,
    Values,
    compile_request_parameters,
    compile_response_parameters,
    evaluate,
    lower_multi,
    map_request_parameters,
    parse_request_target,
    parse_response_target,
    parse_source,
)

BODY = '{"petstore": {"pets": [{"name": "Rex", "tags": ["a", "b"]}]}, "n": 5, "ok": true}'


def request_values(**overrides: object) -> Values:
    values = Values(
        path={"petId": "7"},
        query={"q": ["one", "two"], "empty": [""]},
        headers=lower_multi([("X-Trace", "t1"), ("x-trace", "t2"), ("Accept", "application/json")]),
        body=BODY,
        stage_variables={"env": "test"},
        context={
            "requestId": "r-1",
            "identity": {"sourceIp": "10.0.0.1", "user": None},
            "isCanaryRequest": False,
        },
    )
    for key, value in overrides.items():
        setattr(values, key, value)
    return values


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("method.request.path.petId", ["7"]),
        ("method.request.path.missing", None),
        ("method.request.querystring.q", ["two"]),
        ("method.request.multivaluequerystring.q", ["one", "two"]),
        ("method.request.querystring.empty", [""]),
        ("method.request.header.x-trace", ["t2"]),
        ("method.request.header.X-TRACE", ["t2"]),
        ("method.request.multivalueheader.X-Trace", ["t1", "t2"]),
        ("method.request.header.nope", None),
        ("method.request.body", [BODY]),
        ("method.request.body.petstore.pets[0].name", ["Rex"]),
        ("method.request.body.petstore.pets[0].tags", ['["a","b"]']),
        ("method.request.body.n", ["5"]),
        ("method.request.body.ok", ["true"]),
        ("method.request.body.petstore.pets[*].name", ['["Rex"]']),
        ("method.request.body.absent", None),
        ("stageVariables.env", ["test"]),
        ("stageVariables.other", None),
        ("context.requestId", ["r-1"]),
        ("context.identity.sourceIp", ["10.0.0.1"]),
        ("context.identity.user", None),
        ("context.isCanaryRequest", ["false"]),
        ("context.nothing.here", None),
        ("'static value'", ["static value"]),
        ("''", [""]),
    ],
)
def test_request_sources(expression: str, expected: list[str] | None) -> None:
    assert evaluate(parse_source(expression), request_values()) == expected


def test_body_json_path_on_a_body_that_is_not_json() -> None:
    values = request_values(body="<xml/>")
    assert evaluate(parse_source("method.request.body.a"), values) is None
    assert evaluate(parse_source("method.request.body"), values) == ["<xml/>"]
    assert evaluate(parse_source("method.request.body"), request_values(body="")) is None


def test_response_sources() -> None:
    values = Values(
        response_headers=lower_multi([("X-App-Id", "a1"), ("Set-Cookie", "a=1"), ("set-cookie", "b=2")]),
        response_body='{"redirect": {"url": "https://example.com/"}}',
        context={"requestId": "r-2"},
    )
    cases = {
        "integration.response.header.x-app-id": ["a1"],
        "integration.response.multivalueheader.Set-Cookie": ["a=1", "b=2"],
        "integration.response.header.Set-Cookie": ["b=2"],
        "integration.response.body.redirect.url": ["https://example.com/"],
        "integration.response.body": ['{"redirect": {"url": "https://example.com/"}}'],
        "context.requestId": ["r-2"],
        "'*'": ["*"],
    }
    for expression, expected in cases.items():
        assert evaluate(parse_source(expression, "response"), values) == expected, expression


@pytest.mark.parametrize(
    ("expression", "side"),
    [
        ("method.request.body", "response"),
        ("integration.response.body", "request"),
        ("method.request.cookie.a", "request"),
        ("stageVariables.", "request"),
        ("'unterminated", "request"),
        ("method.request.body.[[", "request"),
    ],
)
def test_invalid_sources(expression: str, side: str) -> None:
    with pytest.raises(MappingError, match="Invalid mapping expression specified"):
        parse_source(expression, side)


def test_targets() -> None:
    assert parse_request_target("integration.request.path.id") == Target("path", "id")
    assert parse_request_target("integration.request.multivaluequerystring.q") == Target("querystring", "q")
    assert parse_request_target("integration.request.multivalueheader.X-A") == Target("header", "X-A")
    assert parse_response_target("method.response.header.Location") == "Location"
    for bad in ("integration.request.body", "integration.request.header.", "method.request.path.x"):
        with pytest.raises(MappingError):
            parse_request_target(bad)
    with pytest.raises(MappingError):
        parse_response_target("method.response.body")


@pytest.mark.parametrize("header", ["Content-Length", "host", "Transfer-Encoding", "Expect", "Connection"])
def test_reserved_headers_are_not_mapping_targets(header: str) -> None:
    with pytest.raises(MappingError, match=f"header {header} is reserved"):
        parse_request_target(f"integration.request.header.{header}")


def test_map_request_parameters() -> None:
    mappings = compile_request_parameters(
        {
            "integration.request.path.id": "method.request.path.petId",
            "integration.request.path.all": "method.request.multivaluequerystring.q",
            "integration.request.querystring.q": "method.request.multivaluequerystring.q",
            "integration.request.querystring.single": "method.request.querystring.q",
            "integration.request.header.x-env": "stageVariables.env",
            "integration.request.multivalueheader.x-trace": "method.request.multivalueheader.x-trace",
            "integration.request.header.x-missing": "method.request.header.nope",
            "integration.request.header.x-name": "method.request.body.petstore.pets[0].name",
        }
    )
    path, query, headers = map_request_parameters(mappings, request_values())
    assert path == {"id": "7", "all": "one,two"}
    assert query == {"q": ["one", "two"], "single": ["two"]}
    assert headers == {"x-env": ["test"], "x-trace": ["t1", "t2"], "x-name": ["Rex"]}


def test_compile_response_parameters() -> None:
    compiled = compile_response_parameters({"method.response.header.Location": "integration.response.body.a"})
    (name, source), *_ = compiled
    assert name == "Location"
    assert evaluate(source, Values(response_body='{"a": 1}')) == ["1"]
    with pytest.raises(MappingError):
        compile_response_parameters({"method.response.header.X": "method.request.path.a"})
