"""The enumeration's bounds on a route's rest (routes/suffix_bounds.py), against the pricing oracle.

For every feasible route within the threshold (priced directly, subset-row penalties included, with and without
limited memories) and every DC j on it, the route's prefix up to j (its penalties included) plus the bound at j for
the load left after the prefix must not pass the route's reduced cost: that is all the enumeration's pruning needs.
The bound must also prune: above the walk bounds somewhere, else it would be no use.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from pricing_oracle import INSTANCES, feasible_routes, pricing_instance, random_cuts, random_duals

from milp_milkrun.implied import vehicle_classes
from milp_milkrun.routes.enumeration import TooManyRoutes, enumerate_routes
from milp_milkrun.routes.label_bounds import label_bounds
from milp_milkrun.routes.networks import class_networks
from milp_milkrun.routes.pricing import TooManyLabels
from milp_milkrun.routes.subset_rows import route_penalty, subset_row_penalties
from milp_milkrun.routes.suffix_bounds import suffix_bounds


def _cases(memory: bool):
    """Per class of each oracle instance: (network, arc costs, start cost, cuts, threshold, every feasible route with
    its reduced cost)."""
    for kind, seed in INSTANCES:
        instance = pricing_instance(kind, seed)
        pi, start = random_duals(instance, seed)
        rows = subset_row_penalties(*random_cuts(instance.n_dcs, seed, memory=memory), instance.n_dcs + 1)
        arc_cost = instance.distance - pi[None, :]
        classes = vehicle_classes(instance)
        for vc, net in zip(classes, class_networks(instance, classes)):
            truth = {
                r: start + sum(arc_cost[a, b] for a, b in itertools.pairwise((0, *r, 0))) + route_penalty(r, rows)
                for r in feasible_routes(instance, vc)
            }
            threshold = float(np.quantile([*truth.values(), 0.0], 0.5))
            yield net, arc_cost, start, rows, threshold, truth


@pytest.mark.parametrize("memory", [False, True])
def test_no_route_within_the_threshold_costs_less_than_a_prefix_and_the_bound_on_its_rest(memory: bool) -> None:
    checked, above_walks = 0, 0
    for net, arc_cost, start, rows, threshold, truth in _cases(memory):
        walks = label_bounds(net, arc_cost, rows)
        rests = suffix_bounds(net, arc_cost, start, threshold, walks, subset_rows=rows)
        for route, cost in truth.items():
            if cost > threshold:
                continue
            for p, j in enumerate(route):
                prefix = route[: p + 1]
                paid = start + sum(arc_cost[a, b] for a, b in itertools.pairwise((0, *prefix)))
                paid += route_penalty(prefix, rows)
                units = np.array(net.capacity - int(net.load[list(prefix)].sum()))
                assert paid + rests.least(units, np.array(j)) <= cost + 1e-6, (route, j)
                checked += 1
        finite = np.isfinite(rests.best[:, 1:])
        loads = np.arange(len(rests.best)) * rests.grain // walks.plain.grain
        plain = walks.plain.best[-1, np.minimum(loads, walks.plain.best.shape[1] - 1)]  # the walks of most stops
        above_walks += int((rests.best[:, 1:][finite] > plain[:, 1:][finite] + 1e-6).sum())
    assert checked > 100 and above_walks > 0


def test_the_backward_labelling_stops_at_its_label_budget() -> None:
    net, arc_cost, start, rows, threshold, _ = next(_cases(False))
    with pytest.raises(TooManyLabels):
        suffix_bounds(
            net, arc_cost, start, threshold, label_bounds(net, arc_cost, rows), subset_rows=rows, max_labels=1
        )


def test_the_enumeration_names_the_labelling_of_the_rest_bound_when_it_gives_up() -> None:
    net, arc_cost, start, rows, threshold, _ = next(_cases(False))
    with pytest.raises(TooManyRoutes, match="rest"):
        enumerate_routes(net, arc_cost, start, threshold, max_labels=1, subset_rows=rows)
