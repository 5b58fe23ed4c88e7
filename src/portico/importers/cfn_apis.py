"""The API Gateway resources of a CloudFormation template (AWS CloudFormation User Guide,
"AWS::ApiGateway::RestApi" (Body, BodyS3Location, Parameters), "AWS::ApiGateway::Deployment",
"AWS::ApiGateway::Stage"): the OpenAPI body goes to the importer, stages are deployed."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from portico.controlplane.lambda_code import LOCAL_BUCKET
from portico.importers.diagnostics import DefinitionError
from portico.importers.diagnostics import Path as ItemPath
from portico.importers.errors import ImportFailed
from portico.importers.openapi import Document, parse
from portico.importers.stack import ApiSpec, EmbeddedDocument, StageSpec, stack_api_id

if TYPE_CHECKING:
    from portico.importers.cloudformation import Planner

REST_API = "AWS::ApiGateway::RestApi"
DEPLOYMENT = "AWS::ApiGateway::Deployment"
STAGE = "AWS::ApiGateway::Stage"
_VALID_ID = re.compile(r"^[a-z0-9]{1,64}$")
_API_PROPERTIES = (
    "Body",
    "BodyS3Location",
    "Name",
    "Description",
    "BinaryMediaTypes",
    "MinimumCompressionSize",
    "ApiKeySourceType",
    "Policy",
    "DisableExecuteApiEndpoint",
    "EndpointConfiguration",
    "Parameters",
    "FailOnWarnings",
    "Mode",
)
# RestApi property -> the OpenAPI extension that carries it into the import
_EXTENSIONS = {
    "BinaryMediaTypes": "x-amazon-apigateway-binary-media-types",
    "MinimumCompressionSize": "x-amazon-apigateway-minimum-compression-size",
    "ApiKeySourceType": "x-amazon-apigateway-api-key-source",
    "Policy": "x-amazon-apigateway-policy",
}


class ApiPlanner:
    def __init__(self, planner: Planner) -> None:
        self.planner = planner
        self.apis: dict[str, ApiSpec] = {}  # by the RestApi's logical id
        self.deployments: dict[str, str] = {}  # Deployment logical id -> RestApi logical id

    def api_id(self, logical: str) -> str:
        if logical in self.apis:
            return self.apis[logical].api_id
        body = (self.planner.resources[logical].get("Properties") or {}).get("Body")
        chosen = body.get("x-portico-id") if isinstance(body, dict) else None
        if isinstance(chosen, str) and _VALID_ID.match(chosen):
            return chosen
        return stack_api_id(self.planner.ctx.name, logical)

    # -- AWS::ApiGateway::RestApi ------------------------------------------------------------

    def rest_api(self, logical: str, resource: dict[str, Any]) -> None:
        planner = self.planner
        props = planner.properties(logical, resource)
        path = ("Resources", logical, "Properties")
        document, source_name = self._definition(logical, props, path)
        data = document.data
        if props.get("Name"):
            data.setdefault("info", {})["title"] = str(props["Name"])
        if props.get("Description") is not None:
            data.setdefault("info", {})["description"] = str(props["Description"])
        for key, extension in _EXTENSIONS.items():
            if props.get(key) is not None:
                data[extension] = props[key]
        if props.get("DisableExecuteApiEndpoint") is not None:
            endpoint = data.setdefault("x-amazon-apigateway-endpoint-configuration", {})
            endpoint["disableExecuteApiEndpoint"] = bool(props["DisableExecuteApiEndpoint"])
        spec = ApiSpec(
            self.api_id(logical),
            document,
            source_name,
            planner.where(("Resources", logical)),
            fail_on_warnings=_flag(props.get("FailOnWarnings")),
            needs_methods="Body" in props or "BodyS3Location" in props,
        )
        types = (props.get("EndpointConfiguration") or {}).get("Types") or []
        if types:
            spec.settings["endpoint"] = str(types[0])
        self._import_parameters(spec, props.get("Parameters") or {})
        planner.not_applied(logical, REST_API, props, _API_PROPERTIES)
        self.apis[logical] = spec

    def _definition(self, logical: str, props: dict[str, Any], path: ItemPath) -> tuple[Document, str]:
        planner = self.planner
        if props.get("Body") is not None:
            body = props["Body"]
            if isinstance(body, str):  # the definition as JSON or YAML text
                return self._parse(body.encode(), planner.where((*path, "Body"))), planner.source.name
            locate = self._locator((*path, "Body"))
            return self._embedded(body, locate, planner.where((*path, "Body"))), planner.source.name
        location = props.get("BodyS3Location")
        if location is not None:
            return self._file(location, (*path, "BodyS3Location"))
        title = str(props.get("Name") or logical)
        data = {"swagger": "2.0", "info": {"title": title, "version": "1.0"}, "paths": {}}
        return EmbeddedDocument(data, "", "2.0"), planner.source.name

    def _locator(self, path: ItemPath) -> Any:
        source = self.planner.source

        def locate(inner: ItemPath) -> int | None:
            return source.line_of((*path, *inner), exact=2)

        return locate

    def _embedded(self, body: Any, locate: Any, where: str) -> Document:
        if not isinstance(body, dict):
            raise ImportFailed(f"{where}: Body must be an OpenAPI object")
        checked = self._parse(json.dumps(body).encode(), where)
        return EmbeddedDocument(checked.data, "", checked.version, locate=locate)

    @staticmethod
    def _parse(text: bytes, where: str) -> Document:
        try:
            return parse(text)
        except DefinitionError as exc:
            raise ImportFailed(f"{where}: {exc.message}") from None

    def _file(self, location: Any, path: ItemPath) -> tuple[Document, str]:
        """BodyS3Location as a local file (what `aws cloudformation package` uploads), or
        `{Bucket: portico-local, Key: path}`."""
        where = self.planner.where(path)
        if isinstance(location, dict):
            if location.get("Bucket") != LOCAL_BUCKET:
                raise ImportFailed(
                    f"{where}: Portico cannot fetch definitions from S3; give BodyS3Location as a "
                    f"local file path (or Bucket {LOCAL_BUCKET} with Key = the path)"
                )
            location = location.get("Key")
        file = (self.planner.ctx.base_dir / str(location)).resolve()
        try:
            text = file.read_bytes()
        except OSError as exc:
            raise ImportFailed(f"{where}: cannot read {file}: {exc.strerror}") from None
        try:
            return parse(text), str(file)
        except DefinitionError as exc:
            line = f":{exc.line}" if exc.line else ""
            raise ImportFailed(f"{file}{line}: {exc.message}") from None

    def _import_parameters(self, spec: ApiSpec, parameters: dict[str, Any]) -> None:
        """RestApi `Parameters`: ImportRestApi's query parameters."""
        for key, value in parameters.items():
            if key == "basepath":
                spec.settings["basepath"] = str(value)
            elif key == "ignore":
                spec.settings["ignore_documentation"] = str(value) == "documentation"
            elif key == "endpointConfigurationTypes":
                spec.settings["endpoint"] = str(value)
            else:
                raise ImportFailed(f"{spec.where}: unknown import parameter {key}")

    # -- AWS::ApiGateway::Deployment and AWS::ApiGateway::Stage ---------------------------------

    def _api_of(self, logical: str, raw: dict[str, Any]) -> str | None:
        """The logical id of the RestApi that `raw` (unresolved properties) refers to."""
        target = self.planner.references(raw.get("RestApiId"), REST_API)
        if target is None or target not in self.apis:
            self.planner.stack.warnings.append(
                f"{self.planner.where(('Resources', logical, 'Properties', 'RestApiId'))}: {logical}: "
                "RestApiId is not a Ref to an AWS::ApiGateway::RestApi of this template; ignored"
            )
            return None
        return target

    def deployment(self, logical: str, resource: dict[str, Any]) -> None:
        props = self.planner.properties(logical, resource)
        target = self._api_of(logical, resource.get("Properties") or {})
        if target is None:
            return
        api = self.apis[target]
        self.deployments[logical] = target
        if props.get("Description") is not None:
            api.description = str(props["Description"])
        stage_props = props.get("StageDescription") or {}
        if props.get("StageName"):
            api.add_stage(self._stage_spec(logical, str(props["StageName"]), stage_props))
        self.planner.not_applied(
            logical, DEPLOYMENT, props, ("RestApiId", "StageName", "Description", "StageDescription")
        )
        if stage_props:
            known = ("Variables", "Description", "TracingEnabled")
            self.planner.not_applied(logical, f"{DEPLOYMENT} StageDescription", stage_props, known)

    def stage(self, logical: str, resource: dict[str, Any]) -> None:
        props = self.planner.properties(logical, resource)
        raw = resource.get("Properties") or {}
        target = self._api_of(logical, raw)
        if target is None:
            return
        api = self.apis[target]
        deployment = self.planner.references(raw.get("DeploymentId"), DEPLOYMENT)
        if raw.get("DeploymentId") is not None and deployment is None:
            self.planner.stack.warnings.append(
                f"{self.planner.where(('Resources', logical, 'Properties', 'DeploymentId'))}: {logical}: "
                "DeploymentId is not a Ref to an AWS::ApiGateway::Deployment of this template; the "
                "stage gets a deployment of the API's current state"
            )
        if not props.get("StageName"):
            raise ImportFailed(
                f"{self.planner.where(('Resources', logical))}: {logical}: StageName is required"
            )
        api.add_stage(self._stage_spec(logical, str(props["StageName"]), props))
        known = ("RestApiId", "DeploymentId", "StageName", "Variables", "Description", "TracingEnabled")
        self.planner.not_applied(logical, STAGE, props, known)

    def _stage_spec(self, logical: str, name: str, props: dict[str, Any]) -> StageSpec:
        variables = props.get("Variables") or {}
        if not isinstance(variables, dict):
            raise ImportFailed(f"{self.planner.where(('Resources', logical))}: Variables must be an object")
        tracing = props.get("TracingEnabled")
        return StageSpec(
            name,
            {str(k): str(v) for k, v in variables.items()},
            str(props["Description"]) if props.get("Description") is not None else None,
            _flag(tracing) if tracing is not None else None,
            self.planner.where(("Resources", logical)),
        )

    def finish(self) -> None:
        self.planner.stack.apis.extend(self.apis.values())


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
