"""JSONPath filter expressions `[?(...)]` (Jayway JsonPath filter operators, the subset templates use).

Grammar: `( expr )` where expr is `cmp (&& cmp)*` joined by `||`; cmp is `operand [op operand]` with op in
`== != < <= > >= =~`; an operand is `@.path` (relative to the candidate), a quoted string, a number, `true`, `false`, `null`,
a `/regex/flags` (right of `=~`) or a parenthesised expr. A lone `@.path` tests that the path exists.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from portico.mapping.jsonpath import JsonPathError

Predicate = Callable[[Any], bool]
Operand = Callable[[Any], tuple[bool, Any]]  # node -> (found, value)

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<path>@(?:\.[^.\[\]\s()=!<>&|]+|\[\s*(?:'[^']*'|"[^"]*"|-?\d+)\s*\])*)
    | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
    | (?P<regex>/(?:[^/\\]|\\.)*/[a-z]*)
    | (?P<word>true|false|null)
    | (?P<op>==|!=|<=|>=|=~|<|>|&&|\|\||\(|\))
    )""",
    re.X,
)
_STEP = re.compile(r"\.([^.\[\]]+)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[\s*(-?\d+)\s*\]")
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def parse_filter(text: str, pos: int) -> tuple[Predicate, int]:
    """Parse `(expr)` starting at `pos` (just after `?`); return the predicate and the end position."""
    parser = _FilterParser(text, pos)
    if parser.peek() != "(":
        raise parser.error("expected '(' after '?'")
    parser.take()
    predicate = parser.expression()
    if parser.take() != ")":
        raise parser.error("expected ')'")
    return predicate, parser.pos


class _FilterParser:
    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.pos = pos
        self.tokens: list[tuple[str, str]] = []

    def error(self, what: str) -> JsonPathError:
        return JsonPathError(f"Invalid JSONPath filter in {self.text!r} at position {self.pos}: {what}")

    def _next(self) -> tuple[str, str] | None:
        match = _TOKEN.match(self.text, self.pos)
        if not match or match.end() == self.pos:
            return None
        kind = match.lastgroup or ""
        return kind, match.group(kind)

    def peek(self) -> str:
        token = self._next()
        return token[1] if token else ""

    def take(self) -> str:
        match = _TOKEN.match(self.text, self.pos)
        if not match or match.lastgroup is None:
            raise self.error("unexpected character")
        self.pos = match.end()
        return match.group(match.lastgroup)

    def expression(self) -> Predicate:
        terms = [self.conjunction()]
        while self.peek() == "||":
            self.take()
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else (lambda node: any(term(node) for term in terms))

    def conjunction(self) -> Predicate:
        terms = [self.comparison()]
        while self.peek() == "&&":
            self.take()
            terms.append(self.comparison())
        return terms[0] if len(terms) == 1 else (lambda node: all(term(node) for term in terms))

    def comparison(self) -> Predicate:
        if self.peek() == "(":
            self.take()
            inner = self.expression()
            if self.take() != ")":
                raise self.error("expected ')'")
            return inner
        left = self.operand()
        op = self.peek()
        if op == "=~":
            self.take()
            return _matches(left, self.regex())
        if op not in _COMPARE:
            return lambda node: left(node)[0]
        self.take()
        return _compare(left, _COMPARE[op], self.operand())

    def operand(self) -> Operand:
        token = self._next()
        if token is None:
            raise self.error("expected a value")
        kind, raw = token
        self.take()
        if kind == "path":
            return _relative(raw)
        if kind == "string":
            return _constant(re.sub(r"\\(.)", r"\1", raw[1:-1]))
        if kind == "number":
            return _constant(float(raw) if any(c in raw for c in ".eE") else int(raw))
        if kind == "word":
            return _constant({"true": True, "false": False, "null": None}[raw])
        raise self.error(f"unexpected {raw!r}")

    def regex(self) -> re.Pattern[str]:
        raw = self.take()
        if not raw.startswith("/"):
            raise self.error("expected /regex/ after =~")
        body, _, flags = raw[1:].rpartition("/")
        return re.compile(body, re.I if "i" in flags else 0)


def _constant(value: Any) -> Operand:
    return lambda node: (True, value)


def _relative(path: str) -> Operand:
    steps: list[str | int] = []
    for match in _STEP.finditer(path[1:]):
        name, single, double, index = match.groups()
        steps.append(
            int(index) if index is not None else next(s for s in (name, single, double) if s is not None)
        )

    def resolve(node: Any) -> tuple[bool, Any]:
        for step in steps:
            found, node = _step(node, step)
            if not found:
                return False, None
        return True, node

    return resolve


def _step(node: Any, step: str | int) -> tuple[bool, Any]:
    if isinstance(step, int):
        if isinstance(node, list) and -len(node) <= step < len(node):
            return True, node[step]
        return False, None
    if isinstance(node, dict) and step in node:
        return True, node[step]
    return False, None


def _comparable(left: Any, right: Any) -> bool:
    numeric = (int, float)
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool)
    if isinstance(left, numeric) and isinstance(right, numeric):
        return True
    return type(left) is type(right)


def _compare(left: Operand, op: Callable[[Any, Any], bool], right: Operand) -> Predicate:
    def predicate(node: Any) -> bool:
        found_left, a = left(node)
        found_right, b = right(node)
        if not (found_left and found_right):
            return op is operator.ne and found_left != found_right
        if not _comparable(a, b):
            return op is operator.ne
        try:
            return bool(op(a, b))
        except TypeError:
            return False

    return predicate


def _matches(left: Operand, pattern: re.Pattern[str]) -> Predicate:
    def predicate(node: Any) -> bool:
        found, value = left(node)
        return found and isinstance(value, str) and pattern.fullmatch(value) is not None

    return predicate
