"""The checker's schedules against the brute-force oracle on random tiny instances with time: windows
binding and not, several per DC, shifts, infeasible instances."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from bruteforce import brute_force, random_tiny_instance, shortest_duration
from timed_instances import rebuilt

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.plan import Plan, Route

SEEDS = range(40)
TIME_EQUATIONS = {"16", "17", "18"}


def time_verdict(instance: Instance, vehicle: str, order: tuple[str, ...]) -> float | None:
    """The checker's shortest duration of one route, None when it breaks Eq 16, 17 or 18."""
    report = check_plan(instance, Plan((Route(vehicle, order),)))
    if any(v.equation in TIME_EQUATIONS for v in report.violations):
        return None
    schedule = report.routes[0].schedule
    assert schedule is not None
    return schedule.duration


@pytest.mark.parametrize("seed", SEEDS)
def test_checker_and_oracle_agree_on_every_route(seed: int) -> None:
    instance = random_tiny_instance(seed, time=True)
    rng = random.Random(seed)
    dcs = [dc.id for dc in instance.dcs]
    for _ in range(60):
        order = tuple(rng.sample(dcs, rng.randint(1, len(dcs))))
        vehicle = rng.choice(instance.vehicles).name
        expected = shortest_duration(instance, vehicle, order)
        assert time_verdict(instance, vehicle, order) == expected, (vehicle, order)


def test_the_generator_makes_time_bind_and_makes_instances_infeasible() -> None:
    """Across the seeds, time changes some optima, leaves others alone and makes some instances infeasible."""
    binding = unchanged = infeasible = 0
    for seed in SEEDS:
        with_time = brute_force(random_tiny_instance(seed, time=True))
        without = brute_force(random_tiny_instance(seed))
        if without is None:
            continue
        if with_time is None:
            infeasible += 1
        elif with_time[0] > without[0] + 1e-9:
            binding += 1
        else:
            unchanged += 1
    assert binding >= 3 and unchanged >= 3 and infeasible >= 1
    several = sum(1 for seed in SEEDS for dc in random_tiny_instance(seed, time=True).dcs if len(dc.windows) > 1)
    assert several >= 5


@pytest.mark.parametrize("seed", SEEDS)
def test_the_oracle_optimum_passes_the_checker(seed: int) -> None:
    instance = random_tiny_instance(seed, time=True)
    found = brute_force(instance)
    if found is None:
        return
    value, plan = found
    report = check_plan(instance, plan)
    assert report.feasible, report.violations
    assert report.objective == pytest.approx(value)


def test_a_route_one_minute_late_is_rejected_by_both() -> None:
    """Close the window of an optimal route's last stop one minute before the route reaches it."""
    for seed in SEEDS:
        instance = random_tiny_instance(seed, time=True)
        found = brute_force(instance)
        if found is None:
            continue
        route = max(found[1].used_routes(), key=lambda r: len(r.stops))
        schedule = check_plan(instance, Plan((route,))).routes[0].schedule
        assert schedule is not None
        last = schedule.stops[-1]
        if last.wait > 0:
            continue  # the window must close just before an arrival that does not wait
        on_time = with_window(instance, last.dc, (0.0, last.arrival))
        late = with_window(instance, last.dc, (0.0, last.arrival - 1))
        if on_time is None or late is None:
            continue  # the builder finds the DC out of reach
        assert time_verdict(on_time, route.vehicle, route.stops) is not None
        assert shortest_duration(on_time, route.vehicle, route.stops) is not None
        assert time_verdict(late, route.vehicle, route.stops) is None
        assert shortest_duration(late, route.vehicle, route.stops) is None
        return
    pytest.fail("no seed gave a route to make late")


def with_window(instance: Instance, dc_id: str, window: tuple[float, float]) -> Instance | None:
    """The instance with ``dc_id``'s windows replaced by ``window`` (None when the builder rejects it)."""
    dcs = [replace(dc, windows=(window,)) if dc.id == dc_id else dc for dc in instance.dcs]
    try:
        return rebuilt(instance, dcs, list(instance.vehicle_types))
    except InputError:
        return None
