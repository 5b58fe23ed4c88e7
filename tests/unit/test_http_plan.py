"""HTTP integration plans and header rules, tested with values (no sockets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from portico.integrations.http_headers import (
    mapped_request_head,
    method_response_headers,
    proxy_request_head,
    proxy_response_head,
    proxy_response_headers,
)
from portico.integrations.http_plan import (
    PlanError,
    compile_http_plan,
    compile_http_plans,
    compile_mappings,
    compile_uri,
)
from portico.integrations.upstream_connection import Origin, UpstreamResponse, header_section
from portico.wire import Request
from tests.purity import pure_python_only


@dataclass
class FakeInvocation:
    request: Request
    path_params: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    trace_id: str = "Root=1-00000000-000000000000000000000000"

    def context(self) -> dict[str, Any]:
        return {"requestId": "req-1", "identity": {"sourceIp": "10.1.1.1"}, "isCanaryRequest": False}


def inv(target: str = "/", headers: list[tuple[str, str]] | None = None, **kw: Any) -> Any:
    request = Request("GET", target, headers or [], b"", "1.1", ("192.0.2.7", 5555), "http", 4566)
    return FakeInvocation(request, **kw)


def test_static_origin_and_host_header() -> None:
    uri = compile_uri("http://Backend.example:8080/v1/{proxy}?fixed=1")
    assert (uri.origin, uri.host) == (Origin("http", "backend.example", 8080), "Backend.example:8080")
    assert compile_uri("https://api.example.com").origin == Origin("https", "api.example.com", 443)
    assert compile_uri("http://[::1]:9000/x").origin == Origin("http", "::1", 9000)
    assert compile_uri("https://h/x", verify=False).origin == Origin("https", "h", 443, False)


@pytest.mark.parametrize("uri", ["ftp://h/x", "http://", "http://h:port/x", "http://u@h/x", "h/x"])
def test_invalid_uris(uri: str) -> None:
    with pytest.raises(PlanError):
        compile_uri(uri)
    assert compile_http_plan("a1", {"type": "HTTP_PROXY", "uri": uri}).uri is None


def test_target_rendering_and_encoding() -> None:
    uri = compile_uri("http://h/items/{id}/{proxy}?q={id}&v=${stageVariables.ver}")
    params = {"id": "a b", "proxy": "x/y z/é"}
    target = uri.target(params, {"ver": "2"}, "client=1")
    assert target == "/items/a%20b/x/y%20z/%C3%A9?q=a%20b&v=2&client=1"
    assert uri.target({}, {}, "") == "/items/%7Bid%7D/%7Bproxy%7D?q=%7Bid%7D&v="
    assert compile_uri("http://h").target({}, {}, "a=1") == "/?a=1"


def test_stage_variables_in_the_authority() -> None:
    uri = compile_uri("http://${stageVariables.host}/x")
    assert uri.origin is None
    assert uri.resolve_origin({"host": "10.0.0.2:81"}) == (Origin("http", "10.0.0.2", 81), "10.0.0.2:81")
    with pytest.raises(PlanError):
        uri.resolve_origin({})


@pure_python_only
def test_request_parameter_sources() -> None:
    mappings = compile_mappings(
        {
            "integration.request.path.proxy": "method.request.path.proxy",
            "integration.request.querystring.q": "method.request.querystring.search",
            "integration.request.querystring.all": "method.request.multivaluequerystring.search",
            "integration.request.header.X-Key": "method.request.header.x-api-key",
            "integration.request.header.X-Static": "'fixed value'",
            "integration.request.header.X-Stage": "stageVariables.env",
            "integration.request.header.X-Ip": "context.identity.sourceIp",
            "integration.request.header.X-Canary": "context.isCanaryRequest",
            "integration.request.header.X-Body": "method.request.body.name",
        }
    )
    current = inv(
        "/p?search=a&search=b c",
        [("X-Api-Key", "k1")],
        path_params={"proxy": "x/y"},
        variables={"env": "prod"},
    )
    assert mappings.path_values(current) == {"proxy": "x/y"}
    assert mappings.query_string(current) == "q=b%20c&all=a%2Cb%20c"
    headers = {name: source(current) for name, source in mappings.header}
    assert headers == {
        "X-Key": "k1",
        "X-Static": "fixed value",
        "X-Stage": "prod",
        "X-Ip": "10.1.1.1",
        "X-Canary": "false",
    }


def test_plans_compiled_per_http_method() -> None:
    api = {
        "id": "a1",
        "_resources": {
            "r1": {
                "id": "r1",
                "resourceMethods": {
                    "ANY": {
                        "methodIntegration": {"type": "HTTP_PROXY", "uri": "http://h/", "httpMethod": "ANY"}
                    },
                    "POST": {"methodIntegration": {"type": "MOCK"}},
                    "GET": {
                        "methodIntegration": {
                            "type": "HTTP",
                            "uri": "http://h/",
                            "httpMethod": "post",
                            "timeoutInMillis": 200,
                            "requestParameters": {"integration.request.header.Content-Length": "'1'"},
                        }
                    },
                },
            }
        },
    }
    plans = compile_http_plans(api)
    assert set(plans) == {("r1", "ANY"), ("r1", "GET")}
    assert (plans[("r1", "ANY")].method, plans[("r1", "ANY")].timeout) == (None, 29.0)
    get = plans[("r1", "GET")]
    assert (get.method, get.timeout, get.forbidden_mapping) == ("POST", 0.2, "Content-Length")


def _lines(head: bytes) -> list[str]:
    return head.decode("latin-1").split("\r\n")


@pure_python_only
def test_proxy_request_head() -> None:
    plan = compile_http_plan(
        "a1",
        {
            "type": "HTTP_PROXY",
            "uri": "http://h/",
            "requestParameters": {"integration.request.header.x-mapped": "'m'"},
        },
    )
    client = [
        ("Host", "a1.execute-api.localhost"),
        ("Connection", "keep-alive"),
        ("Content-Length", "3"),
        ("X-Forwarded-For", "203.0.113.9"),
        ("X-Amzn-Trace-Id", "spoofed"),
        ("X-Mapped", "from client"),
        ("x-custom", "c"),
        ("Expect", "100-continue"),
        ("Cookie", "a=1"),
    ]
    head = proxy_request_head(plan, inv("/", client), "POST", "/t?x=1", "h:81", b"abc")
    assert _lines(head) == [
        "POST /t?x=1 HTTP/1.1",
        "Host: h:81",
        "x-custom: c",
        "Cookie: a=1",
        "x-mapped: m",
        "X-Forwarded-For: 203.0.113.9, 192.0.2.7",
        "X-Forwarded-Port: 4566",
        "X-Forwarded-Proto: http",
        "Accept: application/json",
        "User-Agent: AmazonAPIGateway_a1",
        "X-Amzn-Trace-Id: Root=1-00000000-000000000000000000000000",
        "X-Amzn-Apigateway-Api-Id: a1",
        "Content-Length: 3",
        "",
        "",
    ]
    get = proxy_request_head(plan, inv("/", [("Accept", "*/*"), ("User-Agent", "ua")]), "GET", "/", "h", b"")
    assert "Content-Length" not in get.decode()
    assert b"Accept: application/json" not in get and b"AmazonAPIGateway" not in get
    assert b"Content-Length: 0\r\n" in proxy_request_head(plan, inv(), "POST", "/", "h", b"")


@pure_python_only
def test_mapped_request_head() -> None:
    plan = compile_http_plan("a1", {"type": "HTTP", "uri": "http://h/"})
    current = inv("/", [("Content-Type", "text/plain"), ("X-Not-Mapped", "1")])
    lines = _lines(mapped_request_head(plan, current, "PUT", "/x", "h", [("X-Mapped", "v")], b"hi"))
    assert lines[:4] == ["PUT /x HTTP/1.1", "Host: h", "X-Mapped: v", "Content-Type: text/plain"]
    assert "User-Agent: AmazonAPIGateway_a1" in lines
    assert "X-Amzn-Apigateway-Api-Id: a1" in lines
    assert not any(line.startswith(("X-Not-Mapped", "X-Forwarded")) for line in lines)


def test_proxy_response_headers() -> None:
    upstream = [
        ("Content-Type", "text/html"),
        ("Content-Length", "10"),
        ("Connection", "keep-alive, X-Hop"),
        ("X-Hop", "gone"),
        ("Date", "d"),
        ("Server", "s"),
        ("Transfer-Encoding", "chunked"),
        ("Via", "1.1 x"),
        ("x-amzn-RequestId", "r"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("WWW-Authenticate", "Basic"),
        ("Content-Encoding", "gzip"),
    ]
    raw = [(name.encode(), value.encode()) for name, value in upstream]
    assert proxy_response_headers(raw) == [
        ("Content-Type", "text/html"),
        ("x-amzn-Remapped-Content-Length", "10"),
        ("x-amzn-Remapped-Connection", "keep-alive, X-Hop"),
        ("x-amzn-Remapped-Date", "d"),
        ("x-amzn-Remapped-Server", "s"),
        ("x-amzn-Remapped-x-amzn-RequestId", "r"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("WWW-Authenticate", "Basic"),
        ("Content-Encoding", "gzip"),
    ]
    assert ("Content-Length", "10") in proxy_response_headers(raw, head=True)


@pytest.mark.parametrize(
    "upstream",
    [
        [("Server", "nginx"), ("Date", "d"), ("Content-Type", "text/plain"), ("Content-Length", "22")],
        [("content-length", "0"), ("CONNECTION", "Keep-Alive"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
        [
            ("Transfer-Encoding", "chunked"),
            ("Via", "1.1 x"),
            ("X-Caf\xe9", "cr\xe8me"),
            ("x-amzn-RequestId", "r"),
        ],
        [],
    ],
)
def test_proxy_response_head_is_the_serialised_proxy_response_headers(
    upstream: list[tuple[str, str]],
) -> None:
    section = "".join(f"{name}: {value}\r\n" for name, value in upstream)
    raw = UpstreamResponse(200, section, b"").raw_headers
    assert raw == [(name.encode("latin-1"), value.encode("latin-1")) for name, value in upstream]
    expected = "".join(f"{name}: {value}\r\n" for name, value in proxy_response_headers(raw))
    assert proxy_response_head(section) == expected
    assert proxy_response_head(section) == expected  # again: the lines' fates are memoised


def test_proxy_response_head_leaves_connection_tokens_to_the_general_path() -> None:
    section = "Connection: keep-alive, X-Hop\r\nX-Hop: gone\r\n"
    assert proxy_response_head(section) is None
    assert proxy_response_head(section) is None  # never memoised as a plain line
    raw = UpstreamResponse(200, section, b"").raw_headers
    assert proxy_response_headers(raw) == [("x-amzn-Remapped-Connection", "keep-alive, X-Hop")]
    assert proxy_response_head("connection:  close \r\n") == "x-amzn-Remapped-connection:  close \r\n"


def test_header_section_of_the_final_response_head() -> None:
    received = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nA: 1\r\nB:2 \r\n\r\nbody"
    assert header_section(received) == "A: 1\r\nB:2 \r\n"
    assert UpstreamResponse(200, header_section(received), b"").raw_headers == [(b"A", b"1"), (b"B", b"2 ")]
    assert header_section(b"HTTP/1.1 204 No Content\r\n\r\n") == ""
    big = b"HTTP/1.1 200 OK\r\n" + b"X-Big: %s\r\n" % (b"x" * 20000) + b"\r\n"
    assert header_section(big) == "X-Big: " + "x" * 20000 + "\r\n"


def test_method_response_headers_of_non_proxy_integrations() -> None:
    mapped = [
        ("WWW-Authenticate", "Basic"),
        ("X-Ok", "1"),
        ("Transfer-Encoding", "chunked"),
        ("User-Agent", "u"),
    ]
    assert method_response_headers(mapped) == [
        ("x-amzn-Remapped-WWW-Authenticate", "Basic"),
        ("X-Ok", "1"),
        ("x-amzn-Remapped-User-Agent", "u"),
    ]
