"""The commands that start a runtime process for each runtime family (AWS Lambda Developer Guide,
"Lambda runtimes"; "Building a custom runtime": an executable `bootstrap` in the code)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from portico.functions.config import FunctionConfig, interpreter, runtime_family
from portico.functions.invoker import InvalidRuntime

RUNTIME_DIR = Path(__file__).resolve().parent
NODE_LOOP = RUNTIME_DIR / "node_runtime.js"


class LaunchError(Exception):
    """The runtime cannot be started (reported as Runtime.InvalidEntrypoint)."""


def runtime_command(config: FunctionConfig) -> list[str]:
    family = runtime_family(config.runtime)
    if family == "python":
        return [interpreter(), "-m", "awslambdaric", config.handler]
    if family == "nodejs":
        node = shutil.which("node")
        if node is None:
            raise LaunchError("Portico cannot run Node.js functions: `node` is not on PATH")
        return [node, str(NODE_LOOP)]
    if family == "provided":
        bootstrap = config.code_dir / "bootstrap"
        if not bootstrap.is_file() or not os.access(bootstrap, os.X_OK):
            raise LaunchError(f"Couldn't find valid bootstrap(s): [{bootstrap}]")
        return [str(bootstrap)]
    raise InvalidRuntime(f"Portico does not run the {config.runtime} runtime (python, nodejs, provided)")
