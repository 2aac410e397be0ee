"""Choosing and scaling the heuristic: acceptance rules compared, and runs on growing instances.

Usage (from the repo root):
    python benchmarks/bench_heuristic.py compare [--time-limit 30] [--seeds 1 2 3]
    python benchmarks/bench_heuristic.py scale [--time-limit 30] [--sizes 100 200 400]

``compare`` runs the same ruin-and-recreate engine with several acceptance rules on ecom74 and a
synthetic 200-DC hub: simulated annealing (SISR's rule, long and short cooling cycles), a plain
descent (only improving candidates, the default) and annealing without the per-iteration local
search (local search on new bests only);
and, as the seed compares simulated annealing with tabu search, a tabu search over the same moves.
``scale`` runs the default heuristic on synthetic hubs of growing size (the generator is
instances/hub.py: every side constraint present, fleet sized to about 85% utilisation) and reports iterations per
second, the savings start and the final distance. Every plan is verified by the checker (make_result).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "instances"))  # the hub generator, instances/hub.py

from hub import hub_data  # noqa: E402

from milp_milkrun.heuristics import solve_heuristic  # noqa: E402
from milp_milkrun.heuristics.construction import savings_solution  # noqa: E402
from milp_milkrun.heuristics.local_search import descend, fit_vehicles  # noqa: E402
from milp_milkrun.heuristics.metaheuristic import SearchParams  # noqa: E402
from milp_milkrun.heuristics.neighbourhoods import UNIT_OPERATORS  # noqa: E402
from milp_milkrun.heuristics.problem import Problem, compile_problem  # noqa: E402
from milp_milkrun.heuristics.solution import Solution  # noqa: E402
from milp_milkrun.instance import Instance  # noqa: E402
from milp_milkrun.io import instance_from_dict, load_instance  # noqa: E402
from milp_milkrun.result import RunContext, make_result  # noqa: E402

VARIANTS = {
    "anneal (cycle 300 it/unit) + LS each iteration": SearchParams(acceptance="anneal", cycle_per_unit=300),
    "anneal (cycle 10 it/unit, T 0.1..0.001) + LS each iteration": SearchParams(
        acceptance="anneal", cycle_per_unit=10, t_start=0.1, t_end=0.001
    ),
    "descent + LS each iteration (default)": SearchParams(acceptance="descent"),
    "anneal (cycle 300 it/unit), LS on new bests only": SearchParams(
        acceptance="anneal", cycle_per_unit=300, local_search="best"
    ),
    "tabu search over the local-search moves": None,
}


def synthetic_hub(n_dcs: int, seed: int = 1) -> Instance:
    """The hub of ``python instances/generate.py hub --dcs N --seed S`` (instances/hub.py)."""
    return instance_from_dict(hub_data(n_dcs, seed))


def tabu_search(instance: Instance, time_limit: float, seed: int, tenure: int = 15, candidates: int = 60):  # noqa: ANN201
    """The seed's tabu search on our neighbourhoods: every iteration takes the best feasible move that
    moves no tabu unit (aspiration: a move giving a new best is always allowed), improving or not;
    the units it moves are tabu for ``tenure`` iterations. Same savings start as the default."""
    started = time.perf_counter()
    p: Problem = compile_problem(instance)
    rng = random.Random(seed)
    current: Solution = savings_solution(p, rng)
    if current.n_unassigned:
        raise RuntimeError("tabu comparison needs a complete savings start")
    descend(current, rng)
    best, best_cost = current.copy(), current.cost
    tabu_until = [0] * (p.n_units + 1)
    iteration = 0
    while time.perf_counter() - started < time_limit:
        iteration += 1
        moves = [
            m for u in range(1, p.n_units + 1) for op in UNIT_OPERATORS.values() for m in op(current, u, float("inf"))
        ]
        moves.sort(key=lambda m: m.delta)
        for move in moves[: candidates * 20]:
            moved = {u for route, units in move.changes for u in set(units) - set(route.units)}
            aspiration = current.cost + move.delta < best_cost - 1e-9
            if not aspiration and any(tabu_until[u] > iteration for u in moved):
                continue
            assignment = fit_vehicles(current, move)
            if assignment is None:
                continue
            current.apply_changes(assignment)
            for u in moved:
                tabu_until[u] = iteration + tenure
            break
        if current.cost < best_cost - 1e-9:
            best, best_cost = current.copy(), current.cost
    return make_result(
        RunContext(instance, "tabu", "bench", seed, started),
        status="feasible",
        plan=best.to_plan(),
        bound=None,
        message=f"{iteration} iterations",
    )


def compare(time_limit: float, seeds: list[int], only: str | None = None) -> None:
    instances = [("ecom74", load_instance(REPO / "instances" / "ecom74.json")), ("synthetic200", synthetic_hub(200))]
    print(f"time limit {time_limit:g} s per run, seeds {seeds}\n")
    print("| instance | variant | mean distance | best | worst | mean iterations |")
    print("|---|---|---:|---:|---:|---:|")
    for name, instance in instances:
        for label, params in VARIANTS.items():
            if only is not None and only not in label:
                continue
            if params is None:
                results = [tabu_search(instance, time_limit, s) for s in seeds]
            else:
                results = [solve_heuristic(instance, time_limit=time_limit, seed=s, params=params) for s in seeds]
            objectives = [r.objective for r in results]
            iterations = [int(r.message.split()[0]) for r in results]
            print(
                f"| {name} | {label} | {statistics.mean(objectives):.1f} | {min(objectives):.1f} | {max(objectives):.1f} "
                f"| {statistics.mean(iterations):.0f} |",
                flush=True,
            )


def scale(time_limit: float, sizes: list[int], seed: int) -> None:
    print(f"time limit {time_limit:g} s, seed {seed}\n")
    print("| DCs | vehicles | savings start | after search | vehicles used | iterations | iterations/s | runtime s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        instance = synthetic_hub(n)
        p = compile_problem(instance)
        start = savings_solution(p, random.Random(seed))
        started = time.perf_counter()
        result = solve_heuristic(instance, time_limit=time_limit, seed=seed)
        runtime = time.perf_counter() - started
        iterations = int(result.message.split()[0]) if result.plan is not None else 0
        start_text = f"{start.cost:.0f}" if start.n_unassigned == 0 else f"{start.n_unassigned} unplaced"
        final = f"{result.objective:.0f}" if result.objective is not None else "no plan"
        used = len(result.plan.used_routes()) if result.plan is not None else 0
        print(
            f"| {n} | {len(instance.vehicles)} | {start_text} | {final} | {used} | {iterations} | {iterations / runtime:.0f} | {runtime:.1f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["compare", "scale"])
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 400])
    parser.add_argument("--only", help="compare: run only the variants whose label contains this text")
    args = parser.parse_args()
    if args.what == "compare":
        compare(args.time_limit, args.seeds, args.only)
    else:
        scale(args.time_limit, args.sizes, args.seeds[0])


if __name__ == "__main__":
    main()
