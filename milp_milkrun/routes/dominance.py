"""Dominance between the labels of one DC, the labelling's largest cost (:mod:`~milp_milkrun.routes.pricing`).

Label a dominates label b when a costs, remembers and (for each resource in ``compared``) uses no more than b, and
with subset-row cuts a's cost plus the penalties of the cuts where a's parity is odd and b's even is still within
b's (a may pay each of them once more than b on any completion, never more).  The test is a compiled loop
(numba): a label is compared with the kept ones in cost order only until one dominates it or they cost more, the
early exits a pairwise numpy test cannot take (P-n76-k4's cut root: an exact pricing 3x faster).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from milp_milkrun.routes.labels import Labels
from milp_milkrun.routes.subset_rows import SubsetRowPenalties

# the resources a dominating label must not exceed (latest: not fall below), besides its cost and memory
ALL_COMPARED = ("load", "dist", "time", "latest", "drive")


def dominated(
    labels: Labels,
    other: Labels | None,
    subset_rows: SubsetRowPenalties | None = None,
    *,
    earlier_only: bool = False,
    compared: tuple[str, ...] = ALL_COMPARED,
) -> np.ndarray:
    """For each label: does a label of ``other`` dominate it (``earlier_only``: one listed before it)?

    ``other`` is sorted by cost (the kept labels, or ``labels`` itself).  Besides cost and memory, only the
    resources in ``compared`` are tested (:func:`~milp_milkrun.routes.pricing.compared_resources`).
    """
    count = len(labels.cost)
    if other is None or not len(other.cost) or not count:
        return np.zeros(count, dtype=bool)
    top = int(np.searchsorted(other.cost, labels.cost.max(), side="right"))  # none dearer can dominate
    if top == 0:
        return np.zeros(count, dtype=bool)
    other = other.take(slice(0, top))
    return _dominated_rows(
        labels.cost,
        np.ascontiguousarray(labels.memory, dtype=np.int64),
        _resources(labels, compared),
        _words(labels.parity),
        other.cost,
        np.ascontiguousarray(other.memory, dtype=np.int64),
        _resources(other, compared),
        _words(other.parity),
        np.zeros((1, 8, 256)) if subset_rows is None else subset_rows.byte_tables,
        earlier_only,
        subset_rows is not None,
    )


def _resources(labels: Labels, compared: tuple[str, ...]) -> np.ndarray:
    """The compared resources as rows of floats, ``latest`` negated: a dominating label has each no larger."""
    rows = [-getattr(labels, name) if name == "latest" else getattr(labels, name) for name in compared]
    if not rows:
        return np.zeros((0, len(labels.cost)))
    return np.ascontiguousarray(np.stack(rows), dtype=np.float64)


def _words(parity: np.ndarray) -> np.ndarray:
    """The parities as rows of int64 words (one word per row up to 63 cuts)."""
    return np.ascontiguousarray(parity, dtype=np.int64).reshape(len(parity), -1)


@njit(cache=True, nogil=True)
def _dominated_rows(  # pragma: no cover - compiled; tests/test_dominance.py checks it against pairwise numpy
    cost: np.ndarray,
    memory: np.ndarray,
    resources: np.ndarray,
    parity: np.ndarray,
    other_cost: np.ndarray,
    other_memory: np.ndarray,
    other_resources: np.ndarray,
    other_parity: np.ndarray,
    tables: np.ndarray,
    earlier_only: bool,
    with_penalties: bool,
) -> np.ndarray:
    """Row i: is there a j (j < i with ``earlier_only``) of no more cost, memory and resources that still costs no
    more once it pays the byte tables' penalties of the parities it has and row i lacks?"""
    out = np.zeros(len(cost), dtype=np.bool_)
    for i in range(len(cost)):
        forgotten = ~memory[i]
        for j in range(i if earlier_only else len(other_cost)):
            if other_cost[j] > cost[i]:
                break  # cheapest first: no later j costs less
            if other_memory[j] & forgotten:
                continue
            fits = True
            for r in range(resources.shape[0]):
                if other_resources[r, j] > resources[r, i]:
                    fits = False
                    break
            if not fits:
                continue
            owed = 0.0
            if with_penalties:
                for w in range(parity.shape[1]):
                    owes = other_parity[j, w] & ~parity[i, w]
                    for byte in range(8 if owes else 0):
                        owed += tables[w, byte, (owes >> (8 * byte)) & 0xFF]
            if other_cost[j] + owed <= cost[i]:
                out[i] = True
                break
    return out
