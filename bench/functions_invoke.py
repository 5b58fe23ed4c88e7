"""Function host latency: cold start and warm invoke per runtime, in process (FunctionHost.invoke)
and through the Lambda Invoke API over HTTP, plus the cost of one Runtime API listener per instance.

Run: .venv/bin/python bench/functions_invoke.py   (rough numbers; nothing here is asserted)
"""

from __future__ import annotations

import http.client
import io
import json
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import start_server

from portico.dataplane.server import HttpServer
from portico.wire import Response

ROLE = "arn:aws:iam::123456789012:role/r"
CODE = {
    "python3.11": ("app.handler", {"app.py": "def handler(event, context):\n    return {'ok': True}\n"}),
    "nodejs20.x": ("index.handler", {"index.js": "exports.handler = async () => ({ok: true});\n"}),
}


def package(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def ms(values: list[float]) -> str:
    values = sorted(values)
    p50 = statistics.median(values) * 1000
    p99 = values[int(len(values) * 0.99) - 1] * 1000
    return f"p50 {p50:.2f} ms, p99 {p99:.2f} ms (n={len(values)})"


async def listener_cost(n: int = 200) -> str:
    async def handler(_request: object) -> Response:
        return Response(200)

    t0 = time.perf_counter()
    servers = []
    for _ in range(n):
        server = HttpServer(handler)  # type: ignore[arg-type]
        await server.start("127.0.0.1", 0)
        servers.append(server)
    started = (time.perf_counter() - t0) / n
    t0 = time.perf_counter()
    for server in servers:
        await server.shutdown(0)
    stopped = (time.perf_counter() - t0) / n
    return f"start {started * 1e6:.0f} µs, shutdown {stopped * 1e6:.0f} µs per listener"


def main() -> None:
    srv = start_server(Path(tempfile.mkdtemp()))
    lam = srv.client("lambda")
    app = srv.app
    assert app is not None
    print("Runtime API listener per instance:", srv.call(listener_cost()))
    for runtime, (handler, files) in CODE.items():
        colds = []
        for i in range(5):
            name = f"bench-{runtime.replace('.', '-')}-{i}"
            lam.create_function(
                FunctionName=name,
                Runtime=runtime,
                Role=ROLE,
                Handler=handler,
                Code={"ZipFile": package(files)},
            )
            t0 = time.perf_counter()
            srv.call(app.functions.invoke(name, b"{}"))
            colds.append(time.perf_counter() - t0)
        name = f"bench-{runtime.replace('.', '-')}-0"
        warm = []
        for _ in range(2000):
            t0 = time.perf_counter()
            srv.call(app.functions.invoke(name, b"{}"))
            warm.append(time.perf_counter() - t0)
        conn = http.client.HTTPConnection("127.0.0.1", srv.port)
        api = []
        for _ in range(2000):
            t0 = time.perf_counter()
            conn.request("POST", f"/2015-03-31/functions/{name}/invocations", b"{}")
            response = conn.getresponse()
            assert json.loads(response.read()) == {"ok": True}
            api.append(time.perf_counter() - t0)
        print(f"{runtime}: cold start {ms(colds)}")
        print(f"{runtime}: warm invoke in process {ms(warm)}")
        print(f"{runtime}: warm invoke via Lambda Invoke API (HTTP keep-alive) {ms(api)}")
    srv.stop()


if __name__ == "__main__":
    main()
