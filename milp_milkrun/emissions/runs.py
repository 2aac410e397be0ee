"""Any milk run: a sequence of stops with shipments picked up and delivered along it (ISO 14083).

The input (:class:`MilkRun`, validated with pydantic) gives the stops with their coordinates, the
road distances between them if known, the shipments (mass, pickup stop, delivery stop), the vehicle
(a profile of the factors, or its own use per km) and its fuel, and the run's terminal:

- ``known``: a closed loop; the first stop is the terminal and the vehicle returns to it after the
  last stop (a shipment delivered to the terminal, e.g. a return to the hub, rides to the end);
- ``unknown``: a virtual terminal is placed on the great circle halfway between the first and the
  last stop; the empty legs from it to the first stop and from the last stop back to it are counted
  with their great-circle distance plus the distance adjustment factor (15% by default);
- ``open``: the run ends at its last stop.

A leg without a road distance gets its great-circle distance plus the distance adjustment factor too
(each leg says which it used). :func:`run_emissions` turns the run into legs and shipments and calls
``trips.trip_emissions``, the computation a plan's report uses as well.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from milp_milkrun.emissions.factors import EmissionFactors, Profile
from milp_milkrun.emissions.trips import Carriage, Consumption, Leg, TripEmissions, trip_emissions
from milp_milkrun.errors import InputError
from milp_milkrun.instance import haversine_matrix
from milp_milkrun.limits import exceeds

MAX_STOPS = 1_000  # a run with more stops is refused before any work (one vehicle's trip)
MAX_SHIPMENTS = 10_000
VIRTUAL_TERMINAL = "virtual terminal"

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stop(_Strict):
    """A stop of the run: its id and where it is (degrees)."""

    id: Name
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


class Shipment(_Strict):
    """A shipment: its mass, the stop where it is picked up and the stop where it is delivered."""

    id: Name
    mass_kg: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    pickup: Name
    delivery: Name


class Vehicle(_Strict):
    """The vehicle: a profile of the factors, or its own use per km (both in the fuel's unit per km);
    ``fuel`` overrides the profile's (same unit), ``payload_kg`` the load at which it is full."""

    profile: Name | None = None
    fuel: Name | None = None
    empty_per_km: NonNegative | None = None
    full_per_km: NonNegative | None = None
    payload_kg: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None


class MilkRun(_Strict):
    """A milk run: stops in driving order, shipments, vehicle, terminal, and optionally the road distances."""

    stops: Annotated[list[Stop], Field(min_length=2, max_length=MAX_STOPS)]
    shipments: Annotated[list[Shipment], Field(min_length=1, max_length=MAX_SHIPMENTS)]
    vehicle: Vehicle
    terminal: Literal["known", "unknown", "open"] = "known"
    road_km: Annotated[list[NonNegative], Field(max_length=MAX_STOPS)] | None = Field(
        default=None,
        description="Road km of each leg between stops in order (with a known terminal, the return to the first stop last).",
    )
    grid_kg_co2e_per_kwh: NonNegative | None = Field(
        default=None, description="Grid factor for an ELEC vehicle (WTW kg CO2e per kWh)."
    )


def parse_run(data: object) -> MilkRun:
    """Validate a parsed JSON document as a :class:`MilkRun`.

    Parameters
    ----------
    data : object
        The document.

    Returns
    -------
    MilkRun
        The run; the first error raises ``InputError`` naming its field (``shipments[2].mass_kg``).
    """
    try:
        return MilkRun.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        raise InputError(field_path(first["loc"]), first["msg"]) from None


def field_path(loc: tuple[int | str, ...]) -> str:
    """``("shipments", 2, "mass_kg")`` -> ``shipments[2].mass_kg``.

    Parameters
    ----------
    loc : tuple
        A pydantic error location.

    Returns
    -------
    str
        The field as a JSON path.
    """
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def run_emissions(run: MilkRun, factors: EmissionFactors) -> TripEmissions:
    """TTW and WTW emissions of ``run``: per leg (with its load on board), per shipment and in total.

    Parameters
    ----------
    run : MilkRun
        The run (see :func:`parse_run`).
    factors : EmissionFactors
        Fuels, profiles and the distance adjustment factor.

    Returns
    -------
    TripEmissions
        Legs, shipments and totals; inconsistent input (unknown stop, delivery before pickup, wrong
        number of road distances, unknown fuel or profile, load above the payload) raises ``InputError``.
    """
    if run.grid_kg_co2e_per_kwh is not None:
        factors = factors.with_grid(run.grid_kg_co2e_per_kwh)
    points, terminal_legs = _points(run)
    gcd = _great_circle(points)  # once: the legs and the shipments' allocation distances both read it
    legs = _legs(run, points, gcd, terminal_legs, factors.distance_adjustment_factor)
    carriages = _carriages(run, points, gcd)
    consumption = _consumption(run.vehicle, factors)
    trip = trip_emissions(legs, carriages, consumption)
    heaviest = max(trip.legs, key=lambda leg: leg.load_kg)
    if exceeds(heaviest.load_kg, consumption.full_kg):
        raise InputError(
            "vehicle.payload_kg",
            f"{heaviest.load_kg:,.1f} kg on board from {heaviest.origin} to {heaviest.destination}, "
            f"above the payload of {consumption.full_kg:,.1f} kg",
        )
    return trip


def _points(run: MilkRun) -> tuple[list[Stop], bool]:
    """The places the vehicle passes in order (the terminal at both ends when known or virtual)."""
    stops = list(run.stops)
    seen: set[str] = set()
    for k, stop in enumerate(stops):
        if stop.id in seen or stop.id == VIRTUAL_TERMINAL:
            raise InputError(
                f"stops[{k}].id",
                f"{stop.id!r} appears twice; a closed loop returns to its first stop by itself (terminal: known)",
            )
        seen.add(stop.id)
    if run.terminal == "known":
        return [*stops, stops[0]], False
    if run.terminal == "open":
        return stops, False
    terminal = Stop(id=VIRTUAL_TERMINAL, **_midpoint(stops[0], stops[-1]))
    return [terminal, *stops, terminal], True


def _midpoint(a: Stop, b: Stop) -> dict[str, float]:
    """The point halfway between ``a`` and ``b`` on their great circle."""
    phi1, lam1, phi2, lam2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    bx = math.cos(phi2) * math.cos(lam2 - lam1)
    by = math.cos(phi2) * math.sin(lam2 - lam1)
    phi = math.atan2(math.sin(phi1) + math.sin(phi2), math.hypot(math.cos(phi1) + bx, by))
    lam = lam1 + math.atan2(by, math.cos(phi1) + bx)
    return {"lat": math.degrees(phi), "lon": (math.degrees(lam) + 540.0) % 360.0 - 180.0}


def _legs(run: MilkRun, points: list[Stop], gcd: np.ndarray, terminal_legs: bool, daf: float) -> list[Leg]:
    """Each leg with its road km when given, else its great-circle km (``gcd``) plus the distance adjustment factor."""
    n = len(points) - 1
    driven = range(1, n - 1) if terminal_legs else range(n)  # the legs road_km describes
    if run.road_km is not None and len(run.road_km) != len(driven):
        raise InputError(
            "road_km",
            f"{len(run.road_km)} distances for {len(driven)} legs between stops "
            f"(terminal {run.terminal}: {_legs_explained(run.terminal)})",
        )
    road = dict(zip(driven, run.road_km)) if run.road_km is not None else {}
    return [
        Leg(points[k].id, points[k + 1].id, road[k], "road")
        if k in road
        else Leg(points[k].id, points[k + 1].id, float(gcd[k, k + 1]) * (1 + daf), f"great circle +{daf:.0%}")
        for k in range(n)
    ]


def _legs_explained(terminal: str) -> str:
    return {
        "known": "one per stop, the return to the first stop last",
        "open": "one fewer than the stops",
        "unknown": "one fewer than the stops; the virtual terminal's legs are computed",
    }[terminal]


def _great_circle(points: list[Stop]) -> np.ndarray:
    return haversine_matrix([p.lat for p in points], [p.lon for p in points])


def _carriages(run: MilkRun, points: list[Stop], gcd: np.ndarray) -> list[Carriage]:
    """Each shipment with the legs it rides: from its pickup's place to its delivery's (a known terminal is the last place too)."""
    first: dict[str, int] = {}
    for k, point in enumerate(points):
        first.setdefault(point.id, k)
    last = {point.id: k for k, point in enumerate(points)}
    carriages = []
    for k, shipment in enumerate(run.shipments):
        for field in ("pickup", "delivery"):
            if getattr(shipment, field) not in first or getattr(shipment, field) == VIRTUAL_TERMINAL:
                raise InputError(f"shipments[{k}].{field}", f"no stop {getattr(shipment, field)!r} in the run")
        board, leave = first[shipment.pickup], last[shipment.delivery]
        if leave <= board:
            raise InputError(
                f"shipments[{k}].delivery",
                f"stop {shipment.delivery!r} does not come after the pickup {shipment.pickup!r}",
            )
        carriages.append(
            Carriage(
                shipment.id,
                shipment.pickup,
                shipment.delivery,
                shipment.mass_kg,
                board,
                leave,
                float(gcd[board, leave]),
            )
        )
    return carriages


def _consumption(vehicle: Vehicle, factors: EmissionFactors) -> Consumption:
    """The vehicle's use per km, its full load and its fuel, from its profile and what the run overrides."""
    profile = _profile(vehicle, factors)
    fuel = factors.fuel(vehicle.fuel or profile.fuel, field="vehicle.fuel")
    own = factors.fuel(profile.fuel, field=f"profiles.{profile.name}.fuel")
    if fuel.unit != own.unit:
        raise InputError(
            "vehicle.fuel",
            f"{fuel.name} is measured in {fuel.unit}, the profile {profile.name}'s use per km in {own.unit}: "
            "give empty_per_km and full_per_km in the fuel's unit",
        )
    empty = vehicle.empty_per_km if vehicle.empty_per_km is not None else profile.empty_per_km
    full = vehicle.full_per_km if vehicle.full_per_km is not None else profile.full_per_km
    if full < empty:
        raise InputError("vehicle.full_per_km", f"use when full {full:g} is below use when empty {empty:g}")
    payload = vehicle.payload_kg if vehicle.payload_kg is not None else profile.max_payload_kg
    if payload is None:
        raise InputError(
            "vehicle.payload_kg",
            f"the profile {profile.name} states no payload: give the load (kg) at which the vehicle is full",
        )
    return Consumption(empty, full, payload, fuel)


def _profile(vehicle: Vehicle, factors: EmissionFactors) -> Profile:
    """The named profile, or one made of the vehicle's own use per km and fuel."""
    if vehicle.profile is not None:
        if vehicle.profile not in factors.profiles:
            raise InputError(
                "vehicle.profile", f"unknown profile {vehicle.profile!r}; known: {', '.join(sorted(factors.profiles))}"
            )
        return factors.profiles[vehicle.profile]
    missing = [name for name in ("fuel", "empty_per_km", "full_per_km", "payload_kg") if getattr(vehicle, name) is None]
    if missing:
        raise InputError(
            f"vehicle.{missing[0]}", "give a profile, or the vehicle's fuel, empty_per_km, full_per_km and payload_kg"
        )
    fuel = factors.fuel(vehicle.fuel or "", field="vehicle.fuel")
    return Profile(
        "own",
        fuel.name,
        vehicle.empty_per_km or 0.0,
        vehicle.full_per_km or 0.0,
        "given with the run",
        vehicle.payload_kg,
    )


def run_report(run: MilkRun, trip: TripEmissions) -> dict[str, object]:
    """The JSON answer for a run: its terminal (the virtual one's place too), legs, shipments and totals.

    Parameters
    ----------
    run : MilkRun
        The run as given.
    trip : TripEmissions
        Its emissions (:func:`run_emissions`).

    Returns
    -------
    dict[str, object]
        ``terminal``, ``virtual_terminal`` (lat/lon or None), ``fuel``, ``legs``, ``shipments``, ``totals``.
    """
    virtual = _midpoint(run.stops[0], run.stops[-1]) if run.terminal == "unknown" else None
    return {"terminal": run.terminal, "virtual_terminal": virtual, **trip.to_dict()}
