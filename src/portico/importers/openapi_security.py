"""Security schemes -> Authorizers and method authorization.

API Gateway Developer Guide: "x-amazon-apigateway-authorizer object", "x-amazon-apigateway-authtype
property", "x-amazon-apigateway-auth object".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from portico.controlplane.authorizers import check_authorizer
from portico.controlplane.errors import ApiError
from portico.importers.diagnostics import Path, Warnings
from portico.importers.openapi_load import Document

Doc = dict[str, Any]
AUTHORIZER = "x-amazon-apigateway-authorizer"
AUTHTYPE = "x-amazon-apigateway-authtype"
AUTH = "x-amazon-apigateway-auth"
_AUTHORIZER_TYPES = {"token": "TOKEN", "request": "REQUEST", "cognito_user_pools": "COGNITO_USER_POOLS"}
_STRINGS = ("authorizerUri", "authorizerCredentials", "identitySource", "identityValidationExpression")


@dataclass(frozen=True, slots=True)
class Scheme:
    kind: str  # "authorizer" | "iam" | "apikey"
    authorizer_name: str = ""
    authorizer_type: str = ""


@dataclass
class Security:
    """Authorizers by name (`_authorizers` once ids are assigned) and what each scheme means."""

    authorizers: dict[str, Doc] = field(default_factory=dict)
    schemes: dict[str, Scheme] = field(default_factory=dict)


def read_schemes(doc: Document, new_id: Callable[[int], str], warnings: Warnings) -> Security:
    section: Path = ("components", "securitySchemes") if doc.is_v3 else ("securityDefinitions",)
    raw: Any = doc.data
    for part in section:
        raw = raw.get(part) if isinstance(raw, dict) else None
    security = Security()
    if not isinstance(raw, dict):
        return security
    for name, scheme in raw.items():
        path = (*section, name)
        if isinstance(scheme, dict) and "$ref" in scheme:
            found = doc.resolve(scheme["$ref"])
            scheme = found[0] if found else None
        if not isinstance(scheme, dict):
            warnings.add(f"Parse issue: security scheme '{name}' must be an object", path)
            continue
        meaning = _scheme(name, scheme, path, new_id, warnings, security)
        if meaning is not None:
            security.schemes[name] = meaning
    return security


def _scheme(
    name: str, scheme: Doc, path: Path, new_id: Callable[[int], str], warnings: Warnings, security: Security
) -> Scheme | None:
    authtype = scheme.get(AUTHTYPE)
    if AUTHORIZER in scheme:
        authorizer = _authorizer(name, scheme, path, warnings)
        if authorizer is None:
            return None
        try:
            check_authorizer(authorizer)
        except ApiError as exc:
            warnings.add(f"Unable to create authorizer '{name}': {exc.message}", (*path, AUTHORIZER))
            return None
        authorizer["id"] = new_id(6)
        security.authorizers[name] = authorizer
        return Scheme("authorizer", name, authorizer["type"])
    if isinstance(authtype, str) and authtype.lower().startswith("aws"):
        return Scheme("iam")
    if authtype is not None:
        warnings.add(
            f"Security scheme '{name}' has {AUTHTYPE} {authtype!r} but no {AUTHORIZER}; ignored", path
        )
        return None
    if scheme.get("type") == "apiKey":
        if str(scheme.get("name", "")).lower() != "x-api-key" or scheme.get("in") != "header":
            warnings.add(
                f"Security scheme '{name}' is used as an API key requirement; API Gateway reads API keys "
                "from the x-api-key header (or from an authorizer), not from "
                f"{scheme.get('in')} '{scheme.get('name')}'",
                path,
            )
        return Scheme("apikey")
    warnings.add(
        f"Unsupported security scheme '{name}' of type {scheme.get('type')!r} ignored: REST APIs support "
        f"API keys, {AUTHTYPE}: awsSigv4 and {AUTHORIZER}",
        path,
    )
    return None


def _authorizer(name: str, scheme: Doc, path: Path, warnings: Warnings) -> Doc | None:
    raw = scheme[AUTHORIZER]
    at = (*path, AUTHORIZER)
    if not isinstance(raw, dict):
        warnings.add(f"Unable to create authorizer '{name}': {AUTHORIZER} must be an object", at)
        return None
    kind = _AUTHORIZER_TYPES.get(str(raw.get("type", "")).lower())
    if kind is None:
        why = "JWT authorizers are supported only for HTTP APIs" if raw.get("type") == "jwt" else ""
        warnings.add(
            f"Unable to create authorizer '{name}': invalid type {raw.get('type')!r}. {why}".strip(), at
        )
        return None
    out: Doc = {"name": name, "type": kind}
    for key in _STRINGS:
        if raw.get(key) is not None:
            out[key] = str(raw[key])
    if isinstance(scheme.get(AUTHTYPE), str):
        out["authType"] = scheme[AUTHTYPE]
    if kind == "COGNITO_USER_POOLS":
        arns = raw.get("providerARNs")
        if not isinstance(arns, list) or not arns:
            warnings.add(f"Unable to create authorizer '{name}': providerARNs is required", at)
            return None
        out["providerARNs"] = [str(a) for a in arns]
    elif not out.get("authorizerUri"):
        warnings.add(f"Unable to create authorizer '{name}': authorizerUri is required", at)
        return None
    if "identitySource" not in out:
        source = _default_identity(scheme)
        if source is None:
            warnings.add(f"Unable to create authorizer '{name}': identitySource is required", at)
            return None
        out["identitySource"] = source
    out["authorizerResultTtlInSeconds"] = _ttl(raw, name, at, warnings)
    _http_only(raw, name, at, warnings)
    return out


def _default_identity(scheme: Doc) -> str | None:
    where = {"header": "header", "query": "querystring"}.get(str(scheme.get("in")))
    header = scheme.get("name")
    if where and header and header != "Unused":
        return f"method.request.{where}.{header}"
    return None


def _ttl(raw: Doc, name: str, at: Path, warnings: Warnings) -> int:
    value = raw.get("authorizerResultTtlInSeconds", 300)
    try:
        ttl = int(value)
    except (TypeError, ValueError):
        ttl = -1
    if 0 <= ttl <= 3600:
        return ttl
    warnings.add(f"Authorizer '{name}': authorizerResultTtlInSeconds must be 0..3600; used 300", at)
    return 300


def _http_only(raw: Doc, name: str, at: Path, warnings: Warnings) -> None:
    known = {"type", "providerARNs", "authorizerResultTtlInSeconds", *_STRINGS}
    for key, value in raw.items():
        if key in known or (key == "enableSimpleResponses" and value is False):
            continue
        if key in ("authorizerPayloadFormatVersion", "enableSimpleResponses", "jwtConfiguration"):
            warnings.add(f"Authorizer '{name}': {key} is supported only for HTTP APIs; ignored", (*at, key))
        else:
            warnings.add(f"Authorizer '{name}': unsupported property {key} ignored", (*at, key))


def method_auth(requirements: Any, op: Doc, security: Security, path: Path, warnings: Warnings) -> Doc:
    """authorizationType/authorizerId/authorizationScopes/apiKeyRequired of one operation."""
    out: Doc = {"authorizationType": "NONE", "apiKeyRequired": False}
    picked: tuple[Scheme, list[str]] | None = None
    for requirement in requirements if isinstance(requirements, list) else []:
        for name, scopes in (requirement if isinstance(requirement, dict) else {}).items():
            scheme = security.schemes.get(name)
            if scheme is None:
                warnings.add(
                    f"Parse issue: security scheme '{name}' referenced by the method is not defined", path
                )
            elif scheme.kind == "apikey":
                out["apiKeyRequired"] = True
            elif picked is None:
                picked = (scheme, [str(s) for s in scopes or []])
            elif picked[0] != scheme:
                warnings.add(f"Only one authorizer per method is supported; '{name}' ignored", path)
    if picked is not None:
        _apply(picked[0], picked[1], security, out)
    _auth_extension(op.get(AUTH), out, (*path, AUTH), warnings)
    return out


def _apply(scheme: Scheme, scopes: list[str], security: Security, out: Doc) -> None:
    if scheme.kind == "iam":
        out["authorizationType"] = "AWS_IAM"
        return
    authorizer = security.authorizers[scheme.authorizer_name]
    out["authorizerId"] = authorizer["id"]
    if scheme.authorizer_type == "COGNITO_USER_POOLS":
        out["authorizationType"] = "COGNITO_USER_POOLS"
        if scopes:
            out["authorizationScopes"] = scopes
    else:
        out["authorizationType"] = "CUSTOM"


def _auth_extension(raw: Any, out: Doc, path: Path, warnings: Warnings) -> None:
    if raw is None:
        return
    kind = str(raw.get("type", "")).upper() if isinstance(raw, dict) else ""
    if kind not in ("NONE", "AWS_IAM"):
        warnings.add(f"Invalid {AUTH} type {kind or raw!r} ignored; expected NONE or AWS_IAM", path)
        return
    out["authorizationType"] = kind
    out.pop("authorizerId", None)
    out.pop("authorizationScopes", None)
