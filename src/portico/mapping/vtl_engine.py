"""Velocity 1.7 as API Gateway runs it, built on airspeed (Developer Guide: "Mapping template reference").

airspeed parses VTL with module-level element classes. We load a *private copy* of the airspeed module
(the installed package's own source, executed under another module name, so the shared `airspeed` module
stays untouched) and replace the element classes that must behave like Velocity 1.7 in API Gateway:

- references print Java `toString()` forms and print nothing for null (AWS renders null/undefined as "");
- property and method access goes through `vtl_shims` (Java methods, no Python internals);
- string literals are raw, as in Velocity (`"\\\\'"` stays three characters, so the Developer Guide's
  `.replaceAll("\\\\'","'")` works), with `''` / `""` doubling;
- `#set` with a null value leaves the variable unchanged, accepts hyphens in property names
  (`#set($context.responseOverride.header.Content-Type = ...)`), and writes maps through `put`;
- `#foreach` walks a Map's values, keeps `#set` variables after the loop, restores the loop variable,
  provides `$foreach.*` / `$velocityCount`, and supports `#break`; `#stop` halts rendering;
- `#if`, `!`, `&&`, `||`, `==`, `+`, `/`, `%` follow Java/Velocity semantics (see `vtl_values`);
- identifiers may contain `-` (Velocity 1.7): `$context.responseOverride.header.X-Amz-Target` reads the
  header, so `$a-$b` is the variable `a-` followed by `$b`; `$name(` is a variable followed by text;
- whitespace: a directive's trailing newline is eaten after `#foreach(...)` and `#else` as after
  `#if(...)`/`#end`/`#set(...)`, and the indentation before a `#set` that starts a line is dropped;
- `[a..b]` ranges are null unless both ends are integers and hold at most MAX_RANGE items.
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
from collections.abc import MutableMapping
from types import ModuleType
from typing import Any

from portico.mapping.vtl_shims import JavaError, call_method, get_index, get_property
from portico.mapping.vtl_values import (
    BINARY_OPERATORS,
    JavaList,
    java_iterable,
    java_not,
    java_str,
    java_truthy,
)


def _private_airspeed() -> ModuleType:
    found = importlib.util.find_spec("airspeed")
    if found is None or found.origin is None:  # pragma: no cover - a packaging error
        raise ImportError("the 'airspeed' package is required for mapping templates")
    spec = importlib.util.spec_from_file_location("portico.mapping._airspeed", found.origin)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


A: Any = _private_airspeed()
_MISSING = object()
MAX_RANGE = 1_000_000
_EAT_LINE = r"(?:[ \t]*\r?\n)?"


class Halt(A.TemplateExecutionError):
    """#stop, or #break outside a loop: stop rendering, keep what was written."""

    def __str__(self) -> str:
        return "halt"


class BreakLoop(Halt):
    """#break: leave the innermost #foreach."""


class FormalReference(A.FormalReference):
    def parse(self) -> None:
        super().parse()
        part = self.expression.part if self.expression is not None else None
        if part is not None and part.parameters is not None and "{" not in self.my_text()[:3]:
            # `$name(` is a variable followed by text in Velocity (calls need a dot): give back the "("
            end = part.start + len(part.name)
            part.parameters = None
            part.end = self.expression.end = self.end = end
            self.expression.subexpression = None

    def evaluate_raw(self, stream: Any, namespace: Any, loader: Any) -> None:
        if self.expression is None:  # a lone "$"
            stream.write(self.my_text())
            return
        value = self.expression.calculate(namespace, loader)
        if value is None and self.alternate is not None:
            value = self.alternate.calculate(namespace, loader)
        if value is not None:
            stream.write(java_str(value))


class NameOrCall(A.NameOrCall):
    NAME = re.compile(r"([_a-z][a-z0-9_-]*)", re.S | re.I)  # Velocity 1.7 identifiers may contain "-"

    def calculate(self, current: Any, loader: Any, top: Any) -> Any:
        if isinstance(current, A.LocalNamespace):
            result = self._variable(current, loader, top)
        elif self.parameters is not None:
            result = call_method(current, self.name, self.parameters.calculate(top, loader))
        else:
            result = get_property(current, self.name)
        if self.index is not None and result is not None:
            result = get_index(result, self.index.calculate(top, loader))
        return result

    def _variable(self, namespace: Any, loader: Any, top: Any) -> Any:
        try:
            value = namespace[self.name]
        except KeyError:
            return None
        if isinstance(value, A._FunctionDefinition):  # a #define block
            params = self.parameters.calculate(top, loader) if self.parameters is not None else []
            stream = A.StoppableStream()
            value.execute_function(stream, top, params, loader)
            return stream.getvalue()
        return None if self.parameters is not None else value


class SubExpression(A.SubExpression):
    def calculate(self, current: Any, loader: Any, top: Any) -> Any:
        if not isinstance(self.expression, A.ArrayIndex):
            return self.expression.calculate(current, loader, top)
        result = get_index(current, self.expression.calculate(top, loader))
        if self.subexpression is not None and result is not None:
            result = self.subexpression.calculate(result, loader, top)
        return result


class StringLiteral(A.StringLiteral):
    STRING = re.compile(r"'((?:[^']|'')*)'", re.S)

    def parse(self) -> None:
        (raw,) = self.identity_match(self.STRING)
        self.value = raw.replace("''", "'")


class InterpolatedStringLiteral(A.InterpolatedStringLiteral):
    STRING = re.compile(r'"((?:[^"]|"")*)"', re.S)

    def parse(self) -> None:
        (raw,) = self.identity_match(self.STRING)
        self.value = raw.replace('""', '"')
        self.block = A.Block(self.filename, self.value, 0)
        if all(type(child) is A.Text for child in self.block.children):  # nothing to interpolate
            text = "".join(child.text for child in self.block.children)
            self.calculate = lambda namespace, loader: text


class ArrayLiteral(A.ArrayLiteral):
    def parse(self) -> None:
        super().parse()
        inner = self.values.calculate

        def calculate(namespace: Any, loader: Any) -> JavaList | None:
            items = inner(namespace, loader)
            return None if items is None else JavaList(items)

        self.calculate = calculate


class Range(A.Range):
    """`[a..b]`: null unless both ends are integers; at most MAX_RANGE items."""

    def calculate(self, namespace: Any, loader: Any) -> range | None:
        ends = (self.value1.calculate(namespace, loader), self.value2.calculate(namespace, loader))
        if not all(isinstance(end, int) and not isinstance(end, bool) for end in ends):
            return None
        if abs(ends[1] - ends[0]) >= MAX_RANGE:
            raise JavaError(f"Range [{ends[0]}..{ends[1]}] has more than {MAX_RANGE} items")
        step = 1 if ends[1] >= ends[0] else -1
        return range(ends[0], ends[1] + step, step)


class BinaryOperator(A.BinaryOperator):
    OPERATORS = BINARY_OPERATORS

    def parse(self) -> None:
        try:
            super().parse()
        except KeyError:
            raise self.syntax_error("a binary operator") from None


class UnaryOperatorValue(A.UnaryOperatorValue):
    OPERATORS = {"!": java_not, "not": java_not}


class IfDirective(A.IfDirective):
    def evaluate_raw(self, stream: Any, namespace: Any, loader: Any) -> None:
        if java_truthy(self.condition.calculate(namespace, loader)):
            self.block.evaluate(stream, namespace, loader)
            return
        for branch in self.elseifs:
            if java_truthy(branch.calculate(namespace, loader)):
                branch.evaluate(stream, namespace, loader)
                return
        self.else_block.evaluate(stream, namespace, loader)


class ElseBlock(A.ElseBlock):
    START = re.compile(r"#(?:else|\{else\})" + _EAT_LINE, re.S | re.I)


class SetDirective(A.SetDirective):
    PLACE = re.compile(r"\s*\$([a-z_][a-z0-9_-]*(?:\.[a-z_][a-z0-9_-]*)*)", re.S | re.I)

    def evaluate_raw(self, stream: Any, namespace: Any, loader: Any) -> None:
        value = self.value.calculate(namespace, loader)
        if value is None:  # Velocity 1.7: a null right-hand side is not assigned
            return
        if len(self.terms) == 1:
            namespace.set_inherited(self.terms[0], value)
            return
        try:
            target = namespace[self.terms[0]]
        except KeyError:
            return
        for term in self.terms[1:-1]:
            target = get_property(target, term)
        if isinstance(target, MutableMapping):
            target[self.terms[-1]] = value


class ForeachDirective(A.ForeachDirective):
    CLOSE_PAREN = re.compile(r"\s*\)" + _EAT_LINE, re.S)

    def evaluate_raw(self, stream: Any, namespace: Any, loader: Any) -> None:
        iterable = java_iterable(self.value.calculate(namespace, loader))
        if iterable is None:
            return
        items = list(iterable)
        keys = (self.loop_var_name, "foreach", "velocityCount", "velocityHasNext")
        saved = {key: dict.get(namespace, key, _MISSING) for key in keys}
        parent = _lookup(namespace, "foreach")
        try:
            self._loop(items, stream, namespace, loader, parent)
        finally:
            for key, previous in saved.items():
                if previous is _MISSING:
                    dict.pop(namespace, key, None)
                else:
                    namespace[key] = previous

    def _loop(self, items: list[Any], stream: Any, namespace: Any, loader: Any, parent: Any) -> None:
        total = len(items)
        for position, item in enumerate(items):
            has_next = position + 1 < total
            namespace[self.loop_var_name] = item
            namespace["velocityCount"] = position + 1
            namespace["velocityHasNext"] = has_next
            namespace["foreach"] = {
                "count": position + 1,
                "index": position,
                "hasNext": has_next,
                "first": position == 0,
                "last": not has_next,
                "parent": parent,
            }
            try:
                self.block.evaluate(stream, namespace, loader)
            except BreakLoop:
                return


class Block(A.Block):
    """Velocity 1.7 gobbles the indentation before a `#set` that starts a line (and its newline)."""

    def parse(self) -> None:
        super().parse()
        for before, after in zip(self.children, self.children[1:], strict=False):
            if isinstance(after, SetDirective) and type(before) is A.Text:
                stripped = before.text.rstrip(" \t")
                if stripped == "" or stripped.endswith("\n"):
                    before.text = stripped


def _lookup(namespace: Any, key: str) -> Any:
    try:
        return namespace[key]
    except KeyError:
        return None


class BreakDirective(A._Element):
    START = re.compile(r"#(?:break|\{break\})(?![A-Za-z0-9_])", re.S)

    def parse(self) -> None:
        self.identity_match(self.START)

    def evaluate_raw(self, stream: Any, namespace: Any, loader: Any) -> None:
        raise BreakLoop(self)


class StopDirective(A.StopDirective):
    def evaluate_raw(self, stream: Any, namespace: Any, loader: Any) -> None:
        raise Halt(self)


A.FormalReference = FormalReference
A.NameOrCall = NameOrCall
A.SubExpression = SubExpression
A.StringLiteral = StringLiteral
A.InterpolatedStringLiteral = InterpolatedStringLiteral
A.ArrayLiteral = ArrayLiteral
A.Range = Range
A.BinaryOperator = BinaryOperator
A.UnaryOperatorValue = UnaryOperatorValue
A.IfDirective = IfDirective
A.ElseBlock = ElseBlock
A.SetDirective = SetDirective
A.ForeachDirective = ForeachDirective
A.StopDirective = StopDirective
A.Block = Block
A.UserDefinedDirective.DIRECTIVES = [BreakDirective]

SyntaxError_ = A.TemplateSyntaxError
ExecutionError = A.TemplateExecutionError
AirspeedError = A.TemplateError


def parse(source: str) -> Any:
    """Parse a template into airspeed's element tree (raises airspeed's TemplateSyntaxError)."""
    template = A.Template(source, "mapping template")
    template.ensure_compiled()
    return template


def render(template: Any, namespace: dict[str, Any]) -> str:
    """Render a parsed template; Halt (#stop, a stray #break) keeps the output written so far."""
    stream = A.StoppableStream()
    with contextlib.suppress(Halt):
        template.merge_to(namespace, stream)
    return str(stream.getvalue())
