"""The heuristic pricing's widths by time: skipped only where the exact pricing is expected faster, never at the
cost of a bound (every bound comes from the exact pricing, whatever the widths tried)."""

from __future__ import annotations

import math
import time

import pytest
from bruteforce import random_tiny_instance
from pricing_oracle import random_duals

from milp_milkrun.implied import vehicle_classes
from milp_milkrun.routes.column_generation import ColumnGeneration
from milp_milkrun.routes.master_lp import solve_lp
from milp_milkrun.routes.networks import class_networks
from milp_milkrun.routes.pricing import HEURISTIC_WIDTHS, heuristic_widths, price
from milp_milkrun.routes.pricing_times import PricingTimes
from milp_milkrun.routes.settings import RouteSettings

THREE = HEURISTIC_WIDTHS[:3]
NARROW, MIDDLE, WIDE = THREE


def test_before_an_exact_pricing_every_width_is_worth_trying() -> None:
    assert PricingTimes().worth_trying(HEURISTIC_WIDTHS) == list(HEURISTIC_WIDTHS)


def test_a_width_slower_than_the_exact_pricing_is_skipped_and_the_others_keep_their_order() -> None:
    times = PricingTimes(exact=1.0, widths={NARROW: 0.2, MIDDLE: 0.9, WIDE: 3.0})
    assert times.worth_trying(THREE) == [NARROW, MIDDLE]
    times.exact = 5.0  # the exact pricing got slower: the wide width is worth a try again
    assert times.worth_trying(THREE) == [NARROW, MIDDLE, WIDE]


def test_timing_records_a_block_that_ends_and_not_one_interrupted() -> None:
    times = PricingTimes()
    with times.timing(NARROW):
        time.sleep(0.01)
    with times.timing(None):
        time.sleep(0.02)
    assert times.widths[NARROW] >= 0.01 and times.exact >= 0.02
    with pytest.raises(RuntimeError), times.timing(MIDDLE):
        raise RuntimeError("deadline")
    assert MIDDLE not in times.widths


@pytest.mark.parametrize("seed", range(4))
def test_price_tries_only_the_widths_worth_trying_and_records_them(seed: int) -> None:
    instance = random_tiny_instance(seed)
    pi, start = random_duals(instance, seed)
    classes = vehicle_classes(instance)
    net = class_networks(instance, classes)[0]
    arc_cost = instance.distance - pi[None, :]
    every = price(net, arc_cost, start, exact=False, max_routes=50)
    fresh = PricingTimes()
    timed = price(net, arc_cost, start, exact=False, max_routes=50, times=fresh)
    assert [r.stops for r in timed.routes] == [r.stops for r in every.routes]
    assert list(fresh.widths) == list(HEURISTIC_WIDTHS[: len(fresh.widths)]) and fresh.widths  # tried in order
    assert len(fresh.widths) == len(HEURISTIC_WIDTHS) or timed.routes  # stopped early only at a width that found
    none_worth = price(net, arc_cost, start, exact=False, max_routes=50, times=PricingTimes(exact=-1.0))
    assert none_worth.routes == [] and math.isnan(none_worth.minimum)  # the caller turns to the exact pricing


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
        settings = RouteSettings(skip_slow_widths=skip)
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
