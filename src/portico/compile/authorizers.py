"""Which methods run which Lambda authorizer, compiled once per deployment (Developer Guide: "Use API
Gateway Lambda authorizers": identity sources, identityValidationExpression, result TTL).

Methods with `authorizationType` CUSTOM get the plan of their TOKEN or REQUEST authorizer. AWS_IAM
and COGNITO_USER_POOLS are not enforced yet: compiling a deployment that uses them logs a warning
naming the methods (Fail loudly, DESIGN.md §2).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("portico.dataplane")

Doc = dict[str, Any]
DEFAULT_TTL = 300
UNENFORCED = ("AWS_IAM", "COGNITO_USER_POOLS")
_SOURCE_KINDS = {
    "method.request.header.": "header",
    "method.request.multivalueheader.": "multiheader",
    "method.request.querystring.": "query",
    "method.request.multivaluequerystring.": "multiquery",
    "method.request.path.": "path",
    "stageVariables.": "stage",
    "context.": "context",
}


@dataclass(frozen=True, slots=True)
class IdentitySource:
    """One identity source expression: where its value is read (`kind`) and under which name."""

    expression: str
    kind: str  # header | multiheader | query | multiquery | path | stage | context | invalid
    key: str


@dataclass(frozen=True, slots=True)
class AuthorizerPlan:
    id: str
    name: str
    type: str  # TOKEN | REQUEST
    uri: str
    sources: tuple[IdentitySource, ...]
    validation: re.Pattern[str] | None  # identityValidationExpression (TOKEN only)
    ttl: int


def identity_source(expression: str) -> IdentitySource:
    for prefix, kind in _SOURCE_KINDS.items():
        if expression.startswith(prefix) and len(expression) > len(prefix):
            return IdentitySource(expression, kind, expression[len(prefix) :])
    return IdentitySource(expression, "invalid", expression)


def _validation(doc: Doc) -> re.Pattern[str] | None:
    expression = doc.get("identityValidationExpression")
    if doc.get("type") != "TOKEN" or not expression:
        return None
    try:
        return re.compile(expression)
    except re.error as exc:
        log.warning("authorizer %s: identityValidationExpression %r: %s", doc.get("id"), expression, exc)
        return re.compile(r"(?!)")  # matches nothing: every request answers 401, as a bad pattern would


def compile_authorizer(doc: Doc) -> AuthorizerPlan | None:
    """The plan of a TOKEN or REQUEST authorizer (None for other types)."""
    kind = doc.get("type")
    if kind not in ("TOKEN", "REQUEST"):
        return None
    raw = str(doc.get("identitySource") or "")
    sources = tuple(identity_source(part.strip()) for part in raw.split(",") if part.strip())
    ttl = doc.get("authorizerResultTtlInSeconds")
    return AuthorizerPlan(
        doc.get("id", ""),
        doc.get("name", ""),
        kind,
        doc.get("authorizerUri", ""),
        sources,
        _validation(doc),
        DEFAULT_TTL if ttl is None else int(ttl),
    )


def compile_authorizers(api: Doc, deployment_id: str = "") -> dict[tuple[str, str], AuthorizerPlan]:
    """(resource id, HTTP method) → plan, for every method with a Lambda authorizer.

    With a deployment id, methods whose authorization Portico does not enforce are logged once.
    """
    plans = {a: p for a, doc in (api.get("_authorizers") or {}).items() if (p := compile_authorizer(doc))}
    out: dict[tuple[str, str], AuthorizerPlan] = {}
    unenforced: list[str] = []
    for res in (api.get("_resources") or {}).values():
        for verb, meth in (res.get("resourceMethods") or {}).items():
            auth = meth.get("authorizationType") or "NONE"
            if auth == "CUSTOM":
                plan = plans.get(meth.get("authorizerId") or "")
                if plan is not None:
                    out[(res["id"], verb)] = plan
            elif auth in UNENFORCED:
                unenforced.append(f"{verb} {res.get('path', '/')} ({auth})")
    if unenforced and deployment_id:
        log.warning(
            "API %s deployment %s: authorization not enforced by Portico yet, requests are let through: %s",
            api.get("id", "?"),
            deployment_id,
            ", ".join(sorted(unenforced)),
        )
    return out
