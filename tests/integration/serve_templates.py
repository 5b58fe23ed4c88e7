"""Helpers for the `portico serve TEMPLATE` tests: start, read the printed URLs, call them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from tests.integration.test_serve_file import LISTEN, Serve

STAGE = re.compile(r"REST API (\w+) stage ([\w-]+): http://\S+/  \(or (http://\S+/)\)")


class Served:
    """A running `portico serve FILE...` with its main URL and the printed stage URLs."""

    def __init__(self, data_dir: Path, *args: str, stages: int = 1) -> None:
        self.serve = Serve(*args, "--data-dir", str(data_dir))
        self.url = self.serve.wait_for(LISTEN).group(1)
        deadline = time.monotonic() + 60
        while len(self.stage_lines()) < stages and time.monotonic() < deadline:
            time.sleep(0.05)
        found = self.stage_lines()
        assert len(found) == stages, "\n".join(self.serve.lines)
        self.stages = {(m.group(1), m.group(2)): m.group(3) for m in found}

    def stage_lines(self) -> list[re.Match[str]]:
        return [m for line in list(self.serve.lines) if (m := STAGE.search(line))]

    def base(self, stage: str) -> str:
        [url] = [url for (_, name), url in self.stages.items() if name == stage]
        return url

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}),
        )

    def warnings(self) -> list[str]:
        return [line for line in self.serve.lines if " WARNING " in line]

    def stop(self) -> None:
        assert self.serve.stop() == 0, "\n".join(self.serve.lines)


def call(url: str, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    """(status, JSON body or text) of one request."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode()


def eventually(url: str, accept: Callable[[Any], bool], timeout: float = 20) -> Any:
    """Calls `url` until its JSON body is accepted (hot reload takes a watcher tick or two)."""
    deadline = time.monotonic() + timeout
    while True:
        status, body = call(url)
        if status == 200 and accept(body):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} still answers {status} {body!r}")
        time.sleep(0.2)


def serve_fails(data_dir: Path, file: Path) -> subprocess.CompletedProcess[str]:
    """`portico serve FILE` that is expected to exit at start-up."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "portico",
            "serve",
            str(file),
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            str(data_dir),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
