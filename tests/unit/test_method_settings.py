"""Stage method-settings patch paths (pure)."""

from __future__ import annotations

import pytest

from portico.controlplane.errors import BadRequestException
from portico.controlplane.method_settings import (
    DEFAULTS,
    SettingPath,
    apply,
    convert,
    effective,
    invalid_path,
    parse_path,
    resource_path_of,
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/*/*/metrics/enabled", SettingPath("*/*", "metricsEnabled", "boolean")),
        ("/*/*/logging/loglevel", SettingPath("*/*", "loggingLevel", "logging")),
        ("/*/*/logging/dataTrace", SettingPath("*/*", "dataTraceEnabled", "boolean")),
        ("/*/*/throttling/burstLimit", SettingPath("*/*", "throttlingBurstLimit", "integer")),
        ("/*/*/throttling/rateLimit", SettingPath("*/*", "throttlingRateLimit", "double")),
        ("/~1pets/GET/caching/enabled", SettingPath("~1pets/GET", "cachingEnabled", "boolean")),
        (
            "/~1pets~1{id}/DELETE/caching/ttlInSeconds",
            SettingPath("~1pets~1{id}/DELETE", "cacheTtlInSeconds", "ttl"),
        ),
        ("/*/GET/caching/dataEncrypted", SettingPath("*/GET", "cacheDataEncrypted", "boolean")),
        (
            "/~1a/POST/caching/requireAuthorizationForCacheControl",
            SettingPath("~1a/POST", "requireAuthorizationForCacheControl", "boolean"),
        ),
        (
            "/*/*/caching/unauthorizedCacheControlHeaderStrategy",
            SettingPath("*/*", "unauthorizedCacheControlHeaderStrategy", "strategy"),
        ),
        # Terraform's method_path form: unescaped resource path without its leading slash
        ("/path1/path2/GET/metrics/enabled", SettingPath("path1/path2/GET", "metricsEnabled", "boolean")),
        # whole entries (remove)
        ("/*/*", SettingPath("*/*")),
        ("/~1pets/GET", SettingPath("~1pets/GET")),
    ],
)
def test_parse_path(path: str, expected: SettingPath) -> None:
    assert parse_path(path) == expected


@pytest.mark.parametrize(
    "path",
    [
        "/description",
        "/*/*/metrics",
        "/*/*/metrics/nope",
        "/*/FETCH/metrics/enabled",
        "/*/get/metrics/enabled",
        "//GET/metrics/enabled",
        "*/*/metrics/enabled",
        "/GET",
        "",
    ],
)
def test_parse_path_rejects(path: str) -> None:
    assert parse_path(path) is None


def test_new_entry_starts_from_aws_defaults() -> None:
    target = parse_path("/~1resourceName/GET/logging/dataTrace")
    assert target is not None
    out = apply({}, "replace", target, "false", "/~1resourceName/GET/logging/dataTrace")
    assert out == {"~1resourceName/GET": {**DEFAULTS, "dataTraceEnabled": False}}
    assert "loggingLevel" not in out["~1resourceName/GET"]


def test_apply_converts_types_and_keeps_input_unchanged() -> None:
    settings: dict = {}
    for path, value in [
        ("/*/*/throttling/rateLimit", "12.5"),
        ("/*/*/throttling/burstLimit", "20"),
        ("/*/*/logging/loglevel", "INFO"),
        ("/*/*/caching/enabled", "TRUE"),
        ("/*/*/caching/unauthorizedCacheControlHeaderStrategy", "FAIL_WITH_403"),
    ]:
        target = parse_path(path)
        assert target is not None
        new = apply(settings, "add", target, value, path)
        assert new is not settings
        settings = new
    entry = settings["*/*"]
    assert entry["throttlingRateLimit"] == 12.5 and isinstance(entry["throttlingRateLimit"], float)
    assert entry["throttlingBurstLimit"] == 20 and isinstance(entry["throttlingBurstLimit"], int)
    assert entry["loggingLevel"] == "INFO"
    assert entry["cachingEnabled"] is True
    assert entry["unauthorizedCacheControlHeaderStrategy"] == "FAIL_WITH_403"


def test_remove_member_resets_default_and_remove_entry_deletes() -> None:
    settings = {"*/*": {**DEFAULTS, "metricsEnabled": True, "loggingLevel": "ERROR"}}
    member = parse_path("/*/*/metrics/enabled")
    level = parse_path("/*/*/logging/loglevel")
    whole = parse_path("/*/*")
    assert member and level and whole
    out = apply(settings, "remove", member, None, "/*/*/metrics/enabled")
    assert out["*/*"]["metricsEnabled"] is False
    out = apply(out, "remove", level, None, "/*/*/logging/loglevel")
    assert "loggingLevel" not in out["*/*"]
    assert apply(out, "remove", whole, None, "/*/*") == {}
    with pytest.raises(BadRequestException) as exc:
        apply({}, "remove", whole, None, "/*/*")
    assert exc.value.message == (
        "Cannot remove method setting */* because there is no method setting for this method"
    )


def test_replace_on_whole_entry_is_invalid() -> None:
    whole = parse_path("/~1pets/GET")
    assert whole
    with pytest.raises(BadRequestException) as exc:
        apply({}, "replace", whole, "x", "/~1pets/GET")
    assert exc.value.message.startswith("Invalid method setting path: /~1pets/GET. Must be one of: [")


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("boolean", "yes", "Invalid boolean value"),
        ("logging", "DEBUG", "Invalid logging level 'DEBUG'"),
        ("strategy", "NOPE", "Invalid unauthorized cache control header strategy"),
        ("ttl", "3601", "Cache ttl must be between 0 and 3600 seconds"),
        ("integer", "ten", "Invalid number value"),
        ("double", "-1", "must not be negative"),
    ],
)
def test_convert_rejects(kind: str, raw: str, message: str) -> None:
    with pytest.raises(BadRequestException) as exc:
        convert(kind, raw, "/p")
    assert message in exc.value.message


def test_resource_path_of() -> None:
    assert resource_path_of("*/*") == ("*", "*")
    assert resource_path_of("~1pets~1{id}/GET") == ("/pets/{id}", "GET")
    assert resource_path_of("pets/items/POST") == ("/pets/items", "POST")
    assert resource_path_of("~1/GET") == ("/", "GET")


def test_effective_most_specific_wins() -> None:
    settings = {
        "*/*": {"throttlingBurstLimit": 1},
        "*/GET": {"throttlingBurstLimit": 2},
        "~1pets/*": {"throttlingBurstLimit": 3},
        "~1pets/GET": {"throttlingBurstLimit": 4},
    }
    assert effective(settings, "/pets", "GET") == {"throttlingBurstLimit": 4}
    assert effective(settings, "/pets", "POST") == {"throttlingBurstLimit": 3}
    assert effective(settings, "/other", "GET") == {"throttlingBurstLimit": 2}
    assert effective(settings, "/other", "PUT") == {"throttlingBurstLimit": 1}
    assert effective({}, "/other", "PUT") is None


def test_invalid_path_lists_the_valid_paths() -> None:
    message = invalid_path("/nope").message
    assert message.startswith("Invalid method setting path: /nope. Must be one of: [/deploymentId, ")
    assert "/{resourcePath}/{httpMethod}/throttling/burstLimit" in message
    assert "/*/*/caching/unauthorizedCacheControlHeaderStrategy" in message
    assert "/variables/{variable_name}" in message
