"""Function code for the Lambda control plane (AWS Lambda API Reference, "FunctionCode";
"Lambda quotas": 250 MB unzipped): deployment packages unzipped into the data dir, and Portico's
local code directories (Code.S3Bucket = "portico-local", Code.S3Key = an absolute directory)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portico.controlplane.lambda_common import InvalidParameterValueException
from portico.functions.watcher import content_sha256

LOCAL_BUCKET = "portico-local"
MAX_UNZIPPED = 262144000
_BAD_ZIP = "Could not unzip uploaded file. Please check your file, then try to upload again."


@dataclass(frozen=True, slots=True)
class Code:
    dir: str  # relative to the functions root (packages) or absolute (local directories)
    local: bool
    sha256: str  # base64, as CodeSha256
    size: int

    def stored(self) -> dict[str, Any]:
        return {"dir": self.dir, "local": self.local}


def code_from_params(root: Path, name: str, code: dict[str, Any]) -> Code:
    """The code of CreateFunction's `Code` or UpdateFunctionCode's members."""
    if code.get("ZipFile") is not None:
        return unzip_package(root, name, code["ZipFile"])
    bucket = code.get("S3Bucket")
    if bucket == LOCAL_BUCKET:
        return local_directory(str(code.get("S3Key") or ""))
    if bucket:
        raise InvalidParameterValueException(
            f"Portico cannot fetch code from S3 bucket {bucket}: send Code.ZipFile, or use "
            f"Code.S3Bucket={LOCAL_BUCKET} with Code.S3Key=/absolute/code/directory"
        )
    if code.get("ImageUri"):
        raise InvalidParameterValueException(
            "Portico does not run container image functions; use a .zip package or a local directory"
        )
    raise InvalidParameterValueException("Please provide a source for function code.")


def local_directory(path: str) -> Code:
    directory = Path(path)
    if not directory.is_absolute() or not directory.is_dir():
        raise InvalidParameterValueException(
            f"Code.S3Key must be an absolute path to an existing directory when Code.S3Bucket is "
            f"{LOCAL_BUCKET}: {path!r}"
        )
    digest, size = content_sha256(directory)
    return Code(str(directory.resolve()), True, base64.b64encode(bytes.fromhex(digest)).decode(), size)


def unzip_package(root: Path, name: str, data: bytes) -> Code:
    digest = hashlib.sha256(data)
    target = root / name / digest.hexdigest()
    if not target.is_dir():
        _extract(data, target)
    return Code(f"{name}/{digest.hexdigest()}", False, base64.b64encode(digest.digest()).decode(), len(data))


def _extract(data: bytes, target: Path) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise InvalidParameterValueException(_BAD_ZIP) from None
    if sum(m.file_size for m in members) > MAX_UNZIPPED:
        raise InvalidParameterValueException(f"Unzipped size must be smaller than {MAX_UNZIPPED} bytes")
    staging = target.parent / f".staging-{uuid.uuid4().hex}"
    staging.mkdir(parents=True)
    try:
        for member in members:
            _extract_member(archive, member, staging)
        try:
            os.rename(staging, target)
        except OSError:
            if not target.is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _extract_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, staging: Path) -> None:
    dest = (staging / member.filename).resolve()
    if not dest.is_relative_to(staging.resolve()):
        raise InvalidParameterValueException(_BAD_ZIP)
    if member.is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        dest.write_bytes(archive.read(member))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InvalidParameterValueException(_BAD_ZIP) from None
    mode = (member.external_attr >> 16) & 0o777
    if mode:
        dest.chmod(mode | 0o400)  # keep the package's modes (an executable `bootstrap`)


def code_location(root: Path, code: dict[str, Any]) -> str:
    directory = Path(code["dir"])
    return (directory if directory.is_absolute() else root / directory).as_uri()
