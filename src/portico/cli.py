"""The `portico` command."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import click

from portico import __version__
from portico.integrations.aws_sign import parse_credentials, parse_endpoints
from portico.settings import Settings


@click.group()
@click.version_option(__version__, prog_name="portico")
def main() -> None:
    """Portico: Amazon API Gateway on your own machine."""


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--listen",
    envvar="PORTICO_LISTEN",
    default="127.0.0.1:4566",
    show_default=True,
    help="HOST:PORT of the main listener (control plane + data plane). Port 0 picks one.",
)
@click.option(
    "--admin-listen",
    envvar="PORTICO_ADMIN_LISTEN",
    default=None,
    help="Serve the control plane on its own HOST:PORT instead of the main listener.",
)
@click.option(
    "--data-dir",
    envvar="PORTICO_DATA_DIR",
    default=".portico",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "--store",
    "store_url",
    envvar="PORTICO_STORE",
    default=None,
    help="sqlite:///path (default: DATA_DIR/portico.db) or postgresql://user@host/db",
)
@click.option(
    "--redis",
    "redis_url",
    envvar="PORTICO_REDIS",
    default=None,
    help="redis://host:port (accepted; not used yet, a warning says so)",
)
@click.option(
    "--stage",
    envvar="PORTICO_STAGE",
    default="dev",
    show_default=True,
    help="Stage that imported FILES are deployed to.",
)
@click.option("--region", envvar="PORTICO_REGION", default="us-east-1", show_default=True)
@click.option("--account-id", envvar="PORTICO_ACCOUNT_ID", default="123456789012", show_default=True)
@click.option(
    "--access-log-dir",
    envvar="PORTICO_ACCESS_LOG_DIR",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Write stage access logs to DIR/<log group>.log instead of stdout.",
)
@click.option("--log-level", envvar="PORTICO_LOG_LEVEL", default="INFO", show_default=True)
@click.option(
    "--aws-endpoint",
    "aws_endpoints",
    envvar="PORTICO_AWS_ENDPOINTS",
    multiple=True,
    callback=lambda _ctx, _param, value: _parsed(parse_endpoints, value),
    metavar="SERVICE=URL",
    help="Endpoint of an AWS service for AWS integrations (repeatable; env: comma-separated), "
    "e.g. sqs=http://127.0.0.1:5000. Default: https://SERVICE.REGION.amazonaws.com.",
)
@click.option(
    "--aws-credentials",
    "aws_credentials",
    envvar="PORTICO_AWS_CREDENTIALS",
    multiple=True,
    callback=lambda _ctx, _param, value: _parsed(parse_credentials, value),
    metavar="ROLE_ARN=KEY:SECRET[:TOKEN]",
    help="Keys that AWS integrations whose credentials are ROLE_ARN sign with (repeatable; ROLE_ARN * "
    "for any other). Default: this process's AWS credentials.",
)
@click.option(
    "--lambda-endpoint",
    envvar="PORTICO_LAMBDA_ENDPOINT",
    default=None,
    metavar="URL",
    help="Lambda API endpoint that invokes functions Portico does not host (SigV4-signed Invoke).",
)
def serve(
    files: tuple[str, ...],
    listen: str,
    admin_listen: str | None,
    data_dir: Path,
    store_url: str | None,
    redis_url: str | None,
    stage: str,
    region: str,
    account_id: str,
    access_log_dir: Path | None,
    log_level: str,
    aws_endpoints: dict[str, str],
    aws_credentials: dict[str, str],
    lambda_endpoint: str | None,
) -> None:
    """Serve FILES (OpenAPI 2/3 JSON or YAML) and the AWS control-plane APIs."""
    settings = Settings(
        listen=listen,
        admin_listen=admin_listen,
        data_dir=data_dir,
        store_url=store_url,
        redis_url=redis_url,
        stage=stage,
        default_region=region,
        account_id=account_id,
        files=files,
        log_level=log_level.upper(),
        access_log_dir=access_log_dir,
        aws_endpoints=aws_endpoints,
        aws_credentials=aws_credentials,
        lambda_endpoint=lambda_endpoint,
    )
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.redis_url:
        logging.getLogger("portico").warning(
            "--redis %s is accepted but not used yet: all shared state is kept in this process",
            settings.redis_url,
        )
    try:
        import uvloop

        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    except ImportError:  # pragma: no cover
        runner = asyncio.Runner()
    with runner:
        code = runner.run(_serve(settings))
    sys.exit(code)


def _parsed(parse: Callable[[Iterable[str]], dict[str, str]], values: Iterable[str]) -> dict[str, str]:
    try:
        return parse(values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _settle_heap() -> None:
    """After start-up: what is loaded by now (botocore's models, the first snapshot) lives as long
    as the process, so full collections stop scanning it (`gc.freeze`): a shorter tail of latency."""
    gc.collect()
    gc.freeze()


async def _serve(settings: Settings) -> int:
    from portico.app import Portico
    from portico.importers.errors import ImportFailed

    app = Portico(settings)
    try:
        await app.start()
    except ImportFailed as exc:
        click.echo(f"portico: {exc}", err=True)
        await app.stop()
        return 2
    except OSError as exc:
        click.echo(f"portico: cannot listen on {settings.listen}: {exc.strerror}", err=True)
        await app.stop()
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    _settle_heap()  # before the banner: whoever waits for it may signal at once
    for line in app.banner():
        click.echo(line)
    for line in await app.invoke_urls():
        click.echo(line)
    sys.stdout.flush()
    await stop.wait()
    click.echo("Portico: draining in-flight requests...")
    await app.stop()
    return 0
