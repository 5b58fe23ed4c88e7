"""UpdateUsagePlan's patch paths (API Gateway REST API reference: UpdateUsagePlan; Developer Guide,
"Manage a usage plan by using the AWS CLI").

Plain members: `/name`, `/description`, `/productCode`, `/throttle/burstLimit`, `/throttle/rateLimit`,
`/quota/limit`, `/quota/offset`, `/quota/period` (replace), `/throttle`, `/quota` (remove).
API stages: `add|remove /apiStages` with value `{apiId}:{stage}`; method throttling:
`replace /apiStages/{apiId}:{stage}/throttle/{resourcePath}/{httpMethod}/rateLimit|burstLimit`,
`remove /apiStages/{apiId}:{stage}/throttle/{resourcePath}/{httpMethod}`,
`replace|remove /apiStages/{apiId}:{stage}/throttle` (the value is the whole map as JSON).
The resource path may be written with `~1` for `/`, as JSON Pointer escapes it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from portico.controlplane.errors import BadRequestException
from portico.controlplane.fieldpatch import Field, PatchOp, apply_field, as_float, as_int, parse_ops

Doc = dict[str, Any]

FIELDS = {
    "/name": Field(),
    "/description": Field(ops=("replace", "remove")),
    "/productCode": Field(ops=("replace", "remove")),
    "/throttle": Field(ops=("remove",)),
    "/throttle/burstLimit": Field(ops=("add", "replace"), convert=as_int),
    "/throttle/rateLimit": Field(ops=("add", "replace"), convert=as_float),
    "/quota": Field(ops=("remove",)),
    "/quota/limit": Field(ops=("add", "replace"), convert=as_int),
    "/quota/offset": Field(ops=("add", "replace"), convert=as_int),
    "/quota/period": Field(ops=("add", "replace")),
    "/apiStages": Field(ops=("add", "remove")),
}
_LIMITS = {"rateLimit": as_float, "burstLimit": as_int}


def method_key(escaped: str) -> str:
    """`~1pets/GET` or `/pets/GET` (the part after `/throttle/`) -> `/pets/GET`."""
    key = escaped.replace("~1", "/").replace("~0", "~")
    return key if key.startswith("/") else "/" + key


def _stage(plan: Doc, ident: str) -> Doc:
    for stage in plan.get("apiStages") or []:
        if f"{stage['apiId']}:{stage['stage']}" == ident:
            return stage
    raise BadRequestException(f"API Stage {ident} is not associated with the usage plan")


def _stages_op(plan: Doc, patch: PatchOp) -> None:
    api_id, _, stage = str(patch.value or "").partition(":")
    if not api_id or not stage:
        raise BadRequestException(f"Invalid API stage '{patch.value}': expected {{apiId}}:{{stage}}")
    stages: list[Doc] = plan.setdefault("apiStages", [])
    if patch.op == "add":
        stages.append({"apiId": api_id, "stage": stage})
    else:
        stages.remove(_stage(plan, f"{api_id}:{stage}"))


def _throttle_map(value: Any) -> Doc:
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        raise BadRequestException(f"Invalid throttle map: {value}") from None
    if isinstance(parsed, str):  # the CLI example double-encodes the map
        return _throttle_map(parsed)
    if not isinstance(parsed, dict) or not all(isinstance(v, dict) for v in parsed.values()):
        raise BadRequestException(f"Invalid throttle map: {value}")
    return {k: {m: _LIMITS[m](v, m) for m, v in t.items() if m in _LIMITS} for k, t in parsed.items()}


def _stage_throttle_op(plan: Doc, patch: PatchOp, ident: str, rest: str) -> None:
    stage = _stage(plan, ident)
    throttles: Doc = stage.setdefault("throttle", {})
    if not rest:
        if patch.op == "remove":
            stage.pop("throttle", None)
        elif patch.op in ("add", "replace"):
            stage["throttle"] = _throttle_map(patch.value)
        else:
            raise BadRequestException(f"Invalid patch operation '{patch.op}' for {patch.path}")
        return
    leaf = rest.rsplit("/", 1)[-1]
    if leaf in _LIMITS and patch.op in ("add", "replace"):
        key = method_key(rest[: -len(leaf) - 1])
        throttles.setdefault(key, {})[leaf] = _LIMITS[leaf](patch.value, patch.path)
    elif patch.op == "remove":
        if throttles.pop(method_key(rest), None) is None:
            raise BadRequestException(f"Cannot remove {patch.path}: no method throttle is set there")
    else:
        raise BadRequestException(f"Invalid patch path  '{patch.path}' specified for op '{patch.op}'")
    if not throttles:
        stage.pop("throttle", None)


def _api_stage_op(plan: Doc, patch: PatchOp) -> None:
    ident, _, rest = patch.path[len("/apiStages/") :].partition("/")
    if rest == "throttle" or rest.startswith("throttle/"):
        _stage_throttle_op(plan, patch, ident, rest[len("throttle/") :])
    else:
        raise BadRequestException(f"Invalid patch path  '{patch.path}' specified for op '{patch.op}'")


def patch_plan(plan: Doc, operations: list[Doc] | None) -> Doc:
    """A patched copy of a usage plan document (validation of the result is the caller's)."""
    result = copy.deepcopy(plan)
    for patch in parse_ops(operations):
        if patch.path == "/apiStages" and patch.op in ("add", "remove"):
            _stages_op(result, patch)
        elif patch.path.startswith("/apiStages/"):
            _api_stage_op(result, patch)
        else:
            apply_field(result, patch, FIELDS)
    return result
