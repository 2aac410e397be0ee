"""The HTTP API under load: emission requests at a concurrency, then solve jobs submitted at once (docs/api.md).

    nice python benchmarks/bench_api.py --requests 1000 --concurrency 16 --jobs 20 --workers 2

Starts ``milkrun serve`` on 127.0.0.1 at a free port (a fresh data folder, a token; ``--access-log``
to serve with uvicorn's access log on, as ``milkrun serve --access-log`` does), then
1. sends ``--requests`` POST /v1/emissions/milk-run (the worked run of docs/api.md) from
   ``--concurrency`` concurrent callers, each with its own client and connection as separate systems
   calling the service would have, and prints the throughput, the p50/p95/p99 latency, the CPU
   seconds the server and this client spent, the machine's load and the commit measured;
2. submits ``--jobs`` solve jobs at once (toy6 and the small instances in turn, ``--time-limit`` each)
   to ``--workers`` workers, waits for all, and checks that none was lost and that each plan the
   service returns passes the checker here too (``--jobs 0`` skips this part).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

from milp_milkrun.checker import check_plan
from milp_milkrun.io import instance_from_dict
from milp_milkrun.plan import Plan

REPO = Path(__file__).resolve().parents[1]
TOKEN = "bench"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
RUN = {
    "stops": [{"id": "A", "lat": 0, "lon": 0}, {"id": "B", "lat": 0, "lon": 1}, {"id": "C", "lat": 0, "lon": 3}],
    "shipments": [
        {"id": "s1", "mass_kg": 1000, "pickup": "A", "delivery": "C"},
        {"id": "s2", "mass_kg": 500, "pickup": "B", "delivery": "C"},
    ],
    "vehicle": {"fuel": "DIESEL", "empty_per_km": 0.2, "full_per_km": 0.3, "payload_kg": 2000},
    "terminal": "unknown",
    "road_km": [120, 230],
}
INSTANCES = [
    "toy6.json",
    "small_consecutive.json",
    "small_damaged.json",
    "small_distance.json",
    "small_forbidden.json",
    "small_stops.json",
]


@dataclass(frozen=True)
class Load:
    """What the emission requests measured: wall seconds, each latency (s), non-200 answers, CPU seconds."""

    wall: float
    latencies: list[float]
    failures: int
    server_cpu: float
    client_cpu: float


def start_server(data: Path, workers: int, access_log: bool) -> tuple[subprocess.Popen[bytes], str]:
    """``milkrun serve`` in a subprocess; returns it and its URL once it answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = os.environ | {"MILKRUN_API_TOKEN": TOKEN}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "milp_milkrun",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--data",
            str(data),
            *(["--access-log"] if access_log else []),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).json()["workers_alive"] == workers:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


async def emissions_load(url: str, requests: int, concurrency: int, server: psutil.Process) -> Load:
    """Send the requests; CPU times are counted after the warm-up."""
    latencies: list[float] = []
    failures = 0
    left = iter(range(requests))

    async def caller(session: httpx.AsyncClient) -> None:
        nonlocal failures
        for _ in left:
            began = time.perf_counter()
            response = await session.post("/v1/emissions/milk-run", json=RUN)
            latencies.append(time.perf_counter() - began)
            failures += response.status_code != 200

    # One client (one connection) per caller: callers sharing one client's pool wait on each other
    # inside httpx, which measured the client rather than the server.
    sessions = [
        httpx.AsyncClient(base_url=url, headers=HEADERS, limits=httpx.Limits(max_connections=1), timeout=30)
        for _ in range(concurrency)
    ]
    try:
        for session in sessions:  # warm-up: the connection, and the server's imports and caches
            await session.post("/v1/emissions/milk-run", json=RUN)
        server_cpu, client_cpu, began = sum(server.cpu_times()[:2]), time.process_time(), time.perf_counter()
        await asyncio.gather(*(caller(session) for session in sessions))
        return Load(
            time.perf_counter() - began,
            latencies,
            failures,
            sum(server.cpu_times()[:2]) - server_cpu,
            time.process_time() - client_cpu,
        )
    finally:
        for session in sessions:
            await session.aclose()


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def solve_jobs(url: str, jobs: int, time_limit: float) -> None:
    """Submit every job at once, wait for all, check each plan here too."""
    documents = [json.loads((REPO / "instances" / name).read_text()) for name in INSTANCES]
    with httpx.Client(base_url=url, headers=HEADERS, timeout=60) as client:
        began = time.perf_counter()
        submitted = []
        for k in range(jobs):
            document = documents[k % len(documents)]
            response = client.post("/v1/solve", json={"instance": document, "time_limit": time_limit})
            assert response.status_code == 202, response.text
            submitted.append((response.json()["id"], document))
        views = {}
        while len(views) < jobs:
            for job, _ in submitted:
                if job not in views:
                    view = client.get(f"/v1/jobs/{job}").json()
                    if view["state"] not in ("queued", "running"):
                        views[job] = view
            time.sleep(0.2)
        wall = time.perf_counter() - began
        checked = 0
        for job, document in submitted:
            answer: dict[str, Any] = client.get(f"/v1/jobs/{job}/plan").json()
            plan = Plan.from_dict(answer["plan"])
            checked += answer["feasible"] and check_plan(instance_from_dict(document), plan).feasible
    states = [v["state"] for v in views.values()]
    statuses = [v["status"] for v in views.values()]
    print(
        f"{jobs} solve jobs ({time_limit:g} s limit each) at once: all ended in {wall:.1f} s; states "
        f"{ {s: states.count(s) for s in set(states)} }, statuses { {s: statuses.count(s) for s in set(statuses)} }; "
        f"{checked} of {jobs} plans pass the checker here; lost: {jobs - len(views)}"
    )


def commit() -> str:
    """The commit measured (with ``+changes`` when the tree has uncommitted changes)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True, text=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def machine_load() -> str:
    """The 1, 5 and 15 minute load averages and the cores: other work on the machine moves every figure."""
    return f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=20, help="solve jobs submitted at once; 0 skips them")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--access-log", action="store_true", help="serve with uvicorn's access log on")
    args = parser.parse_args()
    print(f"commit {commit()}; {machine_load()} before")
    with tempfile.TemporaryDirectory() as data:
        process, url = start_server(Path(data), args.workers, args.access_log)
        try:
            load = asyncio.run(emissions_load(url, args.requests, args.concurrency, psutil.Process(process.pid)))
            latencies = load.latencies
            print(
                f"{args.requests} emission requests at concurrency {args.concurrency}: {args.requests / load.wall:,.0f} requests/s; "
                f"latency p50 {1000 * percentile(latencies, 50):.1f} ms, p95 {1000 * percentile(latencies, 95):.1f} ms, "
                f"p99 {1000 * percentile(latencies, 99):.1f} ms; {load.failures} not 200; CPU server {load.server_cpu:.2f} s, "
                f"client {load.client_cpu:.2f} s in {load.wall:.2f} s; {machine_load()} after"
            )
            if args.jobs > 0:
                solve_jobs(url, args.jobs, args.time_limit)
        finally:
            process.terminate()
            process.wait(60)


if __name__ == "__main__":
    main()
