"""The heuristic with time windows against PyVRP on Solomon's VRPTW files, at the same time limit.

Usage (from the repo root):
    python benchmarks/bench_solomon_heuristic.py [NAME ...] [--customers 100] [--time-limit 10] [--seed 1]

With no name it runs all 56 files of ../shared/solomon. Distances follow the exact literature's
convention (Euclidean truncated to one decimal, travel time = distance; ``read_solomon``'s default),
an unlimited fleet, total distance. PyVRP 0.14 gets the same data scaled by 10 (every distance is a
multiple of 0.1, so the scaling is exact): one vehicle type with the depot's hours, each client's
window and service time. Both plans are re-checked by milp_milkrun.checker.check_plan (windows,
hub hours, capacity); the objective printed is the checker's distance. The last line is the mean
gap of the heuristic to PyVRP, and the best known value (../shared/solomon/optima.json) is shown.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from pyvrp import Model
from pyvrp.stop import MaxRuntime

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from milp_milkrun.checker import check_plan  # noqa: E402
from milp_milkrun.heuristics import solve_heuristic  # noqa: E402
from milp_milkrun.instance import Instance  # noqa: E402
from milp_milkrun.io.solomon import read_solomon  # noqa: E402
from milp_milkrun.plan import Plan, Route  # noqa: E402

SOLOMON = REPO.parent / "shared" / "solomon"
SCALE = 10  # distances are multiples of 0.1


def pyvrp_plan(instance: Instance, time_limit: float, seed: int) -> Plan | None:
    """PyVRP's best plan in ``time_limit`` seconds, as a plan of the instance (None if infeasible)."""
    m = Model()
    opening, closing = (round(t * SCALE) for t in instance.hub_hours)  # type: ignore[union-attr]
    places = [m.add_location(x=0, y=0) for _ in instance.node_ids]
    m.add_depot(places[0], tw_early=opening, tw_late=closing)
    m.add_vehicle_type(
        num_available=len(instance.vehicles),
        capacity=round(instance.vehicles[0].capacity),
        tw_early=opening,
        tw_late=closing,
    )
    for j in range(1, instance.n_dcs + 1):
        ((early, late),) = instance.windows[j]
        m.add_client(
            places[j],
            delivery=round(instance.demand[j]),
            service_duration=round(instance.service_time[j] * SCALE),
            tw_early=round(early * SCALE),
            tw_late=round(late * SCALE),
        )
    d = np.rint(instance.distance * SCALE).astype(int)
    travel = np.rint(instance.travel_time(instance.vehicle_types[0]) * SCALE).astype(int)
    for i, a in enumerate(places):
        for j, b in enumerate(places):
            if i != j:
                m.add_edge(a, b, distance=int(d[i, j]), duration=int(travel[i, j]))
    result = m.solve(stop=MaxRuntime(time_limit), display=False, seed=seed)
    if not result.is_feasible():
        return None
    ids, names = instance.node_ids, [v.name for v in instance.vehicles]
    routes = (
        tuple(ids[a.idx + 1] for a in route if a.is_client()) for route in result.best.routes()
    )  # client k is node k + 1
    return Plan(tuple(Route(names[k], stops) for k, stops in enumerate(routes)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    names = args.names or sorted(p.stem for p in SOLOMON.glob("*.txt"))
    known = json.loads((SOLOMON / "optima.json").read_text())[str(args.customers)]
    print(
        f"| file | heuristic | PyVRP | best known | gap to PyVRP |  ({args.customers} customers, {args.time_limit:g} s each, seed {args.seed})"
    )
    print("|---|---|---|---|---|")
    gaps = []
    for name in names:
        instance = read_solomon(SOLOMON / f"{name}.txt", customers=args.customers if args.customers < 100 else None)
        ours = solve_heuristic(instance, time_limit=args.time_limit, seed=args.seed)
        theirs = pyvrp_plan(instance, args.time_limit, args.seed)
        peer = check_plan(instance, theirs) if theirs is not None else None
        peer_value = peer.objective if peer is not None and peer.feasible else None
        gap = None if ours.objective is None or peer_value is None else 100 * (ours.objective - peer_value) / peer_value
        if gap is not None:
            gaps.append(gap)
        shown = [f"{v:.1f}" if v is not None else "-" for v in (ours.objective, peer_value)]
        print(
            f"| {name} | {shown[0]} | {shown[1]} | {known[name]['value']} | {'-' if gap is None else f'{gap:+.2f}%'} |",
            flush=True,
        )
    if gaps:
        print(f"\nmean gap to PyVRP: {sum(gaps) / len(gaps):+.2f}% over {len(gaps)} files")


if __name__ == "__main__":
    main()
