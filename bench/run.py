"""Side-by-side benchmark: Portico vs nginx on this machine, in one run.

    .venv/bin/python bench/run.py [--duration 10] [--connections 64] [--rounds 3]

Needs `nginx` and `wrk` (`apt-get install -y nginx wrk`). Starts:
- a backend nginx (`return 200`) pinned to core 1 — the same backend for both proxies;
- the nginx under test (one worker, pinned to core 0): `return 200` and `proxy_pass` to the backend;
- Portico (one process, pinned to core 0) with a MOCK route and an HTTP_PROXY route to the backend;
then runs `wrk -t1 -cN` (pinned to core 1) against each, in rounds (every target once per round,
so that a slow spell of this shared machine falls on all of them alike), and writes each target's
median round and every round's figures to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"


def portico_python(pure: bool = False) -> str:
    """The interpreter that serves Portico in a benchmark: the compiled build (`make compiled`,
    setup.py), rebuilt here when the sources changed; `pure` measures the development install."""
    if pure:
        return sys.executable
    subprocess.run(["make", "-s", "compiled"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return str(ROOT / ".venv-compiled" / "bin" / "python")


def build_name(pure: bool) -> str:
    return "pure Python (the development install)" if pure else "compiled with mypyc (`make compiled`)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


NGINX_BACKEND = """
worker_processes 1; daemon off; pid {tmp}/backend.pid; error_log {tmp}/backend.err warn;
events {{ worker_connections 4096; }}
http {{ access_log off; keepalive_requests 1000000;
  server {{ listen 127.0.0.1:{port}; location / {{ return 200 'hello from the backend'; }} }} }}
"""

NGINX_UNDER_TEST = """
worker_processes 1; daemon off; pid {tmp}/nginx.pid; error_log {tmp}/nginx.err warn;
events {{ worker_connections 4096; }}
http {{ access_log off; keepalive_requests 1000000;
  upstream backend {{ server 127.0.0.1:{backend}; keepalive 128; }}
  server {{ listen 127.0.0.1:{ret}; location / {{ default_type application/json; return 200 '{{"hello":"world"}}'; }} }}
  server {{ listen 127.0.0.1:{proxy};
    location / {{ proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }} }} }}
"""


@dataclass
class WrkResult:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def _ms(value: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", value)
    if not match:
        return float("nan")
    number, unit = float(match.group(1)), match.group(2)
    return number / 1000 if unit == "us" else number * 1000 if unit == "s" else number


def median_round(rounds: list[WrkResult]) -> WrkResult:
    """The round with the median requests/s (its latencies with it); errors of all rounds."""
    ranked = sorted(rounds, key=lambda r: r.rps)
    middle = ranked[(len(ranked) - 1) // 2]
    return WrkResult(middle.name, middle.rps, middle.p50_ms, middle.p99_ms, sum(r.errors for r in rounds))


def run_wrk(name: str, url: str, duration: int, connections: int) -> WrkResult:
    pin = ["taskset", "-c", "1"] if shutil.which("taskset") else []
    subprocess.run([*pin, "wrk", "-t1", f"-c{connections}", "-d2s", url], capture_output=True, check=True)
    out = subprocess.run(
        [*pin, "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # anchored: the thread stats' "+/- Stdev" column also ends in "%" (e.g. "93.50%")
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = 0
    for pattern in (
        r"Non-2xx or 3xx responses: (\d+)",
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
    ):
        found = re.search(pattern, out)
        if found:
            errors += sum(int(g) for g in found.groups())
    print(f"{name:28s} {rps:10.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  errors {errors}")
    return WrkResult(name, rps, p50, p99, errors)


def configure_portico(url: str, backend_port: int) -> str:
    apigw = boto3.client(
        "apigateway",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    api = apigw.create_rest_api(name="bench", tags={"_custom_id_": "bench"})
    root = api["rootResourceId"]
    mock = apigw.create_resource(restApiId="bench", parentId=root, pathPart="mock")["id"]
    apigw.put_method(restApiId="bench", resourceId=mock, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId="bench",
        resourceId=mock,
        httpMethod="GET",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw.put_method_response(restApiId="bench", resourceId=mock, httpMethod="GET", statusCode="200")
    apigw.put_integration_response(
        restApiId="bench",
        resourceId=mock,
        httpMethod="GET",
        statusCode="200",
        responseTemplates={"application/json": '{"hello":"world"}'},
    )
    proxy = apigw.create_resource(restApiId="bench", parentId=root, pathPart="proxy")["id"]
    greedy = apigw.create_resource(restApiId="bench", parentId=proxy, pathPart="{proxy+}")["id"]
    apigw.put_method(
        restApiId="bench",
        resourceId=greedy,
        httpMethod="ANY",
        authorizationType="NONE",
        requestParameters={"method.request.path.proxy": True},
    )
    apigw.put_integration(
        restApiId="bench",
        resourceId=greedy,
        httpMethod="ANY",
        type="HTTP_PROXY",
        integrationHttpMethod="ANY",
        uri=f"http://127.0.0.1:{backend_port}/{{proxy}}",
        requestParameters={"integration.request.path.proxy": "method.request.path.proxy"},
    )
    apigw.create_deployment(restApiId="bench", stageName="bench")
    return "bench"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--rounds", type=int, default=3, help="every target once per round; the median counts"
    )
    parser.add_argument("--pure", action="store_true", help="serve Portico from the pure-Python install")
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool):
            print(f"{tool} is missing: apt-get install -y nginx wrk", file=sys.stderr)
            return 2
    pin0 = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    pin1 = ["taskset", "-c", "1"] if shutil.which("taskset") else []
    procs: list[subprocess.Popen[bytes]] = []
    tmp = Path(tempfile.mkdtemp(prefix="portico-bench-"))
    try:
        backend, ret, proxy, portico = free_port(), free_port(), free_port(), free_port()
        (tmp / "backend.conf").write_text(NGINX_BACKEND.format(tmp=tmp, port=backend))
        (tmp / "nginx.conf").write_text(
            NGINX_UNDER_TEST.format(tmp=tmp, backend=backend, ret=ret, proxy=proxy)
        )
        procs.append(subprocess.Popen([*pin1, "nginx", "-c", str(tmp / "backend.conf"), "-p", str(tmp)]))
        procs.append(subprocess.Popen([*pin0, "nginx", "-c", str(tmp / "nginx.conf"), "-p", str(tmp)]))
        procs.append(
            subprocess.Popen(
                [
                    *pin0,
                    portico_python(args.pure),
                    "-m",
                    "portico",
                    "serve",
                    "--listen",
                    f"127.0.0.1:{portico}",
                    "--data-dir",
                    str(tmp / "portico"),
                    "--log-level",
                    "WARNING",
                ],
                stdout=subprocess.DEVNULL,
            )
        )
        for port in (backend, ret, proxy):
            wait_http(f"http://127.0.0.1:{port}/")
        base = f"http://127.0.0.1:{portico}"
        wait_http(f"{base}/_portico/health")
        configure_portico(base, backend)
        invoke = f"{base}/_aws/execute-api/bench/bench"
        targets = [
            ("nginx return 200", f"http://127.0.0.1:{ret}/"),
            ("Portico MOCK", f"{invoke}/mock"),
            ("nginx proxy_pass", f"http://127.0.0.1:{proxy}/hello"),
            ("Portico HTTP_PROXY", f"{invoke}/proxy/hello"),
        ]
        rounds: dict[str, list[WrkResult]] = {name: [] for name, _ in targets}
        for number in range(1, args.rounds + 1):
            print(f"round {number} of {args.rounds}")
            for name, url in targets:
                rounds[name].append(run_wrk(name, url, args.duration, args.connections))
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    write_results(rounds, args)
    return 0


def write_results(rounds: dict[str, list[WrkResult]], args: argparse.Namespace) -> None:
    results = [median_round(runs) for runs in rounds.values()]
    by_name = {r.name: r for r in results}
    mock_ratio = by_name["Portico MOCK"].rps / by_name["nginx return 200"].rps
    proxy_ratio = by_name["Portico HTTP_PROXY"].rps / by_name["nginx proxy_pass"].rps
    cpu = "unknown CPU"
    if Path("/proc/cpuinfo").exists():
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1) if found else cpu
    command = (
        f".venv/bin/python bench/run.py --duration {args.duration} --connections {args.connections}"
        f" --rounds {args.rounds}"
    )
    command += " --pure" if args.pure else ""
    lines = [
        "# Benchmark results",
        "",
        f"Run {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} on {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}. Portico {build_name(args.pure)}.",
        "",
        f"Command: `{command}`",
        "",
        f"nginx and Portico: one worker/process each, pinned to core 0; backend nginx and `wrk -t1 "
        f"-c{args.connections}` pinned to core 1; {args.duration} s per target after a 2 s warm-up, in "
        f"{args.rounds} rounds (each target once per round, in the order below). The table shows each "
        "target's median round (errors: all rounds); the ratios are of those medians.",
        "",
        "| target | requests/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {r.name} | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} |" for r in results]
    lines += [
        "",
        f"- Portico MOCK / nginx return 200: **{mock_ratio:.2f}×** (target ≥ 0.3×)",
        f"- Portico HTTP_PROXY / nginx proxy_pass: **{proxy_ratio:.2f}×** (target ≥ 0.5×)",
        "",
        "Every round, requests/s (the machine is shared: figures move between rounds):",
        "",
        "| target | " + " | ".join(f"round {n}" for n in range(1, args.rounds + 1)) + " |",
        "|---|" + "---:|" * args.rounds,
    ]
    lines += [
        f"| {name} | " + " | ".join(f"{r.rps:.0f}" for r in runs) + " |" for name, runs in rounds.items()
    ]
    lines += [
        "",
        "Ratios by round: "
        + ", ".join(
            f"MOCK {m.rps / n.rps:.2f}× / HTTP_PROXY {h.rps / q.rps:.2f}×"
            for n, m, q, h in zip(*rounds.values(), strict=True)
        ),
        "",
    ]
    header, section = kept_parts(RESULTS.read_text() if RESULTS.exists() else "")
    RESULTS.write_text(header + "\n".join(lines) + ("\n" + section if section else ""))
    print("\n".join(lines))


LAMBDA_SECTION = "<!-- lambda-bench:start -->"


def kept_parts(old: str) -> tuple[str, str]:
    """(header comment, bench/lambda_run.py's section) of the current RESULTS.md: this script
    rewrites only the part between them."""
    header = old.partition("# Benchmark results")[0] if old.startswith("<!--") else ""
    at = old.find(LAMBDA_SECTION)
    return header, old[at:] if at != -1 else ""


if __name__ == "__main__":
    sys.exit(main())
