"""The resources of a CloudFormation template that Portico runs (AWS CloudFormation User Guide,
"AWS::Lambda::Function", "AWS::Lambda::Permission", "Ref" and "Fn::GetAtt" return values); the
API Gateway resources are in cfn_apis.py. Everything else is reported, never silently ignored."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portico.controlplane.lambda_code import LOCAL_BUCKET
from portico.functions.config import function_arn, parse_function_ref, runtime_family
from portico.importers.cfn_apis import ApiPlanner
from portico.importers.cfn_intrinsics import (
    IntrinsicError,
    Resolver,
    Scope,
    is_intrinsic,
    pseudo_parameters,
)
from portico.importers.cfn_yaml import Source
from portico.importers.diagnostics import Path as ItemPath
from portico.importers.errors import ImportFailed
from portico.importers.stack import FunctionSpec, PermissionSpec, Stack, physical_name

FUNCTION = "AWS::Lambda::Function"
PERMISSION = "AWS::Lambda::Permission"
REST_API = "AWS::ApiGateway::RestApi"
DEPLOYMENT = "AWS::ApiGateway::Deployment"
STAGE = "AWS::ApiGateway::Stage"
VERSIONS = ("AWS::Lambda::Version", "AWS::Lambda::Alias")
NOT_ENFORCED = ("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
_ORDER = {FUNCTION: 0, REST_API: 1, DEPLOYMENT: 2, STAGE: 3, PERMISSION: 4}

# CloudFormation property -> CreateFunction parameter
_FUNCTION_MEMBERS = {
    "FunctionName": "FunctionName",
    "Runtime": "Runtime",
    "Handler": "Handler",
    "Timeout": "Timeout",
    "MemorySize": "MemorySize",
    "Environment": "Environment",
    "Description": "Description",
    "Role": "Role",
    "Architectures": "Architectures",
    "EphemeralStorage": "EphemeralStorage",
    "TracingConfig": "TracingConfig",
    "KmsKeyArn": "KMSKeyArn",
    "VpcConfig": "VpcConfig",
    "DeadLetterConfig": "DeadLetterConfig",
    "Layers": "Layers",
    "PackageType": "PackageType",
    "LoggingConfig": "LoggingConfig",
}
_PERMISSION_MEMBERS = (
    "Action",
    "Principal",
    "SourceArn",
    "SourceAccount",
    "EventSourceToken",
    "PrincipalOrgID",
    "FunctionUrlAuthType",
)


@dataclass
class StackContext:
    name: str  # the stack name (AWS::StackName, and the prefix of generated names)
    region: str
    account_id: str
    base_dir: Path  # relative code and definition paths start here
    local_code: dict[str, str] = field(default_factory=dict)  # portico-local S3 keys -> directories
    parameters: dict[str, Any] = field(default_factory=dict)  # parameter overrides


class Planner:
    """Turns a CloudFormation template (already free of SAM) into a Stack."""

    def __init__(self, template: dict[str, Any], source: Source, ctx: StackContext) -> None:
        self.template = template
        self.source = source
        self.ctx = ctx
        self.resources = _resources(template, source)
        self.stack = Stack()
        self._names: dict[str, str] = {}
        self._naming: set[str] = set()
        self.resolver = Resolver(
            Scope(
                self._parameters(),
                self._ref,
                self._attribute,
                template.get("Mappings") or {},
                template.get("Conditions") or {},
            )
        )
        self.apis = ApiPlanner(self)

    # -- the whole template ------------------------------------------------------------------

    def plan(self) -> Stack:
        unsupported: list[str] = []
        handlers = {
            FUNCTION: self._function,
            PERMISSION: self._permission,
            REST_API: self.apis.rest_api,
            DEPLOYMENT: self.apis.deployment,
            STAGE: self.apis.stage,
        }
        ordered = sorted(self.resources.items(), key=lambda item: _ORDER.get(item[1]["Type"], 9))
        for logical, resource in ordered:
            if not self._enabled(logical, resource):
                continue
            kind = resource["Type"]
            if kind in handlers:
                self.guard(lambda h=handlers[kind], lg=logical, r=resource: h(lg, r), ("Resources", logical))
            elif kind in VERSIONS:
                self.stack.warnings.append(
                    f"{self.where(('Resources', logical))}: {logical} ({kind}): Portico has no Lambda "
                    "versions or aliases; what refers to it calls the function's $LATEST"
                )
            elif kind in NOT_ENFORCED:
                self.stack.notes.append(f"{logical} ({kind}): IAM is not enforced by Portico")
            else:
                unsupported.append(self.source.listing(logical, kind))
        if unsupported:
            self.stack.warnings.append(
                f"{self.source.name}: resources Portico does not support, ignored: " + ", ".join(unsupported)
            )
        self.apis.finish()
        return self.stack

    def guard(self, step: Any, path: ItemPath) -> Any:
        try:
            return step()
        except IntrinsicError as exc:
            raise ImportFailed(f"{self.where(exc.path or path)}: {exc.message}") from None

    def _enabled(self, logical: str, resource: dict[str, Any]) -> bool:
        condition = resource.get("Condition")
        if condition is None:
            return True
        return bool(self.guard(lambda: self.resolver.condition(str(condition)), ("Resources", logical)))

    def where(self, path: ItemPath) -> str:
        return self.source.where(path, exact=2 if path[:1] == ("Resources",) else 0)

    def properties(self, logical: str, resource: dict[str, Any]) -> dict[str, Any]:
        """The resource's Properties with every intrinsic function resolved."""
        path = ("Resources", logical, "Properties")
        props = self.resolver.resolve(resource.get("Properties") or {}, path)
        if not isinstance(props, dict):
            raise ImportFailed(f"{self.where(path)}: {logical}: Properties must be an object")
        return props

    def not_applied(self, logical: str, kind: str, props: dict[str, Any], known: Any) -> None:
        extra = sorted(k for k in props if k not in known)
        if extra:
            self.stack.warnings.append(
                f"{self.where(('Resources', logical, 'Properties', extra[0]))}: {logical} ({kind}): "
                f"properties Portico does not apply: {', '.join(extra)}"
            )

    # -- names and attributes ----------------------------------------------------------------

    def _parameters(self) -> dict[str, Any]:
        values = pseudo_parameters(self.ctx.region, self.ctx.account_id, self.ctx.name)
        for name, spec in (self.template.get("Parameters") or {}).items():
            if name in self.ctx.parameters:
                value = self.ctx.parameters[name]
            elif isinstance(spec, dict) and "Default" in spec:
                value = spec["Default"]
            else:
                raise ImportFailed(
                    f"{self.where(('Parameters', name))}: parameter {name} has no Default value "
                    "(Portico takes parameter values from the template's defaults)"
                )
            kind = str(spec.get("Type", "String")) if isinstance(spec, dict) else "String"
            if isinstance(value, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")):
                value = [v.strip() for v in value.split(",")]
            values[name] = value
        return values

    def function_name(self, logical: str) -> str:
        if logical not in self._names:
            if logical in self._naming:
                raise IntrinsicError(f"circular reference in the FunctionName of {logical}")
            self._naming.add(logical)
            try:
                raw = (self.resources[logical].get("Properties") or {}).get("FunctionName")
                path = ("Resources", logical, "Properties", "FunctionName")
                name = self.resolver.resolve(raw, path) if raw is not None else None
            finally:
                self._naming.discard(logical)
            self._names[logical] = str(name) if name else physical_name(self.ctx.name, logical)
        return self._names[logical]

    def _ref(self, logical: str) -> Any:
        kind = self.resources[logical]["Type"]  # KeyError: unresolved
        if kind == FUNCTION:
            return self.function_name(logical)
        if kind == REST_API:
            return self.apis.api_id(logical)
        if kind == STAGE:
            name = (self.resources[logical].get("Properties") or {}).get("StageName")
            return self.resolver.resolve(name, ("Resources", logical, "Properties", "StageName"))
        if kind == DEPLOYMENT:
            return logical
        if kind in VERSIONS:
            return self._versioned(logical)
        return physical_name(self.ctx.name, logical)

    def _versioned(self, logical: str) -> str:
        """A version or an alias stands for its function (by ARN, as their Ref returns an ARN)."""
        path = ("Resources", logical, "Properties", "FunctionName")
        target = self.resolver.resolve(
            (self.resources[logical].get("Properties") or {}).get("FunctionName"), path
        )
        ref = parse_function_ref(str(target or ""))
        if ref is None:
            raise IntrinsicError(f"{logical}: FunctionName {target!r} is not a function name or ARN")
        return function_arn(self.ctx.region, self.ctx.account_id, ref.name)

    def _attribute(self, logical: str, attribute: str) -> Any:
        kind = self.resources[logical]["Type"]  # KeyError: unresolved
        if kind == FUNCTION:
            if attribute != "Arn":
                raise IntrinsicError(f"Portico does not support Fn::GetAtt {logical}.{attribute}")
            return function_arn(self.ctx.region, self.ctx.account_id, self.function_name(logical))
        if kind == REST_API:
            raise IntrinsicError(f"Portico does not support Fn::GetAtt {logical}.{attribute}")
        if kind in VERSIONS:
            return "$LATEST" if attribute == "Version" else self._versioned(logical)
        name = physical_name(self.ctx.name, logical)
        if attribute != "Arn":
            return f"{name}.{attribute}"
        if kind.startswith("AWS::IAM::"):
            return f"arn:aws:iam::{self.ctx.account_id}:role/{name}"
        service = kind.split("::")[1].lower()
        return f"arn:aws:{service}:{self.ctx.region}:{self.ctx.account_id}:{name}"

    # -- Lambda ------------------------------------------------------------------------------

    def _function(self, logical: str, resource: dict[str, Any]) -> None:
        props = self.properties(logical, resource)
        path = ("Resources", logical, "Properties")
        params: dict[str, Any] = {
            "FunctionName": self.function_name(logical),
            "Role": f"arn:aws:iam::{self.ctx.account_id}:role/{physical_name(self.ctx.name, logical)}",
        }
        for key, member in _FUNCTION_MEMBERS.items():
            if props.get(key) is not None:
                params[member] = props[key]
        for key in ("Timeout", "MemorySize"):
            if key in params:
                params[key] = self._integer(params[key], (*path, key))
        if "Environment" in params:
            variables = (params["Environment"] or {}).get("Variables") or {}
            params["Environment"] = {"Variables": {str(k): _text(v) for k, v in variables.items()}}
        if isinstance(props.get("Tags"), list):
            params["Tags"] = {str(t.get("Key")): str(t.get("Value")) for t in props["Tags"]}
        code_path = (*path, "Code")
        if self.source.line_of((*path, "CodeUri"), exact=4) is not None:  # SAM's name for it
            code_path = (*path, "CodeUri")
        params["Code"] = self._code(props.get("Code"), str(params.get("Runtime") or ""), code_path)
        reserved = props.get("ReservedConcurrentExecutions")
        if reserved is not None:
            reserved = self._integer(reserved, (*path, "ReservedConcurrentExecutions"))
        known = {*_FUNCTION_MEMBERS, "Code", "Tags", "ReservedConcurrentExecutions"}
        self.not_applied(logical, FUNCTION, props, known)
        where = self.where(("Resources", logical))
        self.stack.functions.append(FunctionSpec(params["FunctionName"], params, reserved, where))

    def _code(self, code: Any, runtime: str, path: ItemPath) -> dict[str, Any]:
        if isinstance(code, str):  # a local path, as `aws cloudformation package` takes it
            return self.local_code(code, path)
        if not isinstance(code, dict):
            raise ImportFailed(f"{self.where(path)}: Code must be an object or a local path")
        if code.get("ZipFile") is not None:
            return {"ZipFile": _inline_zip(str(code["ZipFile"]), runtime)}
        if code.get("S3Bucket") == LOCAL_BUCKET:
            key = str(code.get("S3Key") or "")
            return self.local_code(self.ctx.local_code.get(key, key), path)
        return dict(code)

    def local_code(self, location: str, path: ItemPath) -> dict[str, Any]:
        target = (self.ctx.base_dir / location).resolve()
        if target.is_file() and target.suffix == ".zip":
            return {"ZipFile": target.read_bytes()}
        if not target.is_dir():
            raise ImportFailed(f"{self.where(path)}: code directory {location} not found ({target})")
        return {"S3Bucket": LOCAL_BUCKET, "S3Key": str(target)}

    def _integer(self, value: Any, path: ItemPath) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ImportFailed(f"{self.where(path)}: {value!r} is not an integer") from None

    def _permission(self, logical: str, resource: dict[str, Any]) -> None:
        props = self.properties(logical, resource)
        target = str(props.get("FunctionName") or "")
        ref = parse_function_ref(target)
        if ref is None:
            raise ImportFailed(
                f"{self.where(('Resources', logical, 'Properties', 'FunctionName'))}: {logical}: "
                f"FunctionName {target!r} is not a function name or ARN"
            )
        params = {k: props[k] for k in _PERMISSION_MEMBERS if props.get(k) is not None}
        params["StatementId"] = physical_name(self.ctx.name, logical, 100)
        params["FunctionName"] = ref.name
        self.not_applied(logical, PERMISSION, props, {*_PERMISSION_MEMBERS, "FunctionName"})
        where = self.where(("Resources", logical))
        self.stack.permissions.append(PermissionSpec(ref.name, params, where))

    def references(self, value: Any, kind: str) -> str | None:
        """The logical id in `{"Ref": X}` when X is a resource of type `kind`."""
        if is_intrinsic(value) and "Ref" in value:
            target = self.resources.get(str(value["Ref"]))
            if target is not None and target["Type"] == kind:
                return str(value["Ref"])
        return None


def _resources(template: dict[str, Any], source: Source) -> dict[str, dict[str, Any]]:
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise ImportFailed(
            f"{source.where(('Resources',))}: Template format error: at least one Resources member must be defined."
        )
    for logical, resource in resources.items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            raise ImportFailed(
                f"{source.where(('Resources', logical))}: Template format error: [/Resources/{logical}] "
                "Every Resources object must contain a Type member."
            )
    return resources


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _inline_zip(code: str, runtime: str) -> bytes:
    """Inline code as CloudFormation packages it: a file named `index` (index.py, index.js)."""
    family = runtime_family(runtime)
    filename = {"python": "index.py", "nodejs": "index.js"}.get(family or "", "index")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(filename, code)
    return buffer.getvalue()


def plan(template: dict[str, Any], source: Source, ctx: StackContext) -> Stack:
    return Planner(template, source, ctx).plan()
