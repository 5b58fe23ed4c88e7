"""Model operations (API Gateway REST API reference: CreateModel ... DeleteModel, GetModelTemplate).

Models are JSON Schema draft 4 documents (`jsonschema.Draft4Validator`); one model refers to another
with the URL `https://apigateway.amazonaws.com/restapis/{restapi_id}/models/{model_name}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import SchemaError

from portico.controlplane.apidoc import Doc, load_api, new_unique_id, paginate, public, save_api
from portico.controlplane.errors import BadRequestException, ConflictException, NotFoundException
from portico.controlplane.model_templates import (
    flatten,
    mapping_template,
    model_url,
    parse_model_ref,
    refs_in,
)
from portico.controlplane.registry import APIGATEWAY, OpContext, Params
from portico.controlplane.validators import methods_of

MAX_SCHEMA_BYTES = 400 * 1024
DEFAULT_CONTENT_TYPE = "application/json"
_NAME = re.compile(r"^[A-Za-z0-9]+$")
_PATHS = ("/description", "/schema")

EMPTY_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "Empty Schema",
    "type": "object",
}
ERROR_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "Error Schema",
    "type": "object",
    "properties": {"message": {"type": "string"}},
}


def default_models(new_id: Callable[[int], str]) -> dict[str, Doc]:
    """The `Empty` and `Error` models API Gateway adds to every REST API created with CreateRestApi."""
    made = {}
    for name, schema, what in (("Empty", EMPTY_SCHEMA, "empty"), ("Error", ERROR_SCHEMA, "error")):
        made[name] = {
            "id": new_id(6),
            "name": name,
            "description": f"This is a default {what} schema model",
            "schema": json.dumps(schema, indent=2),
            "contentType": DEFAULT_CONTENT_TYPE,
        }
    return made


def invalid_model(error: str) -> BadRequestException:
    return BadRequestException(
        f"Invalid model specified: Validation Result: warnings : [], errors : [{error}]"
    )


def parse_schema(text: str) -> Any:
    """The parsed schema of a model, or AWS's error for an invalid draft-04 schema."""
    if len(text.encode()) > MAX_SCHEMA_BYTES:
        raise BadRequestException("Model schema exceeds the maximum size of 400 KB")
    try:
        schema = json.loads(text)
    except ValueError:
        raise invalid_model("Invalid model schema specified") from None
    if not isinstance(schema, dict):
        raise invalid_model("Invalid model schema specified")
    try:
        Draft4Validator.check_schema(schema)
    except SchemaError as exc:
        raise invalid_model(f"Invalid model schema specified. {exc.message}") from None
    return schema


def check_refs(schema: Any, api_id: str, models: dict[str, Doc]) -> None:
    """Every `$ref` is local (`#...`) or names an existing model of this API in canonical form."""
    for ref in refs_in(schema):
        if ref.startswith("#"):
            continue
        target = parse_model_ref(ref)
        if target is None or target[0] != api_id:
            raise invalid_model("Model reference must be in canonical form")
        if target[1] not in models:
            raise invalid_model(f"Invalid model identifier specified: {target[1]}")


def _resolver(api: Doc) -> Callable[[str], Any]:
    def resolve(name: str) -> Any:
        model = api["_models"].get(name)
        if model is None or not model.get("schema"):
            return None
        try:
            return json.loads(model["schema"])
        except ValueError:
            return None

    return resolve


def _check(api: Doc, schema_text: str | None) -> None:
    if not schema_text:
        raise BadRequestException("Model schema must have at least 1 property or array items defined")
    check_refs(parse_schema(schema_text), api["id"], api["_models"])


def _find(api: Doc, name: str) -> Doc:
    found = api.setdefault("_models", {}).get(name)
    if found is None:
        raise NotFoundException(f"Invalid model name specified: {name}")
    return found


@APIGATEWAY.op("CreateModel", write=True)
async def create_model(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    models = api.setdefault("_models", {})
    name = params["name"]
    if not name:
        raise BadRequestException("Model name must be non-empty")
    if not _NAME.match(name):
        raise BadRequestException(f"Invalid model name specified: {name}. Model names must be alphanumeric")
    if name in models:
        raise ConflictException("Model name already exists for this REST API")
    _check(api, params.get("schema"))
    model: Doc = {
        "id": new_unique_id(ctx, {m["id"] for m in models.values()}),
        "name": name,
        "schema": params["schema"],
        "contentType": params.get("contentType") or DEFAULT_CONTENT_TYPE,
    }
    if params.get("description"):
        model["description"] = params["description"]
    models[name] = model
    await save_api(ctx, api)
    return model


@APIGATEWAY.op("GetModel", write=False)
async def get_model(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    model = public(_find(api, params["modelName"]))
    if params.get("flatten") and model.get("schema"):
        try:
            schema = json.loads(model["schema"])
        except ValueError:
            return model
        flat = flatten(schema, _resolver(api))
        if flat != schema:
            model["schema"] = json.dumps(flat, indent=2)
    return model


@APIGATEWAY.op("GetModels", write=False)
async def get_models(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    items = list(api.setdefault("_models", {}).values())
    return paginate(items, params.get("position"), params.get("limit"))


@APIGATEWAY.op("UpdateModel", write=True)
async def update_model(ctx: OpContext, params: Params) -> Doc:
    """Only `replace` of /description and /schema is supported."""
    api = await load_api(ctx, params["restApiId"])
    model = dict(_find(api, params["modelName"]))
    for operation in params.get("patchOperations") or []:
        op, path, value = operation.get("op"), operation.get("path") or "", operation.get("value")
        if op != "replace":
            raise BadRequestException(
                f"Invalid patch path  '{path}' specified for op '{op}'. Please choose supported operations"
            )
        if path not in _PATHS:
            raise BadRequestException(
                f"Invalid patch path  '{path}' specified for op 'replace'. Must be one of: [{', '.join(_PATHS)}]"
            )
        if path == "/schema":
            _check(api, value)
            model["schema"] = value
        elif value:
            model["description"] = value
        else:
            model.pop("description", None)
    api["_models"][model["name"]] = model
    await save_api(ctx, api)
    return model


def _usage(api: Doc, name: str) -> str | None:
    """Where a model is used: a method request or response, or another model's `$ref`."""
    for path, http_method, meth in methods_of(api):
        if name in (meth.get("requestModels") or {}).values():
            return f"method request: {path}/{http_method}"
        for code, response in (meth.get("methodResponses") or {}).items():
            if name in ((response or {}).get("responseModels") or {}).values():
                return f"method response: {path}/{http_method}/{code}"
    url = model_url(api["id"], name)
    resolve = _resolver(api)
    for other in api["_models"].values():
        if other["name"] != name and url in refs_in(resolve(other["name"])):
            return f"model: {other['name']}"
    return None


@APIGATEWAY.op("DeleteModel", write=True)
async def delete_model(ctx: OpContext, params: Params) -> None:
    api = await load_api(ctx, params["restApiId"])
    name = _find(api, params["modelName"])["name"]
    usage = _usage(api, name)
    if usage is not None:
        raise ConflictException(f"Cannot delete model '{name}', is referenced in {usage}")
    del api["_models"][name]
    await save_api(ctx, api)
    return None


@APIGATEWAY.op("GetModelTemplate", write=False)
async def get_model_template(ctx: OpContext, params: Params) -> Doc:
    api = await load_api(ctx, params["restApiId"])
    model = _find(api, params["modelName"])
    resolve = _resolver(api)
    schema = resolve(model["name"])
    if schema is None:
        raise BadRequestException(f"Model {model['name']} has no JSON schema to generate a template from")
    return {"value": mapping_template(schema, resolve)}
