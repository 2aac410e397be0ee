"""Benchmark of the route engine on three kinds of time of ecom74_tw (``solve --model routes``).

* ``one window``: ``instances/ecom74_tw.json`` as it is (one receiving window a DC, shifts of 15 h and
  10 h, hub hours 04:00-22:00);
* ``two windows + shift``: every DC also receives in a second window (:func:`second_window`: three
  to four hours after its own window closes, or before it opens when that is too late), beside the
  same shifts: the labelling keeps one label per window of a DC;
* ``+ cost per hour``: the same under the cost objective, with a fixed cost and a cost per km and per
  hour of route duration per type (:data:`RATES`, assumed INR figures): the pricing charges each
  route its shortest duration.

Each variant is solved by the route-based branch-and-price-and-cut (no heuristic start) within
``--time-limit`` seconds; one Markdown row each: status, plan value, certified bound, gap and time.
Every plan is re-checked by the independent checker inside ``make_result``.

    nice -n 10 python benchmarks/bench_time_kinds.py --time-limit 600
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path
from typing import Any

from milp_milkrun.io import instance_from_dict
from milp_milkrun.solve import SolveOptions, solve
from milp_milkrun.timing import clock, parse_time

INSTANCE = Path(__file__).resolve().parents[1] / "instances" / "ecom74_tw.json"
RATES = {  # per vehicle type: fixed cost a route, per km, per hour of route duration (assumed, INR)
    "large": {"fixed_cost": 3000, "cost_per_km": 28, "cost_per_hour": 450},
    "small": {"fixed_cost": 1800, "cost_per_km": 18, "cost_per_hour": 300},
}
LAST_OPEN = 21 * 60  # a second window closes by 21:00 (the hub closes at 22:00)


def second_window(window: list[str]) -> list[list[str]]:
    """The DC's window and a second, disjoint one: 3 h from an hour after it closes, or (when that
    would close after 21:00) 3 h ending an hour before it opens."""
    opens, closes = parse_time(window[0], ""), parse_time(window[1], "")
    if closes + 60 + 180 <= LAST_OPEN:
        return [window, [clock(closes + 60), clock(closes + 240)]]
    return [[clock(opens - 240), clock(opens - 60)], window]


def variants(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The three documents, by name."""
    two = copy.deepcopy(data)
    for dc in two["dcs"]:
        dc["windows"] = second_window(dc["windows"][0])
    priced = copy.deepcopy(two)
    priced["objective"] = "cost"
    priced["vehicle_types"] = [{**vt, **RATES[vt["name"]]} for vt in priced["vehicle_types"]]
    return {"one window": data, "two windows + shift": two, "+ cost per hour": priced}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds per variant")
    parser.add_argument("--only", nargs="*", help="variant names to run (default: all)")
    args = parser.parse_args()
    print("| variant | status | value | bound | gap | time (s) |")
    print("|---|---|---|---|---|---|")
    for name, document in variants(json.loads(INSTANCE.read_text())).items():
        if args.only and name not in args.only:
            continue
        instance = instance_from_dict(document)
        began = time.perf_counter()
        result = solve(
            instance,
            model="routes",
            options=SolveOptions(time_limit=args.time_limit, gap=0.0, log=False),
            heuristic_start=False,
        )
        elapsed = time.perf_counter() - began
        value = "-" if result.objective is None else f"{result.objective:,.1f}"
        bound = "-" if result.bound is None else f"{result.bound:,.1f}"
        gap = (
            "-"
            if result.objective is None or result.bound is None
            else f"{100 * max(0.0, result.objective - result.bound) / result.objective:.2f}%"
        )
        print(f"| {name} | {result.status} | {value} | {bound} | {gap} | {elapsed:.1f} |", flush=True)


if __name__ == "__main__":
    main()
