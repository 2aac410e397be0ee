"""Time feasibility of routes by concatenated segments, for the engines that state time (Eq 15-18).

The rules are :mod:`milp_milkrun.timing`'s; this module gives the engines a fast test of them (the
checker keeps its own, independent walk). A *segment* is a sequence of consecutive nodes of a route;
what time does to it is summed up, in the manner of Vidal et al. (2013, "hard" windows: no time
warp), by pieces ``(earliest, latest, duration)``: service at the segment's first node may start at
any time t <= ``latest`` (it then waits until ``earliest`` if t is earlier), and the segment ends at
``max(t, earliest) + duration``, every window inside it met. A node with one window is one piece
``(open, close, service)``; a DC with several windows is one piece per window, and a segment is the
union of the pieces its window choices give (pieces no better than another are dropped). Two
segments concatenate in constant time per pair of pieces (:func:`concatenate`), so a heuristic that
keeps the segments of every prefix and suffix of a route tests an insertion or a move in O(1) for
single windows.

A route of vehicle type t is the segment hub + stops + hub with the hub's hours as its window; it is
feasible in time when that segment has a piece (Eq 15-17) whose duration is within the type's shift
(Eq 18): departing at the piece's ``earliest`` makes the route last exactly ``duration``, the least
over every departure.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from milp_milkrun.instance import Instance, VehicleType
from milp_milkrun.limits import FLOAT_NOISE, exceeds
from milp_milkrun.plan import Plan

Piece = tuple[float, float, float]
"""One way through a segment, ``(earliest, latest, duration)``: start service at its first node by
``latest`` (waiting until ``earliest``); the segment then ends ``duration`` after
``max(start, earliest)``. Plain tuples: the heuristic concatenates millions of them."""

Segment = tuple[Piece, ...]
"""The non-dominated pieces of a segment; empty when no schedule meets its windows."""


def node_segment(instance: Instance, j: int) -> Segment:
    """The segment of node j alone: one piece per window, lasting its service time.

    Parameters
    ----------
    instance : Instance
        An instance with time.
    j : int
        A node index (0 is the hub, whose window is its opening hours and whose service is 0).

    Returns
    -------
    Segment
        ``(open, close, service)`` per window of j.
    """
    service = float(instance.service_time[j])
    return tuple((float(a), float(b), service) for a, b in instance.windows[j])


def concatenate(first: Segment, second: Segment, travel: float) -> Segment:
    """The segment ``first`` then ``second``, ``travel`` minutes apart (Vidal et al.'s rule, hard windows).

    Parameters
    ----------
    first, second : Segment
        The two segments.
    travel : float
        Travel time from the last node of ``first`` to the first node of ``second``.

    Returns
    -------
    Segment
        Its non-dominated pieces; empty when every way through misses a window.
    """
    if len(first) == 1 and len(second) == 1:  # one window choice on each side: the common case, inlined
        piece = _joined(first[0], second[0], travel)
        return () if piece is None else (piece,)
    pieces = [piece for a in first for b in second if (piece := _joined(a, b, travel)) is not None]
    return tuple(pieces) if len(pieces) < 2 else _non_dominated(pieces)


def _joined(a: Piece, b: Piece, travel: float) -> Piece | None:
    """Piece a then piece b, or None when even a's earliest start reaches b after its latest start."""
    a_earliest, a_latest, a_duration = a
    b_earliest, b_latest, b_duration = b
    reach = a_duration + travel  # from the start of a's service to arriving at b
    if a_earliest + reach > b_latest + FLOAT_NOISE * max(1.0, abs(b_latest)):  # limits.exceeds, inlined
        return None
    wait = max(b_earliest - reach - a_latest, 0.0)  # waiting no start of a can avoid
    return (max(b_earliest - reach, a_earliest) - wait, min(b_latest - reach, a_latest), reach + b_duration + wait)


def _dominates(a: Piece, b: Piece) -> bool:
    """Whether piece a ends no later than b from every start b admits."""
    return a[1] >= b[1] and a[2] <= b[2] and a[0] + a[2] <= b[0] + b[2]


def _non_dominated(pieces: list[Piece]) -> Segment:
    pieces.sort(key=lambda p: (p[2], p[0] + p[2], -p[1]))
    kept: list[Piece] = []
    for piece in pieces:
        if not any(_dominates(k, piece) for k in kept):
            kept.append(piece)
    return tuple(kept)


def path_segment(instance: Instance, travel: np.ndarray, nodes: Sequence[int]) -> Segment:
    """The segment of consecutive nodes (any, the hub included), built left to right.

    Parameters
    ----------
    instance : Instance
        An instance with time.
    travel : np.ndarray
        The vehicle type's travel-time matrix.
    nodes : Sequence[int]
        At least one node index.

    Returns
    -------
    Segment
        Its pieces.
    """
    segment = node_segment(instance, nodes[0])
    for i, j in itertools.pairwise(nodes):
        segment = concatenate(segment, node_segment(instance, j), float(travel[i, j]))
    return segment


def route_segment(instance: Instance, vehicle_type: VehicleType, stops: Sequence[int]) -> Segment:
    """The segment hub, ``stops``, hub of a route of ``vehicle_type``.

    Parameters
    ----------
    instance : Instance
        An instance with time.
    vehicle_type : VehicleType
        The route's type (its travel times).
    stops : Sequence[int]
        The DCs' node indices in visiting order.

    Returns
    -------
    Segment
        Its pieces: the departures from the hub that meet every window and the hub's hours.
    """
    return path_segment(instance, instance.travel_time(vehicle_type), [0, *stops, 0])


def within_shift(segment: Segment, vehicle_type: VehicleType) -> bool:
    """Whether a whole route's segment can be driven (Eq 16, 17) within the type's shift (Eq 18).

    Parameters
    ----------
    segment : Segment
        A route's segment, hub to hub.
    vehicle_type : VehicleType
        The route's type.

    Returns
    -------
    bool
        True when some piece exists and the shortest lasts at most the shift.
    """
    if not segment:
        return False
    return vehicle_type.shift is None or not exceeds(min(p[2] for p in segment), vehicle_type.shift)


def route_fits_in_time(instance: Instance, vehicle_type: VehicleType, stops: Sequence[int]) -> bool:
    """Whether a route of ``vehicle_type`` visiting ``stops`` meets Eq 15-18; True without time.

    Parameters
    ----------
    instance : Instance
        The instance.
    vehicle_type : VehicleType
        The route's type.
    stops : Sequence[int]
        The DCs' node indices in visiting order.

    Returns
    -------
    bool
        The verdict.
    """
    if not instance.has_time or not stops:
        return True
    return within_shift(route_segment(instance, vehicle_type, stops), vehicle_type)


def plan_fits_in_time(instance: Instance, plan: Plan) -> bool:
    """Whether every route of ``plan`` meets Eq 15-18 by :func:`route_fits_in_time`; True without time.

    Parameters
    ----------
    instance : Instance
        The instance.
    plan : Plan
        A plan of known vehicles and DCs.

    Returns
    -------
    bool
        The verdict (the checker's, up to its tolerance; a MIP start needs this one).
    """
    vehicles, index = instance.vehicle_by_name, instance.index
    return all(
        route_fits_in_time(instance, vehicles[r.vehicle].type, [index[s] for s in r.stops]) for r in plan.used_routes()
    )


@dataclass(frozen=True)
class RouteTimes:
    """A route's schedule: departure, the start of service at each stop, and return (minutes)."""

    departure: float
    starts: tuple[float, ...]
    return_time: float


def route_times(instance: Instance, vehicle_type: VehicleType, stops: Sequence[int]) -> RouteTimes | None:
    """The shortest schedule of a route (Eq 15-18), or None when it has none.

    It departs at the ``earliest`` of the shortest piece and starts each stop's service as early as
    its windows allow (:mod:`milp_milkrun.timing`'s rule), so the route lasts that piece's duration.

    Parameters
    ----------
    instance : Instance
        An instance with time.
    vehicle_type : VehicleType
        The route's type.
    stops : Sequence[int]
        The DCs' node indices in visiting order.

    Returns
    -------
    RouteTimes or None
        The schedule, or None when the route misses a window, the hub's hours or the shift.
    """
    segment = route_segment(instance, vehicle_type, stops)
    if not within_shift(segment, vehicle_type):
        return None
    travel = instance.travel_time(vehicle_type)
    departure = min(segment, key=lambda p: (p[2], p[0]))[0]
    starts: list[float] = []
    at, now = 0, departure
    for j in stops:
        arrival = now + float(travel[at, j])
        start = next(max(arrival, a) for a, b in instance.windows[j] if not exceeds(arrival, b))
        starts.append(start)
        at, now = j, start + float(instance.service_time[j])
    return RouteTimes(departure, tuple(starts), now + float(travel[at, 0]))


def window_of(instance: Instance, j: int, start: float) -> int:
    """The position of the window of DC j in which service starting at ``start`` starts.

    Parameters
    ----------
    instance : Instance
        An instance with time.
    j : int
        A DC's node index.
    start : float
        A start of service that meets a window of j.

    Returns
    -------
    int
        The first window whose close is not before ``start``.
    """
    return next(w for w, (_, b) in enumerate(instance.windows[j]) if not exceeds(start, b))


def plan_times(instance: Instance, plan: Plan) -> dict[str, RouteTimes]:
    """The shortest schedule of every route of a plan, by vehicle name (the MIP start of a time model).

    Parameters
    ----------
    instance : Instance
        An instance with time.
    plan : Plan
        A plan whose routes meet Eq 15-18 (e.g. one the checker accepts).

    Returns
    -------
    dict[str, RouteTimes]
        The schedule of each used vehicle; ValueError for a route that has none.
    """
    schedules = {}
    for route in plan.used_routes():
        times = route_times(
            instance, instance.vehicle_by_name[route.vehicle].type, [instance.index[s] for s in route.stops]
        )
        if times is None:
            raise ValueError(
                f"the route of {route.vehicle} has no schedule within its windows, the hub's hours and its shift"
            )
        schedules[route.vehicle] = times
    return schedules
