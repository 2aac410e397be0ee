"""The emissions tests' helpers: instances with DCs' own unit masses, and factors with heavy units."""

from __future__ import annotations

import dataclasses

from milp_milkrun.emissions import load_factors
from milp_milkrun.instance import Instance
from milp_milkrun.io.json_instance import instance_from_dict, instance_to_dict


def with_dc_masses(instance: Instance, masses: dict[str, float]) -> Instance:
    """The instance with some DCs' own unit masses (kg per unit of their demand)."""
    data = instance_to_dict(instance)
    for dc in data["dcs"]:
        if dc["id"] in masses:
            dc["unit_mass_kg"] = masses[dc["id"]]
    return instance_from_dict(data)


def emission_factors():
    """The default emission factors, with 50 kg a unit of demand."""
    return dataclasses.replace(load_factors(), unit_mass_kg=50.0)
