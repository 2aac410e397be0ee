"""Greenhouse-gas emissions of plans under ISO 14083 (the GLEC Framework's method for road freight).

``load_factors`` reads the emission factors (labelled defaults, or a user's file laid over them);
``plan_emissions`` reports a plan per route, per DC and in total. The same figure as an objective is
``objectives.route_costs(instance, "emissions", factors)`` (docs/emissions.md).
"""

from milp_milkrun.emissions.accounting import EmissionsReport, plan_emissions
from milp_milkrun.emissions.factors import EmissionFactors, load_factors

__all__ = ["EmissionFactors", "EmissionsReport", "load_factors", "plan_emissions"]
