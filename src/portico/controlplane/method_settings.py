"""Stage method settings: UpdateStage paths `/{resourcePath}/{httpMethod}/{group}/{setting}` (pure).

API Gateway REST API reference, UpdateStage and "Stage" PatchOperation paths. The methodSettings
key is the patch path's `{resourcePath}/{httpMethod}` exactly as sent, without the leading slash:
`/*/*/logging/dataTrace` -> `*/*`, `/~1pets/GET/caching/enabled` -> `~1pets/GET` (AWS CLI
update-stage example), and Terraform's unescaped `/pets/GET/metrics/enabled` -> `pets/GET`.
A new key starts from the defaults AWS reports for a fresh method setting.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from portico.controlplane.errors import BadRequestException

Doc = dict[str, Any]

HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"})
LOGGING_LEVELS = ("OFF", "ERROR", "INFO")
CACHE_STRATEGIES = ("FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER")

# (group, setting) of the patch path -> (MethodSetting member, value type)
SETTINGS: dict[tuple[str, str], tuple[str, str]] = {
    ("metrics", "enabled"): ("metricsEnabled", "boolean"),
    ("logging", "loglevel"): ("loggingLevel", "logging"),
    ("logging", "dataTrace"): ("dataTraceEnabled", "boolean"),
    ("throttling", "burstLimit"): ("throttlingBurstLimit", "integer"),
    ("throttling", "rateLimit"): ("throttlingRateLimit", "double"),
    ("caching", "enabled"): ("cachingEnabled", "boolean"),
    ("caching", "ttlInSeconds"): ("cacheTtlInSeconds", "ttl"),
    ("caching", "dataEncrypted"): ("cacheDataEncrypted", "boolean"),
    ("caching", "requireAuthorizationForCacheControl"): ("requireAuthorizationForCacheControl", "boolean"),
    ("caching", "unauthorizedCacheControlHeaderStrategy"): (
        "unauthorizedCacheControlHeaderStrategy",
        "strategy",
    ),
}

DEFAULTS: Doc = {
    "metricsEnabled": False,
    "dataTraceEnabled": False,
    "throttlingBurstLimit": 5000,
    "throttlingRateLimit": 10000.0,
    "cachingEnabled": False,
    "cacheTtlInSeconds": 300,
    "cacheDataEncrypted": False,
    "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}


@dataclass(frozen=True, slots=True)
class SettingPath:
    """A parsed method-settings path: the methodSettings key and the member (None = whole entry)."""

    key: str
    member: str | None = None
    kind: str = ""


def parse_path(path: str) -> SettingPath | None:
    """The method setting a patch path addresses, or None when it is not a method-settings path."""
    if not path.startswith("/"):
        return None
    parts = path[1:].split("/")
    member: str | None = None
    kind = ""
    if len(parts) >= 4 and (parts[-2], parts[-1]) in SETTINGS:
        member, kind = SETTINGS[(parts[-2], parts[-1])]
        parts = parts[:-2]
    if len(parts) < 2:
        return None
    resource, method = "/".join(parts[:-1]), parts[-1]
    if method != "*" and method not in HTTP_METHODS:
        return None
    if not resource or "" in parts[:-1]:
        return None
    return SettingPath(f"{resource}/{method}", member, kind)


def convert(kind: str, raw: Any, path: str) -> Any:
    """Convert a patch value (a string) to the member's type, checking AWS's ranges and enums."""
    text = "" if raw is None else str(raw)
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise BadRequestException(f"Invalid boolean value '{text}' for {path}")
        return text.lower() == "true"
    if kind == "logging":
        if text not in LOGGING_LEVELS:
            raise BadRequestException(f"Invalid logging level '{text}'. Must be one of: [OFF, ERROR, INFO]")
        return text
    if kind == "strategy":
        if text not in CACHE_STRATEGIES:
            raise BadRequestException(
                f"Invalid unauthorized cache control header strategy '{text}'. "
                f"Must be one of: [{', '.join(CACHE_STRATEGIES)}]"
            )
        return text
    if kind in ("integer", "ttl"):
        value = _number(text, path, int)
        if kind == "ttl" and not 0 <= value <= 3600:
            raise BadRequestException("Cache ttl must be between 0 and 3600 seconds")
        return value
    return float(_number(text, path, float))


def _number(text: str, path: str, kind: type[int] | type[float]) -> Any:
    try:
        value = kind(text)
    except ValueError:
        raise BadRequestException(f"Invalid number value '{text}' for {path}") from None
    if value < 0:
        raise BadRequestException(f"Invalid value '{text}' for {path}: must not be negative")
    return value


def apply(settings: Doc, op: str, target: SettingPath, value: Any, path: str) -> Doc:
    """Apply one patch operation to a stage's methodSettings map; returns the new map."""
    result = copy.deepcopy(settings)
    if op == "remove":
        if target.key not in result:
            raise BadRequestException(
                f"Cannot remove method setting {target.key} because there is no method setting for this method"
            )
        if target.member is None:
            del result[target.key]
        elif target.member in DEFAULTS:
            result[target.key][target.member] = DEFAULTS[target.member]
        else:
            result[target.key].pop(target.member, None)
        return result
    if op not in ("add", "replace") or target.member is None:
        raise invalid_path(path)
    entry = result.setdefault(target.key, dict(DEFAULTS))
    entry[target.member] = convert(target.kind, value, path)
    return result


def resource_path_of(key: str) -> tuple[str, str]:
    """(resource path, method) of a methodSettings key: `~1pets~1{id}/GET` -> (`/pets/{id}`, `GET`)."""
    resource, _, method = key.rpartition("/")
    if resource == "*":
        return "*", method
    path = resource.replace("~1", "/").replace("~0", "~")
    return (path if path.startswith("/") else "/" + path), method


def effective(settings: Doc, resource_path: str, method: str) -> Doc | None:
    """The method setting that applies to a method: the most specific matching key wins."""
    by_target = {resource_path_of(key): value for key, value in settings.items()}
    for candidate in ((resource_path, method), (resource_path, "*"), ("*", method), ("*", "*")):
        if candidate in by_target:
            return dict(by_target[candidate])
    return None


STAGE_PATHS = (
    "/deploymentId",
    "/description",
    "/cacheClusterEnabled",
    "/cacheClusterSize",
    "/clientCertificateId",
    "/documentationVersion",
    "/tracingEnabled",
    "/accessLogSettings",
    "/accessLogSettings/destinationArn",
    "/accessLogSettings/format",
    "/canarySettings",
    "/canarySettings/deploymentId",
    "/canarySettings/percentTraffic",
    "/canarySettings/useStageCache",
    "/canarySettings/stageVariableOverrides/{variable_name}",
    "/variables/{variable_name}",
)


def invalid_path(path: str) -> BadRequestException:
    listed = list(STAGE_PATHS)
    for group, setting in SETTINGS:
        listed.append(f"/{{resourcePath}}/{{httpMethod}}/{group}/{setting}")
    for group, setting in SETTINGS:
        listed.append(f"/*/*/{group}/{setting}")
    return BadRequestException(f"Invalid method setting path: {path}. Must be one of: [{', '.join(listed)}]")
