"""Fixtures for function-host tests: a SQLite-backed Portico per module (`fserver`; the runtime
behaviour does not depend on the store), a Lambda client, and helpers that create functions from
handler files written into temporary directories."""

from __future__ import annotations

import contextlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunningServer, start_server

ROLE = "arn:aws:iam::123456789012:role/lambda-role"


def make_zip(files: dict[str, str], modes: dict[str, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = ((modes or {}).get(name, 0o644) | 0o100000) << 16
            archive.writestr(info, text)
    return buffer.getvalue()


def invoke_json(lam: Any, name: str, event: Any = None, **kw: Any) -> tuple[Any, dict[str, Any]]:
    """(decoded payload, raw response) of a RequestResponse invocation."""
    payload = json.dumps(event if event is not None else {})
    response = lam.invoke(FunctionName=name, Payload=payload, **kw)
    return json.loads(response["Payload"].read() or b"null"), response


@pytest.fixture(scope="module")
def fserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    srv = start_server(tmp_path_factory.mktemp("portico-fn"))
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def flam(fserver: RunningServer) -> Any:
    return fserver.client("lambda")


Creator = Callable[..., str]


@pytest.fixture
def create_fn(flam: Any) -> Iterator[Creator]:
    """create_fn(files, runtime=..., handler=..., **CreateFunction params) -> function name."""
    created: list[str] = []

    def create(
        files: dict[str, str],
        *,
        runtime: str = "python3.11",
        handler: str = "app.handler",
        modes: dict[str, int] | None = None,
        **params: Any,
    ) -> str:
        name = params.pop("FunctionName", None) or f"fn-{uuid.uuid4().hex[:10]}"
        flam.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=ROLE,
            Handler=handler,
            Code={"ZipFile": make_zip(files, modes)},
            **params,
        )
        created.append(name)
        return name

    yield create
    for name in created:
        with contextlib.suppress(flam.exceptions.ResourceNotFoundException):
            flam.delete_function(FunctionName=name)


@pytest.fixture
def local_fn(flam: Any, tmp_path: Path) -> Iterator[Callable[..., tuple[str, Path]]]:
    """local_fn(files, ...) -> (name, directory): a function whose code is a local directory."""
    created: list[str] = []

    def create(
        files: dict[str, str], *, runtime: str = "python3.11", handler: str = "app.handler", **params: Any
    ) -> tuple[str, Path]:
        name = f"local-{uuid.uuid4().hex[:10]}"
        directory = tmp_path / name
        directory.mkdir()
        for rel, text in files.items():
            (directory / rel).write_text(text)
        flam.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=ROLE,
            Handler=handler,
            Code={"S3Bucket": "portico-local", "S3Key": str(directory)},
            **params,
        )
        created.append(name)
        return name, directory

    yield create
    for name in created:
        with contextlib.suppress(flam.exceptions.ResourceNotFoundException):
            flam.delete_function(FunctionName=name)
