"""Benchmark of the capacity-cut separation the route engine's root runs after each converged LP
(routes/separation.py over models/capacity_sets.py: connected components, greedy sets, and one minimum cut per
DC).

For each instance, converges the root's column generation without cuts (at most ``--warmup`` seconds), then
times the separation on that LP's arc flows, best of ``--repeats`` (the machine is shared), and prints one
Markdown row: the cuts found, their total violation and the seconds.  The LP is the same for a version of the
separation run with another checkout on PYTHONPATH (the column generation before the first cut does not use
it), so two versions compare on the same point.

    nice -n 10 python benchmarks/bench_separation.py ../shared/cvrplib/E-n76-k7.vrp ../shared/cvrplib/A-n64-k9.vrp
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from milp_milkrun.io import load_instance
from milp_milkrun.routes.column_generation import ColumnGeneration
from milp_milkrun.routes.separation import CapacityCut


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="+")
    parser.add_argument("--warmup", type=float, default=300.0, help="seconds of column generation at most")
    parser.add_argument("--repeats", type=int, default=3, help="timings per instance (the best is printed)")
    args = parser.parse_args()
    print("| instance | LP converged | LP | cuts | total violation | separation (s) |")
    print("|---|---|---:|---:|---:|---:|")
    for path in args.instances:
        instance = load_instance(path)
        cg = ColumnGeneration(instance, time.perf_counter() + args.warmup, cuts=False)
        converged = cg.run().converged
        times = []
        cuts: list[CapacityCut] = []
        for _ in range(args.repeats):
            began = time.perf_counter()
            cuts = cg.master.separate_cuts()
            times.append(time.perf_counter() - began)
        violation = _total_violation(cg, cuts)
        print(
            f"| {instance.name} | {'yes' if converged else 'no'} | {cg.lp_value:,.6g} | {len(cuts)} | {violation:.4f} "
            f"| {min(times):.3f} |",
            flush=True,
        )


def _total_violation(cg: ColumnGeneration, cuts: list[CapacityCut]) -> float:
    """Sum over ``cuts`` of the requirement less the LP's weighted entries into the set."""
    flows = cg.master.class_arc_flows()
    total = 0.0
    for cut in cuts:
        members = sorted(cut.members)
        outside = np.ones(flows.shape[1], dtype=bool)
        outside[members] = False
        entries = flows[:, outside][:, :, members].sum(axis=(1, 2))
        total += cut.requirement - sum(cut.weight(k) * float(e) for k, e in enumerate(entries))
    return total


if __name__ == "__main__":
    main()
