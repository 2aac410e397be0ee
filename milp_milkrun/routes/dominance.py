"""Dominance between the labels of one DC, the labelling's largest cost (:mod:`~milp_milkrun.routes.pricing`).

Label a dominates label b when a costs, remembers and (for each resource in ``compared``) uses no more than b, and
with subset-row cuts a's cost plus the penalties of the cuts where a's count is ahead of b's (parities: odd against
even; cuts of thirds: 2 against 0 or 1, 1 against 0) is still within b's (a may pay each of them once more than b on
any completion, never more: floor((s_a + w) / d) - floor((s_b + w) / d) <= 1, and <= 0 when s_a <= s_b).  The test
is a compiled loop (numba): a label is compared with the kept ones in cost order only until one dominates it or they
cost more, the early exits a pairwise numpy test cannot take (P-n76-k4's cut root: an exact pricing 3x faster).
"""

from __future__ import annotations

import functools

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
    resources in ``compared`` are tested (:func:`~milp_milkrun.routes.pricing.compared_resources`).  The
    labelling calls this twice per DC and stop count (A-n46-k7: 50,000 times), so the arrays go to the compiled
    loop as they are.
    """
    count = len(labels.cost)
    if other is None or not len(other.cost) or not count or other.cost[0] > labels.cost.max():
        return np.zeros(count, dtype=bool)
    return _dominated_rows(
        _columns(labels),
        _words(labels.parity),
        _columns(other),
        _words(other.parity),
        _NO_PENALTIES if subset_rows is None else subset_rows.byte_tables,
        _NO_SECOND if subset_rows is None else np.atleast_1d(subset_rows.second),
        _compared_flags(compared),
        earlier_only,
        subset_rows is not None,
    )


_NO_PENALTIES = np.zeros((1, 8, 256))
_NO_SECOND = np.zeros(1, dtype=np.int64)


def _columns(labels: Labels) -> tuple[np.ndarray, ...]:
    """The arrays the compiled loop reads, in the order it unpacks them."""
    return labels.cost, labels.memory, labels.load, labels.dist, labels.time, labels.latest, labels.drive


@functools.cache
def _compared_flags(compared: tuple[str, ...]) -> tuple[bool, bool, bool, bool, bool]:
    """Per resource of :data:`ALL_COMPARED`: whether ``compared`` names it."""
    load, dist, clock, latest, drive = (name in compared for name in ALL_COMPARED)
    return load, dist, clock, latest, drive


def _words(parity: np.ndarray) -> np.ndarray:
    """The parities as rows of int64 words (one word per row up to 63 cuts)."""
    return np.ascontiguousarray(parity, dtype=np.int64).reshape(len(parity), -1)


@njit(cache=True, nogil=True)
def _dominated_rows(  # pragma: no cover - compiled; tests/test_dominance.py checks it against pairwise numpy
    labels: tuple,
    parity: np.ndarray,
    other: tuple,
    other_parity: np.ndarray,
    tables: np.ndarray,
    second: np.ndarray,
    flags: tuple,
    earlier_only: bool,
    with_penalties: bool,
) -> np.ndarray:
    """Row i: is there a j (j < i with ``earlier_only``) of no more cost, memory and flagged resources (``latest``:
    no less) that still costs no more once it pays the byte tables' penalties of the cuts where its count is ahead
    of row i's (parities: odd against even; ``second``, the second bits of the cuts of thirds: 2 against 0 or 1, 1
    against 0)?  ``labels`` and ``other``: :func:`_columns`."""
    cost, memory, load, dist, clock, latest, drive = labels
    other_cost, other_memory, other_load, other_dist, other_clock, other_latest, other_drive = other
    by_load, by_dist, by_clock, by_latest, by_drive = flags
    out = np.zeros(len(cost), dtype=np.bool_)
    for i in range(len(cost)):
        forgotten = ~memory[i]
        for j in range(i if earlier_only else len(other_cost)):
            if other_cost[j] > cost[i]:
                break  # cheapest first: no later j costs less
            if (
                other_memory[j] & forgotten
                or (by_load and other_load[j] > load[i])
                or (by_dist and other_dist[j] > dist[i])
                or (by_clock and other_clock[j] > clock[i])
                or (by_latest and other_latest[j] < latest[i])
                or (by_drive and other_drive[j] > drive[i])
            ):
                continue
            owed = 0.0
            # the loop of SubsetRowPenalties.paid, written again: numba's cache misses edits to a callee in another file
            if with_penalties:
                for w in range(parity.shape[1]):
                    owes = other_parity[j, w] & ~parity[i, w]
                    if second[w]:  # cuts of thirds: planes of count 1 and (on the first bits) count 2
                        ahead_low, ahead_high = other_parity[j, w] & ~second[w], (other_parity[j, w] & second[w]) >> 1
                        low, high = parity[i, w] & ~second[w], (parity[i, w] & second[w]) >> 1
                        owes = (ahead_high & ~high) | (ahead_low & ~low & ~high)
                    for byte in range(8 if owes else 0):
                        owed += tables[w, byte, (owes >> (8 * byte)) & 0xFF]
            if other_cost[j] + owed <= cost[i]:
                out[i] = True
                break
    return out
