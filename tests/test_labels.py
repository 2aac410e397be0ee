"""The pricing's labels: rows taken, parts joined and the kept labels merged by DC, cheapest first."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from milp_milkrun.routes.labels import KeptLabels, Labels, first_rows


def _labels(cost: list[float], first_ident: int = 0, words: int = 1, node: list[int] | None = None) -> Labels:
    n = len(cost)
    ident = np.arange(first_ident, first_ident + n)
    return Labels(
        cost=np.array(cost, dtype=float),
        load=ident * 2,
        dist=ident * 0.5,
        memory=ident % 4,
        node=np.full(n, 3) if node is None else np.array(node),
        ident=ident,
        parity=np.zeros((n, words), dtype=np.uint64) + ident[:, None].astype(np.uint64),
        time=ident * 1.5,
        latest=ident * 2.5,
        drive=ident * 3.5,
    )


FIELDS = [field.name for field in dataclasses.fields(Labels)]


def _rows(labels: Labels) -> list[tuple]:
    return [tuple(np.asarray(getattr(labels, f)[r]).tolist() for f in FIELDS) for r in range(len(labels.cost))]


def test_take_keeps_every_field_of_the_rows_by_index_and_by_slice():
    labels = _labels([5.0, 1.0, 3.0, 2.0], words=2)
    assert _rows(labels.take(np.array([2, 0]))) == [_rows(labels)[2], _rows(labels)[0]]
    assert _rows(labels.take(slice(1, 3))) == _rows(labels)[1:3]
    empty = labels.take(slice(0, 0))
    assert len(empty.cost) == 0 and empty.parity.shape == (0, 2)


def test_concat_joins_every_field_in_order():
    a, b = _labels([1.0, 2.0]), _labels([0.5], first_ident=10)
    assert _rows(Labels.concat([a, b])) == _rows(a) + _rows(b)


def _by_node_and_cost(labels: Labels) -> Labels:
    return labels.take(np.lexsort((labels.cost, labels.node)))


@pytest.mark.parametrize(
    ("stored", "fresh"),
    [
        ([1.0, 2.0, 4.0], [0.5, 2.0, 3.0, 5.0]),  # interleaved, with a tie
        ([1.0, 2.0], [2.0, 3.0]),  # appended: the tie at the seam keeps the stored label first
        ([3.0], [1.0, 2.0]),  # all cheaper
        ([1.0, 4.0], [2.0, 5.0]),  # the cheapest fresh label between the stored ones
    ],
)
def test_merged_keeps_a_dcs_labels_as_the_stable_sort_of_stored_then_fresh(stored, fresh):
    old, new = _labels(stored), _labels(fresh, first_ident=100)
    expected = Labels.concat([old, new])
    expected = expected.take(np.argsort(expected.cost, kind="stable"))
    kept = KeptLabels.none(5).merged(old).merged(new)
    assert _rows(kept.at(3)) == _rows(expected)
    assert kept.at(2) is None and kept.at(4) is None
    assert KeptLabels.none(5).merged(new).labels is new


@pytest.mark.parametrize("seed", range(8))
def test_merged_sorts_by_dc_then_cost_with_stored_labels_first_at_a_tie(seed):
    """Random DCs and costs with many ties: each DC's labels are its stored then fresh ones, stably by cost."""
    rng = np.random.default_rng(seed)
    stored = _by_node_and_cost(_labels(rng.integers(0, 4, 30).tolist(), node=rng.integers(1, 6, 30).tolist()))
    fresh = _by_node_and_cost(_labels(rng.integers(0, 4, 20).tolist(), 100, node=rng.integers(1, 6, 20).tolist()))
    kept = KeptLabels.none(6).merged(stored).merged(fresh)
    for dc in range(6):
        mine = Labels.concat([stored.take(stored.node == dc), fresh.take(fresh.node == dc)])
        expected = mine.take(np.argsort(mine.cost, kind="stable"))
        got = kept.at(dc)
        assert (_rows(got) if got is not None else []) == _rows(expected)
    assert kept.first.tolist() == np.searchsorted(kept.labels.node, np.arange(7)).tolist()


@pytest.mark.parametrize("seed", range(6))
def test_first_rows_is_the_first_row_of_each_rows_node_as_a_binary_search_finds_it(seed):
    node = np.sort(np.random.default_rng(seed).integers(0, 1 + 4 * seed, size=40 * seed))
    assert np.array_equal(first_rows(node), np.searchsorted(node, node))
