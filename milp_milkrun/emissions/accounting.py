"""The greenhouse-gas emissions of a plan under ISO 14083, per route, per DC and for the hub.

Per route (a milk run): each leg's fuel is its road distance times the vehicle's consumption at the
load on board, linear between empty and full, ``d * (e_empty + (e_full - e_empty) * load / full)``,
with the load in kg (a DC's demand times its own unit mass, else the instance's) and ``full`` the
vehicle's capacity times the instance's unit mass;
the return leg to the hub runs empty and is counted like any other. The run's emissions are then
allocated to the DCs it delivered in proportion to each delivery's transport activity, mass times the
great-circle distance from the hub (ISO 14083's shipment-based allocation), so a detour made for one
DC does not load the others and no emissions move between runs. The allocations of a run add up to
the run's emissions exactly (the last DC takes the remainder).

This module shares no code with the emissions objective every engine minimises
(``milp_milkrun/objectives.py``): it walks each leg with the load on board, while the objective uses an
equivalent forward sum; a test compares them on random plans, as the checker does for feasibility,
and a solve under the emissions objective reports this module's figure as its objective.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from milp_milkrun.emissions.factors import EmissionFactors
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
        dcs = [asdict(d) | {"kg_co2e_per_tonne": d.kg_co2e_per_tonne, "kg_co2e_per_unit": d.kg_co2e_per_unit} for d in self.dcs]
        intensity = 1000.0 * self.kg_co2e_wtw / self.tonne_km if self.tonne_km > 0 else None
        totals = {
            "km": sum(r.km for r in self.routes), "tonne_km": self.tonne_km, "kg_co2e_ttw": self.kg_co2e_ttw,
            "kg_co2e_wtw": self.kg_co2e_wtw, "g_co2e_per_tonne_km": intensity,
        }
        return {"instance": self.instance, "unit_mass_kg": self.unit_mass_kg, "defaults_used": self.defaults_used,
                "routes": routes, "dcs": dcs, "totals": totals}


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
    unit_mass = factors.unit_mass(instance)
    routes, dcs = [], []
    for route in plan.used_routes():
        vt = _vehicle_type(instance, route.vehicle)
        run = _run(instance, factors, route.vehicle, vt, list(route.stops), unit_mass)
        routes.append(run)
        dcs += _allocate(instance, run, list(route.stops), unit_mass)
    return EmissionsReport(instance.name, tuple(routes), tuple(_by_origin(instance, dcs)), unit_mass, factors.is_default)


def _vehicle_type(instance: Instance, vehicle: str) -> VehicleType:
    if vehicle not in instance.vehicle_by_name:
        raise InputError(vehicle, f"no vehicle of that name in {instance.name}")
    return instance.vehicle_by_name[vehicle].type


def _run(instance: Instance, factors: EmissionFactors, vehicle: str, vt: VehicleType, stops: list[str], unit_mass: float) -> RouteEmissions:
    unknown = [s for s in stops if s not in instance.index or s == instance.hub.id]
    if unknown:
        raise InputError(vehicle, f"stops {', '.join(unknown)} are not DCs of {instance.name}")
    profile = factors.profile_for(vt, unit_mass)
    fuel_factors = factors.fuel_of(profile)
    path = [instance.hub.id, *stops, instance.hub.id]
    full_kg = vt.capacity * unit_mass  # the profile's "full": the vehicle's capacity of standard units
    on_board_kg = sum(_mass_kg(instance, s, unit_mass) for s in stops)
    km = loaded = tonne_km = fuel = 0.0
    for a, b in zip(path, path[1:]):
        d = instance.dist(a, b)
        fuel += d * (profile.empty_per_km + (profile.full_per_km - profile.empty_per_km) * on_board_kg / full_kg)
        km += d
        if on_board_kg > 0:
            loaded += d
            tonne_km += d * on_board_kg / 1000.0
        if b != instance.hub.id:
            on_board_kg -= _mass_kg(instance, b, unit_mass)
    return RouteEmissions(
        vehicle, vt.name, profile.name, km, loaded, km - loaded, tonne_km, fuel, fuel_factors.unit,
        fuel * fuel_factors.ttw_kg_co2e_per_unit, fuel * fuel_factors.wtw_kg_co2e_per_unit,
    )


def _allocate(instance: Instance, run: RouteEmissions, stops: list[str], unit_mass: float) -> list[DCEmissions]:
    """Shares of the run by transport activity, mass x great-circle distance from the hub."""
    masses = [_mass_kg(instance, s, unit_mass) / 1000.0 for s in stops]
    activity = [m * great_circle_km(instance, s) for m, s in zip(masses, stops)]
    weights = activity if sum(activity) > 0 else (masses if sum(masses) > 0 else [1.0] * len(stops))
    total = sum(weights)
    shares = [w / total for w in weights]
    allocated = []
    ttw_left, wtw_left = run.kg_co2e_ttw, run.kg_co2e_wtw
    for k, (stop, mass, share) in enumerate(zip(stops, masses, shares)):
        last = k == len(stops) - 1
        ttw = ttw_left if last else run.kg_co2e_ttw * share
        wtw = wtw_left if last else run.kg_co2e_wtw * share
        ttw_left -= ttw
        wtw_left -= wtw
        allocated.append(DCEmissions(stop, run.vehicle, _demand(instance, stop), mass, ttw, wtw))
    return allocated


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
            merged[key] = DCEmissions(key, vehicles, m.demand + part.demand, m.mass_t + part.mass_t,
                                      m.kg_co2e_ttw + part.kg_co2e_ttw, m.kg_co2e_wtw + part.kg_co2e_wtw)
        else:
            merged[key] = DCEmissions(key, part.vehicle, part.demand, part.mass_t, part.kg_co2e_ttw, part.kg_co2e_wtw)
    return list(merged.values())
