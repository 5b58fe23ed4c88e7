"""`portico serve` as a user runs it: a real process, port 0, restarts, two processes on one store."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.conftest import PgSchema, need_pg

LISTEN_LINE = re.compile(r"Portico listening on (http://[\d.]+:(\d+))")


class ServeProcess:
    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "portico", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.output: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = self.wait_for(LISTEN_LINE).group(1)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.output.append(line)
                self._changed.notify_all()
        with self._changed:
            self.output.append("")  # EOF marker
            self._changed.notify_all()

    def wait_for(self, pattern: re.Pattern[str], timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.output:
                    match = pattern.search(line)
                    if match:
                        return match
                if (self.output and self.output[-1] == "") or time.monotonic() > deadline:
                    raise AssertionError(
                        "portico did not print " + pattern.pattern + ":\n" + "".join(self.output)
                    )
                self._changed.wait(1)

    def client(self, url: str | None = None) -> Any:
        return boto3.client(
            "apigateway",
            endpoint_url=url or self.url,
            region_name="us-east-1",
            aws_access_key_id="k",
            aws_secret_access_key="s",
            config=Config(retries={"max_attempts": 1}),
        )

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(30)
        self._reader.join(10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        return code


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    started: list[ServeProcess] = []

    def start(*args: str, env: dict[str, str] | None = None) -> ServeProcess:
        proc = ServeProcess(*args, env=env)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.proc.poll() is None:
            proc.stop()


def test_state_survives_restart(serve: Any, tmp_path: Path) -> None:
    first = serve("--listen", "127.0.0.1:0", "--data-dir", str(tmp_path))
    api_id = first.client().create_rest_api(name="durable")["id"]
    assert first.stop() == 0
    assert "draining" in "".join(first.output)
    second = serve("--listen", "127.0.0.1:0", "--data-dir", str(tmp_path))
    assert second.client().get_rest_api(restApiId=api_id)["name"] == "durable"
    assert (tmp_path / "portico.db").exists()


def test_environment_variables_configure_the_server(serve: Any, tmp_path: Path) -> None:
    proc = serve(env={"PORTICO_LISTEN": "127.0.0.1:0", "PORTICO_DATA_DIR": str(tmp_path / "env")})
    proc.client().create_rest_api(name="via-env")
    assert (tmp_path / "env" / "portico.db").exists()


def test_admin_listener_separates_the_control_plane(serve: Any, tmp_path: Path) -> None:
    proc = serve("--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--data-dir", str(tmp_path))
    admin_url = proc.wait_for(re.compile(r"Control plane on (http://\S+)")).group(1)
    assert proc.client(admin_url).create_rest_api(name="admin-only")["id"]
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(f"{proc.url}/restapis")
    with exc.value:
        assert exc.value.code == 403
        assert exc.value.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def _two_processes_share_a_store(serve: Any, store_args: list[str]) -> list[ServeProcess]:
    one = serve("--listen", "127.0.0.1:0", *store_args)
    two = serve("--listen", "127.0.0.1:0", *store_args)
    clients = [one.client(), two.client()]

    def create(i: int) -> str:
        return str(clients[i % 2].create_rest_api(name=f"shared-{i}")["id"])

    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(create, range(24)))
    assert len(ids) == 24
    for client in clients:
        seen = {a["id"] for a in client.get_rest_apis(limit=500)["items"]}
        assert ids <= seen
    return [one, two]


def test_two_processes_on_one_sqlite_file(serve: Any, tmp_path: Path) -> None:
    _two_processes_share_a_store(serve, ["--data-dir", str(tmp_path)])


def test_two_processes_on_one_postgresql(serve: Any, tmp_path: Path) -> None:
    need_pg()
    schema = PgSchema()
    url = schema.create()
    procs: list[ServeProcess] = []
    try:
        procs = _two_processes_share_a_store(serve, ["--data-dir", str(tmp_path), "--store", url])
    finally:
        for proc in procs:
            proc.stop()
        schema.drop()


def test_port_in_use_is_a_clear_error(serve: Any, tmp_path: Path) -> None:
    proc = serve("--listen", "127.0.0.1:0", "--data-dir", str(tmp_path / "a"))
    port = proc.url.rsplit(":", 1)[1]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "portico",
            "serve",
            "--listen",
            f"127.0.0.1:{port}",
            "--data-dir",
            str(tmp_path / "b"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "cannot listen on 127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr
