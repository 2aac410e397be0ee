"""Emission factors: fuels, blends, vehicle energy profiles, and which profile each vehicle type uses.

The packaged defaults (``default_factors.json``) are labelled as such, each value with its source (EN
16258, the GLEC Framework v3, or the user's own for the electricity grid); blends (B1 ... B50) are
computed from their components. A user's factors file (validated against ``io/factors.schema.json``)
replaces any fuel, blend or profile of the same name, maps vehicle types to profiles, and may give the
mass of one unit of demand, the distance adjustment factor and the grid factor. Impossible factors
(WTW below TTW, full below empty, unknown names) are refused with ``InputError`` naming the field.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance, VehicleType
from milp_milkrun.io.schema import read_json, validate
from milp_milkrun.limits import exceeds

ELECTRICITY = "ELEC"


@dataclass(frozen=True)
class Fuel:
    """CO2e per unit of fuel (litre, kg or kWh), tank-to-wheel and well-to-wheel."""

    name: str
    unit: str
    ttw_kg_co2e_per_unit: float
    wtw_kg_co2e_per_unit: float
    source: str


@dataclass(frozen=True)
class Profile:
    """Fuel use per km of a vehicle, empty and full (linear in the load between them)."""

    name: str
    fuel: str
    empty_per_km: float
    full_per_km: float
    source: str
    max_payload_kg: float | None = None


@dataclass(frozen=True)
class EmissionFactors:
    """Everything the emissions of a plan depend on besides the plan and the instance."""

    fuels: dict[str, Fuel]
    profiles: dict[str, Profile]
    vehicle_types: dict[str, str]  # vehicle type name -> profile name (given explicitly)
    unit_mass_kg: float | None = None
    is_default: bool = True  # no user file was given: every figure rests on the labelled defaults
    distance_adjustment_factor: float = 0.15  # added to a great-circle distance where no road distance is known

    def fuel(self, name: str, field: str = "fuel") -> Fuel:
        """The fuel called ``name`` (in any case).

        Parameters
        ----------
        name : str
            A fuel or blend name, e.g. ``DIESEL``, ``b7``, ``ELEC``.
        field : str
            The field named when the fuel is unknown.

        Returns
        -------
        Fuel
            Its factors; ``InputError`` naming ``field`` when it is unknown, or naming
            ``grid_kg_co2e_per_kwh`` for electricity without a grid factor.
        """
        key = fuel_key(name)
        if key in self.fuels:
            return self.fuels[key]
        if key == ELECTRICITY:
            raise InputError(
                "grid_kg_co2e_per_kwh",
                "ELEC needs the grid factor of the electricity that charges the vehicle (kg CO2e per kWh): set it",
            )
        raise InputError(field, f"unknown fuel {name!r}; known: {', '.join(sorted({*self.fuels, ELECTRICITY}))}")

    def with_grid(self, kg_co2e_per_kwh: float) -> EmissionFactors:
        """These factors with electricity (``ELEC``, per kWh) at the user's grid factor.

        Parameters
        ----------
        kg_co2e_per_kwh : float
            Well-to-wheel kg CO2e per kWh of the grid (tank-to-wheel is 0: nothing burns on board).

        Returns
        -------
        EmissionFactors
            A copy with the ``ELEC`` fuel set.
        """
        if not (math.isfinite(kg_co2e_per_kwh) and kg_co2e_per_kwh >= 0):
            raise InputError("grid_kg_co2e_per_kwh", f"must be a number >= 0, got {kg_co2e_per_kwh}")
        elec = Fuel(
            ELECTRICITY,
            "kWh",
            0.0,
            kg_co2e_per_kwh,
            "the user's grid factor (kg CO2e per kWh, well-to-wheel); 0 tank-to-wheel",
        )
        return dataclasses.replace(self, fuels=self.fuels | {ELECTRICITY: elec})

    def with_fuel(self, name: str) -> EmissionFactors:
        """These factors with every profile burning ``name`` instead of its own fuel (of the same unit:
        a diesel truck on B7, HVO or BIODIESEL), e.g. to report a fleet that fills up with pump diesel.

        Parameters
        ----------
        name : str
            A fuel or blend name.

        Returns
        -------
        EmissionFactors
            A copy; ``InputError`` naming ``fuel`` for an unknown fuel or one of another unit.
        """
        fuel = self.fuel(name)
        profiles = {}
        for profile in self.profiles.values():
            own = self.fuel_of(profile)
            if own.unit != fuel.unit:
                raise InputError(
                    "fuel",
                    f"{fuel.name} is measured in {fuel.unit}, the profile {profile.name}'s use per km in {own.unit} of "
                    f"{own.name}: give profiles in {fuel.unit} per km in a factors file",
                )
            profiles[profile.name] = dataclasses.replace(profile, fuel=fuel.name)
        return dataclasses.replace(self, profiles=profiles)

    def check_vehicle_types(self, instance: Instance) -> None:
        """Refuse a mapping of a vehicle type that ``instance`` does not have (a typo would be ignored).

        Parameters
        ----------
        instance : Instance
            The instance the factors are used with.
        """
        types = {vt.name for vt in instance.vehicle_types}
        for name in self.vehicle_types:
            if name not in types:
                raise InputError(
                    f"vehicle_types.{name}",
                    f"no vehicle type {name!r} in {instance.name}; its types: {', '.join(sorted(types))}",
                )

    def profile_for(self, vt: VehicleType, unit_mass_kg: float) -> Profile:
        """The profile of a vehicle type: the one mapped to it, else the smallest whose payload fits.

        Parameters
        ----------
        vt : VehicleType
            A vehicle type.
        unit_mass_kg : float
            The mass of one unit of demand.

        Returns
        -------
        Profile
            The type's vehicle profile.

        Raises
        ------
        InputError
            When the mapping names an unknown profile or no profile can carry the type's capacity.
        """
        if vt.name in self.vehicle_types:
            name = self.vehicle_types[vt.name]
            if name not in self.profiles:
                raise InputError(
                    f"vehicle_types.{vt.name}", f"unknown profile {name!r}; known: {', '.join(sorted(self.profiles))}"
                )
            return self.profiles[name]
        payload = vt.capacity * unit_mass_kg
        fitting = [p for p in self.profiles.values() if p.max_payload_kg is not None and payload <= p.max_payload_kg]
        if not fitting:
            raise InputError(
                f"vehicle_types.{vt.name}",
                f"no profile carries {payload:,.0f} kg; map the type to a profile in the factors file",
            )
        return min(fitting, key=lambda p: p.max_payload_kg or 0.0)

    def fuel_of(self, profile: Profile) -> Fuel:
        """The fuel a profile burns.

        Parameters
        ----------
        profile : Profile
            A vehicle profile.

        Returns
        -------
        Fuel
            Its fuel; an unknown fuel raises ``InputError`` naming the profile.
        """
        return self.fuel(profile.fuel, field=f"profiles.{profile.name}.fuel")

    def load_weights(self, instance: Instance) -> np.ndarray:
        """Each node's demand in units of the instance's unit mass (a DC's own ``unit_mass_kg`` scales it):
        the load the rates of :func:`milp_milkrun.objectives.route_costs` apply to (0 for the hub).

        Parameters
        ----------
        instance : Instance
            The instance.

        Returns
        -------
        np.ndarray
            One weight per node, the hub first.
        """
        reference = self.unit_mass(instance)
        scale = [1.0, *((dc.unit_mass_kg or reference) / reference for dc in instance.dcs)]
        return instance.demand * np.array(scale)

    def unit_mass(self, instance: Instance) -> float:
        """The mass of one unit of demand: the factors file's, else the instance's (InputError if neither).

        A vehicle is full at its capacity times this mass; a DC with its own ``unit_mass_kg`` weighs
        its demand with that instead.

        Parameters
        ----------
        instance : Instance
            The instance.

        Returns
        -------
        float
            Kilograms per unit of demand.
        """
        mass = self.unit_mass_kg if self.unit_mass_kg is not None else instance.unit_mass_kg
        if mass is None:
            raise InputError(
                "unit_mass_kg",
                f"emissions need the mass of one unit of demand: give unit_mass_kg in {instance.name} or in the factors file",
            )
        return mass


def load_factors(path: str | Path | None = None) -> EmissionFactors:
    """The default factors, with a user's file (if given) laid over them.

    Parameters
    ----------
    path
        A JSON factors file (see docs/emissions.md); None for the packaged defaults alone.

    Returns
    -------
    EmissionFactors
        Fuels (blends computed), profiles, the type-to-profile map, the unit mass, the distance
        adjustment factor and the grid factor; impossible factors raise ``InputError`` naming the field.
    """
    if path is None:
        return factors_from_dict({}, is_default=True)
    return factors_from_dict(read_json(Path(path)), is_default=False)


def factors_from_dict(user: Any, *, is_default: bool = False) -> EmissionFactors:
    """The default factors with ``user`` (a parsed factors document) laid over them.

    Parameters
    ----------
    user
        A document of the factors schema (``io/factors.schema.json``); ``{}`` for the defaults.
    is_default
        Whether no user document was given (the report then says every figure rests on defaults).

    Returns
    -------
    EmissionFactors
        The merged factors, checked: WTW below TTW, full below empty, a profile's unknown fuel, a
        blend of unknown or mismatched components, a mapping to an unknown profile raise ``InputError``.
    """
    validate(user, "factors")
    defaults = json.loads(
        resources.files("milp_milkrun.emissions").joinpath("default_factors.json").read_text(encoding="utf-8")
    )
    fuels = {fuel_key(name): Fuel(fuel_key(name), **values) for name, values in defaults["fuels"].items()}
    fuels |= {fuel_key(name): Fuel(fuel_key(name), **values) for name, values in user.get("fuels", {}).items()}
    blends = {fuel_key(name): values for name, values in (defaults["blends"] | user.get("blends", {})).items()}
    for name, blend in blends.items():
        fuels[name] = _blend(name, blend, fuels)
    grid = user.get("grid_kg_co2e_per_kwh", defaults["grid_kg_co2e_per_kwh"])
    profiles = {**defaults["profiles"], **user.get("profiles", {})}
    factors = EmissionFactors(
        fuels=fuels,
        profiles={name: Profile(name, **values) for name, values in profiles.items()},
        vehicle_types=dict(user.get("vehicle_types", {})),
        unit_mass_kg=user.get("unit_mass_kg"),
        is_default=is_default,
        distance_adjustment_factor=float(
            user.get("distance_adjustment_factor", defaults["distance_adjustment_factor"])
        ),
    )
    factors = factors.with_grid(grid) if grid is not None else factors
    _check_possible(factors)
    return factors


def fuel_key(name: str) -> str:
    """The canonical name of a fuel: upper case (``diesel`` and ``DIESEL`` are one fuel).

    Parameters
    ----------
    name : str
        A fuel name as written.

    Returns
    -------
    str
        The name in upper case, without surrounding blanks.
    """
    return name.strip().upper()


def _blend(name: str, blend: dict[str, Any], fuels: dict[str, Fuel]) -> Fuel:
    """A blend's factors: its components' factors weighted by their fractions (one unit for all)."""
    components = {fuel_key(part): share for part, share in blend["components"].items()}
    for part in components:
        if part not in fuels or part in ("ELEC", name):
            raise InputError(
                f"blends.{name}.components.{part}",
                f"unknown fuel {part!r}; a blend mixes fuels of the list ({', '.join(sorted(fuels))})",
            )
    total = sum(components.values())
    if exceeds(total, 1.0) or exceeds(1.0, total):
        raise InputError(f"blends.{name}.components", f"the fractions add up to {total:g}, not 1")
    units = {fuels[part].unit for part in components}
    if len(units) > 1:
        raise InputError(
            f"blends.{name}.components", f"the components are measured in different units ({', '.join(sorted(units))})"
        )
    ttw = sum(share * fuels[part].ttw_kg_co2e_per_unit for part, share in components.items())
    wtw = sum(share * fuels[part].wtw_kg_co2e_per_unit for part, share in components.items())
    return Fuel(name, units.pop(), ttw, wtw, blend["source"])


def _check_possible(factors: EmissionFactors) -> None:
    """Refuse factors no vehicle can have, naming the field (the schema already refused negative values)."""
    for fuel in factors.fuels.values():
        if fuel.wtw_kg_co2e_per_unit < fuel.ttw_kg_co2e_per_unit:
            raise InputError(
                f"fuels.{fuel.name}.wtw_kg_co2e_per_unit",
                f"well-to-wheel {fuel.wtw_kg_co2e_per_unit:g} is below tank-to-wheel {fuel.ttw_kg_co2e_per_unit:g} (WTW includes TTW)",
            )
    for profile in factors.profiles.values():
        if profile.full_per_km < profile.empty_per_km:
            raise InputError(
                f"profiles.{profile.name}.full_per_km",
                f"use when full {profile.full_per_km:g} is below use when empty {profile.empty_per_km:g}",
            )
        factors.fuel_of(profile)
    for vehicle_type, profile_name in factors.vehicle_types.items():
        if profile_name not in factors.profiles:
            raise InputError(
                f"vehicle_types.{vehicle_type}",
                f"unknown profile {profile_name!r}; known: {', '.join(sorted(factors.profiles))}",
            )


def factors_for_objective(objective: str | None, path: str | Path | None) -> EmissionFactors | None:
    """The emission factors a run with ``objective`` needs: the defaults with ``path`` laid over them
    for ``emissions``, None for any other objective.

    Parameters
    ----------
    objective
        The run's objective (None: the instance's own, never emissions).
    path
        A factors file, or None for the defaults.

    Returns
    -------
    EmissionFactors or None
        The factors; an InputError naming ``factors`` when a file is given for another objective.
    """
    if path is not None and objective != "emissions":
        raise InputError("factors", "emission factors are only used with the emissions objective")
    return load_factors(path) if objective == "emissions" else None
