"""CloudFormation intrinsic functions and condition functions, resolved without AWS (AWS
CloudFormation User Guide, "Intrinsic function reference", "Pseudo parameters reference")."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from portico.importers.diagnostics import Path

NO_VALUE: Any = type("NoValue", (), {"__repr__": lambda self: "AWS::NoValue"})()
_SUB = re.compile(r"\$\{([^}]*)\}")
_UNSUPPORTED = (
    "Fn::ImportValue",
    "Fn::GetAZs",
    "Fn::Cidr",
    "Fn::Transform",
    "Fn::ToJsonString",
    "Fn::Length",
)


class IntrinsicError(Exception):
    def __init__(self, message: str, path: Path = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = tuple(path)


def pseudo_parameters(region: str, account_id: str, stack: str) -> dict[str, Any]:
    return {
        "AWS::Region": region,
        "AWS::AccountId": account_id,
        "AWS::StackName": stack,
        "AWS::StackId": f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack}/portico",
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::NotificationARNs": [],
        "AWS::NoValue": NO_VALUE,
    }


@dataclass
class Scope:
    """What names resolve to: parameters (pseudo parameters included), resources' physical ids
    and attributes (callables that raise KeyError for unknown names), mappings, conditions."""

    parameters: dict[str, Any]
    ref: Callable[[str], Any]
    attribute: Callable[[str, str], Any]
    mappings: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)


def is_intrinsic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return key == "Ref" or key.startswith("Fn::")


class Resolver:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()

    def resolve(self, value: Any, path: Path = ()) -> Any:
        """`value` with every intrinsic function replaced by its value (AWS::NoValue removes the
        key or list item that holds it)."""
        if isinstance(value, dict):
            if is_intrinsic(value):
                return self._call(next(iter(value.items())), path)
            out = {}
            for key, item in value.items():
                resolved = self.resolve(item, (*path, key))
                if resolved is not NO_VALUE:
                    out[key] = resolved
            return out
        if isinstance(value, list):
            items = (self.resolve(item, (*path, i)) for i, item in enumerate(value))
            return [item for item in items if item is not NO_VALUE]
        return value

    def _call(self, call: tuple[str, Any], path: Path) -> Any:
        name, arg = call
        here = (*path, name)
        handler = _HANDLERS.get(name)
        if handler is not None:
            return handler(self, arg, here)
        if name in _UNSUPPORTED:
            raise IntrinsicError(f"Portico does not support {name}", here)
        raise IntrinsicError(f"Template format error: unknown intrinsic function {name}", here)

    # -- references --------------------------------------------------------------------------

    def ref(self, arg: Any, path: Path) -> Any:
        name = self._text(arg, "Ref", path)
        if name in self.scope.parameters:
            return self.scope.parameters[name]
        try:
            return self.scope.ref(name)
        except KeyError:
            raise IntrinsicError(
                f"Template format error: Unresolved resource dependencies [{name}] in the Resources block "
                "of the template",
                path,
            ) from None

    def get_att(self, arg: Any, path: Path) -> Any:
        arg = self.resolve(arg, path)
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not (isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg)):
            raise IntrinsicError("Fn::GetAtt takes [LogicalId, Attribute]", path)
        return self._attribute(arg[0], arg[1], path)

    def _attribute(self, logical: str, attribute: str, path: Path) -> Any:
        try:
            return self.scope.attribute(logical, attribute)
        except KeyError:
            raise IntrinsicError(
                f"Template format error: Unresolved resource dependencies [{logical}] in the Resources "
                "block of the template",
                path,
            ) from None
        except IntrinsicError as exc:
            raise IntrinsicError(exc.message, path) from None

    def sub(self, arg: Any, path: Path) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(arg, list):
            if len(arg) != 2 or not isinstance(arg[1], dict):
                raise IntrinsicError("Fn::Sub takes a string or [string, {variables}]", path)
            variables = {k: self.resolve(v, (*path, 1, k)) for k, v in arg[1].items()}
            arg = arg[0]
        text = self._text(arg, "Fn::Sub", path)

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return self._string(variables[name], name, path)
            if name in self.scope.parameters or "." not in name:
                return self._string(self.ref(name, path), name, path)
            logical, attribute = name.split(".", 1)
            return self._string(self._attribute(logical, attribute, path), name, path)

        return _SUB.sub(replace, text)

    # -- strings and lists -------------------------------------------------------------------

    def join(self, arg: Any, path: Path) -> Any:
        arg = self.resolve(arg, path)
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            raise IntrinsicError("Fn::Join takes [delimiter, [values]]", path)
        if not isinstance(arg[1], list):
            raise IntrinsicError("Fn::Join needs a list of values", path)
        return arg[0].join(self._string(v, "Fn::Join", path) for v in arg[1])

    def select(self, arg: Any, path: Path) -> Any:
        arg = self.resolve(arg, path)
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list)):
            raise IntrinsicError("Fn::Select takes [index, [values]]", path)
        try:
            return arg[1][int(arg[0])]
        except (ValueError, IndexError):
            raise IntrinsicError(f"Fn::Select index {arg[0]} is out of bounds", path) from None

    def split(self, arg: Any, path: Path) -> Any:
        arg = self.resolve(arg, path)
        if not (isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg)):
            raise IntrinsicError("Fn::Split takes [delimiter, string]", path)
        return arg[1].split(arg[0])

    def find_in_map(self, arg: Any, path: Path) -> Any:
        arg = self.resolve(arg, path)
        if not (isinstance(arg, list) and len(arg) in (3, 4)):
            raise IntrinsicError("Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]", path)
        try:
            return self.scope.mappings[arg[0]][str(arg[1])][str(arg[2])]
        except (KeyError, TypeError):
            if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
                return arg[3]["DefaultValue"]
            raise IntrinsicError(f"Fn::FindInMap: no value for {arg[0]}/{arg[1]}/{arg[2]}", path) from None

    def base64(self, arg: Any, path: Path) -> Any:
        return base64.b64encode(self._string(self.resolve(arg, path), "Fn::Base64", path).encode()).decode()

    # -- conditions --------------------------------------------------------------------------

    def condition(self, name: str, path: Path = ()) -> bool:
        """The value of a named condition of the template."""
        if name in self._conditions:
            return self._conditions[name]
        if name not in self.scope.conditions:
            raise IntrinsicError(f"Template format error: Unresolved condition dependency {name}", path)
        if name in self._evaluating:
            raise IntrinsicError(f"Template format error: circular condition dependency {name}", path)
        self._evaluating.add(name)
        try:
            value = self._truth(self.scope.conditions[name], ("Conditions", name))
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = value
        return value

    def _truth(self, value: Any, path: Path) -> bool:
        if isinstance(value, dict) and len(value) == 1 and "Condition" in value:
            return self.condition(self._text(value["Condition"], "Condition", path), path)
        result = self.resolve(value, path)
        if isinstance(result, bool):
            return result
        if isinstance(result, str) and result.lower() in ("true", "false"):
            return result.lower() == "true"
        raise IntrinsicError("a condition must be a condition function or a boolean", path)

    def if_(self, arg: Any, path: Path) -> Any:
        if not (isinstance(arg, list) and len(arg) == 3):
            raise IntrinsicError("Fn::If takes [condition_name, value_if_true, value_if_false]", path)
        chosen = 1 if self.condition(self._text(arg[0], "Fn::If", path), path) else 2
        return self.resolve(arg[chosen], (*path, chosen))

    def equals(self, arg: Any, path: Path) -> Any:
        arg = self.resolve(arg, path)
        if not (isinstance(arg, list) and len(arg) == 2):
            raise IntrinsicError("Fn::Equals takes [value_1, value_2]", path)
        return _comparable(arg[0]) == _comparable(arg[1])

    def and_(self, arg: Any, path: Path) -> Any:
        return all(self._truth(c, (*path, i)) for i, c in enumerate(self._conditions_list(arg, path)))

    def or_(self, arg: Any, path: Path) -> Any:
        return any(self._truth(c, (*path, i)) for i, c in enumerate(self._conditions_list(arg, path)))

    def not_(self, arg: Any, path: Path) -> Any:
        if not (isinstance(arg, list) and len(arg) == 1):
            raise IntrinsicError("Fn::Not takes [condition]", path)
        return not self._truth(arg[0], (*path, 0))

    @staticmethod
    def _conditions_list(arg: Any, path: Path) -> list[Any]:
        if not (isinstance(arg, list) and 2 <= len(arg) <= 10):
            raise IntrinsicError("Fn::And and Fn::Or take 2 to 10 conditions", path)
        return arg

    # -- helpers -----------------------------------------------------------------------------

    def _text(self, value: Any, what: str, path: Path) -> str:
        if not isinstance(value, str):
            raise IntrinsicError(f"{what} takes a string", path)
        return value

    @staticmethod
    def _string(value: Any, what: str, path: Path) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        raise IntrinsicError(f"{what} must resolve to a string, not {type(value).__name__}", path)


def _comparable(value: Any) -> Any:
    return str(value).lower() if isinstance(value, bool) else str(value) if isinstance(value, int) else value


_HANDLERS: dict[str, Callable[[Resolver, Any, Path], Any]] = {
    "Ref": Resolver.ref,
    "Fn::GetAtt": Resolver.get_att,
    "Fn::Sub": Resolver.sub,
    "Fn::Join": Resolver.join,
    "Fn::Select": Resolver.select,
    "Fn::Split": Resolver.split,
    "Fn::FindInMap": Resolver.find_in_map,
    "Fn::Base64": Resolver.base64,
    "Fn::If": Resolver.if_,
    "Fn::Equals": Resolver.equals,
    "Fn::And": Resolver.and_,
    "Fn::Or": Resolver.or_,
    "Fn::Not": Resolver.not_,
}
