"""Java String/List/Map/Number methods for mapping templates (Developer Guide: "Mapping template reference").

Templates are written against Java objects (`$s.substring(1)`, `$list.size()`, `$map.keySet()`); these
tables give Python values the same methods. Property access follows Velocity: `$map.key` is
`map.get("key")`, `$obj.name` is `getName()` or `isName()`. Only names listed here (or in a host object's
`JAVA_METHODS`) can be reached, so a template can never touch Python internals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from portico.mapping import java_regex
from portico.mapping.vtl_values import JavaEntry, JavaList, is_number, java_eq, java_str

Method = Callable[..., Any]


class HostObject:
    """A Java object provided by the gateway ($input, $util): exposes `JAVA_METHODS` and `JAVA_PROPERTIES`."""

    JAVA_METHODS: ClassVar[frozenset[str]] = frozenset()
    JAVA_PROPERTIES: ClassVar[frozenset[str]] = frozenset()


class JavaError(Exception):
    """A Java runtime exception raised by a method (IndexOutOfBounds, NumberFormat, ...)."""


def _index(size: int, index: Any, what: str = "Index") -> int:
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < size:
        raise JavaError(f"{what} {java_str(index)} out of bounds for length {size}")
    return index


def _substring(s: str, begin: int, end: int | None = None) -> str:
    stop = len(s) if end is None else end
    if not (0 <= begin <= stop <= len(s)):
        raise JavaError(f"begin {begin}, end {stop}, length {len(s)}")
    return s[begin:stop]


def _index_of(s: str, target: Any, start: int = 0) -> int:
    return s.find(_char(target), max(start, 0))


def _last_index_of(s: str, target: Any, start: int | None = None) -> int:
    needle = _char(target)
    if start is None:
        return s.rfind(needle)
    return -1 if start < 0 else s.rfind(needle, 0, start + len(needle))


def _char(value: Any) -> str:
    return chr(value) if is_number(value) else java_str(value)


def _trim(s: str) -> str:
    return s.strip("".join(chr(c) for c in range(33)))


def _compare_to(s: str, other: Any) -> int:
    text = java_str(other)
    for a, b in zip(s, text, strict=False):
        if a != b:
            return ord(a) - ord(b)
    return len(s) - len(text)


STRING_METHODS: dict[str, Method] = {
    "length": len,
    "isEmpty": lambda s: not s,
    "isBlank": lambda s: not s.strip(),
    "charAt": lambda s, i: s[_index(len(s), i)],
    "substring": _substring,
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "contains": lambda s, x: java_str(x) in s,
    "startsWith": lambda s, p, offset=0: s.startswith(java_str(p), offset),
    "endsWith": lambda s, p: s.endswith(java_str(p)),
    "toLowerCase": lambda s: s.lower(),
    "toUpperCase": lambda s: s.upper(),
    "trim": _trim,
    "strip": lambda s: s.strip(),
    "replace": lambda s, a, b: s.replace(_char(a), _char(b)),
    "replaceAll": lambda s, pattern, repl: java_regex.replace_all(s, pattern, java_str(repl)),
    "replaceFirst": lambda s, pattern, repl: java_regex.replace_all(s, pattern, java_str(repl), 1),
    "split": lambda s, pattern, limit=0: JavaList(java_regex.split(s, pattern, limit)),
    "matches": lambda s, pattern: java_regex.matches(s, pattern),
    "equals": lambda s, other: isinstance(other, str) and s == other,
    "equalsIgnoreCase": lambda s, other: isinstance(other, str) and s.lower() == other.lower(),
    "compareTo": _compare_to,
    "concat": lambda s, other: s + java_str(other),
    "toString": lambda s: s,
    "hashCode": lambda s: _string_hash(s),
    "chars": lambda s: JavaList(ord(c) for c in s),
    "toCharArray": lambda s: JavaList(s),
}


def _string_hash(s: str) -> int:
    data = s.encode("utf-16-be")
    value = 0
    for position in range(0, len(data), 2):
        value = (31 * value + int.from_bytes(data[position : position + 2], "big")) & 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _list_remove(items: list[Any], target: Any) -> Any:
    if isinstance(target, int) and not isinstance(target, bool):
        return items.pop(_index(len(items), target))
    for position, item in enumerate(items):
        if java_eq(item, target):
            del items[position]
            return True
    return False


def _list_add(items: list[Any], *args: Any) -> Any:
    if len(args) == 2:
        items.insert(_index(len(items) + 1, args[0]), args[1])
        return None
    items.append(args[0])
    return True


def _list_set(items: list[Any], index: Any, value: Any) -> Any:
    position = _index(len(items), index)
    previous, items[position] = items[position], value
    return previous


def _list_index_of(items: list[Any], target: Any) -> int:
    return next((i for i, item in enumerate(items) if java_eq(item, target)), -1)


LIST_METHODS: dict[str, Method] = {
    "size": len,
    "count": len,  # the Developer Guide's `$input.path('$.pets').count()` example
    "isEmpty": lambda items: not items,
    "get": lambda items, i: items[_index(len(items), i)],
    "contains": lambda items, x: any(java_eq(item, x) for item in items),
    "indexOf": _list_index_of,
    "add": _list_add,
    "addAll": lambda items, more: items.extend(more) or True,
    "set": _list_set,
    "remove": _list_remove,
    "clear": lambda items: items.clear(),
    "subList": lambda items, a, b: JavaList(items[_index(len(items) + 1, a) : _index(len(items) + 1, b)]),
    "toString": java_str,
    "equals": java_eq,
}


def _map_put(mapping: dict[Any, Any], key: Any, value: Any) -> Any:
    previous = mapping.get(key)
    mapping[key] = value
    return previous


MAP_METHODS: dict[str, Method] = {
    "size": len,
    "isEmpty": lambda m: not m,
    "get": lambda m, k: m.get(k),
    "getOrDefault": lambda m, k, default: m.get(k, default),
    "containsKey": lambda m, k: k in m,
    "containsValue": lambda m, v: any(java_eq(x, v) for x in m.values()),
    "keySet": lambda m: JavaList(m.keys()),
    "values": lambda m: JavaList(m.values()),
    "entrySet": lambda m: JavaList(JavaEntry(k, v) for k, v in m.items()),
    "put": _map_put,
    "putAll": lambda m, other: m.update(other),
    "remove": lambda m, k: m.pop(k, None),
    "clear": lambda m: m.clear(),
    "toString": java_str,
    "equals": java_eq,
}

NUMBER_METHODS: dict[str, Method] = {
    "toString": java_str,
    "intValue": int,
    "longValue": int,
    "doubleValue": float,
    "floatValue": float,
    "equals": lambda n, other: type(n) is type(other) and n == other,
    "compareTo": lambda n, other: (n > other) - (n < other),
}

BOOLEAN_METHODS: dict[str, Method] = {
    "toString": java_str,
    "booleanValue": lambda b: b,
    "equals": lambda b, other: b is other,
}

ENTRY_METHODS: dict[str, Method] = {
    "getKey": lambda e: e.key,
    "getValue": lambda e: e.value,
    "setValue": lambda e, v: setattr(e, "value", v),
    "toString": java_str,
}


def methods_for(value: Any) -> dict[str, Method] | None:
    if isinstance(value, str):
        return STRING_METHODS
    if isinstance(value, bool):
        return BOOLEAN_METHODS
    if isinstance(value, int | float):
        return NUMBER_METHODS
    if isinstance(value, Mapping):
        return MAP_METHODS
    if isinstance(value, list):
        return LIST_METHODS
    if isinstance(value, JavaEntry):
        return ENTRY_METHODS
    return None


def call_method(target: Any, name: str, args: list[Any]) -> Any:
    """`$target.name(args)`; None (Velocity's invalid reference) when there is no such method."""
    if target is None or name.startswith("_"):
        return None
    if isinstance(target, HostObject):
        if name not in target.JAVA_METHODS:
            return None
        return getattr(target, name)(*args)
    table = methods_for(target)
    method = table.get(name) if table else None
    if method is None:
        return None
    try:
        return method(target, *args)
    except TypeError as exc:
        raise JavaError(
            f"Cannot call {name} with arguments ({', '.join(map(java_str, args))}): {exc}"
        ) from None


def get_property(target: Any, name: str) -> Any:
    """`$target.name`: Map.get(name), else getName() / isName()."""
    if target is None or name.startswith("_"):
        return None
    if isinstance(target, Mapping):
        return target.get(name)
    if isinstance(target, JavaEntry) and name in ("key", "value"):
        return getattr(target, name)
    if isinstance(target, HostObject) and name in target.JAVA_PROPERTIES:
        return getattr(target, name)
    capital = name[:1].upper() + name[1:]
    for accessor in (f"get{capital}", f"is{capital}"):
        table = methods_for(target)
        if isinstance(target, HostObject) and accessor in target.JAVA_METHODS:
            return getattr(target, accessor)()
        if table and accessor in table:
            return table[accessor](target)
    return None


def get_index(target: Any, index: Any) -> Any:
    """`$target[index]`: list position or map key (Velocity 1.7 index notation)."""
    if isinstance(target, list):
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(target):
            return target[index]
        return None
    if isinstance(target, Mapping):
        return target.get(index)
    return None
