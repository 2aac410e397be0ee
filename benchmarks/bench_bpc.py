"""Benchmark of the route-based branch-and-price-and-cut engine (``solve --model routes``).

Prints one Markdown row per instance for docs/benchmarks.md: status, plan, certified bound, gap and
wall time, beside the proven optimum of ../shared/cvrplib/optima.json (ecom74: no known optimum).
Every solve goes through ``solve()`` exactly as ``milkrun solve --model routes`` does (the heuristic
runs first as a start, inside the time limit); every plan is re-checked by the independent checker
inside ``make_result``.

Groups (``--groups``):

* ``small``: every A, B, E, P instance of ../shared/cvrplib with at most 45 customers, 60 s each;
* ``ecom74``: instances/ecom74.json at 60 s (the README main job's limit) and 600 s;
* ``e51``: E-n51-k5, 60 s;
* ``medium``: the 46-80-node A, B, E, P instances, 600 s each, smallest first (long: hours for all of
  them); ``--shard I/N`` runs every N-th of them from the I-th (1-based), to spread them over processes.

    nice -n 10 python benchmarks/bench_bpc.py --groups small e51 ecom74
    nice -n 10 python benchmarks/bench_bpc.py --groups medium --shard 1/2
    nice -n 10 python benchmarks/bench_bpc.py --groups ecom74 --subset-rows on   # the engine's subset-row cuts on/off
    nice -n 10 python benchmarks/bench_bpc.py --groups e51 --seed 3              # another seed (default: DEFAULT_SEED)
    nice -n 10 python benchmarks/bench_bpc.py --files P-n76-k4 P-n76-k5 --time-limit 600   # named CVRPLIB files
    nice -n 10 python benchmarks/bench_bpc.py --groups small --setting central_duals=off   # any RouteSettings field
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

from milp_milkrun.io import load_instance
from milp_milkrun.routes.settings import RouteSettings, with_overrides
from milp_milkrun.solve import DEFAULT_SEED, SolveOptions, solve

REPO = Path(__file__).resolve().parents[1]
CVRPLIB = REPO / ".." / "shared" / "cvrplib"
ECOM74 = REPO / "instances" / "ecom74.json"


def _customers(path: Path) -> int:
    return int(re.search(r"-n(\d+)-", path.name).group(1)) - 1


def cases(groups: list[str], shard: tuple[int, int] = (1, 1)) -> list[tuple[Path, float]]:
    """(instance file, time limit) of every group, in order; ``shard`` (i, n): every n-th medium one from the i-th."""
    library = sorted(CVRPLIB.glob("[ABEP]-n*.vrp"))
    out: list[tuple[Path, float]] = []
    for group in groups:
        if group == "small":
            out += [(p, 60.0) for p in library if _customers(p) <= 45]
        elif group == "e51":
            out += [(CVRPLIB / "E-n51-k5.vrp", 60.0)]
        elif group == "ecom74":
            out += [(ECOM74, 60.0), (ECOM74, 600.0)]
        elif group == "medium":
            medium = sorted(
                (p for p in library if _customers(p) > 45 and _customers(p) + 1 <= 80),
                key=lambda p: (_customers(p), p.name),
            )
            out += [(p, 600.0) for p in medium[shard[0] - 1 :: shard[1]]]
    return out


def add_setting_option(parser: argparse.ArgumentParser) -> None:
    """The ``--setting NAME=VALUE`` option (repeatable) of the route engine's benchmarks."""
    parser.add_argument("--setting", action="append", default=[], help="NAME=VALUE of RouteSettings (repeatable)")


def parsed_settings(parser: argparse.ArgumentParser, pairs: list[str], base: RouteSettings) -> RouteSettings:
    """``base`` with the ``--setting`` pairs applied; a pair RouteSettings does not take ends the script with the
    parser's usage error."""
    try:
        return with_overrides(base, pairs)
    except ValueError as error:
        parser.error(str(error))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--groups",
        nargs="*",
        choices=["small", "e51", "ecom74", "medium"],
        help="default: small e51 ecom74, or none with --files",
    )
    parser.add_argument("--files", nargs="*", default=[], help="CVRPLIB names (P-n76-k4 ...), after the groups")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds per --files instance")
    add_setting_option(parser)
    parser.add_argument(
        "--shard", default="1/1", help="I/N: of the medium group, every N-th instance from the I-th (1-based)"
    )
    parser.add_argument("--skip", nargs="*", default=[], help="instance names to leave out (measured already)")
    parser.add_argument(
        "--subset-rows", choices=["on", "off"], help="separate subset-row cuts at the root (default: the engine's)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="SolveOptions.seed (default: %(default)s)")
    args = parser.parse_args()
    settings = RouteSettings() if args.subset_rows is None else RouteSettings(subset_rows=args.subset_rows == "on")
    settings = parsed_settings(parser, args.setting, settings)
    if args.groups is None:
        args.groups = [] if args.files else ["small", "e51", "ecom74"]
    part, parts = (int(x) for x in args.shard.split("/"))
    optima = json.loads((CVRPLIB / "optima.json").read_text()) if (CVRPLIB / "optima.json").exists() else {}
    print(f"seed {args.seed}")
    print("| instance | limit (s) | status | plan | bound | gap | optimum | time (s) |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    named = [(CVRPLIB / f"{name}.vrp", args.time_limit) for name in args.files]
    for path, limit in cases(args.groups, (part, parts)) + named:
        if path.stem in args.skip:
            continue
        instance = load_instance(path)
        started = time.perf_counter()
        result = solve(
            instance,
            model="routes",
            options=SolveOptions(time_limit=limit, gap=0.0, seed=args.seed, log=False, routes=settings),
        )
        wall = time.perf_counter() - started
        optimum = optima.get(path.stem, {}).get("optimum", "")
        gap = "" if result.gap is None else f"{100 * result.gap:.2f}%"
        objective = "" if result.objective is None else f"{result.objective:,.2f}"
        bound = "" if result.bound is None else f"{result.bound:,.2f}"
        if result.bound is not None and optimum != "":
            assert result.bound <= optimum + 1e-6, f"{path.stem}: bound {result.bound} above the optimum {optimum}"
        print(
            f"| {path.stem} | {limit:.0f} | {result.status} | {objective} | {bound} | {gap} | {optimum} | {wall:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
