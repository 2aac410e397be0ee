"""Benchmark of the route engine on Solomon's VRPTW instances (``solve --model routes``, time windows).

Reads each file of ../shared/solomon with :mod:`milp_milkrun.io.solomon` (the first 25, 50 or 100
customers, the literature's distance convention), solves it with the route-based
branch-and-price-and-cut under ``--time-limit`` seconds, and prints one Markdown row per instance:
status, plan value, certified bound, the published value of ../shared/solomon/optima.json and the wall
time. Every solve goes through ``solve()`` as ``milkrun solve --model routes`` does; every plan is
re-checked by the independent checker inside ``make_result``.

    nice -n 10 python benchmarks/bench_solomon.py --size 25 --time-limit 60
    nice -n 10 python benchmarks/bench_solomon.py --size 25 --time-limit 60 --files C1 R1   # by name prefix
    nice -n 10 python benchmarks/bench_solomon.py --size 25 --files RC2 --setting central_duals=off   # RouteSettings
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench_bpc import add_setting_option, parsed_settings

from milp_milkrun.io import load_instance
from milp_milkrun.routes.settings import RouteSettings
from milp_milkrun.solve import SolveOptions, solve

SOLOMON = Path(__file__).resolve().parents[1] / ".." / "shared" / "solomon"
MATCH = 1e-6  # a value equal to the published one up to float noise


def files(prefixes: list[str] | None) -> list[Path]:
    """Every Solomon file, or those whose name starts with one of ``prefixes`` (e.g. ``C1`` or ``RC2``)."""
    found = sorted(SOLOMON.glob("*.txt"))
    if not prefixes:
        return found
    return [
        p
        for p in found
        if any(p.stem.startswith(x) and (x[-1].isdigit() or p.stem[len(x)].isdigit()) for x in prefixes)
    ]


def row(path: Path, size: int, time_limit: float, optima: dict, settings: RouteSettings) -> tuple[str, bool]:
    """One Markdown row for ``path`` and whether the instance was proven at the published value."""
    instance = load_instance(path, variant=str(size))
    began = time.perf_counter()
    result = solve(
        instance, model="routes", options=SolveOptions(time_limit=time_limit, gap=0.0, log=False, routes=settings)
    )
    elapsed = time.perf_counter() - began
    published = optima.get(path.stem, {}).get("value")
    value = "-" if result.objective is None else f"{result.objective:.1f}"
    bound = "-" if result.bound is None else f"{result.bound:.2f}"
    proven = (
        result.status == "optimal"
        and published is not None
        and abs(result.objective - published) <= MATCH * max(1.0, published)
    )
    mark = (
        ""
        if published is None
        or result.objective is None
        or abs(result.objective - published) <= MATCH * max(1.0, published)
        else " **differs**"
    )
    return (
        f"| {path.stem} | {result.status} | {value}{mark} | {bound} | {published if published is not None else '-'} | {elapsed:.1f} |",
        proven,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=25, choices=(25, 50, 100), help="customers kept per file")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--files", nargs="*", help="name prefixes (C1, R2, RC1, ...); default: every file")
    add_setting_option(parser)
    args = parser.parse_args()
    settings = parsed_settings(parser, args.setting, RouteSettings())
    optima = json.loads((SOLOMON / "optima.json").read_text()).get(str(args.size), {})
    print("| instance | status | value | bound | published | time (s) |")
    print("|---|---|---|---|---|---|")
    proven = total = 0
    for path in files(args.files):
        line, ok = row(path, args.size, args.time_limit, optima, settings)
        print(line, flush=True)
        proven += ok
        total += 1
    print(f"\n{proven} of {total} proven optimal at the published value within {args.time_limit:g} s each")


if __name__ == "__main__":
    main()
