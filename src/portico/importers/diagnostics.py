"""Import errors and warnings (API Gateway Developer Guide: "Errors and warnings during import")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Path = tuple[Any, ...]


class DefinitionError(Exception):
    """The definition cannot be imported at all (AWS answers BadRequestException, nothing changes)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(self.describe())

    def describe(self) -> str:
        if self.line is None or f"line {self.line}" in self.message:
            return self.message
        return f"{self.message} (line {self.line})"


@dataclass(frozen=True, slots=True)
class ImportWarning:
    """A part of the definition that was not imported (or not as written); `path` locates it."""

    message: str
    path: Path = ()

    def __str__(self) -> str:
        return self.message


@dataclass(slots=True)
class Warnings:
    items: list[ImportWarning] = field(default_factory=list)

    def add(self, message: str, path: Path = ()) -> None:
        self.items.append(ImportWarning(message, tuple(path)))

    def unsupported(self, name: str, path: Path, why: str = "") -> None:
        reason = f": {why}" if why else ""
        self.add(f"Unsupported extension {name} ignored{reason}", path)


def attribute(path: Path) -> str:
    """AWS's way of naming a place in the definition: paths.'/pets'(get).responses.200"""
    out: list[str] = []
    items = list(path)
    i = 0
    while i < len(items):
        part = items[i]
        if part == "paths" and i + 1 < len(items):
            out.append(f"paths.'{items[i + 1]}'")
            if i + 2 < len(items):
                out[-1] += f"({items[i + 2]})"
                i += 1
            i += 2
            continue
        out.append(str(part))
        i += 1
    return ".".join(out)


def failure_message(warnings: list[ImportWarning]) -> str:
    """The BadRequestException message of an import with failonwarnings=true."""
    return "Warnings found during import:\n\t" + "\n\t".join(w.message for w in warnings)
