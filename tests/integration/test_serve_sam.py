"""`portico serve template.yaml` for SAM and CloudFormation templates, as a user runs it: the Lambda
route answers with the function's output, edits hot-reload, restarts duplicate nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.integration.serve_templates import Served, call, eventually, serve_fails

ROOT = Path(__file__).resolve().parents[2]
SAM_APP = ROOT / "examples" / "sam-app"
FUNCTION = "sam-app-HelloWorldFunction"


@pytest.fixture
def sam_app(tmp_path: Path) -> Path:
    """A copy of examples/sam-app (the stack is named after its directory: sam-app)."""
    target = tmp_path / "sam-app"
    shutil.copytree(SAM_APP, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_sam_app_serves_hot_reloads_and_survives_restarts(sam_app: Path, tmp_path: Path):
    data = tmp_path / "data"
    first = Served(data, str(sam_app / "template.yaml"), stages=2)
    try:
        [api_id] = {api for api, _ in first.stages}
        assert api_id == "a5cf3a6fd9"  # sha256("sam-app/ServerlessRestApi"), the id the README shows
        assert {stage for _, stage in first.stages} == {"Prod", "Stage"}  # SAM's implicit API, as on AWS
        assert call(first.base("Prod") + "hello") == (200, {"message": "hello world"})
        assert call(first.base("Stage") + "hello") == (200, {"message": "hello world"})
        lam = first.client("lambda")
        config = lam.get_function_configuration(FunctionName=FUNCTION)
        assert (config["Runtime"], config["Handler"], config["Timeout"]) == (
            "python3.12",
            "app.lambda_handler",
            3,
        )
        assert config["Environment"]["Variables"] == {"GREETING": "hello world"}
        [statement] = json.loads(lam.get_policy(FunctionName=FUNCTION)["Policy"])["Statement"]
        assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
        assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == (
            f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/*/GET/hello"
        )
        app = sam_app / "hello_world" / "app.py"
        app.write_text(app.read_text().replace('os.environ.get("GREETING", "hello world")', '"edited"'))
        assert eventually(first.base("Prod") + "hello", lambda body: body != {"message": "hello world"}) == {
            "message": "edited"
        }
        deployment = first.client("apigateway").get_stage(restApiId=api_id, stageName="Prod")["deploymentId"]
        revision = lam.get_function_configuration(FunctionName=FUNCTION)["RevisionId"]
    finally:
        first.stop()
    assert not first.warnings()

    second = Served(data, str(sam_app / "template.yaml"), stages=2)
    try:
        apigw, lam = second.client("apigateway"), second.client("lambda")
        assert [a["id"] for a in apigw.get_rest_apis()["items"]] == [api_id]
        assert [(f["FunctionName"], f["RevisionId"]) for f in lam.list_functions()["Functions"]] == [
            (FUNCTION, revision)  # unchanged: not updated
        ]
        assert [d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]] == [deployment]
        stages = apigw.get_stages(restApiId=api_id)["item"]
        assert {(s["stageName"], s["deploymentId"]) for s in stages} == {
            ("Prod", deployment),
            ("Stage", deployment),
        }
        assert len(json.loads(lam.get_policy(FunctionName=FUNCTION)["Policy"])["Statement"]) == 1
        assert call(second.base("Prod") + "hello") == (200, {"message": "edited"})
    finally:
        second.stop()


CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: a plain CloudFormation template (no SAM)
Resources:
  Echo:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub "${AWS::StackName}-echo"
      Runtime: python3.12
      Handler: app.handler
      Code: ./src
      Environment:
        Variables:
          COLOR: !Ref Colors
  Colors:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: cfn-demo
      Body:
        swagger: "2.0"
        info: {title: replaced by Name, version: "1"}
        paths:
          /echo/{word}:
            get:
              responses: {}
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Echo.Arn}/invocations"
          /color:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates: {application/json: '{"color": "$stageVariables.color"}'}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Api
  Live:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      DeploymentId: !Ref Deployment
      StageName: live
      Variables: {color: blue}
  Elsewhere:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: arn:aws:lambda:us-east-1:123456789012:function:not-here
      Action: lambda:InvokeFunction
      Principal: apigateway.amazonaws.com
"""

ECHO = """\
import json, os

def handler(event, context):
    body = {"word": event["pathParameters"]["word"], "color": os.environ["COLOR"], "stage": event["requestContext"]["stage"]}
    return {"statusCode": 200, "body": json.dumps(body)}
"""


def test_cloudformation_template_with_unsupported_resources(tmp_path: Path):
    project = tmp_path / "shop"
    (project / "src").mkdir(parents=True)
    (project / "src" / "app.py").write_text(ECHO)
    (project / "template.yaml").write_text(CFN)
    served = Served(tmp_path / "data", str(project / "template.yaml"))
    try:
        [(api_id, stage)] = served.stages
        assert stage == "live"
        assert served.client("apigateway").get_rest_api(restApiId=api_id)["name"] == "cfn-demo"
        base = served.base("live")
        assert call(base + "echo/hi") == (200, {"word": "hi", "color": "shop-Colors", "stage": "live"})
        assert call(base + "color") == (200, {"color": "blue"})
        template = project / "template.yaml"
        unsupported, permission = served.warnings()
        assert (
            f"{template}: resources Portico does not support, ignored: Colors (AWS::DynamoDB::Table, line 14)"
            in (unsupported)
        )
        assert (
            f"{template}:54: function not-here is not hosted by Portico; permission not stored" in permission
        )
    finally:
        served.stop()


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("CodeUri: hello_world/", "CodeUri: missing/", "template.yaml:18: code directory missing/ not found"),
        (
            "Handler: app.lambda_handler",
            "Handler: !Nope x",
            "template.yaml:19: invalid YAML: unknown CloudFormation tag !Nope",
        ),
        (
            "Type: Api ",
            "Type: Apx ",
            "template.yaml:15: Resource with id [HelloWorldFunction] is invalid. Event with",
        ),
    ],
)
def test_broken_template_exits_2_naming_the_line(
    sam_app: Path, tmp_path: Path, old: str, new: str, fragment: str
):
    template = sam_app / "template.yaml"
    assert old in template.read_text()
    template.write_text(template.read_text().replace(old, new))
    result = serve_fails(tmp_path / "data", template)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{sam_app}/{fragment}" in result.stderr, result.stderr
