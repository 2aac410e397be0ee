"""Benchmark of where a root's pricing time goes: heuristic calls that found routes, heuristic calls in vain, exact.

Runs the root's column generation of a CVRPLIB instance from no start (capacity cuts, then subset-row cuts once
it converged, as the tree does when its gap asks for them) within ``--time-limit`` seconds, and prints the
seconds of each phase, the bound each reached, and the seconds, calls and labels created of each kind of pricing.
The heuristic's wider widths are skipped by the labels they created by default; all of them are tried with
``--setting skip_costly_widths=off`` (routes/pricing_work.py):

    nice -n 5 python benchmarks/bench_root_pricing.py ../shared/cvrplib/E-n76-k7.vrp --time-limit 450
    nice -n 5 python benchmarks/bench_root_pricing.py ../shared/cvrplib/E-n76-k7.vrp --time-limit 450 \\
        --setting skip_costly_widths=off

The two runs take different paths (which routes the heuristic finds steers the cuts), so their bounds may differ.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_bpc import add_setting_option, parsed_settings

from milp_milkrun.io import load_instance
from milp_milkrun.routes import column_generation
from milp_milkrun.routes.pricing import PricingResult
from milp_milkrun.routes.settings import RouteSettings

SECONDS: defaultdict[str, float] = defaultdict(float)
CALLS: defaultdict[str, int] = defaultdict(int)
LABELS: defaultdict[str, int] = defaultdict(int)


def _timed(
    pricing: Callable[..., PricingResult], kind: Callable[[dict[str, Any], PricingResult], str]
) -> Callable[..., PricingResult]:
    """``pricing`` adding its seconds, calls and labels to the kind ``kind(keywords, result)`` names."""

    def timed(*args: Any, **keywords: Any) -> PricingResult:
        began = time.perf_counter()
        result = pricing(*args, **keywords)
        name = kind(keywords, result)
        SECONDS[name] += time.perf_counter() - began
        CALLS[name] += 1
        LABELS[name] += result.labels
        return result

    return timed


def _kind_of_price(keywords: dict[str, Any], result: PricingResult) -> str:
    if keywords.get("exact"):
        return "exact (one direction)"
    return "heuristic, found routes" if result.routes else "heuristic, in vain"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", type=Path)
    parser.add_argument("--time-limit", type=float, default=450.0, help="seconds of the root's column generation")
    add_setting_option(parser)
    args = parser.parse_args()
    settings = parsed_settings(parser, args.setting, RouteSettings())
    column_generation.price = _timed(column_generation.price, _kind_of_price)  # type: ignore[assignment]
    column_generation.price_bidirectionally = _timed(
        column_generation.price_bidirectionally, lambda keywords, result: "exact (bidirectional)"
    )
    began = time.perf_counter()
    cg = column_generation.ColumnGeneration(load_instance(args.instance), began + args.time_limit, settings=settings)
    capacity = cg.run()
    capacity_s = time.perf_counter() - began
    subset = cg.run_with_subset_rows() if capacity.converged else capacity
    subset_s = time.perf_counter() - began - capacity_s
    print(f"{args.instance.stem}, settings {args.setting or 'default'}")
    print(f"capacity cuts: {capacity_s:.1f} s, converged {capacity.converged}, bound {capacity.bound:.6g}")
    print(f"subset-row cuts: {subset_s:.1f} s, converged {subset.converged}, bound {subset.bound:.6g}")
    print(f"{cg.iterations} iterations, {cg.exact_pricings} exact pricings")
    print("| pricing | seconds | calls | labels created |")
    print("|---|---:|---:|---:|")
    for name in sorted(SECONDS):
        print(f"| {name} | {SECONDS[name]:.1f} | {CALLS[name]} | {LABELS[name]:,} |")


if __name__ == "__main__":
    main()
