"""Java value semantics of Velocity 1.7 as API Gateway runs it (Developer Guide: "Mapping template reference").

How values print (`toString()`), what `#if` treats as true, and what `== + - * / %` do:
- a Map prints `{a=1, b=2}`, a list the template built (`[1, 2]`, `split()`, `keySet()`) prints `[1, 2]`;
- a JSON array selected from a payload (`$input.path`, `$util.parseJson`) is json-smart's JSONArray and
  prints as compact JSON (`[{"c":5}]`), as AWS does;
- booleans print `true`/`false`; only null and false are false in `#if`;
- `==` between different types compares their string forms; `+` concatenates when a side is a string;
  integer `/` and `%` truncate toward zero; arithmetic on null or division by zero gives null.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any


class JavaList(list[Any]):
    """A java.util.ArrayList made by the template itself: prints as `[a, b]`."""

    __slots__ = ()


class JavaEntry:
    """A Map.Entry from `entrySet()`: `$e.key`, `$e.value`, prints `key=value`."""

    __slots__ = ("key", "value")

    def __init__(self, key: Any, value: Any) -> None:
        self.key = key
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JavaEntry) and (self.key, self.value) == (other.key, other.value)

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return java_str(self)


def java_double(value: float) -> str:
    """Double.toString: plain between 1e-3 and 1e7, else `1.0E10` style."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits)).rstrip("0") or "0"
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{len(digits) - 1 + exponent}"


def java_str(value: Any) -> str:
    """`String.valueOf(value)` with the Java collection formats."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{java_str(k)}={java_str(v)}" for k, v in value.items()) + "}"
    if isinstance(value, JavaEntry):
        return f"{java_str(value.key)}={java_str(value.value)}"
    if isinstance(value, list) and not isinstance(value, JavaList):
        return json_text(value)
    if isinstance(value, JavaList | tuple | set | frozenset | range):
        return "[" + ", ".join(java_str(v) for v in value) + "]"
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, JavaEntry):
        return {java_str(value.key): value.value}
    if isinstance(value, tuple | set | frozenset | range):
        return list(value)
    return java_str(value)


def json_text(value: Any) -> str:
    """Compact JSON, as `$input.json()` and JSONArray.toString() write it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def java_truthy(value: Any) -> bool:
    """Velocity 1.7 `#if`: false only for null and Boolean false."""
    return not (value is None or value is False)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def java_eq(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if type(left) is type(right) or (isinstance(left, Mapping) and isinstance(right, Mapping)):
        return bool(left == right)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(java_eq(a, b) for a, b in zip(left, right, strict=True))
    return java_str(left) == java_str(right)


def _ordering(left: Any, right: Any) -> int | None:
    if (is_number(left) and is_number(right)) or (isinstance(left, str) and isinstance(right, str)):
        return (left > right) - (left < right)
    return None


def _compare(test: Callable[[int], bool]) -> Callable[[Any, Any], bool]:
    def apply(left: Any, right: Any) -> bool:
        order = _ordering(left, right)
        return order is not None and test(order)

    return apply


def _trunc_div(left: int, right: int) -> int:
    quotient = abs(left) // abs(right)
    return quotient if (left >= 0) == (right >= 0) else -quotient


def java_add(left: Any, right: Any) -> Any:
    if isinstance(left, str) or isinstance(right, str):
        if left is None or right is None:
            return None
        return java_str(left) + java_str(right)
    return _arith(left, right, lambda a, b: a + b)


def _arith(left: Any, right: Any, op: Callable[[Any, Any], Any]) -> Any:
    if not (is_number(left) and is_number(right)):
        return None
    return op(left, right)


def java_div(left: Any, right: Any) -> Any:
    if not (is_number(left) and is_number(right)) or right == 0:
        return None
    if isinstance(left, int) and isinstance(right, int):
        return _trunc_div(left, right)
    return left / right


def java_mod(left: Any, right: Any) -> Any:
    if not (is_number(left) and is_number(right)) or right == 0:
        return None
    if isinstance(left, int) and isinstance(right, int):
        return left - right * _trunc_div(left, right)
    return math.fmod(left, right)


BINARY_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": java_add,
    "-": lambda a, b: _arith(a, b, lambda x, y: x - y),
    "*": lambda a, b: _arith(a, b, lambda x, y: x * y),
    "/": java_div,
    "%": java_mod,
    "==": java_eq,
    "eq": java_eq,
    "!=": lambda a, b: not java_eq(a, b),
    "ne": lambda a, b: not java_eq(a, b),
    ">": _compare(lambda o: o > 0),
    "gt": _compare(lambda o: o > 0),
    ">=": _compare(lambda o: o >= 0),
    "ge": _compare(lambda o: o >= 0),
    "<": _compare(lambda o: o < 0),
    "lt": _compare(lambda o: o < 0),
    "<=": _compare(lambda o: o <= 0),
    "le": _compare(lambda o: o <= 0),
    "&&": lambda a, b: java_truthy(a) and java_truthy(b),
    "and": lambda a, b: java_truthy(a) and java_truthy(b),
    "||": lambda a, b: java_truthy(a) or java_truthy(b),
    "or": lambda a, b: java_truthy(a) or java_truthy(b),
}


def java_not(value: Any) -> bool:
    return not java_truthy(value)


def java_iterable(value: Any) -> Iterable[Any] | None:
    """What `#foreach` walks: a Map's values, a collection's items; None for anything else."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return list(value.values())
    if isinstance(value, list | tuple | set | frozenset | range):
        return value
    return None
