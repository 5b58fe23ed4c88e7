"""The HTTP/1.1 listener: accepts connections (plain or TLS), tracks them and drains them on
shutdown. Each connection's protocol is `connection.py`; serialisation is `http1.py`.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from typing import cast

from portico.dataplane import http1
from portico.dataplane.connection import DEFAULT_LIMITS, Connection, HandlerFn, Limits, UpgradeHook

__all__ = ["DEFAULT_LIMITS", "HandlerFn", "HttpServer", "Limits", "UpgradeHook"]

logger = logging.getLogger("portico.server")


class HttpServer:
    """One HTTP/1.1 listener (plain or TLS) serving `handler`."""

    def __init__(
        self,
        handler: HandlerFn,
        *,
        limits: Limits = DEFAULT_LIMITS,
        ssl_context: ssl.SSLContext | None = None,
        name: str = "http",
    ) -> None:
        self.handler = handler
        self.limits = limits
        self.ssl_context = ssl_context
        self.name = name
        self.on_upgrade: UpgradeHook | None = None
        self._date = http1.DateCache()
        self._server: asyncio.Server | None = None
        self._port = 0
        self._connections: set[Connection] = set()
        self._draining = False
        self._all_gone: asyncio.Future[None] | None = None

    async def start(self, host: str, port: int) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: cast(asyncio.Protocol, Connection(self)), host, port, ssl=self.ssl_context, backlog=2048
        )
        self._port = self._server.sockets[0].getsockname()[1]
        logger.debug("%s listening on %s:%d", self.name, host, self._port)

    @property
    def port(self) -> int:
        return self._port

    async def shutdown(self, grace: float = 10.0) -> None:
        """Stop accepting, close idle connections, let in-flight requests finish (up to `grace`
        seconds; their responses say `Connection: close`), then abort what is left."""
        server = self._server
        if server is None:
            return
        self._server = None
        self._draining = True
        server.close()
        for conn in list(self._connections):
            conn.begin_shutdown()
        await self._wait_gone(grace)
        for conn in list(self._connections):
            conn.abort()
        await self._wait_gone(1.0)
        await server.wait_closed()

    async def _wait_gone(self, timeout: float) -> None:
        if not self._connections:
            return
        self._all_gone = asyncio.get_running_loop().create_future()
        await asyncio.wait({self._all_gone}, timeout=timeout)
        self._all_gone = None

    def _forget(self, conn: Connection) -> None:
        self._connections.discard(conn)
        if not self._connections and self._all_gone is not None and not self._all_gone.done():
            self._all_gone.set_result(None)
