"""Custom domain names route by Host and base path mapping."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.dataplane.test_routing import call, mock_method

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abcd"


def test_host_and_base_path_routing(server: Any, apigw: Any, api: dict[str, Any]) -> None:
    api_id, root = api["id"], api["rootResourceId"]
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    mock_method(apigw, api_id, pets, "GET", '{"stage":"$context.stage"}')
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    apigw.create_deployment(restApiId=api_id, stageName="beta")
    domain = f"api-{uuid.uuid4().hex[:6]}.example.com"
    apigw.create_domain_name(
        domainName=domain, regionalCertificateArn=CERT, endpointConfiguration={"types": ["REGIONAL"]}
    )
    try:
        apigw.create_base_path_mapping(domainName=domain, restApiId=api_id, stage="prod")  # (none)
        apigw.create_base_path_mapping(domainName=domain, restApiId=api_id, basePath="v2", stage="beta")
        apigw.create_base_path_mapping(domainName=domain, restApiId=api_id, basePath="any")  # no stage
        host = {"Host": f"{domain}:{server.port}"}
        status, _, body = call(f"{server.url}/pets", headers=host)
        assert status == 200 and json.loads(body)["stage"] in ("prod", "$context.stage")
        assert call(f"{server.url}/v2/pets", headers=host)[0] == 200
        assert call(f"{server.url}/any/beta/pets", headers=host)[0] == 200
        assert call(f"{server.url}/any/nostage/pets", headers=host)[0] == 403
        status, _, body = call(f"{server.url}/nothing", headers=host)
        assert (status, body) == (403, b'{"message":"Missing Authentication Token"}')

        apigw.update_rest_api(
            restApiId=api_id,
            patchOperations=[{"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "true"}],
        )
        apigw.create_deployment(restApiId=api_id, stageName="prod")
        assert call(f"{server.url}/_aws/execute-api/{api_id}/prod/pets")[0] == 403
        assert call(f"{server.url}/pets", headers=host)[0] == 200  # the custom domain still serves it
    finally:
        apigw.delete_domain_name(domainName=domain)
    assert call(f"{server.url}/pets", headers={"Host": domain})[0] == 403
