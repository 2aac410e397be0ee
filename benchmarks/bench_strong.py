"""Benchmark of the strong and route-based formulations against the exact model, and ecom74's certified gap.

Three parts, each printed as Markdown rows for docs/benchmarks.md:

* ``cvrplib``: the five instances of ../shared/cvrplib/ -- strong model (time limit 60 s, 600 s for
  E-n51-k5) and exact model (60 s): status, plan, bound, gap, wall time, beside the proven optimum.
* ``random``: random side-constrained instances of 15-40 DCs (fixed, printed seeds; generator below),
  strong and exact, the same time limit.

``--models`` picks the formulations (default strong and exact; ``routes`` is the set-partitioning model
solved by column generation).  Every solve goes through ``solve()`` exactly as ``milkrun solve --model
MODEL`` does: the heuristic
runs first for min(10 s, 20% of the limit) as MIP start, inside the time limit.
* ``ecom74``: the heuristic plan for instances/ecom74.json and its certified gap after the
  bound budget (the larger of the route-based and the strong bound, as ``milkrun check --bound``).

    python benchmarks/bench_strong.py --parts cvrplib random ecom74
    python benchmarks/bench_strong.py --parts cvrplib random --models routes
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path

import numpy as np

from milp_milkrun.bounds import bound_plan
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.io import load_instance
from milp_milkrun.solve import DEFAULT_SEED, SolveOptions, SolveResult, solve

REPO = Path(__file__).resolve().parents[1]
ECOM74 = REPO / "instances" / "ecom74.json"
CVRPLIB = REPO / ".." / "shared" / "cvrplib"
PROVEN_OPTIMA = {
    name: json.loads((CVRPLIB / "optima.json").read_text())[name]["optimum"]
    for name in ("P-n16-k8", "P-n19-k2", "E-n22-k4", "B-n31-k5", "E-n51-k5")
}
RANDOM_CASES = ((15, 101), (25, 102), (40, 103))  # (DCs, seed)


def random_side_instance(n_dcs: int, seed: int) -> Instance:
    """A hub in the middle of a 100 x 100 square, demands 1..30, two vehicle types, every side constraint.

    Large (capacity 120, <= 8 DCs, <= 300) and small (capacity 60, <= 5 DCs, <= 200) vehicles, enough
    for ~85% utilisation; three DCs forbidden for large vehicles, one for a single small vehicle; two
    consecutive pairs of neighbours; two damaged roads between neighbours and one hub road.
    """
    rng = random.Random(seed)
    ids = [f"DC{k}" for k in range(1, n_dcs + 1)]
    dcs = [DC(i, rng.randint(1, 30), rng.uniform(0, 100), rng.uniform(0, 100)) for i in ids]
    total = sum(dc.demand for dc in dcs)
    n_large = max(1, round(total * 0.4 / 120 / 0.85))
    n_small = max(1, -(-(total - n_large * 120 * 0.85) // (60 * 0.85)))
    xy = np.array([[dc.x, dc.y] for dc in dcs])
    nearest = [int(np.argsort(np.hypot(*(xy - xy[k]).T))[1]) for k in range(n_dcs)]
    a, b, c, d, e = rng.sample(range(n_dcs), 5)
    return build_instance(
        name=f"random{n_dcs}-s{seed}",
        hub=Site("HUB", 50, 50),
        dcs=dcs,
        vehicle_types=[VehicleType("large", int(n_large), 120, 300, 8), VehicleType("small", int(n_small), 60, 200, 5)],
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        forbidden=[*({"dc": ids[k], "vehicle_type": "large"} for k in (a, b, c)), {"dc": ids[d], "vehicle": "small-1"}],
        consecutive=_pairs([(a, nearest[a]), (e, nearest[e])], ids),
        damaged_roads=[[ids[b], ids[nearest[b]]], [ids[c], ids[nearest[c]]], ["HUB", ids[d]]],
        coordinates="xy",
        distance_unit="units",
    )


def _pairs(candidates: list[tuple[int, int]], ids: list[str]) -> list[list[str]]:
    """Consecutive pairs without a shared DC (a DC has at most one successor and one predecessor)."""
    used: set[int] = set()
    pairs = []
    for i, j in candidates:
        if not {i, j} & used:
            pairs.append([ids[i], ids[j]])
            used |= {i, j}
    return pairs


def row(name: str, model: str, result: SolveResult, limit: float, optimum: float | str = "") -> str:
    def num(v: float | None) -> str:
        return "-" if v is None else f"{v:,.1f}"

    gap = "-" if result.gap is None else f"{100 * result.gap:.2f}%"
    return f"| {name} | {optimum} | {model} | {limit:g} | {result.status} | {num(result.objective)} | {num(result.bound)} | {gap} | {result.runtime_s:.1f} |"


HEADER = "| instance | optimum | model | limit (s) | status | plan | bound | gap | time (s) |\n|---|---|---|---|---|---|---|---|---|"


def solve_row(name: str, instance: Instance, model: str, limit: float, optimum: float | str = "") -> str:
    """``solve()`` as ``milkrun solve --model MODEL`` runs it: the heuristic start included in the time."""
    result = solve(instance, model=model, options=SolveOptions(time_limit=limit, log=False))
    line = row(name, model, result, limit, optimum)
    print(line, flush=True)
    return line


def cvrplib(models: list[str], limit: float, long_limit: float) -> list[str]:
    lines = [HEADER]
    for name, optimum in PROVEN_OPTIMA.items():
        instance = load_instance(CVRPLIB / f"{name}.vrp")
        for model in models:
            model_limit = long_limit if name == "E-n51-k5" and model != "exact" else limit
            lines.append(solve_row(name, instance, model, model_limit, optimum))
    return lines


def random_instances(models: list[str], limit: float) -> list[str]:
    lines = [HEADER]
    for n, seed in RANDOM_CASES:
        instance = random_side_instance(n, seed)
        lines += [solve_row(instance.name, instance, model, limit) for model in models]
    return lines


def ecom74(heuristic_seconds: float, bound_seconds: float) -> list[str]:
    from milp_milkrun.heuristics import solve_heuristic

    instance = load_instance(ECOM74)
    plan = solve_heuristic(instance, time_limit=heuristic_seconds, seed=DEFAULT_SEED).plan
    assert plan is not None
    started = time.perf_counter()
    certified = bound_plan(instance, plan, bound_seconds)
    lines = [
        f"- plan: `solve_heuristic` for {heuristic_seconds:g} s, seed {DEFAULT_SEED}",
        f"- `{certified.line()}` (bound budget {bound_seconds:g} s, wall {time.perf_counter() - started:.1f} s)",
        f"- bound: {certified.how}",
    ]
    print("\n".join(lines), flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parts", nargs="+", default=["cvrplib", "random", "ecom74"], choices=["cvrplib", "random", "ecom74"]
    )
    parser.add_argument("--models", nargs="+", default=["strong", "exact"], choices=["strong", "exact", "routes"])
    parser.add_argument("--time-limit", type=float, default=60.0, help="per solve")
    parser.add_argument("--long-limit", type=float, default=600.0, help="strong and routes models on E-n51-k5")
    parser.add_argument(
        "--heuristic-seconds", type=float, default=30.0, help="heuristic plan whose gap ecom74 certifies"
    )
    parser.add_argument("--bound-seconds", type=float, default=600.0)
    args = parser.parse_args()
    print(
        f"load average at start: {os.getloadavg()[0]:.2f}; seeds: HiGHS {DEFAULT_SEED}, random instances {[s for _, s in RANDOM_CASES]}",
        flush=True,
    )
    out: list[str] = []
    if "cvrplib" in args.parts:
        out += ["", "CVRPLIB (../shared/cvrplib/):", "", *cvrplib(args.models, args.time_limit, args.long_limit)]
    if "random" in args.parts:
        out += [
            "",
            "Random side-constrained instances (benchmarks/bench_strong.py:random_side_instance):",
            "",
            *random_instances(args.models, args.time_limit),
        ]
    if "ecom74" in args.parts:
        out += ["", "ecom74 certified gap:", "", *ecom74(args.heuristic_seconds, args.bound_seconds)]
    print("\n".join(out))


if __name__ == "__main__":
    main()
