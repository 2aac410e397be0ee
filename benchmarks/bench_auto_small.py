"""Which engine proves small instances fastest, per objective: the measurement behind ``--model auto`` on <= 8 DCs.

Random instances of 4-8 DCs (generator below, fixed seeds) with two vehicle types, stop and distance limits,
a forbidden pair and a consecutive pair, solved by the exact, strong and route-based models without the
heuristic start (each engine alone), under the distance objective and under the cost objective (fixed
costs and costs per km, a cost per km of 0 for some types, and an unlimited type for some instances, as
in the audit that found auto stalling there). For each engine and objective it prints how many instances it proved (optimal
or infeasible) within the limit, and the median and worst wall time, as Markdown rows for
docs/benchmarks.md:

    python benchmarks/bench_auto_small.py --instances 30 --time-limit 10
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import replace

from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.solve import SolveOptions, solve

ENGINES = ("exact", "strong", "routes")
OBJECTIVES = ("distance", "cost")
PROVEN = ("optimal", "infeasible")


def small_instance(seed: int, objective: str) -> Instance:
    """4-8 DCs on a 60 x 60 grid, a big and a small type with limits, one forbidden and one consecutive pair.

    Under ``cost`` each type gets a fixed cost and a cost per km drawn from {0, 0.5, 1, 2} (0: only the
    fixed costs count, which is where the seed's model has no bound), and every third instance makes
    the small type unlimited (fleet size and mix).
    """
    rng = random.Random(seed)
    n = rng.randint(4, 8)
    ids = [f"D{k}" for k in range(1, n + 1)]
    dcs = [DC(i, rng.randint(1, 9), rng.randint(0, 60), rng.randint(0, 60)) for i in ids]
    total = sum(dc.demand for dc in dcs)
    big = VehicleType(
        "big",
        rng.randint(1, 2),
        rng.randint(max(9, total // 2), max(10, total)),
        rng.choice([None, 200]),
        rng.choice([None, 4]),
    )
    small = VehicleType(
        "small", rng.randint(2, 3), rng.randint(9, max(10, total // 2)), rng.choice([None, 160]), rng.choice([None, 3])
    )
    if objective == "cost":
        big = replace(big, fixed_cost=rng.randint(20, 120), cost_per_km=rng.choice([0.0, 0.5, 1.0, 2.0]))
        small = replace(small, fixed_cost=rng.randint(10, 60), cost_per_km=rng.choice([0.0, 0.5, 1.0]))
        if seed % 3 == 0:
            small = replace(small, count=None)
    a, b, c = rng.sample(ids, 3)
    return build_instance(
        name=f"small-{objective}-{seed}",
        hub=Site("H", 30, 30),
        dcs=dcs,
        vehicle_types=[big, small],
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        forbidden=[{"dc": c, "vehicle_type": "big"}],
        consecutive=[[a, b]],
        coordinates="xy",
        distance_unit="units",
        objective=objective,
    )


def measure(engine: str, instance: Instance, time_limit: float) -> tuple[bool, float]:
    """Whether ``engine`` proved the instance within the limit, and its wall time."""
    started = time.perf_counter()
    result = solve(instance, model=engine, options=SolveOptions(time_limit=time_limit), heuristic_start=False)
    return result.status in PROVEN, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=30, help="instances per objective (seeds 0..N-1)")
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    print(f"| objective | engine | proven (of {args.instances}) | median s | worst s |")
    print("|---|---|---|---|---|")
    for objective in OBJECTIVES:
        instances = [small_instance(seed, objective) for seed in range(args.instances)]
        for engine in ENGINES:
            runs = [measure(engine, instance, args.time_limit) for instance in instances]
            times = [seconds for _, seconds in runs]
            proven = sum(ok for ok, _ in runs)
            print(
                f"| {objective} | {engine} | {proven} | {statistics.median(times):.2f} | {max(times):.2f} |", flush=True
            )


if __name__ == "__main__":
    main()
