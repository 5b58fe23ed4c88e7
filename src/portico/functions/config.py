"""What one function needs to run, and the environment Lambda gives it (AWS Lambda Developer
Guide, "Defined runtime environment variables"; "Lambda function ARN formats")."""

from __future__ import annotations

import functools
import re
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LATEST = "$LATEST"
DEFAULT_TIMEOUT = 3
DEFAULT_MEMORY = 128

# Keys Lambda sets itself; CreateFunction refuses them in Environment.Variables.
RESERVED_ENV = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)

_ARN = re.compile(
    r"^(?:arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9_-]{1,64})"
    r"(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]{1,128}))?$"
)


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """A FunctionName as the Lambda API accepts it: name, partial ARN or full ARN."""

    name: str
    region: str | None = None
    account: str | None = None
    qualifier: str | None = None


@functools.lru_cache(maxsize=1024)  # called per invocation with the few names a deployment uses
def parse_function_ref(value: str) -> FunctionRef | None:
    """`my-fn`, `my-fn:$LATEST`, `123456789012:function:my-fn`, `arn:aws:lambda:REGION:ACCT:function:my-fn[:q]`."""
    match = _ARN.match(value)
    if match is None:
        return None
    if match["account"] is None and match["region"] is None and value.count(":") > 1:
        return None
    return FunctionRef(match["name"], match["region"], match["account"], match["qualifier"])


def function_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account_id}:function:{name}"


def runtime_family(runtime: str) -> str | None:
    """`python`, `nodejs` or `provided` (the runtimes Portico runs); None for others."""
    for family in ("python", "nodejs", "provided"):
        if runtime.startswith(family):
            return family
    return None


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    name: str
    region: str
    account_id: str
    runtime: str
    handler: str
    code_dir: Path
    local: bool = False  # code is a developer's directory, hot-reloaded in place
    timeout: int = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY
    environment: tuple[tuple[str, str], ...] = ()
    reserved: int | None = None  # ReservedConcurrentExecutions
    revision: str = ""

    @property
    def arn(self) -> str:
        return function_arn(self.region, self.account_id, self.name)

    @property
    def identity(self) -> tuple[Any, ...]:
        """What a running instance was started with; when it changes, instances are replaced."""
        return (self.runtime, self.handler, self.code_dir, self.memory, self.environment, self.timeout)


def config_from_doc(region: str, doc: dict[str, Any], functions_root: Path) -> FunctionConfig:
    """The stored function document (controlplane/lambda_functions.py) as a FunctionConfig."""
    code = doc.get("_code") or {}
    code_dir = Path(code.get("dir") or ".")
    if not code_dir.is_absolute():
        code_dir = functions_root / code_dir
    variables = (doc.get("Environment") or {}).get("Variables") or {}
    return FunctionConfig(
        name=doc["FunctionName"],
        region=region,
        account_id=doc["FunctionArn"].split(":")[4],
        runtime=doc.get("Runtime") or "provided.al2023",
        handler=doc.get("Handler") or "",
        code_dir=code_dir.resolve(),
        local=bool(code.get("local")),
        timeout=int(doc.get("Timeout") or DEFAULT_TIMEOUT),
        memory=int(doc.get("MemorySize") or DEFAULT_MEMORY),
        environment=tuple(sorted((str(k), str(v)) for k, v in variables.items())),
        reserved=doc.get("_reservedConcurrency"),
        revision=doc.get("RevisionId") or "",
    )


def new_log_stream(clock: float | None = None) -> str:
    """`YYYY/MM/DD/[$LATEST]` + 32 hex characters, as Lambda names an instance's log stream."""
    day = time.strftime("%Y/%m/%d", time.gmtime(clock if clock is not None else time.time()))
    return f"{day}/[{LATEST}]{secrets.token_hex(16)}"


def execution_env(runtime: str) -> str:
    return f"AWS_Lambda_{runtime}"


def runtime_environment(
    config: FunctionConfig, *, api: str, log_stream: str, runtime_dir: Path, path: str
) -> dict[str, str]:
    """The environment of one runtime process: Lambda's defined variables, dummy credentials,
    then the function's own Environment.Variables."""
    env = {
        "AWS_LAMBDA_FUNCTION_NAME": config.name,
        "AWS_LAMBDA_FUNCTION_VERSION": LATEST,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{config.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_RUNTIME_API": api,
        "AWS_REGION": config.region,
        "AWS_DEFAULT_REGION": config.region,
        "AWS_EXECUTION_ENV": execution_env(config.runtime),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_SESSION_TOKEN": "test",
        "_HANDLER": config.handler,
        "LAMBDA_TASK_ROOT": str(config.code_dir),
        "LAMBDA_RUNTIME_DIR": str(runtime_dir),
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        "PATH": path,
    }
    if runtime_family(config.runtime) == "python":
        env["PYTHONPATH"] = str(config.code_dir)
        env["PYTHONUNBUFFERED"] = "1"
        if config.local:
            env["PYTHONDONTWRITEBYTECODE"] = "1"  # edits within one second must not hit stale .pyc
    elif runtime_family(config.runtime) == "nodejs":
        env["NODE_PATH"] = str(config.code_dir / "node_modules")
    env.update(dict(config.environment))
    return env


def interpreter() -> str:
    """The Python that runs `awslambdaric` (Portico's own, where the package is installed)."""
    return sys.executable
