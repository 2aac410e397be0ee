"""ng-route pricing: exact pricing finds the least reduced cost over every feasible route of a class.

The oracle enumerates every ordered subset of a class's DCs, keeps the routes the independent checker
accepts for a vehicle of that class (every rule but coverage), and prices them directly.  With
ng-neighbourhoods as large as the instance the pricer is elementary and must match exactly; with
small ones it prices a relaxation and must never be above.
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
    random_duals,
    reduced_cost,
)
from timed_instances import dominance_trap

from milp_milkrun.implied import vehicle_classes
from milp_milkrun.routes import pricing, time_bounds
from milp_milkrun.routes.completions import coarse_loads
from milp_milkrun.routes.networks import ClassNetwork, class_networks, ng_masks
from milp_milkrun.routes.pricing import (
    ALL_COMPARED,
    PAIR_BLOCK,
    _blocks,
    compared_resources,
    completion_bounds,
    over_the_clock,
    price,
    two_cycle_free_completions,
    walk_bounds,
)
from milp_milkrun.routes.pricing_work import HEURISTIC_WIDTHS
from milp_milkrun.routes.time_bounds import TimeCompletions


@pytest.mark.parametrize(("kind", "seed"), INSTANCES)
def test_exact_pricing_matches_route_enumeration(kind: str, seed: int) -> None:
    instance = pricing_instance(kind, seed)
    pi, start = random_duals(instance, seed)
    arc_cost = instance.distance - pi[None, :]
    classes = vehicle_classes(instance)
    for vc, net in zip(classes, class_networks(instance, classes)):
        costs = {r: reduced_cost(instance, r, pi, start) for r in feasible_routes(instance, vc)}
        truth = min([0.0, *costs.values()])
        elementary = price(elementary_network(net), arc_cost, start, exact=True, max_routes=10_000)
        assert elementary.minimum == pytest.approx(truth, abs=1e-6), vc.name
        for route in elementary.routes:  # real routes at their true reduced cost (dominance may skip some)
            assert costs[route.stops] == pytest.approx(route.reduced_cost, abs=1e-6) and route.reduced_cost < 0
        relaxed = price(net, arc_cost, start, exact=True, max_routes=10)
        assert relaxed.minimum <= truth + 1e-6


@pytest.mark.parametrize(("kind", "seed"), INSTANCES[:6])
def test_heuristic_pricing_returns_only_real_negative_routes(kind: str, seed: int) -> None:
    instance = pricing_instance(kind, seed)
    pi, start = random_duals(instance, seed)
    classes = vehicle_classes(instance)
    for vc, net in zip(classes, class_networks(instance, classes)):
        found = price(net, instance.distance - pi[None, :], start, exact=False, max_routes=50)
        assert math.isnan(found.minimum)  # a heuristic proves nothing
        feasible = set(feasible_routes(instance, vc))
        for route in found.routes:
            assert route.reduced_cost < 0
            assert route.reduced_cost == pytest.approx(reduced_cost(instance, route.stops, pi, start))
            if len(set(route.stops)) == len(route.stops):  # an elementary ng-route is a real route
                assert route.stops in feasible


def _completions_of_every_route(kind: str, seed: int):
    """(bounds, walk bounds, [(stops left, units left, DC, previous DC or None, the route's true completion)])
    for every prefix of every feasible route of every class, under random duals."""
    instance = pricing_instance(kind, seed)
    pi, _ = random_duals(instance, seed)
    arc_cost = instance.distance - pi[None, :]
    classes = vehicle_classes(instance)
    for vc, net in zip(classes, class_networks(instance, classes)):
        prefixes = []
        for route in feasible_routes(instance, vc):
            path = (*route, 0)
            for p in range(1, len(route) + 1):
                rest = sum(arc_cost[a, b] for a, b in itertools.pairwise(path[p - 1 :]))
                units = net.capacity - int(net.load[list(route[:p])].sum())
                prefixes.append((net.max_stops - p, units, route[p - 1], route[p - 2] if p > 1 else None, rest))
        yield two_cycle_free_completions(net, arc_cost), completion_bounds(net, arc_cost), prefixes


@pytest.mark.parametrize(("kind", "seed"), INSTANCES)
def test_two_cycle_free_completions_never_exceed_a_real_completion(kind: str, seed: int) -> None:
    """The bound from a DC, avoiding the DC the route came from, is at most the route's own completion,
    and never below the plain walk bound (it is a tightening)."""
    for bound, walks, prefixes in _completions_of_every_route(kind, seed):
        assert np.all(bound.best >= walks - 1e-9)
        for left, units, j, previous, rest in prefixes:
            value = bound.best[left][units, j] if previous is None else bound.avoiding(left, units, j, previous)
            assert value <= rest + 1e-9


def _walk_bound(net, arc_cost: np.ndarray, h: int, c: int, j: int) -> float:
    """The definition of the walk bound from DC j: straight home, or on to a DC l that fits, then on from l."""
    home = arc_cost[j, 0] if net.allowed[j, 0] else math.inf
    if h == 0:
        return home
    ways = [
        arc_cost[j, nxt] + _walk_bound(net, arc_cost, h - 1, c - int(net.load[nxt]), nxt)
        for nxt in range(1, len(arc_cost))
        if net.allowed[j, nxt] and net.load[nxt] <= c
    ]
    return min([home, *ways])


@pytest.mark.parametrize(("kind", "seed"), INSTANCES[::4])
def test_the_walk_bound_is_its_definition(kind: str, seed: int) -> None:
    instance = pricing_instance(kind, seed)
    pi, _ = random_duals(instance, seed)
    arc_cost = instance.distance - pi[None, :]
    classes = vehicle_classes(instance)
    for net in class_networks(instance, classes):
        walks = completion_bounds(net, arc_cost)
        for h in range(min(net.max_stops, 3)):
            for c in range(0, net.capacity + 1, max(1, net.capacity // 7)):
                for j in range(1, len(arc_cost)):
                    assert walks[h, c, j] == pytest.approx(_walk_bound(net, arc_cost, h, c, j), abs=1e-9)


@pytest.mark.parametrize(("kind", "seed"), INSTANCES)
def test_a_walk_bound_over_coarse_loads_never_exceeds_a_real_completion(kind: str, seed: int) -> None:
    """Loads in units of a grain, rounded down (the heuristic pricing's walk bound): at the level of the units left,
    at most the walk bound over whole units (a relaxation) and so at most every route's own completion."""
    instance = pricing_instance(kind, seed)
    pi, _ = random_duals(instance, seed)
    arc_cost = instance.distance - pi[None, :]
    for (_, walks, prefixes), net in zip(
        _completions_of_every_route(kind, seed), class_networks(instance, vehicle_classes(instance))
    ):
        for levels in (2, 3, 5):
            coarse, grain = coarse_loads(net, levels)
            assert coarse.capacity + 1 <= levels or grain == 1
            bound = completion_bounds(coarse, arc_cost)
            assert np.all(bound[:, np.arange(net.capacity + 1) // grain, :] <= walks + 1e-9)  # a relaxation
            for left, units, j, _, rest in prefixes:
                assert bound[left][units // grain, j] <= rest + 1e-9


def test_a_completion_bound_that_avoids_the_wrong_dc_is_caught() -> None:
    """Taking the second-best walk whenever the best one does NOT turn back (the test inverted) cuts off
    real completions on some random instance: the check above would catch it."""
    caught = 0
    for kind, seed in INSTANCES:
        for bound, _, prefixes in _completions_of_every_route(kind, seed):
            for left, units, j, previous, rest in prefixes:
                if previous is not None:
                    wrong = np.where(
                        bound.first[left][units, j] != previous,
                        bound.second[left][units, j],
                        bound.best[left][units, j],
                    )
                    caught += wrong > rest + 1e-9
    assert caught > 0


def _elementary_classes(seed: int, time: bool):
    """(class network, its elementary copy, reduced arc costs, start cost, the brute-force minimum) for every class of
    a random tiny instance (with or without time) under random duals."""
    instance = random_tiny_instance(seed, time=time)
    pi, start = random_duals(instance, seed)
    arc_cost = instance.distance - pi[None, :]
    classes = vehicle_classes(instance)
    for vc, net in zip(classes, class_networks(instance, classes)):
        elementary = dataclasses.replace(net, ng_masks=ng_masks(net.distance, size=len(net.load)))
        truth = min([0.0, *(reduced_cost(instance, r, pi, start) for r in feasible_routes(instance, vc))])
        yield net, elementary, arc_cost, start, truth


def _priced_against_the_oracle(seed: int, time: bool, compared):
    """(exact pricing's minimum with the dominance comparing ``compared``, the brute-force minimum) for
    every class of a random tiny instance (with or without time), elementary memories, random duals."""
    for net, elementary, arc_cost, start, truth in _elementary_classes(seed, time):
        found = price(elementary, arc_cost, start, exact=True, max_routes=10, compared=compared)
        yield found.minimum, truth, net


TIMED = [(seed, time) for seed in range(12) for time in (False, True)]


@pytest.mark.parametrize(("seed", "time"), TIMED)
def test_dominance_on_the_compared_resources_matches_the_oracle_and_the_full_comparison(seed: int, time: bool) -> None:
    """The dominance compares only the resources that can tell labels apart (no distance without a limit,
    no clock without time): the exact minimum is the brute-force one, as with every resource compared."""
    for (least, truth, net), (full, _, _) in zip(
        _priced_against_the_oracle(seed, time, None), _priced_against_the_oracle(seed, time, ALL_COMPARED)
    ):
        assert least == pytest.approx(truth, abs=1e-6)
        assert full == pytest.approx(truth, abs=1e-6)
        assert ("time" in compared_resources(net)) == time


def _widest_heuristic_against_the_oracle(seed: int):
    """(the heuristic's least reduced cost at its widest width with the walk bound over the clock, the brute-force
    minimum) for every class of a random tiny instance with time, elementary memories, random duals."""
    for _, elementary, arc_cost, start, truth in _elementary_classes(seed, True):
        walks = over_the_clock(walk_bounds(elementary, arc_cost), elementary, arc_cost)
        found = price(
            elementary, arc_cost, start, exact=False, max_routes=10, widths=HEURISTIC_WIDTHS[-1:], walks=walks
        )
        yield min([0.0, *(route.reduced_cost for route in found.routes)]), truth, walks


@pytest.mark.parametrize("seed", range(12))
def test_the_heuristic_pruning_over_the_clock_keeps_the_least_route(seed: int) -> None:
    """At a width that keeps every label of a tiny instance, the heuristic with the walk bound over the clock (its
    widths past the narrowest, with time) finds the brute-force minimum: the bound prunes no route it should keep."""
    for least, truth, walks in _widest_heuristic_against_the_oracle(seed):
        assert least == pytest.approx(truth, abs=1e-6)
        assert walks.timed is not None


def test_a_heuristic_bound_over_the_clock_that_lies_above_a_completion_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bound over the clock 40 units too high (wrong) prunes the least route on some seeds: the check above sees
    it."""
    real = time_bounds.time_completions

    def too_high(net: ClassNetwork, arc_cost: np.ndarray) -> TimeCompletions | None:
        found = real(net, arc_cost)
        return None if found is None else dataclasses.replace(found, best=found.best + 40.0)

    monkeypatch.setattr(pricing, "time_completions", too_high)
    missed = [
        least > truth + 1e-6 for seed in range(12) for least, truth, _ in _widest_heuristic_against_the_oracle(seed)
    ]
    assert any(missed)


def test_a_dominance_that_ignores_the_clock_is_caught() -> None:
    """Comparing only the load (the clock ignored: a wrong rule) loses the optimum of the dominance trap
    (A B X cheaper than B A X but too late for D): the oracle check above catches such a rule, which
    random tiny instances alone rarely expose (in a trial none of 120 did, the distance or the clock ignored)."""
    instance = dominance_trap()
    pi = np.array([0.0] + [100.0] * instance.n_dcs)  # every DC worth a detour: the best route takes all four
    classes = vehicle_classes(instance)
    (vc,), (net,) = classes, class_networks(instance, classes)
    truth = min(reduced_cost(instance, r, pi, 0.0) for r in feasible_routes(instance, vc))
    arc_cost = instance.distance - pi[None, :]
    right = price(net, arc_cost, 0.0, exact=True, max_routes=10)
    wrong = price(net, arc_cost, 0.0, exact=True, max_routes=10, compared=("load",))
    assert right.minimum == pytest.approx(truth, abs=1e-9)
    assert wrong.minimum > truth + 1e-6


@pytest.mark.parametrize("seed", range(4))
def test_extension_blocks_cover_every_label_once_within_the_pair_budget(seed: int) -> None:
    """The labels of a level extend in consecutive blocks: all of them, in order, each block within PAIR_BLOCK pairs
    unless it is one label of more."""
    rng = np.random.default_rng(seed)
    pairs = rng.integers(0, PAIR_BLOCK // 3, 40)
    pairs[rng.integers(0, 40)] = 2 * PAIR_BLOCK  # one label of more pairs than a block holds
    blocks = _blocks(pairs)
    assert np.concatenate([np.arange(40)[b] for b in blocks]).tolist() == list(range(40))
    assert all(pairs[b].sum() <= PAIR_BLOCK or b.stop - b.start == 1 for b in blocks)
    assert len(blocks) < 40  # labels of few pairs share a block


@pytest.mark.parametrize("seed", range(3))
def test_a_memory_after_an_arc_is_the_remembered_members_of_the_next_neighbourhood_and_the_next_dc(seed: int) -> None:
    """MemoryMoves.after against its definition: the DCs of i's memory that lie in j's neighbourhood, and j."""
    instance = random_tiny_instance(seed + 40)
    net = class_networks(instance, vehicle_classes(instance))[0]
    n, lists, rng = len(net.load), net.ng_lists, np.random.default_rng(seed)
    for _ in range(200):
        i, j = rng.integers(1, n, 2)
        memory = int(rng.integers(0, 1 << len(lists[i])))
        held = {lists[i][p] for p in range(len(lists[i])) if memory >> p & 1} | {j}
        expected = sum(1 << lists[j].index(v) for v in held if v in lists[j])
        assert int(net.memory_moves.after(i, j, np.array([memory]))[0]) == expected
