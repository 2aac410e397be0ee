"""The compiled dominance test (milp_milkrun/routes/dominance.py) against its definition, pair by pair in numpy."""

from __future__ import annotations

import numpy as np
import pytest
from pricing_oracle import random_cuts

from milp_milkrun.routes.dominance import ALL_COMPARED, dominated
from milp_milkrun.routes.labels import Labels
from milp_milkrun.routes.subset_rows import CUTS_PER_WORD, SubsetRowPenalties, subset_row_penalties


def _random_labels(rng: np.random.Generator, count: int, words: int) -> Labels:
    """Labels at one DC, cheapest first: few distinct resource values and sparse odd parities (as on routes), so
    that many pairs tie on some resources and each rule decides some pairs."""
    parity = rng.integers(0, 2**62, size=(count, words)) & rng.integers(0, 2**62, size=(count, words))
    parity &= rng.integers(0, 2**62, size=(count, words))
    small = [rng.integers(0, 4, count).astype(float) for _ in range(4)]
    return Labels(
        np.sort(rng.uniform(0.0, 30.0, count)), rng.integers(0, 5, count), small[0], rng.integers(0, 8, count),
        np.ones(count, dtype=np.int64), np.ones(count, dtype=np.int64), parity if words > 1 else parity[:, 0],
        small[1], small[2], small[3],
    )  # fmt: skip


def _truth(
    fresh: Labels, kept: Labels, penalties: SubsetRowPenalties | None, compared: tuple[str, ...], earlier_only: bool
) -> np.ndarray:
    """Every pair: a (kept) dominates b (fresh) by the rule of the module's doc."""
    pays = kept.cost[None, :] + np.zeros((len(fresh.cost), 1))
    if penalties is not None:
        pays = pays + penalties.paid(kept.parity[None, :] & ~fresh.parity[:, None])
    truth = (pays <= fresh.cost[:, None]) & ((kept.memory[None, :] & ~fresh.memory[:, None]) == 0)
    for name in compared:
        mine, theirs = getattr(fresh, name)[:, None], getattr(kept, name)[None, :]
        truth &= theirs >= mine if name == "latest" else theirs <= mine
    if earlier_only:
        truth &= np.tri(len(fresh.cost), k=-1, dtype=bool)
    return np.asarray(truth.any(axis=1))


@pytest.mark.parametrize(("seed", "words"), [(0, 1), (1, 1), (2, 3), (3, 2), (4, 0)])
@pytest.mark.parametrize("compared", [("load",), ("load", "dist"), ("time", "latest"), ("drive",), ALL_COMPARED, ()])
def test_dominance_matches_its_definition(seed: int, words: int, compared: tuple[str, ...]) -> None:
    """Against kept labels and against earlier labels of the same level; with parities of one to three words
    (words 0: no subset-row cuts), memory, and the compared resources (latest reversed)."""
    rng = np.random.default_rng(seed)
    count = 600
    penalties = None
    if words:
        cuts_of = np.zeros((4, words) if words > 1 else 4, dtype=np.int64)  # one int64 a node up to one word
        penalties = SubsetRowPenalties(cuts_of, rng.uniform(0.0, 4.0, CUTS_PER_WORD * words))
    labels, other = _random_labels(rng, count, max(words, 1)), _random_labels(rng, count // 2, max(words, 1))
    for fresh, kept, earlier_only in [(labels, other, False), (labels, labels, True)]:
        found = dominated(fresh, kept, penalties, earlier_only=earlier_only, compared=compared)
        truth = _truth(fresh, kept, penalties, compared, earlier_only)
        assert found.tolist() == truth.tolist()
        assert 0 < found.sum() < count  # both kinds of label, so the test tells rules apart


def test_nothing_to_compare_dominates_nothing() -> None:
    rng = np.random.default_rng(5)
    labels = _random_labels(rng, 20, 1)
    none = labels.take(np.array([], dtype=int))
    assert dominated(none, labels).tolist() == []
    assert dominated(labels, none).tolist() == [False] * 20
    assert dominated(labels, None).tolist() == [False] * 20
    dearer = _random_labels(rng, 5, 1)
    dearer.cost += 100.0
    assert not dominated(labels, dearer).any()  # every kept label costs more than every fresh one


def _grid_labels(rng: np.random.Generator, size: int, cuts: int) -> Labels:
    """``size`` labels at one DC, cheapest first, with costs on a coarse grid (ties), 4-bit memories, small
    resources and parities of ``cuts`` subset-row cuts."""

    def whole(top: int) -> np.ndarray:
        return rng.integers(0, top, size)

    return Labels(
        cost=np.sort(whole(60).astype(float)),
        load=whole(8),
        dist=whole(8).astype(float),
        memory=whole(16),
        node=np.full(size, 3),
        ident=np.arange(size),
        parity=whole(1 << cuts),
        time=whole(8).astype(float),
        latest=whole(8).astype(float),
        drive=whole(8).astype(float),
    )


@pytest.mark.parametrize("seed", range(4))
def test_dominance_over_many_candidates_matches_the_rule_label_by_label(seed: int) -> None:
    """Over many candidates with tied costs and real cuts' parities (against kept labels and among the new ones,
    with and without subset-row penalties): the same labels dominated as the rule applied to every pair."""
    rng = np.random.default_rng(seed)
    cuts, sigma = random_cuts(7, seed, count=5)
    penalties = subset_row_penalties(cuts, sigma, 8)
    kept, fresh = _grid_labels(rng, 1_500, len(cuts)), _grid_labels(rng, 700, len(cuts))
    for rows in (None, penalties):
        expected = _truth(fresh, kept, rows, ALL_COMPARED, earlier_only=False)
        assert 0 < expected.sum() < len(expected)
        assert dominated(fresh, kept, rows).tolist() == expected.tolist()
        among = _truth(fresh, fresh, rows, ALL_COMPARED, earlier_only=True)
        assert dominated(fresh, fresh, rows, earlier_only=True).tolist() == among.tolist()


def _states(rows: SubsetRowPenalties, counts: np.ndarray) -> np.ndarray:
    """Per label, the pricing's state (rows of int64 words) holding ``counts[label, cut]``: a cut of halves sets its
    bit at count 1, a cut of thirds its first bit at 1 and its second at 2."""
    words = rows.cuts_of.shape[1]
    states = np.zeros((len(counts), words), dtype=np.int64)
    for c, first in enumerate(rows.first_bits):
        bit = first % CUTS_PER_WORD + np.maximum(counts[:, c] - 1, 0)
        states[:, first // CUTS_PER_WORD] |= np.where(counts[:, c] > 0, np.int64(1) << bit.astype(np.int64), 0)
    return states


@pytest.mark.parametrize("seed", range(3))
def test_dominance_with_cuts_of_thirds_owes_where_the_count_is_ahead(seed: int) -> None:
    """Cuts of halves and of thirds over two words: a dominating label pays the penalty of each cut where its count
    exceeds the other's (by the counts, not the bits)."""
    rng = np.random.default_rng(seed)
    cuts, sigma = random_cuts(9, seed, count=50, size=4, thirds=True)
    rows = subset_row_penalties(cuts, sigma, 10)
    assert rows is not None and rows.cuts_of.ndim == 2
    top = np.array([cut.denominator for cut in cuts])  # counts run 0 .. denominator - 1
    kept, fresh = _grid_labels(rng, 600, 1), _grid_labels(rng, 300, 1)
    counts = {}
    for name, labels in (("kept", kept), ("fresh", fresh)):
        shape = (len(labels.cost), len(cuts))
        counts[name] = rng.integers(0, 3, shape) % top * (rng.random(shape) < 0.2)  # sparse, as on routes
        labels.parity = _states(rows, counts[name])
    owed = ((counts["kept"][None, :, :] > counts["fresh"][:, None, :]) * rows.penalty).sum(axis=2)
    truth = (kept.cost[None, :] + owed <= fresh.cost[:, None]) & ((kept.memory[None, :] & ~fresh.memory[:, None]) == 0)
    for name in ALL_COMPARED:
        mine, theirs = getattr(fresh, name)[:, None], getattr(kept, name)[None, :]
        truth &= theirs >= mine if name == "latest" else theirs <= mine
    expected = truth.any(axis=1)
    assert 0 < expected.sum() < len(expected)
    assert dominated(fresh, kept, rows).tolist() == expected.tolist()
