"""x-amazon-apigateway-integration (and .responses, .tlsConfig) -> API Gateway Integration.

API Gateway Developer Guide: "x-amazon-apigateway-integration object" and its sub-objects.
"""

from __future__ import annotations

from typing import Any

from portico.importers.diagnostics import Path, Warnings
from portico.importers.openapi_load import Document

Doc = dict[str, Any]
EXTENSION = "x-amazon-apigateway-integration"
TYPES = ("HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY")
PASSTHROUGH = ("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER")
CONTENT_HANDLING = ("CONVERT_TO_BINARY", "CONVERT_TO_TEXT")
_STRING_MEMBERS = ("uri", "credentials", "cacheNamespace", "connectionId", "responseTransferMode")
_HTTP_API_ONLY = ("payloadFormatVersion", "integrationSubtype")
_KNOWN = {
    "type",
    "httpMethod",
    "requestParameters",
    "requestTemplates",
    "passthroughBehavior",
    "contentHandling",
    "timeoutInMillis",
    "cacheKeyParameters",
    "connectionType",
    "responses",
    "tlsConfig",
    *_STRING_MEMBERS,
    *_HTTP_API_ONLY,
}


class IntegrationReader:
    def __init__(self, doc: Document, warnings: Warnings) -> None:
        self.doc = doc
        self.warnings = warnings
        self._warned_shared = False

    def read(self, raw: Any, path: Path, where: str, resource_id: str) -> Doc | None:
        """`where` is AWS's "'GET' for resource at path '/pets'" used in messages."""
        raw, path = self._deref(raw, path)
        if not isinstance(raw, dict):
            self._fail(where, "the integration must be an object", path)
            return None
        kind = str(raw.get("type", "")).upper()
        if kind not in TYPES:
            self._fail(where, f"Invalid integration type specified: {raw.get('type')!r}", path)
            return None
        out: Doc = {"type": kind}
        if not self._target(raw, out, kind, where, path):
            return None
        self._members(raw, out, path)
        out.setdefault("passthroughBehavior", "WHEN_NO_MATCH")
        out.setdefault("timeoutInMillis", 29000)
        out.setdefault("cacheNamespace", resource_id)
        out.setdefault("cacheKeyParameters", [])
        if kind != "MOCK":
            out.setdefault("connectionType", "INTERNET")
        if out.get("connectionType") == "VPC_LINK" and not out.get("connectionId"):
            self._fail(where, "connectionId is required for connectionType VPC_LINK", path)
            return None
        out["integrationResponses"] = self._responses(raw.get("responses"), (*path, "responses"), where)
        return out

    def _deref(self, raw: Any, path: Path) -> tuple[Any, Path]:
        if not (isinstance(raw, dict) and "$ref" in raw):
            return raw, path
        if not self._warned_shared:
            self._warned_shared = True
            self.warnings.add(
                "x-amazon-apigateway-integrations is supported only for HTTP APIs; "
                "Portico resolved the $ref for this REST API",
                path,
            )
        found = self.doc.resolve(raw["$ref"])
        if found is None:
            self.warnings.add(f"Parse issue: $ref {raw['$ref']} does not resolve", path)
            return None, path
        return found

    def _fail(self, where: str, why: str, path: Path) -> None:
        self.warnings.add(f"Unable to put integration on {where}: {why}", path)

    def _target(self, raw: Doc, out: Doc, kind: str, where: str, path: Path) -> bool:
        method = raw.get("httpMethod")
        if method is not None:
            out["httpMethod"] = str(method).upper()
        if raw.get("uri"):
            out["uri"] = str(raw["uri"])
        if kind == "MOCK":
            return True
        if not raw.get("uri"):
            self._fail(where, "Invalid integration URI specified", path)
            return False
        if method is None:
            self._fail(where, "Enumeration value for HttpMethod must be non-empty", path)
            return False
        if kind in ("AWS", "AWS_PROXY") and not str(raw["uri"]).startswith("arn:"):
            self._fail(where, f"AWS ARN for integration must contain path or action: {raw['uri']}", path)
            return False
        return True

    def _members(self, raw: Doc, out: Doc, path: Path) -> None:
        for key, value in raw.items():
            at = (*path, key)
            if key in ("type", "httpMethod", "uri", "responses"):
                continue
            if key not in _KNOWN:
                self.warnings.add(f"Unsupported property {key} of {EXTENSION} ignored", at)
            elif key in _HTTP_API_ONLY:
                if not (key == "payloadFormatVersion" and str(value) == "1.0"):
                    self.warnings.add(f"{EXTENSION}.{key} is supported only for HTTP APIs; ignored", at)
            elif key in _STRING_MEMBERS:
                out[key] = str(value)
            else:
                self._member(key, value, out, at)

    def _member(self, key: str, value: Any, out: Doc, at: Path) -> None:
        if key in ("requestParameters", "requestTemplates"):
            mapping = _string_map(value)
            if mapping is None:
                self.warnings.add(f"Parse issue: attribute {key} must be a map of strings", at)
            else:
                out[key] = mapping
        elif key == "passthroughBehavior":
            self._enum(out, key, value, PASSTHROUGH, at)
        elif key == "contentHandling":
            self._enum(out, key, value, CONTENT_HANDLING, at)
        elif key == "connectionType":
            self._enum(out, key, value, ("INTERNET", "VPC_LINK"), at)
        elif key == "timeoutInMillis":
            self._timeout(value, out, at)
        elif key == "cacheKeyParameters":
            if isinstance(value, list):
                out[key] = [str(v) for v in value]
            else:
                self.warnings.add("Parse issue: attribute cacheKeyParameters must be a list", at)
        elif key == "tlsConfig":
            self._tls(value, out, at)

    def _enum(self, out: Doc, key: str, value: Any, allowed: tuple[str, ...], at: Path) -> None:
        upper = str(value).upper()
        if upper in allowed:
            out[key] = upper
        else:
            self.warnings.add(f"Invalid {key} {value!r} ignored; expected one of {', '.join(allowed)}", at)

    def _timeout(self, value: Any, out: Doc, at: Path) -> None:
        try:
            millis = int(value)
        except (TypeError, ValueError):
            millis = -1
        if 50 <= millis <= 29000:
            out["timeoutInMillis"] = millis
        else:
            self.warnings.add(
                f"Invalid timeoutInMillis {value!r} ignored: must be between 50 and 29000 ms", at
            )

    def _tls(self, value: Any, out: Doc, at: Path) -> None:
        if not isinstance(value, dict):
            self.warnings.add("Parse issue: attribute tlsConfig must be an object", at)
            return
        for key, item in value.items():
            if key == "insecureSkipVerification":
                out["tlsConfig"] = {"insecureSkipVerification": bool(item)}
            else:
                self.warnings.add(f"tlsConfig.{key} is supported only for HTTP APIs; ignored", (*at, key))

    def _responses(self, raw: Any, path: Path, where: str) -> Doc:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.warnings.add("Parse issue: attribute responses must be an object", path)
            return {}
        out: Doc = {}
        for pattern, spec in raw.items():
            response = self._response(str(pattern), spec, (*path, pattern), where)
            if response is None:
                continue
            code = response["statusCode"]
            if code in out:
                self.warnings.add(
                    f"Unable to put integration response on {where}: "
                    f"more than one response pattern maps to status code {code}; kept the first",
                    (*path, pattern),
                )
                continue
            out[code] = response
        return out

    def _response(self, pattern: str, spec: Any, at: Path, where: str) -> Doc | None:
        code = str(spec.get("statusCode", "")) if isinstance(spec, dict) else ""
        if not code.isdigit() or len(code) != 3:
            self.warnings.add(
                f"Unable to put integration response on {where}: Invalid status code {code or None!r}", at
            )
            return None
        assert isinstance(spec, dict)
        out: Doc = {"statusCode": code}
        if pattern != "default":
            out["selectionPattern"] = pattern
        for key, value in spec.items():
            if key in ("responseParameters", "responseTemplates"):
                mapping = _string_map(value)
                if mapping is None:
                    self.warnings.add(f"Parse issue: attribute {key} must be a map of strings", (*at, key))
                else:
                    out[key] = mapping
            elif key == "contentHandling":
                self._enum(out, key, value, CONTENT_HANDLING, (*at, key))
            elif key != "statusCode":
                self.warnings.add(f"Unsupported property {key} of {EXTENSION}.response ignored", (*at, key))
        return out


def _string_map(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    out = {}
    for key, item in value.items():
        if isinstance(item, dict | list):
            return None
        out[str(key)] = "" if item is None else str(item)
    return out
