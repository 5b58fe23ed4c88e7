"""Method authorization -> OpenAPI security requirements and schemes (GetExport).

API Gateway Developer Guide: "Export a REST API from API Gateway", "x-amazon-apigateway-authorizer
object", "x-amazon-apigateway-authtype property".
"""

from __future__ import annotations

from typing import Any

Doc = dict[str, Any]
API_KEY = "api_key"
SIGV4 = "sigv4"
_AUTHORIZER_MEMBERS = (
    "authorizerUri",
    "authorizerCredentials",
    "identitySource",
    "identityValidationExpression",
    "authorizerResultTtlInSeconds",
    "providerARNs",
)


class SecurityExport:
    """Collects the security schemes the exported methods use."""

    def __init__(self, api: Doc, with_authorizers: bool) -> None:
        self.authorizers: dict[str, Doc] = api.get("_authorizers") or {}
        self.with_authorizers = with_authorizers
        self.schemes: dict[str, Doc] = {}

    def requirements(self, method: Doc) -> list[Doc]:
        requirement: Doc = {}
        auth = method.get("authorizationType", "NONE")
        if auth == "AWS_IAM":
            requirement[SIGV4] = []
            self.schemes[SIGV4] = {
                "type": "apiKey",
                "name": "Authorization",
                "in": "header",
                "x-amazon-apigateway-authtype": "awsSigv4",
            }
        elif auth in ("CUSTOM", "COGNITO_USER_POOLS"):
            authorizer = self.authorizers.get(method.get("authorizerId") or "")
            if authorizer is not None:
                requirement[authorizer["name"]] = list(method.get("authorizationScopes") or [])
                self.schemes[authorizer["name"]] = self._authorizer_scheme(authorizer)
        if method.get("apiKeyRequired"):
            requirement[API_KEY] = []
            self.schemes[API_KEY] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
        return [requirement] if requirement else []

    def _authorizer_scheme(self, authorizer: Doc) -> Doc:
        kind = authorizer.get("type", "TOKEN")
        source = str(authorizer.get("identitySource") or "")
        header = "Unused"
        if source.startswith("method.request.header.") and "," not in source:
            header = source[len("method.request.header.") :]
        default_type = "cognito_user_pools" if kind == "COGNITO_USER_POOLS" else "custom"
        scheme: Doc = {
            "type": "apiKey",
            "name": header,
            "in": "header",
            "x-amazon-apigateway-authtype": authorizer.get("authType") or default_type,
        }
        if self.with_authorizers:
            body: Doc = {"type": str(kind).lower()}
            for key in _AUTHORIZER_MEMBERS:
                if authorizer.get(key) not in (None, "", []):
                    body[key] = authorizer[key]
            scheme["x-amazon-apigateway-authorizer"] = body
        return scheme
