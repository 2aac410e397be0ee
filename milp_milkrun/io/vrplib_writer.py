"""Write an instance as a VRPLIB ``.vrp`` file that ``vrplib`` and PyVRP's ``read`` load as the same problem.

Mapping (the reverse of :mod:`milp_milkrun.io.vrplib_instance`; docs/formats.md has the table):

* node 1 is the hub, nodes 2..N+1 the DCs in the instance's order, split parts included (a DC above
  every capacity is written as its parts at the same place), so node n is index n - 1 of a ``.sol``;
* distances: ``EUC_2D`` with the coordinates when the instance's distances are Euclidean rounded to
  the nearest integer (TSPLIB's convention), else ``EXPLICIT`` ``FULL_MATRIX`` with the distances as
  the instance holds them (haversine x road factor, unrounded Euclidean, a given matrix); a damaged
  road is a matrix entry so long that no plan using it is as good as one that avoids it
  (:func:`prohibitive_distance`);
* the fleet: ``VEHICLES`` and ``CAPACITY`` for one type of plain capacitated vehicles, else PyVRP's
  per-vehicle sections, one row per vehicle in fleet order: ``CAPACITY_SECTION``,
  ``VEHICLES_MAX_DISTANCE_SECTION``, ``VEHICLES_FIXED_COST_SECTION`` and
  ``VEHICLES_UNIT_DISTANCE_COST_SECTION`` (the cost objective; times :func:`cost_scale`),
  ``VEHICLES_ALLOWED_CLIENTS_SECTION`` (the forbidden DC-vehicle pairs);
* what VRPLIB cannot state (stop limits, consecutive pairs) is written as ``#`` comment lines, which
  ``vrplib`` skips, and returned in :attr:`VrplibText.unrepresentable` so that the caller names it.

Time: ``TIME_WINDOW_SECTION`` (each node's window; the depot's row is the hub's hours) and
``SERVICE_TIME_SECTION`` (minutes per node), which PyVRP and this toolkit's reader take with travel time
equal to distance. What they cannot state is named by :func:`unrepresentable`: travel times that are
not the distances, several windows at one DC (written as their span), and shifts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.limits import FLOAT_NOISE

Row = Sequence[float | int]
UNREPRESENTABLE_COMMENT = "# not representable in VRPLIB (not applied by readers): "  # the reader warns of these lines
MAX_COST_DIGITS = 6  # costs per km are written with at most this many decimals (PyVRP reads them as integers)


@dataclass(frozen=True)
class VrplibText:
    """A VRPLIB file's text and what of the instance it could only write as a comment."""

    text: str
    unrepresentable: tuple[str, ...]  # constraints VRPLIB cannot state: a reader of the file does not apply them


def vrplib_text(instance: Instance, *, strict: bool = False) -> VrplibText:
    """The instance as VRPLIB text (the module docstring gives the mapping).

    Parameters
    ----------
    instance : Instance
        Any instance.
    strict : bool
        Refuse (``InputError`` naming ``strict``) an instance with a constraint VRPLIB cannot state,
        instead of writing it as a comment line.

    Returns
    -------
    VrplibText
        The text and the constraints written only as comments, one phrase each.
    """
    lost = unrepresentable(instance)
    if strict and lost:
        raise InputError(
            "strict", f"VRPLIB cannot state {'; '.join(lost)}; without --strict they are written as comment lines"
        )
    lines = [*_specifications(instance), *_comments(instance, lost)]
    for name, rows in _sections(instance):
        lines.append(name)
        lines.extend(" ".join(_number(v) for v in row) for row in rows)
    lines.append("EOF")
    return VrplibText("\n".join(lines) + "\n", tuple(lost))


def unrepresentable(instance: Instance) -> list[str]:
    """The constraints of ``instance`` that a VRPLIB reader (PyVRP included) cannot apply.

    Parameters
    ----------
    instance : Instance
        Any instance.

    Returns
    -------
    list[str]
        One phrase per constraint, e.g. ``consecutive pair DC55 -> DC24``.
    """
    lost = [
        f"max_stops {vt.max_stops} of vehicle type {vt.name}"
        for vt in instance.vehicle_types
        if vt.max_stops is not None
    ]
    lost += [f"consecutive pair {a} -> {b}" for a, b in instance.consecutive]
    lost += _time_not_representable(instance)
    scale = cost_scale(instance)
    if instance.objective == "cost" and not all(_whole(vt.cost_per_km * scale) for vt in instance.vehicle_types):
        lost.append(f"costs per km with more than {MAX_COST_DIGITS} decimals (written rounded)")
    free = [vt.name for vt in instance.vehicle_types if vt.cost_per_km == 0]
    if instance.damaged_roads and instance.objective == "cost" and free:
        lost.append(f"damaged roads for vehicle type {', '.join(free)} (cost per km 0: a long road costs them nothing)")
    return lost


def prohibitive_distance(instance: Instance) -> float:
    """The length written for a damaged road: longer than any plan that drives only undamaged roads costs.

    A plan drives at most N + min(V, N) arcs (N DCs, V vehicles), each no longer than the longest
    undamaged one, d_max; its cost is at most every fixed cost plus the largest cost per km times that
    length. A plan with one damaged road of length M costs at least M times the smallest cost per km,
    so M above that bound divided by that rate makes every plan that uses one worse than every plan that
    does not (under the distance objective, all rates are 1 and there are no fixed costs).

    Parameters
    ----------
    instance : Instance
        An instance with damaged roads.

    Returns
    -------
    float
        M, an integer.
    """
    usable = ~_damaged_mask(instance)
    longest = float(instance.distance[usable].max(initial=0.0))
    length = (instance.n_dcs + min(len(instance.vehicles), instance.n_dcs)) * longest
    if instance.objective != "cost":
        return float(math.ceil(length) + 1)
    rates = [vt.cost_per_km for vt in instance.vehicle_types]
    fixed = sum(v.type.fixed_cost for v in instance.vehicles)
    smallest = min(rate for rate in rates if rate > 0) if any(rates) else 1.0
    return float(math.ceil((fixed + max(rates) * length) / smallest) + 1)


def cost_scale(instance: Instance) -> int:
    """The factor every cost is written times: the least power of ten that makes each cost per km whole.

    PyVRP holds a cost per distance unit as an integer (it would read 1.1 as 1), so a fleet with
    costs per km 1 and 1.1 is written with costs 10 and 11 and fixed costs times 10: the same plans
    are best, and each objective value is the instance's times the factor.

    Parameters
    ----------
    instance : Instance
        An instance with the cost objective.

    Returns
    -------
    int
        1, 10, 100, ... up to 10**6 (beyond that the costs are rounded, see :func:`unrepresentable`).
    """
    rates = [vt.cost_per_km for vt in instance.vehicle_types]
    powers = (10**k for k in range(MAX_COST_DIGITS + 1) if all(_whole(rate * 10**k) for rate in rates))
    return next(powers, 10**MAX_COST_DIGITS)


def _whole(value: float) -> bool:
    return abs(value - round(value)) <= FLOAT_NOISE * max(1.0, abs(value))


def no_distance_limit(matrix: np.ndarray) -> float:
    """A route-length limit no route reaches: each node's longest arc, summed (a route leaves each node once).

    Parameters
    ----------
    matrix : np.ndarray
        The distances as written.

    Returns
    -------
    float
        The limit written for a vehicle type without one, when another type has one.
    """
    return float(math.ceil(matrix.max(axis=1).sum()) + 1)


# ----- the header -----------------------------------------------------------------------------
def _specifications(instance: Instance) -> list[str]:
    lines = [
        f"NAME : {_one_line(instance.name)}",
        f"COMMENT : {_one_line(_comment(instance))}",
        "TYPE : CVRP",
        f"DIMENSION : {instance.n_dcs + 1}",
        f"VEHICLES : {len(instance.vehicles)}",
    ]
    if _plain_fleet(instance):
        lines.append(f"CAPACITY : {_number(instance.vehicle_types[0].capacity)}")
    if _euclidean_rounded(instance):
        lines.append("EDGE_WEIGHT_TYPE : EUC_2D")
    else:
        lines += ["EDGE_WEIGHT_TYPE : EXPLICIT", "EDGE_WEIGHT_FORMAT : FULL_MATRIX"]
    return lines


def _comment(instance: Instance) -> str:
    rounding = "round" if _integral(instance) else "exact"
    return f"milp-milkrun instance {instance.name}, distances in {instance.distance_unit}; PyVRP: pyvrp.read(path, round_func='{rounding}')"


def _integral(instance: Instance) -> bool:
    """Whether every number PyVRP rounds is an integer already (then ``round`` keeps them, else ``exact``)."""
    limits = [v for vt in instance.vehicle_types for v in (vt.capacity, vt.max_distance or 0, vt.fixed_cost)]
    numbers = np.concatenate([_matrix(instance).ravel(), instance.demand, limits])
    return bool(np.all(np.mod(numbers, 1) == 0))


def _comments(instance: Instance, lost: Sequence[str]) -> list[str]:
    """``#`` lines: the description, node and vehicle names, the notes and the constraints VRPLIB cannot state."""
    lines = [f"# {line}" for line in instance.description.splitlines() if line.strip()]
    lines.append(
        f"# node 1 = hub {instance.hub.id}; "
        + ", ".join(f"node {k} = {dc.id}" for k, dc in enumerate(instance.dcs, start=2))
    )
    lines.append("# vehicles in fleet order (Route #k of a .sol file): " + ", ".join(v.name for v in instance.vehicles))
    lines += [f"# note: {note}" for note in _notes(instance)]
    lines += [f"{UNREPRESENTABLE_COMMENT}{phrase}" for phrase in lost]
    return lines


def _notes(instance: Instance) -> Iterable[str]:
    """What the file holds differently from the instance without changing the problem."""
    if instance.coordinates == "latlon":
        yield "NODE_COORD_SECTION holds lon lat; the distances are the matrix"
    for original, parts in instance.splits:
        yield f"DC {original} is written as its parts {', '.join(parts)} (its demand exceeds every capacity)"
    for vt in instance.vehicle_types:
        if vt.unlimited:
            yield f"vehicle type {vt.name} is unlimited: {vt.count} vehicles, more than any plan can use"
        if instance.objective != "cost" and (vt.fixed_cost or vt.cost_per_km != 1):
            yield f"vehicle type {vt.name} costs {vt.fixed_cost:g} + {vt.cost_per_km:g}/km (the objective is distance: not written)"
    if instance.objective == "cost" and cost_scale(instance) > 1:
        yield f"costs are written times {cost_scale(instance)} (PyVRP reads whole costs per distance unit): divide its objective by that"
    if instance.unit_mass_kg is not None:
        yield f"one unit of demand weighs {instance.unit_mass_kg:g} kg"
    if instance.damaged_roads:
        roads = ", ".join(f"{a}-{b}" for a, b in instance.damaged_roads)
        yield f"damaged roads {roads} are written as distance {_number(prohibitive_distance(instance))}"


def _time_not_representable(instance: Instance) -> list[str]:
    """What VRPLIB's time sections (travel time = distance, one window a node) cannot state."""
    if not instance.has_time:
        return []
    lost = [
        f"travel times of vehicle type {vt.name} (VRPLIB's travel time is the distance)"
        for vt in instance.vehicle_types
        if not np.array_equal(instance.travel_time(vt), instance.distance)
    ]
    lost += [
        f"DC {dc.id}'s {len(dc.windows)} windows (written as their span)" for dc in instance.dcs if len(dc.windows) > 1
    ]
    lost += [
        f"shift {vt.shift:g} min of vehicle type {vt.name}" for vt in instance.vehicle_types if vt.shift is not None
    ]
    return lost


# ----- the sections ---------------------------------------------------------------------------
def _sections(instance: Instance) -> list[tuple[str, list[Row]]]:
    """Every data section, in order."""
    sections: list[tuple[str, list[Row]]] = []
    if instance.coordinates != "none":
        xy = [(instance.hub.x, instance.hub.y), *((dc.x, dc.y) for dc in instance.dcs)]
        sections.append(("NODE_COORD_SECTION", [(k, x or 0.0, y or 0.0) for k, (x, y) in enumerate(xy, start=1)]))
    if not _euclidean_rounded(instance):
        sections.append(("EDGE_WEIGHT_SECTION", [list(row) for row in _matrix(instance)]))
    sections.append(("DEMAND_SECTION", [(k, demand) for k, demand in enumerate(instance.demand, start=1)]))
    if instance.has_time:
        spans = [(w[0][0], w[-1][1]) for w in instance.windows]
        sections.append(("TIME_WINDOW_SECTION", [(k, start, end) for k, (start, end) in enumerate(spans, start=1)]))
        sections.append(("SERVICE_TIME_SECTION", [(k, float(t)) for k, t in enumerate(instance.service_time, start=1)]))
    if not _plain_fleet(instance):
        sections += _fleet_sections(instance)
    sections.append(("DEPOT_SECTION", [(1,), (-1,)]))
    return sections


def _fleet_sections(instance: Instance) -> list[tuple[str, list[Row]]]:
    """PyVRP's per-vehicle sections, one row per vehicle in fleet order."""
    vehicles = instance.vehicles
    sections: list[tuple[str, list[Row]]] = [
        ("CAPACITY_SECTION", [(k, v.capacity) for k, v in enumerate(vehicles, start=1)])
    ]
    if any(vt.max_distance is not None for vt in instance.vehicle_types):
        unlimited = no_distance_limit(_matrix(instance))
        limits = [v.max_distance if v.max_distance is not None else unlimited for v in vehicles]
        sections.append(("VEHICLES_MAX_DISTANCE_SECTION", [(k, limit) for k, limit in enumerate(limits, start=1)]))
    if instance.objective == "cost":
        scale = cost_scale(instance)
        fixed: list[Sequence[float | int]] = [(k, scale * v.type.fixed_cost) for k, v in enumerate(vehicles, start=1)]
        per_distance: list[Sequence[float | int]] = [
            (k, round(scale * v.type.cost_per_km)) for k, v in enumerate(vehicles, start=1)
        ]
        sections += [("VEHICLES_FIXED_COST_SECTION", fixed), ("VEHICLES_UNIT_DISTANCE_COST_SECTION", per_distance)]
    if instance.forbidden:
        allowed = [
            [n for n, dc in enumerate(instance.dcs, start=2) if instance.is_allowed(dc.id, v.name)] for v in vehicles
        ]
        sections.append(("VEHICLES_ALLOWED_CLIENTS_SECTION", [(k, *nodes) for k, nodes in enumerate(allowed, start=1)]))
    return sections


def _plain_fleet(instance: Instance) -> bool:
    """One type with a capacity only: the classic CVRP header (CAPACITY, VEHICLES) says it all."""
    (first, *others) = instance.vehicle_types
    return not others and first.max_distance is None and instance.objective != "cost" and not instance.forbidden


def _euclidean_rounded(instance: Instance) -> bool:
    spec = instance.distance_spec
    return spec.metric == "euclidean" and spec.rounding == "nearest" and not instance.damaged_roads


def _damaged_mask(instance: Instance) -> np.ndarray:
    mask = np.zeros(instance.distance.shape, dtype=bool)
    for a, b in instance.damaged_roads:
        i, j = instance.index[a], instance.index[b]
        mask[i, j] = mask[j, i] = True
    return mask


def _matrix(instance: Instance) -> np.ndarray:
    """The distances as written: the instance's, with every damaged road at the prohibitive length."""
    if not instance.damaged_roads:
        return instance.distance
    matrix = instance.distance.copy()
    matrix[_damaged_mask(instance)] = prohibitive_distance(instance)
    return matrix


def _number(value: float) -> str:
    """Integral values as integers, others with every digit (``repr``), so the reader gets the same float."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def _one_line(text: str) -> str:
    """A header value ``vrplib`` reads back whole: one line, without the tokens that end its header."""
    return " ".join(text.split()).replace("EOF", "Eof").replace("_SECTION", "_Section")
