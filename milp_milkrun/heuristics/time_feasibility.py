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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from milp_milkrun.instance import Instance, VehicleType
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


@dataclass(frozen=True)
class TimeData:
    """The time classes of an instance and the first and last node of every unit."""

    classes: tuple[TimeClass, ...]
    first: list[int]  # node of each unit's first DC (0 for the hub)
    last: list[int]  # node of each unit's last DC (0 for the hub)


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
        concatenate(seg, c.unit_segment[u], float(c.travel[a, b])) if seg else seg for c, seg in zip(data.classes, segments)
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
    segments, prev = start(data), 0
    for u in units:
        segments = extend(data, segments, prev, u)
        if not any(segments):
            return 0
        prev = u
    return closed_mask(data, segments, prev)
