"""Hot reload: local code directories are watched; code and configuration updates start new
instances while in-flight invocations finish on the old ones."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from tests.functions.conftest import invoke_json, make_zip

VERSIONED = """
import os, time
VERSION = {version!r}
def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return {{"version": VERSION, "pid": os.getpid(), "greeting": os.environ.get("GREETING")}}
"""


def _wait_for(lam: Any, name: str, key: str, wanted: Any, timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        result = invoke_json(lam, name, {})[0]
        if result[key] == wanted or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def test_local_directory_is_hot_reloaded(fserver: Any, flam: Any, local_fn: Any) -> None:
    name, directory = local_fn({"app.py": VERSIONED.format(version="one")})
    first = invoke_json(flam, name, {})[0]
    assert first["version"] == "one"
    (directory / "app.py").write_text(VERSIONED.format(version="two"))
    second = _wait_for(flam, name, "version", "two")
    assert second["version"] == "two"
    assert second["pid"] != first["pid"]
    pool = fserver.app.functions.pools[("us-east-1", name)]
    assert all(i.generation == pool.generation for i in [*pool.idle, *pool.busy])


def test_in_flight_invocation_finishes_on_old_code(flam: Any, local_fn: Any) -> None:
    name, directory = local_fn({"app.py": VERSIONED.format(version="old")})
    invoke_json(flam, name, {})
    slow: list[dict[str, Any]] = []
    thread = threading.Thread(target=lambda: slow.append(invoke_json(flam, name, {"sleep": 1.5})[0]))
    thread.start()
    time.sleep(0.3)  # the slow invocation is running on the old instance
    (directory / "app.py").write_text(VERSIONED.format(version="new"))
    fresh = _wait_for(flam, name, "version", "new")
    thread.join(20)
    assert fresh["version"] == "new"
    assert slow[0]["version"] == "old"
    assert slow[0]["pid"] != fresh["pid"]


def test_new_files_and_deleted_files_reload(flam: Any, local_fn: Any) -> None:
    code = "import helper\ndef handler(event, context):\n    return {'value': helper.VALUE}\n"
    name, directory = local_fn({"app.py": code, "helper.py": "VALUE = 1\n"})
    assert invoke_json(flam, name, {})[0] == {"value": 1}
    (directory / "helper.py").unlink()
    (directory / "helper").mkdir()
    (directory / "helper" / "__init__.py").write_text("VALUE = 2\n")
    assert _wait_for(flam, name, "value", 2)["value"] == 2


def test_update_function_code_replaces_instances(flam: Any, create_fn: Any) -> None:
    name = create_fn({"app.py": VERSIONED.format(version="zip1")})
    first = invoke_json(flam, name, {})[0]
    updated = flam.update_function_code(
        FunctionName=name, ZipFile=make_zip({"app.py": VERSIONED.format(version="zip2")})
    )
    assert updated["LastUpdateStatus"] == "Successful"
    second = invoke_json(flam, name, {})[0]
    assert (first["version"], second["version"]) == ("zip1", "zip2")
    assert first["pid"] != second["pid"]


def test_update_configuration_environment_reaches_new_instances(flam: Any, create_fn: Any) -> None:
    name = create_fn(
        {"app.py": VERSIONED.format(version="v")}, Environment={"Variables": {"GREETING": "hello"}}
    )
    assert invoke_json(flam, name, {})[0]["greeting"] == "hello"
    flam.update_function_configuration(FunctionName=name, Environment={"Variables": {"GREETING": "bonjour"}})
    assert invoke_json(flam, name, {})[0]["greeting"] == "bonjour"
    flam.update_function_configuration(FunctionName=name, Environment={"Variables": {}})
    assert invoke_json(flam, name, {})[0]["greeting"] is None


def test_deleted_function_stops_its_instances(fserver: Any, flam: Any, create_fn: Any) -> None:
    name = create_fn({"app.py": VERSIONED.format(version="v")})
    pid = invoke_json(flam, name, {})[0]["pid"]
    flam.delete_function(FunctionName=name)
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
    assert ("us-east-1", name) not in fserver.app.functions.pools


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"  # a zombie is gone
    except OSError:
        return False
