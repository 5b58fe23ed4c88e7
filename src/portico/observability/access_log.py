"""Per-stage access logs (Developer Guide: "Set up CloudWatch logging for REST APIs", $context variables).

`accessLogSettings.format` is compiled once per stage into literal and variable parts; a variable
with no value renders as `-`, as API Gateway writes it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_-]+)*)")


@dataclass(frozen=True, slots=True)
class AccessLogFormat:
    parts: tuple[str | tuple[str, ...], ...]
    destination: str

    def render(self, context: dict[str, Any]) -> str:
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                out.append(_lookup(context, part))
        return "".join(out)


def _lookup(context: dict[str, Any], path: tuple[str, ...]) -> str:
    value: Any = context
    for key in path:
        if not isinstance(value, dict):
            return "-"
        value = value.get(key)
        if value is None:
            return "-"
    if value == "" or value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def compile_format(fmt: str, destination: str = "") -> AccessLogFormat:
    parts: list[str | tuple[str, ...]] = []
    pos = 0
    for match in _VARIABLE.finditer(fmt):
        if match.start() > pos:
            parts.append(fmt[pos : match.start()])
        parts.append(tuple(match.group(1).split(".")))
        pos = match.end()
    if pos < len(fmt):
        parts.append(fmt[pos:])
    return AccessLogFormat(tuple(parts), destination)


class AccessLogSink(Protocol):
    def write(self, destination: str, line: str) -> None: ...


class StreamSink:
    """Writes every access log line to a stream (stdout by default)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def write(self, destination: str, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()


class DirectorySink:
    """One file per log group: `arn:aws:logs:...:log-group:NAME` → DIR/NAME.log."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files: dict[str, TextIO] = {}

    def write(self, destination: str, line: str) -> None:
        handle = self._files.get(destination)
        if handle is None:
            name = destination.rsplit("log-group:", 1)[-1].split(":", 1)[0] or "access"
            path = self.directory / (name.strip("/").replace("/", "_") + ".log")
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = self._files[destination] = path.open("a", encoding="utf-8")
        handle.write(line + "\n")
        handle.flush()

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()
