"""Benchmark of the completion bounds the pricing computes at every call: the walk bound (over whole load units,
and over the heuristic pricing's coarse loads) and the bound over walks without 2-cycles of the exact pricing
(routes/completions.py).

Runs the root's column generation of an instance for ``--warmup`` seconds, then times both bounds of every
class at the master's duals of that moment (the arc costs the next pricing would see), best of ``--repeats``
(the machine is shared), and prints one Markdown row per class.  Run it with another checkout on
PYTHONPATH to compare two versions of the bounds at the same duals (the warm-up is deterministic for a seed
only up to its time, so compare rows from one warm-up: ``--warmup`` in iterations would be steadier, the
bounds' times change little with the duals).

    nice -n 10 python benchmarks/bench_completions.py ../shared/solomon/R208.txt --variant 50 --warmup 20
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from milp_milkrun.io import load_instance
from milp_milkrun.routes.column_generation import ColumnGeneration
from milp_milkrun.routes.completions import completion_bounds, load_free, two_cycle_free_completions, walk_loads
from milp_milkrun.routes.master_lp import solve_lp


def best_of(repeats: int, bound: Callable[..., object], *args: object) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        bound(*args)
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance")
    parser.add_argument("--variant", help="Solomon: the number of customers (25, 50, 100)")
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds of column generation before timing")
    parser.add_argument("--repeats", type=int, default=5, help="timings per bound (the best is printed)")
    args = parser.parse_args()
    instance = load_instance(args.instance, variant=args.variant) if args.variant else load_instance(args.instance)
    cg = ColumnGeneration(instance, time.perf_counter() + args.warmup)
    cg.run()
    duals = solve_lp(cg.master, 60.0)
    if duals is None:
        raise SystemExit("the master LP did not solve")
    print(
        f"after {args.warmup:g} s: LP {cg.lp_value:.6g}, {cg.iterations} iterations, {cg.exact_pricings} exact pricings"
    )
    print(
        "| class | stops | load levels | DCs | walk bound (s) | the heuristic's levels | its walk bound (s) | without 2-cycles (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for k, (net, reduced) in enumerate(zip(cg.networks, cg.arc_costs(duals))):
        arc_cost = net.with_load_floor(reduced)
        loads = load_free(net)
        walk = best_of(args.repeats, completion_bounds, loads, arc_cost)
        coarse_net, _ = walk_loads(net)
        coarse = best_of(args.repeats, completion_bounds, coarse_net, arc_cost)
        two_cycle_free = best_of(args.repeats, two_cycle_free_completions, loads, arc_cost)
        print(
            f"| {k} | {loads.max_stops} | {loads.capacity + 1} | {len(arc_cost) - 1} | {walk:.3f} "
            f"| {coarse_net.capacity + 1} | {coarse:.3f} | {two_cycle_free:.3f} |"
        )


if __name__ == "__main__":
    main()
