"""Benchmark of the exact model: size, build and hand-off time, and the gap HiGHS reaches.

For instances/ecom74.json: rows, columns, binaries, non-zeros, build time (Pyomo), hand-off time
(Pyomo -> HiGHS: models.highs_handoff.hand_off reads the rows into highspy), then a solve with the given time limit. For the five
CVRPLIB instances in ../shared/cvrplib/: the solve alone, beside the proven optimum.

The solves use the exact model alone, without a heuristic MIP start, and the time limit covers
building too (as for ``milkrun solve``). Prints a Markdown section for docs/benchmarks.md.

    python benchmarks/bench_exact.py --time-limit 60
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import highspy
import pyomo

from milp_milkrun.io import load_instance
from milp_milkrun.models.exact import build_exact_model
from milp_milkrun.models.highs_handoff import hand_off
from milp_milkrun.solve import DEFAULT_SEED, SolveOptions
from milp_milkrun.solve.highs import solve_exact_highs

REPO = Path(__file__).resolve().parents[1]
ECOM74 = REPO / "instances" / "ecom74.json"
CVRPLIB = REPO / ".." / "shared" / "cvrplib"
PROVEN_OPTIMA = {
    name: json.loads((CVRPLIB / "optima.json").read_text())[name]["optimum"]
    for name in ("P-n16-k8", "P-n19-k2", "E-n22-k4", "B-n31-k5", "E-n51-k5")
}


def model_size(path: Path, repeats: int) -> list[str]:
    """Size of the model and the best of ``repeats`` wall-clock timings (the machine is shared)."""
    instance = load_instance(path)
    load = os.getloadavg()[0]
    timings = []  # (build wall, hand-off wall, build CPU, hand-off CPU)
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        model = build_exact_model(instance)
        built_wall, built_cpu = time.perf_counter(), time.process_time()
        run = hand_off(model)
        timings.append(
            (built_wall - wall, time.perf_counter() - built_wall, built_cpu - cpu, time.process_time() - built_cpu)
        )
    build, handoff, build_cpu, handoff_cpu = min(timings, key=lambda t: t[0] + t[1])
    highs = run.highs
    return [
        "| instance | DCs | vehicles | rows | columns | binaries | non-zeros | build (s) | hand-off (s) | build + hand-off (s) "
        "| same, CPU time (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        f"| {instance.name} | {instance.n_dcs} | {len(instance.vehicles)} | {highs.getNumRow():,} | {highs.getNumCol():,} "
        f"| {len(run.x_columns):,} | {highs.getNumNz():,} | {build:.2f} | {handoff:.2f} | {build + handoff:.2f} "
        f"| {build_cpu:.2f} + {handoff_cpu:.2f} = {build_cpu + handoff_cpu:.2f} |",
        "",
        f"(best of {repeats} by wall-clock; all runs, build + hand-off: {', '.join(f'{t[0] + t[1]:.2f}' for t in timings)} s "
        f"wall, {', '.join(f'{t[2] + t[3]:.2f}' for t in timings)} s CPU; "
        f"1-minute load average before them {load:.2f} on {os.cpu_count()} cores)",
    ]


def solve_row(path: Path, time_limit: float, seed: int) -> str:
    instance = load_instance(path)
    result = solve_exact_highs(instance, SolveOptions(time_limit=time_limit, seed=seed, log=False))
    known = PROVEN_OPTIMA.get(path.stem)
    objective = "-" if result.objective is None else f"{result.objective:,.1f}"
    bound = "-" if result.bound is None else f"{result.bound:,.1f}"
    gap = "-" if result.gap is None else f"{100 * result.gap:.1f}%"
    above = "-" if known is None or result.objective is None else f"{100 * (result.objective / known - 1):.1f}%"
    return (
        f"| {path.stem} | {instance.n_dcs} | {len(instance.vehicles)} | {result.status} | {objective} | {bound} | {gap} "
        f"| {known if known is not None else '-'} | {above} | {result.runtime_s:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--repeats", type=int, default=3, help="timings of build and hand-off (best reported)")
    parser.add_argument("--setup-only", action="store_true", help="only the size and set-up timings, no solves")
    args = parser.parse_args()
    print(
        "\n".join(
            [
                "## Exact model",
                "",
                f"Python {platform.python_version()}, Pyomo {pyomo.version.version}, HiGHS {highspy.Highs().version()}, "
                f"seed {args.seed}, default threads, no MIP start. Time limit {args.time_limit:g} s for the whole solve "
                "(build and hand-off included).",
                "",
                "Model size and set-up time (build: Pyomo model; hand-off: Pyomo -> HiGHS, models.highs_handoff.hand_off):",
                "",
                *model_size(ECOM74, args.repeats),
            ]
        ),
        flush=True,
    )
    if args.setup_only:
        return
    print(
        "\n".join(
            [
                "",
                f"Gap after {args.time_limit:g} s (gap = (objective - bound) / objective; 'above' = objective vs the proven optimum):",
                "",
                "| instance | DCs | vehicles | status | objective | bound | gap | proven optimum | above | runtime (s) |",
                "|---|---|---|---|---|---|---|---|---|---|",
            ]
        ),
        flush=True,
    )
    for path in [ECOM74, *(CVRPLIB / f"{name}.vrp" for name in PROVEN_OPTIMA)]:
        print(solve_row(path, args.time_limit, args.seed), flush=True)


if __name__ == "__main__":
    main()
