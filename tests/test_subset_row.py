"""Subset-row cuts: the pricing charges them exactly, the bound stays valid, the optimum is unchanged.

The pricing oracle is the pricing tests' one (every route the checker accepts for a vehicle of the
class, priced directly) with each cut's penalty times floor(visits to S / 2) added; with elementary
ng-neighbourhoods the exact pricing must find that minimum, with small ones never lie above it.
Deliberately wrong variants (dominance that ignores the parities, a pricing that ignores the
penalties) must be caught by the same comparison.
"""

from __future__ import annotations

import itertools
import math
import random
import time

import numpy as np
import pytest
from bruteforce import brute_force, random_tiny_instance
from pricing_oracle import (
    INSTANCES,
    cut_penalty,
    feasible_routes,
    pricing_instance,
    pricing_mismatches,
    random_cuts,
    random_duals,
)
from shared_data import CVRPLIB, cvrplib_optimum, needs_cvrplib

from milp_milkrun.implied import vehicle_classes
from milp_milkrun.io import load_instance
from milp_milkrun.routes import label_bounds, pricing
from milp_milkrun.routes.bidirectional import by_load, by_stops, price_bidirectionally
from milp_milkrun.routes.column_generation import ColumnGeneration
from milp_milkrun.routes.enumeration import enumerate_routes
from milp_milkrun.routes.master import ArcSetRow, RouteMaster
from milp_milkrun.routes.networks import class_networks
from milp_milkrun.routes.pricing import price
from milp_milkrun.routes.settings import RouteSettings
from milp_milkrun.routes.subset_rows import (
    CUTS_PER_WORD,
    SubsetRowCut,
    SubsetRowPenalties,
    counted_rows,
    grown_memories,
    route_penalty,
    separate_subset_rows,
    subset_row_penalties,
    with_memory,
)
from milp_milkrun.routes.tree import BranchAndPrice


def _exact(net, arc_cost, start, rows):
    return price(net, arc_cost, start, exact=True, max_routes=10_000, subset_rows=rows)


def test_route_penalty_is_the_cut_coefficient_times_the_dual() -> None:
    cuts, sigma = [SubsetRowCut(frozenset({1, 2, 3})), SubsetRowCut(frozenset({2, 4, 5}))], np.array([-2.0, -5.0])
    rows = subset_row_penalties(cuts, sigma, 6)
    for stops in [(1,), (1, 2), (1, 2, 3), (2, 4, 1, 5), (4, 1, 3, 2, 5), (1, 4, 1, 2)]:
        expected = sum(-s * cut.coefficient(0, stops) for cut, s in zip(cuts, sigma))
        assert route_penalty(stops, rows) == pytest.approx(expected)
    assert subset_row_penalties(cuts, np.zeros(2), 6) is None  # no dual: nothing to charge


def test_exact_pricing_with_subset_rows_finds_the_true_minimum() -> None:
    assert pricing_mismatches(_exact) == []


def test_limited_memory_coefficient_resets_outside_the_memory() -> None:
    full, limited = SubsetRowCut(frozenset({1, 2, 3})), SubsetRowCut(frozenset({1, 2, 3}), frozenset({1, 2, 3, 4}))
    assert full.coefficient(0, (1, 5, 2)) == 1 and limited.coefficient(0, (1, 5, 2)) == 0  # 5 is outside: forgotten
    assert limited.coefficient(0, (1, 4, 2)) == 1  # 4 is remembered
    assert limited.coefficient(0, (1, 2, 5, 3, 4, 1)) == 2  # the pair (1, 2), then (3, 1) after the reset
    assert limited.coefficient(0, (1, 5, 2, 5, 3)) == 0


@pytest.mark.parametrize("seed", range(20))
def test_limited_memory_penalty_is_the_coefficient_times_the_dual(seed: int) -> None:
    """What the pricing's parity resource charges (with the resets) equals the master's coefficient, on random
    walks (DCs repeated, as on ng-routes) and random memories; with every DC in memory, floor(v_r(S) / 2)."""
    rng = random.Random(seed)
    cuts, sigma = random_cuts(7, seed, memory=True)
    rows = subset_row_penalties(cuts, sigma, 8)
    for _ in range(50):
        stops = tuple(rng.randint(1, 7) for _ in range(rng.randint(1, 9)))
        expected = sum(-s * cut.coefficient(0, stops) for cut, s in zip(cuts, sigma))
        assert route_penalty(stops, rows) == pytest.approx(expected)
        assert all(cut.coefficient(0, stops) <= SubsetRowCut(cut.members).coefficient(0, stops) for cut in cuts)
        everything = SubsetRowCut(cuts[0].members, frozenset(range(1, 8)))
        assert everything.coefficient(0, stops) == sum(1 for v in stops if v in cuts[0].members) // 2


def test_exact_pricing_with_limited_memory_cuts_finds_the_true_minimum() -> None:
    assert pricing_mismatches(_exact, memory=True) == []


def test_a_pricing_that_never_forgets_a_parity_is_caught() -> None:
    """Charging limited-memory cuts as if they remembered every DC (no reset) overcharges routes that leave a
    memory between two visits: the oracle's minimum is missed."""

    def unforgetting(net, arc_cost, start, rows):
        full = None if rows is None else SubsetRowPenalties(rows.cuts_of, rows.penalty)
        return price(net, arc_cost, start, exact=True, max_routes=10_000, subset_rows=full)

    assert pricing_mismatches(unforgetting, memory=True)


def test_memory_keeps_the_lp_routes_coefficients_and_grows_when_a_later_lp_needs_it() -> None:
    cut = SubsetRowCut(frozenset({1, 2, 3}))
    routes = [(1, 4, 2), (2, 5, 6, 3), (3, 1)]
    limited = with_memory(cut, routes)
    assert limited.memory == frozenset({1, 2, 3, 4, 5, 6})
    assert [limited.coefficient(0, r) for r in routes] == [cut.coefficient(0, r) for r in routes] == [1, 1, 1]
    later = [(1, 7, 2), (2, 7, 3), (3, 7, 1)]  # each pairs two members across 7, outside the memory: row 0
    assert sum(limited.coefficient(0, r) for r in later) == 0
    grown = grown_memories([limited], later, np.full(3, 0.5))  # full memory: 1.5 > 1, violated
    assert grown == {0: SubsetRowCut(cut.members, limited.memory | {7})}
    assert grown_memories([grown[0]], later, np.full(3, 0.5)) == {}  # already remembered: nothing to grow
    assert grown_memories([limited], later, np.full(3, 0.3)) == {}  # 0.9: not violated even with every DC


def test_pricing_with_small_neighbourhoods_stays_below_the_true_minimum() -> None:
    assert pricing_mismatches(_exact, elementary=False) == []


def test_heuristic_pricing_reports_true_reduced_costs() -> None:
    for kind, seed in INSTANCES[:10]:
        instance = pricing_instance(kind, seed)
        pi, start = random_duals(instance, seed)
        rows = subset_row_penalties(*random_cuts(instance.n_dcs, seed), instance.n_dcs + 1)
        classes = vehicle_classes(instance)
        for net in class_networks(instance, classes):
            for route in price(
                net, instance.distance - pi[None, :], start, exact=False, max_routes=50, subset_rows=rows
            ).routes:
                true_cost = start + sum(
                    instance.distance[a, b] - pi[b] for a, b in itertools.pairwise((0, *route.stops, 0))
                )
                assert route.reduced_cost == pytest.approx(true_cost + route_penalty(route.stops, rows), abs=1e-6)


def test_a_pricing_that_ignores_the_penalties_is_caught() -> None:
    def forgetful(net, arc_cost, start, rows):
        return price(net, arc_cost, start, exact=True, max_routes=10_000)

    assert pricing_mismatches(forgetful)


def test_dominance_that_ignores_the_parities_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = pricing.dominated_in_ranges

    def blind(labels, other, ranges, earlier, subset_rows=None, *options):
        return plain(labels, other, ranges, earlier, None, *options)

    monkeypatch.setattr(pricing, "dominated_in_ranges", blind)
    assert pricing_mismatches(_exact)


@pytest.mark.parametrize("count", [1, 40, CUTS_PER_WORD, CUTS_PER_WORD + 1, 150])
@pytest.mark.parametrize("shape", [(), (7,), (3, 5), (3000,)])
def test_paid_sums_the_penalties_of_the_set_bits(count: int, shape: tuple[int, ...]) -> None:
    """paid() against a sum bit by bit, for parities of one or several words, few or many at once, and a strided
    view (the pricing hands it slices)."""
    rng = np.random.default_rng(count)
    words = -(-count // CUTS_PER_WORD)
    penalty = rng.uniform(0.0, 4.0, count)
    cuts_of = np.zeros((4, words) if words > 1 else 4, dtype=np.int64)
    rows = SubsetRowPenalties(cuts_of, penalty)
    bits = rng.integers(0, 2, size=(*shape, count))
    parity = np.zeros((*shape, words), dtype=np.int64)
    for c in range(count):
        parity[..., c // CUTS_PER_WORD] |= bits[..., c].astype(np.int64) << (c % CUTS_PER_WORD)
    parity = parity if words > 1 else parity[..., 0]
    assert np.allclose(rows.paid(parity), bits @ penalty)
    if shape:
        assert np.allclose(rows.paid(parity[::2]), bits[::2] @ penalty)


def _enumeration_misses(
    quantile: float = 0.4, *, size: int = 3, thirds: bool = False
) -> list[tuple[str, int, tuple[int, ...]]]:
    """(kind, seed, route) of every route within the threshold whose set of DCs the enumeration with
    subset-row penalties does not list (it lists the shortest route of each set: the same penalty; ``size``,
    ``thirds``: the random cuts', :func:`~pricing_oracle.random_cuts`)."""
    missed = []
    for kind, seed in INSTANCES:
        instance = pricing_instance(kind, seed)
        pi, start = random_duals(instance, seed)
        cuts, sigma = random_cuts(instance.n_dcs, seed, size=size, thirds=thirds)
        rows = subset_row_penalties(cuts, sigma, instance.n_dcs + 1)
        classes = vehicle_classes(instance)
        for vc, net in zip(classes, class_networks(instance, classes)):
            truth = {
                r: start
                + sum(instance.distance[a, b] - pi[b] for a, b in itertools.pairwise((0, *r, 0)))
                + cut_penalty(r, cuts, sigma)
                for r in feasible_routes(instance, vc)
            }
            threshold = float(np.quantile([*truth.values(), 0.0], quantile))
            found = enumerate_routes(
                net, instance.distance - pi[None, :], start, threshold, max_labels=100_000, subset_rows=rows
            )
            listed = {frozenset(r) for r in found}
            assert all(truth[stops] <= threshold + 1e-6 for stops in found)
            missed += [
                (kind, seed, r) for r, cost in truth.items() if cost <= threshold - 1e-6 and frozenset(r) not in listed
            ]
    return missed


@pytest.mark.parametrize("quantile", [0.2, 0.4, 0.7])
def test_enumeration_with_subset_rows_lists_every_route_within_the_threshold(quantile: float) -> None:
    assert _enumeration_misses(quantile) == []


def test_completion_bounds_that_overcharge_the_penalties_are_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # twice the penalty (not half) on each arc inside a cut's set: a rest through two DCs of S is
    # charged twice what it pays, so the bound is no longer a lower bound and routes go missing
    def overcharged(subset_rows, n):
        inside = np.zeros((n, n))
        for c in range(subset_rows.count):
            nodes = np.flatnonzero((subset_rows.cuts_of >> c) & 1)
            inside[np.ix_(nodes, nodes)] += 2.0 * subset_rows.penalty[c]
        np.fill_diagonal(inside, 0.0)
        return inside

    monkeypatch.setattr(label_bounds, "charged_costs", overcharged)
    assert _enumeration_misses(0.7)


def _root(instance, subset_rows: bool) -> ColumnGeneration:
    cg = ColumnGeneration(instance, time.perf_counter() + 120, subset_rows=subset_rows)
    cg.run()
    assert cg.converged
    return cg


@needs_cvrplib
def test_subset_rows_raise_the_root_bound_and_keep_it_below_the_optimum() -> None:
    # P-n16-k8: the capacity cuts leave the root below the optimum, one subset-row cut closes it
    instance = load_instance(CVRPLIB / "P-n16-k8.vrp")
    optimum = cvrplib_optimum("P-n16-k8")
    without, with_rows = _root(instance, False), _root(instance, True)
    assert without.bound < optimum - 1e-6
    assert with_rows.master.subset_rows
    assert without.bound + 1e-6 < with_rows.bound <= optimum + 1e-6


def test_separation_finds_the_classic_odd_cycle() -> None:
    # three routes {1,2}, {2,3}, {1,3} at 1/2 each: the row of {1,2,3} is 3/2
    visits = np.zeros((3, 4), dtype=np.int64)
    for r, (a, b) in enumerate([(1, 2), (2, 3), (1, 3)]):
        visits[r, [a, b]] = 1
    cuts = separate_subset_rows(visits, np.full(3, 0.5), set(), max_cuts=5)
    assert cuts == [SubsetRowCut(frozenset({1, 2, 3}))]
    assert separate_subset_rows(visits, np.full(3, 0.5), {cuts[0].key}, max_cuts=5) == []


def test_separation_finds_the_odd_cycle_of_five_that_no_triple_sees() -> None:
    # five routes {1,2}, {2,3}, {3,4}, {4,5}, {5,1} at 1/2: each triple's row is at most 1, the five's is 5/2 > 2
    visits = np.zeros((5, 6), dtype=np.int64)
    for r, (a, b) in enumerate(itertools.pairwise((1, 2, 3, 4, 5, 1))):
        visits[r, [a, b]] = 1
    assert separate_subset_rows(visits, np.full(5, 0.5), set(), max_cuts=5) == []
    five = SubsetRowCut(frozenset(range(1, 6)))
    assert separate_subset_rows(visits, np.full(5, 0.5), set(), max_cuts=5, five=True) == [five]
    assert five.rhs == 2 and SubsetRowCut(frozenset({1, 2, 3})).rhs == 1


def test_a_five_dc_cut_counts_pairs_of_visits_against_two() -> None:
    cut = SubsetRowCut(frozenset(range(1, 6)))
    pairs = {(1,): 0, (1, 6, 2): 1, (1, 2, 3): 1, (1, 2, 3, 4): 2, (5, 4, 3, 2, 1): 2}
    assert {stops: cut.coefficient(0, stops) for stops in pairs} == pairs
    master = RouteMaster(random_tiny_instance(23, n_dcs=6))
    master.add_subset_row(cut)
    assert master.row_upper[-1] == 2.0


def test_a_five_dc_cut_grows_its_memory_only_when_the_lp_passes_two() -> None:
    # routes 1-6-2, 2-7-3, ... at 1/2: each pairs two DCs of S across a node outside its memory (S itself)
    cut = SubsetRowCut(frozenset(range(1, 6)), frozenset(range(1, 6)))
    cycle = [(1, 6, 2), (2, 7, 3), (3, 8, 4), (4, 9, 5), (5, 10, 1)]
    assert grown_memories([cut], cycle[:4], np.full(4, 0.5)) == {}  # 4 x 1/2 = 2: not violated with full memory
    grown = grown_memories([cut], cycle, np.full(5, 0.5))  # 5 x 1/2 = 2.5
    assert grown.keys() == {0} and grown[0].memory == frozenset(range(1, 11))


@pytest.mark.parametrize("memory", [False, True])
def test_exact_pricing_with_five_dc_cuts_finds_the_true_minimum(memory: bool) -> None:
    assert pricing_mismatches(_exact, memory=memory, size=5) == []


@pytest.mark.parametrize("rule", [by_load, by_stops])
def test_bidirectional_pricing_with_five_dc_cuts_finds_the_true_minimum(rule) -> None:
    """The join pays a cut once more where both halves are odd: floor((a + b) / 2) for any size of S."""

    def bidirectional(net, arc_cost, start, rows):
        return price_bidirectionally(net, arc_cost, start, max_routes=10, subset_rows=rows, rule=rule(net))

    assert pricing_mismatches(bidirectional, memory=True, size=5) == []


def tree_matching_brute_force(n_dcs: int, seed: int, settings: RouteSettings) -> BranchAndPrice:
    """Branch-and-price on a feasible tiny instance under ``settings``, checked against brute force: the optimum
    found, the root bound not above it.  Returned for the caller's check of the cuts its root got."""
    instance = random_tiny_instance(seed, n_dcs=n_dcs)
    truth = brute_force(instance)
    bp = BranchAndPrice(instance, time.perf_counter() + 60, settings=settings)
    bp.run(time.perf_counter(), 60)
    assert truth is not None and bp.incumbent_cost == pytest.approx(truth[0], abs=1e-6)
    assert bp.root_bound <= truth[0] + 1e-6
    return bp


@pytest.mark.parametrize(("n_dcs", "seed"), [(6, 23), (7, 1), (7, 6)])  # tiny instances whose roots get five-DC cuts
def test_branch_and_price_with_five_dc_cuts_matches_brute_force(n_dcs: int, seed: int) -> None:
    bp = tree_matching_brute_force(n_dcs, seed, RouteSettings(subset_rows=True, five_dc_subset_rows=True))
    assert any(len(cut.members) == 5 for cut in bp.cg.master.subset_rows)


def test_master_rows_hold_the_cut_coefficients() -> None:
    instance = random_tiny_instance(0, n_dcs=5)
    master = RouteMaster(instance)
    master.add(0, (1, 2))
    master.add_subset_row(SubsetRowCut(frozenset({1, 2, 3})))
    master.add(0, (2, 3, 4))
    master.add(0, (4, 5))
    lp = master.highs.getLp()
    column = np.array(lp.a_matrix_.index_), np.array(lp.a_matrix_.value_), np.array(lp.a_matrix_.start_)
    row = instance.n_dcs + len(master.classes)  # after the cover rows and the fleet rows
    coefficients = []
    for col in master.route_col:
        lo, hi = column[2][col], column[2][col + 1]
        entries = dict(zip(column[0][lo:hi], column[1][lo:hi]))
        coefficients.append(entries.get(row, 0.0))
    assert coefficients == [1.0, 1.0, 0.0]


@pytest.mark.parametrize("seed", range(6))
def test_counted_rows_hold_every_route_a_cut_counts(seed: int) -> None:
    # the master writes a cut's row only over these routes: a route left out would lose its coefficient
    rng = random.Random(seed)
    routes = [tuple(rng.randint(1, 7) for _ in range(rng.randint(1, 9))) for _ in range(300)]  # DCs may repeat
    visits = np.zeros((len(routes), 8), dtype=np.int64)
    for r, stops in enumerate(routes):
        np.add.at(visits[r], list(stops), 1)
    for size in (3, 4, 5):
        cuts, _ = random_cuts(7, seed, count=8, memory=seed % 2 == 1, size=size, thirds=size != 3)
        for cut in cuts:
            counted = set(counted_rows(cut, visits).tolist())
            assert {r for r, stops in enumerate(routes) if cut.coefficient(0, stops)} <= counted


def test_master_rows_added_after_the_columns_hold_their_coefficients() -> None:
    instance = random_tiny_instance(1, n_dcs=6)
    master = RouteMaster(instance)
    routes = [(1, 2), (2, 3, 4), (4, 5), (1, 4, 6, 2), (3, 1, 4), (5, 6)]
    for stops in routes:
        master.add(0, stops)
    cuts = [SubsetRowCut(frozenset({1, 2, 4})), SubsetRowCut(frozenset({1, 3, 4, 6}), None, 3, frozenset({1}))]
    for cut in cuts:
        master.add_subset_row(cut)
    lp = master.highs.getLp()
    index, value, start = (np.array(a) for a in (lp.a_matrix_.index_, lp.a_matrix_.value_, lp.a_matrix_.start_))
    for c, cut in enumerate(cuts):
        row = master.first_cut_row + c
        held = [
            dict(zip(index[start[col] : start[col + 1]], value[start[col] : start[col + 1]])).get(row, 0.0)
            for col in master.route_col
        ]
        assert held == [float(cut.coefficient(0, stops)) for stops in routes]
        assert any(held)


@pytest.mark.parametrize("seed", range(8))
def test_branch_and_price_with_subset_rows_matches_brute_force(seed: int) -> None:
    instance = random_tiny_instance(seed, costs=seed % 2 == 1, unlimited=seed % 4 == 1)
    truth = brute_force(instance)
    bp = BranchAndPrice(instance, time.perf_counter() + 60, settings=RouteSettings(subset_rows=True))
    assert bp.cg.subset_rows
    bp.run(time.perf_counter(), 60)
    if truth is None:
        assert bp.incumbent is None
        return
    assert bp.incumbent_cost == pytest.approx(truth[0], abs=1e-6)
    assert bp.bound <= truth[0] + 1e-6


@pytest.mark.parametrize("seed", [13, 16, 33])  # tiny instances whose tree branches with no enumeration
def test_subset_rows_added_during_the_search_keep_it_exact(seed: int) -> None:
    """Cuts separated at the root after the search began (``subset_row_tree_share=0``: at the first node below the
    root; no enumeration, so the tree branches) hold in every open node: the tree still ends at the brute-force
    optimum, its bound not above it."""
    instance = random_tiny_instance(seed, costs=seed % 2 == 1, unlimited=seed % 4 == 1)
    truth = brute_force(instance)
    settings = RouteSettings(
        subset_row_root_gap=1.0, subset_row_tree_share=0.0, enumeration_routes=1, enumeration_first_gap=0.0
    )
    bp = BranchAndPrice(instance, time.perf_counter() + 60, settings=settings)
    bp.run(time.perf_counter(), 60)
    assert truth is not None and bp.cg.subset_rows and bp.cg.master.subset_rows  # added below the root
    assert bp.incumbent_cost == pytest.approx(truth[0], abs=1e-6)
    assert bp.bound <= truth[0] + 1e-6


def test_enumeration_skips_only_classes_held_at_zero_vehicles() -> None:
    instance = random_tiny_instance(3)
    bp = BranchAndPrice(instance, time.perf_counter() + 60)
    n = instance.n_dcs + 1
    key = (frozenset((0, j) for j in range(1, n)), 0)
    position = bp.cg.master.add_branch_row(ArcSetRow(*key))
    bp.rows[key] = position
    bp.cg.master.set_row_bounds(position, -math.inf, 1.0)
    assert bp._closed_classes() == set()
    bp.cg.master.set_row_bounds(position, -math.inf, 0.0)
    assert bp._closed_classes() == {0}
    edge = (frozenset({(1, 2), (2, 1)}), None)
    bp.rows[edge] = bp.cg.master.add_branch_row(ArcSetRow(*edge))
    bp.cg.master.set_row_bounds(bp.rows[edge], -math.inf, 0.0)  # an edge at 0 closes no class
    assert bp._closed_classes() == {0}
