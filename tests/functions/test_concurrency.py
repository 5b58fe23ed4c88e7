"""Concurrent invocations run on separate warm instances; reserved concurrency throttles like
Lambda (TooManyRequestsException "Rate Exceeded.")."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.functions.conftest import invoke_json

SLEEPER = """
import os, time
def handler(event, context):
    start = time.time()
    time.sleep(event.get("sleep", 0.5))
    return {"start": start, "end": time.time(), "pid": os.getpid()}
"""


def _client(fserver: Any) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=fserver.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}, max_pool_connections=20, read_timeout=60),
    )


def _parallel(lam: Any, name: str, events: list[dict[str, Any]]) -> list[Any]:
    def one(event: dict[str, Any]) -> Any:
        try:
            return invoke_json(lam, name, event)[0]
        except ClientError as exc:
            return exc

    with ThreadPoolExecutor(len(events)) as pool:
        return list(pool.map(one, events))


def test_ten_concurrent_invocations_overlap(fserver: Any, create_fn: Any) -> None:
    lam = _client(fserver)
    name = create_fn({"app.py": SLEEPER})
    warmup = _parallel(lam, name, [{"sleep": 1.5}] * 10)  # ten instances, all busy at once
    assert len({r["pid"] for r in warmup}) == 10
    results = _parallel(lam, name, [{"sleep": 0.5}] * 10)
    assert len({r["pid"] for r in results}) == 10  # each on its own (warm) instance
    assert max(r["start"] for r in results) < min(r["end"] for r in results)  # all ran at once
    stats = fserver.app.functions.stats(name)
    assert (stats.cold_starts, stats.warm_starts, stats.throttles) == (10, 10, 0)


def test_beyond_default_concurrency_waits_then_throttles(fserver: Any, create_fn: Any) -> None:
    lam = _client(fserver)
    name = create_fn({"app.py": SLEEPER})
    results = _parallel(lam, name, [{"sleep": 2.0}] * 11)
    throttled = [r for r in results if isinstance(r, ClientError)]
    assert len(throttled) == 1
    error = throttled[0].response
    assert error["Error"]["Code"] == "TooManyRequestsException"
    assert error["Error"]["Message"] == "Rate Exceeded."
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert fserver.app.functions.stats(name).throttles == 1


def test_reserved_concurrency_limits_and_throttles(fserver: Any, flam: Any, create_fn: Any) -> None:
    lam = _client(fserver)
    name = create_fn({"app.py": SLEEPER})
    assert (
        flam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)[
            "ReservedConcurrentExecutions"
        ]
        == 2
    )
    results = _parallel(lam, name, [{"sleep": 1.5}] * 3)
    ok = [r for r in results if not isinstance(r, ClientError)]
    throttled = [r for r in results if isinstance(r, ClientError)]
    assert len(ok) == 2 and len(throttled) == 1
    assert throttled[0].response["Error"]["Code"] == "TooManyRequestsException"
    assert ok[0]["pid"] != ok[1]["pid"]


def test_queued_request_gets_a_freed_instance(fserver: Any, flam: Any, create_fn: Any) -> None:
    """Over the limit, a request waits briefly (0.5 s) for an instance before throttling."""
    lam = _client(fserver)
    name = create_fn({"app.py": SLEEPER})
    flam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    invoke_json(flam, name, {"sleep": 0})  # warm
    results = _parallel(lam, name, [{"sleep": 0.1}, {"sleep": 0.1}])
    assert not any(isinstance(r, ClientError) for r in results)
    assert results[0]["pid"] == results[1]["pid"]
    first, second = sorted(results, key=lambda r: r["start"])
    assert second["start"] >= first["end"]  # one after the other on the single instance


def test_reserved_zero_throttles_everything(flam: Any, create_fn: Any) -> None:
    name = create_fn({"app.py": SLEEPER})
    flam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as exc:
        flam.invoke(FunctionName=name, Payload=json.dumps({"sleep": 0}))
    assert exc.value.response["Error"]["Code"] == "TooManyRequestsException"
    flam.delete_function_concurrency(FunctionName=name)
    assert invoke_json(flam, name, {"sleep": 0})[0]["pid"] > 0


def test_event_invocations_queue_instead_of_throttling(flam: Any, create_fn: Any, tmp_path: Any) -> None:
    out = tmp_path / "events"
    out.mkdir()
    code = f"import time\ndef handler(event, context):\n    time.sleep(0.2)\n    open({str(out)!r} + '/' + str(event['i']), 'w').write('x')\n"
    name = create_fn({"app.py": code})
    flam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    for i in range(4):
        assert (
            flam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"i": i}))["StatusCode"]
            == 202
        )
    deadline = time.monotonic() + 20
    while len(list(out.iterdir())) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(p.name for p in out.iterdir()) == ["0", "1", "2", "3"]
