"""SAM templates (AWS SAM Developer Guide, "AWS SAM template anatomy", transform
AWS::Serverless-2016-10-31) made CloudFormation by aws-sam-translator, offline: local CodeUri and
DefinitionUri paths stay local, AWS::Include is read from disk, nothing calls AWS."""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

from portico.controlplane.lambda_code import LOCAL_BUCKET
from portico.importers.cfn_yaml import Source, load
from portico.importers.cloudformation import StackContext
from portico.importers.diagnostics import DefinitionError
from portico.importers.errors import ImportFailed

log = logging.getLogger("portico.import")

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_SERVERLESS = "AWS::Serverless::"
APPLICATION = "AWS::Serverless::Application"


def transforms(template: dict[str, Any]) -> list[str]:
    value = template.get("Transform") or []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def is_sam(template: dict[str, Any]) -> bool:
    if SAM_TRANSFORM in transforms(template):
        return True
    resources = template.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and str(r.get("Type", "")).startswith(_SERVERLESS) for r in resources.values()
    )


def translate(
    template: dict[str, Any], source: Source, ctx: StackContext
) -> tuple[dict[str, Any], list[str]]:
    """The CloudFormation template of a SAM template, and warnings about what was left out.
    Local code paths are recorded in `ctx.local_code` (CodeUri -> Code.S3Key)."""
    others = [t for t in transforms(template) if t != SAM_TRANSFORM]
    if others:
        raise ImportFailed(
            f"{source.where(('Transform',))}: Portico does not support the transform {others[0]}"
        )
    template = copy.deepcopy(template)
    template["Transform"] = SAM_TRANSFORM
    warnings = _drop_applications(template, source)
    _localise(template, ctx)
    return _run_translator(template, source, ctx), warnings


def _drop_applications(template: dict[str, Any], source: Source) -> list[str]:
    """Nested applications would make the translator call the Serverless Application Repository."""
    resources = template.get("Resources") or {}
    dropped = [k for k, r in resources.items() if isinstance(r, dict) and r.get("Type") == APPLICATION]
    for logical in dropped:
        del resources[logical]
    if not dropped:
        return []
    listed = ", ".join(source.listing(k, APPLICATION) for k in dropped)
    return [f"{source.name}: resources Portico does not support, ignored: {listed}"]


def _localise(template: dict[str, Any], ctx: StackContext) -> None:
    """Local paths become what the translator accepts: CodeUri an S3 URI in the portico-local
    bucket (its key is looked up in ctx.local_code), DefinitionUri the definition itself."""
    globals_ = (template.get("Globals") or {}).get("Function")
    if isinstance(globals_, dict):
        _code_uri(globals_, "CodeUri", ctx)
    for resource in (template.get("Resources") or {}).values():
        if not isinstance(resource, dict) or not isinstance(resource.get("Properties"), dict):
            continue
        props, kind = resource["Properties"], resource.get("Type")
        if kind == "AWS::Serverless::Function":
            _code_uri(props, "CodeUri", ctx)
        elif kind == "AWS::Serverless::LayerVersion":
            _code_uri(props, "ContentUri", ctx)
        elif kind in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
            uri = props.get("DefinitionUri")
            if isinstance(uri, str) and not uri.startswith("s3://"):
                props["DefinitionBody"] = load_file(ctx.base_dir / uri)
                del props["DefinitionUri"]
        elif kind == "AWS::Serverless::StateMachine" and isinstance(props.get("DefinitionUri"), str):
            props["DefinitionUri"] = {"Bucket": LOCAL_BUCKET, "Key": props["DefinitionUri"]}


def _code_uri(props: dict[str, Any], key: str, ctx: StackContext) -> None:
    uri = props.get(key)
    if isinstance(uri, str) and not uri.startswith("s3://"):
        token = f"code-{len(ctx.local_code)}"
        ctx.local_code[token] = uri
        props[key] = f"s3://{LOCAL_BUCKET}/{token}"


def load_file(file: Path) -> Any:
    """A local JSON or YAML file (CloudFormation tags allowed), for DefinitionUri and AWS::Include."""
    try:
        return load(file.read_text())
    except OSError as exc:
        raise ImportFailed(f"{file}: cannot read the file: {exc.strerror}") from None
    except DefinitionError as exc:
        raise ImportFailed(f"{file}{f':{exc.line}' if exc.line else ''}: {exc.message}") from None


def include_files(value: Any, base_dir: Path) -> Any:
    """`Fn::Transform: {Name: AWS::Include, Parameters: {Location: ./file}}` replaced by the file."""
    if isinstance(value, dict):
        transform = value.get("Fn::Transform")
        if len(value) == 1 and isinstance(transform, dict) and transform.get("Name") == "AWS::Include":
            location = str((transform.get("Parameters") or {}).get("Location") or "")
            if location.startswith("s3://"):
                raise ImportFailed(f"Portico cannot read AWS::Include from S3 ({location}); use a local path")
            return include_files(load_file(base_dir / location), base_dir)
        return {k: include_files(v, base_dir) for k, v in value.items()}
    if isinstance(value, list):
        return [include_files(v, base_dir) for v in value]
    return value


def _run_translator(template: dict[str, Any], source: Source, ctx: StackContext) -> dict[str, Any]:
    import boto3
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    session = boto3.session.Session(region_name=ctx.region)  # names the region; never used to call AWS
    translator = Translator(None, Parser(), boto_session=session)
    parameters = {"AWS::AccountId": ctx.account_id, "AWS::StackName": ctx.name, **ctx.parameters}
    try:
        translated: dict[str, Any] = translator.translate(
            template, parameter_values=parameters, get_managed_policy_map=lambda: {}
        )
    except InvalidDocumentException as exc:
        raise ImportFailed("\n".join(_describe(cause, source) for cause in exc.causes)) from None
    return translated


def _describe(cause: Any, source: Source) -> str:
    logical = getattr(cause, "_logical_id", None)
    where = source.where(("Resources", logical), exact=2) if isinstance(logical, str) else source.name
    return f"{where}: {cause.message}"
