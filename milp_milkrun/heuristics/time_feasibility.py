"""Time feasibility (Eq 15-18) of the heuristic's routes of units, by concatenated segments.

Vehicles that share travel times and a shift form a *time class*; each class keeps the segment
(:mod:`milp_milkrun.time_segments`: earliest and latest start and duration per window choice) of
every unit (a DC or a chain of consecutive DCs) and of the hub. A route of units is tested by
concatenating the hub, its units and the hub again, once per class (:func:`time_mask`): the result is
the bit mask of the vehicles that may drive it in time, which :func:`~.solution.route_totals` folds
into the route's allowed-vehicle mask, so every ``fits`` test of a move, an insertion or a split
covers time as it covers forbidden DCs. The split extends its segments unit by unit
(:func:`extend`, :func:`closed_mask`). The checker does not use this module: it walks each route
itself.

A move changes a route in one place, so most of a candidate route is a prefix and a suffix of a
route the solution holds. Every route the solution writes is remembered (:func:`remember`: the
segments of each of its prefixes from the hub and of each of its suffixes back to the hub, keyed by
its first and its last unit), and :func:`time_mask` starts from the longest remembered prefix of the
candidate, concatenates only the units in between, and joins the longest remembered suffix. The
memory is keyed by content (the units are compared), so a stale entry can only be unused, never
wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from milp_milkrun.instance import Instance, VehicleType
from milp_milkrun.limits import FLOAT_NOISE
from milp_milkrun.time_segments import (
    Segment,
    concatenate,
    node_segment,
    path_segment,
    within_shift,
)


@dataclass(frozen=True)
class TimeClass:
    """Vehicles with the same travel times and shift, and the segment of every unit for them."""

    members: int  # bit mask of the vehicles
    vehicle_type: VehicleType  # one of their types (its shift is theirs)
    travel: np.ndarray  # travel minutes, node-indexed
    unit_segment: list[Segment]  # per unit (index 0: the hub alone)


Remembered = tuple[tuple[int, ...], list[list[Segment]]]  # units, and per cut k the segments per class


@dataclass(frozen=True)
class TimeData:
    """The time classes of an instance, the first and last node of every unit, and the remembered
    prefixes and suffixes of routes (:func:`remember`)."""

    classes: tuple[TimeClass, ...]
    first: list[int]  # node of each unit's first DC (0 for the hub)
    last: list[int]  # node of each unit's last DC (0 for the hub)
    prefixes: dict[int, Remembered] = field(default_factory=dict)  # first unit -> units, hub + units[:k] per k
    suffixes: dict[int, Remembered] = field(default_factory=dict)  # last unit -> units, units[k:] + hub per k


def compile_time(instance: Instance, units: Sequence[tuple[int, ...]]) -> TimeData | None:
    """The time classes of ``instance`` for these units, or None for an instance without time.

    Parameters
    ----------
    instance : Instance
        The instance.
    units : Sequence[tuple[int, ...]]
        Node indices per unit; ``units[0] == ()`` is the hub.

    Returns
    -------
    TimeData or None
        What :func:`time_mask` needs.
    """
    if not instance.has_time:
        return None
    groups: dict[tuple[int, float | None], tuple[int, VehicleType, np.ndarray]] = {}
    for v, vehicle in enumerate(instance.vehicles):
        travel = instance.travel_time(vehicle.type)  # types of equal speed share one array
        key = (id(travel), vehicle.type.shift)
        members, vt, _ = groups.get(key, (0, vehicle.type, travel))
        groups[key] = (members | 1 << v, vt, travel)
    hub = node_segment(instance, 0)
    classes = tuple(
        TimeClass(members, vt, travel, [hub, *(path_segment(instance, travel, list(nodes)) for nodes in units[1:])])
        for members, vt, travel in groups.values()
    )
    return TimeData(classes, [0, *(nodes[0] for nodes in units[1:])], [0, *(nodes[-1] for nodes in units[1:])])


def extend(data: TimeData, segments: list[Segment], prev: int, u: int) -> list[Segment]:
    """The segments (one per class) of a path from the hub after unit ``u`` is appended to unit ``prev``.

    Parameters
    ----------
    data : TimeData
        The time classes.
    segments : list[Segment]
        Per class, the segment of the path so far (start with :func:`start`).
    prev, u : int
        The path's last unit (0: the hub) and the unit appended.

    Returns
    -------
    list[Segment]
        The extended segments; an empty one means the class cannot drive the path in time.
    """
    a, b = data.last[prev], data.first[u]
    return [
        concatenate(seg, c.unit_segment[u], float(c.travel[a, b])) if seg else seg
        for c, seg in zip(data.classes, segments)
    ]


def start(data: TimeData) -> list[Segment]:
    """Per class, the segment of the hub alone: where every path starts.

    Parameters
    ----------
    data : TimeData
        The time classes.

    Returns
    -------
    list[Segment]
        The hub's segment, once per class.
    """
    return [c.unit_segment[0] for c in data.classes]


def closed_mask(data: TimeData, segments: list[Segment], last: int) -> int:
    """The vehicles that may drive the path back to the hub from unit ``last`` in time (Eq 16-18).

    Parameters
    ----------
    data : TimeData
        The time classes.
    segments : list[Segment]
        Per class, the segment of the path from the hub to ``last``.
    last : int
        The path's last unit.

    Returns
    -------
    int
        The bit mask of those vehicles.
    """
    mask, at = 0, data.last[last]
    for c, seg in zip(data.classes, segments):
        if seg and within_shift(concatenate(seg, c.unit_segment[0], float(c.travel[at, 0])), c.vehicle_type):
            mask |= c.members
    return mask


def time_mask(data: TimeData, units: Sequence[int]) -> int:
    """The vehicles that may drive the route hub, ``units``, hub in time (windows, hub hours, shift).

    Parameters
    ----------
    data : TimeData
        The time classes.
    units : Sequence[int]
        The route's units in driving order (at least one).

    Returns
    -------
    int
        The bit mask of those vehicles.
    """
    n = len(units)
    k, segments = _remembered_prefix(data, units)
    m, tail = _remembered_suffix(data, units, n - k)
    prev = units[k - 1] if k else 0
    for u in units[k : n - m]:
        if not any(segments):
            return 0
        segments = extend(data, segments, prev, u)
        prev = u
    if tail is None:
        return closed_mask(data, segments, prev)
    return _joined_mask(data, segments, prev, units[n - m], tail)


def _remembered_prefix(data: TimeData, units: Sequence[int]) -> tuple[int, list[Segment]]:
    """The length k of the longest remembered prefix of ``units`` and the segments of hub + units[:k]."""
    known = data.prefixes.get(units[0])
    if known is None:
        return 0, start(data)
    remembered, segments = known
    k, limit = 0, min(len(remembered), len(units))
    while k < limit and remembered[k] == units[k]:
        k += 1
    return k, segments[k]


def _remembered_suffix(data: TimeData, units: Sequence[int], at_most: int) -> tuple[int, list[Segment] | None]:
    """The length m (at most ``at_most``) of the longest remembered suffix of ``units`` and the segments
    of units[-m:] + hub; (0, None) when none is remembered."""
    known = data.suffixes.get(units[-1])
    if known is None or at_most <= 0:
        return 0, None
    remembered, segments = known
    m, limit = 0, min(len(remembered), at_most)
    while m < limit and remembered[-1 - m] == units[-1 - m]:
        m += 1
    return (m, segments[len(remembered) - m]) if m else (0, None)


def _joined_mask(data: TimeData, head: list[Segment], prev: int, nxt: int, tail: list[Segment]) -> int:
    """The vehicles whose class drives hub .. ``prev`` (segments ``head``) then ``nxt`` .. hub (``tail``) in time."""
    mask, a, b = 0, data.last[prev], data.first[nxt]
    for c, left, right in zip(data.classes, head, tail):
        if left and right and within_shift(concatenate(left, right, float(c.travel[a, b])), c.vehicle_type):
            mask |= c.members
    return mask


def remember(data: TimeData, units: Sequence[int]) -> None:
    """Remember the segments of every prefix and suffix of a route the solution holds.

    Parameters
    ----------
    data : TimeData
        The time classes; its memory of routes is updated.
    units : Sequence[int]
        The route's units in driving order.
    """
    prefixes, segments, prev = [start(data)], start(data), 0
    for u in units:
        segments = extend(data, segments, prev, u)
        prefixes.append(segments)
        prev = u
    suffixes = [[c.unit_segment[0] for c in data.classes]]  # the hub alone, after the last unit
    nxt = 0
    for u in reversed(units):
        a, b = data.last[u], data.first[nxt]
        suffixes.append(
            [concatenate(c.unit_segment[u], seg, float(c.travel[a, b])) for c, seg in zip(data.classes, suffixes[-1])]
        )
        nxt = u
    key = tuple(units)
    data.prefixes[units[0]] = (key, prefixes)
    data.suffixes[units[-1]] = (key, suffixes[::-1])


WAIT_WEIGHT = 0.2  # a minute of forced waiting counts as 0.2 distance units in the neighbourhoods (Vidal et al. 2013)


def pair_penalty(data: TimeData) -> np.ndarray:
    """What time adds to the closeness of unit b following unit a: infinite when a's earliest end plus
    the drive is after b's latest start for every class, else ``WAIT_WEIGHT`` times the waiting b's
    opening forces even when a is left as late as possible (the least over the classes).

    A relaxation over the pieces of each unit (earliest end, latest start); the hub and the shift are
    ignored. Index 0 (the hub) costs nothing.

    Parameters
    ----------
    data : TimeData
        The time classes.

    Returns
    -------
    np.ndarray
        The penalty matrix over units, added to the distances that rank each unit's neighbours.
    """
    first, last = np.array(data.first), np.array(data.last)
    penalty = np.full((len(first), len(first)), np.inf)
    for c in data.classes:
        ready = np.array([min(e + d for e, _, d in seg) if seg else np.inf for seg in c.unit_segment])  # earliest end
        leave = np.array(
            [max(latest + d for _, latest, d in seg) if seg else -np.inf for seg in c.unit_segment]
        )  # latest end
        opens = np.array([min(e for e, _, _ in seg) if seg else np.inf for seg in c.unit_segment])
        due = np.array([max(latest for _, latest, _ in seg) if seg else -np.inf for seg in c.unit_segment])
        known = np.isfinite(due)
        finite = np.where(known, due, 0.0)
        due = np.where(known, finite + FLOAT_NOISE * np.maximum(1.0, np.abs(finite)), -np.inf)  # limits.allowance
        drive = c.travel[np.ix_(last, first)]
        with np.errstate(invalid="ignore"):
            wait = np.maximum(opens[None, :] - (leave[:, None] + drive), 0.0)
            feasible = ready[:, None] + drive <= due[None, :]
        penalty = np.minimum(penalty, np.where(feasible, WAIT_WEIGHT * np.nan_to_num(wait, nan=0.0), np.inf))
    penalty[0, :] = penalty[:, 0] = 0.0
    return penalty


def shortest_duration(data: TimeData, units: Sequence[int], vehicle: int) -> float:
    """The shortest duration (minutes) of the route hub, ``units``, hub for ``vehicle``'s class.

    Parameters
    ----------
    data : TimeData
        The time classes.
    units : Sequence[int]
        The route's units (it must be feasible in time for the vehicle).
    vehicle : int
        A vehicle index.

    Returns
    -------
    float
        The least duration over its departures (inf when it has none).
    """
    c = next(c for c in data.classes if c.members >> vehicle & 1)
    segment, prev = c.unit_segment[0], 0
    for u in units:
        segment = concatenate(segment, c.unit_segment[u], float(c.travel[data.last[prev], data.first[u]]))
        prev = u
    segment = concatenate(segment, c.unit_segment[0], float(c.travel[data.last[prev], 0]))
    return min((piece[2] for piece in segment), default=float("inf"))
