"""The HTTP API under load: emission requests at a concurrency, then solve jobs submitted at once (docs/api.md).

    nice python benchmarks/bench_api.py --requests 1000 --concurrency 16 --jobs 20 --workers 2

Starts ``milkrun serve`` on 127.0.0.1 at a free port (a fresh data folder, a token), then
1. sends ``--requests`` POST /v1/emissions/milk-run (the worked run of docs/api.md) from
   ``--concurrency`` concurrent clients and prints the throughput and the p50/p95/p99 latency;
2. submits ``--jobs`` solve jobs at once (toy6 and the small instances in turn, ``--time-limit`` each)
   to ``--workers`` workers, waits for all, and checks that none was lost and that each plan the
   service returns passes the checker here too.
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


def start_server(data: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
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


async def emissions_load(url: str, requests: int, concurrency: int) -> tuple[float, list[float], int]:
    """Wall time, each request's latency (s) and the number of non-200 answers."""
    latencies: list[float] = []
    failures = 0
    left = iter(range(requests))

    async def client(session: httpx.AsyncClient) -> None:
        nonlocal failures
        for _ in left:
            began = time.perf_counter()
            response = await session.post("/v1/emissions/milk-run", json=RUN)
            latencies.append(time.perf_counter() - began)
            failures += response.status_code != 200

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers=HEADERS, limits=limits, timeout=30) as session:
        await session.post("/v1/emissions/milk-run", json=RUN)  # warm-up: imports and caches
        began = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
        return time.perf_counter() - began, latencies, failures


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        process, url = start_server(Path(data), args.workers)
        try:
            server = psutil.Process(process.pid)
            cpu_before = sum(server.cpu_times()[:2])
            wall, latencies, failures = asyncio.run(emissions_load(url, args.requests, args.concurrency))
            cpu = sum(server.cpu_times()[:2]) - cpu_before
            print(
                f"{args.requests} emission requests at concurrency {args.concurrency}: {args.requests / wall:,.0f} requests/s; "
                f"latency p50 {1000 * percentile(latencies, 50):.1f} ms, p95 {1000 * percentile(latencies, 95):.1f} ms, "
                f"p99 {1000 * percentile(latencies, 99):.1f} ms; {failures} not 200; server CPU {1000 * cpu / (args.requests + 1):.2f} ms "
                f"per request; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
            )
            solve_jobs(url, args.jobs, args.time_limit)
        finally:
            process.terminate()
            process.wait(60)


if __name__ == "__main__":
    main()
