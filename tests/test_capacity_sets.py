"""The minimum cuts behind the rounded capacity inequalities' candidate sets (models/capacity_sets.py)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from bruteforce import random_tiny_instance

from milp_milkrun.implied import vehicle_classes
from milp_milkrun.models.capacity_sets import FLOW_UNITS, _fractional_capacity_sets, _integer_capacities


def _fractional_edge_use(n: int, rng: np.random.Generator) -> np.ndarray:
    """y_ij = x_ij + x_ji of an average of four random plans (symmetric, the hub node 0): an LP-like point."""
    y = np.zeros((n + 1, n + 1))
    for _ in range(4):
        for route in np.array_split(rng.permutation(np.arange(1, n + 1)), int(rng.integers(1, 3))):
            stops = [0, *route.tolist(), 0]
            for a, b in zip(stops, stops[1:]):
                y[a, b] += 0.25
                y[b, a] += 0.25
    return y


def _excess(y: np.ndarray, members: frozenset[int], demand: np.ndarray, capacity: float) -> float:
    """y(delta(S)) - 2 l(S) / Q, what the minimum cut through i minimises over the sets S holding i."""
    outside = [j for j in range(len(y)) if j not in members]
    return float(y[np.ix_(sorted(members), outside)].sum()) - 2.0 * float(demand[sorted(members)].sum()) / capacity


@pytest.mark.parametrize("seed", range(12))
def test_each_dc_gets_the_least_excess_set_through_it(seed: int) -> None:
    """For every DC i, one of the sets is the minimum of y(delta(S)) - 2 l(S)/Q over every S holding i (brute force
    over the subsets): the flow, the residual graph or the source side read wrong would miss it."""
    instance = random_tiny_instance(seed, 6)
    classes = vehicle_classes(instance)
    capacity = max(c.capacity for c in classes)
    y = _fractional_edge_use(instance.n_dcs, np.random.default_rng(seed))
    found = [frozenset(s) for s in _fractional_capacity_sets(instance, classes, y)]
    dcs = range(1, instance.n_dcs + 1)
    subsets = [frozenset(c) for size in range(1, len(dcs) + 1) for c in itertools.combinations(dcs, size)]
    rounding = len(y) ** 2 / FLOW_UNITS  # every capacity is rounded to a millionth
    for i in dcs:
        best = min(_excess(y, s, instance.demand, capacity) for s in subsets if i in s)
        through = [_excess(y, s, instance.demand, capacity) for s in found if i in s]
        assert through, f"no set through DC {i}"
        assert min(through) == pytest.approx(best, abs=rounding)


def test_integer_capacities_stay_within_int32_on_huge_weights() -> None:
    """The flow's int32 capacities: on weights summing far past 2^31 millionths the unit grows, so that the sum and
    the capacity that forces a DC to the source side still fit (scipy would wrap them silently)."""
    weights = np.full((1002, 1002), 3.0)
    np.fill_diagonal(weights, 0.0)
    graph, forced = _integer_capacities(weights)
    assert 2 * (forced + int(graph.data.astype(np.int64).sum())) < 2**31  # flows and residuals within int32
    assert graph.data.min() > 0


def test_every_source_arc_is_stored_even_at_zero_load() -> None:
    """A DC without load keeps its source arc (an explicit 0), so forcing it to the source side has an arc to raise."""
    weights = np.zeros((5, 5))
    weights[1:4, 0] = 1.0
    weights[4, 1:4] = [0.5, 0.0, 0.25]
    graph, _ = _integer_capacities(weights)
    source_row = graph.indices[graph.indptr[4] : graph.indptr[5]]
    assert source_row.tolist() == [1, 2, 3]
    assert graph[4, 2] == 0 and graph[4, 1] == FLOW_UNITS // 2
