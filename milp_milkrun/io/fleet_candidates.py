"""Fleet candidates: the vehicle types, with costs, a fleet recommendation may choose from.

A candidates file (``milkrun fleet --types candidates.json``) is validated against
``milp_milkrun/io/fleet_candidates.schema.json`` with the
same one-line errors as an instance, naming the JSON path of the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from milp_milkrun.errors import InputError
from milp_milkrun.io.schema import read_json, validate


@dataclass(frozen=True)
class CandidateType:
    """A vehicle type a fleet may use, with its costs.

    ``capacity``, ``max_distance``, ``max_stops`` and ``forbidden_dcs`` left as None are inherited
    from the instance's vehicle type of the same name (a new type then needs ``capacity`` and has
    no limits and no forbidden DCs). ``count`` None means as many as the plan needs.
    """

    name: str
    fixed_cost: float
    cost_per_km: float
    capacity: float | None = None
    count: int | None = None
    max_distance: float | None = None
    max_stops: int | None = None
    forbidden_dcs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class FleetCandidates:
    """The candidate types of a file, the currency of their costs and the file's note on sources."""

    types: tuple[CandidateType, ...]
    currency: str = "cost units"
    note: str = ""


def load_candidates(path: str | Path) -> FleetCandidates:
    """Read and validate a candidates file.

    Parameters
    ----------
    path
        A ``.json`` file: ``{"vehicle_types": [{"name", "fixed_cost", "cost_per_km", ...}], "currency", "note"}``.

    Returns
    -------
    FleetCandidates
        The candidate types in file order.

    Raises
    ------
    InputError
        Field ``types``; the message names the file and the JSON path of the first problem.
    """
    path = Path(path)
    try:
        return candidates_from_dict(read_json(path))
    except InputError as exc:  # name the file: its fields look like an instance's
        where = "" if exc.field == str(path) else f"{exc.field}: "
        raise InputError("types", f"{path}: {where}{exc.message}") from None


def candidates_from_dict(data: Any) -> FleetCandidates:
    """Validate a parsed candidates document and return its types.

    Parameters
    ----------
    data
        The parsed JSON document.

    Returns
    -------
    FleetCandidates
        The candidate types in document order.
    """
    validate(data, "fleet_candidates")
    types = tuple(
        CandidateType(
            name=vt["name"],
            fixed_cost=float(vt["fixed_cost"]),
            cost_per_km=float(vt["cost_per_km"]),
            capacity=_float_or_none(vt.get("capacity")),
            count=vt.get("count"),
            max_distance=_float_or_none(vt.get("max_distance")),
            max_stops=vt.get("max_stops"),
            forbidden_dcs=tuple(vt["forbidden_dcs"]) if "forbidden_dcs" in vt else None,
        )
        for vt in data["vehicle_types"]
    )
    return FleetCandidates(types, currency=data.get("currency", "cost units"), note=data.get("note", ""))


def _float_or_none(value: float | None) -> float | None:
    return None if value is None else float(value)
