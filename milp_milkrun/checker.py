"""The independent plan checker.

It shares no code with any model or solver: given an :class:`Instance` and a :class:`Plan` it walks
every route, recomputes load, distance and stop count from the raw data, and reports each violation
with the number of the equation of the formulation (docs/formulation.md) that the plan breaks.

With time (:mod:`milp_milkrun.timing` states the rules) it also computes each route's schedule:
arrival, waiting, start and end of service at every stop, and the departure, return and duration of
the route. The departure is the route's to choose: the checker tries every departure at which a
stop's arrival meets a window's opening or closing (or the return meets the hub's closing), since
between two such times the duration can only fall as the departure moves later, and keeps the one
that makes the route shortest (Eq 18), the earliest of those tried on a tie. A route that misses a window (Eq 16)
or the hub's closing (Eq 17) even when leaving at the hub's opening is reported with that schedule.
Every plan the toolkit returns or writes goes through :func:`check_plan` (or :func:`verify_plan`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np

from milp_milkrun.errors import CheckFailedError
from milp_milkrun.instance import Instance, VehicleType
from milp_milkrun.limits import exceeds
from milp_milkrun.plan import Plan, Route
from milp_milkrun.timing import clock, duration_text


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``equation`` is the formulation's number ("5", "8,9", ...) or "ids"."""

    equation: str
    message: str


@dataclass(frozen=True)
class StopTime:
    """When a route is at one stop (minutes): arrival, waiting, start and end of service."""

    dc: str
    arrival: float
    wait: float
    start: float
    end: float

    def to_dict(self) -> dict[str, object]:
        """The plan file's form: the DC and its times as ``HH:MM`` and minutes.

        Returns
        -------
        dict[str, object]
            ``dc``, ``arrival``, ``start``, ``end`` (``HH:MM``) and ``wait_min``, ``*_min`` (minutes).
        """
        times = {"arrival": self.arrival, "start": self.start, "end": self.end}
        return {
            "dc": self.dc,
            **{k: clock(v) for k, v in times.items()},
            "wait_min": self.wait,
            **{f"{k}_min": v for k, v in times.items()},
        }


@dataclass(frozen=True)
class Schedule:
    """A route's times: departure from and return to the hub, its duration, and each stop's times."""

    departure: float
    return_time: float
    stops: tuple[StopTime, ...]
    shift: float | None

    @property
    def duration(self) -> float:
        return self.return_time - self.departure

    def to_dict(self) -> dict[str, object]:
        """The plan file's form of the schedule.

        Returns
        -------
        dict[str, object]
            ``departure``, ``return`` (``HH:MM``), ``duration_min`` and the stops' times.
        """
        return {
            "departure": clock(self.departure),
            "return": clock(self.return_time),
            "duration_min": self.duration,
            "departure_min": self.departure,
            "return_min": self.return_time,
            "stop_times": [stop.to_dict() for stop in self.stops],
        }


@dataclass(frozen=True)
class RouteReport:
    """What the checker recomputed for one route."""

    vehicle: str
    vehicle_type: str | None
    stops: tuple[str, ...]
    load: float
    capacity: float | None
    distance: float
    max_distance: float | None
    max_stops: int | None
    cost: float = 0.0  # fixed cost of the vehicle's type + cost per km x distance (0 for an unknown vehicle)
    schedule: Schedule | None = None  # the times of the route, for an instance with time and a known vehicle

    @property
    def n_stops(self) -> int:
        return len(self.stops)

    @property
    def utilisation(self) -> float | None:
        return self.load / self.capacity if self.capacity else None


@dataclass(frozen=True)
class CheckReport:
    """The verdict: feasible when there are no violations.

    ``distance`` is the total distance (Eq 1), ``cost`` the total cost (Eq 1c: each used vehicle's
    fixed cost plus its cost per km times its distance) and ``objective`` whichever of the two the
    instance minimises.
    """

    feasible: bool
    objective: float
    violations: tuple[Violation, ...]
    routes: tuple[RouteReport, ...] = field(default=())
    distance: float = 0.0
    cost: float = 0.0

    def to_dict(self) -> dict[str, object]:
        """The ``--json`` form of ``milkrun check``.

        Returns
        -------
        dict[str, object]
            The verdict, the objective, the total distance and cost, every violation and, with time,
            each route's schedule.
        """
        data: dict[str, object] = {
            "feasible": self.feasible,
            "objective": self.objective,
            "distance": self.distance,
            "cost": self.cost,
            "violations": [asdict(v) for v in self.violations],
        }
        schedules = [{"vehicle": r.vehicle, **r.schedule.to_dict()} for r in self.routes if r.schedule is not None]
        if schedules:
            data["schedules"] = schedules
        return data


def check_plan(instance: Instance, plan: Plan) -> CheckReport:
    """Recompute every route of ``plan`` and list every rule it breaks.

    Parameters
    ----------
    instance
        The instance the plan claims to solve.
    plan
        Any plan, from the toolkit or from another tool.

    Returns
    -------
    CheckReport
        Every violation with its equation number, each route's load, distance and cost, and the totals.
    """
    violations: list[Violation] = []
    violations += _unknown_ids(instance, plan)
    violations += _vehicles_used_once(plan)
    violations += _each_dc_exactly_once(instance, plan)
    reports = []
    for route in plan.used_routes():
        report = _route_report(instance, route)
        reports.append(report)
        violations += _route_limits(report)
        violations += _forbidden_pairs(instance, route)
        violations += _damaged_roads(instance, route)
        violations += _time_violations(instance, report)
    violations += _consecutive_pairs(instance, plan)
    distance = sum(r.distance for r in reports)
    cost = sum(r.cost for r in reports)
    objective = cost if instance.objective == "cost" else distance
    return CheckReport(not violations, objective, tuple(violations), tuple(reports), distance, cost)


def verify_plan(instance: Instance, plan: Plan, *, source: str) -> CheckReport:
    """Check a plan that the toolkit itself produced; a violation is a bug and raises.

    Parameters
    ----------
    instance : Instance
        The instance the plan is for.
    plan : Plan
        A plan the toolkit produced.
    source : str
        Who produced it, named in the error.

    Returns
    -------
    CheckReport
        The report of a feasible plan; otherwise :class:`~milp_milkrun.errors.CheckFailedError` is raised.
    """
    report = check_plan(instance, plan)
    if not report.feasible:
        details = "; ".join(f"({v.equation}) {v.message}" for v in report.violations)
        raise CheckFailedError(f"the plan from {source} failed the independent checker: {details}")
    return report


def _unknown_ids(instance: Instance, plan: Plan) -> list[Violation]:
    found = []
    dc_ids = {dc.id for dc in instance.dcs}
    for route in plan.routes:
        if route.vehicle not in instance.vehicle_by_name:
            found.append(Violation("ids", f"unknown vehicle {route.vehicle!r}"))
        for stop in route.stops:
            if stop == instance.hub.id:
                found.append(Violation("ids", f"route of {route.vehicle} lists the hub {stop!r} as a stop"))
            elif stop not in dc_ids:
                hint = " (this DC was split; use its parts)" if any(o == stop for o, _ in instance.splits) else ""
                found.append(Violation("ids", f"route of {route.vehicle} visits unknown DC {stop!r}{hint}"))
    return found


def _vehicles_used_once(plan: Plan) -> list[Violation]:
    counts = Counter(r.vehicle for r in plan.used_routes())
    return [
        Violation("2b", f"vehicle {vehicle} drives {n} round trips; each vehicle makes at most one")
        for vehicle, n in counts.items()
        if n > 1
    ]


def _each_dc_exactly_once(instance: Instance, plan: Plan) -> list[Violation]:
    visits = Counter(stop for r in plan.routes for stop in r.stops)
    found = []
    for dc in instance.dcs:
        n = visits.get(dc.id, 0)
        if n == 0:
            found.append(Violation("3,4", f"DC {dc.id} is not visited"))
        elif n > 1:
            found.append(Violation("3,4", f"DC {dc.id} is visited {n} times"))
    return found


def _route_report(instance: Instance, route: Route) -> RouteReport:
    vehicle = instance.vehicle_by_name.get(route.vehicle)
    known = [s for s in route.stops if s in instance.index and s != instance.hub.id]
    load = float(sum(instance.demand[instance.index[s]] for s in known))
    path = [instance.hub.id, *known, instance.hub.id]
    distance = float(sum(instance.dist(a, b) for a, b in zip(path, path[1:]))) if known else 0.0
    schedule = (
        _schedule(instance, vehicle.type.name, known, vehicle.type.shift)
        if vehicle and known and instance.has_time
        else None
    )
    return RouteReport(
        vehicle=route.vehicle,
        vehicle_type=vehicle.type.name if vehicle else None,
        stops=route.stops,
        load=load,
        capacity=vehicle.capacity if vehicle else None,
        distance=distance,
        max_distance=vehicle.max_distance if vehicle else None,
        max_stops=vehicle.max_stops if vehicle else None,
        cost=_route_cost(vehicle.type, distance, schedule) if vehicle and known else 0.0,
        schedule=schedule,
    )


def _route_cost(vehicle_type: VehicleType, distance: float, schedule: Schedule | None) -> float:
    """Fixed cost + cost per km x distance, + cost per hour x the schedule's duration with time."""
    cost = vehicle_type.fixed_cost + vehicle_type.cost_per_km * distance
    if schedule is not None and vehicle_type.cost_per_hour:
        cost += vehicle_type.cost_per_hour * schedule.duration / 60.0
    return cost


# ----- time: Eq 15-18 ------------------------------------------------------------------------------
def _walk(instance: Instance, travel: np.ndarray, nodes: list[int], departure: float) -> Schedule:
    """The schedule leaving the hub at ``departure``: each stop starts in the earliest window whose
    close is not before the arrival (after waiting for it to open); a stop no window admits starts
    on arrival, which the caller reports as an Eq 16 violation."""
    stops = []
    at, clock_now = 0, departure
    for j in nodes:
        arrival = clock_now + float(travel[at, j])
        start = next((max(arrival, a) for a, b in instance.windows[j] if not exceeds(arrival, b)), arrival)
        end = start + float(instance.service_time[j])
        stops.append(StopTime(instance.node_ids[j], arrival, start - arrival, start, end))
        at, clock_now = j, end
    return Schedule(departure, clock_now + float(travel[at, 0]), tuple(stops), None)


def _misses(instance: Instance, schedule: Schedule) -> bool:
    """Whether a stop misses every window (Eq 16) or the route returns after the hub closes (Eq 17)."""
    closing = instance.hub_hours[1]  # type: ignore[index]
    if exceeds(schedule.return_time, closing):
        return True
    return any(
        all(exceeds(stop.arrival, b) for _, b in instance.windows[instance.index[stop.dc]]) for stop in schedule.stops
    )


def _candidate_departures(instance: Instance, travel: np.ndarray, nodes: list[int]) -> list[float]:
    """The hub's opening and every departure at which, driving without waiting, a stop's arrival meets a
    window's opening or closing, or the return meets the hub's closing."""
    hub_open, hub_close = instance.hub_hours  # type: ignore[misc]
    candidates = {hub_open}
    offset, at = 0.0, 0
    for j in nodes:
        offset += float(travel[at, j])
        candidates.update(t - offset for window in instance.windows[j] for t in window)
        offset += float(instance.service_time[j])
        at = j
    candidates.add(hub_close - offset - float(travel[at, 0]))
    return sorted(c for c in candidates if hub_open <= c <= hub_close)


def _schedule(instance: Instance, type_name: str, stops: list[str], shift: float | None) -> Schedule:
    """The route's shortest schedule over every admissible departure (see the module docstring), or the
    one leaving at the hub's opening when none meets every window and the hub's closing."""
    travel = instance.travel_time(type_name)
    nodes = [instance.index[s] for s in stops]
    best: Schedule | None = None
    for departure in _candidate_departures(instance, travel, nodes):
        schedule = _walk(instance, travel, nodes, departure)
        if not _misses(instance, schedule) and (best is None or exceeds(best.duration, schedule.duration)):
            best = schedule
    chosen = best if best is not None else _walk(instance, travel, nodes, instance.hub_hours[0])  # type: ignore[index]
    return Schedule(chosen.departure, chosen.return_time, chosen.stops, shift)


def _time_violations(instance: Instance, report: RouteReport) -> list[Violation]:
    schedule = report.schedule
    if schedule is None:
        return []
    found = []
    for stop in schedule.stops:
        windows = instance.windows[instance.index[stop.dc]]
        if all(exceeds(stop.arrival, b) for _, b in windows):
            late = stop.arrival - windows[-1][1]
            found.append(
                Violation(
                    "16",
                    f"{stop.dc} reached at {clock(stop.arrival)} by {report.vehicle}, its window closed at {clock(windows[-1][1])} ({late:.4g} min late)",
                )
            )
    closing = instance.hub_hours[1]  # type: ignore[index]
    if exceeds(schedule.return_time, closing):
        found.append(
            Violation(
                "17",
                f"vehicle {report.vehicle} returns to the hub at {clock(schedule.return_time)}, after it closes at {clock(closing)}",
            )
        )
    if not found and schedule.shift is not None and exceeds(schedule.duration, schedule.shift):
        found.append(
            Violation(
                "18",
                f"vehicle {report.vehicle}'s route lasts {duration_text(schedule.duration)} at best "
                f"(leaving {clock(schedule.departure)}), longer than its shift of {duration_text(schedule.shift)}",
            )
        )
    return found


def _route_limits(r: RouteReport) -> list[Violation]:
    found = []
    if r.capacity is not None and exceeds(r.load, r.capacity):
        found.append(Violation("5", f"vehicle {r.vehicle} carries {r.load:g} > capacity {r.capacity:g}"))
    if r.max_distance is not None and exceeds(r.distance, r.max_distance):
        found.append(Violation("6", f"vehicle {r.vehicle} drives {r.distance:.6g} > limit {r.max_distance:g}"))
    if r.max_stops is not None and r.n_stops > r.max_stops:
        found.append(Violation("7", f"vehicle {r.vehicle} visits {r.n_stops} DCs > limit {r.max_stops}"))
    return found


def _forbidden_pairs(instance: Instance, route: Route) -> list[Violation]:
    return [
        Violation("8,9", f"DC {stop} may not be served by vehicle {route.vehicle}")
        for stop in route.stops
        if not instance.is_allowed(stop, route.vehicle)
    ]


def _damaged_roads(instance: Instance, route: Route) -> list[Violation]:
    return [
        Violation("11", f"vehicle {route.vehicle} uses the damaged road {a} - {b}")
        for a, b in route.arcs(instance.hub.id)
        if instance.is_damaged(a, b)
    ]


def _consecutive_pairs(instance: Instance, plan: Plan) -> list[Violation]:
    successor: dict[str, tuple[str, str]] = {}
    for route in plan.used_routes():
        for a, b in route.arcs(instance.hub.id):
            successor.setdefault(a, (b, route.vehicle))
    found = []
    for a, b in instance.consecutive:
        nxt = successor.get(a)
        if nxt is None or nxt[0] != b:
            after = "the hub" if nxt and nxt[0] == instance.hub.id else (nxt[0] if nxt else "nothing (not visited)")
            found.append(Violation("10", f"{b} must immediately follow {a}, but {a} is followed by {after}"))
    return found
