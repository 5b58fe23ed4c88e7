"""`portico serve FILE` for a SAM or CloudFormation template or a portico.yaml (DESIGN.md section 5):
what kind of file it is, then its functions, APIs and stages applied in one transaction."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from portico.importers import cloudformation, portico_yaml, sam
from portico.importers.cfn_apply import apply_stack
from portico.importers.cfn_yaml import Source, load
from portico.importers.diagnostics import DefinitionError
from portico.importers.errors import ImportFailed
from portico.importers.stack import Stack, stack_name_for
from portico.settings import Settings
from portico.store.base import Store

log = logging.getLogger("portico.import")
OPENAPI, TEMPLATE, PORTICO = "openapi", "template", "portico"
_TEMPLATE_KEYS = {"Resources", "AWSTemplateFormatVersion", "Transform"}
_LOOKS_LIKE_OURS = re.compile(r'^"?(Resources|AWSTemplateFormatVersion|Transform|functions|apis)"?\s*:', re.M)
_LOOKS_LIKE_OPENAPI = re.compile(r'^"?(openapi|swagger)"?\s*:', re.M)


def detect(text: str, path: str = "FILE") -> tuple[str, Any]:
    """The kind of a file and its data. Files that do not parse are left to the OpenAPI reader,
    whose messages name the line, unless they look like a template or a portico.yaml."""
    try:
        data = load(text)
    except DefinitionError as exc:
        if _LOOKS_LIKE_OURS.search(text) and not _LOOKS_LIKE_OPENAPI.search(text):
            raise ImportFailed(f"{path}{f':{exc.line}' if exc.line else ''}: {exc.message}") from None
        return OPENAPI, None
    if isinstance(data, dict) and _TEMPLATE_KEYS & set(data) and not {"openapi", "swagger"} & set(data):
        return TEMPLATE, data
    if portico_yaml.is_portico_yaml(data):
        return PORTICO, data
    return OPENAPI, data


def plan(path: str, text: str, kind: str, data: Any, settings: Settings) -> Stack:
    source = Source(path, text)
    if kind == PORTICO:
        return portico_yaml.plan(data, source, settings)
    base = Path(path).resolve().parent
    ctx = cloudformation.StackContext(
        stack_name_for(path), settings.default_region, settings.account_id, base
    )
    data = sam.include_files(data, base)
    warnings: list[str] = []
    if sam.is_sam(data):
        data, warnings = sam.translate(data, source, ctx)
    stack = cloudformation.plan(data, source, ctx)
    stack.warnings[:0] = warnings
    return stack


async def import_file(store: Store, settings: Settings, path: str, text: str, kind: str, data: Any) -> Stack:
    """Plan and apply the file; logs its warnings. Raises ImportFailed naming file:line."""
    from portico.importers.startup import context

    stack = plan(path, text, kind, data, settings)
    if not stack.functions and not stack.apis:
        raise ImportFailed(f"{path}: nothing Portico can serve (no functions and no REST APIs)")
    async with store.write(settings.default_region) as tx:
        warnings = await apply_stack(context(tx, settings), stack)
    for note in stack.notes:
        log.info("%s: %s", path, note)
    for warning in [*stack.warnings, *warnings]:
        log.warning("%s", warning)
    return stack
