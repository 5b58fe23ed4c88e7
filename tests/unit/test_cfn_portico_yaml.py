"""portico.yaml: strict decoding (unknown keys and wrong types name the line), placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest

from portico.importers import templates
from portico.importers.errors import ImportFailed
from portico.importers.stack import Stack
from portico.settings import Settings

SETTINGS = Settings(listen="0.0.0.0:4711", default_region="eu-west-1", account_id="111122223333", stage="dev")

PROJECT = """\
functions:
  orders:
    runtime: python3.12
    handler: app.handler
    code: ./orders
    timeout: 10
    memory: 256
    concurrency: 2
    environment:
      LEVEL: 3
      DEBUG: true
apis:
  - openapi: ./api.yaml
    stage: v1
    variables: {self: "${Portico::Host}", mode: fast}
  - openapi: ./api.yaml
"""

API = """\
openapi: 3.0.1
info: {title: orders, version: "1"}
paths:
  /orders:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${orders.Arn}/invocations
"""


def project(tmp_path: Path, text: str = PROJECT, api: str = API) -> Path:
    (tmp_path / "orders").mkdir(exist_ok=True)
    (tmp_path / "api.yaml").write_text(api)
    file = tmp_path / "portico.yaml"
    file.write_text(text)
    return file


def plan(file: Path) -> Stack:
    text = file.read_text()
    kind, data = templates.detect(text)
    assert kind == templates.PORTICO
    return templates.plan(str(file), text, kind, data, SETTINGS)


def test_functions_become_create_function_parameters(tmp_path: Path):
    stack = plan(project(tmp_path))
    [fn] = stack.functions
    assert fn.name == "orders"
    assert fn.params == {
        "FunctionName": "orders",
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "Role": "arn:aws:iam::111122223333:role/portico-local",
        "Code": {"S3Bucket": "portico-local", "S3Key": str((tmp_path / "orders").resolve())},
        "Timeout": 10,
        "MemorySize": 256,
        "Environment": {"Variables": {"LEVEL": "3", "DEBUG": "true"}},
    }
    assert fn.reserved == 2
    assert fn.where == f"{tmp_path}/portico.yaml:2"


def test_apis_get_their_placeholders_filled(tmp_path: Path):
    stack = plan(project(tmp_path))
    first, second = stack.apis
    uri = first.document.data["paths"]["/orders"]["get"]["x-amazon-apigateway-integration"]["uri"]
    assert uri == (
        "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:eu-west-1:111122223333:function:orders/invocations"
    )
    assert [(s.name, s.variables) for s in first.stages] == [
        ("v1", {"self": "127.0.0.1:4711", "mode": "fast"})
    ]
    assert [(s.name, s.variables) for s in second.stages] == [("dev", {})]  # --stage
    assert first.api_id == second.api_id  # one file, one API
    assert first.source_name == str((tmp_path / "api.yaml").resolve())
    assert first.document.line_of(("paths", "/orders", "get")) == 5  # lines of api.yaml


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "    timeout: 10\n",
            "    timeout: 10\n    timout: 3\n",
            "portico.yaml:7: unknown key 'timout' in functions.orders",
        ),
        (
            "apis:\n",
            "api:\n",
            "portico.yaml:12: unknown key 'api' in portico.yaml (expected one of: apis, functions)",
        ),
        (
            "    stage: v1\n",
            "    stage: v1\n    stages: [v2]\n",
            "portico.yaml:15: unknown key 'stages' in apis[0]",
        ),
        ("timeout: 10", "timeout: ten", "portico.yaml:6: functions.orders.timeout must be an integer"),
        (
            "concurrency: 2",
            "concurrency: true",
            "portico.yaml:8: functions.orders.concurrency must be an integer",
        ),
        ("    handler: app.handler\n", "", "portico.yaml:2: functions.orders: 'handler' is required"),
        ("code: ./orders", "code: ./nowhere", "portico.yaml:5: code directory ./nowhere not found"),
        (
            "      DEBUG: true\n",
            "      DEBUG: [1]\n",
            "portico.yaml:11: DEBUG must be a string, a number or a boolean",
        ),
        ("  - openapi: ./api.yaml\n", "  - stage: x\n", "portico.yaml:13: apis[0]: 'openapi' is required"),
        ("  orders:\n", "  orders list:\n", "portico.yaml:2: function name 'orders list' must be"),
        ("functions:\n", "functions: [a]\nx:\n", "portico.yaml:1: portico.yaml.functions must be a mapping"),
    ],
)
def test_strict_decoding_names_the_line(tmp_path: Path, old: str, new: str, fragment: str):
    assert old in PROJECT
    file = project(tmp_path, PROJECT.replace(old, new, 1))
    with pytest.raises(ImportFailed) as info:
        plan(file)
    assert f"{tmp_path}/{fragment}" in str(info.value)


def test_unknown_function_placeholder_names_the_openapi_line(tmp_path: Path):
    file = project(tmp_path, api=API.replace("${orders.Arn}", "${order.Arn}"))
    with pytest.raises(ImportFailed) as info:
        plan(file)
    assert str(info.value) == f"{tmp_path.resolve()}/api.yaml:9: ${{order.Arn}}: no function order in {file}"


def test_broken_openapi_names_its_own_line(tmp_path: Path):
    file = project(tmp_path, api=API.replace("paths:\n", "paths: [\n"))
    with pytest.raises(ImportFailed) as info:
        plan(file)
    assert f"{tmp_path.resolve()}/api.yaml:" in str(info.value)
    assert "invalid YAML" in str(info.value)
