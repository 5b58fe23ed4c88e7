"""`portico serve FILE` as a user runs it: import + deploy at start-up, restarts, broken files."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
PETSTORE = ROOT / "examples" / "petstore.yaml"
LISTEN = re.compile(r"Portico listening on (http://127\.0\.0\.1:(\d+))")
STAGE_LINE = re.compile(r"REST API (\w+) stage (\w+): (http://\S+)")


class Serve:
    """A `portico serve` subprocess whose stdout+stderr lines are collected as they come."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "portico", "serve", *args, "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PORTICO_LOG_LEVEL": "WARNING"},
        )
        self.lines: list[str] = []
        self.done = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
        self.done.set()

    def wait_for(self, pattern: re.Pattern[str], timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if found := pattern.search(line):
                    return found
            if self.done.is_set():
                break
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern.pattern}:\n" + "\n".join(self.lines))

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(30)
        self.done.wait(10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        return code


def client(url: str) -> Any:
    return boto3.client(
        "apigateway",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def started(data_dir: Path, *files: Path) -> tuple[Serve, str, list[re.Match[str]]]:
    serve = Serve(*map(str, files), "--data-dir", str(data_dir))
    url = serve.wait_for(LISTEN).group(1)
    serve.wait_for(STAGE_LINE)
    stages = [m for line in serve.lines if (m := STAGE_LINE.search(line))]
    return serve, url, stages


def test_serve_imports_deploys_and_prints_the_stage(tmp_path: Path):
    serve, url, stages = started(tmp_path, PETSTORE)
    try:
        port = url.rsplit(":", 1)[1]
        assert [(m.group(1), m.group(2)) for m in stages] == [("petstore", "dev")]
        assert stages[0].group(3) == f"http://petstore.execute-api.localhost:{port}/dev/"
        apigw = client(url)
        apis = apigw.get_rest_apis()["items"]
        assert [(a["id"], a["name"]) for a in apis] == [("petstore", "petstore")]
        assert "warnings" not in apis[0]
        stage = apigw.get_stage(restApiId="petstore", stageName="dev")
        assert stage["deploymentId"]
        paths = {r["path"] for r in apigw.get_resources(restApiId="petstore")["items"]}
        assert paths == {"/", "/pets", "/pets/{petId}", "/greeting", "/health"}
        with urllib.request.urlopen(f"{url}/_aws/execute-api/petstore/dev/pets", timeout=10) as response:
            assert [p["name"] for p in json.load(response)] == ["Rex", "Tom"]
    finally:
        assert serve.stop() == 0
    assert not [line for line in serve.lines if "WARNING" in line]


def test_restart_on_the_same_data_dir_keeps_one_api(tmp_path: Path):
    first, url, _ = started(tmp_path, PETSTORE)
    try:
        apigw = client(url)
        resources = {r["path"]: r["id"] for r in apigw.get_resources(restApiId="petstore")["items"]}
        deployment = apigw.get_stage(restApiId="petstore", stageName="dev")["deploymentId"]
    finally:
        first.stop()
    second, url, stages = started(tmp_path, PETSTORE)
    try:
        apigw = client(url)
        assert [a["id"] for a in apigw.get_rest_apis()["items"]] == ["petstore"]
        assert len(stages) == 1
        again = {r["path"]: r["id"] for r in apigw.get_resources(restApiId="petstore")["items"]}
        assert again == resources  # same ids: re-imported in place
        assert apigw.get_stage(restApiId="petstore", stageName="dev")["deploymentId"] == deployment
        assert len(apigw.get_deployments(restApiId="petstore")["items"]) == 1  # unchanged file: no redeploy
    finally:
        second.stop()


def test_changed_file_is_reimported_and_redeployed(tmp_path: Path):
    source = tmp_path / "api.yaml"
    source.write_text(PETSTORE.read_text().replace("x-portico-id: petstore\n", ""))
    data = tmp_path / "data"
    first, url, stages = started(data, source)
    api_id = stages[0].group(1)
    first.stop()
    source.write_text(source.read_text().replace("  /health:\n", "  /healthz:\n"))
    second, url, stages = started(data, source)
    try:
        assert stages[0].group(1) == api_id  # derived from the file path, stable
        apigw = client(url)
        paths = {r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]}
        assert "/healthz" in paths and "/health" not in paths
        assert len(apigw.get_deployments(restApiId=api_id)["items"]) == 2
    finally:
        second.stop()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("openapi: 3.0.1\ninfo:\n  title: x\npaths:\n  /a: {get: {responses: {}}\n", "line 6"),
        ("openapi: 3.0.1\ninfo: {title: x}\npaths:\n  /a: [1]\n", "line 4"),
        ('{"swagger": "2.0",\n "info": {"title": "x"},\n "paths": {]\n}\n', "line 3"),
    ],
)
def test_broken_file_exits_2_naming_the_line(tmp_path: Path, content: str, fragment: str):
    broken = tmp_path / "broken.yaml"
    broken.write_text(content)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "portico",
            "serve",
            str(broken),
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert str(broken) in result.stderr and fragment in result.stderr, result.stderr


def test_file_without_integrations_cannot_be_deployed(tmp_path: Path):
    source = tmp_path / "noint.yaml"
    source.write_text("openapi: 3.0.1\ninfo: {title: x}\npaths:\n  /a:\n    get:\n      responses: {}\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "portico",
            "serve",
            str(source),
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "No integration defined for method" in result.stderr
