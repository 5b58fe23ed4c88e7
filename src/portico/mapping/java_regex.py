"""java.util.regex for String.replaceAll/replaceFirst/split/matches in mapping templates (Java SE API).

Java patterns are translated to Python `re` (named groups, `\\k<name>`, `\\z`, POSIX `\\p{...}` classes);
replacement strings use Java's `$1` / `${name}` / `\\$` syntax; `split` drops trailing empty strings like
Java's `String.split(regex)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

_POSIX = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": "!-/:-@\\[-`{-~",
    "Graph": "!-~",
    "Print": " -~",
    "Blank": " \\t",
    "Cntrl": "\\x00-\\x1f\\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0b\\f\\r",
    "L": "^\\W\\d_",
    "IsAlphabetic": "^\\W\\d_",
    "IsLetter": "^\\W\\d_",
    "IsDigit": "\\d",
    "N": "\\d",
}
_JAVA_SYNTAX = re.compile(r"\\(?:[pP]\{(\w+)\}|k<(\w+)>|z)|\(\?<(\w+)>|\\.")


class JavaRegexError(ValueError):
    """PatternSyntaxException."""


def _translate_token(match: re.Match[str], in_class: bool) -> str:
    token = match.group(0)
    posix, backref, group = match.group(1), match.group(2), match.group(3)
    if posix is not None:
        if posix not in _POSIX:
            raise JavaRegexError(f"Unknown character property name {{{posix}}}")
        body = _POSIX[posix]
        negate = token[1] == "P"
        if in_class:
            if negate or body.startswith("^"):
                raise JavaRegexError(f"Unsupported \\{token[1]}{{{posix}}} inside a character class")
            return body
        if body.startswith("^"):
            return f"[{body[1:]}]" if negate else f"[{body}]"
        return f"[{'^' if negate else ''}{body}]"
    if backref is not None:
        return f"(?P={backref})"
    if group is not None:
        return f"(?P<{group}>"
    if token == "\\z":
        return "\\Z"
    return token


@lru_cache(maxsize=512)
def java_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a Java regex with Python's `re`."""
    out: list[str] = []
    depth = 0
    pos = 0
    for match in _JAVA_SYNTAX.finditer(pattern):
        chunk = pattern[pos : match.start()]
        depth = _class_depth(chunk, depth)
        out.append(chunk)
        out.append(_translate_token(match, depth > 0))
        pos = match.end()
    out.append(pattern[pos:])
    try:
        return re.compile("".join(out))
    except re.error as exc:
        raise JavaRegexError(f"{exc} near index {exc.pos} in {pattern!r}") from None


def _class_depth(chunk: str, depth: int) -> int:
    for char in chunk:
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
    return depth


_REPLACEMENT = re.compile(r"\\(.)|\$(\d+)|\$\{(\w+)\}|(\$)", re.S)


@lru_cache(maxsize=512)
def java_replacement(replacement: str, groups: int) -> Callable[[re.Match[str]], str]:
    """Matcher.appendReplacement semantics as a function of the match."""
    parts: list[str | int | tuple[str]] = []
    pos = 0
    for match in _REPLACEMENT.finditer(replacement):
        parts.append(replacement[pos : match.start()])
        escaped, number, name, lone = match.groups()
        if escaped is not None:
            parts.append(escaped)
        elif number is not None:
            digits = number[0]
            for extra in number[1:]:  # Java takes more digits while the group exists
                if int(digits + extra) > groups:
                    break
                digits += extra
            if int(digits) > groups:
                raise JavaRegexError(f"No group {digits}")
            parts.append(int(digits))
            parts.append(number[len(digits) :])
        elif name is not None:
            parts.append((name,))
        elif lone is not None:
            raise JavaRegexError("Illegal group reference")
        pos = match.end()
    parts.append(replacement[pos:])

    def expand(match: re.Match[str]) -> str:
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            else:
                out.append(match.group(part if isinstance(part, int) else part[0]) or "")
        return "".join(out)

    return expand


def replace_all(text: str, pattern: str, replacement: str, count: int = 0) -> str:
    compiled = java_pattern(pattern)
    return compiled.sub(java_replacement(replacement, compiled.groups), text, count=count)


def matches(text: str, pattern: str) -> bool:
    return java_pattern(pattern).fullmatch(text) is not None


def split(text: str, pattern: str, limit: int = 0) -> list[str]:
    """String.split(regex, limit)."""
    parts: list[str] = []
    index = 0
    for match in java_pattern(pattern).finditer(text):
        if 0 < limit <= len(parts) + 1:
            break
        if index == 0 and match.start() == 0 and match.end() == 0:
            continue  # no leading empty string for a zero-width match at the start
        parts.append(text[index : match.start()])
        index = match.end()
    if index == 0 and not parts:
        return [text]
    parts.append(text[index:])
    if limit == 0:
        while parts and parts[-1] == "":
            parts.pop()
    return parts
