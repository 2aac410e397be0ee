"""The greenhouse-gas emissions of a plan under ISO 14083, per route, per DC and for the hub.

A plan's route is the special case of a milk run (``trips.trip_emissions``, the one computation) in
which every shipment is picked up at the hub and delivered to a DC: the legs are the instance's road
distances, hub to the first DC, ..., the last DC back to the hub (which runs empty and is counted like
any other leg); a DC's delivery weighs its demand times its own unit mass, else the instance's; the
vehicle is full at its capacity times the instance's unit mass; each delivery's allocation distance is
the great-circle distance from the hub (:func:`great_circle_km`), so a detour made for one DC does not
load the others and no emissions move between runs.

This module shares no code with the emissions objective every engine minimises
(``milp_milkrun/objectives.py``): it walks each leg with the load on board, while the objective uses an
equivalent forward sum; a test compares them on random plans, as the checker does for feasibility,
and a solve under the emissions objective reports this module's figure as its objective.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass

from milp_milkrun.emissions.factors import EmissionFactors
from milp_milkrun.emissions.trips import Carriage, Consumption, Leg, TripEmissions, trip_emissions
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance, VehicleType, haversine_matrix
from milp_milkrun.plan import Plan


@dataclass(frozen=True)
class RouteEmissions:
    vehicle: str
    vehicle_type: str
    profile: str
    km: float
    loaded_km: float
    empty_km: float
    tonne_km: float
    fuel: float
    fuel_unit: str
    kg_co2e_ttw: float
    kg_co2e_wtw: float

    @property
    def g_co2e_per_tonne_km(self) -> float | None:
        """WTW intensity of the run; None for a run that carried nothing."""
        return 1000.0 * self.kg_co2e_wtw / self.tonne_km if self.tonne_km > 0 else None


@dataclass(frozen=True)
class DCEmissions:
    dc: str
    vehicle: str
    demand: float
    mass_t: float
    kg_co2e_ttw: float
    kg_co2e_wtw: float

    @property
    def kg_co2e_per_tonne(self) -> float | None:
        return self.kg_co2e_wtw / self.mass_t if self.mass_t > 0 else None

    @property
    def kg_co2e_per_unit(self) -> float | None:
        return self.kg_co2e_wtw / self.demand if self.demand > 0 else None


@dataclass(frozen=True)
class EmissionsReport:
    instance: str
    routes: tuple[RouteEmissions, ...]
    dcs: tuple[DCEmissions, ...]
    unit_mass_kg: float
    defaults_used: bool

    @property
    def kg_co2e_wtw(self) -> float:
        return sum(r.kg_co2e_wtw for r in self.routes)

    @property
    def kg_co2e_ttw(self) -> float:
        return sum(r.kg_co2e_ttw for r in self.routes)

    @property
    def tonne_km(self) -> float:
        return sum(r.tonne_km for r in self.routes)

    def to_dict(self) -> dict[str, object]:
        """The ``--json`` form of ``milkrun emissions``.

        Returns
        -------
        dict[str, object]
            The routes, the DCs' allocations, the hub's totals and the unit mass used.
        """
        routes = [asdict(r) | {"g_co2e_per_tonne_km": r.g_co2e_per_tonne_km} for r in self.routes]
        dcs = [
            asdict(d) | {"kg_co2e_per_tonne": d.kg_co2e_per_tonne, "kg_co2e_per_unit": d.kg_co2e_per_unit}
            for d in self.dcs
        ]
        intensity = 1000.0 * self.kg_co2e_wtw / self.tonne_km if self.tonne_km > 0 else None
        totals = {
            "km": sum(r.km for r in self.routes),
            "tonne_km": self.tonne_km,
            "kg_co2e_ttw": self.kg_co2e_ttw,
            "kg_co2e_wtw": self.kg_co2e_wtw,
            "g_co2e_per_tonne_km": intensity,
        }
        return {
            "instance": self.instance,
            "unit_mass_kg": self.unit_mass_kg,
            "defaults_used": self.defaults_used,
            "routes": routes,
            "dcs": dcs,
            "totals": totals,
        }


def plan_emissions(instance: Instance, plan: Plan, factors: EmissionFactors) -> EmissionsReport:
    """Emissions of every route of ``plan`` and their ISO 14083 allocation to its DCs.

    Parameters
    ----------
    instance
        The instance (road distances, demands, vehicle types).
    plan
        Any plan of it, from this toolkit or another tool; its DC and vehicle ids must exist.
    factors
        Fuels, profiles and (optionally) the unit mass, see :func:`~milp_milkrun.emissions.load_factors`.

    Returns
    -------
    EmissionsReport
        Per route, per DC (split parts summed into their original DC) and totals.
    """
    factors.check_vehicle_types(instance)
    unit_mass = factors.unit_mass(instance)
    routes, dcs = [], []
    for route in plan.used_routes():
        vt = _vehicle_type(instance, route.vehicle)
        run, trip = _run(instance, factors, route.vehicle, vt, list(route.stops), unit_mass)
        routes.append(run)
        dcs += _deliveries(instance, run, trip)
    return EmissionsReport(
        instance.name, tuple(routes), tuple(_by_origin(instance, dcs)), unit_mass, factors.is_default
    )


def _vehicle_type(instance: Instance, vehicle: str) -> VehicleType:
    if vehicle not in instance.vehicle_by_name:
        raise InputError(vehicle, f"no vehicle of that name in {instance.name}")
    return instance.vehicle_by_name[vehicle].type


def _run(
    instance: Instance, factors: EmissionFactors, vehicle: str, vt: VehicleType, stops: list[str], unit_mass: float
) -> tuple[RouteEmissions, TripEmissions]:
    unknown = [s for s in stops if s not in instance.index or s == instance.hub.id]
    if unknown:
        raise InputError(vehicle, f"stops {', '.join(unknown)} are not DCs of {instance.name}")
    profile = factors.profile_for(vt, unit_mass)
    consumption = Consumption(
        profile.empty_per_km, profile.full_per_km, vt.capacity * unit_mass, factors.fuel_of(profile)
    )
    path = [instance.hub.id, *stops, instance.hub.id]
    legs = [Leg(a, b, instance.dist(a, b), "instance") for a, b in itertools.pairwise(path)]
    hub = instance.hub.id
    carriages = [
        Carriage(s, hub, s, _mass_kg(instance, s, unit_mass), 0, k + 1, great_circle_km(instance, s))
        for k, s in enumerate(stops)
    ]
    trip = trip_emissions(legs, carriages, consumption)
    run = RouteEmissions(
        vehicle,
        vt.name,
        profile.name,
        trip.km,
        trip.loaded_km,
        trip.km - trip.loaded_km,
        trip.tonne_km,
        trip.fuel_used,
        consumption.fuel.unit,
        trip.kg_co2e_ttw,
        trip.kg_co2e_wtw,
    )
    return run, trip


def _deliveries(instance: Instance, run: RouteEmissions, trip: TripEmissions) -> list[DCEmissions]:
    """The run's allocation to each DC it delivered."""
    return [
        DCEmissions(
            s.delivery, run.vehicle, _demand(instance, s.delivery), s.mass_kg / 1000.0, s.kg_co2e_ttw, s.kg_co2e_wtw
        )
        for s in trip.shipments
    ]


def _demand(instance: Instance, dc: str) -> float:
    return float(instance.demand[instance.index[dc]])


def _mass_kg(instance: Instance, dc: str, unit_mass: float) -> float:
    """The mass of a DC's delivery: its demand times its own unit mass, else the instance's."""
    own = instance.dcs[instance.index[dc] - 1].unit_mass_kg
    return _demand(instance, dc) * (own if own is not None else unit_mass)


def great_circle_km(instance: Instance, dc: str) -> float:
    """The hub-to-DC distance used for allocation: great-circle for latitude/longitude, straight line
    for plane coordinates, and the instance's hub-to-DC distance when there are no coordinates.

    Parameters
    ----------
    instance : Instance
        The instance.
    dc : str
        A DC id.

    Returns
    -------
    float
        The distance (the instance's distance unit when there are no coordinates).
    """
    site = next(d for d in instance.dcs if d.id == dc)
    hub = instance.hub
    if instance.coordinates == "latlon":
        return float(haversine_matrix([hub.y, site.y], [hub.x, site.x])[0, 1])  # type: ignore[list-item]
    if instance.coordinates == "xy":
        return math.hypot(site.x - hub.x, site.y - hub.y)  # type: ignore[operator]
    return instance.dist(hub.id, dc)


def _by_origin(instance: Instance, parts: list[DCEmissions]) -> list[DCEmissions]:
    """Parts of a split DC summed into the DC the user knows."""
    origin = {dc.id: dc.origin for dc in instance.dcs}
    merged: dict[str, DCEmissions] = {}
    for part in parts:
        key = origin[part.dc]
        if key in merged:
            m = merged[key]
            vehicles = m.vehicle if part.vehicle in m.vehicle.split("+") else f"{m.vehicle}+{part.vehicle}"
            merged[key] = DCEmissions(
                key,
                vehicles,
                m.demand + part.demand,
                m.mass_t + part.mass_t,
                m.kg_co2e_ttw + part.kg_co2e_ttw,
                m.kg_co2e_wtw + part.kg_co2e_wtw,
            )
        else:
            merged[key] = DCEmissions(key, part.vehicle, part.demand, part.mass_t, part.kg_co2e_ttw, part.kg_co2e_wtw)
    return list(merged.values())
