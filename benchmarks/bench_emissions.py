"""The minimum-distance and the minimum-emission plan of one instance, side by side (docs/emissions.md).

    python benchmarks/bench_emissions.py instances/ecom74.json --time-limit 30 --seed 1 --exact-time-limit 120

Rows: the heuristic minimising distance, the heuristic minimising emissions, and the route-based
engine minimising emissions with its certified lower bound.
"""

from __future__ import annotations

import argparse

from milp_milkrun.emissions import load_factors, plan_emissions
from milp_milkrun.heuristics import solve_heuristic
from milp_milkrun.io import load_instance
from milp_milkrun.objectives import route_costs
from milp_milkrun.solve import SolveOptions, solve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--factors", default=None)
    parser.add_argument("--exact-time-limit", type=float, default=120.0, help="seconds for the route-based engine")
    args = parser.parse_args()
    instance = load_instance(args.instance)
    factors = load_factors(args.factors)
    objective = route_costs(instance, "emissions", factors)
    print(
        f"seed {args.seed}, {args.time_limit:g} s per run, factors {'defaults' if args.factors is None else args.factors}"
    )
    print(
        "| engine, objective | km | kg CO2e WTW | kg CO2e TTW | vehicles (large/small) | g CO2e per t-km | certified bound (kg CO2e) | status |"
    )
    print("|---|---:|---:|---:|---|---:|---:|---|")
    runs = [
        ("heuristic, distance", lambda: solve_heuristic(instance, time_limit=args.time_limit, seed=args.seed)),
        (
            "heuristic, emissions",
            lambda: solve_heuristic(instance, time_limit=args.time_limit, seed=args.seed, costs=objective),
        ),
        (
            "routes, emissions",
            lambda: solve(
                instance,
                model="routes",
                options=SolveOptions(
                    time_limit=args.exact_time_limit, seed=args.seed, objective="emissions", factors=factors
                ),
            ),
        ),
    ]
    for name, run in runs:
        result = run()
        assert result.plan is not None and result.check is not None
        report = plan_emissions(instance, result.plan, factors)
        types = [r.vehicle_type for r in report.routes]
        mix = "/".join(str(types.count(t.name)) for t in instance.vehicle_types)
        intensity = 1000 * report.kg_co2e_wtw / report.tonne_km
        bound = "-" if result.bound is None or result.objective_kind != "emissions" else f"{result.bound:,.1f}"
        print(
            f"| {name} | {result.check.distance:,.1f} | {report.kg_co2e_wtw:,.1f} | {report.kg_co2e_ttw:,.1f} | {len(types)} ({mix}) "
            f"| {intensity:,.0f} | {bound} | {result.status} ({result.runtime_s:.0f} s) |"
        )


if __name__ == "__main__":
    main()
