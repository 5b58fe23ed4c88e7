"""JSONPath for `$input.path()` / `$input.json()` (Developer Guide: "$input variables", Jayway JsonPath subset).

Supported: `$`, `.name`, `['name']` / `["name"]`, `['a','b']`, `.*`, `[*]`, `[n]` (negative from the end),
`[n,m]`, `[start:end]`, deep scan `..name` / `..*` / `..[n]`, and filters `[?(@.a == 'x')]` with
`== != < <= > >=`, `&&`, `||` and existence tests `[?(@.a)]`.

Like Jayway, a *definite* path (names and single indexes only) selects one value (None when missing), any
other path selects a list of every match (empty when nothing matches).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


class JsonPathError(ValueError):
    """The expression is not valid JSONPath."""


Selector = Callable[[Any], Iterator[Any]]
_NAME = re.compile(r"[^.\[\]\s()]+")
_INDEX = re.compile(r"\s*(-?\d+)\s*")
_SLICE = re.compile(r"\s*(-?\d*)\s*:\s*(-?\d*)\s*(?::\s*(-?\d*)\s*)?")
_QUOTED = re.compile(r"\s*(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\")\s*")


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A compiled expression: apply `select(document)`."""

    text: str
    steps: tuple[Selector, ...]
    definite: bool

    def find(self, document: Any) -> list[Any]:
        """Every match, in document order."""
        nodes: list[Any] = [document]
        for step in self.steps:
            nodes = [out for node in nodes for out in step(node)]
        return nodes

    def select(self, document: Any) -> Any:
        """The value of a definite path (None when missing), else the list of matches."""
        nodes = self.find(document)
        if self.definite:
            return nodes[0] if nodes else None
        return nodes


def evaluate(document: Any, expression: str) -> Any:
    """Evaluate `expression` against an already-parsed JSON document."""
    return compile_path(expression).select(document)


@lru_cache(maxsize=1024)
def compile_path(expression: str) -> JsonPath:
    text = expression.strip()
    if not text.startswith("$"):
        raise JsonPathError(f"Path must start with '$': {expression!r}")
    parser = _Parser(text)
    steps = parser.parse()
    return JsonPath(expression, tuple(steps), parser.definite)


# --- selectors --------------------------------------------------------------------------------------


def _child(name: str) -> Selector:
    def select(node: Any) -> Iterator[Any]:
        if isinstance(node, dict) and name in node:
            yield node[name]

    return select


def _children(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        yield from node.values()
    elif isinstance(node, list):
        yield from node


def _wildcard(node: Any) -> Iterator[Any]:
    yield from _children(node)


def _index(positions: tuple[int, ...]) -> Selector:
    def select(node: Any) -> Iterator[Any]:
        if isinstance(node, list):
            for position in positions:
                if -len(node) <= position < len(node):
                    yield node[position]

    return select


def _names(names: tuple[str, ...]) -> Selector:
    def select(node: Any) -> Iterator[Any]:
        if isinstance(node, dict):
            for name in names:
                if name in node:
                    yield node[name]

    return select


def _slice(start: int | None, end: int | None, step: int | None) -> Selector:
    def select(node: Any) -> Iterator[Any]:
        if isinstance(node, list):
            yield from node[start:end:step]

    return select


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child in _children(node):
        if isinstance(child, dict | list):
            yield from _walk(child)


def _scan(inner: Selector) -> Selector:
    def select(node: Any) -> Iterator[Any]:
        for visited in _walk(node):
            yield from inner(visited)

    return select


def _filter(predicate: Callable[[Any], bool]) -> Selector:
    def select(node: Any) -> Iterator[Any]:
        for child in _children(node):
            if predicate(child):
                yield child

    return select


# --- parser -----------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 1  # after "$"
        self.definite = True

    def error(self, what: str) -> JsonPathError:
        return JsonPathError(f"Invalid JSONPath {self.text!r} at position {self.pos}: {what}")

    def parse(self) -> list[Selector]:
        steps: list[Selector] = []
        while self.pos < len(self.text):
            steps.append(self.step())
        return steps

    def step(self) -> Selector:
        text = self.text
        if text.startswith("..", self.pos):
            self.pos += 2
            self.definite = False
            if text.startswith("[", self.pos):
                return _scan(self.bracket())
            return _scan(self.dotted())
        if text.startswith(".", self.pos):
            self.pos += 1
            return self.dotted()
        if text.startswith("[", self.pos):
            return self.bracket()
        raise self.error("expected '.' or '['")

    def dotted(self) -> Selector:
        if self.text.startswith("*", self.pos):
            self.pos += 1
            self.definite = False
            return _wildcard
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise self.error("expected a property name")
        self.pos = match.end()
        return _child(match.group(0))

    def bracket(self) -> Selector:
        self.pos += 1  # "["
        selector = self.bracket_body()
        if not self.text.startswith("]", self.pos):
            raise self.error("expected ']'")
        self.pos += 1
        return selector

    def bracket_body(self) -> Selector:
        text = self.text
        stripped = text[self.pos :].lstrip()
        if stripped.startswith("*"):
            self.pos = text.index("*", self.pos) + 1
            self.definite = False
            return _wildcard
        if stripped.startswith("?"):
            return self.filter_body()
        if stripped[:1] in ("'", '"'):
            return self.quoted_names()
        return self.indexes()

    def quoted_names(self) -> Selector:
        names: list[str] = []
        while True:
            match = _QUOTED.match(self.text, self.pos)
            if not match:
                raise self.error("expected a quoted property name")
            raw = match.group(1) if match.group(1) is not None else match.group(2)
            names.append(re.sub(r"\\(.)", r"\1", raw))
            self.pos = match.end()
            if not self.text.startswith(",", self.pos):
                break
            self.pos += 1
        if len(names) == 1:
            return _child(names[0])
        self.definite = False
        return _names(tuple(names))

    def indexes(self) -> Selector:
        sliced = _SLICE.match(self.text, self.pos)
        if sliced and sliced.end() < len(self.text) and self.text[sliced.end()] == "]":
            self.pos = sliced.end()
            self.definite = False
            start, end, step = (int(g) if g else None for g in sliced.groups())
            if step == 0:
                raise self.error("slice step cannot be zero")
            return _slice(start, end, step)
        positions: list[int] = []
        while True:
            match = _INDEX.match(self.text, self.pos)
            if not match:
                raise self.error("expected an index, a quoted name, '*' or a filter")
            positions.append(int(match.group(1)))
            self.pos = match.end()
            if not self.text.startswith(",", self.pos):
                break
            self.pos += 1
        if len(positions) > 1:
            self.definite = False
        return _index(tuple(positions))

    def filter_body(self) -> Selector:
        from portico.mapping.jsonpath_filter import parse_filter

        start = self.text.index("?", self.pos) + 1
        predicate, end = parse_filter(self.text, start)
        self.pos = end
        self.definite = False
        return _filter(predicate)
