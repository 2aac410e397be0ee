"""Rank-1 cuts of thirds (four DCs of multipliers 2/3, 1/3, 1/3, 1/3; five of 1/3): their count, their state in the
pricing (two bits a cut), and every engine that charges them, against the cuts' own coefficients.

The oracle is the pricing tests' one (tests/pricing_oracle.py): every route the checker accepts, priced with each
cut's dual times :meth:`SubsetRowCut.coefficient`; the random cuts mix denominators so that both kinds share the
state's words.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from bruteforce import random_tiny_instance
from pricing_oracle import cut_penalty, pricing_mismatches, random_cuts
from test_subset_row import _enumeration_misses, _exact, tree_matching_brute_force

from milp_milkrun.routes.bidirectional import by_load, by_stops, price_bidirectionally
from milp_milkrun.routes.master import RouteMaster
from milp_milkrun.routes.settings import RouteSettings
from milp_milkrun.routes.subset_rows import (
    CUTS_PER_WORD,
    FIVE_THIRDS,
    FOUR_THIRDS,
    GrownShape,
    SubsetRowCut,
    _grown_sets,
    route_penalty,
    separate_subset_rows,
    subset_row_penalties,
    with_memory,
)

FOUR = SubsetRowCut(frozenset({1, 2, 3, 4}), denominator=3, doubled=frozenset({1}))
FIVE = SubsetRowCut(frozenset({1, 2, 3, 4, 5}), denominator=3)


def test_a_cut_of_thirds_counts_its_weights_in_threes() -> None:
    # DC 1 weighs 2 in FOUR; a group pays once its weights reach 3, the rest carries on
    four = {(1,): 0, (1, 2): 1, (2, 3): 0, (2, 3, 4): 1, (1, 1): 1, (1, 1, 1): 2, (2, 1, 3, 4): 1, (1, 6, 1, 2): 1}
    assert {stops: FOUR.coefficient(0, stops) for stops in four} == four
    five = {(1, 2): 0, (1, 2, 3): 1, (1, 2, 3, 4, 5): 1, (5, 4, 3, 2, 1, 1): 2}
    assert {stops: FIVE.coefficient(0, stops) for stops in five} == five
    assert FOUR.rhs == 1 and FIVE.rhs == 1
    master = RouteMaster(random_tiny_instance(23, n_dcs=6))
    master.add_subset_row(FOUR)
    assert master.row_upper[-1] == 1.0


def test_a_limited_memory_resets_the_count_of_thirds() -> None:
    limited = SubsetRowCut(FOUR.members, frozenset({1, 2, 3, 4, 5}), 3, FOUR.doubled)
    assert limited.coefficient(0, (2, 5, 3, 4)) == 1  # 5 is in the memory: 1 + 1 + 1
    assert limited.coefficient(0, (2, 6, 3, 4)) == 0  # 6 is not: the count starts again at 3
    assert limited.coefficient(0, (1, 6, 3, 4)) == 0


@pytest.mark.parametrize("seed", range(6))
def test_the_pricing_state_charges_each_cut_its_coefficient_times_its_dual(seed: int) -> None:
    """route_penalty walks the pricing's two-bit state (SubsetRowPenalties.enter) over routes that revisit DCs, with
    limited memories and more cuts than one word holds."""
    rng = random.Random(seed)
    cuts, sigma = random_cuts(9, seed, count=45, memory=True, size=4 + seed % 2, thirds=True)
    rows = subset_row_penalties(cuts, sigma, 10)
    assert rows is not None and rows.cuts_of.ndim == 2  # past one word: 45 cuts, 23 of them two bits
    for _ in range(200):
        stops = tuple(rng.randint(1, 9) for _ in range(rng.randint(1, 12)))
        assert route_penalty(stops, rows) == pytest.approx(cut_penalty(stops, cuts, sigma))


@pytest.mark.parametrize("size", [4, 5])
@pytest.mark.parametrize("memory", [False, True])
def test_exact_pricing_with_cuts_of_thirds_finds_the_true_minimum(size: int, memory: bool) -> None:
    assert pricing_mismatches(_exact, memory=memory, size=size, thirds=True) == []
    assert pricing_mismatches(_exact, memory=memory, size=size, thirds=True, elementary=False) == []


def test_exact_pricing_with_cuts_of_thirds_over_two_words_finds_the_true_minimum() -> None:
    assert pricing_mismatches(_exact, memory=True, size=4, thirds=True, count=35) == []


@pytest.mark.parametrize("rule", [by_load, by_stops])
@pytest.mark.parametrize("size", [4, 5])
def test_bidirectional_pricing_with_cuts_of_thirds_finds_the_true_minimum(rule, size: int) -> None:
    """The join pays a cut of thirds once more where the two stretches' counts add up to 3 or more."""

    def bidirectional(net, arc_cost, start, rows):
        return price_bidirectionally(net, arc_cost, start, max_routes=10, subset_rows=rows, rule=rule(net))

    assert pricing_mismatches(bidirectional, memory=True, size=size, thirds=True) == []


def test_a_join_that_counts_thirds_as_parities_is_caught() -> None:
    """Both counts at 1 make 2, not a group of 3; counts 2 and 1 make one: the rule of parities gets both wrong."""

    def as_parities(net, arc_cost, start, rows):
        return price_bidirectionally(
            net, arc_cost, start, max_routes=10, subset_rows=rows, rule=by_load(net), crossing=np.bitwise_and
        )

    assert pricing_mismatches(as_parities, memory=True, size=4, thirds=True)


@pytest.mark.parametrize("quantile", [0.2, 0.7])
@pytest.mark.parametrize("size", [4, 5])
def test_enumeration_with_cuts_of_thirds_lists_every_route_within_the_threshold(quantile: float, size: int) -> None:
    assert _enumeration_misses(quantile, size=size, thirds=True) == []


def test_both_bits_of_a_cut_of_thirds_share_a_word() -> None:
    cuts = [SubsetRowCut(frozenset({1, 2, 3}))] + [FIVE] * 40  # the 32nd cut of thirds would straddle bits 62 and 63
    rows = subset_row_penalties(cuts, -np.ones(len(cuts)), 6)
    assert rows is not None
    bits = rows.first_bits
    assert bits[0] == 0 and all(b % CUTS_PER_WORD + 1 < CUTS_PER_WORD for b in bits[1:])
    assert bits[32] == CUTS_PER_WORD  # the next word


def test_the_memory_of_a_cut_of_thirds_keeps_the_lp_routes_coefficients() -> None:
    rng = random.Random(3)
    routes = [tuple(rng.sample(range(1, 16), rng.randint(3, 8))) for _ in range(6)]
    for cut in (FOUR, FIVE):
        limited = with_memory(cut, routes)
        assert limited.members <= (limited.memory or frozenset()) < frozenset(range(1, 16))
        assert [limited.coefficient(0, r) for r in routes] == [cut.coefficient(0, r) for r in routes]


def _visits(routes: list[tuple[int, ...]], n_dcs: int) -> np.ndarray:
    visits = np.zeros((len(routes), n_dcs + 1), dtype=np.int64)
    for r, stops in enumerate(routes):
        np.add.at(visits[r], list(stops), 1)
    return visits


def test_separation_finds_the_cut_of_thirds_that_no_triple_sees() -> None:
    # routes {1,2}, {1,3}, {1,4}, {2,3,4} at 1/3: every triple's row is at most 1 (the triples of halves miss it),
    # the four DCs' of 2/3 (DC 1), 1/3, 1/3, 1/3 is 4/3
    routes = [(1, 2), (1, 3), (1, 4), (2, 3, 4), (5, 6), (5, 6)]
    values = np.array([1 / 3, 1 / 3, 1 / 3, 1 / 3, 0.5, 0.5])
    visits = _visits(routes, 6)
    assert not [cut for cut in separate_subset_rows(visits, values, set(), max_cuts=10) if 1 in cut.members]
    found = separate_subset_rows(visits, values, set(), max_cuts=10, thirds=True)
    assert FOUR in found
    assert separate_subset_rows(visits, values, {FOUR.key}, max_cuts=10, thirds=True).count(FOUR) == 0


@pytest.mark.parametrize("shape", [FIVE_THIRDS, FOUR_THIRDS])
@pytest.mark.parametrize("seed", range(3))
def test_every_cut_of_thirds_grown_is_violated(seed: int, shape: GrownShape) -> None:
    rng = np.random.default_rng(seed)
    routes = [tuple(int(v) for v in rng.choice(np.arange(1, 13), rng.integers(2, 6), replace=False)) for _ in range(40)]
    values = rng.uniform(0.0, 1.0, len(routes)) * (rng.random(len(routes)) < 0.6)
    used = values > 0
    visits, values = _visits(routes, 12)[used], values[used]
    grown = _grown_sets(visits, values, values < 1.0, np.arange(1, 13), shape)
    assert grown
    for violation, cut in grown:
        assert len(cut.members) == shape.size and cut.denominator == 3
        assert len(cut.doubled) == (1 if shape.doubled_first else 0)
        row = sum(v * cut.coefficient(0, r) for r, v in zip(np.array(routes, dtype=object)[used], values))
        assert row - cut.rhs == pytest.approx(violation) and violation > 0.05


@pytest.mark.parametrize(("n_dcs", "seed"), [(6, 10), (6, 23), (7, 6), (7, 24)])  # roots that get cuts of thirds
def test_branch_and_price_with_cuts_of_thirds_matches_brute_force(n_dcs: int, seed: int) -> None:
    bp = tree_matching_brute_force(n_dcs, seed, RouteSettings(subset_rows=True, subset_rows_of_thirds=True))
    assert any(cut.denominator == 3 for cut in bp.cg.master.subset_rows)
