"""Intrinsic and condition functions resolved with values (no template, no AWS)."""

from __future__ import annotations

from typing import Any

import pytest

from portico.importers.cfn_intrinsics import IntrinsicError, Resolver, Scope, pseudo_parameters

RESOURCES = {"Fn": "my-fn", "Api": "abc123"}


def attribute(logical: str, name: str) -> Any:
    if logical not in RESOURCES:
        raise KeyError(logical)
    if name != "Arn":
        raise IntrinsicError(f"Portico does not support Fn::GetAtt {logical}.{name}")
    return f"arn:aws:lambda:eu-west-1:111122223333:function:{RESOURCES[logical]}"


def resolver(**parameters: Any) -> Resolver:
    params = {**pseudo_parameters("eu-west-1", "111122223333", "shop"), "Stage": "prod", **parameters}
    return Resolver(
        Scope(
            params,
            lambda logical: RESOURCES[logical],
            attribute,
            mappings={"Sizes": {"prod": {"Memory": 512}, "dev": {"Memory": 128}}},
            conditions={
                "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
                "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
                "Either": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "IsDev"}]},
                "Neither": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "IsDev"}]},
                "Loop": {"Fn::Not": [{"Condition": "Loop"}]},
            },
        )
    )


def test_ref_names_parameters_pseudo_parameters_and_resources():
    r = resolver()
    assert r.resolve({"Ref": "Stage"}) == "prod"
    assert r.resolve({"Ref": "AWS::Region"}) == "eu-west-1"
    assert r.resolve({"Ref": "AWS::AccountId"}) == "111122223333"
    assert r.resolve({"Ref": "AWS::StackName"}) == "shop"
    assert r.resolve({"Ref": "AWS::Partition"}) == "aws"
    assert r.resolve({"Ref": "Fn"}) == "my-fn"


def test_get_att_in_both_forms():
    r = resolver()
    arn = "arn:aws:lambda:eu-west-1:111122223333:function:my-fn"
    assert r.resolve({"Fn::GetAtt": ["Fn", "Arn"]}) == arn
    assert r.resolve({"Fn::GetAtt": "Fn.Arn"}) == arn


def test_sub_forms():
    r = resolver()
    template = "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"
    assert r.resolve({"Fn::Sub": template}) == (
        "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:eu-west-1:111122223333:function:my-fn/invocations"
    )
    assert r.resolve({"Fn::Sub": "${Stage}-${Api}-${!Literal}"}) == "prod-abc123-${Literal}"
    assert r.resolve({"Fn::Sub": ["${A}/${Stage}", {"A": {"Ref": "Fn"}}]}) == "my-fn/prod"


def test_strings_and_lists():
    r = resolver(Names=["a", "b"])
    assert r.resolve({"Fn::Join": ["-", ["x", {"Ref": "Stage"}, 3]]}) == "x-prod-3"
    assert r.resolve({"Fn::Join": [",", {"Ref": "Names"}]}) == "a,b"
    assert r.resolve({"Fn::Select": ["1", {"Fn::Split": [",", "a,b,c"]}]}) == "b"
    assert r.resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}) == 512
    assert r.resolve({"Fn::FindInMap": ["Sizes", "qa", "Memory", {"DefaultValue": 64}]}) == 64
    assert r.resolve({"Fn::Base64": "hi"}) == "aGk="


def test_conditions_and_if():
    r = resolver()
    assert r.condition("IsProd") is True
    assert r.condition("IsDev") is False
    assert r.condition("Either") is True
    assert r.condition("Neither") is False
    assert r.resolve({"Fn::If": ["IsProd", "big", "small"]}) == "big"
    assert resolver(Stage="dev").resolve({"Fn::If": ["IsProd", "big", "small"]}) == "small"


def test_no_value_removes_the_key_or_item():
    r = resolver(Stage="dev")
    value = {
        "Keep": 1,
        "Drop": {"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]},
        "List": ["a", {"Ref": "AWS::NoValue"}, "b"],
    }
    assert r.resolve(value) == {"Keep": 1, "List": ["a", "b"]}


def test_plain_values_and_lookalikes_are_left_alone():
    value = {
        "Condition": {"StringEquals": {"a": "b"}},
        "Text": "${stageVariables.fn}",
        "Two": {"Ref": "Stage", "x": 1},
    }
    assert resolver().resolve(value) == value


@pytest.mark.parametrize(
    ("value", "message", "path"),
    [
        ({"Ref": "Nope"}, "Unresolved resource dependencies [Nope]", ("Ref",)),
        ({"Fn::GetAtt": ["Nope", "Arn"]}, "Unresolved resource dependencies [Nope]", ("Fn::GetAtt",)),
        ({"Fn::GetAtt": ["Fn", "Version"]}, "does not support Fn::GetAtt Fn.Version", ("Fn::GetAtt",)),
        ({"Fn::Sub": "${Missing}"}, "Unresolved resource dependencies [Missing]", ("Fn::Sub",)),
        (
            {"Fn::Sub": "${stageVariables.fn}"},
            "Unresolved resource dependencies [stageVariables]",
            ("Fn::Sub",),
        ),
        ({"Fn::ImportValue": "x"}, "Portico does not support Fn::ImportValue", ("Fn::ImportValue",)),
        ({"Fn::Frobnicate": "x"}, "unknown intrinsic function Fn::Frobnicate", ("Fn::Frobnicate",)),
        ({"Fn::Join": ["-", "notalist"]}, "Fn::Join needs a list", ("Fn::Join",)),
        ({"Fn::Select": [5, ["a"]]}, "out of bounds", ("Fn::Select",)),
        ({"Fn::Sub": ["${A}", {"A": ["list"]}]}, "must resolve to a string", ("Fn::Sub",)),
        ({"Fn::If": ["Unknown", 1, 2]}, "Unresolved condition dependency Unknown", ("Fn::If",)),
        ({"Fn::FindInMap": ["Sizes", "qa", "Memory"]}, "no value for Sizes/qa/Memory", ("Fn::FindInMap",)),
    ],
)
def test_errors_say_what_and_where(value: Any, message: str, path: tuple[str, ...]):
    with pytest.raises(IntrinsicError) as info:
        resolver().resolve({"Props": value}, ("Resources", "X"))
    assert message in info.value.message
    assert info.value.path[:3] == ("Resources", "X", "Props")
    assert info.value.path[3:4] == path


def test_a_circular_condition_is_reported_where_it_is_defined():
    with pytest.raises(IntrinsicError) as info:
        resolver().resolve({"Fn::If": ["Loop", 1, 2]})
    assert "circular condition dependency Loop" in info.value.message
    assert info.value.path[:2] == ("Conditions", "Loop")
