"""The JSON instance format: schema check, then the semantic checks of :func:`build_instance`.

``instance_to_dict`` is the inverse: it writes any :class:`Instance` (a VRPLIB file included) in
the JSON format, undoing demand splits, so that loading the result gives the same distances,
demands, fleet and side constraints.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from milp_milkrun.errors import InputError
from milp_milkrun.instance import (
    DC,
    DistanceSpec,
    Instance,
    Site,
    VehicleType,
    build_instance,
)
from milp_milkrun.io.schema import validate
from milp_milkrun.timing import TimeSpec, parse_time


def instance_from_dict(data: Any, *, default_name: str = "instance") -> Instance:
    """Validate a parsed JSON document against the instance schema and build the Instance.

    Parameters
    ----------
    data : Any
        The parsed JSON document.
    default_name : str
        The instance's name when the document gives none.

    Returns
    -------
    Instance
        The validated instance; a schema or semantic error raises ``InputError`` naming its JSON path.
    """
    validate(_with_matrix_rows_emptied(data), "instance")  # the entries are checked by numpy below: fast
    coordinates = _coordinate_kind(data)
    spec, matrix, matrix_ids = _distance_spec(data["distances"], coordinates)
    time, travel, travel_ids = _time(data.get("time"))
    return build_instance(
        name=data.get("name", default_name),
        hub=_site(data["hub"]),
        dcs=[_dc(k, d) for k, d in enumerate(data["dcs"])],
        vehicle_types=[_vehicle_type(k, vt) for k, vt in enumerate(data["vehicle_types"])],
        distance_spec=spec,
        matrix=matrix,
        matrix_ids=matrix_ids,
        forbidden=data.get("forbidden", []),
        consecutive=data.get("consecutive", []),
        damaged_roads=data.get("damaged_roads", []),
        coordinates=coordinates,
        distance_unit=data.get("distance_unit", "km"),
        description=data.get("description", ""),
        unit_mass_kg=_optional_float(data.get("unit_mass_kg")),
        objective=data.get("objective", "distance"),
        time=time,
        travel_matrix=travel,
        travel_matrix_ids=travel_ids,
    )


def _dc(k: int, entry: Mapping[str, Any]) -> DC:
    """A DC as the file gives it, with its receiving windows and service time in minutes."""
    windows = tuple(
        (parse_time(w[0], f"dcs[{k}].windows[{n}][0]"), parse_time(w[1], f"dcs[{k}].windows[{n}][1]"))
        for n, w in enumerate(entry.get("windows", []))
    )
    return DC(
        entry["id"],
        float(entry["demand"]),
        *_xy(entry),
        unit_mass_kg=_optional_float(entry.get("unit_mass_kg")),
        windows=windows,
        service=parse_time(entry.get("service", 0), f"dcs[{k}].service"),
        service_per_unit=float(entry.get("service_per_unit", 0.0)),
    )


def _time(block: Mapping[str, Any] | None) -> tuple[TimeSpec | None, np.ndarray | None, list[str] | None]:
    """The instance's time block: the hub's hours, a default speed and an optional travel-time matrix."""
    if block is None:
        return None, None, None
    hours = block["hub_hours"]
    spec = TimeSpec(
        parse_time(hours[0], "time.hub_hours[0]"),
        parse_time(hours[1], "time.hub_hours[1]"),
        _optional_float(block.get("speed")),
    )
    travel = block.get("travel_time")
    if travel is None:
        return spec, None, None
    return spec, _matrix(travel["matrix"], "time.travel_time"), list(travel["ids"])


def _vehicle_type(k: int, entry: Mapping[str, Any]) -> VehicleType:
    """A vehicle type as the file gives it; no ``count`` means an unlimited fleet of the type."""
    shift = entry.get("shift")
    return VehicleType(
        entry["name"],
        entry.get("count"),
        float(entry["capacity"]),
        _optional_float(entry.get("max_distance")),
        entry.get("max_stops"),
        fixed_cost=float(entry.get("fixed_cost", 0.0)),
        cost_per_km=float(entry.get("cost_per_km", 1.0)),
        cost_per_hour=float(entry.get("cost_per_hour", 0.0)),
        shift=None if shift is None else parse_time(shift, f"vehicle_types[{k}].shift"),
        speed=_optional_float(entry.get("speed")),
    )


def _optional_float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _xy(node: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """Site coordinates: x = lon, y = lat for geographic nodes (the Instance convention)."""
    if "lat" in node:
        return float(node["lon"]), float(node["lat"])
    if "x" in node:
        return float(node["x"]), float(node["y"])
    return None, None


def _site(node: Mapping[str, Any]) -> Site:
    return Site(node["id"], *_xy(node))


def _kind(node: Mapping[str, Any]) -> str:
    if "lat" in node and "x" in node:
        return "both"
    return "latlon" if "lat" in node else "xy" if "x" in node else "none"


def _coordinate_kind(data: Mapping[str, Any]) -> str:
    """Every node must use the same coordinates: all lat/lon, all x/y, or none (matrix instances)."""
    kind = _kind(data["hub"])
    if kind == "both":
        raise InputError("hub", f"hub {data['hub']['id']}: give lat/lon or x/y, not both")
    for k, dc in enumerate(data["dcs"]):
        if _kind(dc) != kind:
            raise InputError(
                f"dcs[{k}]",
                f"DC {dc['id']} has {_kind_name(_kind(dc))} but the hub has {_kind_name(kind)}; all nodes must use the same",
            )
    return kind


def _kind_name(kind: str) -> str:
    return {"latlon": "lat/lon", "xy": "x/y", "none": "no coordinates", "both": "both lat/lon and x/y"}[kind]


def _with_matrix_rows_emptied(data: Any) -> Any:
    """The document with each row of a distance matrix replaced by [] (a shallow copy).

    The schema checks every entry of a matrix one Python call at a time: 13 s for 4.8 million entries.
    The rows' shape and entries are checked in :func:`_matrix` instead, in time linear in the size.
    """
    if not isinstance(data, dict):
        return data
    emptied = dict(data)
    distances = data.get("distances")
    if isinstance(distances, dict) and isinstance(distances.get("matrix"), list):
        emptied["distances"] = {**distances, "matrix": _rows_emptied(distances["matrix"])}
    time = data.get("time")
    travel = time.get("travel_time") if isinstance(time, dict) else None
    if isinstance(time, dict) and isinstance(travel, dict) and isinstance(travel.get("matrix"), list):
        emptied["time"] = {**time, "travel_time": {**travel, "matrix": _rows_emptied(travel["matrix"])}}
    return emptied


def _rows_emptied(rows: list[Any]) -> list[Any]:
    return [[] if isinstance(row, list) else row for row in rows]


def _matrix(rows: list[list[Any]], where: str = "distances") -> np.ndarray:
    """The square matrix of numbers, or an InputError naming the first row or entry that is not."""
    for k, row in enumerate(rows):
        if len(row) != len(rows):
            raise InputError(
                f"{where}.matrix[{k}]",
                f"row has {len(row)} entries but the matrix has {len(rows)} rows; it must be square",
            )
    if not {type(value) for row in rows for value in row} <= {int, float}:
        k, j, value = next(
            (k, j, v) for k, row in enumerate(rows) for j, v in enumerate(row) if type(v) not in (int, float)
        )
        raise InputError(f"{where}.matrix[{k}][{j}]", f"expected a number, got {json.dumps(value)[:60]}")
    return np.array(rows, dtype=float).reshape(len(rows), len(rows))


def _distance_spec(
    block: Mapping[str, Any], coordinates: str
) -> tuple[DistanceSpec, np.ndarray | None, list[str] | None]:
    if "matrix" in block:
        return DistanceSpec("matrix"), _matrix(block["matrix"]), list(block["ids"])
    metric = block["metric"]
    needed = "latlon" if metric == "haversine" else "xy"
    if coordinates != needed:
        raise InputError(
            "distances.metric",
            f"metric {metric} needs {_kind_name(needed)} on every node, the nodes have {_kind_name(coordinates)}",
        )
    if metric == "haversine":
        return DistanceSpec("haversine", road_factor=float(block.get("road_factor", 1.0))), None, None
    return DistanceSpec("euclidean", rounding=block.get("round", "none")), None, None


# ----- Instance -> JSON ----------------------------------------------------------------------
def instance_json_text(data: Mapping[str, Any]) -> str:
    """JSON with one line per DC, vehicle type or side constraint, so files diff and review well.

    Parameters
    ----------
    data : Mapping[str, Any]
        An instance document (:func:`instance_to_dict`).

    Returns
    -------
    str
        The JSON text, ending with a newline.
    """
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(json.dumps(item) for item in value)
            lines.append(f"  {json.dumps(key)}: [\n    {items}\n  ]")
        elif isinstance(value, Mapping) and "matrix" in value:
            rows = ",\n      ".join(json.dumps(row) for row in value["matrix"])
            lines.append(f'  {json.dumps(key)}: {{"ids": {json.dumps(value["ids"])}, "matrix": [\n      {rows}\n  ]}}')
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    """The JSON form of ``instance``.

    Parameters
    ----------
    instance : Instance
        Any instance.

    Returns
    -------
    dict[str, Any]
        The document with split DCs merged back; loading it rebuilds the same instance.
    """
    originals = _original_dcs(instance)
    data: dict[str, Any] = {"name": instance.name}
    if instance.description:
        data["description"] = instance.description
    data["distance_unit"] = instance.distance_unit
    if instance.unit_mass_kg is not None:
        data["unit_mass_kg"] = _number(instance.unit_mass_kg)
    if instance.objective != "distance":
        data["objective"] = instance.objective
    data["hub"] = {"id": instance.hub.id, **_coordinates(instance, instance.hub.x, instance.hub.y)}
    unit_masses = {dc.origin: dc.unit_mass_kg for dc in instance.dcs if dc.unit_mass_kg is not None}
    first_part = {dc.origin: dc for dc in reversed(instance.dcs)}
    data["dcs"] = [
        {
            "id": dc_id,
            **_coordinates(instance, x, y),
            "demand": _number(demand),
            **({"unit_mass_kg": _number(unit_masses[dc_id])} if dc_id in unit_masses else {}),
            **_dc_time(first_part[dc_id]),
        }
        for dc_id, demand, x, y in originals
    ]
    data["vehicle_types"] = [_vehicle_type_dict(vt) for vt in instance.vehicle_types]
    data["forbidden"] = forbidden_entries(instance)
    data["consecutive"] = [list(pair) for pair in instance.consecutive]
    data["damaged_roads"] = original_roads(instance)
    data["distances"] = _distances_dict(instance, [o[0] for o in originals])
    if instance.time is not None:
        data["time"] = _time_dict(instance, [o[0] for o in originals])
    return data


def _dc_time(dc: DC) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if dc.windows:
        entry["windows"] = [[_number(a), _number(b)] for a, b in dc.windows]
    if dc.service:
        entry["service"] = _number(dc.service)
    if dc.service_per_unit:
        entry["service_per_unit"] = _number(dc.service_per_unit)
    return entry


def _time_dict(instance: Instance, dc_ids: Sequence[str]) -> dict[str, Any]:
    time = instance.time
    assert time is not None
    block: dict[str, Any] = {"hub_hours": [_number(time.hub_open), _number(time.hub_close)]}
    if time.speed is not None:
        block["speed"] = _number(time.speed)
    if instance.travel_matrix is not None:
        ids, rows = _matrix_rows(instance, dc_ids)
        block["travel_time"] = {
            "ids": ids,
            "matrix": [[_number(v) for v in row] for row in instance.travel_matrix[np.ix_(rows, rows)]],
        }
    return block


def _matrix_rows(instance: Instance, dc_ids: Sequence[str]) -> tuple[list[str], list[int]]:
    """The file's ids (hub, original DCs) and the node index of each (a split DC's first part)."""
    first_part: dict[str, str] = {}
    for dc in instance.dcs:
        first_part.setdefault(dc.origin, dc.id)
    return [instance.hub.id, *dc_ids], [
        instance.index[instance.hub.id],
        *(instance.index[first_part[dc]] for dc in dc_ids),
    ]


def _origin_of(instance: Instance) -> dict[str, str]:
    return {dc.id: dc.origin for dc in instance.dcs}


def _original_dcs(instance: Instance) -> list[tuple[str, float, float | None, float | None]]:
    """(id, total demand, x, y) of every DC before splitting, in file order."""
    merged: dict[str, list[Any]] = {}
    for dc in instance.dcs:
        if dc.origin in merged:
            merged[dc.origin][1] += dc.demand
        else:
            merged[dc.origin] = [dc.origin, dc.demand, dc.x, dc.y]
    return [tuple(v) for v in merged.values()]


def _coordinates(instance: Instance, x: float | None, y: float | None) -> dict[str, float]:
    if instance.coordinates == "latlon":
        return {"lat": _number(y), "lon": _number(x)}  # type: ignore[arg-type]
    if instance.coordinates == "xy":
        return {"x": _number(x), "y": _number(y)}  # type: ignore[arg-type]
    return {}


def _number(value: float) -> float | int:
    """Integral floats as ints, so converted files read like the originals."""
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _vehicle_type_dict(vt: VehicleType) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": vt.name}
    if not vt.unlimited:
        entry["count"] = vt.count
    entry["capacity"] = _number(vt.capacity)
    if vt.max_distance is not None:
        entry["max_distance"] = _number(vt.max_distance)
    if vt.max_stops is not None:
        entry["max_stops"] = vt.max_stops
    if vt.fixed_cost:
        entry["fixed_cost"] = _number(vt.fixed_cost)
    if vt.cost_per_km != 1.0:
        entry["cost_per_km"] = _number(vt.cost_per_km)
    if vt.cost_per_hour:
        entry["cost_per_hour"] = _number(vt.cost_per_hour)
    if vt.shift is not None:
        entry["shift"] = _number(vt.shift)
    if vt.speed is not None:
        entry["speed"] = _number(vt.speed)
    return entry


def forbidden_entries(instance: Instance) -> list[dict[str, str]]:
    """Set B as the file states it: type-level entries where a whole type is forbidden, vehicle-level
    ones otherwise, by original (unsplit) DC id.

    Parameters
    ----------
    instance
        Any instance.

    Returns
    -------
    list of dict
        ``{"dc": ..., "vehicle_type": ...}`` or ``{"dc": ..., "vehicle": ...}`` entries in file order.
    """
    dc_ids = [original[0] for original in _original_dcs(instance)]
    origin = _origin_of(instance)
    pairs = {(origin[dc], vehicle) for dc, vehicle in instance.forbidden}
    entries: list[dict[str, str]] = []
    for dc in dc_ids:
        for vt in instance.vehicle_types:
            names = vt.vehicle_names()
            if all((dc, name) in pairs for name in names):
                entries.append({"dc": dc, "vehicle_type": vt.name})
            else:
                entries.extend({"dc": dc, "vehicle": name} for name in names if (dc, name) in pairs)
    return entries


def original_roads(instance: Instance) -> list[list[str]]:
    """The damaged roads as the file states them (between original, unsplit DC ids), each once.

    Parameters
    ----------
    instance
        Any instance.

    Returns
    -------
    list of list of str
        ``[a, b]`` pairs in file order.
    """
    origin = {**_origin_of(instance), instance.hub.id: instance.hub.id}
    roads: list[list[str]] = []
    for a, b in instance.damaged_roads:
        road = [origin[a], origin[b]]
        if road not in roads:
            roads.append(road)
    return roads


def _distances_dict(instance: Instance, dc_ids: Sequence[str]) -> dict[str, Any]:
    spec = instance.distance_spec
    if spec.metric == "haversine":
        return {"metric": "haversine", "road_factor": _number(spec.road_factor)}
    if spec.metric == "euclidean":
        return {"metric": "euclidean", "round": spec.rounding}
    ids, rows = _matrix_rows(instance, dc_ids)
    matrix = instance.distance[np.ix_(rows, rows)]
    return {"ids": ids, "matrix": [[_number(v) for v in row] for row in matrix]}
