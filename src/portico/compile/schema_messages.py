"""Model validation messages as API Gateway writes them in `$context.error.validationErrorString`.

Developer Guide, "Request validation for REST APIs in API Gateway": a body that does not match its
draft-04 model fails with `Invalid request body`; the detail lists every violation in the wording of
the JSON Schema validator API Gateway runs (e.g. `instance value ("bird") not found in enum (possible
values: ["dog","cat","fish"])`), joined as a list: `[first, second]`. Pure functions over
`jsonschema` errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError

_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,12})?([Zz]|[+-]\d{2}:\d{2})$",
)
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_DATE_FORMATS = "[yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,12}Z]"


def _date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_DATE_TIME.match(value))


def _hostname(value: object) -> bool:
    return not isinstance(value, str) or bool(_HOSTNAME.match(value))


def _uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme)


def format_checker() -> FormatChecker:
    """Draft 4's format checks plus `date-time`, `hostname` and `uri`, checked as API Gateway does."""
    checker = FormatChecker()
    checker.checkers = dict(Draft4Validator.FORMAT_CHECKER.checkers)
    for name, check in (("date-time", _date_time), ("hostname", _hostname), ("uri", _uri)):
        checker.checks(name)(check)
    return checker


def _js(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _type(err: ValidationError) -> str:
    allowed = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
    return (
        f"instance type ({_type_name(err.instance)}) does not match any allowed primitive type "
        f"(allowed: {_js(sorted(str(t) for t in allowed))})"
    )


def _required(err: ValidationError) -> str:
    instance = err.instance if isinstance(err.instance, dict) else {}
    missing = sorted(str(p) for p in err.validator_value if p not in instance)
    return f"object has missing required properties ({_js(missing)})"


def _additional(err: ValidationError) -> str:
    if not isinstance(err.instance, dict):
        return str(err.message)
    known = set((err.schema.get("properties") or {}) if isinstance(err.schema, dict) else ())
    patterns = list((err.schema.get("patternProperties") or {}) if isinstance(err.schema, dict) else ())
    extra = sorted(k for k in err.instance if k not in known and not any(re.search(p, k) for p in patterns))
    return f"object instance has properties which are not allowed by the schema: {_js(extra)}"


def _additional_items(err: ValidationError) -> str:
    items = err.schema.get("items") if isinstance(err.schema, dict) else None
    allowed = len(items) if isinstance(items, list) else 0
    size = len(err.instance) if isinstance(err.instance, list) else 0
    return f"array only allows {allowed} elements but instance has {size} elements"


def _maximum(err: ValidationError) -> str:
    if isinstance(err.schema, dict) and err.schema.get("exclusiveMaximum"):
        return f"numeric instance is not strictly lower than the required maximum {_js(err.validator_value)}"
    return (
        "numeric instance is greater than the required maximum "
        f"(maximum: {_js(err.validator_value)}, found: {_js(err.instance)})"
    )


def _minimum(err: ValidationError) -> str:
    if isinstance(err.schema, dict) and err.schema.get("exclusiveMinimum"):
        return (
            f"numeric instance is not strictly greater than the required minimum {_js(err.validator_value)}"
        )
    return (
        "numeric instance is lower than the required minimum "
        f"(minimum: {_js(err.validator_value)}, found: {_js(err.instance)})"
    )


def _length(err: ValidationError) -> str:
    size = len(err.instance) if isinstance(err.instance, str) else 0
    if err.validator == "minLength":
        return f"string {_js(err.instance)} is too short (length: {size}, required minimum: {err.validator_value})"
    return f"string {_js(err.instance)} is too long (length: {size}, maximum allowed: {err.validator_value})"


def _items_count(err: ValidationError) -> str:
    size = len(err.instance) if isinstance(err.instance, list) else 0
    if err.validator == "minItems":
        return f"array is too short: must have at least {err.validator_value} elements but instance has {size} elements"
    return f"array is too long: must have at most {err.validator_value} elements but instance has {size} elements"


def _properties_count(err: ValidationError) -> str:
    size = len(err.instance) if isinstance(err.instance, dict) else 0
    if err.validator == "minProperties":
        return (
            f"object has too few properties (found {size} but schema requires at least {err.validator_value})"
        )
    return f"object has too many properties (found {size} but schema requires at most {err.validator_value})"


def _dependencies(err: ValidationError) -> str:
    instance = err.instance if isinstance(err.instance, dict) else {}
    for prop, needed in (err.validator_value or {}).items():
        if prop in instance and isinstance(needed, list):
            missing = [n for n in needed if n not in instance]
            if missing:
                return (
                    f"property {_js(prop)} of object has missing property dependencies "
                    f"(schema requires {_js(needed)}; missing: {_js(missing)})"
                )
    return str(err.message)


def _one_of(err: ValidationError) -> str:
    total = len(err.validator_value)
    failed = {e.schema_path[0] for e in err.context or () if e.schema_path}
    matched = total - len(failed) if failed else total
    return f"instance failed to match exactly one schema (matched {matched} out of {total})"


def _format(err: ValidationError) -> str:
    value, fmt = _js(err.instance), err.validator_value
    named = {
        "email": "a valid email address",
        "idn-email": "a valid email address",
        "ipv4": "a valid IPv4 address",
        "ipv6": "a valid IPv6 address",
        "hostname": "a valid hostname",
        "uri": "a valid URI",
        "regex": "a valid regular expression",
    }
    if fmt == "date-time":
        return f"string {value} is invalid against requested date format(s) {_DATE_FORMATS}"
    if fmt in named:
        return f"string {value} is not {named[fmt]}"
    return f"string {value} is invalid against format {_js(fmt)}"


_MESSAGES: dict[str, Callable[[ValidationError], str]] = {
    "type": _type,
    "required": _required,
    "additionalProperties": _additional,
    "additionalItems": _additional_items,
    "maximum": _maximum,
    "minimum": _minimum,
    "minLength": _length,
    "maxLength": _length,
    "minItems": _items_count,
    "maxItems": _items_count,
    "minProperties": _properties_count,
    "maxProperties": _properties_count,
    "dependencies": _dependencies,
    "oneOf": _one_of,
    "format": _format,
    "enum": lambda e: (
        f"instance value ({_js(e.instance)}) not found in enum (possible values: {_js(e.validator_value)})"
    ),
    "pattern": lambda e: (
        f"ECMA 262 regex {_js(e.validator_value)} does not match input string {_js(e.instance)}"
    ),
    "uniqueItems": lambda e: "array must not contain duplicate elements",
    "multipleOf": lambda e: (
        f"numeric instance is not a multiple of divisor (value: {_js(e.instance)}, divisor: {_js(e.validator_value)})"
    ),
    "anyOf": lambda e: (
        f"instance failed to match at least one required schema among {len(e.validator_value)}"
    ),
    "not": lambda e: "instance matched a schema which it should not have",
}


def describe(err: ValidationError) -> str:
    """One violation, worded as API Gateway's validator words it."""
    render = _MESSAGES.get(str(err.validator))
    return render(err) if render is not None else str(err.message)


def describe_all(errors: Iterable[ValidationError]) -> list[str]:
    """Every violation once, in the order found (a model's missing properties are reported together)."""
    seen: dict[str, None] = {}
    for err in errors:
        seen.setdefault(describe(err), None)
    return list(seen)
