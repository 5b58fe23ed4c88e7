"""The API key file format of ImportApiKeys (Developer Guide: "API Gateway API key file format").

CSV with a header naming the columns, case-insensitively and in any order: `Name` and `Key` are
required; `Description`, `Enabled` (default true) and `UsagePlanIds` are optional; other columns
are ignored. A value may be quoted with double or single quotes (so `UsagePlanIds` can hold
`"c7y23b,glvrsr"`); values are trimmed. A `Key` has 20 to 128 characters, a `Name` at most 1024.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portico.controlplane.errors import BadRequestException

MIN_KEY, MAX_KEY, MAX_NAME = 20, 128, 1024
_COLUMNS = ("name", "key", "description", "enabled", "usageplanids")


@dataclass(frozen=True, slots=True)
class KeyRow:
    line: int
    name: str
    key: str
    description: str = ""
    enabled: bool = True
    usage_plan_ids: tuple[str, ...] = ()


@dataclass(slots=True)
class KeyFile:
    rows: list[KeyRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def split_line(line: str) -> list[str]:
    """Split one CSV line; `"..."` and `'...'` quote a value, a doubled quote escapes itself."""
    values: list[str] = []
    current: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == quote and line[i + 1 : i + 2] == quote:
                current.append(ch)
                i += 1
            elif ch == quote:
                quote = None
            else:
                current.append(ch)
        elif ch in "\"'" and not "".join(current).strip():
            current, quote = [], ch
        elif ch == ",":
            values.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    if quote:
        raise BadRequestException(f"Invalid API key file: unterminated quoted value in line: {line}")
    values.append("".join(current).strip())
    return values


def _header(line: str) -> dict[str, int]:
    columns = {name.lower(): i for i, name in reversed(list(enumerate(split_line(line))))}
    missing = [c for c in ("name", "key") if c not in columns]
    if missing:
        raise BadRequestException(
            "Invalid API key file: the header must contain the Name and Key columns "
            f"(missing: {', '.join(missing)})"
        )
    return {c: columns[c] for c in _COLUMNS if c in columns}


def _row(number: int, values: list[str], columns: dict[str, int]) -> KeyRow | str:
    def get(column: str) -> str:
        index = columns.get(column)
        return values[index] if index is not None and index < len(values) else ""

    name, key = get("name"), get("key")
    if not MIN_KEY <= len(key) <= MAX_KEY:
        return f"Line {number}: a Key must have between {MIN_KEY} and {MAX_KEY} characters"
    if not name:
        return f"Line {number}: a Name is required"
    if len(name) > MAX_NAME:
        return f"Line {number}: a Name cannot exceed {MAX_NAME} characters"
    enabled = get("enabled").lower() or "true"
    if enabled not in ("true", "false"):
        return f"Line {number}: Enabled must be true or false, not '{get('enabled')}'"
    plans = tuple(p.strip() for p in get("usageplanids").split(",") if p.strip())
    return KeyRow(number, name, key, get("description"), enabled == "true", plans)


def parse_key_file(text: str) -> KeyFile:
    """Rows that can be imported and one warning per row that cannot."""
    lines = [(n, line) for n, line in enumerate(text.lstrip("\ufeff").splitlines(), 1) if line.strip()]
    if not lines:
        raise BadRequestException("Invalid API key file: it is empty")
    columns = _header(lines[0][1])
    result = KeyFile()
    for number, line in lines[1:]:
        row = _row(number, split_line(line), columns)
        if isinstance(row, str):
            result.warnings.append(row)
        else:
            result.rows.append(row)
    return result
