"""Route enumeration: every route that could be part of a plan within the threshold is listed.

The oracle is the pricing tests' one (every ordered subset of a class's DCs the independent checker
accepts for a vehicle of the class), priced directly.  The enumeration may keep, for a set of DCs, only
its shortest path (a plan with a longer one costs more); so for every oracle route within the
threshold it must list a route over the same DCs no longer than it, or a route over those DCs no
longer than it must lie above the threshold.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from test_pricing import INSTANCES, _feasible_routes, _instance, _random_duals, _reduced_cost

from milp_milkrun.implied import vehicle_classes
from milp_milkrun.solve.enumeration import TooManyRoutes, enumerate_routes
from milp_milkrun.solve.pricing import class_networks


def _length(instance, stops: tuple[int, ...]) -> float:
    return float(sum(instance.distance[a, b] for a, b in itertools.pairwise((0, *stops, 0))))


@pytest.mark.parametrize(("kind", "seed"), INSTANCES)
def test_enumeration_lists_every_route_within_the_threshold(kind: str, seed: int) -> None:
    instance = _instance(kind, seed)
    pi, start = _random_duals(instance, seed)
    arc_cost = instance.distance - pi[None, :]
    classes = vehicle_classes(instance)
    for vc, net in zip(classes, class_networks(instance, classes)):
        truth = {r: _reduced_cost(instance, r, pi, start) for r in _feasible_routes(instance, vc)}
        threshold = float(np.quantile([*truth.values(), 0.0], 0.4))
        found = enumerate_routes(net, arc_cost, start, threshold, max_labels=100_000)
        by_set = {frozenset(r): r for r in found}
        assert len(by_set) == len(found)  # one route per set of DCs
        for stops in found:
            assert len(set(stops)) == len(stops) and stops in truth  # elementary, feasible
            assert truth[stops] <= threshold + 1e-6
        for route, cost in truth.items():
            if cost > threshold:
                continue
            listed = by_set.get(frozenset(route))
            if listed is not None:
                assert _length(instance, listed) <= _length(instance, route) + 1e-9
            else:  # dropped for a path over the same DCs no longer than it, which lies above the threshold
                assert any(frozenset(r) == frozenset(route) and _length(instance, r) <= _length(instance, route) + 1e-9
                           and c > threshold for r, c in truth.items())


def test_enumeration_stops_at_its_label_budget() -> None:
    instance = _instance("tiny", 1)
    classes = vehicle_classes(instance)
    net = class_networks(instance, classes)[0]
    with pytest.raises(TooManyRoutes):
        enumerate_routes(net, instance.distance, 0.0, 1e9, max_labels=2)
