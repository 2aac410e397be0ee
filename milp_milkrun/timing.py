"""Time in an instance: receiving windows, service times, the hub's hours, shifts and travel times.

Time is optional. An instance without it (``Instance.has_time`` false) behaves exactly as one built
before time existed, and every engine that does not state time refuses an instance with it
(:func:`require_time_support`, :data:`ENGINES_STATING_TIME`) instead of ignoring it.

Units and data
--------------
Every time is in minutes (from midnight for a clock time, a plain duration otherwise); a JSON file
may also write ``"HH:MM"`` (``"06:30"`` is 390, ``"26:00"`` is 1560, the next day's 02:00).

- The hub has opening hours ``(open, close)``: no route departs before ``open`` or returns after
  ``close``.
- A DC has zero or more receiving windows ``(open, close)``, sorted and disjoint; a DC without
  windows receives whenever the hub is open (its window is the hub's hours). A DC has a service
  time ``service + service_per_unit * demand``; a DC split for its demand gives each part the
  windows and the service time of its own demand.
- A vehicle type has a ``shift`` (the longest a route may last, from leaving the hub to returning;
  none when omitted) and a ``speed`` in distance units per hour; travel time is
  ``distance * 60 / speed`` minutes. Instead of speeds the instance may give one travel-time matrix
  (minutes, beside the distance matrix); every vehicle type then uses it.

Semantics of a route (the equations after the seed's Eq 1-14)
-------------------------------------------------------------
A route of vehicle type t departs the hub at a time ``dep`` of its choosing and visits its DCs in
order; with ``end_0 = dep`` and ``travel`` the type's travel-time matrix:

- Eq 15 (``eq15_time_flow``): ``arrival_j = end_i + travel(i, j)`` for consecutive nodes i, j;
  ``start_j = `` the earliest ``open`` of a window of j whose ``close >= arrival_j`` (waiting before
  the window opens is allowed: ``start_j = max(arrival_j, open)``); ``end_j = start_j + service_j``.
- Eq 16 (``eq16_time_windows``): every DC has such a window, i.e. service *starts* by the close of
  one of its windows (it may end after it, as in Solomon's benchmark).
- Eq 17 (``eq17_hub_hours``): ``dep >= hub open`` and the return ``end_last + travel(last, hub)``
  is ``<= hub close``.
- Eq 18 (``eq18_shift``): the duration ``return - dep`` is ``<= shift`` of the route's type.

The departure is free, so a route is feasible when *some* ``dep`` meets Eq 16-18. Arrival times
only grow with ``dep``, so Eq 16 and Eq 17 hold for an interval of departures starting at the hub's
opening; the checker reports the schedule that departs at the time within it that makes the route
shortest, which is what Eq 18 is judged on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from milp_milkrun.errors import InputError
from milp_milkrun.instance.parts import TimeSpec, Window

if TYPE_CHECKING:
    from milp_milkrun.instance.parts import DC, VehicleType
    from milp_milkrun.instance.problem import Instance

CLOCK = re.compile(r"^([0-9]+):([0-5][0-9])$")


# ----- clock times -------------------------------------------------------------------------------
def parse_time(value: float | str, field: str) -> float:
    """Minutes from a number of minutes or an ``"HH:MM"`` string.

    Parameters
    ----------
    value : float, int or str
        A number of minutes (>= 0) or ``"HH:MM"`` (hours may pass 23 for the next day).
    field : str
        The JSON path named in an error.

    Returns
    -------
    float
        The time in minutes.
    """
    if isinstance(value, str):
        match = CLOCK.match(value)
        if not match:
            raise InputError(field, f"time {value!r} is neither minutes nor HH:MM")
        return float(int(match.group(1)) * 60 + int(match.group(2)))
    minutes = float(value)
    if not math.isfinite(minutes) or minutes < 0:
        raise InputError(field, f"time {value} must be a number of minutes >= 0")
    return minutes


def clock(minutes: float) -> str:
    """``"HH:MM"`` for a time in minutes, rounded to the minute (``"26:05"`` past midnight).

    Parameters
    ----------
    minutes : float
        A time in minutes.

    Returns
    -------
    str
        The clock time; fractions of a minute are rounded to the nearest minute.
    """
    total = round(minutes)
    sign = "-" if total < 0 else ""
    hours, mins = divmod(abs(total), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def duration_text(minutes: float) -> str:
    """A duration as ``9h05``, rounded to the minute.

    Parameters
    ----------
    minutes : float
        A duration in minutes.

    Returns
    -------
    str
        Hours and minutes.
    """
    total = round(minutes)
    return f"{total // 60}h{total % 60:02d}"


# ----- validation (called by build_instance) -----------------------------------------------------
def check_time(
    time: TimeSpec | None,
    dcs: Sequence[DC],
    vehicle_types: Sequence[VehicleType],
    *,
    has_travel_matrix: bool,
) -> None:
    """Check every time field of an instance; raise :class:`InputError` naming the first bad one.

    Parameters
    ----------
    time : TimeSpec or None
        The instance's time block; None for an instance without time, which then may not give any
        window, service time, shift, speed or travel-time matrix.
    dcs, vehicle_types : Sequence
        The DCs (before splitting) and the fleet.
    has_travel_matrix : bool
        Whether a travel-time matrix was given.
    """
    if time is None:
        _check_no_time(dcs, vehicle_types, has_travel_matrix)
        return
    if not (math.isfinite(time.hub_open) and time.hub_open >= 0):
        raise InputError("time.hub_hours", f"the hub opens at {time.hub_open}; times must be minutes >= 0")
    if not (math.isfinite(time.hub_close) and time.hub_close > time.hub_open):
        raise InputError(
            "time.hub_hours", f"the hub closes at {clock(time.hub_close)}, not after it opens at {clock(time.hub_open)}"
        )
    for k, dc in enumerate(dcs):
        _check_dc_time(k, dc)
    _check_speeds(time, vehicle_types, has_travel_matrix)


def _check_no_time(dcs: Sequence[DC], vehicle_types: Sequence[VehicleType], has_travel_matrix: bool) -> None:
    for k, dc in enumerate(dcs):
        for name in ("windows", "service", "service_per_unit"):
            if getattr(dc, name):
                raise InputError(
                    f"dcs[{k}].{name}",
                    f"DC {dc.id} gives {name} but the instance has no 'time' block (the hub's hours)",
                )
    for k, vt in enumerate(vehicle_types):
        for name in ("shift", "speed"):
            if getattr(vt, name) is not None:
                raise InputError(
                    f"vehicle_types[{k}].{name}",
                    f"vehicle type {vt.name} gives {name} but the instance has no 'time' block",
                )
        if vt.cost_per_hour:
            raise InputError(
                f"vehicle_types[{k}].cost_per_hour",
                f"vehicle type {vt.name} gives cost_per_hour but the instance has no 'time' block",
            )
    if has_travel_matrix:
        raise InputError("time.travel_time", "a travel-time matrix needs the instance's 'time' block (the hub's hours)")


def _check_dc_time(k: int, dc: DC) -> None:
    where = f"dcs[{k}]"
    for name in ("service", "service_per_unit"):
        value = getattr(dc, name)
        if not (math.isfinite(value) and value >= 0):
            raise InputError(f"{where}.{name}", f"DC {dc.id} has {name} {value}; it must be minutes >= 0")
    previous: Window | None = None
    for w, (opens, closes) in enumerate(dc.windows):
        field = f"{where}.windows[{w}]"
        if not (math.isfinite(opens) and math.isfinite(closes) and opens >= 0):
            raise InputError(field, f"DC {dc.id} has window ({opens}, {closes}); times must be minutes >= 0")
        if closes < opens:
            raise InputError(field, f"DC {dc.id}'s window closes at {clock(closes)}, before it opens at {clock(opens)}")
        if previous is not None and opens <= previous[1]:
            raise InputError(
                field,
                f"DC {dc.id}'s window {clock(opens)}-{clock(closes)} does not start after the previous one "
                f"{clock(previous[0])}-{clock(previous[1])} closes; give windows sorted and disjoint (merge touching ones)",
            )
        previous = (opens, closes)


def _check_speeds(time: TimeSpec, vehicle_types: Sequence[VehicleType], has_travel_matrix: bool) -> None:
    if time.speed is not None and not (math.isfinite(time.speed) and time.speed > 0):
        raise InputError("time.speed", f"speed {time.speed} must be > 0 (distance units per hour)")
    for k, vt in enumerate(vehicle_types):
        where = f"vehicle_types[{k}]"
        if vt.shift is not None and not (math.isfinite(vt.shift) and vt.shift > 0):
            raise InputError(f"{where}.shift", f"vehicle type {vt.name} has shift {vt.shift}; it must be minutes > 0")
        if vt.speed is not None and not (math.isfinite(vt.speed) and vt.speed > 0):
            raise InputError(
                f"{where}.speed",
                f"vehicle type {vt.name} has speed {vt.speed}; it must be > 0 (distance units per hour)",
            )
        if has_travel_matrix and vt.speed is not None:
            raise InputError(
                f"{where}.speed",
                f"vehicle type {vt.name} gives a speed but the instance gives a travel-time matrix; give one or the other",
            )
        if not has_travel_matrix and vt.speed is None and time.speed is None:
            raise InputError(
                f"{where}.speed",
                f"vehicle type {vt.name} has no speed: give it one, or time.speed, or time.travel_time",
            )
    if has_travel_matrix and time.speed is not None:
        raise InputError("time.speed", "give either time.speed or time.travel_time, not both")


def check_reachable(instance: Instance) -> None:
    """Reject a DC that no vehicle allowed to serve it can reach in a window and bring back in time.

    A necessary condition only (no false rejection): the earliest arrival uses the shortest travel
    time over every road, and the route serves that DC alone.

    Parameters
    ----------
    instance : Instance
        A built instance with time.
    """
    hub_open, hub_close = instance.hub_hours  # type: ignore[misc]
    shortest = {vt.name: shortest_trips(instance.travel_time(vt)) for vt in instance.vehicle_types}
    for j, dc in enumerate(instance.dcs, start=1):
        types = [vt for vt in instance.vehicle_types if instance.vehicle_type_allowed(dc.id, vt)]
        if not any(_type_reaches(instance, vt, shortest[vt.name], j, (hub_open, hub_close)) for vt in types):
            field = f"dcs[{_original_position(instance, dc.origin)}].windows"
            windows = ", ".join(f"{clock(a)}-{clock(b)}" for a, b in instance.windows[j])
            raise InputError(
                field,
                f"DC {dc.origin}: no vehicle can leave the hub after {clock(hub_open)}, start unloading in a window "
                f"({windows}) and be back by {clock(hub_close)} within its shift",
            )


def shortest_trips(travel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The shortest travel times from the hub to every node and from every node back, over every road:
    lower bounds on any trip (a travel-time matrix need not obey the triangle inequality).

    Parameters
    ----------
    travel : np.ndarray
        A travel-time matrix (node 0 is the hub).

    Returns
    -------
    tuple[np.ndarray, np.ndarray]
        (there, back), one entry per node.
    """
    return _from_hub(travel), _from_hub(travel.T)


def _type_reaches(
    instance: Instance, vt: VehicleType, shortest: tuple[np.ndarray, np.ndarray], j: int, hours: Window
) -> bool:
    hub_open, hub_close = hours
    there, back = shortest[0][j], shortest[1][j]
    service = instance.service_time[j]
    arrival = hub_open + there
    for opens, closes in instance.windows[j]:
        start = max(arrival, opens)
        if start > closes:
            continue
        back_at = start + service + back
        duration = there + service + back
        if back_at <= hub_close and (vt.shift is None or duration <= vt.shift):
            return True
    return False


def _from_hub(travel: np.ndarray) -> np.ndarray:
    """Shortest travel times from the hub over every road (dense Dijkstra): a lower bound on any trip."""
    n = travel.shape[0]
    best = travel[0].astype(float).copy()
    best[0] = 0.0
    done = np.zeros(n, dtype=bool)
    done[0] = True
    for _ in range(n - 1):
        k = int(np.argmin(np.where(done, np.inf, best)))
        done[k] = True
        np.minimum(best, best[k] + travel[k], out=best)
    return best


def _original_position(instance: Instance, origin: str) -> int:
    seen: list[str] = []
    for dc in instance.dcs:
        if dc.origin not in seen:
            seen.append(dc.origin)
    return seen.index(origin)


# ----- the earliest schedule of a route (an engine's exact feasibility test) ----------------------
# ----- the guard for engines that do not state time ----------------------------------------------
ENGINES = {
    "auto": "--model auto",
    "exact": "the exact model (--model exact, highs backend)",
    "exact-pulp": "the exact model's PuLP build (--backend pulp)",
    "strong": "the strong model (--model strong)",
    "routes": "the route engine (--model routes, route bounds)",
    "heuristic": "the heuristic",
}
"""Every engine with an entry point that checks :func:`require_time_support`, by key and user-facing name."""

ENGINES_STATING_TIME: frozenset[str] = frozenset({"auto", "exact", "exact-pulp", "heuristic", "routes"})
"""The engines that state time (Eq 15-18); every other engine refuses an instance with time. An engine
gains time by stating the equations and adding its key here (nothing else changes)."""


def require_time_support(instance: Instance, engine: str) -> None:
    """Refuse an instance with time in an engine that does not state it, rather than ignore it.

    Every engine entry point calls this first; it passes for an instance without time and for an
    engine in :data:`ENGINES_STATING_TIME`.

    Parameters
    ----------
    instance : Instance
        The instance to solve.
    engine : str
        A key of :data:`ENGINES`.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; add it to ENGINES")
    if instance.has_time and engine not in ENGINES_STATING_TIME:
        raise InputError(
            "time",
            f"{ENGINES[engine]} does not handle time windows and shifts yet and this instance has them; "
            "use an engine that does, or remove the instance's 'time' block",
        )
