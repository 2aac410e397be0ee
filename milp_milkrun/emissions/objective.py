"""The emissions of a route as an objective for the search (well-to-wheel kg CO2e).

For a delivery run the load on a leg is what is still to be delivered after it, so, with
``a = e_empty * f`` and ``b = (e_full - e_empty) * f / Q`` for the vehicle (f the fuel's WTW factor),

    emissions = a * (route length) + b * sum_j q_j * (distance driven from the hub to j)

a forward sum that a search or a labelling algorithm can extend stop by stop. The report in
``accounting.py`` computes the same figure leg by leg with the load on board and shares no code with
this module; a test holds them equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from milp_milkrun.emissions.factors import EmissionFactors
from milp_milkrun.instance import Instance
from milp_milkrun.plan import Plan


@dataclass(frozen=True)
class VehicleRates:
    per_km: float  # kg CO2e per km driven, whatever the load
    per_unit_km: float  # kg CO2e per unit of load per km


class EmissionsObjective:
    """WTW kg CO2e of routes and plans of one instance."""

    def __init__(self, instance: Instance, factors: EmissionFactors) -> None:
        self.instance = instance
        unit_mass = factors.unit_mass(instance)
        self.rates: dict[str, VehicleRates] = {}
        for vehicle in instance.vehicles:
            profile = factors.profile_for(vehicle.type, unit_mass)
            wtw = factors.fuel_of(profile).wtw_kg_co2e_per_unit
            slope = (profile.full_per_km - profile.empty_per_km) / vehicle.type.capacity
            self.rates[vehicle.name] = VehicleRates(profile.empty_per_km * wtw, slope * wtw)

    def route(self, vehicle: str, stops: Sequence[str]) -> float:
        """Emissions of ``vehicle`` driving hub -> stops -> hub."""
        index, d, q = self.instance.index, self.instance.distance, self.instance.demand
        rates = self.rates[vehicle]
        driven = weighted = 0.0
        here = 0
        for stop in stops:
            nxt = index[stop]
            driven += d[here, nxt]
            weighted += q[nxt] * driven
            here = nxt
        driven += d[here, 0]
        return float(rates.per_km * driven + rates.per_unit_km * weighted)

    def plan(self, plan: Plan) -> float:
        """Emissions of every route of ``plan``."""
        return sum(self.route(r.vehicle, r.stops) for r in plan.used_routes())
