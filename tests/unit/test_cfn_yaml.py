"""CloudFormation YAML/JSON loading: short tags, CloudFormation's scalars, line lookups."""

from __future__ import annotations

import pytest

from portico.importers.cfn_yaml import Source, load
from portico.importers.diagnostics import DefinitionError

TEMPLATE = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Role.Arn
      Env: !Ref Stage
      Uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/functions/${Fn.Arn}/invocations"
      Pair: !Sub
        - "${A}-${B}"
        - A: !Ref Stage
          B: x
      Joined: !Join [":", [a, !Select [0, !Split [",", "x,y"]]]]
      Choice: !If [IsProd, !FindInMap [Sizes, !Ref Stage, Memory], !Ref "AWS::NoValue"]
      Long: !GetAtt [Role, Arn]
      Encoded: !Base64 hello
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  Both: !And [!Condition IsProd, !Not [!Condition IsProd]]
"""


def test_short_tags_become_the_long_forms():
    data = load(TEMPLATE)
    props = data["Resources"]["Fn"]["Properties"]
    assert props["Role"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert props["Long"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert props["Env"] == {"Ref": "Stage"}
    assert props["Uri"] == {
        "Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/functions/${Fn.Arn}/invocations"
    }
    assert props["Pair"] == {"Fn::Sub": ["${A}-${B}", {"A": {"Ref": "Stage"}, "B": "x"}]}
    assert props["Joined"] == {"Fn::Join": [":", ["a", {"Fn::Select": [0, {"Fn::Split": [",", "x,y"]}]}]]}
    assert props["Choice"] == {
        "Fn::If": [
            "IsProd",
            {"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]},
            {"Ref": "AWS::NoValue"},
        ]
    }
    assert props["Encoded"] == {"Fn::Base64": "hello"}
    assert data["Conditions"]["Both"] == {
        "Fn::And": [{"Condition": "IsProd"}, {"Fn::Not": [{"Condition": "IsProd"}]}]
    }


def test_dates_and_numeric_keys_stay_text():
    data = load("Version: 2012-10-17\nResponses:\n  200: ok\n  true: yes\n")
    assert data == {"Version": "2012-10-17", "Responses": {"200": "ok", "true": True}}


def test_json_templates_load():
    assert load('{"Resources": {"A": {"Type": "AWS::SNS::Topic"}}}') == {
        "Resources": {"A": {"Type": "AWS::SNS::Topic"}}
    }


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("Resources:\n  A:\n    Type: !Nope x\n", "unknown CloudFormation tag !Nope", 3),
        ("Resources:\n  A: [\n", "invalid YAML", 3),
        ('{"Resources": {\n "A": }\n}', "invalid JSON", 2),
    ],
)
def test_broken_files_name_the_line(text: str, message: str, line: int):
    with pytest.raises(DefinitionError) as info:
        load(text)
    assert message in info.value.message
    assert info.value.line == line


def test_line_lookup_follows_keys_and_indexes():
    source = Source("t.yaml", TEMPLATE)
    assert source.line_of(("Resources", "Fn", "Properties", "Uri")) == 7
    assert source.line_of(("Resources", "Fn", "Properties", "Pair", "Fn::Sub", 1)) == 8  # short tag: its line
    assert source.line_of(("Conditions", "IsProd")) == 17
    assert source.line_of(("Resources", "Fn", "Properties", "Missing")) == 4  # closest parent
    assert source.line_of(("Resources", "Generated", "Properties"), exact=2) is None
    assert source.where(("Resources", "Fn")) == "t.yaml:2"
    assert source.where(("Resources", "Other"), exact=2) == "t.yaml"
