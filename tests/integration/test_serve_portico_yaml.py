"""`portico serve portico.yaml` as a user runs it: local functions behind Lambda proxy and non-proxy
integrations, MOCK and HTTP_PROXY routes, hot reload, restarts on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PgSchema, need_pg
from tests.integration.serve_templates import Served, call, eventually, serve_fails

PROJECT = """\
functions:
  echo:
    runtime: python3.12
    handler: app.handler
    code: ./echo
    environment: {COLOR: red}
apis:
  - openapi: ./api.yaml
    stage: test
    variables: {self: "${Portico::Host}", word: bird}
"""

API = """\
swagger: "2.0"
info: {title: words, version: "1"}
x-portico-id: words
paths:
  /echo/{word}:
    get:
      responses: {}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${echo.Arn}/invocations
  /plain:
    get:
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:echo/invocations
        requestTemplates:
          application/json: '{"pathParameters": {"word": "$stageVariables.word"}, "requestContext": {"stage": "$context.stage"}}'
        responses:
          default:
            statusCode: "200"
            responseTemplates: {application/json: "$input.path('$.body')"}
  /health:
    get:
      responses: {}
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://${stageVariables.self}/_portico/health
"""

ECHO = """\
import json, os

def handler(event, context):
    body = {"word": event["pathParameters"]["word"], "color": os.environ["COLOR"], "version": 1}
    return {"statusCode": 200, "body": json.dumps(body)}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    (folder / "echo").mkdir(parents=True)
    (folder / "echo" / "app.py").write_text(ECHO)
    (folder / "api.yaml").write_text(API)
    (folder / "portico.yaml").write_text(PROJECT)
    return folder


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    """Extra `portico serve` arguments naming the store."""
    if request.param == "sqlite":
        yield []
        return
    need_pg()
    schema = PgSchema()
    try:
        yield ["--store", schema.create()]
    finally:
        schema.drop()


def test_functions_and_routes_hot_reload_and_restarts(project: Path, tmp_path: Path, store: list[str]):
    data = tmp_path / "data"
    first = Served(data, str(project / "portico.yaml"), *store)
    try:
        assert list(first.stages) == [("words", "test")]
        base = first.base("test")
        assert call(base + "echo/cat") == (200, {"word": "cat", "color": "red", "version": 1})
        assert call(base + "plain") == (200, {"word": "bird", "color": "red", "version": 1})
        status, health = call(base + "health")
        assert status == 200 and health["status"] == "ok"
        config = first.client("lambda").get_function_configuration(FunctionName="echo")
        assert config["Environment"]["Variables"] == {"COLOR": "red"}
        app = project / "echo" / "app.py"
        app.write_text(app.read_text().replace('"version": 1', '"version": 2'))
        assert eventually(base + "echo/cat", lambda body: body["version"] == 2)["word"] == "cat"
        apigw = first.client("apigateway")
        deployment = apigw.get_stage(restApiId="words", stageName="test")["deploymentId"]
    finally:
        first.stop()
    assert not first.warnings()

    (project / "portico.yaml").write_text(PROJECT.replace("COLOR: red", "COLOR: green"))
    second = Served(data, str(project / "portico.yaml"), *store)
    try:
        apigw, lam = second.client("apigateway"), second.client("lambda")
        assert [a["id"] for a in apigw.get_rest_apis()["items"]] == ["words"]
        assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["echo"]
        assert [d["id"] for d in apigw.get_deployments(restApiId="words")["items"]] == [deployment]
        stage = apigw.get_stage(restApiId="words", stageName="test")
        assert stage["variables"] == {"self": second.url.removeprefix("http://"), "word": "bird"}
        assert call(second.base("test") + "echo/cat") == (
            200,
            {"word": "cat", "color": "green", "version": 2},
        )
        status, health = call(second.base("test") + "health")  # the new port
        assert status == 200 and health["status"] == "ok"
    finally:
        second.stop()


def test_a_changed_api_is_redeployed_to_its_stage(project: Path, tmp_path: Path):
    data = tmp_path / "data"
    first = Served(data, str(project / "portico.yaml"))
    first.stop()
    (project / "api.yaml").write_text(API.replace("  /plain:", "  /simple:"))
    second = Served(data, str(project / "portico.yaml"))
    try:
        apigw = second.client("apigateway")
        assert len(apigw.get_deployments(restApiId="words")["items"]) == 2
        assert call(second.base("test") + "simple")[0] == 200
        assert call(second.base("test") + "plain")[0] == 403  # Missing Authentication Token
    finally:
        second.stop()


@pytest.mark.parametrize(
    ("file", "old", "new", "fragment"),
    [
        (
            "portico.yaml",
            "    handler: app.handler\n",
            "    handler: app.handler\n    memroy: 256\n",
            "portico.yaml:5: unknown key 'memroy' in functions.echo (expected one of: code, concurrency, "
            "description, environment, handler, memory, runtime, timeout)",
        ),
        ("portico.yaml", "code: ./echo", "code: ./ech", "portico.yaml:5: code directory ./ech not found"),
        ("api.yaml", "${echo.Arn}", "${ekko.Arn}", "api.yaml:11: ${ekko.Arn}: no function ekko in"),
        (
            "portico.yaml",
            "    runtime: python3.12\n",
            "    runtime: python3.12\n    timeout: 0\n",
            "portico.yaml:2: 1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
    ],
)
def test_broken_project_exits_2_naming_the_line(
    project: Path, tmp_path: Path, file: str, old: str, new: str, fragment: str
):
    target = project / file
    assert old in target.read_text()
    target.write_text(target.read_text().replace(old, new))
    result = serve_fails(tmp_path / "data", project / "portico.yaml")
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{project}/{fragment}" in result.stderr, result.stderr
