"""Hot reload of local function code: a cheap fingerprint of a directory tree (names, sizes,
modification times), polled by the function host (DESIGN.md §2: "hot-reloaded")."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

# Directories whose changes do not reload a function (caches, VCS, installed dependencies).
SKIP_DIRS = frozenset(
    {"__pycache__", ".git", ".hg", "node_modules", ".venv", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
)


def fingerprint(root: Path) -> str:
    """Changes when a file under `root` is added, removed, renamed, rewritten or touched."""
    digest = hashlib.blake2b(digest_size=16)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            rel = os.path.relpath(path, root)
            digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n".encode())
    return digest.hexdigest()


def content_sha256(root: Path) -> tuple[str, int]:
    """(hex sha256 over relative paths and contents, total bytes) of a directory tree: the
    CodeSha256 and CodeSize Portico reports for a local code directory."""
    digest = hashlib.sha256()
    total = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath, name)
            try:
                data = path.read_bytes()
            except OSError:
                continue
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(data)
            total += len(data)
    return digest.hexdigest(), total
