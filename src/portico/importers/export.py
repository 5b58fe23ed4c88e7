"""Deployed stage -> OpenAPI 2.0 (swagger) or 3.0 (oas30) with API Gateway extensions (GetExport).

API Gateway Developer Guide: "Export a REST API from API Gateway" (export types, `extensions`
parameter, JSON/YAML by the Accept header).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import yaml

from portico.importers.export_security import SecurityExport
from portico.importers.openapi_models import MODEL_URL

Doc = dict[str, Any]
X = "x-amazon-apigateway-"
EXPORT_TYPES = ("swagger", "oas30")
EXTENSIONS = ("integrations", "authorizers", "apigateway", "postman")
_LOCATIONS = {"path": "path", "querystring": "query", "header": "header"}
_LOCATIONS |= {"multivaluequerystring": "query", "multivalueheader": "header"}
_VERBS = {"GET": "get", "PUT": "put", "POST": "post", "DELETE": "delete", "OPTIONS": "options"}
_VERBS |= {"HEAD": "head", "PATCH": "patch", "ANY": f"{X}any-method"}


class ExportError(ValueError):
    """Invalid export request (rendered as BadRequestException)."""


def parse_extensions(value: str | None) -> set[str]:
    names = {v.strip() for v in (value or "").split(",") if v.strip()}
    unknown = names - set(EXTENSIONS)
    if unknown:
        raise ExportError(
            f"Invalid extensions specified: {', '.join(sorted(unknown))}; use {', '.join(EXTENSIONS)}"
        )
    if "apigateway" in names:
        names |= {"integrations", "authorizers"}
    return names


def export(
    api_doc: Doc, stage_doc: Doc, snapshot: Doc, export_type: str, extensions: set[str], host: str
) -> Doc:
    """The OpenAPI document of the API as deployed to the stage (`snapshot` = the deployment's copy)."""
    if export_type not in EXPORT_TYPES:
        raise ExportError(f"Invalid export type specified: {export_type}; use swagger or oas30")
    v3 = export_type == "oas30"
    writer = _Writer(snapshot, v3, extensions, str(api_doc["id"]))
    out: Doc = {"openapi": "3.0.1"} if v3 else {"swagger": "2.0"}
    out["info"] = _info(snapshot, api_doc)
    stage = stage_doc.get("stageName", "")
    if v3:
        out["servers"] = [
            {"url": f"http://{host}/{{basePath}}", "variables": {"basePath": {"default": f"/{stage}"}}}
        ]
    else:
        out.update({"host": host, "basePath": f"/{stage}", "schemes": ["http"]})
    out["paths"] = writer.paths()
    schemes, models = writer.security.schemes, writer.models()
    if v3:
        components = {k: v for k, v in (("schemas", models), ("securitySchemes", schemes)) if v}
        if components:
            out["components"] = components
    else:
        if schemes:
            out["securityDefinitions"] = schemes
        if models:
            out["definitions"] = models
    if "apigateway" in extensions:
        out.update(_api_extensions(snapshot, stage_doc, str(api_doc["id"])))
        endpoint = _endpoint_extension(snapshot)
        if endpoint:
            (out["servers"][0] if v3 else out)[f"{X}endpoint-configuration"] = endpoint
    return out


def _endpoint_extension(api: Doc) -> Doc:
    out: Doc = {}
    ids = (api.get("endpointConfiguration") or {}).get("vpcEndpointIds")
    if ids:
        out["vpcEndpointIds"] = ids
    if api.get("disableExecuteApiEndpoint"):
        out["disableExecuteApiEndpoint"] = True
    return out


def _info(snapshot: Doc, api_doc: Doc) -> Doc:
    info: Doc = {}
    if snapshot.get("description"):
        info["description"] = snapshot["description"]
    created = snapshot.get("createdDate") or api_doc.get("createdDate") or 0
    stamp = dt.datetime.fromtimestamp(float(created), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    info["version"] = snapshot.get("version") or stamp
    info["title"] = snapshot.get("name") or api_doc.get("name")
    return info


class _Writer:
    def __init__(self, api: Doc, v3: bool, extensions: set[str], api_id: str) -> None:
        self.api = api
        self.v3 = v3
        self.ext = extensions
        self.api_id = api_id
        self.security = SecurityExport(api, "authorizers" in extensions)
        self.validators = {v["id"]: v["name"] for v in (api.get("_requestValidators") or {}).values()}
        self.ref_prefix = "#/components/schemas/" if v3 else "#/definitions/"

    def paths(self) -> Doc:
        out: Doc = {}
        for res in sorted(self.api["_resources"].values(), key=lambda r: r["path"]):
            methods = res.get("resourceMethods") or {}
            if not methods and res["path"] == "/":
                continue
            item: Doc = {}
            for verb in sorted(methods, key=list(_VERBS).index):
                item[_VERBS[verb]] = self.operation(res, methods[verb])
            out[res["path"]] = item
        return out

    def operation(self, res: Doc, method: Doc) -> Doc:
        op: Doc = {}
        if method.get("operationName"):
            op["operationId"] = method["operationName"]
        models = method.get("requestModels") or {}
        responses = method.get("methodResponses") or {}
        if not self.v3:
            if models:
                op["consumes"] = list(models)
            produces = list(
                dict.fromkeys(ct for r in responses.values() for ct in r.get("responseModels") or {})
            )
            if produces:
                op["produces"] = produces
        params = self._parameters(method)
        if params:
            op["parameters"] = params
        if models and self.v3:
            content = {ct: {"schema": self._ref(name)} for ct, name in models.items()}
            op["requestBody"] = {"content": content, "required": True}
        op["responses"] = {code: self._response(r) for code, r in sorted(responses.items())}
        security = self.security.requirements(method)
        if security:
            op["security"] = security
        validator = self.validators.get(method.get("requestValidatorId") or "")
        if validator and "apigateway" in self.ext:
            op[f"{X}request-validator"] = validator
        integration = method.get("methodIntegration")
        if integration and "integrations" in self.ext:
            op[f"{X}integration"] = integration_extension(integration, res["id"])
        return op

    def _parameters(self, method: Doc) -> list[Doc]:
        out: list[Doc] = []
        for key, required in sorted((method.get("requestParameters") or {}).items()):
            _, _, rest = key.partition("method.request.")
            where, _, name = rest.partition(".")
            if where not in _LOCATIONS:
                continue
            param: Doc = {
                "name": name,
                "in": _LOCATIONS[where],
                "required": bool(required or where == "path"),
            }
            param.update({"schema": {"type": "string"}} if self.v3 else {"type": "string"})
            out.append(param)
        models = method.get("requestModels") or {}
        if models and not self.v3:
            name = next(iter(models.values()))
            out.append({"in": "body", "name": name, "required": True, "schema": self._ref(name)})
        return out

    def _ref(self, name: str) -> Doc:
        return {"$ref": self.ref_prefix + name}

    def _response(self, response: Doc) -> Doc:
        out: Doc = {"description": f"{response['statusCode']} response"}
        headers = [k.split(".", 3)[3] for k in response.get("responseParameters") or {} if k.count(".") >= 3]
        models = response.get("responseModels") or {}
        if self.v3:
            if headers:
                out["headers"] = {h: {"schema": {"type": "string"}} for h in headers}
            if models:
                out["content"] = {ct: {"schema": self._ref(name)} for ct, name in models.items()}
        else:
            if models:
                out["schema"] = self._ref(next(iter(models.values())))
            if headers:
                out["headers"] = {h: {"type": "string"} for h in headers}
        return out

    def models(self) -> Doc:
        prefix = MODEL_URL.format(api_id=self.api_id, name="")
        out: Doc = {}
        for name, model in sorted((self.api.get("_models") or {}).items()):
            try:
                schema = json.loads(model.get("schema") or "{}")
            except ValueError:
                schema = {}
            out[name] = _rewrite_refs(schema, prefix, self.ref_prefix)
        return out


def _rewrite_refs(value: Any, old: str, new: str) -> Any:
    if isinstance(value, dict):
        return {
            k: (
                new + v[len(old) :]
                if k == "$ref" and isinstance(v, str) and v.startswith(old)
                else _rewrite_refs(v, old, new)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rewrite_refs(v, old, new) for v in value]
    return value


def integration_extension(integration: Doc, resource_id: str) -> Doc:
    """An Integration as x-amazon-apigateway-integration (enums lower-case, defaults left out)."""
    out: Doc = {"type": str(integration["type"]).lower()}
    for key in (
        "httpMethod",
        "uri",
        "credentials",
        "requestParameters",
        "requestTemplates",
        "contentHandling",
    ):
        if integration.get(key) not in (None, {}, ""):
            out[key] = integration[key]
    out["passthroughBehavior"] = str(integration.get("passthroughBehavior", "WHEN_NO_MATCH")).lower()
    if integration.get("timeoutInMillis", 29000) != 29000:
        out["timeoutInMillis"] = integration["timeoutInMillis"]
    if integration.get("cacheNamespace") not in (None, resource_id):
        out["cacheNamespace"] = integration["cacheNamespace"]
    for key in ("cacheKeyParameters", "tlsConfig"):
        if integration.get(key):
            out[key] = integration[key]
    if integration.get("connectionType") == "VPC_LINK":
        out["connectionType"] = "VPC_LINK"
        out["connectionId"] = integration.get("connectionId")
    responses = integration.get("integrationResponses") or {}
    if responses:
        out["responses"] = {_pattern(r): _integration_response(r) for _, r in sorted(responses.items())}
    return out


def _pattern(response: Doc) -> str:
    return str(response.get("selectionPattern") or "default")


def _integration_response(response: Doc) -> Doc:
    out: Doc = {"statusCode": response["statusCode"]}
    for key in ("responseParameters", "responseTemplates", "contentHandling"):
        if response.get(key):
            out[key] = response[key]
    return out


def _api_extensions(api: Doc, stage: Doc, api_id: str) -> Doc:
    out: Doc = {}
    if api.get("binaryMediaTypes"):
        out[f"{X}binary-media-types"] = api["binaryMediaTypes"]
    if api.get("minimumCompressionSize") is not None:
        out[f"{X}minimum-compression-size"] = api["minimumCompressionSize"]
    if api.get("apiKeySource", "HEADER") != "HEADER":
        out[f"{X}api-key-source"] = api["apiKeySource"]
    if api.get("policy"):
        out[f"{X}policy"] = _portable_policy(api["policy"], api_id)
    validators = api.get("_requestValidators") or {}
    if validators:
        out[f"{X}request-validators"] = {
            v["name"]: {
                "validateRequestBody": bool(v.get("validateRequestBody")),
                "validateRequestParameters": bool(v.get("validateRequestParameters")),
            }
            for v in validators.values()
        }
    responses = api.get("_gatewayResponses") or {}
    if responses:
        out[f"{X}gateway-responses"] = {
            kind: {k: r[k] for k in ("statusCode", "responseParameters", "responseTemplates") if r.get(k)}
            for kind, r in sorted(responses.items())
        }
    parts = api.get("_documentationParts") or {}
    if parts:
        docs: Doc = {"documentationParts": [_doc_part(p) for p in parts.values()]}
        if stage.get("documentationVersion"):
            docs["version"] = stage["documentationVersion"]
        out[f"{X}documentation"] = docs
    return out


def _portable_policy(policy: str, api_id: str) -> Any:
    try:
        parsed = json.loads(policy)
    except ValueError:
        return policy

    def fix(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("arn:aws:execute-api:") and f":{api_id}/" in value:
            return "execute-api:/" + value.split(f":{api_id}/", 1)[1]
        if isinstance(value, list):
            return [fix(v) for v in value]
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        return value

    return fix(parsed)


def _doc_part(part: Doc) -> Doc:
    try:
        props = json.loads(part.get("properties") or "{}")
    except ValueError:
        props = part.get("properties")
    return {"location": part["location"], "properties": props}


def render(document: Doc, accept: str | None) -> tuple[bytes, str]:
    """(body, content type) for the Accept header: application/json (default) or application/yaml."""
    kind = (accept or "application/json").split(";")[0].strip().lower()
    if kind in ("application/yaml", "application/x-yaml", "text/yaml"):
        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode(), "application/yaml"
    if kind in ("application/json", "*/*", ""):
        return json.dumps(document, indent=2).encode(), "application/json"
    raise ExportError(f"Unsupported Accept type {accept}: use application/json or application/yaml")


def disposition(export_type: str, content_type: str, when: float) -> str:
    stamp = dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ext = "yaml" if content_type == "application/yaml" else "json"
    return f'attachment; filename="{export_type}_{stamp}.{ext}"'
