"""The access log formats of the Developer Guide render with $context values."""

from portico.observability.access_log import compile_format

CTX = {
    "identity": {"sourceIp": "192.0.2.1", "caller": None, "user": None},
    "requestTime": "24/Nov/2026:16:00:00 +0000",
    "httpMethod": "GET",
    "resourcePath": "/pets/{id}",
    "protocol": "HTTP/1.1",
    "status": 200,
    "responseLength": 17,
    "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    "extendedRequestId": "abcdEFGHijkl123=",
    "isCanaryRequest": False,
}

CLF = (
    "$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "
    '"$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength '
    "$context.requestId $context.extendedRequestId"
)


def test_clf() -> None:
    assert compile_format(CLF).render(CTX) == (
        '192.0.2.1 - - [24/Nov/2026:16:00:00 +0000] "GET /pets/{id} HTTP/1.1" 200 17 '
        "c6af9ac6-7b61-11e6-9a41-93e8deadbeef abcdEFGHijkl123="
    )


def test_json() -> None:
    fmt = '{ "requestId":"$context.requestId", "ip": "$context.identity.sourceIp", "status": "$context.status", "canary": "$context.isCanaryRequest" }'
    assert compile_format(fmt).render(CTX) == (
        '{ "requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "ip": "192.0.2.1", "status": "200", "canary": "false" }'
    )


def test_xml_and_csv() -> None:
    xml = '<request id="$context.requestId"> <ip>$context.identity.sourceIp</ip> <status>$context.status</status> </request>'
    assert compile_format(xml).render(CTX) == (
        '<request id="c6af9ac6-7b61-11e6-9a41-93e8deadbeef"> <ip>192.0.2.1</ip> <status>200</status> </request>'
    )
    csv = "$context.identity.sourceIp,$context.identity.caller,$context.httpMethod,$context.status"
    assert compile_format(csv).render(CTX) == "192.0.2.1,-,GET,200"


def test_unknown_variable_is_a_dash() -> None:
    assert compile_format("[$context.nothing.here]").render(CTX) == "[-]"
