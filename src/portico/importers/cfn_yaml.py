"""CloudFormation templates in JSON or YAML, short intrinsic tags included (AWS CloudFormation User
Guide, "Intrinsic function reference": `!Ref`, `!Sub`, `!GetAtt`, `!Join`, ...), with line lookups.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from portico.importers.diagnostics import DefinitionError, Path
from portico.importers.openapi_load import compose_tree, line_in, string_keys

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FUNCTIONS = (
    "And",
    "Base64",
    "Cidr",
    "Equals",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Length",
    "Not",
    "Or",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
)


class CfnLoader(_Base):
    """A safe loader that knows CloudFormation's short tags and keeps timestamps as text."""


def _tagged(loader: Any, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if suffix not in (*FUNCTIONS, "Ref", "Condition"):
        raise yaml.constructor.ConstructorError(
            None, None, f"unknown CloudFormation tag !{suffix}", node.start_mark
        )
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)  # !GetAtt Resource.Attribute
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    key = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    return {key: value}


CfnLoader.add_multi_constructor("!", _tagged)
CfnLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def load(text: str) -> Any:
    """The data of a template (JSON or YAML); DefinitionError with the line when it does not parse."""
    if text.lstrip().startswith("{"):
        try:
            return string_keys(json.loads(text))
        except json.JSONDecodeError as exc:
            if "!" not in text:
                raise DefinitionError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    try:
        return string_keys(yaml.load(text, Loader=CfnLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        raise DefinitionError(f"invalid YAML: {problem}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"invalid YAML: {exc}") from None


@dataclass
class Source:
    """A file's text, for the line of an item (by its path of keys and indexes)."""

    name: str
    text: str
    _tree: Any = field(default=None, repr=False)

    def line_of(self, path: Path, *, exact: int = 0) -> int | None:
        """1-based line of the item at `path`, or of its closest parent; None when the first
        `exact` parts of the path are not in the file (e.g. a resource the SAM translator made)."""
        if self._tree is None:
            self._tree = compose_tree(self.text, CfnLoader)
        return line_in(self._tree, path, exact)

    def where(self, path: Path, *, exact: int = 0) -> str:
        """`file:line` (or just `file`) of the item at `path`."""
        line = self.line_of(path, exact=exact)
        return f"{self.name}:{line}" if line else self.name

    def listing(self, logical: str, kind: str) -> str:
        """`Name (Type, line N)` of a resource, for lists of resources."""
        line = self.line_of(("Resources", logical), exact=2)
        return f"{logical} ({kind}, line {line})" if line else f"{logical} ({kind})"
