"""Lambda authorizers of REST APIs through a real server and real Python authorizer functions:
TOKEN and REQUEST types, identity sources, caching, policies, context, TestInvokeAuthorizer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    ApiGatewayAuthorizerRequest,
    ApiGatewayAuthorizerToken,
    APIGatewayProxyEventModel,
)

from tests.conftest import RunningServer, start_server
from tests.dataplane.test_routing import call
from tests.functions.conftest import ROLE, make_zip

AUTHORIZERS = """
import json, os

def _record(kind, identity, event):
    with open(os.environ["COUNT_FILE"], "a") as f:
        f.write(json.dumps({"kind": kind, "identity": identity, "event": event}) + "\\n")

def _policy(effect, resource, principal="user-1", context=None):
    answer = {"principalId": principal, "policyDocument": {"Version": "2012-10-17",
              "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}}
    if context is not None:
        answer["context"] = context
    return answer

def token(event, context):
    tok, arn = event["authorizationToken"], event["methodArn"]
    _record("token", tok, event)
    word = tok.split(" ")[1].split("-")[0]
    if word == "allow":
        return _policy("Allow", arn, "user-1", {"tier": "gold", "n": 7, "admin": True})
    if word == "deny":
        return _policy("Deny", arn)
    if word == "elsewhere":
        return _policy("Allow", "arn:aws:execute-api:us-east-1:123456789012:nothing/*/GET/")
    if word == "petsget":
        api_and_stage = "/".join(arn.split("/")[:2])
        return _policy("Allow", api_and_stage + "/GET/pets/*", "reader")
    if word == "broken":
        return {"principalId": "x", "policyDocument": {"Statement": [{"Effect": "Allow"}]}}
    if word == "crash":
        raise ValueError("boom")
    raise Exception("Unauthorized")

def request(event, context):
    headers = {k.lower(): v for k, v in event["headers"].items()}
    _record("request", headers.get("x-tenant"), event)
    if headers.get("x-tenant") != "acme":
        raise Exception("Unauthorized")
    return _policy("Allow", event["methodArn"], "tenant-acme",
                   {"tenant": headers["x-tenant"], "key": event["queryStringParameters"]["key"]})

def echo(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""

MOCK_TEMPLATE = (
    '{"principal": "$context.authorizer.principalId", "tier": "$context.authorizer.tier", '
    '"n": "$context.authorizer.n", "admin": "$context.authorizer.admin", '
    '"tenant": "$context.authorizer.tenant", "key": "$context.authorizer.key"}'
)
TOKEN_SOURCE = "method.request.header.Authorization"
EXPLICIT_DENY = b'{"Message":"User is not authorized to access this resource with an explicit deny"}'
NOT_AUTHORIZED = b'{"Message":"User is not authorized to access this resource"}'


def uri(arn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


@pytest.fixture(scope="module")
def aserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    srv = start_server(tmp_path_factory.mktemp("portico-auth"))
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("authorizer-calls") / "calls.jsonl"


@pytest.fixture(scope="module")
def functions(aserver: RunningServer, record: Path) -> dict[str, str]:
    lam = aserver.client("lambda")
    arns = {}
    for handler in ("token", "request", "echo"):
        arns[handler] = lam.create_function(
            FunctionName=f"{handler}-{uuid.uuid4().hex[:6]}",
            Runtime="python3.11",
            Role=ROLE,
            Handler=f"app.{handler}",
            Code={"ZipFile": make_zip({"app.py": AUTHORIZERS})},
            Environment={"Variables": {"COUNT_FILE": str(record)}},
            Timeout=10,
        )["FunctionArn"]
    return arns


def calls(record: Path, identity: str) -> list[dict[str, Any]]:
    """The authorizer invocations that saw `identity` (token or X-Tenant header)."""
    if not record.exists():
        return []
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    return [line for line in lines if line["identity"] == identity]


class Api:
    """One REST API with authorizers and methods, deployed to stage `dev`."""

    def __init__(self, srv: RunningServer, functions: dict[str, str]) -> None:
        self.apigw = srv.client()
        api = self.apigw.create_rest_api(name=f"auth-{uuid.uuid4().hex[:6]}")
        self.id, self.root = api["id"], api["rootResourceId"]
        self.functions = functions
        self.base = f"{srv.url}/_aws/execute-api/{self.id}/dev"
        self.authorizers: dict[str, str] = {}

    def authorizer(self, name: str, ttl: int, kind: str = "TOKEN", **kw: Any) -> str:
        handler = "token" if kind == "TOKEN" else "request"
        params: dict[str, Any] = {"identitySource": TOKEN_SOURCE} if kind == "TOKEN" else {}
        params.update(kw)
        self.authorizers[name] = self.apigw.create_authorizer(
            restApiId=self.id,
            name=name,
            type=kind,
            authorizerUri=uri(self.functions[handler]),
            authorizerResultTtlInSeconds=ttl,
            **params,
        )["id"]
        return self.authorizers[name]

    def resource(self, path: str) -> str:
        parent = self.root
        for part in path.strip("/").split("/"):
            found = [
                r
                for r in self.apigw.get_resources(restApiId=self.id, limit=500)["items"]
                if r.get("parentId") == parent and r.get("pathPart") == part
            ]
            parent = (
                found[0]["id"]
                if found
                else self.apigw.create_resource(restApiId=self.id, parentId=parent, pathPart=part)["id"]
            )
        return parent

    def mock(self, path: str, verb: str, authorizer: str, **method: Any) -> None:
        res = self.resource(path)
        self.apigw.put_method(
            restApiId=self.id,
            resourceId=res,
            httpMethod=verb,
            authorizationType="CUSTOM",
            authorizerId=self.authorizers[authorizer],
            **method,
        )
        self.apigw.put_integration(
            restApiId=self.id,
            resourceId=res,
            httpMethod=verb,
            type="MOCK",
            requestTemplates={"application/json": '{"statusCode": 200}'},
        )
        self.apigw.put_method_response(restApiId=self.id, resourceId=res, httpMethod=verb, statusCode="200")
        self.apigw.put_integration_response(
            restApiId=self.id,
            resourceId=res,
            httpMethod=verb,
            statusCode="200",
            responseTemplates={"application/json": MOCK_TEMPLATE},
        )

    def proxy(self, path: str, authorizer: str) -> None:
        res = self.resource(path)
        self.apigw.put_method(
            restApiId=self.id,
            resourceId=res,
            httpMethod="GET",
            authorizationType="CUSTOM",
            authorizerId=self.authorizers[authorizer],
        )
        self.apigw.put_integration(
            restApiId=self.id,
            resourceId=res,
            httpMethod="GET",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=uri(self.functions["echo"]),
        )

    def deploy(self) -> Api:
        self.apigw.create_deployment(restApiId=self.id, stageName="dev")
        return self


@pytest.fixture(scope="module")
def api(aserver: RunningServer, functions: dict[str, str]) -> Api:
    api = Api(aserver, functions)
    api.authorizer("fresh", 0, identityValidationExpression="^Bearer [-0-9a-zA-Z._]+$")
    api.authorizer("cached", 300)
    api.authorizer(
        "req", 300, "REQUEST", identitySource="method.request.header.X-Tenant, method.request.querystring.key"
    )
    validator = api.apigw.create_request_validator(
        restApiId=api.id, name="params", validateRequestParameters=True
    )["id"]
    api.mock("/pets", "GET", "fresh")
    api.mock("/pets/{id}", "ANY", "cached")
    api.mock("/cached", "GET", "cached")
    api.mock("/tenant", "GET", "req")
    api.mock(
        "/validated",
        "GET",
        "fresh",
        requestValidatorId=validator,
        requestParameters={"method.request.header.X-Need": True},
    )
    api.proxy("/proxy", "fresh")
    return api.deploy()


def token(word: str) -> str:
    """A unique token the authorizer function reads as `word`."""
    return f"Bearer {word}-{uuid.uuid4().hex[:8]}"


def test_token_allow_puts_principal_and_context_in_context_authorizer(api: Api, record: Path) -> None:
    tok = token("allow")
    status, _, body = call(f"{api.base}/pets", headers={"Authorization": tok})
    assert status == 200, body
    assert json.loads(body) == {
        "principal": "user-1",
        "tier": "gold",
        "n": "7",
        "admin": "true",
        "tenant": "",
        "key": "",
    }
    [seen] = calls(record, tok)
    event = ApiGatewayAuthorizerToken.model_validate(seen["event"])
    assert event.methodArn == f"arn:aws:execute-api:us-east-1:123456789012:{api.id}/dev/GET/pets"


def test_explicit_deny_is_403(api: Api) -> None:
    status, headers, body = call(f"{api.base}/pets", headers={"Authorization": token("deny")})
    assert (status, body) == (403, EXPLICIT_DENY)
    assert headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_policy_not_covering_the_method_is_403(api: Api) -> None:
    status, headers, body = call(f"{api.base}/pets", headers={"Authorization": token("elsewhere")})
    assert (status, body) == (403, NOT_AUTHORIZED)
    assert headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_function_saying_unauthorized_is_401(api: Api, record: Path) -> None:
    tok = token("nobody")
    status, headers, body = call(f"{api.base}/pets", headers={"Authorization": tok})
    assert (status, body) == (401, b'{"message":"Unauthorized"}')
    assert headers["x-amzn-ErrorType"] == "UnauthorizedException"
    assert len(calls(record, tok)) == 1


def test_missing_token_is_401_without_calling_the_function(api: Api, record: Path) -> None:
    before = record.read_text() if record.exists() else ""
    status, headers, body = call(f"{api.base}/pets")
    assert (status, body) == (401, b'{"message":"Unauthorized"}')
    assert headers["x-amzn-ErrorType"] == "UnauthorizedException"
    assert (record.read_text() if record.exists() else "") == before


def test_token_not_matching_validation_expression_is_401_without_calling(api: Api, record: Path) -> None:
    tok = f"Basic allow-{uuid.uuid4().hex[:8]}"
    status, _, body = call(f"{api.base}/pets", headers={"Authorization": tok})
    assert (status, body) == (401, b'{"message":"Unauthorized"}')
    assert calls(record, tok) == []


@pytest.mark.parametrize("word", ["crash", "broken"])
def test_function_error_or_malformed_answer_is_500_null_message(api: Api, word: str) -> None:
    status, headers, body = call(f"{api.base}/pets", headers={"Authorization": token(word)})
    assert (status, body) == (500, b'{"message": null}')
    assert headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"


def test_authorizer_runs_before_request_validation(api: Api) -> None:
    assert call(f"{api.base}/validated")[0] == 401
    status, _, body = call(f"{api.base}/validated", headers={"Authorization": token("allow")})
    assert (status, json.loads(body)) == (400, {"message": "Missing required request parameters: [X-Need]"})


def test_ttl_caches_results_per_token(api: Api, record: Path) -> None:
    tok = token("allow")
    for _ in range(3):
        assert call(f"{api.base}/cached", headers={"Authorization": tok})[0] == 200
    assert len(calls(record, tok)) == 1
    other = token("allow")
    assert call(f"{api.base}/cached", headers={"Authorization": other})[0] == 200
    assert len(calls(record, other)) == 1


def test_ttl_zero_invokes_every_time(api: Api, record: Path) -> None:
    tok = token("allow")
    for _ in range(2):
        assert call(f"{api.base}/pets", headers={"Authorization": tok})[0] == 200
    assert len(calls(record, tok)) == 2


def test_cached_policy_is_evaluated_against_each_method(api: Api, record: Path) -> None:
    tok = token("petsget")
    status, _, body = call(f"{api.base}/pets/1", headers={"Authorization": tok})
    assert (status, json.loads(body)["principal"]) == (200, "reader")
    status, _, body = call(f"{api.base}/pets/1", "POST", {"Authorization": tok})
    assert (status, body) == (403, NOT_AUTHORIZED)
    assert call(f"{api.base}/pets/2/", headers={"Authorization": tok})[0] == 200
    assert len(calls(record, tok)) == 1  # one answer, cached, evaluated three times


def test_lambda_proxy_event_carries_the_authorizer(api: Api) -> None:
    status, _, body = call(f"{api.base}/proxy", headers={"Authorization": token("allow")})
    assert status == 200, body
    event = json.loads(body)
    APIGatewayProxyEventModel.model_validate(event)
    authorizer = event["requestContext"]["authorizer"]
    latency = authorizer.pop("integrationLatency")
    assert isinstance(latency, int) and latency >= 0
    assert authorizer == {"principalId": "user-1", "tier": "gold", "n": "7", "admin": "true"}


def test_request_authorizer_header_and_query_sources(api: Api, record: Path) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    assert call(f"{api.base}/tenant?key=k1", headers={"X-Tenant": tenant})[0] == 401  # function says no
    [seen] = calls(record, tenant)
    event = ApiGatewayAuthorizerRequest.model_validate(seen["event"])
    assert event.methodArn.endswith(f"{api.id}/dev/GET/tenant")
    assert event.queryStringParameters == {"key": "k1"}
    assert event.requestContext.stage == "dev" and event.resource == "/tenant"


def test_request_authorizer_missing_source_is_401_without_calling(api: Api, record: Path) -> None:
    before = len(calls(record, "acme"))
    assert call(f"{api.base}/tenant", headers={"X-Tenant": "acme"})[0] == 401
    assert call(f"{api.base}/tenant?key=", headers={"X-Tenant": "acme"})[0] == 401
    assert len(calls(record, "acme")) == before
    status, _, body = call(f"{api.base}/tenant?key=k-{uuid.uuid4().hex[:6]}", headers={"X-Tenant": "acme"})
    assert status == 200
    doc = json.loads(body)
    assert (doc["principal"], doc["tenant"]) == ("tenant-acme", "acme")
    assert len(calls(record, "acme")) == before + 1


def test_request_authorizer_caches_by_all_sources(api: Api, record: Path) -> None:
    key = f"k-{uuid.uuid4().hex[:6]}"
    before = len(calls(record, "acme"))
    for _ in range(2):
        assert call(f"{api.base}/tenant?key={key}", headers={"X-Tenant": "acme"})[0] == 200
    assert len(calls(record, "acme")) == before + 1
    assert call(f"{api.base}/tenant?key={key}x", headers={"X-Tenant": "acme"})[0] == 200
    assert len(calls(record, "acme")) == before + 2


def test_flush_stage_authorizers_cache(api: Api, record: Path) -> None:
    tok = token("allow")
    assert call(f"{api.base}/cached", headers={"Authorization": tok})[0] == 200
    api.apigw.flush_stage_authorizers_cache(restApiId=api.id, stageName="dev")
    assert call(f"{api.base}/cached", headers={"Authorization": tok})[0] == 200
    assert len(calls(record, tok)) == 2


# TestInvokeAuthorizer


def test_invoke_authorizer_allow(api: Api, record: Path) -> None:
    tok = token("allow")
    out = api.apigw.test_invoke_authorizer(
        restApiId=api.id, authorizerId=api.authorizers["cached"], headers={"Authorization": tok}
    )
    assert out["clientStatus"] == 200
    assert out["principalId"] == "user-1"
    policy = json.loads(out["policy"])
    assert policy["Statement"][0]["Effect"] == "Allow"
    arn = f"arn:aws:execute-api:us-east-1:123456789012:{api.id}/ESTestInvoke-stage/GET/"
    assert policy["Statement"][0]["Resource"] == arn
    assert out["authorization"] == {"tier": ["gold"], "n": ["7"], "admin": ["true"]}
    assert out["log"].startswith("Execution log for request ")
    assert f"Starting authorizer: {api.authorizers['cached']}" in out["log"]
    assert "Successfully completed authorizer execution" in out["log"]
    assert out["latency"] >= 0
    api.apigw.test_invoke_authorizer(
        restApiId=api.id, authorizerId=api.authorizers["cached"], headers={"Authorization": tok}
    )
    assert len(calls(record, tok)) == 2  # no result cache in tests


@pytest.mark.parametrize(("word", "status"), [("nobody", 401), ("deny", 403), ("crash", 500)])
def test_invoke_authorizer_refusals(api: Api, word: str, status: int) -> None:
    out = api.apigw.test_invoke_authorizer(
        restApiId=api.id, authorizerId=api.authorizers["fresh"], headers={"Authorization": token(word)}
    )
    assert out["clientStatus"] == status
    if word == "deny":
        assert json.loads(out["policy"])["Statement"][0]["Effect"] == "Deny"
    if word == "crash":
        assert "AuthorizerConfigurationException" in out["log"]


def test_invoke_authorizer_missing_identity(api: Api) -> None:
    out = api.apigw.test_invoke_authorizer(restApiId=api.id, authorizerId=api.authorizers["fresh"])
    assert out["clientStatus"] == 401 and "principalId" not in out


def test_invoke_request_authorizer_with_path_query_and_multi_value_headers(api: Api) -> None:
    out = api.apigw.test_invoke_authorizer(
        restApiId=api.id,
        authorizerId=api.authorizers["req"],
        multiValueHeaders={"X-Tenant": ["acme"]},
        pathWithQueryString="/tenant?key=zz",
        stageVariables={"v": "1"},
    )
    assert out["clientStatus"] == 200
    assert (out["principalId"], out["authorization"]) == ("tenant-acme", {"tenant": ["acme"], "key": ["zz"]})


def test_invoke_authorizer_unknown_ids(api: Api) -> None:
    apigw = api.apigw
    with pytest.raises(apigw.exceptions.NotFoundException, match="Invalid Authorizer identifier specified"):
        apigw.test_invoke_authorizer(restApiId=api.id, authorizerId="nope00")
    with pytest.raises(apigw.exceptions.NotFoundException):
        apigw.test_invoke_authorizer(restApiId="nope000000", authorizerId=api.authorizers["fresh"])


def test_invoke_authorizer_with_the_aws_cli(aserver: RunningServer, api: Api) -> None:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": "/dev/null",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "awscli",
            "apigateway",
            "test-invoke-authorizer",
            "--rest-api-id",
            api.id,
            "--authorizer-id",
            api.authorizers["fresh"],
            "--headers",
            f"Authorization={token('allow')}",
            "--endpoint-url",
            aserver.url,
            "--region",
            "us-east-1",
            "--output",
            "json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = json.loads(done.stdout)
    assert (out["clientStatus"], out["principalId"]) == (200, "user-1")


def test_invoke_cognito_authorizer_is_refused_loudly(api: Api) -> None:
    apigw = api.apigw
    pool = apigw.create_authorizer(
        restApiId=api.id,
        name="pool",
        type="COGNITO_USER_POOLS",
        providerARNs=["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"],
        identitySource=TOKEN_SOURCE,
    )["id"]
    with pytest.raises(apigw.exceptions.BadRequestException, match="COGNITO_USER_POOLS"):
        apigw.test_invoke_authorizer(restApiId=api.id, authorizerId=pool, headers={"Authorization": "x"})
