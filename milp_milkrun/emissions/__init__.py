"""Greenhouse-gas emissions of plans under ISO 14083 (the GLEC Framework's method for road freight).

``load_factors`` reads the emission factors (labelled defaults, or a user's file laid over them);
``run_emissions`` reports any milk run (stops, shipments picked up and delivered, a known, unknown or no
terminal) per leg, per shipment and in total; ``plan_emissions`` reports a plan of the toolkit, the
special case of runs that deliver from the hub, per route, per DC and in total. The same figure as an objective is
``objectives.route_costs(instance, "emissions", factors)`` (docs/emissions.md).
"""

from milp_milkrun.emissions.accounting import EmissionsReport, plan_emissions
from milp_milkrun.emissions.factors import EmissionFactors, factors_from_dict, load_factors
from milp_milkrun.emissions.runs import MilkRun, parse_run, run_emissions, run_report

__all__ = [
    "EmissionFactors",
    "EmissionsReport",
    "MilkRun",
    "factors_from_dict",
    "load_factors",
    "parse_run",
    "plan_emissions",
    "run_emissions",
    "run_report",
]
