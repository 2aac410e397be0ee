"""``ecom74_tw.json``: ecom74 with a clock (receiving windows, unloading times, hub hours and shifts).

Written by ``python instances/generate.py`` beside ``ecom74.json``, from it and its planted plan.
Every figure below is an assumption (the seed paper publishes no times); they are what a planner at
an Indian parcel hub would quote:

* the hub dispatches from 04:00 and every vehicle is back by 22:00 (HUB_HOURS);
* a large truck averages 45 km/h and a small one 50 km/h over the road distances (SPEED_KMH);
* unloading takes 20 minutes at the dock plus 0.02 minute a bag, about a minute a 48-bag cage
  (SERVICE_MIN, SERVICE_MIN_PER_BAG);
* a large truck runs with two drivers, on a duty of at most 15 hours; a small one has one driver and
  10 hours (SHIFT);
* a DC receives in one of the hub's standard windows (WINDOWS): early 05:00-11:00, morning
  06:00-12:00 (its riders leave by noon), midday 09:00-15:00 or afternoon 13:00-19:00 (for the next
  morning's riders); one window a DC (``benchmarks/bench_time_kinds.py`` gives each a second one
  beside the shifts). Each DC gets, at random, one of those
  that holds the time the planted 13-route plan (``ecom74_plan13.json``, leaving at 04:00) reaches it,
  so that plan stays feasible and the instance is never infeasible by construction.

The proven optimum of ecom74 without time (3,542.6 km, ``ecom74_optimum_plan.json``) breaks these rules
(its longest routes overrun the shifts and it reaches DCs outside their windows), so time changes
the optimal plan.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from milp_milkrun.checker import check_plan
from milp_milkrun.io import instance_from_dict
from milp_milkrun.plan import Plan
from milp_milkrun.timing import clock, parse_time

HUB_HOURS = ("04:00", "22:00")
SPEED_KMH = {"large": 45, "small": 50}
SHIFT = {"large": "15:00", "small": "10:00"}
SERVICE_MIN = 20
SERVICE_MIN_PER_BAG = 0.02
WINDOWS: list[list[tuple[str, str]]] = [
    [("05:00", "11:00")],
    [("06:00", "12:00")],
    [("09:00", "15:00")],
    [("13:00", "19:00")],
]


def ecom74_tw(ecom: dict[str, Any], planted: Plan, rng: random.Random) -> dict[str, Any]:
    """The ecom74 document with time, windows drawn around the planted plan's arrival times.

    Parameters
    ----------
    ecom : dict
        The ecom74 document.
    planted : Plan
        Its planted 13-route plan.
    rng : random.Random
        The generator's random numbers.

    Returns
    -------
    dict
        The ecom74_tw document.
    """
    data = copy.deepcopy(ecom)
    data["name"] = "ecom74_tw"
    data["description"] = (
        "ecom74 with a clock: the hub dispatches 04:00-22:00; large trucks average 45 km/h with two drivers on a 15-hour "
        "duty, small ones 50 km/h with one driver on 10 hours; unloading takes 20 min plus 0.02 min a bag; each DC receives "
        "in one of the hub's standard windows (05:00-11:00, 06:00-12:00, 09:00-15:00 or 13:00-19:00), drawn among those that hold the time the planted plan ecom74_plan13.json reaches it. Assumptions, "
        "not published figures: see instances/ecom74_tw.py."
    )
    data["meta"] = {**data["meta"], "time_generator": "instances/ecom74_tw.py"}
    data["time"] = {"hub_hours": list(HUB_HOURS)}
    data["vehicle_types"] = [
        {**vt, "shift": SHIFT[vt["name"]], "speed": SPEED_KMH[vt["name"]]} for vt in data["vehicle_types"]
    ]
    for dc in data["dcs"]:
        dc["service"] = SERVICE_MIN
        dc["service_per_unit"] = SERVICE_MIN_PER_BAG
    arrivals = _arrivals(data, planted)
    for dc in data["dcs"]:
        dc["windows"] = [list(w) for w in _window_for(arrivals[dc["id"]], rng)]
    return data


def _arrivals(data: dict[str, Any], plan: Plan) -> dict[str, float]:
    """When the planted plan, leaving at the hub's opening, reaches each DC (no windows yet)."""
    instance = instance_from_dict(data)
    report = check_plan(instance, plan)
    return {stop.dc: stop.arrival for route in report.routes if route.schedule for stop in route.schedule.stops}


def _window_for(arrival: float, rng: random.Random) -> list[tuple[str, str]]:
    """A standard window (set) that holds ``arrival``, at random; a DC-specific 6-hour one if none does."""
    holding = [ws for ws in WINDOWS if any(parse_time(a, "") <= arrival <= parse_time(b, "") for a, b in ws)]
    if holding:
        return rng.choice(holding)
    opens = 30 * int(arrival // 30) - 60
    return [(clock(opens), clock(opens + 360))]


def verify_ecom74_tw(data: dict[str, Any], planted: Plan, optimum: Plan) -> None:
    """The planted plan keeps every rule; the optimum without time breaks some (time changes the optimum).

    Parameters
    ----------
    data : dict
        The ecom74_tw document.
    planted : Plan
        The planted plan of ecom74.
    optimum : Plan
        The proven optimum of ecom74 without time.
    """
    instance = instance_from_dict(data)
    report = check_plan(instance, planted)
    if not report.feasible:
        raise SystemExit(f"generator check failed: the planted plan breaks ecom74_tw: {report.violations}")
    broken = check_plan(instance, optimum).violations
    if not broken:
        raise SystemExit("generator check failed: the optimum without time keeps every rule of ecom74_tw")
    kinds = sorted({v.equation for v in broken})
    print(
        f"ecom74_tw: planted plan feasible ({report.objective:.0f} km); the optimum without time breaks Eq {', '.join(kinds)}"
    )
