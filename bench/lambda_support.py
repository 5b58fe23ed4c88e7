"""Helpers of bench/lambda_run.py: serverless-offline installed into a cache outside the repo and
started on a copy of bench/lambda, memory of a process tree read from /proc, timed batches of
concurrent requests, and the marked section of bench/RESULTS.md that lambda_run.py owns."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SLS_VERSIONS = {"serverless": "3.40.0", "serverless-offline": "13.10.0"}
CACHE = Path(os.environ.get("PORTICO_BENCH_CACHE", Path.home() / ".cache" / "portico-bench"))
SECTION_START = "<!-- lambda-bench:start -->"
SECTION_END = "<!-- lambda-bench:end -->"

# -- serverless-offline ----------------------------------------------------------------------


def _installed_version(modules: Path, package: str) -> str | None:
    try:
        return str(json.loads((modules / package / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def ensure_serverless(cache: Path = CACHE / "sls") -> Path:
    """node_modules with serverless + serverless-offline at the pinned versions (npm install into
    `cache` when missing; never into the repository). Returns the node_modules directory."""
    modules = cache / "node_modules"
    if all(_installed_version(modules, name) == version for name, version in SLS_VERSIONS.items()):
        return modules
    if shutil.which("npm") is None:
        raise RuntimeError("npm is missing: apt-get install -y nodejs npm")
    cache.mkdir(parents=True, exist_ok=True)
    package = cache / "package.json"
    if not package.exists():
        package.write_text('{"name": "portico-bench-sls", "private": true}\n')
    specs = [f"{name}@{version}" for name, version in SLS_VERSIONS.items()]
    print(f"installing {' '.join(specs)} into {cache} ...", flush=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *specs],
        cwd=cache,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return modules


def serverless_service(source: Path, modules: Path, target: Path) -> Path:
    """A service directory for serverless-offline: handler.py and serverless.yml copied from
    `source`, node_modules a symlink to the cache (serverless writes .serverless/ there)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("handler.py", "serverless.yml"):
        shutil.copy2(source / name, target / name)
    (target / "node_modules").symlink_to(modules, target_is_directory=True)
    return target


def start_serverless(
    service: Path, http_port: int, lambda_port: int, python_venv: Path, pin: list[str], log: Path
) -> subprocess.Popen[bytes]:
    """`serverless offline` in its own process group; its Python workers are `python3` from
    `python_venv` (serverless-offline puts $VIRTUAL_ENV/bin first on PATH), the same interpreter
    Portico's runtimes use."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is missing: apt-get install -y nodejs npm")
    env = {
        **os.environ,
        "VIRTUAL_ENV": str(python_venv),
        "SLS_TELEMETRY_DISABLED": "1",
        "SLS_NOTIFICATIONS_MODE": "off",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
    }
    command = [
        *pin,
        node,
        str(service / "node_modules" / "serverless" / "bin" / "serverless.js"),
        "offline",
        "--host",
        "127.0.0.1",
        "--httpPort",
        str(http_port),
        "--lambdaPort",
        str(lambda_port),
        "--noPrependStageInUrl",
    ]
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=service,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )


# -- memory of a process tree ----------------------------------------------------------------


@dataclass(frozen=True)
class TreeMemory:
    """MiB of a server process and of its descendants (its workers): VmRSS counts shared pages once
    per process, Pss splits them between the processes sharing them."""

    processes: int
    server_rss: float
    server_pss: float
    workers_rss: float
    workers_pss: float

    @property
    def rss_mib(self) -> float:
        return self.server_rss + self.workers_rss

    @property
    def pss_mib(self) -> float:
        return self.server_pss + self.workers_pss


def tree_pids(root: int) -> list[int]:
    """`root` and all its descendants, from the parent ids in /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc", entry, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def _kib(path: Path, field: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory(root: int) -> TreeMemory:
    pids = tree_pids(root)
    rss = {pid: _kib(Path("/proc", str(pid), "status"), "VmRSS:") / 1024 for pid in pids}
    pss = {pid: _kib(Path("/proc", str(pid), "smaps_rollup"), "Pss:") / 1024 for pid in pids}
    return TreeMemory(
        len(pids),
        rss[root],
        pss[root],
        sum(v for pid, v in rss.items() if pid != root),
        sum(v for pid, v in pss.items() if pid != root),
    )


class MemorySampler:
    """Samples tree_memory(root) every `interval` seconds in a thread until stopped."""

    def __init__(self, root: int, interval: float = 10.0) -> None:
        self.root = root
        self.interval = interval
        self.samples: list[tuple[float, TreeMemory]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._t0 = 0.0

    def __enter__(self) -> MemorySampler:
        self._t0 = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.samples.append((time.monotonic() - self._t0, tree_memory(self.root)))


def tree_cpu(root: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by `root` itself and by its descendants alive now."""
    tick = os.sysconf("SC_CLK_TCK")
    own = rest = 0.0
    for pid in tree_pids(root):
        try:
            fields = Path("/proc", str(pid), "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used = (int(fields[11]) + int(fields[12])) / tick
        if pid == root:
            own = used
        else:
            rest += used
    return own, rest


# -- wrk -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkRow:
    name: str
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_us: float  # CPU of the server process per request
    workers_us: float  # CPU of its worker processes per request


def _ms(value: str) -> float:
    found = re.match(r"([\d.]+)(us|ms|s)", value)
    if not found:
        return float("nan")
    number, unit = float(found.group(1)), found.group(2)
    return number / 1000 if unit == "us" else number * 1000 if unit == "s" else number


def run_wrk(name: str, url: str, duration: int, connections: int, root: int, pin: list[str]) -> WrkRow:
    """`wrk -t1 -cN --latency` for `duration` s after a 2 s warm-up at the same concurrency, with
    the CPU the server (`root`) and its workers used during the measured part."""
    subprocess.run([*pin, "wrk", "-t1", f"-c{connections}", "-d2s", url], capture_output=True, check=True)
    before = tree_cpu(root)
    out = subprocess.run(
        [*pin, "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = tree_cpu(root)
    total = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    # the distribution's own lines: "+/- Stdev" columns such as "75.50%" must not match
    p50 = re.search(r"^\s*50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    if not (total and rps and p50 and p99):
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    errors = 0
    for pattern in (
        r"Non-2xx or 3xx responses: (\d+)",
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
    ):
        found = re.search(pattern, out)
        if found:
            errors += sum(int(g) for g in found.groups())
    count = max(int(total.group(1)), 1)
    row = WrkRow(
        name,
        connections,
        float(rps.group(1)),
        _ms(p50.group(1)),
        _ms(p99.group(1)),
        errors,
        (after[0] - before[0]) / count * 1e6,
        max(after[1] - before[1], 0.0) / count * 1e6,
    )
    print(
        f"{name:34s} c{connections:<3d} {row.rps:8.0f} req/s  p50 {row.p50_ms:7.2f} ms  p99 {row.p99_ms:7.2f} ms  "
        f"errors {errors}  CPU/request: server {row.server_us:.0f} µs, workers {row.workers_us:.0f} µs"
    )
    return row


BENCH_LOCK = Path(os.environ.get("PORTICO_BENCH_LOCK", "/tmp/portico-bench.lock"))


def bench_lock() -> int:
    """An exclusive flock on BENCH_LOCK, held until the process exits: benchmarks that take it
    never measure at the same time (blocks while another one holds it)."""
    import fcntl

    fd = os.open(BENCH_LOCK, os.O_CREAT | os.O_RDWR, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"another benchmark holds {BENCH_LOCK}: waiting ...", flush=True)
        fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def wait_for_quiet(max_load: float, patience: float) -> tuple[float, float, float]:
    """Wait (up to `patience` s) until the 1-minute load average is under `max_load`: the machine is
    shared, and other work on it skews every figure. Returns the load average when starting."""
    deadline = time.monotonic() + patience
    while os.getloadavg()[0] >= max_load and time.monotonic() < deadline:
        print(f"load average {os.getloadavg()[0]:.2f} >= {max_load}: waiting ...", flush=True)
        time.sleep(15)
    return os.getloadavg()


# -- timed batches of concurrent requests ----------------------------------------------------


def concurrent_batch(host: str, port: int, path: str, count: int) -> tuple[float, list[int]]:
    """Wall time from releasing `count` requests on `count` already-open connections until the
    last answer, and the statuses."""
    connections = [http.client.HTTPConnection(host, port, timeout=30) for _ in range(count)]
    for conn in connections:
        conn.connect()
    gate = threading.Barrier(count + 1)
    statuses = [0] * count
    finished = [0.0] * count

    def one(index: int) -> None:
        conn = connections[index]
        gate.wait()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            statuses[index] = response.status
        except OSError:
            statuses[index] = -1
        finished[index] = time.perf_counter()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    gate.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    for conn in connections:
        conn.close()
    return max(finished) - start, statuses


def timed_get(host: str, port: int, path: str) -> tuple[float, int, bytes]:
    """(seconds, status, body) of one GET on a new connection."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.connect()
    start = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed, response.status, body


def timed_post(host: str, port: int, path: str, body: bytes) -> tuple[float, int, bytes]:
    """(seconds, status, body) of one POST on a new connection."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.connect()
    start = time.perf_counter()
    conn.request("POST", path, body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed, response.status, data


# -- bench/RESULTS.md ------------------------------------------------------------------------


HEADER = (
    "<!-- Two benchmarks write this file. bench/run.py writes the part above the lambda-bench:start "
    "marker; bench/lambda_run.py writes only what lies between the lambda-bench:start and lambda-bench:end "
    "markers (bench/lambda_support.py: replace_section). Whoever rewrites the file keeps the other's part. -->"
)


def replace_section(path: Path, body: str, start: str = SECTION_START, end: str = SECTION_END) -> None:
    """Put `body` between the `start` and `end` markers of `path` (appended when they are missing),
    leaving the rest of the file as it is, and the HEADER comment on the file's first line."""
    text = path.read_text() if path.exists() else ""
    block = f"{start}\n{body.strip()}\n{end}"
    head, found_start, rest = text.partition(start)
    _, found_end, tail = rest.partition(end)
    if found_start and found_end:
        text = head + block + tail
    else:
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + block + "\n"
    if not text.startswith(HEADER):
        text = f"{HEADER}\n\n{text}"
    path.write_text(text)
