"""Completion bounds over time (routes/time_bounds.py): never above a real completion, checked on every
prefix of every route the checker accepts on random tiny instances with windows; a bound read at a later
start than the label's (the grid point above, a wrong rounding) is caught by the same check.  The exact
pricing with these bounds is checked against the brute-force minimum in tests/test_pricing.py (TIMED)."""

from __future__ import annotations

import functools
import itertools
from dataclasses import replace

import numpy as np
import pytest
from bruteforce import random_tiny_instance
from pricing_oracle import feasible_routes, random_duals

from milp_milkrun.implied import vehicle_classes
from milp_milkrun.routes.networks import ClassNetwork, class_networks
from milp_milkrun.routes.time_bounds import TimeCompletions, time_completions

SEEDS = range(20)


def _starts(net: ClassNetwork, route: tuple[int, ...]) -> list[float]:
    """The earliest start of service at each stop of ``route`` leaving the hub at its opening (the label's clock)."""
    times = net.time
    assert times is not None
    clock, previous, starts = times.hub_open, 0, []
    for j in route:
        clock = float(times.start(np.array(clock + times.leave[previous, j]), np.array(j)))
        starts.append(clock)
        previous = j
    return starts


@functools.cache
def _prefixes(seed: int) -> list:
    """(class network, arc costs, bounds, [(DC, start, DC before or None, the route's true rest)]) for every
    prefix of every route in time of every class, under random duals."""
    instance = random_tiny_instance(seed, time=True)
    pi, _ = random_duals(instance, seed)
    arc_cost = instance.distance - pi[None, :]
    classes, out = vehicle_classes(instance), []
    for vc, net in zip(classes, class_networks(instance, classes)):
        bounds = time_completions(net, arc_cost)
        if bounds is None:
            continue
        prefixes = []
        for route in feasible_routes(instance, vc):
            path = (*route, 0)
            for p, start in enumerate(_starts(net, route), start=1):
                rest = sum(arc_cost[a, b] for a, b in itertools.pairwise(path[p - 1 :]))
                prefixes.append((route[p - 1], start, route[p - 2] if p > 1 else None, rest))
        out.append((net, arc_cost, bounds, prefixes))
    return out


def _above_a_completion(bounds: TimeCompletions, prefixes) -> int:
    """How many prefixes the bounds (from anywhere, and avoiding the DC before) put above their true rest."""
    above = 0
    for j, start, previous, rest in prefixes:
        above += bounds.least(np.array(start), np.array(j)) > rest + 1e-9
        if previous is not None:
            above += bounds.avoiding(np.array(start), np.array(j), np.array(previous)) > rest + 1e-9
    return int(above)


@pytest.mark.parametrize("seed", SEEDS)
def test_time_completions_never_exceed_a_real_completion(seed: int) -> None:
    checked = 0
    for _, _, bounds, prefixes in _prefixes(seed):
        assert _above_a_completion(bounds, prefixes) == 0
        checked += len(prefixes)
    assert checked > 0


def test_a_bound_read_at_a_later_start_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The grid point above the start (a later start admits fewer walks: a higher bound) cuts off real
    completions on some instance: the check above catches it."""
    right = TimeCompletions.bucket

    def later(self: TimeCompletions, start: np.ndarray) -> np.ndarray:
        return np.minimum(right(self, start) + 1, len(self.grid) - 1)

    monkeypatch.setattr(TimeCompletions, "bucket", later)
    assert sum(_above_a_completion(bounds, prefixes) for seed in SEEDS for _, _, bounds, prefixes in _prefixes(seed))


def test_no_grid_without_time_or_when_an_arc_takes_no_time() -> None:
    instance = random_tiny_instance(0, time=True)
    net = class_networks(instance, vehicle_classes(instance))[0]
    assert net.time is not None
    assert time_completions(net, instance.distance) is not None
    assert time_completions(replace(net, time=None), instance.distance) is None
    still = replace(net, time=replace(net.time, leave=np.zeros_like(net.time.leave)))
    assert time_completions(still, instance.distance) is None
