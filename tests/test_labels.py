"""The pricing's labels: rows taken, parts joined and a DC's kept labels merged cheapest first."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from milp_milkrun.routes.labels import Labels, merged_by_cost


def _labels(cost: list[float], first_ident: int = 0, words: int = 1) -> Labels:
    n = len(cost)
    ident = np.arange(first_ident, first_ident + n)
    return Labels(
        cost=np.array(cost, dtype=float),
        load=ident * 2,
        dist=ident * 0.5,
        memory=ident % 4,
        node=np.full(n, 3),
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


@pytest.mark.parametrize(
    ("stored", "fresh"),
    [
        ([1.0, 2.0, 4.0], [0.5, 2.0, 3.0, 5.0]),  # interleaved, with a tie
        ([1.0, 2.0], [2.0, 3.0]),  # appended: the tie at the seam keeps the stored label first
        ([3.0], [1.0, 2.0]),  # all cheaper
        ([1.0, 4.0], [2.0, 5.0]),  # the cheapest fresh label between the stored ones
    ],
)
def test_merged_by_cost_is_the_stable_sort_of_stored_then_fresh(stored, fresh):
    old, new = _labels(stored), _labels(fresh, first_ident=100)
    expected = Labels.concat([old, new])
    expected = expected.take(np.argsort(expected.cost, kind="stable"))
    assert _rows(merged_by_cost(old, new)) == _rows(expected)
    assert merged_by_cost(None, new) is new
