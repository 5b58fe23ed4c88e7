"""portico.yaml, Portico's own project file: functions whose code is a local directory, and OpenAPI
files deployed to stages. Its words mean what CreateFunction (AWS Lambda API Reference) and
ImportRestApi + CreateDeployment (API Gateway REST API Reference) mean by them.

    functions:
      hello: {runtime: python3.12, handler: app.handler, code: ./functions/hello,
              timeout: 10, memory: 256, environment: {GREETING: Hello}, concurrency: 5}
    apis:
      - openapi: ./openapi.yaml   # integration URIs may say ${hello.Arn}, ${AWS::Region}, ${AWS::AccountId}
        stage: dev
        variables: {self: "${Portico::Host}"}   # HOST:PORT that Portico listens on
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from portico.controlplane.lambda_code import LOCAL_BUCKET
from portico.functions.config import function_arn
from portico.importers.cfn_yaml import Source
from portico.importers.diagnostics import DefinitionError
from portico.importers.diagnostics import Path as ItemPath
from portico.importers.errors import ImportFailed
from portico.importers.openapi import Document, parse
from portico.importers.stack import ApiSpec, FunctionSpec, Stack, StageSpec
from portico.settings import Settings

TOP_KEYS: dict[str, type] = {"functions": dict, "apis": list}
FUNCTION_KEYS: dict[str, type] = {
    "runtime": str,
    "handler": str,
    "code": str,
    "timeout": int,
    "memory": int,
    "environment": dict,
    "concurrency": int,
    "description": str,
}
REQUIRED_FUNCTION_KEYS = ("runtime", "handler", "code")
API_KEYS: dict[str, type] = {"openapi": str, "stage": str, "variables": dict}
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PLACEHOLDER = re.compile(r"\$\{(?:([A-Za-z0-9_-]+)\.Arn|AWS::(Region|AccountId))\}")
HOST_PLACEHOLDER = "${Portico::Host}"
ROLE = "arn:aws:iam::{account}:role/portico-local"


def is_portico_yaml(data: Any) -> bool:
    return (
        isinstance(data, dict) and bool(set(data) & set(TOP_KEYS)) and not {"openapi", "swagger"} & set(data)
    )


class _Reader:
    def __init__(self, data: Any, source: Source, settings: Settings) -> None:
        self.data = data
        self.source = source
        self.settings = settings
        self.base = Path(source.name).resolve().parent

    def fail(self, path: ItemPath, message: str) -> ImportFailed:
        return ImportFailed(f"{self.source.where(path)}: {message}")

    def mapping(self, value: Any, path: ItemPath, keys: dict[str, type], what: str) -> dict[str, Any]:
        """A mapping with only `keys`, each of the declared type (strict: an unknown key is an error)."""
        if not isinstance(value, dict):
            raise self.fail(path, f"{what} must be a mapping")
        for key, item in value.items():
            if key not in keys:
                expected = ", ".join(sorted(keys))
                raise self.fail((*path, key), f"unknown key '{key}' in {what} (expected one of: {expected})")
            self.check_type(item, keys[key], (*path, key), f"{what}.{key}")
        return value

    def check_type(self, value: Any, kind: type, path: ItemPath, what: str) -> None:
        valid = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not valid:
            names = {str: "a string", int: "an integer", dict: "a mapping", list: "a list"}
            raise self.fail(path, f"{what} must be {names[kind]}")

    # -- the file ----------------------------------------------------------------------------

    def stack(self) -> Stack:
        top = self.mapping(self.data, (), TOP_KEYS, "portico.yaml")
        stack = Stack()
        names = list((top.get("functions") or {}).keys())
        for name, spec in (top.get("functions") or {}).items():
            stack.functions.append(self.function(str(name), spec))
        for i, spec in enumerate(top.get("apis") or []):
            stack.apis.append(self.api(i, spec, names))
        return stack

    def function(self, name: str, spec: Any) -> FunctionSpec:
        path = ("functions", name)
        if not _FUNCTION_NAME.match(name):
            raise self.fail(path, f"function name '{name}' must be 1 to 64 letters, digits, - or _")
        spec = self.mapping(spec, path, FUNCTION_KEYS, f"functions.{name}")
        for key in REQUIRED_FUNCTION_KEYS:
            if key not in spec:
                raise self.fail(path, f"functions.{name}: '{key}' is required")
        params: dict[str, Any] = {
            "FunctionName": name,
            "Runtime": spec["runtime"],
            "Handler": spec["handler"],
            "Role": ROLE.format(account=self.settings.account_id),
            "Code": self.code(spec["code"], (*path, "code")),
        }
        if "timeout" in spec:
            params["Timeout"] = spec["timeout"]
        if "memory" in spec:
            params["MemorySize"] = spec["memory"]
        if "description" in spec:
            params["Description"] = spec["description"]
        if "environment" in spec:
            params["Environment"] = {"Variables": self.strings(spec["environment"], (*path, "environment"))}
        return FunctionSpec(name, params, spec.get("concurrency"), self.source.where(path))

    def code(self, location: str, path: ItemPath) -> dict[str, Any]:
        target = (self.base / location).resolve()
        if target.is_file() and target.suffix == ".zip":
            return {"ZipFile": target.read_bytes()}
        if not target.is_dir():
            raise self.fail(path, f"code directory {location} not found ({target})")
        return {"S3Bucket": LOCAL_BUCKET, "S3Key": str(target)}

    def strings(self, values: dict[str, Any], path: ItemPath) -> dict[str, str]:
        out = {}
        for key, value in values.items():
            if isinstance(value, dict | list) or value is None:
                raise self.fail((*path, key), f"{key} must be a string, a number or a boolean")
            out[str(key)] = str(value).lower() if isinstance(value, bool) else str(value)
        return out

    def api(self, index: int, spec: Any, functions: list[str]) -> ApiSpec:
        path = ("apis", index)
        spec = self.mapping(spec, path, API_KEYS, f"apis[{index}]")
        if "openapi" not in spec:
            raise self.fail(path, f"apis[{index}]: 'openapi' is required")
        file = (self.base / spec["openapi"]).resolve()
        document = self.definition(file, functions)
        from portico.importers.startup import stable_api_id

        api_id = stable_api_id(document, str(file))
        variables = self.strings(spec.get("variables") or {}, (*path, "variables"))
        variables = {k: v.replace(HOST_PLACEHOLDER, self.own_host()) for k, v in variables.items()}
        where = self.source.where(path)
        stage = StageSpec(spec.get("stage") or self.settings.stage, variables, where=where)
        return ApiSpec(api_id, document, str(file), where, stages=[stage], description="portico serve")

    def definition(self, file: Path, functions: list[str]) -> Document:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImportFailed(f"{file}: cannot read the file: {exc}") from None
        text = self.substitute(text, file, functions)
        try:
            return parse(text.encode())
        except DefinitionError as exc:
            raise ImportFailed(f"{file}{f':{exc.line}' if exc.line else ''}: {exc.message}") from None

    def substitute(self, text: str, file: Path, functions: list[str]) -> str:
        """`${NAME.Arn}` (a function of this file), `${AWS::Region}`, `${AWS::AccountId}`."""

        def value(match: re.Match[str]) -> str:
            name, pseudo = match.group(1), match.group(2)
            if pseudo:
                return self.settings.default_region if pseudo == "Region" else self.settings.account_id
            if name not in functions:
                line = text.count("\n", 0, match.start()) + 1
                raise ImportFailed(
                    f"{file}:{line}: {match.group(0)}: no function {name} in {self.source.name}"
                )
            return function_arn(self.settings.default_region, self.settings.account_id, name)

        return _PLACEHOLDER.sub(value, text)

    def own_host(self) -> str:
        host, port = self.settings.listen_addr
        if host in ("0.0.0.0", "", "*"):
            host = "127.0.0.1"
        elif ":" in host:
            host = "localhost"  # stage variable values cannot hold "[" and "]"
        return f"{host}:{port}"


def plan(data: Any, source: Source, settings: Settings) -> Stack:
    return _Reader(data, source, settings).stack()
