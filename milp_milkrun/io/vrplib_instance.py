"""VRPLIB (CVRPLIB) ``.vrp`` files, parsed by the ``vrplib`` package.

Mapping to the milk-run model:

* the depot is the hub; node ids are the file's node numbers as strings ("1" is usually the hub,
  "2".."n" the DCs), so a DC's id is what a reader of the ``.vrp`` file sees;
* one vehicle type ``truck`` of capacity CAPACITY; its count is ``vehicles`` when given, else the
  VEHICLES field, else the ``-kN`` suffix of the name; DISTANCE, when present, is the route limit;
* a heterogeneous fleet in PyVRP's sections, one row per vehicle: CAPACITY_SECTION,
  VEHICLES_MAX_DISTANCE_SECTION, VEHICLES_FIXED_COST_SECTION, VEHICLES_UNIT_DISTANCE_COST_SECTION and
  VEHICLES_ALLOWED_CLIENTS_SECTION (the DCs a vehicle may serve; the others are forbidden pairs), or
  one value for every vehicle (``VEHICLES_MAX_DISTANCE : 60``); each run of identical consecutive
  vehicles forms one type (``truck1``, ``truck2``, ... in file order, so vehicle k of the file is
  vehicle k of the instance, as a ``.sol`` file's Route #k means), and a file with cost
  sections asks for the cost objective (fixed cost plus cost per distance unit, as PyVRP minimises);
* EUC_2D distances are rounded to the nearest integer (TSPLIB ``nint``, the convention of the
  published CVRPLIB optima); EXPLICIT matrices and the other 2D types are taken as ``vrplib``
  computes them;
* a VRPTW file's TIME_WINDOW_SECTION gives the depot's row as the hub's hours and each customer's
  row as its one window, SERVICE_TIME_SECTION the service times (a single SERVICE_TIME value applies
  to every customer); travel time equals distance (speed 60 distance units per hour, so one unit
  takes one minute), as in PyVRP and the VRPLIB VRPTW sets.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import vrplib
from vrplib.parse.parse_distances import parse_distances

from milp_milkrun.errors import InputError
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.io.schema import MAX_NUMBER, read_text
from milp_milkrun.io.vrplib_writer import UNREPRESENTABLE_COMMENT
from milp_milkrun.timing import TimeSpec

VEHICLE_TYPE = "truck"
TRAVEL_SPEED = 60.0  # distance units per hour: travel time equals distance, in minutes
FLEET_SUFFIX = re.compile(r"-k(\d+)$")


def read_vrplib(path: Path, *, vehicles: int | None = None) -> Instance:
    """Read a CVRP instance in VRPLIB format as a one-type milk-run instance.

    Parameters
    ----------
    path : Path
        The ``.vrp`` file.
    vehicles : int, optional
        The fleet size (overrides the file's, required when the file states none).

    Returns
    -------
    Instance
        The instance; a malformed file raises ``InputError`` naming the file or the section.
    """
    text = read_text(path)  # missing file, directory, encoding: the same messages as for JSON
    try:
        data = vrplib.read_instance(path, compute_edge_weights=False)
    except (ValueError, RuntimeError, KeyError, IndexError, TypeError) as exc:
        raise InputError(str(path), f"not a readable VRPLIB instance: {exc}") from None
    name = str(data.get("name", path.stem))
    n_nodes = _dimension(data)
    depot = _depot(data, n_nodes)
    ids = [str(k + 1) for k in range(n_nodes)]
    demand = _demands(data, n_nodes, depot, ids)
    coords = _coordinates(data, n_nodes)
    vehicle_types, forbidden, source = _fleet(data, name, vehicles, ids, depot)
    others = [k for k in range(n_nodes) if k != depot]
    spec, matrix = _distances(data, coords, n_nodes)
    hub = Site(ids[depot], *(coords[depot] if coords is not None else (None, None)))
    windows, service = _time_sections(data, n_nodes)
    dcs = [DC(ids[k], demand[k], *(coords[k] if coords is not None else (None, None))) for k in others]
    if windows:  # a VRPTW file: each customer's one window and service time
        dcs = [replace(dc, windows=(windows[k],), service=service[k]) for dc, k in zip(dcs, others)]
    instance = build_instance(
        name=name,
        hub=hub,
        dcs=dcs,
        vehicle_types=vehicle_types,
        forbidden=forbidden,
        distance_spec=spec,
        matrix=matrix,
        matrix_ids=ids if matrix is not None else None,
        coordinates="xy" if coords is not None else "none",
        distance_unit="units",
        description=f"VRPLIB instance {name} ({path.name}); fleet of {sum(vt.count or 0 for vt in vehicle_types)} from {source}; {_comment(data)}".rstrip(
            "; "
        ),
        objective="cost" if any(key in data for key in COST_SECTIONS) else "distance",
        time=TimeSpec(*windows[depot], speed=TRAVEL_SPEED) if windows else None,
    )
    lost = [
        line.removeprefix(UNREPRESENTABLE_COMMENT)
        for line in text.splitlines()
        if line.startswith(UNREPRESENTABLE_COMMENT)
    ]
    if not lost:
        return instance
    warning = f"the file names constraints VRPLIB cannot state, which are not applied: {'; '.join(lost)}"
    return dataclasses.replace(instance, warnings=(*instance.warnings, warning))


COST_SECTIONS = ("vehicles_fixed_cost", "vehicles_unit_distance_cost")
ALLOWED = "vehicles_allowed_clients"  # PyVRP: the clients each vehicle may serve (the forbidden pairs are the rest)
PER_VEHICLE = {  # parsed key -> (section name, VehicleType field)
    "capacity": ("CAPACITY_SECTION", "capacity"),
    "vehicles_max_distance": ("VEHICLES_MAX_DISTANCE_SECTION", "max_distance"),
    "vehicles_fixed_cost": ("VEHICLES_FIXED_COST_SECTION", "fixed_cost"),
    "vehicles_unit_distance_cost": ("VEHICLES_UNIT_DISTANCE_COST_SECTION", "cost_per_km"),
}


def _fleet(
    data: dict[str, Any], name: str, vehicles: int | None, ids: list[str], depot: int
) -> tuple[list[VehicleType], list[dict[str, str]], str]:
    """The vehicle types and the forbidden pairs: one ``truck`` type for a CVRP file, runs of identical
    vehicles for a per-vehicle fleet (so vehicle k of the file is vehicle k of the instance)."""
    if set(data) & {*PER_VEHICLE, ALLOWED} <= {"capacity"} and np.ndim(data.get("capacity", 0)) == 0:
        count, source = _fleet_size(data, name, vehicles)
        return [VehicleType(VEHICLE_TYPE, count, _capacity(data), _optional(data, "distance"))], [], source
    per_vehicle = any(_listed(data[key]) for key in (*PER_VEHICLE, ALLOWED) if key in data)
    if vehicles is not None and per_vehicle:
        raise InputError(
            "vehicles", "the file lists its vehicles one by one; --vehicles applies to a file that states no fleet"
        )
    n, source = (
        (_per_vehicle_count(data), "its per-vehicle sections") if per_vehicle else _fleet_size(data, name, vehicles)
    )
    columns = _per_vehicle_columns(data, n)
    allowed = _allowed_clients(data, n, ids, depot)
    fields = [PER_VEHICLE[key][1] for key in columns]
    runs: list[tuple[tuple[float, ...], frozenset[str], int]] = []
    for row, clients in zip(zip(*columns.values()), allowed):
        if runs and runs[-1][:2] == (row, clients):
            runs[-1] = (row, clients, runs[-1][2] + 1)
        else:
            runs.append((row, clients, 1))
    built = [
        VehicleType(f"{VEHICLE_TYPE}{k}", count, **dict(zip(fields, row)))  # type: ignore[arg-type]
        for k, (row, _, count) in enumerate(runs, start=1)
    ]
    dcs = [node for k, node in enumerate(ids) if k != depot]
    forbidden = [
        {"dc": dc, "vehicle_type": vt.name}
        for vt, (_, clients, _) in zip(built, runs)
        for dc in dcs
        if dc not in clients
    ]
    return built, forbidden, source


def _per_vehicle_count(data: dict[str, Any]) -> int:
    """The number of vehicles the per-vehicle sections list (all alike, and as VEHICLES says)."""
    lengths = {len(data[key]) for key in (*PER_VEHICLE, ALLOWED) if key in data and _listed(data[key])}
    if len(lengths) != 1:
        raise InputError(
            "CAPACITY_SECTION", f"the per-vehicle sections list different numbers of vehicles ({sorted(lengths)})"
        )
    (n,) = lengths
    if "vehicles" in data and int(_scalar(data["vehicles"], "VEHICLES", integer=True)) != n:
        raise InputError("VEHICLES", f"{data['vehicles']} vehicles but the per-vehicle sections list {n}")
    return n


def _listed(value: Any) -> bool:
    """A section (one entry per vehicle; ragged rows stay a list) rather than one value for all."""
    return isinstance(value, list) or np.ndim(value) > 0


def _per_vehicle_columns(data: dict[str, Any], n: int) -> dict[str, list[float]]:
    """One list per per-vehicle field, ``n`` long (a scalar specification applies to every vehicle)."""
    columns: dict[str, list[float]] = {}
    for key, (section, _) in PER_VEHICLE.items():
        if key in data:
            values = _table(data[key], section).reshape(-1)
            columns[key] = [float(v) for v in (values if len(values) == n else np.repeat(values, n))]
    if "capacity" not in columns:
        raise InputError("CAPACITY_SECTION", "missing; a heterogeneous fleet needs a capacity per vehicle")
    if "vehicles_max_distance" not in columns and "distance" in data:
        columns["vehicles_max_distance"] = [_scalar(data["distance"], "DISTANCE")] * n
    return columns


def _allowed_clients(data: dict[str, Any], n: int, ids: list[str], depot: int) -> list[frozenset[str]]:
    """The DCs each vehicle may serve (PyVRP's VEHICLES_ALLOWED_CLIENTS_SECTION; every DC without it)."""
    dcs = frozenset(node for k, node in enumerate(ids) if k != depot)
    if ALLOWED not in data:
        return [dcs] * n
    rows = [np.atleast_1d(row) for row in data[ALLOWED]]
    allowed = []
    for row in rows:
        nodes = [int(_scalar(v, "VEHICLES_ALLOWED_CLIENTS_SECTION", integer=True)) for v in row]
        unknown = [node for node in nodes if not (1 <= node <= len(ids)) or ids[node - 1] not in dcs]
        if unknown:
            raise InputError(
                "VEHICLES_ALLOWED_CLIENTS_SECTION",
                f"node {unknown[0]} is not a client (2..{len(ids)}, the depot excluded)",
            )
        allowed.append(frozenset(ids[node - 1] for node in nodes))
    return allowed


def _dimension(data: dict[str, Any]) -> int:
    if "dimension" not in data:
        raise InputError("DIMENSION", "missing; a VRPLIB instance must state its number of nodes")
    return int(_scalar(data["dimension"], "DIMENSION", integer=True))


def _depot(data: dict[str, Any], n_nodes: int) -> int:
    depots = np.atleast_1d(_table(data.get("depot", [0]), "DEPOT_SECTION"))
    if len(depots) != 1:
        raise InputError("DEPOT_SECTION", f"{len(depots)} depots; a milk run has exactly one hub")
    depot = int(_scalar(depots[0], "DEPOT_SECTION", integer=True))
    if not 0 <= depot < n_nodes:
        raise InputError("DEPOT_SECTION", f"depot {depot + 1} is not a node (1..{n_nodes})")
    return depot


def _demands(data: dict[str, Any], n_nodes: int, depot: int, ids: list[str]) -> list[float]:
    if "demand" not in data:
        raise InputError("DEMAND_SECTION", "missing; a CVRP instance needs a demand per node")
    demand = _table(data["demand"], "DEMAND_SECTION").reshape(-1)
    if len(demand) != n_nodes:
        raise InputError("DEMAND_SECTION", f"{len(demand)} demands for DIMENSION {n_nodes}")
    if demand[depot] != 0:
        raise InputError("DEMAND_SECTION", f"the depot (node {ids[depot]}) has demand {demand[depot]:g}; it must be 0")
    return [float(v) for v in demand]


def _coordinates(data: dict[str, Any], n_nodes: int) -> list[tuple[float, float]] | None:
    if "node_coord" not in data:
        return None
    coords = _table(data["node_coord"], "NODE_COORD_SECTION")
    if coords.shape != (n_nodes, 2):
        raise InputError("NODE_COORD_SECTION", f"expected {n_nodes} rows of x y, got shape {coords.shape}")
    return [(float(x), float(y)) for x, y in coords]


def _capacity(data: dict[str, Any]) -> float:
    if "capacity" not in data:
        raise InputError("CAPACITY", "missing; a CVRP instance needs a vehicle capacity")
    return _scalar(data["capacity"], "CAPACITY")


def _optional(data: dict[str, Any], key: str) -> float | None:
    return _scalar(data[key], key.upper()) if key in data else None


def _scalar(value: Any, field: str, *, integer: bool = False) -> float:
    """One finite number in range (an integer where ``integer``), else an InputError naming the field."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(
            field, f"expected {'an integer' if integer else 'a number'}, got {str(value)[:60]!r}"
        ) from None
    if not abs(number) <= MAX_NUMBER or (integer and not number.is_integer()):
        raise InputError(field, f"{str(value)[:60]} is not {'an integer' if integer else 'a number'} in range")
    return number


def _table(value: Any, section: str) -> np.ndarray:
    """A section's rows as a float array: rows of unequal length, text or out-of-range numbers are an
    InputError naming the section (numpy's own errors would be a traceback)."""
    try:
        table = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InputError(section, "rows of unequal length or entries that are not numbers") from None
    if not np.all(np.abs(table) <= MAX_NUMBER):
        raise InputError(section, f"a number out of range (numbers must be finite and at most {MAX_NUMBER:.0e})")
    return table


def _time_sections(data: dict[str, Any], n_nodes: int) -> tuple[list[tuple[float, float]], list[float]]:
    """Each node's window and service time (empty lists for a file without TIME_WINDOW_SECTION)."""
    if "time_window" not in data:
        if "service_time" in data:
            field = "SERVICE_TIME" if np.ndim(data["service_time"]) == 0 else "SERVICE_TIME_SECTION"
            raise InputError(field, "service times need a TIME_WINDOW_SECTION (the depot's row is the hub's hours)")
        return [], []
    windows = _table(data["time_window"], "TIME_WINDOW_SECTION")
    if windows.shape != (n_nodes, 2):
        raise InputError(
            "TIME_WINDOW_SECTION", f"expected {n_nodes} rows of earliest latest, got shape {windows.shape}"
        )
    service = _table(data.get("service_time", 0.0), "SERVICE_TIME_SECTION").reshape(-1)
    if len(service) == 1:
        service = np.repeat(service, n_nodes)
    if len(service) != n_nodes:
        raise InputError("SERVICE_TIME_SECTION", f"{len(service)} service times for DIMENSION {n_nodes}")
    return [(float(a), float(b)) for a, b in windows], [float(v) for v in service]


def _fleet_size(data: dict[str, Any], name: str, vehicles: int | None) -> tuple[int, str]:
    """The fleet size and where it came from: the argument, VEHICLES, or the -kN name suffix."""
    if vehicles is not None:
        if vehicles < 1:
            raise InputError("vehicles", f"fleet size must be >= 1, got {vehicles}")
        return vehicles, "the vehicles argument"
    if "vehicles" in data:
        return int(_scalar(data["vehicles"], "VEHICLES", integer=True)), "the VEHICLES field"
    match = FLEET_SUFFIX.search(name)
    if match:
        return int(match.group(1)), f"the name suffix -k{match.group(1)}"
    raise InputError(
        "VEHICLES", f"instance {name} states no fleet size (no VEHICLES field, no -kN suffix); pass --vehicles N"
    )


def _distances(
    data: dict[str, Any], coords: list[tuple[float, float]] | None, n_nodes: int
) -> tuple[DistanceSpec, np.ndarray | None]:
    kind = str(data.get("edge_weight_type", "")).strip()
    if kind == "EUC_2D":
        if coords is None:
            raise InputError("NODE_COORD_SECTION", "EUC_2D distances need node coordinates")
        return DistanceSpec("euclidean", rounding="nearest"), None
    if not kind and "edge_weight" not in data:
        raise InputError("EDGE_WEIGHT_TYPE", "missing; state how distances are given (EUC_2D, EXPLICIT, ...)")
    if kind == "EXPLICIT" and "edge_weight" not in data:
        raise InputError("EDGE_WEIGHT_SECTION", "missing; EDGE_WEIGHT_TYPE EXPLICIT needs the matrix")
    try:
        # the type as text: vrplib parses "EDGE_WEIGHT_TYPE : -1" as a number, which its own parser cannot read
        matrix = (
            data["edge_weight"] if "edge_weight" in data else parse_distances([], **{**data, "edge_weight_type": kind})
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError("EDGE_WEIGHT_TYPE", f"{kind or 'missing'}: {exc}") from None
    matrix = _table(matrix, "EDGE_WEIGHT_SECTION")
    if matrix.shape != (n_nodes, n_nodes):
        raise InputError("EDGE_WEIGHT_SECTION", f"matrix of shape {matrix.shape} for DIMENSION {n_nodes}")
    return DistanceSpec("matrix"), matrix


def _comment(data: dict[str, Any]) -> str:
    return str(data.get("comment", "")).strip()
