"""A tiny HTTP/1.1 backend on asyncio streams for integration tests (port 0, keep-alive).

Paths:
- `/status/{code}` answers that status with a JSON body;
- `/slow/{ms}` answers after a delay;
- `/headers` answers with headers API Gateway remaps or drops;
- `/raw` answers the request body as is (`application/octet-stream`);
- `/chunked`, `/close` (close-delimited), `/head-close` (no length, keep-alive asked);
- `/garbage` (not HTTP), `/hangup` (closes without answering), `/big` (over 10 MB);
- `/early-hints` sends a 103 response first; `/hop-by-hop` names a header in `Connection`;
- anything else echoes the request as JSON: method, target, path, query, headers, body (base64).
It counts connections and requests; `drop_idle()` closes its idle keep-alive connections.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

Reply = tuple[int, list[tuple[str, str]], bytes, str]  # status, headers, body, framing


@dataclass
class Seen:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    connection: int = 0

    def header(self, name: str) -> str | None:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)


@dataclass
class EchoBackend:
    connections: int = 0
    requests: list[Seen] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    _idle: set[asyncio.StreamWriter] = field(default_factory=set)

    async def start(self) -> EchoBackend:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            await self._server.wait_closed()

    def drop_idle(self) -> None:
        for writer in list(self._idle):
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        self._writers.add(writer)
        try:
            while True:
                self._idle.add(writer)
                seen = await _read_request(reader)
                self._idle.discard(writer)
                if seen is None:
                    break
                seen.connection = number
                self.requests.append(seen)
                if not await self._answer(seen, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._idle.discard(writer)
            self._writers.discard(writer)
            writer.close()

    async def _answer(self, seen: Seen, writer: asyncio.StreamWriter) -> bool:
        path = seen.target.partition("?")[0]
        if path.startswith("/slow/"):
            await asyncio.sleep(int(path.rsplit("/", 1)[1]) / 1000)
        if path == "/hangup":
            return False
        if path == "/garbage":
            writer.write(b"this is not HTTP\r\n\r\n")
            await writer.drain()
            return False
        if path == "/early-hints":
            writer.write(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n")
            await writer.drain()
            await asyncio.sleep(0.01)
        status, headers, body, framing = reply_for(seen)
        writer.write(encode_reply(status, headers, b"" if seen.method == "HEAD" else body, framing, seen))
        await writer.drain()
        return framing in ("length", "chunked")


def reply_for(seen: Seen) -> Reply:
    path = seen.target.partition("?")[0]
    if path.startswith("/status/"):
        code = int(path.split("/")[2])
        return code, [("Content-Type", "application/json")], json.dumps({"status": code}).encode(), "length"
    if path == "/headers":
        headers = [
            ("Content-Type", "text/plain"),
            ("Server", "echo/1.0"),
            ("Date", "Tue, 01 Jan 2030 00:00:00 GMT"),
            ("Connection", "keep-alive"),
            ("Via", "1.1 somewhere"),
            ("x-amzn-RequestId", "backend-request-id"),
            ("X-Custom", "one"),
            ("X-Custom", "two"),
            ("Content-Encoding", "identity"),
        ]
        return 200, headers, b"headers", "length"
    if path == "/early-hints":
        return 200, [("Content-Type", "text/plain"), ("X-After", "hints")], b"after the hints", "length"
    if path == "/hop-by-hop":
        headers = [("Connection", "keep-alive, X-Hop"), ("X-Hop", "gone"), ("X-Kept", "yes")]
        return 200, headers, b"hop", "length"
    if path == "/raw":
        return 200, [("Content-Type", "application/octet-stream")], seen.body, "length"
    if path == "/chunked":
        return 200, [("Content-Type", "text/plain")], b"chunked body", "chunked"
    if path == "/close":
        return 200, [("Content-Type", "text/plain")], b"until the end", "close"
    if path == "/big":
        return 200, [("Content-Type", "text/plain")], b"x" * (10 * 1024 * 1024 + 1), "length"
    echo = {
        "method": seen.method,
        "target": seen.target,
        "path": path,
        "query": seen.target.partition("?")[2],
        "headers": seen.headers,
        "body": base64.b64encode(seen.body).decode(),
    }
    return 200, [("Content-Type", "application/json")], json.dumps(echo).encode(), "length"


def encode_reply(status: int, headers: list[tuple[str, str]], body: bytes, framing: str, seen: Seen) -> bytes:
    lines = [f"HTTP/1.1 {status} Whatever"] + [f"{n}: {v}" for n, v in headers]
    if framing == "length" and status not in (204, 304):
        lines.append(f"Content-Length: {len(reply_for(seen)[2]) if seen.method == 'HEAD' else len(body)}")
    elif framing == "chunked":
        lines.append("Transfer-Encoding: chunked")
        body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:4], body[4:])) + b"0\r\n\r\n"
    else:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _read_request(reader: asyncio.StreamReader) -> Seen | None:
    line = await reader.readline()
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: list[tuple[str, str]] = []
    while True:
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    length = next((int(v) for n, v in headers if n.lower() == "content-length"), 0)
    body = await reader.readexactly(length) if length else b""
    return Seen(method, target, headers, body)


@contextlib.contextmanager
def backend_in_thread() -> Iterator[EchoBackend]:
    """The backend on its own event loop in a thread (for tests whose client is synchronous)."""
    loop = asyncio.new_event_loop()
    backend = EchoBackend()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(backend.start(), loop).result(10)
    try:
        yield backend
    finally:
        asyncio.run_coroutine_threadsafe(backend.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
