"""Our heuristic against OR-Tools routing and PyVRP on the same instance and time budget.

Usage (from the repo root; the lock serialises benchmarks on the shared 2-core machine):
    python benchmarks/peers.py [INSTANCE ...] [--time-limit 30] [--seed 1]

With no instance it runs instances/ecom74.json and the five ../shared/cvrplib/*.vrp files. Every plan,
ours or a peer's, is re-checked by milp_milkrun.checker.check_plan; the objective reported is the
checker's recomputed distance (peers work on scaled integer distances, see SCALE).

How each peer expresses the formulation:
- OR-Tools (savings first solution, then guided local search; seed unused, OR-Tools is
  deterministic): capacity, route distance and stop count are dimensions with
  per-vehicle capacities; forbidden DC-vehicle pairs via SetAllowedVehiclesForIndex (or, where the
  9.15 binding rejects it, by removing the vehicles from VehicleVar); damaged roads by
  removing the arc from NextVar (hub roads from every vehicle's start and end); consecutive pairs by
  the constraint NextVar(a) == b.
- PyVRP 0.14: the package's own adapter, milp_milkrun/heuristics/pyvrp_engine.py (``milkrun heuristic
  --engine pyvrp``): each consecutive chain contracted into one client, stops as a second load
  dimension, forbidden DCs and damaged roads as missing edges of a routing profile per vehicle group,
  max_distance per type. (Before the adapter moved into the package this table also had a row
  without the contraction, whose plans broke the pairs.)
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from milp_milkrun.checker import check_plan  # noqa: E402
from milp_milkrun.heuristics import solve_heuristic  # noqa: E402
from milp_milkrun.heuristics.engine_settings import EngineSettings  # noqa: E402
from milp_milkrun.heuristics.metaheuristic import SearchParams  # noqa: E402
from milp_milkrun.instance import Instance  # noqa: E402
from milp_milkrun.io import load_instance  # noqa: E402
from milp_milkrun.plan import Plan, Route  # noqa: E402

SCALE = 1000  # peers need integer distances: d_ij x SCALE, rounded up; limits x SCALE, rounded down
SHARED = REPO / ".." / "shared" / "cvrplib"
DEFAULT_INSTANCES = [REPO / "instances" / "ecom74.json", *sorted(SHARED.glob("*.vrp"))]


@dataclass
class Row:
    instance: str
    solver: str
    objective: float | None
    feasible: bool
    vehicles: int
    utilisation: float | None
    runtime_s: float
    note: str = ""


def scaled(value: float, *, up: bool) -> int:
    return int(math.ceil(value * SCALE - 1e-6)) if up else int(math.floor(value * SCALE + 1e-6))


def integer_loads(instance: Instance) -> tuple[list[int], int]:
    """Demands as integers and the factor used (1 when they already are)."""
    factor = 1 if all(float(d).is_integer() for d in instance.demand) else 1000
    return [int(math.ceil(d * factor - 1e-9)) for d in instance.demand], factor


# ----- OR-Tools -------------------------------------------------------------------------------
def solve_ortools(
    instance: Instance, time_limit: float, seed: int, first_solution: str = "SAVINGS"
) -> tuple[Plan | None, str]:
    """Guided local search from a savings start: on ecom74 PATH_CHEAPEST_ARC, AUTOMATIC and both
    cheapest-insertion strategies found no first solution at all (status FAIL / FAIL_TIMEOUT)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = instance.n_dcs + 1
    vehicles = instance.vehicles
    manager = pywrapcp.RoutingIndexManager(n, len(vehicles), 0)
    routing = pywrapcp.RoutingModel(manager)
    dist = [[scaled(instance.distance[i, j], up=True) for j in range(n)] for i in range(n)]
    loads, factor = integer_loads(instance)

    def arc_cost(i: int, j: int) -> int:
        return dist[manager.IndexToNode(i)][manager.IndexToNode(j)]

    transit = routing.RegisterTransitCallback(arc_cost)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    demand = routing.RegisterUnaryTransitCallback(lambda i: loads[manager.IndexToNode(i)])
    stops = routing.RegisterUnaryTransitCallback(lambda i: 0 if manager.IndexToNode(i) == 0 else 1)
    big = 10**15
    routing.AddDimensionWithVehicleCapacity(
        demand, 0, [int(math.floor(v.capacity * factor + 1e-9)) for v in vehicles], True, "load"
    )
    routing.AddDimensionWithVehicleCapacity(
        stops, 0, [v.max_stops if v.max_stops is not None else n for v in vehicles], True, "stops"
    )
    routing.AddDimensionWithVehicleCapacity(
        transit,
        0,
        [scaled(v.max_distance, up=False) if v.max_distance is not None else big for v in vehicles],
        True,
        "distance",
    )
    index_of = instance.index
    for dc in instance.dcs:
        banned = [k for k, v in enumerate(vehicles) if not instance.is_allowed(dc.id, v.name)]
        if banned:
            _ban_vehicles(routing, manager.NodeToIndex(index_of[dc.id]), banned)
    for a, b in instance.damaged_roads:
        for x, y in ((a, b), (b, a)):
            _remove_arc(instance, manager, routing, index_of[x], index_of[y])
    solver = routing.solver()
    for a, b in instance.consecutive:
        solver.Add(routing.NextVar(manager.NodeToIndex(index_of[a])) == manager.NodeToIndex(index_of[b]))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first_solution)
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(time_limit * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return None, f"no solution (status {routing.status()})"
    routes = []
    for k, v in enumerate(vehicles):
        index = solution.Value(routing.NextVar(routing.Start(k)))
        path = []
        while not routing.IsEnd(index):
            path.append(instance.node_ids[manager.IndexToNode(index)])
            index = solution.Value(routing.NextVar(index))
        if path:
            routes.append(Route(v.name, tuple(path)))
    return Plan(tuple(routes)), ""


def _ban_vehicles(routing, index: int, banned: list[int]) -> None:  # noqa: ANN001
    """Forbidden DC-vehicle pairs. SetAllowedVehiclesForIndex is the intended call, but the Python
    binding of OR-Tools 9.15 rejects every list it is given (absl::Span<int const> TypeError), so the
    same restriction is stated on the vehicle variable directly."""
    try:
        allowed = [k for k in range(routing.vehicles()) if k not in banned]
        routing.SetAllowedVehiclesForIndex(allowed, index)
    except TypeError:
        routing.VehicleVar(index).RemoveValues(banned)


def _remove_arc(instance: Instance, manager, routing, i: int, j: int) -> None:  # noqa: ANN001
    """Forbid the arc i -> j; the hub is every vehicle's start (outgoing) and end (incoming) node."""
    if i == 0:
        for k in range(len(instance.vehicles)):
            routing.NextVar(routing.Start(k)).RemoveValue(manager.NodeToIndex(j))
    elif j == 0:
        for k in range(len(instance.vehicles)):
            routing.NextVar(manager.NodeToIndex(i)).RemoveValue(routing.End(k))
    else:
        routing.NextVar(manager.NodeToIndex(i)).RemoveValue(manager.NodeToIndex(j))


# ----- PyVRP ---------------------------------------------------------------------------------
def solve_pyvrp(instance: Instance, time_limit: float, seed: int) -> tuple[Plan | None, str]:
    """PyVRP alone through the package's adapter (``--engine pyvrp``, milp_milkrun/heuristics/pyvrp_engine.py)."""
    result = solve_heuristic(
        instance, time_limit=time_limit, seed=seed, params=SearchParams(engine=EngineSettings("pyvrp"))
    )
    return result.plan, "consecutive chains contracted into single clients"


# ----- ours and the table ---------------------------------------------------------------------
def solve_ours(instance: Instance, time_limit: float, seed: int) -> tuple[Plan | None, str]:
    """What ``milkrun heuristic`` runs: the auto engine (PyVRP and the own search in turns)."""
    result = solve_heuristic(
        instance, time_limit=time_limit, seed=seed, params=SearchParams(engine=EngineSettings("auto"))
    )
    return result.plan, result.message


def run(
    instance: Instance, name: str, solver: str, time_limit: float, seed: int, first_solution: str = "SAVINGS"
) -> Row:
    start = time.perf_counter()
    if solver == "ortools":
        plan, note = solve_ortools(instance, time_limit, seed, first_solution)
    else:
        func = {"ours": solve_ours, "pyvrp": solve_pyvrp}[solver]
        plan, note = func(instance, time_limit, seed)
    runtime = time.perf_counter() - start
    if plan is None:
        return Row(name, solver, None, False, 0, None, runtime, note)
    report = check_plan(instance, plan)
    used = [r for r in report.routes if r.stops]
    load = sum(r.load for r in used)
    capacity = sum(r.capacity or 0.0 for r in used)
    if not report.feasible:
        note = (note + "; " if note else "") + "; ".join(f"({v.equation}) {v.message}" for v in report.violations[:2])
    return Row(
        name, solver, report.objective, report.feasible, len(used), load / capacity if capacity else None, runtime, note
    )


def markdown(rows: list[Row]) -> str:
    lines = [
        "| instance | solver | objective (checker) | feasible | vehicles | utilisation | runtime s | note |",
        "|---|---|---:|---|---:|---:|---:|---|",
    ]
    for r in rows:
        objective = f"{r.objective:.1f}" if r.objective is not None else "-"
        util = f"{100 * r.utilisation:.1f}%" if r.utilisation is not None else "-"
        lines.append(
            f"| {r.instance} | {r.solver} | {objective} | {'yes' if r.feasible else 'NO'} | {r.vehicles} | {util} | {r.runtime_s:.1f} | {r.note} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="*", type=Path, default=DEFAULT_INSTANCES)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--solvers", default="ours,ortools,pyvrp")
    parser.add_argument("--ortools-first-solution", default="SAVINGS", help="an OR-Tools FirstSolutionStrategy name")
    args = parser.parse_args()
    rows = []
    for path in args.instances:
        instance = load_instance(path)
        for solver in args.solvers.split(","):
            row = run(instance, path.stem, solver, args.time_limit, args.seed, args.ortools_first_solution)
            print(markdown([row]).splitlines()[-1], flush=True)
            rows.append(row)
    print(f"\ntime limit {args.time_limit:g} s per solver, seed {args.seed}, distances x{SCALE} for the peers\n")
    print(markdown(rows))


if __name__ == "__main__":
    main()
