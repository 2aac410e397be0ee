"""A brute-force optimum for tiny instances with time, and a generator of such instances.

It shares nothing with the engines or the checker: every partition of the DCs, every order of a route
and every group of identical vehicles is tried (``bruteforce.py``'s enumeration), and a route's time
is simulated directly from the rules of docs/formats.md: leave the hub at a whole minute between its
opening and closing, wait for a window, start service by its close, be back by the hub's closing,
within the shift. Every datum of the generated instances is a whole number of minutes, so some
whole-minute departure is the best one (the best departures are window bounds minus sums of whole
travel and service times) and trying them all is exact.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest
from bruteforce import _identical_vehicles, _orders, _vehicle_can_drive, set_partitions

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.instance import (
    DC,
    DistanceSpec,
    Instance,
    Site,
    VehicleType,
    build_instance,
)
from milp_milkrun.plan import Plan, Route
from milp_milkrun.result import SolveResult
from milp_milkrun.timing import TimeSpec


def route_duration(instance: Instance, vehicle: str, order: tuple[str, ...]) -> float | None:
    """The least duration of the route over every whole-minute departure, or None when none meets the
    windows and the hub's hours."""
    travel = instance.travel_time(instance.vehicle_by_name[vehicle].type)
    opening, closing = instance.hub_hours  # type: ignore[misc]
    nodes = [instance.index[s] for s in order]
    best = None
    for departure in range(int(opening), int(closing) + 1):
        now, at, feasible = float(departure), 0, True
        for j in nodes:
            arrival = now + travel[at, j]
            starts = [max(arrival, a) for a, b in instance.windows[j] if arrival <= b + 1e-9]
            if not starts:
                feasible = False
                break
            now, at = min(starts) + instance.service_time[j], j
        back = now + travel[at, 0]
        if feasible and back <= closing + 1e-9 and (best is None or back - departure < best):
            best = back - departure
    return best


def _drives_in_time(instance: Instance, vehicle: str, order: tuple[str, ...]) -> bool:
    duration = route_duration(instance, vehicle, order)
    shift = instance.vehicle_by_name[vehicle].type.shift
    return duration is not None and (shift is None or duration <= shift + 1e-9)


def route_value(instance: Instance, vehicle: str, order: tuple[str, ...], length: float) -> float:
    """The route's distance, or under the cost objective fixed + per km x length + per hour x its
    shortest duration, from the raw vehicle type."""
    if instance.objective != "cost":
        return length
    vt = instance.vehicle_by_name[vehicle].type
    duration = route_duration(instance, vehicle, order)
    assert duration is not None
    return vt.fixed_cost + vt.cost_per_km * length + vt.cost_per_hour * duration / 60.0


def brute_force_time(instance: Instance) -> tuple[float, Plan] | None:
    """The least total distance (or cost, with the instance's cost objective) of a plan meeting every
    rule and Eq 15-18, and one such plan; None if none."""
    dcs = [dc.id for dc in instance.dcs]
    groups = _identical_vehicles(instance)
    memo: dict[tuple[frozenset[str], int], tuple[float, tuple[str, ...]] | None] = {}

    def best_route(block: list[str], g: int) -> tuple[float, tuple[str, ...]] | None:
        key = (frozenset(block), g)
        if key not in memo:
            vehicle = groups[g][0]
            options = [
                (route_value(instance, vehicle, order, length), order)
                for length, order in _orders(instance, block)
                if _vehicle_can_drive(instance, vehicle, block, length) and _drives_in_time(instance, vehicle, order)
            ]
            memo[key] = min(options) if options else None
        return memo[key]

    best: tuple[float, Plan] | None = None
    for partition in set_partitions(dcs):
        for choice in itertools.product(range(len(groups)), repeat=len(partition)):
            if any(choice.count(g) > len(groups[g]) for g in set(choice)):
                continue
            routes = [best_route(block, g) for block, g in zip(partition, choice)]
            if any(r is None for r in routes):
                continue
            total = sum(r[0] for r in routes)  # type: ignore[index]
            if best is None or total < best[0] - 1e-9:
                used = {g: iter(groups[g]) for g in set(choice)}
                best = (total, Plan(tuple(Route(next(used[g]), r[1]) for g, r in zip(choice, routes))))  # type: ignore[index]
    return best


def assert_heuristic_matches(instance: Instance, result: SolveResult, expected: tuple[float, Plan] | None) -> None:
    """A heuristic's answer on a tiny instance is the brute force's: no plan where none exists, else a plan the checker
    accepts at the optimum (tiny instances: the search finds it)."""
    if expected is None:
        assert result.plan is None
        return
    assert result.plan is not None and check_plan(instance, result.plan).feasible
    assert result.objective == pytest.approx(expected[0])


def random_timed_instance(seed: int, n_dcs: int | None = None, *, priced: bool = False) -> Instance:
    """A random instance of 3..5 DCs with windows (none, one or two per DC), service times, hub hours
    and shifts, every time a whole number of minutes (speed 60: a distance unit is a minute). The
    windows and the shift are drawn around the direct trip so that some bind, some do not, and some
    instances have no plan; a draw with a DC that no vehicle can reach is drawn again. ``priced``
    minimises cost: fixed costs, costs per km and per hour of route duration that differ by type."""
    rng = random.Random(seed)
    for _ in range(100):
        try:
            return _draw(rng, n_dcs or rng.randint(3, 5), seed, priced)
        except InputError:
            continue
    raise AssertionError(f"no reachable instance drawn for seed {seed}")


def _draw(rng: random.Random, n: int, seed: int, priced: bool) -> Instance:
    hub = Site("H", 30, 30)
    dcs = []
    for k in range(1, n + 1):
        x, y = rng.randint(0, 60), rng.randint(0, 60)
        direct = round(((x - 30) ** 2 + (y - 30) ** 2) ** 0.5)
        windows: tuple[tuple[float, float], ...] = ()
        kind = rng.random()
        if kind < 0.6:
            opens = direct + rng.randint(0, 80)
            windows = ((float(opens), float(opens + rng.randint(5, 40))),)
        elif kind < 0.85:
            first = direct + rng.randint(0, 30)
            second = first + rng.randint(40, 90)
            windows = (
                (float(first), float(first + rng.randint(0, 20))),
                (float(second), float(second + rng.randint(5, 30))),
            )
        dcs.append(DC(f"D{k}", rng.randint(1, 6), x, y, windows=windows, service=float(rng.randint(0, 10))))
    shift = rng.choice([None, rng.randint(60, 160)])
    big = VehicleType("big", rng.randint(1, 2), rng.randint(10, 20), shift=shift)
    small = VehicleType("small", rng.randint(1, 2), rng.randint(6, 12), shift=rng.choice([None, rng.randint(80, 200)]))
    if priced:
        big = replace(
            big,
            fixed_cost=rng.randint(0, 40),
            cost_per_km=rng.choice([1.0, 1.5]),
            cost_per_hour=rng.choice([0.0, 30.0, 90.0]),
        )
        small = replace(
            small,
            fixed_cost=rng.randint(0, 20),
            cost_per_km=rng.choice([0.5, 1.0]),
            cost_per_hour=rng.choice([20.0, 60.0]),
        )
    return build_instance(
        name=f"timed-{seed}",
        hub=hub,
        dcs=dcs,
        vehicle_types=[big, small],
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        coordinates="xy",
        distance_unit="units",
        time=TimeSpec(0.0, float(rng.randint(160, 260)), speed=60.0),
        objective="cost" if priced else "distance",
    )
