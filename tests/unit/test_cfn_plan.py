"""Templates to plans (functions, APIs, stages, permissions, warnings), without a server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portico.importers import templates
from portico.importers.errors import ImportFailed
from portico.importers.stack import Stack, stack_api_id
from portico.settings import Settings

SETTINGS = Settings(default_region="eu-west-1", account_id="111122223333")
ARN = "arn:aws:lambda:eu-west-1:111122223333:function"

CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Timeout:
    Type: String
    Default: "10"
Conditions:
  Never: !Equals [a, b]
Resources:
  Orders:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub "${AWS::StackName}-orders"
      Runtime: python3.12
      Handler: app.handler
      Code: ./src
      Timeout: !Ref Timeout
      MemorySize: 256
      ReservedConcurrentExecutions: 2
      SnapStart: {ApplyOn: None}
      Environment:
        Variables:
          TABLE: !Ref Table
          DEBUG: true
      Tags:
        - {Key: team, Value: shop}
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {}
  Role:
    Type: AWS::IAM::Role
    Properties: {}
  Skipped:
    Type: AWS::Lambda::Function
    Condition: Never
    Properties: {Code: ./missing}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: orders-api
      BinaryMediaTypes: [image/png]
      EndpointConfiguration: {Types: [REGIONAL]}
      Body:
        openapi: 3.0.1
        info: {title: ignored, version: "1"}
        paths:
          /orders:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Orders.Arn}/invocations
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Api
      Description: first
      StageName: test
      StageDescription:
        Variables: {color: red}
  Live:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      DeploymentId: !Ref Deployment
      StageName: live
      Description: the live stage
      Variables: {color: blue, fn: !Ref Orders}
      MethodSettings: []
  Allow:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt Orders.Arn
      Action: lambda:InvokeFunction
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "shop"
    (folder / "src").mkdir(parents=True, exist_ok=True)
    file = folder / name
    file.write_text(text)
    return file


def plan(file: Path) -> Stack:
    text = file.read_text()
    kind, data = templates.detect(text)
    return templates.plan(str(file), text, kind, data, SETTINGS)


def test_cloudformation_functions(tmp_path: Path):
    file = write(tmp_path, "template.yaml", CFN)
    stack = plan(file)
    assert [f.name for f in stack.functions] == ["shop-orders"]  # Skipped: condition false
    fn = stack.functions[0]
    assert fn.params["Code"] == {"S3Bucket": "portico-local", "S3Key": str((file.parent / "src").resolve())}
    assert fn.params["Timeout"] == 10 and fn.params["MemorySize"] == 256
    assert fn.params["Environment"] == {"Variables": {"TABLE": "shop-Table", "DEBUG": "true"}}
    assert fn.params["Tags"] == {"team": "shop"}
    assert fn.params["Role"] == "arn:aws:iam::111122223333:role/shop-Orders"
    assert fn.reserved == 2
    assert fn.where == f"{file}:9"


def test_cloudformation_apis_stages_and_permissions(tmp_path: Path):
    file = write(tmp_path, "template.yaml", CFN)
    stack = plan(file)
    [api] = stack.apis
    assert api.api_id == stack_api_id("shop", "Api")
    assert api.document.data["info"]["title"] == "orders-api"
    assert api.document.data["x-amazon-apigateway-binary-media-types"] == ["image/png"]
    assert api.settings["endpoint"] == "REGIONAL"
    uri = api.document.data["paths"]["/orders"]["get"]["x-amazon-apigateway-integration"]["uri"]
    assert (
        uri == f"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{ARN}:shop-orders/invocations"
    )
    assert api.document.line_of(("paths", "/orders", "get")) == 47  # lines of the template
    assert api.description == "first"
    assert [(s.name, s.variables, s.description) for s in api.stages] == [
        ("test", {"color": "red"}, None),
        ("live", {"color": "blue", "fn": "shop-orders"}, "the live stage"),
    ]
    [permission] = stack.permissions
    assert permission.function == "shop-orders"
    assert permission.params == {
        "FunctionName": "shop-orders",
        "StatementId": "shop-Allow",
        "Action": "lambda:InvokeFunction",
        "Principal": "apigateway.amazonaws.com",
        "SourceArn": f"arn:aws:execute-api:eu-west-1:111122223333:{api.api_id}/*",
    }


def test_cloudformation_reports_what_it_does_not_apply(tmp_path: Path):
    file = write(tmp_path, "template.yaml", CFN)
    stack = plan(file)
    assert f"{file}: resources Portico does not support, ignored: Table (AWS::DynamoDB::Table, line 26)" in (
        stack.warnings
    )
    assert f"{file}:19: Orders (AWS::Lambda::Function): properties Portico does not apply: SnapStart" in (
        stack.warnings
    )
    assert f"{file}:68: Live (AWS::ApiGateway::Stage): properties Portico does not apply: MethodSettings" in (
        stack.warnings
    )
    assert stack.notes == ["Role (AWS::IAM::Role): IAM is not enforced by Portico"]


def replaced(old: str, new: str) -> str:
    assert old in CFN
    return CFN.replace(old, new)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (replaced('    Default: "10"\n', ""), "template.yaml:3: parameter Timeout has no Default value"),
        (replaced("Code: ./src", "Code: ./nowhere"), "template.yaml:15: code directory ./nowhere not found"),
        (
            replaced("!Ref Table", "!Ref Tabel"),
            "template.yaml:22: Template format error: Unresolved resource dependencies [Tabel]",
        ),
        (
            replaced("${Orders.Arn}", "${Orders.Version}"),
            "template.yaml:51: Portico does not support Fn::GetAtt Orders.Version",
        ),
        (
            replaced("        paths:\n", "        paths: [1]\n        x:\n"),
            "template.yaml:42: Invalid OpenAPI input: 'paths' must be an object",
        ),
        (
            "Resources: {}\n",
            "template.yaml:1: Template format error: at least one Resources member must be defined.",
        ),
        (
            "Resources:\n  A: {Properties: {}}\n",
            "template.yaml:2: Template format error: [/Resources/A] Every Resources object must contain a Type member.",
        ),
    ],
)
def test_template_errors_name_file_and_line(tmp_path: Path, text: str, fragment: str):
    file = write(tmp_path, "template.yaml", text)
    with pytest.raises(ImportFailed) as info:
        plan(file)
    assert f"{file.parent}/{fragment}" in str(info.value)


SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 5
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      ReservedConcurrentExecutions: 3
      Environment:
        Variables: {GREETING: hi}
      Events:
        Hello:
          Type: Api
          Properties: {Path: /hello, Method: get}
  Queue:
    Type: AWS::SQS::Queue
"""


def test_sam_functions_and_implicit_api(tmp_path: Path):
    file = write(tmp_path, "template.yaml", SAM)
    stack = plan(file)
    [fn] = stack.functions
    assert fn.name == "shop-HelloFunction"
    assert fn.params["Code"] == {"S3Bucket": "portico-local", "S3Key": str((file.parent / "src").resolve())}
    assert (fn.params["Runtime"], fn.params["Handler"], fn.params["Timeout"]) == (
        "python3.12",
        "app.handler",
        5,
    )
    assert fn.params["Environment"] == {"Variables": {"GREETING": "hi"}}
    assert fn.reserved == 3
    [api] = stack.apis
    assert api.api_id == stack_api_id("shop", "ServerlessRestApi")
    assert api.document.data["info"]["title"] == "shop"
    integration = api.document.data["paths"]["/hello"]["get"]["x-amazon-apigateway-integration"]
    assert integration["type"] == "aws_proxy"
    assert integration["uri"] == (
        f"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{ARN}:shop-HelloFunction/invocations"
    )
    assert sorted(s.name for s in api.stages) == ["Prod", "Stage"]  # as SAM deploys it on AWS
    [permission] = stack.permissions
    assert permission.function == "shop-HelloFunction"
    assert (
        permission.params["SourceArn"]
        == f"arn:aws:execute-api:eu-west-1:111122223333:{api.api_id}/*/GET/hello"
    )
    assert any("Queue (AWS::SQS::Queue" in w for w in stack.warnings)


def test_sam_definition_uri_and_include_are_read_from_disk(tmp_path: Path):
    api = """\
openapi: 3.0.1
info: {title: from-file, version: "1"}
paths:
  /items:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ItemsFunction.Arn}/invocations
"""
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  ItemsApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      OpenApiVersion: 3.0.1
      Variables: {mode: fast}
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: ./api.yaml}
  ItemsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./src
      Handler: app.handler
      Runtime: python3.12
      FunctionName: items
"""
    write(tmp_path, "api.yaml", api)
    stack = plan(write(tmp_path, "template.yaml", text))
    [spec] = stack.apis
    assert spec.document.data["info"]["title"] == "from-file"
    uri = spec.document.data["paths"]["/items"]["get"]["x-amazon-apigateway-integration"]["uri"]
    assert uri.endswith(f"/functions/{ARN}:items/invocations")
    assert [(s.name, s.variables) for s in spec.stages] == [("v1", {"mode": "fast"})]  # 3.x: no "Stage"
    (tmp_path / "shop" / "template.yaml").write_text(
        text.replace(
            "      DefinitionBody:\n        Fn::Transform:\n          Name: AWS::Include\n"
            "          Parameters: {Location: ./api.yaml}\n",
            "      DefinitionUri: ./api.yaml\n",
        )
    )
    [spec] = plan(tmp_path / "shop" / "template.yaml").apis
    assert spec.document.data["info"]["title"] == "from-file"


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("      Handler: app.handler\n", "", "template.yaml:7: Resource with id [HelloFunction] is invalid."),
        (
            "Transform: AWS::Serverless-2016-10-31",
            "Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]",
            "template.yaml:2: Portico does not support the transform AWS::LanguageExtensions",
        ),
        ("CodeUri: src/", "CodeUri: nowhere/", "template.yaml:10: code directory nowhere/ not found"),
    ],
)
def test_sam_errors_name_the_resource_line(tmp_path: Path, old: str, new: str, fragment: str):
    file = write(tmp_path, "template.yaml", SAM.replace(old, new))
    with pytest.raises(ImportFailed) as info:
        plan(file)
    assert f"{file.parent}/{fragment}" in str(info.value)


def test_sam_applications_are_reported_not_fetched(tmp_path: Path):
    text = (
        SAM + "  Nested:\n    Type: AWS::Serverless::Application\n    Properties: {Location: ./nested.yaml}\n"
    )
    file = write(tmp_path, "template.yaml", text)
    stack = plan(file)
    assert any("Nested (AWS::Serverless::Application, line 22)" in w for w in stack.warnings)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Resources: {A: {Type: AWS::SNS::Topic}}\n", templates.TEMPLATE),
        ("Transform: AWS::Serverless-2016-10-31\nResources: {}\n", templates.TEMPLATE),
        ("functions: {}\n", templates.PORTICO),
        ("apis: []\n", templates.PORTICO),
        ("openapi: 3.0.1\ninfo: {title: x}\npaths: {}\n", templates.OPENAPI),
        ("swagger: '2.0'\ninfo: {title: x}\npaths: {}\nfunctions: x\n", templates.OPENAPI),
        ("openapi: [\n", templates.OPENAPI),
    ],
)
def test_detect(text: str, kind: str):
    assert templates.detect(text)[0] == kind


def test_inline_code_is_packaged_as_index(tmp_path: Path):
    import io
    import zipfile

    text = (
        "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n"
        "      Handler: index.handler\n      Code:\n        ZipFile: |\n          def handler(e, c): return 1\n"
    )
    [fn] = plan(write(tmp_path, "t.yaml", text)).functions
    archive: Any = zipfile.ZipFile(io.BytesIO(fn.params["Code"]["ZipFile"]))
    assert archive.namelist() == ["index.py"]
    assert archive.read("index.py").decode() == "def handler(e, c): return 1\n"


def test_a_broken_template_is_not_mistaken_for_openapi():
    with pytest.raises(ImportFailed) as info:
        templates.detect("Resources:\n  A:\n    Type: !Nope x\n", "t.yaml")
    assert str(info.value) == "t.yaml:3: invalid YAML: unknown CloudFormation tag !Nope"


def test_sam_aliases_and_versions_stand_for_the_function(tmp_path: Path):
    text = SAM.replace("      ReservedConcurrentExecutions: 3\n", "      AutoPublishAlias: live\n")
    file = write(tmp_path, "template.yaml", text)
    stack = plan(file)
    [api] = stack.apis
    uri = api.document.data["paths"]["/hello"]["get"]["x-amazon-apigateway-integration"]["uri"]
    assert uri.endswith(f"/functions/{ARN}:shop-HelloFunction/invocations")
    assert [p.function for p in stack.permissions] == ["shop-HelloFunction"]
    versions = [w for w in stack.warnings if "Portico has no Lambda versions or aliases" in w]
    assert len(versions) == 2 and any("HelloFunctionAliaslive (AWS::Lambda::Alias)" in w for w in versions)
