"""HTTP_PROXY integrations of REST APIs against a real backend, as API Gateway answers them."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.dataplane.echo_backend import EchoBackend, backend_in_thread


def call(
    port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def proxy_resource(
    apigw: Any, api_id: str, parent: str, part: str, uri: str, verb: str = "ANY", **integration: Any
) -> str:
    res = apigw.create_resource(restApiId=api_id, parentId=parent, pathPart=part)["id"]
    params = {}
    mapping = {}
    if "{proxy}" in uri:
        params = {"method.request.path.proxy": True}
        mapping = {"integration.request.path.proxy": "method.request.path.proxy"}
    apigw.put_method(
        restApiId=api_id, resourceId=res, httpMethod=verb, authorizationType="NONE", requestParameters=params
    )
    integration.setdefault("integrationHttpMethod", "ANY")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=res,
        httpMethod=verb,
        type="HTTP_PROXY",
        uri=uri,
        requestParameters=mapping,
        **integration,
    )
    return res


def mapped_resources(apigw: Any, api_id: str, root: str, base: str) -> None:
    """HTTP (non-proxy) integrations: parameter mappings, a template, integration responses."""
    mapped = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="mapped")["id"]
    item = apigw.create_resource(restApiId=api_id, parentId=mapped, pathPart="{id}")["id"]
    ids = {"restApiId": api_id, "resourceId": item, "httpMethod": "GET"}
    apigw.put_method(
        **ids,
        authorizationType="NONE",
        requestParameters={
            "method.request.path.id": True,
            "method.request.querystring.q": False,
            "method.request.header.X-Key": False,
        },
    )
    apigw.put_integration(
        **ids,
        type="HTTP",
        integrationHttpMethod="POST",
        uri=f"{base}/things/{{tid}}",
        requestParameters={
            "integration.request.path.tid": "method.request.path.id",
            "integration.request.querystring.search": "method.request.querystring.q",
            "integration.request.header.X-Api": "method.request.header.X-Key",
        },
        requestTemplates={"application/json": '{"id": "$input.params(\'id\')"}'},
    )
    apigw.put_method_response(
        **ids, statusCode="200", responseParameters={"method.response.header.X-From": False}
    )
    apigw.put_method_response(**ids, statusCode="400")
    apigw.put_integration_response(
        **ids, statusCode="200", responseParameters={"method.response.header.X-From": "'backend'"}
    )
    apigw.put_integration_response(
        **ids,
        statusCode="400",
        selectionPattern="4\\d{2}",
        responseTemplates={"application/json": '{"error": "not found upstream"}'},
    )
    missing = apigw.create_resource(restApiId=api_id, parentId=mapped, pathPart="missing")["id"]
    ids = {"restApiId": api_id, "resourceId": missing, "httpMethod": "GET"}
    apigw.put_method(**ids, authorizationType="NONE")
    apigw.put_integration(**ids, type="HTTP", integrationHttpMethod="GET", uri=f"{base}/status/404")
    apigw.put_method_response(**ids, statusCode="200")
    apigw.put_method_response(**ids, statusCode="400")
    apigw.put_integration_response(**ids, statusCode="200")
    apigw.put_integration_response(
        **ids,
        statusCode="400",
        selectionPattern="4\\d{2}",
        responseTemplates={"application/json": '{"error": "not found upstream"}'},
    )


@pytest.fixture(scope="module")
def backend() -> Iterator[EchoBackend]:
    with backend_in_thread() as running:
        yield running


@pytest.fixture(scope="module")
def proxy_api(apigw: Any, backend: EchoBackend) -> Iterator[str]:
    base = f"http://127.0.0.1:{backend.port}"
    api = apigw.create_rest_api(name=f"http-{uuid.uuid4().hex[:8]}")
    api_id, root = api["id"], api["rootResourceId"]
    proxy_resource(apigw, api_id, root, "{proxy+}", f"{base}/{{proxy}}")
    proxy_resource(apigw, api_id, root, "slow", f"{base}/slow/2000", timeoutInMillis=200)
    proxy_resource(apigw, api_id, root, "down", f"http://127.0.0.1:{free_port()}/x")
    proxy_resource(apigw, api_id, root, "staged", "http://${stageVariables.backend}/from-stage?fixed=1")
    proxy_resource(apigw, api_id, root, "posted", f"{base}/always-post", "GET", integrationHttpMethod="POST")
    proxy_resource(apigw, api_id, root, "unmapped", f"{base}/literal/{{thing}}")
    mapped_resources(apigw, api_id, root, base)
    apigw.create_deployment(
        restApiId=api_id, stageName="dev", variables={"backend": f"127.0.0.1:{backend.port}"}
    )
    yield api_id
    with contextlib.suppress(apigw.exceptions.NotFoundException):
        apigw.delete_rest_api(restApiId=api_id)


def echo(server: Any, api_id: str, method: str, path: str, **kw: Any) -> dict[str, Any]:
    status, _, body = call(server.port, method, f"/_aws/execute-api/{api_id}/dev{path}", **kw)
    assert status == 200, body
    doc: dict[str, Any] = json.loads(body)
    doc["header"] = {name.lower(): value for name, value in doc["headers"]}
    return doc


def test_greedy_path_query_headers_and_body(server: Any, backend: EchoBackend, proxy_api: str) -> None:
    doc = echo(
        server,
        proxy_api,
        "POST",
        "/pets/a%20b/c?x=1&y=two&x=3",
        body=b'{"name":"rex"}',
        headers={"Content-Type": "application/json", "X-Custom": "v", "User-Agent": "tests/1"},
    )
    assert doc["method"] == "POST"
    assert doc["path"] == "/pets/a%20b/c"
    assert doc["query"] == "x=1&y=two&x=3"
    assert base64.b64decode(doc["body"]) == b'{"name":"rex"}'
    header = doc["header"]
    assert header["host"] == f"127.0.0.1:{backend.port}"
    assert header["x-custom"] == "v"
    assert header["user-agent"] == "tests/1"
    assert header["content-type"] == "application/json"
    assert header["content-length"] == "14"
    assert header["x-amzn-apigateway-api-id"] == proxy_api
    assert header["x-amzn-trace-id"].startswith("Root=1-")
    assert header["x-forwarded-for"] == "127.0.0.1"
    assert header["x-forwarded-port"] == str(server.port)
    assert header["x-forwarded-proto"] == "http"
    assert "connection" not in header


def test_methods_pass_through_with_any(server: Any, proxy_api: str) -> None:
    for verb in ("GET", "PUT", "DELETE", "PATCH", "OPTIONS"):
        assert echo(server, proxy_api, verb, "/thing")["method"] == verb


def test_integration_method_and_stage_variable_uri(server: Any, proxy_api: str) -> None:
    assert echo(server, proxy_api, "GET", "/posted")["method"] == "POST"
    doc = echo(server, proxy_api, "GET", "/staged?q=2")
    assert (doc["path"], doc["query"]) == ("/from-stage", "fixed=1&q=2")


def test_unmapped_placeholder_is_sent_as_written(server: Any, proxy_api: str) -> None:
    assert echo(server, proxy_api, "GET", "/unmapped")["path"] == "/literal/%7Bthing%7D"


def test_client_forwarded_for_is_extended_and_trace_propagated(server: Any, proxy_api: str) -> None:
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793"
    header = echo(
        server, proxy_api, "GET", "/x", headers={"X-Forwarded-For": "10.0.0.1", "X-Amzn-Trace-Id": trace}
    )["header"]
    assert header["x-forwarded-for"] == "10.0.0.1, 127.0.0.1"
    assert header["x-amzn-trace-id"] == trace


def test_binary_and_large_bodies(server: Any, proxy_api: str) -> None:
    url = f"/_aws/execute-api/{proxy_api}/dev/raw"
    for payload in (bytes(range(256)) * 4, b"\x00\xff" * (512 * 1024)):
        status, headers, body = call(server.port, "POST", url, body=payload)
        assert (status, body) == (200, payload)
        assert headers["Content-Type"] == "application/octet-stream"
        assert headers["x-amzn-Remapped-Content-Length"] == str(len(payload))


def test_status_passthrough(server: Any, proxy_api: str) -> None:
    for code in (201, 404, 500, 503):
        status, headers, body = call(server.port, "GET", f"/_aws/execute-api/{proxy_api}/dev/status/{code}")
        assert (status, json.loads(body)) == (code, {"status": code})
        assert headers["Content-Type"] == "application/json"
        assert "x-amzn-ErrorType" not in headers


def test_response_headers_remapped_and_dropped(server: Any, proxy_api: str) -> None:
    status, headers, body = call(server.port, "GET", f"/_aws/execute-api/{proxy_api}/dev/headers")
    assert (status, body) == (200, b"headers")
    assert headers["x-amzn-Remapped-Server"] == "echo/1.0"
    assert headers["x-amzn-Remapped-Date"] == "Tue, 01 Jan 2030 00:00:00 GMT"
    assert headers["x-amzn-Remapped-Connection"] == "keep-alive"
    assert headers["x-amzn-Remapped-Content-Length"] == "7"
    assert headers["x-amzn-Remapped-x-amzn-RequestId"] == "backend-request-id"
    assert headers["x-amzn-RequestId"] != "backend-request-id"
    assert headers["Date"] != "Tue, 01 Jan 2030 00:00:00 GMT"
    assert headers.get("Server") != "echo/1.0"
    assert headers.get_all("X-Custom") == ["one", "two"]
    assert headers["Content-Encoding"] == "identity"
    assert "Via" not in headers


def test_chunked_close_delimited_and_head(server: Any, proxy_api: str) -> None:
    base = f"/_aws/execute-api/{proxy_api}/dev"
    status, headers, body = call(server.port, "GET", f"{base}/chunked")
    assert (status, body) == (200, b"chunked body")
    assert "Transfer-Encoding" not in headers
    status, _, body = call(server.port, "GET", f"{base}/close")
    assert (status, body) == (200, b"until the end")
    status, headers, body = call(server.port, "HEAD", f"{base}/status/201")
    assert (status, body, headers["Content-Length"]) == (201, b"", "15")


def test_timeout_is_504_endpoint_request_timed_out(server: Any, proxy_api: str) -> None:
    status, headers, body = call(server.port, "GET", f"/_aws/execute-api/{proxy_api}/dev/slow")
    assert (status, body) == (504, b'{"message": "Endpoint request timed out"}')
    assert headers["x-amzn-ErrorType"] == "InternalServerErrorException"


def test_backend_down_is_504_network_error(server: Any, proxy_api: str) -> None:
    status, headers, body = call(server.port, "GET", f"/_aws/execute-api/{proxy_api}/dev/down")
    assert (status, body) == (504, b'{"message": "Network error communicating with endpoint"}')
    assert headers["x-amzn-ErrorType"] == "InternalServerErrorException"


def test_malformed_or_oversized_response_is_502(server: Any, proxy_api: str) -> None:
    for path in ("garbage", "big"):
        status, _, body = call(server.port, "GET", f"/_aws/execute-api/{proxy_api}/dev/{path}")
        assert (status, body) == (502, b'{"message": "Internal server error"}'), path


def test_hangup_is_network_error(server: Any, proxy_api: str) -> None:
    status, _, body = call(server.port, "POST", f"/_aws/execute-api/{proxy_api}/dev/hangup", body=b"x")
    assert (status, body) == (504, b'{"message": "Network error communicating with endpoint"}')


def test_keep_alive_reuses_one_connection(server: Any, backend: EchoBackend, proxy_api: str) -> None:
    before = len(backend.requests)
    for i in range(20):
        assert echo(server, proxy_api, "GET", f"/seq/{i}")["path"] == f"/seq/{i}"
    used = {seen.connection for seen in backend.requests[before:]}
    assert len(backend.requests) - before == 20
    assert len(used) == 1


def test_http_non_proxy_maps_request_and_response(server: Any, proxy_api: str) -> None:
    status, headers, body = call(
        server.port,
        "GET",
        f"/_aws/execute-api/{proxy_api}/dev/mapped/42?q=hello%20world&other=1",
        headers={"X-Key": "k-1", "X-Custom": "not passed", "Accept": "application/json"},
    )
    assert status == 200, body
    assert headers["X-From"] == "backend"
    doc = json.loads(body)
    assert (doc["method"], doc["path"], doc["query"]) == ("POST", "/things/42", "search=hello%20world")
    assert json.loads(base64.b64decode(doc["body"])) == {"id": "42"}
    header = {name.lower(): value for name, value in doc["headers"]}
    assert header["x-api"] == "k-1"
    assert header["user-agent"] == f"AmazonAPIGateway_{proxy_api}"
    assert header["x-amzn-apigateway-api-id"] == proxy_api
    assert header["x-amzn-trace-id"].startswith("Root=1-")
    assert header["accept"] == "application/json"
    assert header["content-type"] == "application/json"
    assert "x-custom" not in header and "x-forwarded-for" not in header


def test_http_non_proxy_selects_integration_response_by_status(server: Any, proxy_api: str) -> None:
    status, headers, body = call(server.port, "GET", f"/_aws/execute-api/{proxy_api}/dev/mapped/missing")
    assert (status, json.loads(body)) == (400, {"error": "not found upstream"})
    assert headers["Content-Type"] == "application/json"


def test_informational_response_before_the_answer(server: Any, proxy_api: str) -> None:
    status, headers, body = call(server.port, "GET", f"/_aws/execute-api/{proxy_api}/dev/early-hints")
    assert (status, body, headers["X-After"]) == (200, b"after the hints", "hints")
    assert "Link" not in headers


def test_connection_header_naming_hop_by_hop_headers(server: Any, proxy_api: str) -> None:
    status, headers, body = call(server.port, "GET", f"/_aws/execute-api/{proxy_api}/dev/hop-by-hop")
    assert (status, body, headers["X-Kept"]) == (200, b"hop", "yes")
    assert headers["x-amzn-Remapped-Connection"] == "keep-alive, X-Hop"
    assert "X-Hop" not in headers


def read_responses(sock: socket.socket, count: int) -> list[tuple[int, bytes]]:
    """`count` responses (Content-Length framed) read off one connection, in order."""
    data, out = b"", []
    while len(out) < count:
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            head = data[:head_end].decode("latin-1")
            length = int(
                next(
                    v
                    for n, _, v in (line.partition(": ") for line in head.split("\r\n")[1:])
                    if n.lower() == "content-length"
                )
            )
            if len(data) >= head_end + 4 + length:
                out.append((int(head.split(" ")[1]), data[head_end + 4 : head_end + 4 + length]))
                data = data[head_end + 4 + length :]
                continue
        chunk = sock.recv(65536)
        assert chunk, "connection closed early"
        data += chunk
    return out


def test_pipelined_proxy_requests_answer_in_order(server: Any, proxy_api: str) -> None:
    base = f"/_aws/execute-api/{proxy_api}/dev"
    paths = [f"{base}/slow/150", f"{base}/seq/1", f"{base}/status/404", f"{base}/slow/50", f"{base}/seq/2"]
    requests = b"".join(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode() for path in paths)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(requests)
        answers = read_responses(sock, len(paths))
    assert [status for status, _ in answers] == [200, 200, 404, 200, 200]
    assert [json.loads(body)["path"] for _, body in answers[:2]] == ["/slow/150", "/seq/1"]
    assert json.loads(answers[4][1])["path"] == "/seq/2"


def test_client_gone_while_the_endpoint_answers(server: Any, backend: EchoBackend, proxy_api: str) -> None:
    base = f"/_aws/execute-api/{proxy_api}/dev"
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(f"GET {base}/slow/100 HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    before = len(backend.requests)
    assert echo(server, proxy_api, "GET", "/after-hangups")["path"] == "/after-hangups"
    assert len(backend.requests) > before
