"""Benchmark of the route engine's exact pricing alone: monodirectional against bidirectional labelling.

Runs the root's column generation of an instance (capacity cuts, then with ``--subset-rows`` subset-row
cuts once it converged) for ``--warmup`` seconds, then prices every class once at the duals of its last
exact pricing, both ways, and prints
one Markdown row per class: labels, seconds and the least reduced cost of each (the two minima may differ
on ng-routes, each is at most the least over elementary routes and at least the one over ng-routes).

    nice -n 10 python benchmarks/bench_pricing.py ../shared/cvrplib/P-n76-k4.vrp --warmup 120
    nice -n 10 python benchmarks/bench_pricing.py ../shared/solomon/R211.txt --variant 25 --warmup 60 --subset-rows

With ``--state FILE`` the duals are written to FILE after the warm-up, or read from it when it exists (no
warm-up): two versions of the pricing, each on PYTHONPATH in turn, then price at the same duals.  The row also
times the heuristic pricing (``price(exact=False)``, every width it tries) at those duals.
"""

from __future__ import annotations

import argparse
import pickle
import time
from pathlib import Path

from milp_milkrun.io import load_instance
from milp_milkrun.routes.bidirectional import meeting, price_bidirectionally, reversed_network
from milp_milkrun.routes.column_generation import ColumnGeneration
from milp_milkrun.routes.label_bounds import label_bounds
from milp_milkrun.routes.pricing import label_levels, price
from milp_milkrun.routes.settings import RouteSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds of column generation before pricing")
    parser.add_argument("--limit", type=float, default=1200.0, help="seconds one pricing may take")
    parser.add_argument("--variant", help="Solomon: the number of customers (25, 50, 100)")
    parser.add_argument("--subset-rows", action="store_true", help="subset-row cuts once the capacity cuts converged")
    parser.add_argument("--state", type=Path, help="duals to price at: read when the file exists, else written")
    args = parser.parse_args()
    if args.state is not None and args.state.exists():
        state = pickle.loads(args.state.read_bytes())
    else:
        state = _warm_up(args)
        if args.state is not None:
            args.state.write_bytes(pickle.dumps(state))
    print(state["header"])
    print("| class | mono labels | mono s | mono min | bidi labels | bidi s | bidi min | heuristic s |")
    print("|---|---|---|---|---|---|---|---|")
    for k, (net, arc_cost, start) in enumerate(zip(state["networks"], state["arc_costs"], state["starts"])):
        _price_class(k, net, arc_cost, start, state["penalties"], args.limit)


def _warm_up(args: argparse.Namespace) -> dict:
    """The root's column generation for ``--warmup`` seconds; the networks and the duals of its last exact pricing."""
    instance = load_instance(args.instance, variant=args.variant) if args.variant else load_instance(args.instance)
    settings = RouteSettings(bidirectional=True)  # the warm-up's own exact pricings: the faster way
    cg = ColumnGeneration(instance, time.perf_counter() + args.warmup, settings=settings)
    cg.run()
    if args.subset_rows and cg.converged:
        cg.run_with_subset_rows()
    last = cg.last_exact
    if last is None:
        raise SystemExit("no exact pricing within the warm-up: give a longer --warmup")
    return {
        "header": f"after {args.warmup:g} s: LP {cg.lp_value:.6g}, bound {cg.bound:.6g}, {cg.exact_pricings} exact pricings",
        "networks": cg.networks,
        "arc_costs": last.arc_cost,
        "starts": [cg.start_cost(k, last.mu) for k in range(len(cg.networks))],
        "penalties": last.penalties,
    }


def _price_class(k: int, net, arc_cost, start, rows, limit: float) -> None:
    """One row: the class priced exactly both ways, and heuristically."""
    began = time.perf_counter()  # what price(exact=True) runs, with its labels counted
    mono = label_levels(net, arc_cost, start, label_bounds(net, arc_cost, rows), None, began + limit, rows)
    mono_s = time.perf_counter() - began
    mono_min = min(0.0, float(mono.total.min())) if len(mono.total) else 0.0
    began = time.perf_counter()
    both = price_bidirectionally(net, arc_cost, start, max_routes=60, deadline=began + limit, subset_rows=rows)
    both_s = time.perf_counter() - began
    began = time.perf_counter()
    price(net, arc_cost, start, exact=False, max_routes=60, deadline=began + limit, subset_rows=rows)
    heuristic_s = time.perf_counter() - began
    print(
        f"| {k} | {len(mono.trace.node):,} | {mono_s:.1f} | {mono_min:.4g} "
        f"| {_labels(net, arc_cost, start, rows):,} | {both_s:.1f} | {both.minimum:.4g} | {heuristic_s:.2f} |",
        flush=True,
    )


def _labels(net, arc_cost, start, rows) -> int:
    """Labels admitted by the bidirectional labelling, both directions."""
    rule, back, back_cost = meeting(net), reversed_network(net), arc_cost.T.copy()
    ahead = label_levels(
        net, arc_cost, start, label_bounds(net, arc_cost, rows), None, float("inf"), rows, None, rule.forward
    )
    behind = label_levels(
        back, back_cost, start, label_bounds(back, back_cost, rows), None, float("inf"), rows, None, rule.backward
    )
    return len(ahead.trace.node) + len(behind.trace.node)


if __name__ == "__main__":
    main()
