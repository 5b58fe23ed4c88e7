"""Side-by-side benchmark: a Lambda proxy route with a trivial Python handler (bench/lambda/handler.py)
served by Portico and by serverless-offline, in one run on this machine.

    .venv/bin/python bench/lambda_run.py [--duration 10] [--soak 60] [--samples 7]

Needs `wrk`, `taskset`, `node` and `npm` (`apt-get install -y wrk nodejs npm`); installs
serverless 3.40.0 + serverless-offline 13.10.0 into ~/.cache/portico-bench/sls when missing.
Portico and serverless-offline (each with its Python worker processes) are pinned to core 0,
`wrk -t1` to core 1. Measures requests/s, p50, p99 and errors at 1 and 64 connections, Portico's
cold start (new function; code change), the latency Portico adds to the handler, 10 concurrent
0.5 s invocations, and memory before/after a long run; writes its own section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lambda_support import (
    MemorySampler,
    TreeMemory,
    WrkRow,
    bench_lock,
    concurrent_batch,
    ensure_serverless,
    replace_section,
    run_wrk,
    serverless_service,
    start_serverless,
    timed_get,
    timed_post,
    tree_memory,
    wait_for_quiet,
)
from run import build_name, free_port, portico_python, wait_http

ROOT = Path(__file__).resolve().parents[1]
LAMBDA_DIR = ROOT / "bench" / "lambda"
RESULTS = ROOT / "bench" / "RESULTS.md"
ROLE = "arn:aws:iam::123456789012:role/bench"
HOST = "127.0.0.1"
API_ID = "lbench"
RELOAD_HANDLER = 'def hello(event, context):\n    return {{"statusCode": 200, "body": "{version}"}}\n'


@dataclass
class Figures:
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    soak: int = 60
    wrk: list[WrkRow] = field(default_factory=list)
    cold_new: list[float] = field(default_factory=list)
    cold_route: float = 0.0
    cold_change: list[float] = field(default_factory=list)
    sls_first: float = 0.0
    handler_us: float = 0.0
    batches: dict[str, list[tuple[float, list[int]]]] = field(default_factory=dict)
    memory: dict[str, list[tuple[str, TreeMemory]]] = field(default_factory=dict)

    def result(self, name: str, connections: int) -> WrkRow:
        return next(r for r in self.wrk if r.name == name and r.connections == connections)


def clients(url: str) -> tuple[Any, Any]:
    kw: dict[str, Any] = {
        "endpoint_url": url,
        "region_name": "us-east-1",
        "aws_access_key_id": "bench",
        "aws_secret_access_key": "bench",
    }
    return boto3.client("apigateway", **kw), boto3.client("lambda", **kw)


def lambda_uri(arn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


def local_function(lam: Any, name: str, handler: str, directory: Path) -> str:
    created = lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=ROLE,
        Handler=handler,
        Code={"S3Bucket": "portico-local", "S3Key": str(directory)},
        Timeout=10,
    )
    return str(created["FunctionArn"])


def configure_portico(url: str, code: Path, reload_code: Path) -> None:
    """GET /hello, /slow, /reload: AWS_PROXY to local-directory functions; GET /mock: MOCK."""
    apigw, lam = clients(url)
    arns = {
        "hello": local_function(lam, "hello", "handler.hello", code),
        "slow": local_function(lam, "slow", "handler.slow", code),
        "reload": local_function(lam, "reload", "handler.hello", reload_code),
    }
    api = apigw.create_rest_api(name="lambda-bench", tags={"_custom_id_": API_ID})
    root = api["rootResourceId"]
    for path, arn in arns.items():
        resource = apigw.create_resource(restApiId=API_ID, parentId=root, pathPart=path)["id"]
        apigw.put_method(restApiId=API_ID, resourceId=resource, httpMethod="GET", authorizationType="NONE")
        apigw.put_integration(
            restApiId=API_ID,
            resourceId=resource,
            httpMethod="GET",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=lambda_uri(arn),
        )
    mock = apigw.create_resource(restApiId=API_ID, parentId=root, pathPart="mock")["id"]
    apigw.put_method(restApiId=API_ID, resourceId=mock, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=API_ID,
        resourceId=mock,
        httpMethod="GET",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw.put_method_response(restApiId=API_ID, resourceId=mock, httpMethod="GET", statusCode="200")
    apigw.put_integration_response(
        restApiId=API_ID,
        resourceId=mock,
        httpMethod="GET",
        statusCode="200",
        responseTemplates={"application/json": '{"hello": "world", "path": "/mock"}'},
    )
    apigw.create_deployment(restApiId=API_ID, stageName="bench")


# -- measurements ----------------------------------------------------------------------------


def handler_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(LAMBDA_DIR / "handler.py", "handler.py")
    return buffer.getvalue()


def cold_new_function(url: str, port: int, samples: int) -> list[float]:
    """First Invoke (Lambda Invoke API, raw HTTP) of a function created a moment before."""
    _, lam = clients(url)
    package = handler_zip()
    event = json.dumps({"path": "/hello", "httpMethod": "GET"}).encode()
    times = []
    for i in range(samples):
        name = f"cold-{i}"
        lam.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=ROLE,
            Handler="handler.hello",
            Code={"ZipFile": package},
        )
        elapsed, status, body = timed_post(HOST, port, f"/2015-03-31/functions/{name}/invocations", event)
        if status != 200 or b'"statusCode": 200' not in body:
            raise RuntimeError(f"cold invoke of {name}: {status} {body[:200]!r}")
        times.append(elapsed)
        lam.delete_function(FunctionName=name)
    return times


def cold_code_change(port: int, reload_code: Path, samples: int) -> list[float]:
    """First request through the /reload route after its local handler file changed (the
    watcher polls every 0.5 s: wait 1.5 s, then time the request; its body proves the new code)."""
    path = f"/_aws/execute-api/{API_ID}/bench/reload"
    timed_get(HOST, port, path)  # warm the current version
    times = []
    for i in range(samples):
        version = f"v{i + 1}"
        (reload_code / "handler.py").write_text(RELOAD_HANDLER.format(version=version))
        time.sleep(1.5)
        elapsed, status, body = timed_get(HOST, port, path)
        if status != 200 or body != version.encode():
            raise RuntimeError(f"code change {version}: {status} {body[:200]!r} (not the new code)")
        times.append(elapsed)
        timed_get(HOST, port, path)
    return times


def handler_in_process(runs: int = 100_000) -> float:
    """Median µs of calling bench/lambda/handler.py's hello() directly, in batches of 1000."""
    spec = importlib.util.spec_from_file_location("bench_handler", LAMBDA_DIR / "handler.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    event = {"resource": "/hello", "path": "/hello", "httpMethod": "GET", "headers": {"Host": HOST}}
    batches = []
    for _ in range(runs // 1000):
        start = time.perf_counter()
        for _ in range(1000):
            module.hello(event, None)
        batches.append((time.perf_counter() - start) / 1000)
    return statistics.median(batches) * 1e6


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def soak(
    name: str, root_pid: int, url: str, seconds: int, pin: list[str]
) -> tuple[WrkRow, list[tuple[str, TreeMemory]]]:
    """Memory of the server's process tree before, every 10 s during, and after `seconds` of
    `wrk -c64` (the wrk run itself lands in the main table as a long-run row)."""
    before = tree_memory(root_pid)
    with MemorySampler(root_pid) as sampler:
        result = run_wrk(f"{name} ({seconds} s run)", url, seconds, 64, root_pid, pin)
    after = tree_memory(root_pid)
    samples = [("before", before), *[(f"{t:.0f} s", m) for t, m in sampler.samples], ("after", after)]
    for label, mem in samples:
        print(
            f"  {name} {label:>8}: {mem.processes} processes, server RSS {mem.server_rss:.1f} PSS "
            f"{mem.server_pss:.1f} MiB, workers RSS {mem.workers_rss:.1f} PSS {mem.workers_pss:.1f} MiB"
        )
    return result, samples


# -- the run ---------------------------------------------------------------------------------


def stop(proc: subprocess.Popen[bytes], group: bool) -> None:
    if proc.poll() is not None:
        return
    kill = os.killpg if group else os.kill  # serverless-offline: its whole process group
    try:
        kill(proc.pid, signal.SIGTERM)
        proc.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            kill(proc.pid, signal.SIGKILL)
        proc.wait(5)
    except ProcessLookupError:
        pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk measurement")
    parser.add_argument("--soak", type=int, default=60, help="seconds of load for the memory check")
    parser.add_argument("--samples", type=int, default=7, help="cold-start samples")
    parser.add_argument(
        "--max-load", type=float, default=1.0, help="wait for a 1-minute load average below this"
    )
    parser.add_argument("--patience", type=float, default=600, help="seconds to wait for that at most")
    parser.add_argument("--pure", action="store_true", help="serve Portico from the pure-Python install")
    args = parser.parse_args()
    for tool in ("wrk", "node", "npm"):
        if not shutil.which(tool):
            print(f"{tool} is missing: apt-get install -y wrk nodejs npm", file=sys.stderr)
            return 2
    modules = ensure_serverless()
    bench_lock()  # not while another benchmark that takes the same lock measures
    figures = Figures(load_before=wait_for_quiet(args.max_load, args.patience), soak=args.soak)
    print(f"load average {' '.join(f'{x:.2f}' for x in figures.load_before)}")
    pin0 = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    pin1 = ["taskset", "-c", "1"] if shutil.which("taskset") else []
    tmp = Path(tempfile.mkdtemp(prefix="portico-lambda-bench-"))
    procs: list[tuple[subprocess.Popen[bytes], bool]] = []
    try:
        code, reload_code = tmp / "code", tmp / "reload"
        code.mkdir()
        reload_code.mkdir()
        shutil.copy2(LAMBDA_DIR / "handler.py", code / "handler.py")
        (reload_code / "handler.py").write_text(RELOAD_HANDLER.format(version="v0"))
        service = serverless_service(LAMBDA_DIR, modules, tmp / "sls")
        port, sls_port, sls_lambda = free_port(), free_port(), free_port()
        portico = subprocess.Popen(
            [*pin0, portico_python(args.pure), "-m", "portico", "serve", "--listen", f"{HOST}:{port}",
             "--data-dir", str(tmp / "portico"), "--log-level", "WARNING"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        procs.append((portico, False))
        sls = start_serverless(service, sls_port, sls_lambda, Path(sys.prefix), pin0, tmp / "sls.log")
        procs.append((sls, True))
        base = f"http://{HOST}:{port}"
        wait_http(f"{base}/_portico/health")
        configure_portico(base, code, reload_code)
        wait_port(sls_port)
        figures.sls_first = timed_get(HOST, sls_port, "/hello")[0]
        print(f"serverless-offline first request {figures.sls_first * 1000:.1f} ms")

        figures.cold_new = cold_new_function(base, port, args.samples)
        figures.cold_route, status, _ = timed_get(HOST, port, f"/_aws/execute-api/{API_ID}/bench/hello")
        assert status == 200
        figures.cold_change = cold_code_change(port, reload_code, args.samples)
        print(f"cold start, new function: {[round(t * 1000, 1) for t in figures.cold_new]} ms")
        print(f"cold start, code change:  {[round(t * 1000, 1) for t in figures.cold_change]} ms")
        figures.handler_us = handler_in_process()
        print(f"handler in process: {figures.handler_us:.1f} µs")

        hello = f"{base}/_aws/execute-api/{API_ID}/bench/hello"
        mock = f"{base}/_aws/execute-api/{API_ID}/bench/mock"
        sls_hello = f"http://{HOST}:{sls_port}/hello"
        targets = [
            ("Portico AWS_PROXY", hello, portico.pid),
            ("serverless-offline", sls_hello, sls.pid),
            ("Portico MOCK", mock, portico.pid),
        ]
        for connections in (1, 64):
            for name, url, pid in targets:
                figures.wrk.append(run_wrk(name, url, args.duration, connections, pid, pin1))

        for name, batch_port, path in (
            ("Portico", port, f"/_aws/execute-api/{API_ID}/bench/slow"),
            ("serverless-offline", sls_port, "/slow"),
        ):
            runs = [concurrent_batch(HOST, batch_port, path, 10) for _ in range(4)]
            figures.batches[name] = runs
            print(f"{name} 10 × slow: {[round(t, 3) for t, _ in runs]} s")

        for name, pid, url in (("Portico", portico.pid, hello), ("serverless-offline", sls.pid, sls_hello)):
            long_run, figures.memory[name] = soak(name, pid, url, args.soak, pin1)
            figures.wrk.append(long_run)
        figures.load_after = os.getloadavg()
    finally:
        for proc, group in reversed(procs):
            stop(proc, group)
        shutil.rmtree(tmp, ignore_errors=True)
    write_results(figures, args)
    return 0


# -- bench/RESULTS.md ------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def write_results(f: Figures, args: argparse.Namespace) -> None:
    cpu = "unknown CPU"
    if Path("/proc/cpuinfo").exists():
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1) if found else cpu
    command = (
        f".venv/bin/python bench/lambda_run.py --duration {args.duration} --soak {args.soak} "
        f"--samples {args.samples} --max-load {args.max_load}" + (" --pure" if args.pure else "")
    )
    p64, s64 = f.result("Portico AWS_PROXY", 64), f.result("serverless-offline", 64)
    p1, s1, m1 = (
        f.result("Portico AWS_PROXY", 1),
        f.result("serverless-offline", 1),
        f.result("Portico MOCK", 1),
    )
    ratio = p64.rps / s64.rps if s64.rps else float("inf")
    # what the ratio would be on a core of their own: the inverse ratio of the CPU each request costs
    cpu_ratio = (s64.server_us + s64.workers_us) / max(p64.server_us + p64.workers_us, 1e-9)
    added = p1.p50_ms - f.handler_us / 1000
    sls_added = s1.p50_ms - f.handler_us / 1000
    errors = sum(r.errors for r in f.wrk if r.name.startswith("Portico"))
    cold_new, cold_change = statistics.median(f.cold_new), statistics.median(f.cold_change)
    warm_batches = {name: statistics.median(t for t, _ in runs[1:]) for name, runs in f.batches.items()}
    batch_ok = all(s == 200 for _, statuses in f.batches["Portico"] for s in statuses)
    lines = [
        "## Lambda proxy: Portico vs serverless-offline",
        "",
        f"Run {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} on {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}, Node.js {node_version()}; 1-minute load average "
        f"{f.load_before[0]:.2f} before the run, {f.load_after[0]:.2f} after it (the machine is shared). "
        f"Portico {build_name(args.pure)}.",
        "",
        f"Command: `{command}`",
        "",
        "Handler: `bench/lambda/handler.py` (`hello`; `slow` sleeps 0.5 s), the same file for both. Portico: one "
        "process (`portico serve --log-level WARNING`) with the function as a `portico-local` directory, "
        "`GET /hello` an AWS_PROXY route; its awslambdaric runtime processes run under the same interpreter. "
        "serverless-offline 13.10.0 (serverless 3.40.0, `--noPrependStageInUrl`), its `python3` workers from the "
        "same venv. Both servers and their Python workers pinned to core 0, `wrk -t1` to core 1; "
        f"{args.duration} s per row after a 2 s warm-up at the same concurrency. CPU per request: user + "
        "system time (/proc) of the server process and of its worker processes during the measured part, "
        "divided by the requests wrk completed.",
        "",
        "| target | connections | requests/s | p50 ms | p99 ms | errors | CPU µs/request: server | workers |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.name} | {r.connections} | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} "
        f"| {r.server_us:.0f} | {r.workers_us:.0f} |"
        for r in f.wrk
    ]
    lines += [
        "",
        "| target | figure | result |",
        "|---|---|---|",
        f"| requests/s at 64 connections ≥ 1.2× serverless-offline | {ratio:.2f}× (by CPU per request: "
        f"{cpu_ratio:.2f}×) | {_verdict(ratio >= 1.2)} |",
        f"| zero errors (all Portico rows) | {errors} | {_verdict(errors == 0)} |",
        f"| added p50 at 1 connection ≤ 1 ms | {added:.2f} ms (serverless-offline: {sls_added:.2f} ms) "
        f"| {_verdict(added <= 1.0)} |",
        f"| cold start ≤ 100 ms (median, new function) | {_ms(cold_new)} ms | {_verdict(cold_new <= 0.1)} |",
        f"| cold start ≤ 100 ms (median, after a code change) | {_ms(cold_change)} ms "
        f"| {_verdict(cold_change <= 0.1)} |",
        f"| 10 concurrent 0.5 s requests ≈ 0.5 s (warm instances) | {warm_batches['Portico']:.3f} s "
        f"(serverless-offline: {warm_batches['serverless-offline']:.3f} s) "
        f"| {_verdict(batch_ok and warm_batches['Portico'] < 0.6)} |",
        f"| memory flat over a {args.soak} s run (server process RSS growth ≤ 5 %) | {memory_delta(f, 'Portico')} "
        f"(serverless-offline: {memory_delta(f, 'serverless-offline')}) | {_verdict(memory_flat(f, 'Portico'))} |",
        "",
        "**Cold start** (Portico). *New function*: `CreateFunction` (zip of handler.py), then the first `Invoke` "
        "timed as one raw HTTP request (starts the Python runtime process, imports awslambdaric and the handler, "
        f"runs it): {', '.join(_ms(t) for t in f.cold_new)} ms, median **{_ms(cold_new)} ms**. *Code change*: "
        "the handler file of a `portico-local` function rewritten, 1.5 s for the watcher, then the first request "
        f"through its route (the body proves the new code ran): {', '.join(_ms(t) for t in f.cold_change)} ms, "
        f"median **{_ms(cold_change)} ms**. First request of the `/hello` route after start-up: "
        f"{_ms(f.cold_route)} ms; serverless-offline's first `/hello` after start-up (spawns its worker): "
        f"{_ms(f.sls_first)} ms.",
        "",
        f"**Added latency.** `hello()` called in process (bench's own Python, median of 100 batches of 1000 calls): "
        f"{f.handler_us:.1f} µs. What Portico adds is wrk's p50 at 1 connection on the AWS_PROXY route minus that: "
        f"{p1.p50_ms:.2f} − {f.handler_us / 1000:.3f} = **{added:.2f} ms**. That p50 is a whole request on an idle "
        "keep-alive connection: loopback TCP, Portico's HTTP parsing, routing, building the proxy event, the "
        "Runtime API exchange with the awslambdaric process (its `GET /invocation/next` answered, its `POST "
        ".../response` read), proxy-response validation and the reply. The MOCK route on the same Portico "
        f"(no function) has p50 {m1.p50_ms:.2f} ms at 1 connection: the gateway alone; the rest, "
        f"{p1.p50_ms - m1.p50_ms:.2f} ms, is the function host and the runtime round trip.",
        "",
        "**10 concurrent 0.5 s requests** (`GET /slow`, 10 connections opened first, released together; wall "
        "time until the last answer; first batch starts 10 new instances/workers):",
        "",
        "| server | batch 1 (cold) s | batches 2–4 s | statuses |",
        "|---|---:|---|---|",
    ]
    for name, runs in f.batches.items():
        statuses = sorted({s for _, st in runs for s in st})
        lines.append(
            f"| {name} | {runs[0][0]:.3f} | {', '.join(f'{t:.3f}' for t, _ in runs[1:])} | {statuses} |"
        )
    lines += [
        "",
        f"**Memory** of each server process and of its Python workers (from /proc: VmRSS, and Pss, which "
        f"splits shared pages such as the interpreter's between processes) before, every 10 s during, and "
        f"after {args.soak} s of `wrk -c64` on `/hello`. Portico's runtimes grow by "
        f"{worker_growth(f, 'Portico'):.0f} bytes per invocation (RSS, all runtimes): awslambdaric sets "
        "`_X_AMZN_TRACE_ID` through `os.environ` for every event, and glibc's `setenv` never frees a replaced "
        "value (bench/README.md); AWS Lambda's runtimes do the same.",
        "",
        "| server | when | processes | server RSS MiB | server PSS MiB | workers RSS MiB | workers PSS MiB "
        "| total PSS MiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, samples in f.memory.items():
        lines += [
            f"| {name} | {label} | {m.processes} | {m.server_rss:.1f} | {m.server_pss:.1f} | {m.workers_rss:.1f} "
            f"| {m.workers_pss:.1f} | {m.pss_mib:.1f} |"
            for label, m in samples
        ]
    lines += ["", "How to read these figures and where Portico's time goes: bench/README.md.", ""]
    replace_section(RESULTS, "\n".join(lines))
    print("\n".join(lines))


def memory_flat(f: Figures, name: str) -> bool:
    """The server process's RSS grew by at most 5 % over the long run (its PSS also moves when the
    processes it shares pages with come and go)."""
    before, after = f.memory[name][0][1], f.memory[name][-1][1]
    return after.server_rss - before.server_rss <= 0.05 * before.server_rss


def memory_delta(f: Figures, name: str) -> str:
    before, after = f.memory[name][0][1], f.memory[name][-1][1]
    return (
        f"server RSS {before.server_rss:.1f} → {after.server_rss:.1f} MiB, workers RSS "
        f"{before.workers_rss:.1f} → {after.workers_rss:.1f} MiB"
    )


def worker_growth(f: Figures, name: str) -> float:
    """Bytes of worker RSS gained per request over the long run."""
    before, after = f.memory[name][0][1], f.memory[name][-1][1]
    requests = f.result(f"{name} ({f.soak} s run)", 64).rps * f.soak
    return (after.workers_rss - before.workers_rss) * 1024 * 1024 / max(requests, 1)


def node_version() -> str:
    try:
        return subprocess.run(
            ["node", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
