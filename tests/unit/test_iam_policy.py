"""execute-api:Invoke policy evaluation of Lambda authorizer answers (auth/iam_policy.py)."""

from __future__ import annotations

from typing import Any

import pytest

from portico.auth.iam_policy import ALLOW, DENY, IMPLICIT_DENY, PolicyError, parse_policy

ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def stmt(effect: str, resource: Any, action: Any = "execute-api:Invoke", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "Resource": resource, **extra}


def test_allow_exact_method_arn() -> None:
    p = parse_policy(policy(stmt("Allow", f"{ARN}/GET/pets")))
    assert p.evaluate(f"{ARN}/GET/pets") == ALLOW
    assert p.evaluate(f"{ARN}/GET/pets/1") == IMPLICIT_DENY
    assert p.evaluate(f"{ARN}/POST/pets") == IMPLICIT_DENY


def test_star_matches_across_slashes_and_question_mark_one_character() -> None:
    p = parse_policy(policy(stmt("Allow", f"{ARN}/GET/pets/*"), stmt("Allow", f"{ARN}/PU?/toys")))
    assert p.evaluate(f"{ARN}/GET/pets/1/toys/2") == ALLOW
    assert p.evaluate(f"{ARN}/GET/pets") == IMPLICIT_DENY  # "pets/*" needs the slash
    assert p.evaluate(f"{ARN}/PUT/toys") == ALLOW
    assert p.evaluate(f"{ARN}/POST/toys") == IMPLICIT_DENY


def test_wildcard_stage_and_method() -> None:
    p = parse_policy(policy(stmt("Allow", "arn:aws:execute-api:us-east-1:123456789012:abc123/*/*")))
    assert p.evaluate(f"{ARN}/DELETE/a/b") == ALLOW
    assert p.evaluate("arn:aws:execute-api:us-east-1:123456789012:other/dev/GET/") == IMPLICIT_DENY


def test_regex_characters_in_resources_are_literal() -> None:
    p = parse_policy(policy(stmt("Allow", f"{ARN}/GET/a.b+(c)*")))
    assert p.evaluate(f"{ARN}/GET/a.b+(c)/x") == ALLOW
    assert p.evaluate(f"{ARN}/GET/aXb+(c)/x") == IMPLICIT_DENY


def test_explicit_deny_wins_over_allow() -> None:
    p = parse_policy(policy(stmt("Allow", "*"), stmt("Deny", f"{ARN}/DELETE/*")))
    assert p.evaluate(f"{ARN}/GET/pets") == ALLOW
    assert p.evaluate(f"{ARN}/DELETE/pets/1") == DENY


def test_single_statement_object_and_resource_lists() -> None:
    p = parse_policy({"Statement": stmt("Allow", [f"{ARN}/GET/a", f"{ARN}/GET/b"])})
    assert p.evaluate(f"{ARN}/GET/b") == ALLOW
    assert p.evaluate(f"{ARN}/GET/c") == IMPLICIT_DENY


@pytest.mark.parametrize(
    "action", ["execute-api:Invoke", "execute-api:*", "*", "EXECUTE-API:invoke", ["s3:*", "execute-api:I*"]]
)
def test_actions_that_cover_invoke(action: Any) -> None:
    assert parse_policy(policy(stmt("Allow", "*", action))).evaluate(f"{ARN}/GET/") == ALLOW


@pytest.mark.parametrize("action", ["execute-api:ManageConnections", "s3:GetObject", ["lambda:*"]])
def test_actions_that_do_not_cover_invoke(action: Any) -> None:
    assert parse_policy(policy(stmt("Allow", "*", action))).evaluate(f"{ARN}/GET/") == IMPLICIT_DENY


def test_not_action_and_not_resource() -> None:
    not_action = {"Effect": "Deny", "NotAction": "execute-api:Invoke", "Resource": "*"}
    p = parse_policy(policy(stmt("Allow", "*"), not_action))
    assert p.evaluate(f"{ARN}/GET/") == ALLOW
    not_resource = {"Effect": "Allow", "Action": "execute-api:Invoke", "NotResource": f"{ARN}/POST/*"}
    p = parse_policy(policy(not_resource))
    assert p.evaluate(f"{ARN}/GET/pets") == ALLOW
    assert p.evaluate(f"{ARN}/POST/pets") == IMPLICIT_DENY


def test_empty_statement_list_denies() -> None:
    assert parse_policy(policy()).evaluate(f"{ARN}/GET/") == IMPLICIT_DENY


@pytest.mark.parametrize(
    "document",
    [
        None,
        "a string",
        {"Version": "2012-10-17"},
        {"Statement": "x"},
        {"Version": "2020-01-01", "Statement": []},
        policy({"Effect": "allow", "Action": "*", "Resource": "*"}),
        policy({"Effect": "Allow", "Resource": "*"}),
        policy({"Effect": "Allow", "Action": "*", "NotAction": "*", "Resource": "*"}),
        policy({"Effect": "Allow", "Action": "*"}),
        policy({"Effect": "Allow", "Action": [], "Resource": "*"}),
        policy({"Effect": "Allow", "Action": [1], "Resource": "*"}),
        policy(stmt("Allow", "*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
        policy(stmt("Allow", "*", Principal="*")),
        policy("not an object"),
    ],
)
def test_malformed_policies_are_refused(document: Any) -> None:
    with pytest.raises(PolicyError):
        parse_policy(document)
