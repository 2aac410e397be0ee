"""Emission factors: fuels, vehicle energy profiles, and which profile each vehicle type uses.

The packaged defaults (``default_factors.json``) are labelled as such, each value with its source; a
user's factors file (validated against ``io/factors.schema.json``) replaces any fuel or profile of the
same name, maps vehicle types to profiles, and may give the mass of one unit of demand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance, VehicleType
from milp_milkrun.io.schema import read_json, validate


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
                raise InputError(f"vehicle_types.{vt.name}", f"unknown profile {name!r}; known: {', '.join(sorted(self.profiles))}")
            return self.profiles[name]
        payload = vt.capacity * unit_mass_kg
        fitting = [p for p in self.profiles.values() if p.max_payload_kg is not None and payload <= p.max_payload_kg]
        if not fitting:
            raise InputError(f"vehicle_types.{vt.name}", f"no profile carries {payload:,.0f} kg; map the type to a profile in the factors file")
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
        if profile.fuel not in self.fuels:
            raise InputError(f"profiles.{profile.name}.fuel", f"unknown fuel {profile.fuel!r}; known: {', '.join(sorted(self.fuels))}")
        return self.fuels[profile.fuel]

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
            raise InputError("unit_mass_kg", f"emissions need the mass of one unit of demand: give unit_mass_kg in {instance.name} or in the factors file")
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
        Fuels and profiles by name, the type-to-profile map and the unit mass, if any.
    """
    defaults = json.loads(resources.files("milp_milkrun.emissions").joinpath("default_factors.json").read_text(encoding="utf-8"))
    user: dict[str, Any] = {}
    if path is not None:
        user = read_json(Path(path))
        validate(user, "factors")
    fuels = {**defaults["fuels"], **user.get("fuels", {})}
    profiles = {**defaults["profiles"], **user.get("profiles", {})}
    return EmissionFactors(
        fuels={name: Fuel(name, **values) for name, values in fuels.items()},
        profiles={name: Profile(name, **values) for name, values in profiles.items()},
        vehicle_types=dict(user.get("vehicle_types", {})),
        unit_mass_kg=user.get("unit_mass_kg"),
        is_default=path is None,
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
