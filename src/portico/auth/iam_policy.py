"""IAM policy evaluation of `execute-api:Invoke` (Developer Guide: "Output from an API Gateway Lambda
authorizer" and "IAM policy examples for API execution permissions").

A Lambda authorizer answers a policy document; API Gateway allows the request when a statement allows
`execute-api:Invoke` on the method ARN and none denies it (an explicit deny wins; nothing matching
is an implicit deny). `Action`/`NotAction` and `Resource`/`NotResource` take one string or a list;
`*` matches any run of characters (`/` and `:` included) and `?` any one character. Actions compare
case-insensitively, resources case-sensitively, as IAM does. `Condition` is refused loudly: Portico
does not evaluate condition keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ALLOW = "Allow"
DENY = "Deny"
IMPLICIT_DENY = "ImplicitDeny"
INVOKE = "execute-api:Invoke"
_VERSIONS = frozenset({"2012-10-17", "2008-10-17"})
_STATEMENT_KEYS = frozenset({"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource"})


class PolicyError(ValueError):
    """The policy document is not one API Gateway can evaluate."""


@dataclass(frozen=True, slots=True)
class Wildcard:
    """One `Action` or `Resource` value, with IAM's `*` and `?` wildcards."""

    text: str
    regex: re.Pattern[str] | None  # None: compare the text as is (no wildcard), or "*"

    def matches(self, value: str, fold: bool) -> bool:
        if self.text == "*":
            return True
        if self.regex is not None:
            return self.regex.fullmatch(value) is not None
        return self.text.lower() == value.lower() if fold else self.text == value


def wildcard(text: str, fold: bool = False) -> Wildcard:
    if text == "*" or ("*" not in text and "?" not in text):
        return Wildcard(text, None)
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in text)
    flags = re.DOTALL | (re.IGNORECASE if fold else 0)
    return Wildcard(text, re.compile("".join(parts), flags))


@dataclass(frozen=True, slots=True)
class Statement:
    effect: str
    actions: tuple[Wildcard, ...]
    not_action: bool
    resources: tuple[Wildcard, ...]
    not_resource: bool

    def applies(self, action: str, resource: str) -> bool:
        action_hit = any(a.matches(action, True) for a in self.actions)
        if action_hit == self.not_action:
            return False
        resource_hit = any(r.matches(resource, False) for r in self.resources)
        return resource_hit != self.not_resource


@dataclass(frozen=True, slots=True)
class Policy:
    statements: tuple[Statement, ...]

    def evaluate(self, resource: str, action: str = INVOKE) -> str:
        """ALLOW, DENY (an explicit deny) or IMPLICIT_DENY (no statement allows)."""
        allowed = False
        for statement in self.statements:
            if statement.applies(action, resource):
                if statement.effect == DENY:
                    return DENY
                allowed = True
        return ALLOW if allowed else IMPLICIT_DENY


def _values(statement: Mapping[str, Any], name: str, fold: bool) -> tuple[Wildcard, ...]:
    raw = statement[name]
    items: Sequence[Any] = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else ()
    if not items or not all(isinstance(item, str) for item in items):
        raise PolicyError(f"{name} must be a string or a non-empty list of strings")
    return tuple(wildcard(item, fold) for item in items)


def _pick(statement: Mapping[str, Any], name: str) -> tuple[str, bool]:
    """Which of `name` / `Not{name}` the statement uses (exactly one)."""
    has, has_not = name in statement, f"Not{name}" in statement
    if has == has_not:
        raise PolicyError(f"a statement needs exactly one of {name} and Not{name}")
    return (name, False) if has else (f"Not{name}", True)


def parse_statement(statement: Any) -> Statement:
    if not isinstance(statement, dict):
        raise PolicyError("a statement must be a JSON object")
    if "Condition" in statement:
        raise PolicyError("Condition is not supported in authorizer policies by Portico")
    unknown = sorted(set(statement) - _STATEMENT_KEYS)
    if unknown:
        raise PolicyError(f"unknown statement elements {unknown}")
    effect = statement.get("Effect")
    if effect not in (ALLOW, DENY):
        raise PolicyError(f"Effect must be Allow or Deny, not {effect!r}")
    action_key, not_action = _pick(statement, "Action")
    resource_key, not_resource = _pick(statement, "Resource")
    return Statement(
        effect,
        _values(statement, action_key, True),
        not_action,
        _values(statement, resource_key, False),
        not_resource,
    )


def parse_policy(document: Any) -> Policy:
    """A policy document (`{"Version": ..., "Statement": [...]}`) ready to evaluate."""
    if not isinstance(document, dict):
        raise PolicyError("policyDocument must be a JSON object")
    version = document.get("Version")
    if version is not None and version not in _VERSIONS:
        raise PolicyError(f"unsupported policy Version {version!r}")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise PolicyError("policyDocument.Statement must be an object or a list")
    return Policy(tuple(parse_statement(s) for s in statements))
