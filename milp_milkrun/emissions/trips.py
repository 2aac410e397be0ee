"""The emissions of one vehicle run under ISO 14083: the single computation behind every report.

A run is a sequence of legs, each with its distance; shipments ride it from the leg they board to the
leg before they leave. Each leg's fuel is its distance times the vehicle's use at the load on board,
linear between empty and full, ``km * (e_empty + (e_full - e_empty) * load / full)``; CO2e is fuel
times the fuel's tank-to-wheel and well-to-wheel factors. The run's emissions are allocated to the
shipments in proportion to their transport activity, mass x the great-circle distance from pickup to
delivery, so a detour made for one shipment never loads another; the allocations add up to the run's
emissions exactly (the last shipment takes the remainder). A leg with nothing on board is empty
running: it counts in the run's emissions and reaches the shipments only through the allocation.

A plan of the toolkit (``accounting.plan_emissions``) and a general milk run (``runs.run_emissions``)
both build their legs and shipments and call :func:`trip_emissions`.
"""

from __future__ import annotations

from dataclasses import dataclass

from milp_milkrun.emissions.factors import Fuel


@dataclass(frozen=True)
class Leg:
    """A leg of the run; ``basis`` says where its distance comes from (road, gcd+daf, instance)."""

    origin: str
    destination: str
    km: float
    basis: str


@dataclass(frozen=True)
class Carriage:
    """A shipment on the run: on board from leg ``board`` to leg ``leave - 1``."""

    shipment: str
    pickup: str
    delivery: str
    mass_kg: float
    board: int
    leave: int
    allocation_km: float  # the great-circle distance from pickup to delivery


@dataclass(frozen=True)
class Consumption:
    """The vehicle's use per km empty and full (in the fuel's unit), the load at which it is full, and the fuel."""

    empty_per_km: float
    full_per_km: float
    full_kg: float
    fuel: Fuel


@dataclass(frozen=True)
class LegEmissions:
    origin: str
    destination: str
    km: float
    basis: str
    load_kg: float
    loaded: bool
    fuel: float
    kg_co2e_ttw: float
    kg_co2e_wtw: float


@dataclass(frozen=True)
class ShipmentEmissions:
    shipment: str
    pickup: str
    delivery: str
    mass_kg: float
    allocation_km: float
    tonne_km: float  # transport activity: tonnes x great-circle km
    share: float
    kg_co2e_ttw: float
    kg_co2e_wtw: float

    @property
    def g_co2e_per_tonne_km(self) -> float | None:
        """WTW intensity of the shipment; None when its activity is 0."""
        return 1000.0 * self.kg_co2e_wtw / self.tonne_km if self.tonne_km > 0 else None


@dataclass(frozen=True)
class TripEmissions:
    """A run's legs and its shipments' allocations; totals are read from them."""

    legs: tuple[LegEmissions, ...]
    shipments: tuple[ShipmentEmissions, ...]
    fuel_used: float
    fuel: Fuel
    kg_co2e_ttw: float
    kg_co2e_wtw: float

    @property
    def km(self) -> float:
        return sum(leg.km for leg in self.legs)

    @property
    def loaded_km(self) -> float:
        return sum(leg.km for leg in self.legs if leg.loaded)

    @property
    def tonne_km(self) -> float:
        """Tonne-km actually driven: the load on board of each leg times its distance."""
        return sum(leg.km * leg.load_kg / 1000.0 for leg in self.legs)

    @property
    def g_co2e_per_tonne_km(self) -> float | None:
        """WTW intensity of the run per tonne-km driven; None for a run that carried nothing."""
        return 1000.0 * self.kg_co2e_wtw / self.tonne_km if self.tonne_km > 0 else None

    def to_dict(self) -> dict[str, object]:
        """The run as JSON: the fuel and its sources, every leg, every shipment and the totals.

        Returns
        -------
        dict[str, object]
            ``fuel``, ``legs``, ``shipments`` and ``totals``.
        """
        totals = {
            "km": self.km,
            "loaded_km": self.loaded_km,
            "empty_km": self.km - self.loaded_km,
            "tonne_km": self.tonne_km,
            "fuel": self.fuel_used,
            "fuel_unit": self.fuel.unit,
            "kg_co2e_ttw": self.kg_co2e_ttw,
            "kg_co2e_wtw": self.kg_co2e_wtw,
            "g_co2e_per_tonne_km": self.g_co2e_per_tonne_km,
        }
        # vars() rather than dataclasses.asdict: every field is a str, float or bool, and asdict's recursive
        # deep copy took 47 of the 150 us the service's handler spent on a small run (docs/benchmarks.md)
        shipments = [vars(s) | {"g_co2e_per_tonne_km": s.g_co2e_per_tonne_km} for s in self.shipments]
        return {
            "fuel": dict(vars(self.fuel)),
            "legs": [dict(vars(leg)) for leg in self.legs],
            "shipments": shipments,
            "totals": totals,
        }


def trip_emissions(legs: list[Leg], carriages: list[Carriage], consumption: Consumption) -> TripEmissions:
    """Fuel and CO2e of every leg at its load on board, and the run's allocation to its shipments.

    Parameters
    ----------
    legs : list[Leg]
        The legs in driving order.
    carriages : list[Carriage]
        The shipments with the legs they ride (indices into ``legs``) and their allocation distance.
    consumption : Consumption
        The vehicle's use per km and its fuel.

    Returns
    -------
    TripEmissions
        Per leg, per shipment and in total.
    """
    fuel = consumption.fuel
    slope = consumption.full_per_km - consumption.empty_per_km
    rows, fuel_used = [], 0.0
    for leg, load in zip(legs, _loads(len(legs), carriages)):
        used = leg.km * (consumption.empty_per_km + slope * load / consumption.full_kg)
        fuel_used += used
        rows.append(
            LegEmissions(
                leg.origin,
                leg.destination,
                leg.km,
                leg.basis,
                load,
                load > 0,
                used,
                used * fuel.ttw_kg_co2e_per_unit,
                used * fuel.wtw_kg_co2e_per_unit,
            )
        )
    ttw, wtw = fuel_used * fuel.ttw_kg_co2e_per_unit, fuel_used * fuel.wtw_kg_co2e_per_unit
    return TripEmissions(tuple(rows), tuple(_allocate(carriages, ttw, wtw)), fuel_used, fuel, ttw, wtw)


def _loads(n_legs: int, carriages: list[Carriage]) -> list[float]:
    """The mass on board of each leg (exactly 0 where no shipment is on board), in one pass."""
    mass_change = [0.0] * (n_legs + 1)
    count_change = [0] * (n_legs + 1)
    for c in carriages:
        mass_change[c.board] += c.mass_kg
        mass_change[c.leave] -= c.mass_kg
        count_change[c.board] += 1
        count_change[c.leave] -= 1
    loads, mass, count = [], 0.0, 0
    for k in range(n_legs):
        mass += mass_change[k]
        count += count_change[k]
        loads.append(mass if count > 0 else 0.0)
    return loads


def _allocate(carriages: list[Carriage], ttw: float, wtw: float) -> list[ShipmentEmissions]:
    """Shares by transport activity (tonnes x great-circle km); by mass, else equal, when all activity is 0."""
    masses = [c.mass_kg / 1000.0 for c in carriages]
    activity = [m * c.allocation_km for m, c in zip(masses, carriages)]
    weights = activity if sum(activity) > 0 else (masses if sum(masses) > 0 else [1.0] * len(carriages))
    total = sum(weights)
    allocated = []
    ttw_left, wtw_left = ttw, wtw
    for k, (c, act, weight) in enumerate(zip(carriages, activity, weights)):
        last = k == len(carriages) - 1
        share = weight / total
        part_ttw = ttw_left if last else ttw * share
        part_wtw = wtw_left if last else wtw * share
        ttw_left -= part_ttw
        wtw_left -= part_wtw
        allocated.append(
            ShipmentEmissions(
                c.shipment, c.pickup, c.delivery, c.mass_kg, c.allocation_km, act, share, part_ttw, part_wtw
            )
        )
    return allocated
