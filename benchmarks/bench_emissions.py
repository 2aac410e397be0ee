"""The minimum-distance and the minimum-emission plan of one instance, side by side (docs/emissions.md).

    python benchmarks/bench_emissions.py instances/ecom74.json --time-limit 30 --seed 1
"""

from __future__ import annotations

import argparse

from milp_milkrun.emissions import load_factors, plan_emissions
from milp_milkrun.objectives import route_costs
from milp_milkrun.heuristics import solve_heuristic
from milp_milkrun.io import load_instance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--factors", default=None)
    args = parser.parse_args()
    instance = load_instance(args.instance)
    factors = load_factors(args.factors)
    objective = route_costs(instance, "emissions", factors)
    print(f"seed {args.seed}, {args.time_limit:g} s per run, factors {'defaults' if args.factors is None else args.factors}")
    print("| objective | km | kg CO2e WTW | kg CO2e TTW | vehicles (large/small) | g CO2e per t-km |")
    print("|---|---:|---:|---:|---|---:|")
    for name, emissions in (("distance", None), ("emissions", objective)):
        result = solve_heuristic(instance, time_limit=args.time_limit, seed=args.seed, costs=emissions)
        assert result.plan is not None and result.check is not None
        report = plan_emissions(instance, result.plan, factors)
        types = [r.vehicle_type for r in report.routes]
        mix = "/".join(str(types.count(t.name)) for t in instance.vehicle_types)
        intensity = 1000 * report.kg_co2e_wtw / report.tonne_km
        print(f"| {name} | {result.check.distance:,.1f} | {report.kg_co2e_wtw:,.1f} | {report.kg_co2e_ttw:,.1f} | {len(types)} ({mix}) | {intensity:,.0f} |")


if __name__ == "__main__":
    main()
