"""``milkrun check``: the checker's verdict and one line per route."""

from __future__ import annotations

from milp_milkrun.checker import CheckReport, RouteReport, Schedule
from milp_milkrun.instance import Instance
from milp_milkrun.reports.instance_summary import number, percent
from milp_milkrun.timing import clock, duration_text


def check_table(instance: Instance, report: CheckReport) -> str:
    """Verdict, per-route table (vehicle, stops, load/capacity, distance/limit), the times at every stop
    (with time) and every violation.

    Parameters
    ----------
    instance : Instance
        The instance the plan was checked against.
    report : CheckReport
        The checker's report.

    Returns
    -------
    str
        The report as plain text.
    """
    unit = instance.distance_unit
    routes = len(report.routes)
    verdict = (
        "FEASIBLE"
        if report.feasible
        else f"INFEASIBLE: {len(report.violations)} violation{'s' if len(report.violations) != 1 else ''}"
    )
    cost = f", total cost {number(report.cost)}" if instance.objective == "cost" else ""
    lines = [
        f"{verdict}    total distance {number(report.distance)} {unit}{cost}, {routes} route{'s' if routes != 1 else ''}"
    ]
    if report.routes:
        rows = [("vehicle", "stops", "load/capacity", f"distance/limit ({unit})", "route")]
        rows += [_route_row(instance, r) for r in report.routes]
        widths = [max(len(row[k]) for row in rows) for k in range(4)]
        lines.append("")
        lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4] for row in rows]
    schedules = [(r.vehicle, r.schedule) for r in report.routes if r.schedule is not None]
    if schedules:
        lines.append("")
        lines.append("times (HH:MM; each route leaves when that makes it shortest):")
        for vehicle, schedule in schedules:
            lines += schedule_lines(instance, vehicle, schedule)
    if report.violations:
        lines.append("")
        lines.append("violations (equation of the formulation):")
        lines += [f"  ({v.equation}) {v.message}" for v in report.violations]
    return "\n".join(lines)


def _route_row(instance: Instance, r: RouteReport) -> tuple[str, str, str, str, str]:
    stops = f"{r.n_stops}" + (f"/{r.max_stops}" if r.max_stops is not None else "")
    load = (
        f"{number(r.load)}/{number(r.capacity)} ({percent(r.load, r.capacity)})"
        if r.capacity
        else f"{number(r.load)}/?"
    )
    distance = (
        f"{number(r.distance)}/{number(r.max_distance)}" if r.max_distance is not None else f"{number(r.distance)}/-"
    )
    route = " ".join([instance.hub.id, *r.stops, instance.hub.id])
    return r.vehicle, stops, load, distance, route


def schedule_lines(instance: Instance, vehicle: str, schedule: Schedule) -> list[str]:
    """One line for the route's departure, return and duration, then one per stop.

    Parameters
    ----------
    instance : Instance
        The instance (for the hub's id).
    vehicle : str
        The route's vehicle.
    schedule : Schedule
        The checker's schedule of the route.

    Returns
    -------
    list[str]
        E.g. ``  van-1  leaves HUB 06:10, back 08:00: 1h50 (shift 9h00)`` and
        ``    DC1   arrives 06:20, waits 10 min, unloads 06:30-06:45``.
    """
    shift = f" (shift {duration_text(schedule.shift)})" if schedule.shift is not None else ""
    lines = [
        f"  {vehicle}  leaves {instance.hub.id} {clock(schedule.departure)}, back {clock(schedule.return_time)}: {duration_text(schedule.duration)}{shift}"
    ]
    width = max(len(stop.dc) for stop in schedule.stops)
    for stop in schedule.stops:
        wait = f", waits {number(stop.wait)} min" if stop.wait > 0 else ""
        lines.append(
            f"    {stop.dc.ljust(width)}  arrives {clock(stop.arrival)}{wait}, unloads {clock(stop.start)}-{clock(stop.end)}"
        )
    return lines
