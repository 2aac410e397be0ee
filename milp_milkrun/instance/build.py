"""``build_instance``: the single place where an instance's semantics are checked (ids, demands, fleet,
side constraints, matrix), oversized DCs are split and distances are computed."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from milp_milkrun.errors import InputError
from milp_milkrun.instance.distances import asymmetry_warnings, distance_matrix, expand_distance, reorder_matrix
from milp_milkrun.instance.parts import DC, DistanceSpec, Site, TimeSpec, VehicleType
from milp_milkrun.instance.problem import Instance
from milp_milkrun.request_limits import MAX_DC_NODES, usable_count
from milp_milkrun.timing import check_reachable, check_time

OBJECTIVES = ("distance", "cost")  # what an instance may ask to minimise (emissions need a factors file)


def build_instance(
    *,
    name: str,
    hub: Site,
    dcs: Sequence[DC],
    vehicle_types: Sequence[VehicleType],
    distance_spec: DistanceSpec,
    matrix: np.ndarray | None = None,
    matrix_ids: Sequence[str] | None = None,
    forbidden: Iterable[Mapping[str, str]] = (),
    consecutive: Iterable[Sequence[str]] = (),
    damaged_roads: Iterable[Sequence[str]] = (),
    coordinates: str = "none",
    distance_unit: str = "km",
    description: str = "",
    unit_mass_kg: float | None = None,
    objective: str = "distance",
    time: TimeSpec | None = None,
    travel_matrix: np.ndarray | None = None,
    travel_matrix_ids: Sequence[str] | None = None,
) -> Instance:
    """Validate the semantics of an instance, split oversized DCs and compute d_ij.

    Parameters
    ----------
    name, description : str
        The instance's name and a free text about it.
    hub : Site
        The hub (node 0).
    dcs : Sequence[DC]
        The DCs (nodes 1..N, in this order).
    vehicle_types : Sequence[VehicleType]
        The fleet, type by type; a type with ``count=None`` is unlimited: it gets the count of
        :func:`_unlimited_count`.
    distance_spec : DistanceSpec
        How d_ij is obtained: from coordinates (haversine, euclidean) or from ``matrix``.
    matrix, matrix_ids : optional
        An explicit distance matrix and the node ids of its rows and columns.
    forbidden : Iterable[Mapping[str, str]]
        Set B: ``{"dc": id, "vehicle_type": name}`` or ``{"dc": id, "vehicle": name}`` entries.
    consecutive : Iterable[Sequence[str]]
        Set P: pairs of DCs one vehicle must visit one right after the other.
    damaged_roads : Iterable[Sequence[str]]
        Roads (pairs of node ids) that may not be driven.
    coordinates : str
        ``latlon``, ``xy`` or ``none``.
    distance_unit : str
        The unit of d_ij, for reports.
    unit_mass_kg : float, optional
        The mass of one unit of demand (for emissions).
    objective : str
        What a solve minimises by default: ``distance`` or ``cost``.
    time : TimeSpec, optional
        The hub's hours and a default speed; None for an instance without time (then no DC or
        vehicle type may give a time field).
    travel_matrix, travel_matrix_ids : optional
        An explicit travel-time matrix (minutes) and the node ids of its rows and columns, instead
        of speeds.

    Returns
    -------
    Instance
        The immutable instance. The first problem found raises :class:`InputError` naming its field
        and id.
    """
    _check_ids(hub, dcs)
    _check_fleet(vehicle_types)
    if objective not in OBJECTIVES:
        raise InputError("objective", f"unknown objective {objective!r}; choose from {', '.join(OBJECTIVES)}")
    _check_unlimited_forbidden(forbidden, vehicle_types)
    check_time(time, dcs, vehicle_types, has_travel_matrix=travel_matrix is not None or travel_matrix_ids is not None)
    vehicle_types = [replace(vt, count=1, unlimited=True) if vt.count is None else vt for vt in vehicle_types]
    forbidden = list(forbidden)
    stated = {vt.name: vt.count for vt in vehicle_types}
    vehicle_types = _usable_fleet(vehicle_types, forbidden, _dc_nodes_at_most(dcs, vehicle_types))
    for k, dc in enumerate(dcs):
        if not math.isfinite(dc.demand) or dc.demand < 0:
            raise InputError(f"dcs[{k}].demand", f"DC {dc.id} has demand {dc.demand}; demand must be >= 0")
        if dc.unit_mass_kg is not None and not (math.isfinite(dc.unit_mass_kg) and dc.unit_mass_kg > 0):
            raise InputError(f"dcs[{k}].unit_mass_kg", f"DC {dc.id} has unit mass {dc.unit_mass_kg}; it must be > 0")
    known = {hub.id, *(dc.id for dc in dcs)}
    forbidden_pairs = _expand_forbidden(forbidden, {dc.id for dc in dcs}, vehicle_types)
    consecutive_pairs = _check_pairs("consecutive", consecutive, known, hub.id, allow_hub=False)
    damaged = _check_pairs("damaged_roads", damaged_roads, known, hub.id, allow_hub=True)
    _check_consecutive_chains(consecutive_pairs, damaged)
    base_distance = distance_matrix(hub, dcs, distance_spec, matrix, matrix_ids)
    warnings = [*asymmetry_warnings(base_distance), *_capacity_warnings(dcs, vehicle_types)]
    split_dcs, splits = _split_oversized(dcs, vehicle_types, forbidden_pairs, consecutive_pairs)
    capped = _usable_fleet(vehicle_types, forbidden, len(split_dcs))
    warnings += [
        _capped_warning(vt, stated[vt.name])
        for vt in capped
        if not vt.unlimited and (vt.count or 0) < (stated[vt.name] or 0)
    ]
    if capped != vehicle_types:
        vehicle_types = capped
        forbidden_pairs = _expand_forbidden(forbidden, {dc.id for dc in dcs}, vehicle_types)
    if any(vt.unlimited for vt in vehicle_types):
        vehicle_types = [
            _unlimited_count(vt, split_dcs, forbidden_pairs) if vt.unlimited else vt for vt in vehicle_types
        ]
        forbidden_pairs = _expand_forbidden(forbidden, {dc.id for dc in dcs}, vehicle_types)
    distance = expand_distance(base_distance, dcs, split_dcs)
    travel = None
    if travel_matrix is not None or travel_matrix_ids is not None:
        travel = reorder_matrix(hub, dcs, travel_matrix, travel_matrix_ids, "time.travel_time")
        travel = expand_distance(travel, dcs, split_dcs)
        travel.setflags(write=False)
    instance = Instance(
        name=name,
        hub=hub,
        dcs=tuple(split_dcs),
        vehicle_types=tuple(vehicle_types),
        distance=distance,
        distance_spec=distance_spec,
        forbidden=_forbidden_for_parts(forbidden_pairs, splits),
        consecutive=tuple(consecutive_pairs),
        damaged_roads=_damaged_for_parts(damaged, splits),
        coordinates=coordinates,
        distance_unit=distance_unit,
        description=description,
        unit_mass_kg=unit_mass_kg,
        objective=objective,
        splits=tuple((orig, tuple(parts)) for orig, parts in splits.items()),
        warnings=tuple(warnings),
        time=time,
        travel_matrix=travel,
    )
    if instance.has_time:
        check_reachable(instance)
    return instance


def _check_ids(hub: Site, dcs: Sequence[DC]) -> None:
    if not dcs:
        raise InputError("dcs", "the instance has no DCs")
    seen = {hub.id: "hub.id"}
    for where, node in [("hub.id", hub.id), *((f"dcs[{k}].id", dc.id) for k, dc in enumerate(dcs))]:
        if not node.isprintable():
            raise InputError(where, f"id {node!r} contains a control character; ids must be printable")
    for k, dc in enumerate(dcs):
        where = f"dcs[{k}].id"
        if not dc.id:
            raise InputError(where, "DC id is empty")
        if "/" in dc.id:
            raise InputError(where, f"DC id {dc.id!r} contains '/', which is reserved for split parts")
        if dc.id in seen:
            raise InputError(where, f"id {dc.id!r} is used twice (also at {seen[dc.id]})")
        seen[dc.id] = where


def _check_fleet(vehicle_types: Sequence[VehicleType]) -> None:
    if not vehicle_types:
        raise InputError("vehicle_types", "the fleet is empty")
    names: set[str] = set()
    for k, vt in enumerate(vehicle_types):
        where = f"vehicle_types[{k}]"
        if vt.name in names:
            raise InputError(f"{where}.name", f"vehicle type {vt.name!r} is defined twice")
        if not vt.name.isprintable():
            raise InputError(
                f"{where}.name", f"vehicle type name {vt.name!r} contains a control character; names must be printable"
            )
        names.add(vt.name)
        if vt.count is not None and vt.count < 1:
            raise InputError(f"{where}.count", f"vehicle type {vt.name} has count {vt.count}; it must be >= 1")
        if not vt.capacity > 0:
            raise InputError(f"{where}.capacity", f"vehicle type {vt.name} has capacity {vt.capacity}; it must be > 0")
        if vt.max_distance is not None and not vt.max_distance > 0:
            raise InputError(
                f"{where}.max_distance", f"vehicle type {vt.name} has max_distance {vt.max_distance}; it must be > 0"
            )
        if vt.max_stops is not None and vt.max_stops < 1:
            raise InputError(
                f"{where}.max_stops", f"vehicle type {vt.name} has max_stops {vt.max_stops}; it must be >= 1"
            )
        for cost_field in ("fixed_cost", "cost_per_km", "cost_per_hour"):
            value = getattr(vt, cost_field)
            if not (math.isfinite(value) and value >= 0):
                raise InputError(
                    f"{where}.{cost_field}",
                    f"vehicle type {vt.name} has {cost_field} {value}; it must be a number >= 0",
                )


def _check_unlimited_forbidden(entries: Iterable[Mapping[str, str]], vehicle_types: Sequence[VehicleType]) -> None:
    """Vehicles of an unlimited type have no fixed names: forbid the type, not one of its vehicles."""
    unlimited = {vt.name for vt in vehicle_types if vt.count is None}
    for k, entry in enumerate(entries):
        vehicle = entry.get("vehicle")
        if isinstance(vehicle, str) and vehicle.rsplit("-", 1)[0] in unlimited:
            raise InputError(
                f"forbidden[{k}].vehicle",
                f"{vehicle} belongs to the unlimited type {vehicle.rsplit('-', 1)[0]}; forbid the vehicle_type instead",
            )


def _capped_warning(vt: VehicleType, stated: int | None) -> str:
    return f"vehicle type {vt.name}: {stated:,} vehicles stated, no plan uses more than {vt.count:,} (one per DC node); built with {vt.count:,}"


def _dc_nodes_at_most(dcs: Sequence[DC], vehicle_types: Sequence[VehicleType]) -> int:
    """An upper bound on the DC nodes after splits (one past MAX_DC_NODES, beyond which they are refused)."""
    smallest = min(vt.capacity for vt in vehicle_types)
    nodes = sum(
        max(1, math.ceil(dc.demand / smallest)) if math.isfinite(dc.demand) and dc.demand > 0 else 1 for dc in dcs
    )
    return min(nodes, MAX_DC_NODES + 1)


def _usable_fleet(
    vehicle_types: Sequence[VehicleType], forbidden: Sequence[Mapping[str, str]], dc_nodes: int
) -> list[VehicleType]:
    """Each limited type with no more vehicles than a plan can use (request_limits.usable_count)."""
    named: dict[str, int] = {}
    for entry in forbidden:
        vtype, _, k = str(entry.get("vehicle", "")).rpartition("-")
        if k.isdigit():
            named[vtype] = max(named.get(vtype, 0), int(k))
    return [
        vt
        if vt.unlimited or vt.count is None
        else replace(vt, count=usable_count(vt.count, dc_nodes, named.get(vt.name, 0)))
        for vt in vehicle_types
    ]


def _unlimited_count(vt: VehicleType, dcs: Sequence[DC], forbidden: set[tuple[str, str]]) -> VehicleType:
    """The type with a count no plan needs more of: the number of DC nodes it may serve.

    Every vehicle a plan uses visits at least one DC and every DC is visited once, so no plan uses
    more vehicles of a type than there are DCs the type may serve (demand within its capacity, not
    forbidden). The bound is valid for every objective and every side constraint.
    """
    probe = f"{vt.name}-1"  # an unlimited type is forbidden by type only, so one vehicle speaks for all
    servable = sum(1 for dc in dcs if dc.demand <= vt.capacity and (dc.origin, probe) not in forbidden)
    return replace(vt, count=max(servable, 1))


def _expand_forbidden(
    entries: Iterable[Mapping[str, str]], dc_ids: set[str], vehicle_types: Sequence[VehicleType]
) -> set[tuple[str, str]]:
    """Turn type-level and vehicle-level forbidden entries into the set B of (dc, vehicle name)."""
    by_type = {vt.name: vt.vehicle_names() for vt in vehicle_types}
    all_vehicles = {name for names in by_type.values() for name in names}
    pairs: set[tuple[str, str]] = set()
    for k, entry in enumerate(entries):
        dc = entry.get("dc")
        if dc not in dc_ids:
            raise InputError(f"forbidden[{k}].dc", f"unknown DC {dc!r}")
        if "vehicle_type" in entry:
            vtype = entry["vehicle_type"]
            if vtype not in by_type:
                raise InputError(f"forbidden[{k}].vehicle_type", f"unknown vehicle type {vtype!r}")
            pairs.update((dc, name) for name in by_type[vtype])
        elif "vehicle" in entry:
            vehicle = entry["vehicle"]
            if vehicle not in all_vehicles:
                raise InputError(
                    f"forbidden[{k}].vehicle", f"unknown vehicle {vehicle!r} (vehicles are named <type>-<k>)"
                )
            pairs.add((dc, vehicle))
        else:
            raise InputError(f"forbidden[{k}]", "needs 'vehicle_type' or 'vehicle'")
    for dc in sorted(dc_ids):
        if all((dc, name) in pairs for name in all_vehicles):
            raise InputError("forbidden", f"DC {dc} is forbidden for every vehicle, so nobody may serve it")
    return pairs


def _check_pairs(
    field_name: str, pairs: Iterable[Sequence[str]], known: set[str], hub_id: str, *, allow_hub: bool
) -> list[tuple[str, str]]:
    checked: list[tuple[str, str]] = []
    for k, pair in enumerate(pairs):
        where = f"{field_name}[{k}]"
        if len(pair) != 2:
            raise InputError(where, f"expected a pair of ids, got {list(pair)!r}")
        a, b = pair
        for node in (a, b):
            if node not in known:
                raise InputError(where, f"unknown id {node!r}")
            if node == hub_id and not allow_hub:
                raise InputError(where, f"the hub {hub_id!r} cannot be part of a consecutive pair")
        if a == b:
            raise InputError(where, f"pair ({a}, {b}) names the same DC twice")
        if (a, b) in checked or (field_name == "damaged_roads" and (b, a) in checked):
            raise InputError(where, f"pair ({a}, {b}) is listed twice")
        checked.append((a, b))
    return checked


def _check_consecutive_chains(consecutive: list[tuple[str, str]], damaged: list[tuple[str, str]]) -> None:
    """Reject a consecutive pair on a damaged road, a DC with two successors/predecessors, and cycles."""
    damaged_set = {*damaged, *((b, a) for a, b in damaged)}
    successor: dict[str, str] = {}
    predecessor: dict[str, str] = {}
    for k, (a, b) in enumerate(consecutive):
        where = f"consecutive[{k}]"
        if (a, b) in damaged_set:
            raise InputError(where, f"{a} -> {b} must be consecutive but the road between them is damaged")
        if (b, a) in successor.items():
            raise InputError(where, f"{a} -> {b} and {b} -> {a} cannot both be consecutive (a cycle without the hub)")
        if a in successor:
            raise InputError(where, f"{a} is asked to be followed by both {successor[a]} and {b}")
        if b in predecessor:
            raise InputError(where, f"{b} is asked to follow both {predecessor[b]} and {a}")
        successor[a] = b
        predecessor[b] = a
    for start in successor:
        node, steps = start, 0
        while node in successor:
            node, steps = successor[node], steps + 1
            if node == start:
                raise InputError(
                    "consecutive",
                    f"consecutive pairs form a cycle through {start}, which no route from the hub can follow",
                )
            if steps > len(successor):
                break


def _capacity_warnings(dcs: Sequence[DC], vehicle_types: Sequence[VehicleType]) -> list[str]:
    """A fleet too small for the total demand can never deliver it: say so before anyone solves."""
    if any(vt.count is None or vt.unlimited for vt in vehicle_types):
        return []
    demand = sum(dc.demand for dc in dcs)
    capacity = sum(vt.capacity * (vt.count or 0) for vt in vehicle_types)  # every count is set (above)
    if demand <= capacity:
        return []
    return [f"total demand {demand:,g} exceeds the fleet's capacity {capacity:,g}: no plan can deliver it"]


def _split_oversized(
    dcs: Sequence[DC],
    vehicle_types: Sequence[VehicleType],
    forbidden: set[tuple[str, str]],
    consecutive: list[tuple[str, str]],
) -> tuple[list[DC], dict[str, list[str]]]:
    """Split each DC whose demand exceeds the largest allowed capacity into full parts plus a remainder.

    This is the seed's rule: "the additional demand is served by creating a separate node at the same
    location". Parts are named ``DC7/1``, ``DC7/2``, ... and share the DC's location.
    """
    in_pairs = {node for pair in consecutive for node in pair}
    caps = {
        dc.id: max(vt.capacity for vt in vehicle_types if any((dc.id, n) not in forbidden for n in vt.vehicle_names()))
        for dc in dcs
    }
    nodes = sum(max(1, math.ceil(dc.demand / caps[dc.id])) for dc in dcs)
    if nodes > MAX_DC_NODES:
        raise InputError(
            "dcs",
            f"the instance has {nodes:,} DC nodes (after splitting DCs larger than every vehicle); at most {MAX_DC_NODES:,} are supported",
        )
    result: list[DC] = []
    splits: dict[str, list[str]] = {}
    for dc in dcs:
        cap = caps[dc.id]
        if dc.demand <= cap:
            result.append(dc)
            continue
        if dc.id in in_pairs:
            raise InputError(
                "consecutive",
                f"DC {dc.id} must be split (demand {dc.demand:g} > capacity {cap:g}) and cannot be in a consecutive pair",
            )
        n_parts = math.ceil(dc.demand / cap)
        amounts = [cap] * (n_parts - 1) + [dc.demand - cap * (n_parts - 1)]
        parts = [
            replace(dc, id=f"{dc.id}/{k}", demand=amount, origin=dc.id) for k, amount in enumerate(amounts, start=1)
        ]
        result.extend(parts)
        splits[dc.id] = [p.id for p in parts]
    return result, splits


def _forbidden_for_parts(pairs: set[tuple[str, str]], splits: dict[str, list[str]]) -> frozenset[tuple[str, str]]:
    return frozenset((part, vehicle) for dc, vehicle in pairs for part in splits.get(dc, [dc]))


def _damaged_for_parts(roads: list[tuple[str, str]], splits: dict[str, list[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((pa, pb) for a, b in roads for pa in splits.get(a, [a]) for pb in splits.get(b, [b]))
