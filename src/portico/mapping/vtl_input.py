"""`$input` and `$util` of mapping templates (Developer Guide: "$input variables", "$util variables").

- `$input.body` is the raw payload; `$input.path(x)` evaluates JSONPath `x` to a value usable in VTL;
  `$input.json(x)` writes the selection as compact JSON (`""` when a definite path selects nothing);
  an empty payload reads as `{}`; a payload that is not JSON fails the template (500).
- `$input.params()` is `{path={...}, header={...}, querystring={...}}`; `$input.params(x)` searches path,
  then query string, then headers (header names case-insensitively) and gives `""` when absent.
- `$util.escapeJavaScript` is Commons Lang `escapeJavaScript` (escapes `'` as `\\'`, `"`, `\\`, `/`,
  control characters and every non-ASCII UTF-16 unit as `\\uXXXX`); `urlEncode`/`urlDecode` are Java's
  `URLEncoder`/`URLDecoder` (UTF-8, space as `+`); `base64Encode`/`base64Decode` work on UTF-8 text;
  `parseJson` gives the object form. Every `$util` function returns null for a null argument.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote_plus, unquote_plus

from portico.mapping.jsonpath import JsonPathError, compile_path
from portico.mapping.vtl_shims import HostObject, JavaError
from portico.mapping.vtl_values import java_str, json_text

_UNSET = object()


@dataclass(frozen=True, slots=True)
class RequestParams:
    """Method request parameters as the data plane resolved them (one value per name)."""

    path: Mapping[str, str] = field(default_factory=dict)
    querystring: Mapping[str, str] = field(default_factory=dict)
    header: Mapping[str, str] = field(default_factory=dict)


class InputVariable(HostObject):
    """`$input` for one render."""

    JAVA_METHODS: ClassVar[frozenset[str]] = frozenset({"json", "path", "params", "getBody"})
    JAVA_PROPERTIES: ClassVar[frozenset[str]] = frozenset({"body"})

    def __init__(self, body: str, params: RequestParams) -> None:
        self.body = body
        self._params = params
        self._document: Any = _UNSET
        self._all_params: dict[str, dict[str, str]] | None = None

    def getBody(self) -> str:
        return self.body

    def _parsed(self) -> Any:
        if self._document is _UNSET:
            text = self.body.strip()
            try:
                self._document = json.loads(text) if text else {}
            except ValueError as exc:
                raise JavaError(f"The payload is not valid JSON: {exc}") from None
        return self._document

    def _matches(self, expression: Any) -> tuple[bool, list[Any]]:
        if expression is None:
            raise JavaError("JSONPath expression is null")
        try:
            compiled = compile_path(java_str(expression))
        except JsonPathError as exc:
            raise JavaError(str(exc)) from None
        return compiled.definite, compiled.find(self._parsed())

    def path(self, expression: Any) -> Any:
        definite, found = self._matches(expression)
        if definite:
            return found[0] if found else None
        return found

    def json(self, expression: Any) -> str:
        definite, found = self._matches(expression)
        if definite:
            return json_text(found[0]) if found else '""'
        return json_text(found)

    def params(self, name: Any = _UNSET) -> Any:
        if name is _UNSET:
            if self._all_params is None:
                p = self._params
                self._all_params = {
                    "path": dict(p.path),
                    "header": dict(p.header),
                    "querystring": dict(p.querystring),
                }
            return self._all_params
        return self._param(java_str(name))

    def _param(self, name: str) -> str:
        p = self._params
        for source in (p.path, p.querystring, p.header):
            if name in source:
                return source[name]
        lowered = name.lower()
        for header, value in p.header.items():
            if header.lower() == lowered:
                return value
        return ""


_JS_ESCAPES = {
    "\b": "\\b",
    "\n": "\\n",
    "\t": "\\t",
    "\f": "\\f",
    "\r": "\\r",
    "'": "\\'",
    '"': '\\"',
    "\\": "\\\\",
    "/": "\\/",
}
_JS_SPECIAL = re.compile("[\x00-\x1f'\"\\\\/\x80-\U0010ffff]")


def _escape_unit(match: re.Match[str]) -> str:
    char = match.group(0)
    simple = _JS_ESCAPES.get(char)
    if simple is not None:
        return simple
    code = ord(char)
    if code > 0xFFFF:  # Java strings are UTF-16: escape both surrogates
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}"
    return f"\\u{code:04X}"


def escape_javascript(text: str) -> str:
    return _JS_SPECIAL.sub(_escape_unit, text)


class UtilVariable(HostObject):
    """`$util` (stateless, shared by every render)."""

    JAVA_METHODS: ClassVar[frozenset[str]] = frozenset(
        {"escapeJavaScript", "parseJson", "urlEncode", "urlDecode", "base64Encode", "base64Decode"}
    )

    def escapeJavaScript(self, value: Any) -> str | None:
        return None if value is None else escape_javascript(java_str(value))

    def parseJson(self, value: Any) -> Any:
        if value is None:
            return None
        try:
            return json.loads(java_str(value))
        except ValueError as exc:
            raise JavaError(f"Invalid JSON passed to $util.parseJson: {exc}") from None

    def urlEncode(self, value: Any) -> str | None:
        if value is None:
            return None
        return quote_plus(java_str(value), safe="*", errors="replace").replace("~", "%7E")

    def urlDecode(self, value: Any) -> str | None:
        return None if value is None else unquote_plus(java_str(value), errors="replace")

    def base64Encode(self, value: Any) -> str | None:
        if value is None:
            return None
        return base64.b64encode(java_str(value).encode("utf-8", "replace")).decode("ascii")

    def base64Decode(self, value: Any) -> str | None:
        if value is None:
            return None
        text = java_str(value).rstrip("=")
        try:
            raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise JavaError(f"Illegal base64 input: {exc}") from None
        return raw.decode("utf-8", "replace")


UTIL = UtilVariable()
