"""What a plan is worth: distance, cost or emissions, as one route-value formula for every engine.

Every objective the toolkit minimises is a sum over the used routes of

    value(route) = fixed + per_km * length + per_unit_km * sum_j q_j * (distance driven from the hub to j)
                   + per_hour * duration / 60   (an instance with time: the route's shortest duration, minutes)

with rates that depend on the route's vehicle type only:

- ``distance`` (the seed's Eq 1): fixed 0, per_km 1;
- ``cost`` (Eq 1c): the type's ``fixed_cost`` and ``cost_per_km``, and with time its ``cost_per_hour``;
- ``emissions`` (ISO 14083, well-to-wheel kg CO2e): per_km from the empty consumption and
  per_unit_km from the load-dependent slope of the emission factors (docs/emissions.md). For a
  delivery run the load on a leg is what is still to be delivered after it, which makes the load
  term the forward sum above, so a labelling algorithm can extend it stop by stop.

The models, the pricing and the heuristic read the rates from here. The checker computes distance
and cost from the raw instance itself, and the emissions report (``emissions.accounting``) computes
emissions leg by leg with the load on board; neither uses this module, so they can catch it.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from milp_milkrun.emissions.factors import EmissionFactors
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance, VehicleType
from milp_milkrun.limits import FLOAT_NOISE
from milp_milkrun.plan import Plan
from milp_milkrun.time_segments import route_times

# the steps, largest first, a plan's value may be a whole multiple of (RouteCosts.grain): whole numbers (CVRPLIB's
# rounded distances), one decimal (Solomon's truncated ones), two
COST_GRAINS = (1.0, 0.1, 0.01)


class Objective(str, enum.Enum):
    """What a solve minimises."""

    distance = "distance"
    cost = "cost"
    emissions = "emissions"


@dataclass(frozen=True)
class RouteRates:
    """The rates of one vehicle type: a route's value is ``fixed + per_km * length + per_unit_km * load_distance``
    (:meth:`value`), plus ``per_hour`` times its duration in hours with time (:meth:`RouteCosts.route`)."""

    fixed: float = 0.0
    per_km: float = 1.0
    per_unit_km: float = 0.0  # per unit of demand per distance unit it rides on board
    per_hour: float = 0.0  # per hour of the route's duration (instances with time)

    def value(self, length: float, load_distance: float) -> float:
        """The route's value from its length and its load-distance sum_j q_j * (distance hub -> j).

        Parameters
        ----------
        length : float
            The route's length, hub to hub.
        load_distance : float
            sum_j q_j times the distance driven from the hub to j.

        Returns
        -------
        float
            fixed + per_km * length + per_unit_km * load_distance.
        """
        return self.fixed + self.per_km * length + self.per_unit_km * load_distance


@dataclass(frozen=True, eq=False)
class RouteCosts:
    """The objective of one instance: rates per vehicle type name."""

    instance: Instance
    objective: Objective
    rates: Mapping[str, RouteRates]
    factors: EmissionFactors | None = None  # the emissions objective's factors, for the independent report
    load: np.ndarray | None = None  # per node, the load per_unit_km applies to; None: the demand

    @property
    def load_weights(self) -> np.ndarray:
        """q_j as the load term counts it (the demand, scaled by a DC's own unit mass under emissions)."""
        return self.load if self.load is not None else self.instance.demand

    @property
    def load_dependent(self) -> bool:
        """True when a route's value depends on the order of its stops beyond its length (emissions)."""
        return any(r.per_unit_km for r in self.rates.values())

    @cached_property
    def grain(self) -> float:
        """The step every plan's value is a whole multiple of, so that a lower bound may be rounded up to the
        next multiple: the largest of :data:`COST_GRAINS` that divides every distance and fixed cost, with whole
        rates per km, no load term and no cost per hour (Solomon's distances, truncated to one decimal: 0.1);
        0.0 when there is none."""
        rates = self.rates.values()
        if not all(float(r.per_km).is_integer() and not r.per_unit_km and not r.per_hour for r in rates):
            return 0.0
        distance = self.instance.distance[np.isfinite(self.instance.distance)]  # an infinite one is never driven
        values = np.concatenate([distance, [float(r.fixed) for r in rates]])
        for grain in COST_GRAINS:
            steps = values / grain
            if np.all(np.abs(steps - np.round(steps)) <= FLOAT_NOISE):
                return grain
        return 0.0

    def of_vehicle(self, vehicle: str) -> RouteRates:
        """The rates of the named vehicle's type.

        Parameters
        ----------
        vehicle : str
            A vehicle name.

        Returns
        -------
        RouteRates
            Its type's rates.
        """
        return self.rates[self.instance.vehicle_by_name[vehicle].type.name]

    def route_of_nodes(self, rates: RouteRates, nodes: Sequence[int]) -> float:
        """The value of a route hub -> nodes -> hub (node indices) at ``rates``.

        Parameters
        ----------
        rates : RouteRates
            A vehicle type's rates.
        nodes : Sequence[int]
            The DCs' node indices in driving order.

        Returns
        -------
        float
            The route's value; 0 for an empty route.
        """
        d, q = self.instance.distance, self.load_weights
        driven = load_distance = 0.0
        here = 0
        for node in nodes:
            driven += d[here, node]
            load_distance += q[node] * driven
            here = node
        if not nodes:
            return 0.0
        return rates.value(float(driven + d[here, 0]), float(load_distance))

    def route(self, vehicle: str, stops: Sequence[str]) -> float:
        """The value of ``vehicle`` driving hub -> stops (DC ids) -> hub.

        Parameters
        ----------
        vehicle : str
            A vehicle name.
        stops : Sequence[str]
            DC ids in driving order.

        Returns
        -------
        float
            The route's value.
        """
        index = self.instance.index
        return self.route_of_type(self.instance.vehicle_by_name[vehicle].type, [index[s] for s in stops])

    def route_of_type(self, vehicle_type: VehicleType, nodes: Sequence[int]) -> float:
        """The value of a route hub -> nodes -> hub driven by a vehicle of ``vehicle_type``: the route's
        value at its rates, plus its cost per hour times the shortest schedule's duration (as the
        checker prices it; inf when the route has no schedule).  The route engine's master prices its
        columns by this, so a plan's value and its columns' agree.

        Parameters
        ----------
        vehicle_type : VehicleType
            The vehicle type.
        nodes : Sequence[int]
            The DCs' node indices in driving order.

        Returns
        -------
        float
            The route's value.
        """
        rates = self.rates[vehicle_type.name]
        value = self.route_of_nodes(rates, nodes)
        if rates.per_hour and nodes:  # the shortest schedule's duration, as the checker prices it
            times = route_times(self.instance, vehicle_type, nodes)
            value += rates.per_hour * (times.return_time - times.departure) / 60.0 if times is not None else math.inf
        return value

    def plan(self, plan: Plan) -> float:
        """The value of every used route of ``plan``.

        Parameters
        ----------
        plan : Plan
            A plan of the instance.

        Returns
        -------
        float
            The sum of its routes' values.
        """
        return sum(self.route(r.vehicle, r.stops) for r in plan.used_routes())


def route_costs(
    instance: Instance, objective: str | Objective | None = None, factors: EmissionFactors | None = None
) -> RouteCosts:
    """The objective to minimise on ``instance``.

    Parameters
    ----------
    instance
        The instance; its vehicle types carry ``fixed_cost`` and ``cost_per_km``.
    objective
        ``distance``, ``cost`` or ``emissions``; None means the instance's own (``instance.objective``).
    factors
        Emission factors, needed for ``emissions`` (``emissions.load_factors()`` gives the defaults).

    Returns
    -------
    RouteCosts
        Rates per vehicle type name.
    """
    chosen = _objective(objective if objective is not None else instance.objective)
    if chosen is Objective.emissions:
        if factors is None:
            raise InputError(
                "factors", "the emissions objective needs emission factors (the defaults or a factors file)"
            )
        return RouteCosts(instance, chosen, emission_rates(factors, instance), factors, factors.load_weights(instance))
    if chosen is Objective.cost:
        rates = {
            vt.name: RouteRates(vt.fixed_cost, vt.cost_per_km, per_hour=vt.cost_per_hour)
            for vt in instance.vehicle_types
        }
    else:
        rates = {vt.name: RouteRates() for vt in instance.vehicle_types}
    return RouteCosts(instance, chosen, rates)


def emission_rates(factors: EmissionFactors, instance: Instance) -> dict[str, RouteRates]:
    """Well-to-wheel kg CO2e rates of each vehicle type of ``instance`` as a route objective.

    With the fuel's WTW factor f and the profile's use per km empty e0 and full e1 at capacity Q
    (in units of demand): ``per_km = e0 * f`` and ``per_unit_km = (e1 - e0) * f / Q``.

    Parameters
    ----------
    factors : EmissionFactors
        The fuels and vehicle profiles.
    instance : Instance
        The instance whose vehicle types are priced.

    Returns
    -------
    dict[str, RouteRates]
        The rates by vehicle type name.
    """
    factors.check_vehicle_types(instance)
    unit_mass = factors.unit_mass(instance)
    rates = {}
    for vt in instance.vehicle_types:
        profile = factors.profile_for(vt, unit_mass)
        wtw = factors.fuel_of(profile).wtw_kg_co2e_per_unit
        slope = (profile.full_per_km - profile.empty_per_km) / vt.capacity
        rates[vt.name] = RouteRates(0.0, profile.empty_per_km * wtw, slope * wtw)
    return rates


def linear_costs(instance: Instance, costs: RouteCosts | None) -> RouteCosts:
    """The objective if an arc model can state it (distance or cost: a cost per arc and per route).

    Parameters
    ----------
    instance
        The instance.
    costs
        The objective; None means the instance's own.

    Returns
    -------
    RouteCosts
        ``costs``; an InputError naming ``objective`` when a route's value depends on the load on each
        leg (emissions), which needs load-flow variables the arc models do not have.
    """
    costs = costs if costs is not None else route_costs(instance)
    if costs.load_dependent:
        raise InputError(
            "objective",
            f"the {costs.objective.value} objective depends on the load on each leg; use the route-based model or the heuristic",
        )
    return costs


def _objective(value: str | Objective) -> Objective:
    try:
        return Objective(value)
    except ValueError:
        raise InputError(
            "objective", f"unknown objective {value!r}; choose from {', '.join(o.value for o in Objective)}"
        ) from None
