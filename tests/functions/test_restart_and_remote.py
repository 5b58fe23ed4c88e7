"""Functions survive a restart (store + data dir); functions Portico does not host are invoked on
a configured Lambda endpoint (here: a second Portico) with a SigV4-signed Invoke."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portico.functions.invoker import FunctionNotFound, Throttled
from tests.conftest import PgSchema, RunningServer, need_pg, start_server
from tests.functions.conftest import ROLE, invoke_json, make_zip

HANDLER = "import os\ndef handler(event, context):\n    return {'from': os.environ.get('WHERE'), 'event': event, 'fn': context.invoked_function_arn}\n"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_functions_survive_a_restart(backend: str, tmp_path: Path) -> None:
    schema = None
    store_url = None
    if backend == "postgresql":
        need_pg()
        schema = PgSchema()
        store_url = schema.create()
    local = tmp_path / "local-code"
    local.mkdir()
    (local / "app.py").write_text(HANDLER)
    try:
        first = start_server(tmp_path / "data", store_url)
        lam = first.client("lambda")
        lam.create_function(
            FunctionName="zipped",
            Runtime="python3.11",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": HANDLER})},
            Environment={"Variables": {"WHERE": "zip"}},
        )
        lam.create_function(
            FunctionName="local",
            Runtime="python3.11",
            Role=ROLE,
            Handler="app.handler",
            Code={"S3Bucket": "portico-local", "S3Key": str(local)},
            Environment={"Variables": {"WHERE": "dir"}},
        )
        lam.put_function_concurrency(FunctionName="zipped", ReservedConcurrentExecutions=3)
        lam.add_permission(
            FunctionName="zipped", StatementId="s", Action="lambda:InvokeFunction", Principal="*"
        )
        before = lam.get_function(FunctionName="zipped")
        assert invoke_json(lam, "zipped", {"n": 1})[0]["from"] == "zip"
        first.stop()

        second = start_server(tmp_path / "data", store_url)
        try:
            lam = second.client("lambda")
            after = lam.get_function(FunctionName="zipped")
            assert after["Configuration"] == before["Configuration"]
            assert after["Concurrency"] == {"ReservedConcurrentExecutions": 3}
            assert json.loads(lam.get_policy(FunctionName="zipped")["Policy"])["Statement"][0]["Sid"] == "s"
            assert invoke_json(lam, "zipped", {"n": 2})[0]["event"] == {"n": 2}
            assert invoke_json(lam, "local", {})[0]["from"] == "dir"
            assert (
                second.app is not None and second.app.functions.configs[("us-east-1", "zipped")].reserved == 3
            )
        finally:
            second.stop()
    finally:
        if schema is not None:
            schema.drop()


@pytest.fixture(scope="module")
def remote_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, RunningServer]]:
    backend = start_server(tmp_path_factory.mktemp("lambda-backend"))
    front = start_server(tmp_path_factory.mktemp("front"), lambda_endpoint=backend.url)
    try:
        yield front, backend
    finally:
        front.stop()
        backend.stop()


def test_remote_endpoint_invokes_functions_not_hosted_here(remote_pair: Any) -> None:
    front, backend = remote_pair
    for region in ("us-east-1", "eu-west-1"):
        backend.client("lambda", region).create_function(
            FunctionName="remote-fn",
            Runtime="python3.11",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": HANDLER})},
            Environment={"Variables": {"WHERE": region}},
        )
    front.client("lambda").create_function(
        FunctionName="local-fn",
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": HANDLER})},
        Environment={"Variables": {"WHERE": "front"}},
    )
    invoker = front.app.invoker
    result = front.call(invoker.invoke("remote-fn", b'{"k": 1}'))
    assert result.status == 200 and result.function_error is None
    assert json.loads(result.payload) == {
        "from": "us-east-1",
        "event": {"k": 1},
        "fn": "arn:aws:lambda:us-east-1:123456789012:function:remote-fn",
    }
    assert "END RequestId:" in result.log  # the remote LogResult, decoded
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:remote-fn"
    signed_for_region = front.call(invoker.invoke(arn, b"{}"))
    assert json.loads(signed_for_region.payload)["from"] == "eu-west-1"  # the SigV4 scope named eu-west-1
    local = front.call(invoker.invoke("local-fn", b"{}"))
    assert json.loads(local.payload)["from"] == "front"
    event = front.call(invoker.invoke("remote-fn", b"{}", invocation_type="Event"))
    assert event.status == 202
    with pytest.raises(FunctionNotFound) as exc:
        front.call(invoker.invoke("nowhere", b"{}"))
    assert exc.value.message == "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nowhere"


def test_remote_errors_keep_their_meaning(remote_pair: Any) -> None:
    front, backend = remote_pair
    lam = backend.client("lambda")
    lam.create_function(
        FunctionName="remote-throttled",
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": "def handler(e, c):\n    raise RuntimeError('remote boom')\n"})},
    )
    result = front.call(front.app.invoker.invoke("remote-throttled", b"{}"))
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload)["errorMessage"] == "remote boom"
    lam.put_function_concurrency(FunctionName="remote-throttled", ReservedConcurrentExecutions=0)
    with pytest.raises(Throttled):
        front.call(front.app.invoker.invoke("remote-throttled", b"{}"))
