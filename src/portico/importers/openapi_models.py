"""OpenAPI schemas -> API Gateway Models (Developer Guide: "Data models for REST APIs", import)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from portico.importers.diagnostics import Path, Warnings, attribute
from portico.importers.openapi_load import Document

Doc = dict[str, Any]
MODEL_URL = "https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def model_url(api_id: str, name: str) -> str:
    return MODEL_URL.format(api_id=api_id, name=name)


class Models:
    """Builds `_models` (by name) from definitions/components.schemas and inline schemas."""

    def __init__(self, doc: Document, api_id: str, new_id: Callable[[int], str], warnings: Warnings) -> None:
        self.doc = doc
        self.api_id = api_id
        self.new_id = new_id
        self.warnings = warnings
        self.by_name: dict[str, Doc] = {}
        self.names: dict[str, str] = {}  # definition name -> model name
        self.prefix = "#/components/schemas/" if doc.is_v3 else "#/definitions/"
        self.section: Path = ("components", "schemas") if doc.is_v3 else ("definitions",)

    def load(self) -> None:
        schemas = _get(self.doc.data, self.section)
        if not isinstance(schemas, dict):
            return
        for name in schemas:
            model_name = self._unique(_NOT_ALNUM.sub("", name) or "Model")
            if model_name != name:
                self.warnings.add(
                    f"Model name '{name}' is not alphanumeric; it was imported as '{model_name}'",
                    (*self.section, name),
                )
            self.names[name] = model_name
        for name, schema in schemas.items():
            path = (*self.section, name)
            if not isinstance(schema, dict):
                self.warnings.add(f"Unable to create model '{name}': the schema must be an object", path)
                continue
            self._add(self.names[name], schema, path, schema.get("description"))

    def _unique(self, base: str) -> str:
        taken = set(self.names.values()) | set(self.by_name)
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}{n}"
        return name

    def _add(self, name: str, schema: Doc, path: Path, description: Any = None) -> None:
        body = self._rewrite(schema, path)
        model: Doc = {
            "id": self.new_id(6),
            "name": name,
            "schema": json.dumps(body, indent=2),
            "contentType": "application/json",
        }
        if isinstance(description, str) and description:
            model["description"] = description
        self.by_name[name] = model

    def _rewrite(self, value: Any, path: Path) -> Any:
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if key == "$ref" and isinstance(item, str):
                    out[key] = self._ref_url(item, (*path, key))
                else:
                    out[key] = self._rewrite(item, (*path, key))
            return out
        if isinstance(value, list):
            return [self._rewrite(v, (*path, i)) for i, v in enumerate(value)]
        return value

    def _ref_url(self, ref: str, path: Path) -> str:
        name = self.ref_name(ref, path)
        return model_url(self.api_id, name) if name else ref

    def ref_name(self, ref: str, path: Path) -> str | None:
        """The model a `$ref` designates; a warning (AWS: "Parse issue") when it does not exist."""
        if ref.startswith(self.prefix):
            key = ref[len(self.prefix) :].replace("~1", "/").replace("~0", "~")
            if key in self.names:
                return self.names[key]
        self.warnings.add(f"Parse issue: attribute {attribute(path)}.{ref} is missing", path)
        return None

    def model_for(self, schema: Any, suggestion: str, path: Path) -> str | None:
        """Model name for a request/response schema: the referenced model, or a new one for inline."""
        if not isinstance(schema, dict):
            self.warnings.add(f"Parse issue: attribute {attribute(path)} must be a schema object", path)
            return None
        if set(schema) == {"$ref"}:
            return self.ref_name(str(schema["$ref"]), path)
        name = self._unique(_NOT_ALNUM.sub("", suggestion) or "Model")
        self.names[f"\0inline:{name}"] = name
        self._add(name, schema, path)
        return name


def _get(data: Doc, path: Path) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def suggest_name(path: str, method: str, suffix: str) -> str:
    """`/pets/{id}`, GET, '200Response' -> 'PetsIdGet200Response' (inline schemas get a model)."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", path) if w]
    return "".join(w[:1].upper() + w[1:] for w in [*words, method.lower(), suffix])
