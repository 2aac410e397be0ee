"""Bidirectional exact pricing: the same minimum as the monodirectional one and the brute force.

The oracles are the pricing tests' (every route the checker accepts for a vehicle of the class, priced
directly, with each subset-row cut's penalty times its coefficient): with ng-neighbourhoods holding every
DC the bidirectional minimum must equal the oracle's and the monodirectional pricing's, with small ones
never lie above the oracle's; every route returned must cost what the pricing reports.  Both half-way rules
(on load, on stops) are run on every instance, and deliberately wrong variants (no subset-row correction
at the join, a half-way rule that stops short of the middle) must be caught by the same comparisons.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from bruteforce import random_tiny_instance
from pricing_oracle import (
    INSTANCES,
    elementary_network,
    feasible_routes,
    pricing_instance,
    pricing_mismatches,
    random_cuts,
    random_duals,
    reduced_cost,
)
from random_instances import random_cvrp_instance
from timed_instances import without_shifts

from milp_milkrun.implied import vehicle_classes
from milp_milkrun.routes.bidirectional import (
    LONG_ROUTE,
    Meeting,
    by_load,
    by_stops,
    by_time,
    meeting,
    price_bidirectionally,
    reversed_network,
    route_length,
    runs_bidirectionally,
)
from milp_milkrun.routes.clocks import come_home, first_clocks, next_clocks
from milp_milkrun.routes.label_bounds import _potential, label_bounds, reversed_label_bounds
from milp_milkrun.routes.networks import class_networks, ng_masks
from milp_milkrun.routes.pricing import price
from milp_milkrun.routes.subset_rows import subset_row_penalties
from milp_milkrun.time_segments import route_fits_in_time

RULES = {"load": by_load, "stops": by_stops}


def _bidirectional(rule_of=None, **options):
    """A pricing function for :func:`pricing_mismatches`: bidirectional, with the half-way rule ``rule_of(net)``."""

    def run(net, arc_cost, start, rows):
        rule = rule_of(net) if rule_of is not None else None
        return price_bidirectionally(net, arc_cost, start, max_routes=10_000, subset_rows=rows, rule=rule, **options)

    return run


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize(("kind", "seed"), INSTANCES)
def test_bidirectional_pricing_matches_the_oracle_and_the_monodirectional_pricing(
    kind: str, seed: int, rule: str
) -> None:
    instance = pricing_instance(kind, seed)
    pi, start = random_duals(instance, seed)
    arc_cost = instance.distance - pi[None, :]
    classes = vehicle_classes(instance)
    for vc, net in zip(classes, class_networks(instance, classes)):
        costs = {r: reduced_cost(instance, r, pi, start) for r in feasible_routes(instance, vc)}
        truth = min([0.0, *costs.values()])
        elementary = elementary_network(net)
        both = price_bidirectionally(elementary, arc_cost, start, max_routes=10_000, rule=RULES[rule](elementary))
        one = price(elementary, arc_cost, start, exact=True, max_routes=10_000)
        assert both.minimum == pytest.approx(truth, abs=1e-6) and one.minimum == pytest.approx(truth, abs=1e-6)
        assert len({r.stops for r in both.routes}) == len(both.routes)  # each route once
        for route in both.routes:  # real routes at their true reduced cost
            assert costs[route.stops] == pytest.approx(route.reduced_cost, abs=1e-6) and route.reduced_cost < 0
        relaxed = price_bidirectionally(net, arc_cost, start, max_routes=10, rule=RULES[rule](net))
        assert relaxed.minimum <= truth + 1e-6
        for route in relaxed.routes:
            assert route.reduced_cost == pytest.approx(reduced_cost(instance, route.stops, pi, start), abs=1e-6)


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize("memory", [False, True])
def test_bidirectional_pricing_with_subset_rows_finds_the_true_minimum(rule: str, memory: bool) -> None:
    """Random cuts with negative duals (with and without limited memories): the oracle's minimum with
    elementary neighbourhoods, never above it with small ones, every route at its true reduced cost."""
    assert pricing_mismatches(_bidirectional(RULES[rule]), memory=memory) == []
    assert pricing_mismatches(_bidirectional(RULES[rule]), memory=memory, elementary=False) == []


def test_a_join_without_the_subset_row_correction_is_caught() -> None:
    """A joined route whose two halves both end a cut's stretch at odd parity completes one more pair: leaving
    that penalty out prices some route below its true reduced cost."""
    wrong = _bidirectional(crossing=lambda forward, backward: np.zeros_like(forward))
    assert pricing_mismatches(wrong, memory=True)


def test_a_half_way_rule_that_stops_short_of_the_middle_is_caught() -> None:
    """Labels extended only up to a quarter of the capacity from either end (and joined there): the routes
    whose middle quarter-to-three-quarters holds a DC are never found."""

    def quarter(net):
        def short(labels, stops):
            return 4 * labels.load <= net.capacity

        return Meeting(short, short)

    assert pricing_mismatches(_bidirectional(quarter))


def test_the_reversed_network_drives_every_arc_backwards() -> None:
    instance = pricing_instance("side", 3)
    classes = vehicle_classes(instance)
    for net in class_networks(instance, classes):
        back = reversed_network(net)
        assert np.array_equal(back.allowed, net.allowed.T) and np.array_equal(back.distance, net.distance.T)
        assert back.ng_masks == net.ng_masks and np.array_equal(back.ng_position, net.ng_position)
        route = (1, 2, 3)
        assert back.resources.distance.used_by(route[::-1]) == pytest.approx(net.resources.distance.used_by(route))
        assert reversed_network(back).resources.distance.to_hub.tolist() == net.resources.distance.to_hub.tolist()


def test_the_rule_runs_bidirectionally_only_where_costs_reverse_and_routes_are_long() -> None:
    instance = pricing_instance("tiny", 0)
    classes = vehicle_classes(instance)
    net = class_networks(instance, classes)[0]
    assert runs_bidirectionally(net, True) and not runs_bidirectionally(net, False)
    assert runs_bidirectionally(net, None) == (route_length(net) >= LONG_ROUTE)
    assert not runs_bidirectionally(dataclasses.replace(net, load_rate=0.5), True)  # a load term does not reverse
    assert isinstance(meeting(net), Meeting)
    assert math.isfinite(route_length(net))


TIME_SEEDS = range(16)


def _timed(seed: int):
    """A random tiny instance with time and without shifts (so the time reverses)."""
    return without_shifts(random_tiny_instance(seed, time=True))


@pytest.mark.parametrize("seed", TIME_SEEDS)
def test_bidirectional_pricing_with_time_matches_the_oracle(seed: int) -> None:
    """Windows (several per DC on some seeds) and the hub's hours: the clock runs forward from the opening and
    backward on mirrored time; the join must admit exactly the routes that keep time."""
    instance = _timed(seed)
    pi, start = random_duals(instance, seed)
    arc_cost = instance.distance - pi[None, :]
    classes = vehicle_classes(instance)
    for vc, net in zip(classes, class_networks(instance, classes)):
        assert runs_bidirectionally(net, True)
        costs = {r: reduced_cost(instance, r, pi, start) for r in feasible_routes(instance, vc)}
        truth = min([0.0, *costs.values()])
        elementary = _elementary_timed(net)
        for rule in (by_time, by_load):
            both = price_bidirectionally(elementary, arc_cost, start, max_routes=10_000, rule=rule(elementary))
            assert both.minimum == pytest.approx(truth, abs=1e-6), rule.__name__
            for route in both.routes:
                assert costs[route.stops] == pytest.approx(route.reduced_cost, abs=1e-6)


def _elementary_timed(net):
    return dataclasses.replace(net, ng_masks=ng_masks(net.distance, size=len(net.load)))


@pytest.mark.parametrize("seed", TIME_SEEDS)
def test_a_route_keeps_time_exactly_when_its_reverse_keeps_mirrored_time(seed: int) -> None:
    """Every order of up to four DCs: the forward clock (from the hub's opening) and the mirrored clock of
    the reversed route (:func:`mirrored_time`) agree with the independent time check."""
    instance = _timed(seed)
    classes = vehicle_classes(instance)
    vehicle_type = next(vt for vt in instance.vehicle_types if vt.name == classes[0].vehicle_type)
    net = class_networks(instance, classes)[0]
    back = reversed_network(net)
    for size in range(1, 5):
        for route in itertools.permutations(range(1, instance.n_dcs + 1), size):
            truth = route_fits_in_time(instance, vehicle_type, route)
            assert _keeps_clock(net, route) == truth
            assert _keeps_clock(back, route[::-1]) == truth


def _keeps_clock(net, route) -> bool:
    """The labelling's clock along ``route`` on ``net``, arcs not checked: in time at every stop and home."""
    clock, ok = first_clocks(net, np.array([route[0]]))
    for i, j in itertools.pairwise(route):
        clock, step = next_clocks(net, i, clock, np.array([j]))
        ok &= step
    home, _ = come_home(net, np.array([route[-1]]), clock)
    return bool(ok[0] and home[0])


def test_networks_whose_costs_do_not_reverse_are_refused() -> None:
    instance = without_shifts(random_tiny_instance(0, time=True))
    net = class_networks(instance, vehicle_classes(instance))[0]
    hourly = dataclasses.replace(net, time=dataclasses.replace(net.time, per_minute=1.0))
    assert not runs_bidirectionally(hourly, True)
    with pytest.raises(ValueError, match="reverse"):
        price_bidirectionally(hourly, net.distance, 0.0, max_routes=1)


def _cut_duals(n: int, seed: int) -> np.ndarray:
    """What random rounded capacity cuts' duals take off the arcs entering their sets (as the master's arc_duals)."""
    rng = np.random.default_rng(seed)
    total = np.zeros((n, n))
    for _ in range(3):
        inside = np.zeros(n, dtype=bool)
        inside[1:] = rng.random(n - 1) < 0.5
        total += rng.uniform(0, 20) * (~inside[:, None] & inside[None, :])
    return total


@pytest.mark.parametrize("seed", range(12))
def test_the_reversed_bounds_from_the_potential_equal_the_ones_computed_afresh(seed: int) -> None:
    """Symmetric distances, DC duals and capacity-cut duals on entering arcs: the reversed network's stop and
    load bounds are the forward ones less the potential (what reversed_label_bounds uses), never above the
    ones computed on the reversed network, and equal up to float noise; with subset-row cuts charged too."""
    instance = random_cvrp_instance(seed)
    pi, _ = random_duals(instance, seed)
    n = instance.n_dcs + 1
    arc_cost = instance.distance - pi[None, :] - _cut_duals(n, seed)
    rows = subset_row_penalties(*random_cuts(instance.n_dcs, seed), n)
    for net in class_networks(instance, vehicle_classes(instance)):
        back = reversed_network(net)
        forward = label_bounds(net, arc_cost, rows)
        shifted = reversed_label_bounds(net, back, arc_cost, forward, rows)
        fresh = label_bounds(back, arc_cost.T.copy(), rows)
        for mine, truth in ((shifted.plain, fresh.plain), (shifted.charged, fresh.charged)):
            assert np.all(mine.best <= truth.best + 1e-9) and np.allclose(mine.best, truth.best, atol=1e-9)
            assert np.allclose(mine.second, truth.second, atol=1e-9)


def test_the_potential_is_found_where_the_arcs_are_symmetric() -> None:
    found = 0
    for seed in range(12):
        instance = random_cvrp_instance(seed)
        arc_cost = instance.distance - random_duals(instance, seed)[0][None, :] - _cut_duals(instance.n_dcs + 1, seed)
        for net in class_networks(instance, vehicle_classes(instance)):
            symmetric = np.array_equal(net.allowed, net.allowed.T) and net.allowed[0, 1:].all()
            assert (_potential(net, arc_cost) is not None) == symmetric
            found += symmetric
            if symmetric:  # an arc cost off the potential (not a dual of a reduced cost) is refused
                bent = arc_cost.copy()
                i, j = np.argwhere(net.allowed[1:, 1:])[0] + 1
                bent[i, j] += 1.0
                assert _potential(net, bent) is None
    assert found
