"""Parse an OpenAPI 2.0 / 3.0 definition (JSON or YAML) as ImportRestApi's body, with line numbers.

API Gateway Developer Guide: "Develop REST APIs using OpenAPI in API Gateway" (accepted inputs).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from portico.importers.diagnostics import DefinitionError, Path

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
ANY_METHOD = "x-amazon-apigateway-any-method"


@dataclass
class Document:
    """A parsed definition: plain JSON-like data plus the source text for line lookups."""

    data: dict[str, Any]
    text: str
    version: str
    _tree: Any = field(default=None, repr=False)

    @property
    def is_v3(self) -> bool:
        return self.version.startswith("3")

    def line_of(self, path: Path) -> int | None:
        """1-based line of the item at `path` (keys and indexes), or of its closest parent."""
        if self._tree is None:
            self._tree = compose_tree(self.text, _Loader)
        return line_in(self._tree, path)

    def resolve(self, ref: Any) -> tuple[Any, Path] | None:
        """A local `$ref` ("#/definitions/Pet") -> (target, its path); None when it does not resolve."""
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return None
        path = tuple(p.replace("~1", "/").replace("~0", "~") for p in ref[2:].split("/"))
        target: Any = self.data
        for part in path:
            if not isinstance(target, dict) or part not in target:
                return None
            target = target[part]
        return target, path


def compose_tree(text: str, loader: Any) -> Any:
    """The YAML node tree of `text` (lines of items), or False when it does not compose."""
    try:
        return yaml.compose(text, Loader=loader) or False
    except yaml.YAMLError:
        return False


def line_in(tree: Any, path: Path, exact: int = 0) -> int | None:
    """1-based line of the item at `path` in a composed `tree`, or of its closest parent; None when
    the tree is missing or the first `exact` parts of the path are not in it."""
    if not tree:
        return None
    node, line = tree, tree.start_mark.line + 1
    for depth, part in enumerate(path):
        node, at = _child(node, part)
        if node is None:
            return None if depth < exact else line
        line = at
    return line


def _child(node: Any, part: Any) -> tuple[Any, int]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value, key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item = node.value[part]
        return item, item.start_mark.line + 1
    return None, 0


def parse(body: bytes) -> Document:
    """Decode `body` (JSON or YAML) and check that it is an OpenAPI 2.0 or 3.0 definition."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DefinitionError(
            f"Invalid OpenAPI input: the definition is not UTF-8 text ({exc.reason})"
        ) from None
    if not text.strip():
        raise DefinitionError("Invalid OpenAPI input: the definition is empty")
    data = _decode(text)
    if not isinstance(data, dict):
        raise DefinitionError("Invalid OpenAPI input: the definition must be a JSON or YAML object", 1)
    doc = Document(data, text, _version(data))
    _check_structure(doc)
    return doc


def _decode(text: str) -> Any:
    if text.lstrip().startswith("{"):
        try:
            return string_keys(json.loads(text))
        except json.JSONDecodeError as exc:
            json_error = exc
        try:
            return string_keys(yaml.load(text, Loader=_Loader))
        except yaml.YAMLError:
            raise DefinitionError(
                f"Unable to parse the API definition: invalid JSON at line {json_error.lineno}, "
                f"column {json_error.colno}: {json_error.msg}",
                json_error.lineno,
            ) from None
    try:
        return string_keys(yaml.load(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        where = f" at line {line}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        raise DefinitionError(
            f"Unable to parse the API definition: invalid YAML{where}: {problem}", line
        ) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"Unable to parse the API definition: invalid YAML: {exc}") from None


def string_keys(value: Any) -> Any:
    """YAML 1.1 turns `200:` into an int key and `2020-01-01` into a date; OpenAPI and CloudFormation mean strings."""
    if isinstance(value, dict):
        return {_key(k): string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [string_keys(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return string_keys(key) if isinstance(key, dt.date) else str(key)


def _version(data: dict[str, Any]) -> str:
    swagger, openapi = data.get("swagger"), data.get("openapi")
    if swagger is not None:
        if str(swagger) != "2.0":
            raise DefinitionError(
                f"Invalid OpenAPI input: unsupported swagger version {swagger!r}; expected '2.0'"
            )
        return "2.0"
    if openapi is not None:
        if not str(openapi).startswith("3."):
            raise DefinitionError(
                f"Invalid OpenAPI input: unsupported openapi version {openapi!r}; expected 3.0.x"
            )
        return str(openapi)
    raise DefinitionError(
        "Invalid OpenAPI input: the definition has neither a 'swagger' nor an 'openapi' field"
    )


def _check_structure(doc: Document) -> None:
    data = doc.data
    for key in ("info", "paths", "definitions", "components", "securityDefinitions"):
        if key in data and not isinstance(data[key], dict):
            raise DefinitionError(f"Invalid OpenAPI input: '{key}' must be an object", doc.line_of((key,)))
    for path, item in (data.get("paths") or {}).items():
        if not isinstance(item, dict):
            raise DefinitionError(
                f"Invalid OpenAPI input: path item '{path}' must be an object", doc.line_of(("paths", path))
            )
        if not str(path).startswith("/"):
            raise DefinitionError(
                f"Invalid OpenAPI input: path '{path}' must start with '/'", doc.line_of(("paths", path))
            )
        for method in (*METHODS, ANY_METHOD):
            if method in item and not isinstance(item[method], dict):
                raise DefinitionError(
                    f"Invalid OpenAPI input: operation {method} of path '{path}' must be an object",
                    doc.line_of(("paths", path, method)),
                )
