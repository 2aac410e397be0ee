"""The heuristic pricing's widths weighed by the labels they create: past the narrowest, a width is skipped only where
the exact pricing created fewer, never at the cost of a bound (every bound comes from the exact pricing, whatever the
widths tried)."""

from __future__ import annotations

import math
import time

import pytest
from bruteforce import random_tiny_instance
from pricing_oracle import random_duals

from milp_milkrun.implied import vehicle_classes
from milp_milkrun.routes.bidirectional import price_bidirectionally, reverses
from milp_milkrun.routes.column_generation import ColumnGeneration
from milp_milkrun.routes.label_bounds import label_bounds
from milp_milkrun.routes.master_lp import solve_lp
from milp_milkrun.routes.networks import class_networks
from milp_milkrun.routes.pricing import HEURISTIC_WIDTHS, heuristic_widths, label_levels, price
from milp_milkrun.routes.pricing_work import PricingWork
from milp_milkrun.routes.settings import RouteSettings

THREE = HEURISTIC_WIDTHS[:3]
NARROW, MIDDLE, WIDE = THREE


def test_before_an_exact_pricing_every_width_is_worth_trying() -> None:
    assert PricingWork().worth_trying(HEURISTIC_WIDTHS) == list(HEURISTIC_WIDTHS)


def test_a_width_dearer_than_the_exact_pricing_is_skipped_and_the_others_keep_their_order() -> None:
    work = PricingWork(exact=1_000, widths={NARROW: 200, MIDDLE: 900, WIDE: 3_000})
    assert work.worth_trying(THREE) == [NARROW, MIDDLE]
    work.exact = 5_000  # the exact pricing got dearer: the wide width is worth a try again
    assert work.worth_trying(THREE) == [NARROW, MIDDLE, WIDE]


def test_the_narrowest_width_is_always_tried() -> None:
    work = PricingWork(exact=10, widths={NARROW: 500, MIDDLE: 900, WIDE: 20})
    assert work.worth_trying(THREE) == [NARROW]
    # the column generation asks one width at a time (every class at one width before the next): the same answers
    assert [w for w in THREE if work.worth_trying((w,))] == [NARROW]


@pytest.mark.parametrize("seed", [0, 5, 9])  # instances where the exact labelling drops a dominated label
def test_a_labelling_counts_every_label_it_created(seed: int) -> None:
    """Every label admitted (the trace) was created, and the exact dominance drops some: the count exceeds the trace's;
    the same call counts the same (a path that follows the seed)."""
    instance = random_tiny_instance(seed)
    pi, start = random_duals(instance, seed)
    net = class_networks(instance, vehicle_classes(instance))[0]
    arc_cost = instance.distance - pi[None, :]
    bound = label_bounds(net, arc_cost, None)
    for width in (None, NARROW):
        run = label_levels(net, arc_cost, start, bound, width, math.inf)
        assert run.created >= len(run.trace.node) > 0
        assert run.created > len(run.trace.node) or width is not None
        assert run.created == label_levels(net, arc_cost, start, bound, width, math.inf).created
    exact = price(net, arc_cost, start, exact=True, max_routes=50)
    assert exact.labels == label_levels(net, arc_cost, start, bound, None, math.inf).created
    if reverses(net):  # both directions' labels count
        assert price_bidirectionally(net, arc_cost, start, max_routes=50).labels > 0


@pytest.mark.parametrize("seed", [0, 1, 5, 9])  # instances with labels to create
def test_price_tries_only_the_widths_worth_trying_and_records_their_labels(seed: int) -> None:
    instance = random_tiny_instance(seed)
    pi, start = random_duals(instance, seed)
    classes = vehicle_classes(instance)
    net = class_networks(instance, classes)[0]
    arc_cost = instance.distance - pi[None, :]
    every = price(net, arc_cost, start, exact=False, max_routes=50)
    fresh = PricingWork()
    weighed = price(net, arc_cost, start, exact=False, max_routes=50, work=fresh)
    assert [r.stops for r in weighed.routes] == [r.stops for r in every.routes]
    assert list(fresh.widths) == list(HEURISTIC_WIDTHS[: len(fresh.widths)]) and fresh.widths  # tried in order
    assert all(labels > 0 for labels in fresh.widths.values())
    assert len(fresh.widths) == len(HEURISTIC_WIDTHS) or weighed.routes  # stopped early only at a width that found
    only_narrowest = PricingWork(exact=0)
    narrow = price(net, arc_cost, start, exact=False, max_routes=50, work=only_narrowest)
    assert list(only_narrowest.widths) == [HEURISTIC_WIDTHS[0]]
    alone = price(net, arc_cost, start, exact=False, max_routes=50, widths=HEURISTIC_WIDTHS[:1])
    assert [r.stops for r in narrow.routes] == [r.stops for r in alone.routes]


@pytest.mark.parametrize("dcs", [2, 10, 26, 50, 51, 52, 74, 100, 101, 150])
def test_each_width_kept_searches_more_than_the_one_before(dcs: int) -> None:
    """A width is kept when it keeps more labels or reaches more of a DC's dcs - 1 successors than the one before;
    the widest (100 successors) only where a DC has more than the 50 successors of the one before."""
    kept = heuristic_widths(dcs)
    assert kept[0] == HEURISTIC_WIDTHS[0] and set(kept) <= set(HEURISTIC_WIDTHS)
    assert list(kept) == sorted(kept)
    for last, width in zip(kept, kept[1:]):
        assert width[1] > last[1] or min(width[0], dcs - 1) > min(last[0], dcs - 1)
    assert (HEURISTIC_WIDTHS[-1] in kept) == (dcs - 1 > HEURISTIC_WIDTHS[-2][0])
    assert heuristic_widths(dcs, timed=True) == tuple(w for w in kept if w != HEURISTIC_WIDTHS[-1])  # not with time


@pytest.mark.parametrize("seed", range(6))
def test_skipping_widths_leaves_the_root_bound_as_it_was(seed: int) -> None:
    """Without cuts and with fixed ng-neighbourhoods the converged root is the LP optimum over all ng-routes: one
    value, whichever widths found the columns on the way."""
    instance = random_tiny_instance(seed)
    bounds = []
    for skip in (False, True):
        settings = RouteSettings(skip_costly_widths=skip)
        cg = ColumnGeneration(instance, time.perf_counter() + 20, cuts=False, grow_ng=False, settings=settings)
        assert cg.run().converged
        bounds.append(cg.bound)
    assert bounds[1] == pytest.approx(bounds[0], abs=1e-6)


def test_a_wider_width_runs_only_when_no_class_found_a_route_at_the_narrower() -> None:
    """One heuristic round prices every class at the narrowest width first; a class that found nothing there waits
    for the next round (or the exact pricing) instead of searching wider while another class's routes are in hand.
    Followed round by round on 25 random DCs of two types until a round where that happens (round 3)."""
    instance = random_tiny_instance(6, n_dcs=25)
    cg = ColumnGeneration(instance, time.perf_counter() + 60, cuts=False, grow_ng=False)
    routes_per_class = RouteSettings().routes_per_class
    for _ in range(10):
        duals = solve_lp(cg.master, 30.0)
        assert duals is not None
        arc_cost = cg.arc_costs(duals)
        found = [
            [
                {
                    r.stops
                    for r in price(
                        net,
                        arc_cost[k],
                        cg.start_cost(k, duals.mu),
                        exact=False,
                        max_routes=routes_per_class,
                        widths=(width,),
                    ).routes
                }
                for width in heuristic_widths(instance.n_dcs)
            ]
            for k, net in enumerate(cg.networks)
        ]
        first = next(i for i in range(len(found[0])) if any(by_width[i] for by_width in found))
        before = {(c.vehicle_class, c.stops) for c in cg.master.columns}
        cg.price_heuristically(arc_cost, duals.mu)
        added = {(c.vehicle_class, c.stops) for c in cg.master.columns} - before
        assert added == {(k, stops) for k, by_width in enumerate(found) for stops in by_width[first]} - before
        if any(not by_width[first] and any(by_width[first:]) for by_width in found):
            return  # a class found routes only wider, and kept them for a later round
    pytest.fail("no round where a class found routes only at a wider width than another")
