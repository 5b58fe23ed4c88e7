"""Composition root: builds the store, the control plane and the listeners from Settings."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable
from dataclasses import replace

from portico.compile.snapshot import SnapshotBuilder
from portico.controlplane.dispatch import ControlPlane
from portico.dataplane.handler import DataPlane
from portico.dataplane.server import HttpServer
from portico.functions.host import FunctionHost
from portico.functions.invoker import FunctionInvoker
from portico.functions.remote import invoker_for
from portico.integrations.aws_service import AwsServices
from portico.integrations.upstream import close_loop_pool
from portico.observability.access_log import DirectorySink, StreamSink
from portico.settings import Settings
from portico.store import SqlStore, open_store
from portico.store.feed import ChangeFeed
from portico.wire import Reply, Request, Response, json_response

log = logging.getLogger("portico")

_MISSING_TOKEN = Response(
    403,
    [
        ("Content-Type", "application/json"),
        ("x-amzn-ErrorType", "MissingAuthenticationTokenException"),
    ],
    b'{"message":"Missing Authentication Token"}',
)


class Portico:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store: SqlStore | None = None
        self.control: ControlPlane | None = None
        self.servers: list[HttpServer] = []
        sink = DirectorySink(settings.access_log_dir) if settings.access_log_dir else StreamSink()
        aws = AwsServices.from_settings(settings.aws_endpoints, settings.aws_credentials)
        self.data = DataPlane(settings.account_id, access_sink=sink, aws=aws)
        self.feed: ChangeFeed | None = None
        self._builder = SnapshotBuilder()
        self.functions = FunctionHost(settings)  # hosted Lambda functions (controlplane: ctx.services)
        self.invoker: FunctionInvoker = invoker_for(settings, self.functions)

    async def start(self) -> None:
        self.store = await open_store(self.settings.store)
        self.control = ControlPlane(self.store, self.settings, runtime=self)
        self.control.data_plane = self.data
        self.data.functions = self.invoker
        main = HttpServer(self.handle_main, name="main")
        host, port = self.settings.listen_addr
        await main.start(host, port)  # before the files: a portico.yaml may name the listen port
        self.servers.append(main)
        admin = self.settings.admin_addr
        if admin:
            server = HttpServer(self.handle_admin, name="admin")
            await server.start(*admin)
            self.servers.append(server)
        for path in self.settings.files:
            await self.import_file(path)
        await self.functions.start(self.store)  # after the files: it loads the functions they made
        self.feed = ChangeFeed(self.store)
        self.feed.subscribe(self._rebuild)
        self.feed.subscribe(self.functions.on_change)
        await self.feed.start()
        await self._rebuild(self.feed.version)

    async def import_file(self, path: str) -> None:
        from portico.importers.startup import import_and_deploy

        assert self.store is not None
        host = self.settings.listen_addr[0]
        listen = f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"
        await import_and_deploy(self.store, replace(self.settings, listen=listen), path)

    async def _rebuild(self, version: int) -> None:
        assert self.store is not None
        self.data.install(await self._builder.build(self.store, version))

    async def _control(self, request: Request) -> Response:
        assert self.control is not None
        response = await self.control(request)
        if request.method != "GET" and self.feed is not None and response.status < 300:
            await self.feed.check()  # this process's own changes apply to the next request
        return response

    @property
    def port(self) -> int:
        return self.servers[0].port

    @property
    def admin_port(self) -> int | None:
        return self.servers[1].port if len(self.servers) > 1 else None

    def handle_main(self, request: Request) -> Response | Reply | Awaitable[Response]:
        """Answers at once where it can (HandlerFn): the data plane's synchronous path needs no task."""
        if request.path.startswith("/_portico/"):
            return self._portico_endpoint(request)
        target = self.data.claims(request)
        if target is not None:
            return self.data.handle(request, target)
        if self.settings.admin_addr is None and self.control and self.control.claims(request):
            return self._control(request)
        return _MISSING_TOKEN

    async def handle_admin(self, request: Request) -> Response:
        if request.path.startswith("/_portico/"):
            return self._portico_endpoint(request)
        return await self._control(request)

    def _portico_endpoint(self, request: Request) -> Response:
        if request.path == "/_portico/health":
            body = {"status": "ok", "store": self.store.dialect if self.store else None}
            return json_response(200, json.dumps(body).encode())
        return json_response(404, b'{"message":"Not Found"}')

    async def stop(self, grace: float = 10.0) -> None:
        if self.feed is not None:
            await self.feed.stop()
            self.feed = None
        for server in self.servers:
            await server.shutdown(grace)
        self.servers.clear()
        await self.functions.stop()
        close_loop_pool()  # idle upstream connections of HTTP integrations
        if isinstance(self.data.access_sink, DirectorySink):
            self.data.access_sink.close()
        if self.store is not None:
            await self.store.close()
            self.store = None

    async def invoke_urls(self) -> list[str]:
        """One line per deployed stage: its invoke URLs (DESIGN.md section 1)."""
        assert self.store is not None
        host = (
            "localhost"
            if self.settings.listen_addr[0] in ("127.0.0.1", "0.0.0.0", "::")
            else (self.settings.listen_addr[0])
        )
        lines = []
        for _region, api_id, name, _doc in await self.store.list_all("stage"):
            base = f"http://{api_id}.execute-api.localhost:{self.port}/{name}/"
            alt = f"http://{host}:{self.port}/_aws/execute-api/{api_id}/{name}/"
            lines.append(f"  REST API {api_id} stage {name}: {base}  (or {alt})")
        return lines

    def banner(self) -> list[str]:
        host, _ = self.settings.listen_addr
        lines = [f"Portico listening on http://{host}:{self.port}"]
        if self.admin_port:
            lines.append(f"Control plane on http://{self.settings.admin_addr[0]}:{self.admin_port}")  # type: ignore[index]
        return lines
