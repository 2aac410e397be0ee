"""An interactive map of a plan: one self-contained HTML file that works offline.

The page carries its data (JSON) and its drawing code (plain SVG and JavaScript, no library) inline,
so it opens from a file or an e-mail attachment with no network. For instances with latitude and
longitude a base map (CARTO's light tiles of OpenStreetMap data) is drawn underneath when the
browser is online; when it is not, the routes are drawn on a plain background and nothing breaks.
Plane (Euclidean) instances are drawn on a plain plane; matrix-only instances have no coordinates.

Every figure shown comes from the independent checker's recomputation (:func:`check_plan`), and the
rules a plan breaks are highlighted: the routes and DCs a violation names get a red halo and the
list of violations heads the legend.
"""

from __future__ import annotations

import json
import math
import re
from importlib import resources
from pathlib import Path

from milp_milkrun.checker import CheckReport, Schedule, StopTime, check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io.files import check_output_path, write_text_atomically
from milp_milkrun.plan import Plan
from milp_milkrun.plotting.palette import route_colours
from milp_milkrun.timing import clock, duration_text

MAP_SUFFIXES = (".html", ".htm")


def _world(instance: Instance, x: float, y: float) -> tuple[float, float]:
    """Page coordinates before zooming: Web Mercator at zoom 0 (256 units wide) or the plane, y down."""
    if instance.coordinates != "latlon":
        return float(x), -float(y)
    lat = max(-85.0, min(85.0, float(y)))
    s = math.sin(math.radians(lat))
    return (float(x) + 180.0) / 360.0 * 256.0, (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * 256.0


def _mentions(message: str, names: list[str]) -> list[str]:
    """The ids or vehicle names that a checker message names (as whole words)."""
    return [n for n in names if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", message)]


def map_data(instance: Instance, plan: Plan, report: CheckReport | None = None) -> dict[str, object]:
    """Everything the page draws, as JSON-ready data (the checker's figures, not a solver's).

    Parameters
    ----------
    instance, plan
        The instance and a plan of it.
    report
        The checker's report of the plan; computed when not given.

    Returns
    -------
    dict
        Hub, DCs (with route, position, load on arrival), routes (km, load, limits), side
        constraints and violations.
    """
    if instance.coordinates == "none":
        raise InputError("map", f"instance {instance.name} has no coordinates (only a distance matrix) to draw")
    report = report or check_plan(instance, plan)
    colours = route_colours(len(report.routes))
    dc_ids = [dc.id for dc in instance.dcs]
    vehicles = [r.vehicle for r in plan.routes]
    violations = [
        {
            "equation": v.equation,
            "message": v.message,
            "dcs": _mentions(v.message, dc_ids),
            "vehicles": _mentions(v.message, vehicles),
        }
        for v in report.violations
    ]
    on_route: dict[str, dict[str, object]] = {}
    routes = []
    for k, r in enumerate(report.routes):
        times = {t.dc: t for t in r.schedule.stops} if r.schedule else {}
        on_board, km, previous = r.load, 0.0, instance.hub.id
        for position, stop in enumerate(r.stops, start=1):
            if stop not in instance.index or stop == instance.hub.id:
                continue  # an unknown id: the checker names it; nothing to draw
            km += instance.dist(previous, stop)
            on_route.setdefault(
                stop,
                {
                    "route": k,
                    "vehicle": r.vehicle,
                    "position": position,
                    "of": r.n_stops,
                    "on_board": on_board,
                    "km": km,
                    **({"times": _stop_times(times[stop])} if stop in times else {}),
                },
            )
            on_board -= float(instance.demand[instance.index[stop]])
            previous = stop
        routes.append(
            {
                "vehicle": r.vehicle,
                "type": r.vehicle_type,
                "colour": colours[k],
                "stops": [s for s in r.stops if s in instance.index and s != instance.hub.id],
                "km": r.distance,
                "load": r.load,
                "capacity": r.capacity,
                "n_stops": r.n_stops,
                "max_stops": r.max_stops,
                "max_distance": r.max_distance,
                "violations": [v["message"] for v in violations if r.vehicle in v["vehicles"]],
                "times": _route_times(r.schedule),
            }
        )
    forbidden: dict[str, list[str]] = {}
    for dc_id, vehicle in sorted(instance.forbidden):
        forbidden.setdefault(dc_id, []).append(vehicle)
    dcs = []
    for dc in instance.dcs:
        wx, wy = _world(instance, dc.x, dc.y)  # type: ignore[arg-type]
        dcs.append(
            {
                "id": dc.id,
                "origin": dc.origin,
                "demand": dc.demand,
                "x": dc.x,
                "y": dc.y,
                "wx": wx,
                "wy": wy,
                "visit": on_route.get(dc.id),
                "forbidden": forbidden.get(dc.id, []),
                "windows": ", ".join(f"{clock(a)}-{clock(b)}" for a, b in instance.windows[instance.index[dc.id]]),
                "violations": [v["message"] for v in violations if dc.id in v["dcs"]],
            }
        )
    hx, hy = _world(instance, instance.hub.x, instance.hub.y)  # type: ignore[arg-type]
    used = {frozenset(a) for r in plan.used_routes() for a in r.arcs(instance.hub.id)}
    return {
        "name": instance.name,
        "unit": instance.distance_unit,
        "geographic": instance.coordinates == "latlon",
        "hub": {"id": instance.hub.id, "x": instance.hub.x, "y": instance.hub.y, "wx": hx, "wy": hy},
        "dcs": dcs,
        "routes": routes,
        "consecutive": [list(p) for p in instance.consecutive],
        "damaged": [{"a": a, "b": b, "used": frozenset((a, b)) in used} for a, b in instance.damaged_roads],
        "feasible": report.feasible,
        "objective": report.distance,
        "violations": violations,
    }


def _stop_times(times: StopTime) -> str:
    """``arrives 10:05, waits 15 min, unloads 10:20-10:45``."""
    wait = f", waits {times.wait:.0f} min" if times.wait > 0 else ""
    return f"arrives {clock(times.arrival)}{wait}, unloads {clock(times.start)}-{clock(times.end)}"


def _route_times(schedule: Schedule | None) -> str | None:
    """``leaves 06:10, back 15:00 (8h50, shift 10h00)`` (None without time)."""
    if schedule is None:
        return None
    shift = f", shift {duration_text(schedule.shift)}" if schedule.shift is not None else ""
    return f"leaves {clock(schedule.departure)}, back {clock(schedule.return_time)} ({duration_text(schedule.duration)}{shift})"


def map_html(instance: Instance, plan: Plan, report: CheckReport | None = None, *, title: str | None = None) -> str:
    """The self-contained page (a string of HTML) drawing ``plan``; see :func:`map_data`.

    Parameters
    ----------
    instance : Instance
        An instance with coordinates.
    plan : Plan
        The plan to draw.
    report : CheckReport, optional
        The checker's report of the plan (computed when not given); broken rules are marked.
    title : str, optional
        The page's title (default: the instance name, route count and total distance).

    Returns
    -------
    str
        The HTML page; it needs no network.
    """
    data = map_data(instance, plan, report)
    data["title"] = (
        title or f"{instance.name}: {len(data['routes'])} routes, {data['objective']:,.1f} {instance.distance_unit}"  # type: ignore[arg-type]
    )
    template = resources.files("milp_milkrun.plotting").joinpath("map_template.html").read_text(encoding="utf-8")
    payload = json.dumps(data, allow_nan=False).replace("</", "<\\/")  # no "</script>" inside the script
    page_title = str(data["title"]).replace("&", "&amp;").replace("<", "&lt;")
    return template.replace("__TITLE__", page_title).replace("/*__DATA__*/null", payload)


def save_route_map(instance: Instance, plan: Plan, path: str | Path, report: CheckReport | None = None) -> None:
    """Write the interactive map of ``plan`` to ``path`` (``.html``), atomically.

    Parameters
    ----------
    instance, plan
        The instance and a plan of it (a plan that breaks rules is drawn with its violations marked).
    path
        The ``.html`` file to write.
    report
        The checker's report, when the caller already has it.
    """
    path = check_output_path(path, field="map", suffixes=MAP_SUFFIXES)
    write_text_atomically(path, map_html(instance, plan, report))
