"""The heuristic's engines side by side: ours (``--engine auto``) against PyVRP alone, same time limit.

Usage (from the repo root; the machine is shared, so run it niced):
    nice -n 10 python benchmarks/bench_engines.py [--time-limit 60] [--sizes 200 500 1000] [--seeds 1 2 3]
    nice -n 10 python benchmarks/bench_engines.py --x     # ../shared/cvrplib_x at 2.4 x n s each

Hubs are those of ``python instances/generate.py hub --dcs N --seed S`` (instances/hub.py: two vehicle
types, consecutive pairs, forbidden DC-vehicle pairs, damaged roads, distance and stop limits).
PyVRP alone is the package's adapter (milp_milkrun/heuristics/pyvrp_engine.py, ``--engine pyvrp``):
pairs contracted into one client, every plan checked. Both runs of an instance go one after the other
with the same seed; the objective is the checker's distance. ``--x`` runs the X instances of
``../shared/cvrplib_x`` (fleet = number of customers) against their optimal ``.sol`` costs.
Prints a markdown table with ours/PyVRP (or ours/optimum), its mean and worst, the commit and the load.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "instances"))  # the hub generator, instances/hub.py

from hub import hub_data  # noqa: E402

from milp_milkrun.checker import check_plan  # noqa: E402
from milp_milkrun.heuristics import solve_heuristic  # noqa: E402
from milp_milkrun.heuristics.engine_settings import EngineSettings  # noqa: E402
from milp_milkrun.heuristics.metaheuristic import SearchParams  # noqa: E402
from milp_milkrun.instance import Instance  # noqa: E402
from milp_milkrun.io import instance_from_dict, load_instance  # noqa: E402

X_FOLDER = REPO / ".." / "shared" / "cvrplib_x"
X_SECONDS_PER_CUSTOMER = 2.4  # the time limit of the X benchmarks of HGS-CVRP and PyVRP


def distance(instance: Instance, engine: str, time_limit: float, seed: int) -> tuple[float | None, int, float]:
    """The checker's distance of the engine's plan (None without one), its routes, and the wall time."""
    started = time.perf_counter()
    result = solve_heuristic(
        instance, time_limit=time_limit, seed=seed, params=SearchParams(engine=EngineSettings(engine))
    )
    wall = time.perf_counter() - started
    if result.plan is None:
        return None, 0, wall
    report = check_plan(instance, result.plan)
    if not report.feasible:
        raise SystemExit(f"{instance.name}: the {engine} plan fails the checker: {report.violations[:2]}")
    return report.objective, len(result.plan.used_routes()), wall


def hubs(sizes: list[int], seeds: list[int], time_limit: float) -> list[float]:
    print("| hub | DCs | seed | ours (auto) km | routes | PyVRP km | routes | ours/PyVRP | load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    ratios = []
    for size in sizes:
        for seed in seeds:
            instance = instance_from_dict(hub_data(size, seed))
            ours, our_routes, _ = distance(instance, "auto", time_limit, seed)
            peer, peer_routes, _ = distance(instance, "pyvrp", time_limit, seed)
            ratio = ours / peer if ours is not None and peer is not None else None
            if ratio is not None:
                ratios.append(ratio)
            print(
                f"| {instance.name} | {size} | {seed} | {_km(ours)} | {our_routes} | {_km(peer)} | {peer_routes} "
                f"| {_ratio(ratio)} | {_load()} |",
                flush=True,
            )
    return ratios


def x_instances(seed: int) -> list[float]:
    print("| instance | time limit s | ours (auto) | PyVRP | optimum | ours/opt | PyVRP/opt | load |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    ratios = []
    for path in sorted(X_FOLDER.glob("*.vrp")):
        n = int(re.search(r"-n(\d+)-", path.name).group(1)) - 1  # type: ignore[union-attr]
        optimum = float(re.search(r"Cost\s+(\d+)", path.with_suffix(".sol").read_text()).group(1))  # type: ignore[union-attr]
        instance = load_instance(path, vehicles=n)
        limit = X_SECONDS_PER_CUSTOMER * n
        ours, _, _ = distance(instance, "auto", limit, seed)
        peer, _, _ = distance(instance, "pyvrp", limit, seed)
        ratio = ours / optimum if ours is not None else None
        if ratio is not None:
            ratios.append(ratio)
        peer_ratio = peer / optimum if peer is not None else None
        print(
            f"| {path.stem} | {limit:.0f} | {_km(ours)} | {_km(peer)} | {optimum:,.0f} | {_ratio(ratio)} "
            f"| {_ratio(peer_ratio)} | {_load()} |",
            flush=True,
        )
    return ratios


def _km(value: float | None) -> str:
    return f"{value:,.1f}" if value is not None else "no plan"


def _ratio(value: float | None) -> str:
    return f"{value:.4f}" if value is not None else "-"


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 500, 1000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--x", action="store_true", help="the X instances of ../shared/cvrplib_x at 2.4 x n s")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    print(
        f"commit {commit.stdout.strip() or '? (not a git checkout)'}, {os.cpu_count()} cores, load {_load()}, nice {os.nice(0)}\n"
    )
    ratios = x_instances(args.seeds[0]) if args.x else hubs(args.sizes, args.seeds, args.time_limit)
    if ratios:
        what = "ours/optimum" if args.x else "ours/PyVRP"
        print(
            f"\n{what}: mean {statistics.mean(ratios):.4f}, worst {max(ratios):.4f} over {len(ratios)}; load {_load()}"
        )


if __name__ == "__main__":
    main()
