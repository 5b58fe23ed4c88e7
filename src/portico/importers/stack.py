"""What a template or a portico.yaml asks for, in Lambda and API Gateway terms (AWS CloudFormation
User Guide, "AWS::Lambda::Function", "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage")."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portico.importers.diagnostics import Path as ItemPath
from portico.importers.openapi import Document

_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]+")
IMPORT_SETTINGS: dict[str, Any] = {"basepath": "ignore", "ignore_documentation": False, "endpoint": None}


@dataclass
class EmbeddedDocument(Document):
    """An OpenAPI definition that is part of a larger file (a template's `Body`): line numbers are
    looked up in that file."""

    locate: Callable[[ItemPath], int | None] = field(default=lambda path: None, repr=False)

    def line_of(self, path: ItemPath) -> int | None:
        return self.locate(path)


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    params: dict[str, Any]  # CreateFunction's parameters
    reserved: int | None  # ReservedConcurrentExecutions
    where: str  # file:line, for messages


@dataclass(frozen=True, slots=True)
class StageSpec:
    name: str
    variables: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    tracing: bool | None = None
    where: str = ""


@dataclass(slots=True)
class ApiSpec:
    api_id: str
    document: Document
    source_name: str  # the file that `document.line_of` numbers lines of
    where: str
    settings: dict[str, Any] = field(default_factory=lambda: dict(IMPORT_SETTINGS))
    stages: list[StageSpec] = field(default_factory=list)
    description: str | None = None  # of the deployment
    fail_on_warnings: bool = False
    needs_methods: bool = True  # False: an API without methods is left undeployed, with a warning

    def add_stage(self, stage: StageSpec) -> None:
        """Stages named twice (a Deployment's StageName and a Stage) merge, the later one winning."""
        for i, known in enumerate(self.stages):
            if known.name == stage.name:
                self.stages[i] = StageSpec(
                    stage.name,
                    {**known.variables, **stage.variables},
                    stage.description if stage.description is not None else known.description,
                    stage.tracing if stage.tracing is not None else known.tracing,
                    stage.where or known.where,
                )
                return
        self.stages.append(stage)


@dataclass(frozen=True, slots=True)
class PermissionSpec:
    function: str
    params: dict[str, Any]  # AddPermission's parameters (StatementId included)
    where: str


@dataclass(slots=True)
class Stack:
    functions: list[FunctionSpec] = field(default_factory=list)
    apis: list[ApiSpec] = field(default_factory=list)
    permissions: list[PermissionSpec] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # "file:line: message"
    notes: list[str] = field(default_factory=list)  # logged at INFO


def physical_name(stack: str, logical: str, limit: int = 64) -> str:
    """The name CloudFormation would give a resource without an explicit name, minus its random
    suffix (so a restart finds the same resource): `STACK-LogicalId`."""
    return _NAME_CHARS.sub("-", f"{stack}-{logical}")[:limit]


def stack_api_id(stack: str, logical: str) -> str:
    """A stable REST API id for a template's API: the same stack and logical id, the same API."""
    return hashlib.sha256(f"{stack}/{logical}".encode()).hexdigest()[:10]


def stack_name_for(path: str) -> str:
    """A stack name from the template's location: the name of its directory (`sam-app` for
    `sam-app/template.yaml`), as `sam init` projects are named."""
    folder = Path(path).resolve().parent.name
    name = re.sub(r"[^A-Za-z0-9-]+", "-", folder).strip("-")
    if not name or not name[0].isalpha():
        name = f"portico-{name}" if name else "portico"
    return name[:128]
