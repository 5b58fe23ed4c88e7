"""API-level x-amazon-apigateway-* extensions -> RestApi members, validators, gateway responses, docs.

API Gateway Developer Guide: "OpenAPI extensions for API Gateway" (api-key-source, binary-media-types,
endpoint-configuration, minimum-compression-size, policy, request-validators, gateway-responses,
documentation, importexport-version, tag-value; cors and integrations are HTTP API only).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from portico.controlplane.documentation import check_properties, normalise_location
from portico.controlplane.errors import BadRequestException
from portico.controlplane.spec import service_model
from portico.importers.diagnostics import Path, Warnings

Doc = dict[str, Any]
X = "x-amazon-apigateway-"
_MODEL = service_model("apigateway")
GATEWAY_RESPONSE_TYPES = tuple(_MODEL.shape_for("GatewayResponseType").enum)
API_LEVEL = {
    f"{X}api-key-source",
    f"{X}binary-media-types",
    f"{X}minimum-compression-size",
    f"{X}policy",
    f"{X}endpoint-configuration",
    f"{X}request-validators",
    f"{X}request-validator",
    f"{X}gateway-responses",
    f"{X}documentation",
    f"{X}importexport-version",
}
HTTP_API_ONLY = {f"{X}cors", f"{X}integrations"}


def check_top_level(data: Doc, warnings: Warnings) -> None:
    for key in data:
        if not str(key).startswith(X) or key in API_LEVEL:
            continue
        if key in HTTP_API_ONLY:
            warnings.unsupported(key, (key,), "supported only for HTTP APIs")
        else:
            warnings.unsupported(key, (key,), "not an API-level extension of REST APIs")
    components = data.get("components")
    if isinstance(components, dict) and f"{X}integrations" in components:
        warnings.add(
            f"{X}integrations is supported only for HTTP APIs; $refs to it from {X}integration are resolved",
            ("components", f"{X}integrations"),
        )
    version = data.get(f"{X}importexport-version")
    if version is not None and str(version) != "1.0":
        warnings.add(f"Unsupported {X}importexport-version {version!r}; only 1.0 is supported")


def api_members(data: Doc, region: str, account_id: str, api_id: str, warnings: Warnings) -> Doc:
    """RestApi members from info and the API-level extensions."""
    info = data.get("info") or {}
    out: Doc = {}
    if info.get("title") is not None:
        out["name"] = str(info["title"])
    for key in ("description", "version"):
        if info.get(key) is not None:
            out[key] = str(info[key])
    _binary(data, out, warnings)
    _compression(data, out, warnings)
    _key_source(data, out, warnings)
    policy = data.get(f"{X}policy")
    if policy is not None:
        out["policy"] = policy_string(policy, region, account_id, api_id)
    _endpoint(data, out, warnings)
    tags = _tags(data.get("tags"))
    if tags:
        out["tags"] = tags
    return out


def _binary(data: Doc, out: Doc, warnings: Warnings) -> None:
    key = f"{X}binary-media-types"
    value = data.get(key)
    if value is None:
        return
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        out["binaryMediaTypes"] = list(dict.fromkeys(value))
    else:
        warnings.add(f"Parse issue: {key} must be a list of media types; ignored", (key,))


def _compression(data: Doc, out: Doc, warnings: Warnings) -> None:
    key = f"{X}minimum-compression-size"
    value = data.get(key)
    if value is None:
        return
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10485760:
        out["minimumCompressionSize"] = value
    else:
        warnings.add(f"Invalid {key} {value!r} ignored: must be an integer between 0 and 10485760", (key,))


def _key_source(data: Doc, out: Doc, warnings: Warnings) -> None:
    key = f"{X}api-key-source"
    value = data.get(key)
    if value is None:
        return
    if str(value).upper() in ("HEADER", "AUTHORIZER"):
        out["apiKeySource"] = str(value).upper()
    else:
        warnings.add(f"Invalid {key} {value!r} ignored; expected HEADER or AUTHORIZER", (key,))


def policy_string(policy: Any, region: str, account_id: str, api_id: str) -> str:
    """The resource policy as stored; "execute-api:/..." resources become this API's ARNs."""
    prefix = f"arn:aws:execute-api:{region}:{account_id}:{api_id}/"

    def fix(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("execute-api:/"):
            return prefix + value[len("execute-api:/") :]
        if isinstance(value, list):
            return [fix(v) for v in value]
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        return value

    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return policy
    return json.dumps(fix(policy))


def _endpoint(data: Doc, out: Doc, warnings: Warnings) -> None:
    key = f"{X}endpoint-configuration"
    found: list[tuple[Any, Path]] = []
    if key in data:
        found.append((data[key], (key,)))
    for i, server in enumerate(data.get("servers") or []):
        if isinstance(server, dict) and key in server:
            found.append((server[key], ("servers", i, key)))
    for value, path in found:
        if not isinstance(value, dict):
            warnings.add(f"Parse issue: {key} must be an object", path)
            continue
        for member, item in value.items():
            if member == "vpcEndpointIds" and isinstance(item, list):
                out["endpointConfiguration"] = {"vpcEndpointIds": [str(v) for v in item]}
            elif member == "disableExecuteApiEndpoint" and isinstance(item, bool):
                out["disableExecuteApiEndpoint"] = item
            else:
                warnings.add(f"Unsupported property {member} of {key} ignored", (*path, member))


def _tags(tags: Any) -> dict[str, str]:
    out = {}
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, dict) and f"{X}tag-value" in tag and tag.get("name"):
            out[str(tag["name"])] = str(tag[f"{X}tag-value"] or "")
    return out


def request_validators(data: Doc, new_id: Callable[[int], str], warnings: Warnings) -> dict[str, Doc]:
    """Validators by name (ids assigned); x-amazon-apigateway-request-validators."""
    key = f"{X}request-validators"
    raw = data.get(key)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        warnings.add(f"Parse issue: {key} must be an object", (key,))
        return {}
    out = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict):
            warnings.add(f"Unable to create request validator '{name}': must be an object", (key, name))
            continue
        out[str(name)] = {
            "id": new_id(6),
            "name": str(name),
            "validateRequestBody": bool(spec.get("validateRequestBody", False)),
            "validateRequestParameters": bool(spec.get("validateRequestParameters", False)),
        }
        for extra in set(spec) - {"validateRequestBody", "validateRequestParameters"}:
            warnings.add(
                f"Unsupported property {extra} of request validator '{name}' ignored", (key, name, extra)
            )
    return out


def gateway_responses(data: Doc, warnings: Warnings) -> dict[str, Doc]:
    key = f"{X}gateway-responses"
    raw = data.get(key)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        warnings.add(f"Parse issue: {key} must be an object", (key,))
        return {}
    out = {}
    for kind, spec in raw.items():
        at = (key, kind)
        if kind not in GATEWAY_RESPONSE_TYPES or not isinstance(spec, dict):
            warnings.add(f"Unable to put gateway response {kind}: invalid response type or definition", at)
            continue
        response: Doc = {"responseType": kind, "defaultResponse": False}
        code = spec.get("statusCode")
        if code is not None:
            response["statusCode"] = str(code)
        for member in ("responseParameters", "responseTemplates"):
            if isinstance(spec.get(member), dict):
                response[member] = {str(k): str(v) for k, v in spec[member].items()}
        for extra in set(spec) - {"statusCode", "responseParameters", "responseTemplates"}:
            warnings.add(f"Unsupported property {extra} of gateway response {kind} ignored", (*at, extra))
        out[kind] = response
    return out


def documentation_parts(data: Doc, new_id: Callable[[int], str], warnings: Warnings) -> dict[str, Doc]:
    """DocumentationParts by id from x-amazon-apigateway-documentation.documentationParts."""
    key = f"{X}documentation"
    raw = data.get(key)
    if raw is None:
        return {}
    parts = raw.get("documentationParts") if isinstance(raw, dict) else None
    if not isinstance(parts, list):
        warnings.add(f"Parse issue: {key}.documentationParts must be a list", (key,))
        return {}
    out: dict[str, Doc] = {}
    seen: dict[str, str] = {}
    for i, part in enumerate(parts):
        at = (key, "documentationParts", i)
        try:
            if not isinstance(part, dict):
                raise BadRequestException("a documentation part must be an object")
            loc = normalise_location(part.get("location"))
            body = check_properties(part.get("properties"))
        except BadRequestException as exc:
            warnings.add(f"Unable to create documentation part: {exc.message}", at)
            continue
        ident = seen.get(location_key(loc)) or new_id(6)
        seen[location_key(loc)] = ident
        out[ident] = {"id": ident, "location": loc, "properties": body}
    return out


def location_key(loc: Doc) -> str:
    return json.dumps(loc, sort_keys=True)
