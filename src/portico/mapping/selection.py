"""Choosing a mapping template and an integration response (Developer Guide: "Select a VTL mapping
template", "Method request behavior for payloads without mapping templates", integration response
`selectionPattern`).

- Request templates are keyed by the request's `Content-Type` media type (`application/json` when
  absent). Without a matching template, `passthroughBehavior` decides: `WHEN_NO_MATCH` passes the
  payload through; `WHEN_NO_TEMPLATES` passes it through only when no template is defined at all;
  `NEVER` never does. Otherwise the request fails with 415 Unsupported Media Type.
- Response templates are keyed by the first media type of `Accept` (`application/json` when absent);
  without a match the first template defined is used; without templates the payload passes through.
- Integration responses: the first whose `selectionPattern` (a Java regex, whole-string match) matches
  the integration's status code (HTTP, MOCK, AWS) or the Lambda `errorMessage` (Lambda), else the
  default one (no pattern); None when nothing matches and there is no default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from portico.mapping.java_regex import JavaRegexError, java_pattern

T = TypeVar("T")

DEFAULT_MEDIA_TYPE = "application/json"
PASSTHROUGH_BEHAVIORS = ("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER")


class UnsupportedMediaType(Exception):
    """No template for the request's content type and the passthrough behavior forbids passing it."""


def media_type(header: str | None) -> str | None:
    """The MIME type of a `Content-Type` (or one `Accept` entry), lower-cased, without parameters."""
    if header is None:
        return None
    value = header.split(";", 1)[0].strip().lower()
    return value or None


def first_accept(header: str | None) -> str | None:
    """API Gateway honours only the first media type of `Accept`."""
    if header is None:
        return None
    return media_type(header.split(",", 1)[0])


@dataclass(frozen=True, slots=True)
class Templates(Generic[T]):
    """Templates keyed by lower-cased media type, in the order they were defined."""

    by_type: Mapping[str, T]
    first: str | None

    @classmethod
    def of(cls, items: Iterable[tuple[str, T]]) -> Templates[T]:
        by_type: dict[str, T] = {}
        for key, value in items:
            by_type.setdefault(key.lower(), value)
        return cls(by_type, next(iter(by_type), None))

    def __bool__(self) -> bool:
        return bool(self.by_type)


def select_request_template(
    templates: Templates[T], content_type: str | None, passthrough: str
) -> str | None:
    """The media type whose template maps the request, or None to pass the payload through."""
    key = media_type(content_type) or DEFAULT_MEDIA_TYPE
    if key in templates.by_type:
        return key
    if passthrough == "WHEN_NO_MATCH" or (passthrough == "WHEN_NO_TEMPLATES" and not templates):
        return None
    raise UnsupportedMediaType(key)


def select_response_template(templates: Templates[T], accept: str | None) -> str | None:
    """The media type whose template maps the response, or None to pass the payload through."""
    key = first_accept(accept) or DEFAULT_MEDIA_TYPE
    if key in templates.by_type:
        return key
    return templates.first


@dataclass(frozen=True, slots=True)
class Candidate(Generic[T]):
    pattern: re.Pattern[str] | None
    value: T


def compile_pattern(pattern: str | None) -> re.Pattern[str] | None:
    """A selection pattern compiled as Java does; raises JavaRegexError when it is not valid."""
    return java_pattern(pattern) if pattern else None


@dataclass(frozen=True, slots=True)
class ResponseSelector(Generic[T]):
    """Integration responses with their compiled selection patterns, and the default one."""

    candidates: tuple[Candidate[T], ...]
    default: T | None

    @classmethod
    def of(cls, items: Iterable[tuple[str | None, T]]) -> ResponseSelector[T]:
        """Build from (selectionPattern, response) pairs; invalid patterns never match."""
        candidates: list[Candidate[T]] = []
        default: T | None = None
        for pattern, value in items:
            if not pattern:
                default = value if default is None else default
                continue
            try:
                compiled = compile_pattern(pattern)
            except JavaRegexError:
                continue
            candidates.append(Candidate(compiled, value))
        return cls(tuple(candidates), default)

    def select(self, subject: str | None) -> T | None:
        """The response whose pattern matches `subject` entirely; the default for None or no match."""
        if subject is not None:
            for candidate in self.candidates:
                if candidate.pattern is not None and candidate.pattern.fullmatch(subject):
                    return candidate.value
        return self.default
