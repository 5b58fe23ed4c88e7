"""Start-up settings (not API configuration): listeners, data dir, store, identity."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _split_hostport(value: str, default_port: int) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host:
        return value or "127.0.0.1", default_port
    return host.strip("[]"), int(port)


@dataclass(frozen=True, slots=True)
class Settings:
    listen: str = "127.0.0.1:4566"
    admin_listen: str | None = None
    data_dir: Path = Path(".portico")
    store_url: str | None = None
    redis_url: str | None = None
    account_id: str = "123456789012"
    default_region: str = "us-east-1"
    stage: str = "dev"
    files: tuple[str, ...] = field(default_factory=tuple)
    log_level: str = "INFO"
    access_log_dir: Path | None = None  # per-log-group files; stdout when unset
    aws_endpoints: dict[str, str] = field(default_factory=dict)  # AWS integrations: service → base URL
    aws_credentials: dict[str, str] = field(default_factory=dict)  # role ARN or "*" → KEY:SECRET[:TOKEN]
    lambda_endpoint: str | None = None  # Lambda API for functions Portico does not host

    @property
    def listen_addr(self) -> tuple[str, int]:
        return _split_hostport(self.listen, 4566)

    @property
    def admin_addr(self) -> tuple[str, int] | None:
        return _split_hostport(self.admin_listen, 4567) if self.admin_listen else None

    @property
    def store(self) -> str:
        if self.store_url:
            return self.store_url
        return f"sqlite:///{(self.data_dir / 'portico.db').resolve()}"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {}
        mapping = {
            "PORTICO_LISTEN": "listen",
            "PORTICO_ADMIN_LISTEN": "admin_listen",
            "PORTICO_STORE": "store_url",
            "PORTICO_REDIS": "redis_url",
            "PORTICO_ACCOUNT_ID": "account_id",
            "PORTICO_REGION": "default_region",
            "PORTICO_STAGE": "stage",
            "PORTICO_LOG_LEVEL": "log_level",
            "PORTICO_LAMBDA_ENDPOINT": "lambda_endpoint",
        }
        for var, attr in mapping.items():
            if env.get(var):
                values[attr] = env[var]
        if env.get("PORTICO_ACCESS_LOG_DIR"):
            values["access_log_dir"] = Path(env["PORTICO_ACCESS_LOG_DIR"])
        if env.get("PORTICO_DATA_DIR"):
            values["data_dir"] = Path(env["PORTICO_DATA_DIR"])
        if env.get("PORTICO_AWS_ENDPOINTS") or env.get("PORTICO_AWS_CREDENTIALS"):
            from portico.integrations.aws_sign import parse_credentials, parse_endpoints

            values["aws_endpoints"] = parse_endpoints([env.get("PORTICO_AWS_ENDPOINTS", "")])
            values["aws_credentials"] = parse_credentials([env.get("PORTICO_AWS_CREDENTIALS", "")])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
