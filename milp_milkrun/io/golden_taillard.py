"""The Golden–Taillard heterogeneous-fleet benchmark files (``golden_NN.json``), one variant at a time.

Twelve instances of Golden et al. (1984) with Taillard's (1999) fixed costs, variable costs and
fleets. One file holds every variant; the variant decides the fleet and the cost of a route r
driven by a vehicle of type k (F = ``fixed_cost``, α = ``variable_cost``, len = real-valued
Euclidean length, not rounded):

=========  ================  =========================
variant    fleet             cost of route r
=========  ================  =========================
FSMF       unlimited         F(k) + len(r)
FSMD       unlimited         α(k) · len(r)
FSMFD      unlimited         F(k) + α(k) · len(r)
HVRPFD     ``count`` per type  F(k) + α(k) · len(r)
HVRPD      ``count`` per type  α(k) · len(r)
=========  ================  =========================

The file is turned into the toolkit's JSON instance format (objective ``cost``, per type
``fixed_cost`` and ``cost_per_km``, ``count`` omitted for an unlimited type) and built by the same
reader as any JSON instance, so every check of that format applies. Node ids are the file's ids as
strings: the depot ``"0"``, customers ``"1"``..``"n"``; vehicle types keep their names (A, B, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io.json_instance import instance_from_dict
from milp_milkrun.io.schema import read_json, validate

# variant -> (fixed costs count, variable costs count, fleet limited to the file's counts)
VARIANTS: dict[str, tuple[bool, bool, bool]] = {
    "FSMF": (True, False, False),
    "FSMD": (False, True, False),
    "FSMFD": (True, True, False),
    "HVRPFD": (True, True, True),
    "HVRPD": (False, True, True),
}
COST_OF_ROUTE = {
    "FSMF": "fixed cost + length",
    "FSMD": "variable cost x length",
    "FSMFD": "fixed cost + variable cost x length",
    "HVRPFD": "fixed cost + variable cost x length",
    "HVRPD": "variable cost x length",
}


def is_golden_taillard(data: Any) -> bool:
    """True when a parsed JSON document is a Golden–Taillard file rather than a toolkit instance.

    Parameters
    ----------
    data
        A parsed JSON document.

    Returns
    -------
    bool
        True for a document with ``depot`` and ``customers`` (the toolkit's format has ``hub`` and ``dcs``).
    """
    return isinstance(data, dict) and "depot" in data and "customers" in data and "hub" not in data


def load_golden_taillard(path: str | Path, variant: str) -> Instance:
    """Read ``golden_NN.json`` as the validated instance of one variant.

    Parameters
    ----------
    path
        A Golden–Taillard file (``../shared/hfvrp/golden_NN.json``).
    variant
        ``FSMF``, ``FSMD``, ``FSMFD``, ``HVRPFD`` or ``HVRPD`` (case-insensitive); the file must list it.

    Returns
    -------
    Instance
        Named ``<name>_<VARIANT>``, objective ``cost``, real-valued Euclidean distances.

    Raises
    ------
    InputError
        Naming ``variant`` (unknown, or not in this file) or the field of a malformed file.
    """
    path = Path(path)
    return golden_taillard_instance(read_json(path), variant, default_name=path.stem)


def golden_taillard_instance(data: Any, variant: str, *, default_name: str = "golden") -> Instance:
    """Build the instance of ``variant`` from a parsed Golden–Taillard document.

    Parameters
    ----------
    data
        The parsed ``golden_NN.json`` document.
    variant
        As for :func:`load_golden_taillard`.
    default_name
        The instance name when the document has none (the file name).

    Returns
    -------
    Instance
        As for :func:`load_golden_taillard`.
    """
    return instance_from_dict(golden_taillard_dict(data, variant, default_name=default_name))


def golden_taillard_dict(data: Any, variant: str, *, default_name: str = "golden") -> dict[str, Any]:
    """The toolkit's JSON instance document of one variant of a Golden–Taillard document.

    Parameters
    ----------
    data
        The parsed ``golden_NN.json`` document.
    variant
        As for :func:`load_golden_taillard`.
    default_name
        The instance name when the document has none.

    Returns
    -------
    dict
        A document :func:`~milp_milkrun.io.instance_from_dict` reads (and ``convert`` writes).
    """
    key = check_variant(variant)
    validate(data, "golden_taillard")
    source = data.get("name", default_name)
    if key not in data["variants"]:
        raise InputError("variant", f"{source} has no {key} variant; it has {', '.join(data['variants'])}")
    _check_ids(data)
    fixed, variable, limited = VARIANTS[key]
    fleet = "the file's fleet" if limited else "unlimited fleet"
    return {
        "name": f"{source}_{key}",
        "description": f"{key} variant of {source} (Golden et al. 1984, Taillard 1999): {fleet}, "
        f"cost of a route = {COST_OF_ROUTE[key]}; real-valued Euclidean distances.",
        "distance_unit": "units",
        "objective": "cost",
        "hub": {"id": str(data["depot"]["id"]), "x": data["depot"]["x"], "y": data["depot"]["y"]},
        "dcs": [{"id": str(c["id"]), "x": c["x"], "y": c["y"], "demand": c["demand"]} for c in data["customers"]],
        "vehicle_types": [
            _vehicle_type(vt, k, key, fixed, variable, limited) for k, vt in enumerate(data["vehicle_types"])
        ],
        "distances": {"metric": "euclidean", "round": "none"},
    }


def check_variant(variant: str) -> str:
    """The variant's canonical name, or an InputError naming ``variant``.

    Parameters
    ----------
    variant
        A variant name in any case.

    Returns
    -------
    str
        One of the keys of :data:`VARIANTS`.
    """
    key = variant.upper()
    if key not in VARIANTS:
        raise InputError("variant", f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")
    return key


def _check_ids(data: Mapping[str, Any]) -> None:
    """Customer ids unique and distinct from the depot's, named by the file's own fields."""
    seen = {data["depot"]["id"]: "depot.id"}
    for k, customer in enumerate(data["customers"]):
        if customer["id"] in seen:
            raise InputError(
                f"customers[{k}].id", f"id {customer['id']} is used twice (also at {seen[customer['id']]})"
            )
        seen[customer["id"]] = f"customers[{k}].id"


def _vehicle_type(
    vt: Mapping[str, Any], k: int, variant: str, fixed: bool, variable: bool, limited: bool
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": vt["name"],
        "capacity": vt["capacity"],
        "fixed_cost": vt["fixed_cost"] if fixed else 0,
        "cost_per_km": vt["variable_cost"] if variable else 1,
    }
    if limited:
        if vt["count"] is None:
            raise InputError(
                f"vehicle_types[{k}].count",
                f"vehicle type {vt['name']} has no count, which {variant} (a limited fleet) needs",
            )
        entry["count"] = vt["count"]
    return entry
