"""Route enumeration: every route that could be part of a plan within the threshold is listed.

The oracle is the pricing tests' one (every ordered subset of a class's DCs the independent checker
accepts for a vehicle of the class), priced directly under the distance and the emissions objective.
The enumeration may drop a route for one over the same DCs that is no longer and carries the load no
farther (a plan with it costs no more); so for every oracle route within the threshold it must list
such a route, or such a route must lie above the threshold.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest
from emission_helpers import emission_factors
from pricing_oracle import INSTANCES, feasible_routes, pricing_instance, random_duals

from milp_milkrun.implied import vehicle_classes
from milp_milkrun.objectives import route_costs
from milp_milkrun.routes import enumeration
from milp_milkrun.routes.enumeration import TooManyRoutes, enumerate_routes
from milp_milkrun.routes.labels import PricingTimeout
from milp_milkrun.routes.networks import class_networks


def _length_and_load(costs, stops: tuple[int, ...]) -> tuple[float, float]:
    """The route's length and its load-distance sum_j q_j * (distance driven to j)."""
    d, q = costs.instance.distance, costs.load_weights
    driven, load = 0.0, 0.0
    for a, b in itertools.pairwise((0, *stops)):
        driven += d[a, b]
        load += q[b] * driven
    return driven + d[stops[-1], 0], load


def _no_worse(costs, a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    (la, qa), (lb, qb) = _length_and_load(costs, a), _length_and_load(costs, b)
    return la <= lb + 1e-9 and (qa <= qb + 1e-9 or not costs.load_dependent)


@pytest.mark.parametrize("objective", ["distance", "emissions"])
@pytest.mark.parametrize(("kind", "seed"), INSTANCES)
def test_enumeration_lists_every_route_within_the_threshold(kind: str, seed: int, objective: str) -> None:
    instance = pricing_instance(kind, seed)
    costs = route_costs(instance, objective, emission_factors() if objective == "emissions" else None)
    pi, mu = random_duals(instance, seed)
    classes = vehicle_classes(instance)
    rates = [costs.rates[vc.vehicle_type] for vc in classes]
    for vc, net, rate in zip(classes, class_networks(instance, classes, rates, costs.load_weights), rates):
        start = rate.fixed + mu
        truth = {r: costs.route_of_nodes(rate, r) - sum(pi[s] for s in r) + mu for r in feasible_routes(instance, vc)}
        threshold = float(np.quantile([*truth.values(), 0.0], 0.4))
        found = enumerate_routes(
            net, rate.per_km * instance.distance - pi[None, :], start, threshold, max_labels=100_000
        )
        if not costs.load_dependent:
            assert len({frozenset(r) for r in found}) == len(found)  # one route per set of DCs
        for stops in found:
            assert len(set(stops)) == len(stops) and stops in truth  # elementary, feasible
            assert truth[stops] <= threshold + 1e-6
        for route, cost in truth.items():
            if cost > threshold:
                continue
            # listed, or dropped for a path over the same DCs no longer and carrying no more load-distance
            # (which then lies above the threshold)
            assert any(frozenset(r) == frozenset(route) and _no_worse(costs, r, route) for r in found) or any(
                frozenset(r) == frozenset(route) and _no_worse(costs, r, route) and c > threshold
                for r, c in truth.items()
            )


def test_enumeration_stops_at_its_label_budget() -> None:
    instance = pricing_instance("tiny", 1)
    classes = vehicle_classes(instance)
    net = class_networks(instance, classes)[0]
    with pytest.raises(TooManyRoutes):
        enumerate_routes(net, instance.distance, 0.0, 1e9, max_labels=2)


@pytest.mark.parametrize("with_node", [True, False])
def test_the_dominance_in_parts_keeps_the_rows_it_keeps_in_one(with_node: bool) -> None:
    """Split into parts of a few rows (a large level's way), the dominance keeps the same rows as over all of
    them at once: every row of a visited set falls into one part (random sets over two words, ties included)."""
    rng = np.random.default_rng(7)
    rows = 2_000
    seen = rng.integers(0, 4, size=(rows, 2)).astype(np.uint64) << rng.integers(0, 60, size=(1, 2)).astype(np.uint64)
    dist = rng.integers(0, 30, size=rows).astype(float)
    others = rng.integers(0, 5, size=(rows, 2)).astype(float)
    node = rng.integers(1, 4, size=rows) if with_node else None
    whole = enumeration._undominated(seen, dist, others, node, math.inf)
    parted = enumeration._undominated(seen, dist, others, node, math.inf, part_rows=37)
    assert sorted(parted.tolist()) == sorted(whole.tolist()) and len(whole) < rows


def test_the_dominance_of_a_large_level_stops_at_the_deadline() -> None:
    """A level sorted in parts looks at the deadline before each: one already past stops it (X-n106-k14's sort of
    millions of labels once ran 39 s past an hour's limit)."""
    seen = np.arange(100, dtype=np.uint64).reshape(-1, 1)
    with pytest.raises(PricingTimeout):
        enumeration._undominated(seen, np.zeros(100), np.zeros((100, 1)), None, time.perf_counter() - 1, part_rows=10)
