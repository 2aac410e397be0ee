"""The compiled dominance test (milp_milkrun/routes/dominance.py) against its definition, pair by pair in numpy."""

from __future__ import annotations

import numpy as np
import pytest

from milp_milkrun.routes.dominance import ALL_COMPARED, dominated
from milp_milkrun.routes.labels import Labels
from milp_milkrun.routes.subset_rows import CUTS_PER_WORD, SubsetRowPenalties


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
@pytest.mark.parametrize("compared", [("load",), ALL_COMPARED, ()])
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
