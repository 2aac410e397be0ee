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
import math
import time

import numpy as np
from numba import njit

from milp_milkrun.routes.labels import Labels, PricingTimeout
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
    """For each label: does a label of ``other`` dominate it (``earlier_only``: one of ``labels`` listed before it)?

    ``other`` is sorted by cost (the kept labels, or ``labels`` itself).  Besides cost and memory, only the
    resources in ``compared`` are tested (:func:`~milp_milkrun.routes.pricing.compared_resources`).
    """
    count = len(labels.cost)
    if earlier_only:
        return dominated_in_ranges(
            labels, None, (np.zeros(count, dtype=np.int64),) * 2, np.zeros(count, dtype=np.int64), subset_rows, compared
        )
    size = 0 if other is None else len(other.cost)
    whole = (np.zeros(count, dtype=np.int64), np.full(count, size, dtype=np.int64))
    return dominated_in_ranges(labels, other, whole, np.arange(count, dtype=np.int64), subset_rows, compared)


def dominated_in_ranges(
    labels: Labels,
    other: Labels | None,
    ranges: tuple[np.ndarray, np.ndarray],
    earlier: np.ndarray,
    subset_rows: SubsetRowPenalties | None = None,
    compared: tuple[str, ...] = ALL_COMPARED,
    deadline: float = math.inf,
) -> np.ndarray:
    """For each label i: does a label of ``other`` in rows ``ranges[0][i]:ranges[1][i]``, or of ``labels`` in rows
    ``earlier[i]:i``, dominate it?  Each range is sorted by cost: the kept labels of i's DC and the fresh ones of its
    DC listed before it, the whole level of every DC at once (one call, not one per DC and level: R208's heuristic
    pricing spent more on the calls than on the comparisons).

    Raises
    ------
    PricingTimeout
        Past ``deadline`` (checked between blocks of labels).
    """
    count = len(labels.cost)
    out = np.zeros(count, dtype=bool)
    if not count:
        return out
    own = _columns(labels), _words(labels.parity)
    # unsigned row numbers: the compiled loop then indexes without numpy's wraparound test (a third faster)
    searches = [(*own, *own, np.ascontiguousarray(earlier, dtype=np.uint64), np.arange(count, dtype=np.uint64))]
    if other is not None and len(other.cost):
        lo, hi = (np.ascontiguousarray(bound, dtype=np.uint64) for bound in ranges)
        searches.insert(0, (*own, _columns(other), _words(other.parity), lo, hi))
    penalties = (
        _NO_PENALTIES if subset_rows is None else subset_rows.byte_tables,
        _NO_SECOND if subset_rows is None else np.atleast_1d(subset_rows.second),
        _compared_flags(compared),
        subset_rows is not None,
    )
    for first in range(0, count, DOMINANCE_BLOCK):
        if time.perf_counter() > deadline:
            raise PricingTimeout
        last = min(first + DOMINANCE_BLOCK, count)
        for search in searches:  # the kept labels first: a row one of them dominates skips the search of its level
            _mark_dominated_rows(*search, first, last, out[first:last], *penalties)
    return out


DOMINANCE_BLOCK = 20_000  # labels tested between two looks at the deadline


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
def _mark_dominated_rows(  # pragma: no cover - compiled; tests/test_dominance.py checks it against pairwise numpy
    labels: tuple,
    parity: np.ndarray,
    other: tuple,
    other_parity: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    first: int,
    last: int,
    out: np.ndarray,
    tables: np.ndarray,
    second: np.ndarray,
    flags: tuple,
    with_penalties: bool,
) -> None:
    """Set ``out[i - first]`` for each row i of ``first:last`` not yet set that a j in ``other[lo[i]:hi[i]]``
    (cheapest first) dominates: of no more cost, memory and flagged resources (``latest``: no less), and still of no
    more cost once it pays the byte tables' penalties of the cuts where its count is ahead of row i's (parities: odd
    against even; ``second``, the second bits of the cuts of thirds: 2 against 0 or 1, 1 against 0)."""
    cost, memory, load, dist, clock, latest, drive = labels
    other_cost, other_memory, other_load, other_dist, other_clock, other_latest, other_drive = other
    by_load, by_dist, by_clock, by_latest, by_drive = flags
    for i in range(first, last):
        if out[i - first]:
            continue
        forgotten, cost_i, load_i, dist_i, clock_i = ~memory[i], cost[i], load[i], dist[i], clock[i]
        latest_i, drive_i = latest[i], drive[i]
        for j in range(lo[i], hi[i]):
            if other_cost[j] > cost_i:
                break  # cheapest first: no later j costs less
            if (
                other_memory[j] & forgotten
                or (by_load and other_load[j] > load_i)
                or (by_dist and other_dist[j] > dist_i)
                or (by_clock and other_clock[j] > clock_i)
                or (by_latest and other_latest[j] < latest_i)
                or (by_drive and other_drive[j] > drive_i)
            ):
                continue
            owed = 0.0
            # the loop of SubsetRowPenalties.paid, written again: numba's cache misses edits to a callee in another file;
            # it stops after a word once j owes too much (penalties are >= 0: the full sum would too)
            if with_penalties:
                for w in range(parity.shape[1]):
                    owes = other_parity[j, w] & ~parity[i, w]
                    if second[w]:  # cuts of thirds: planes of count 1 and (on the first bits) count 2
                        ahead_low, ahead_high = other_parity[j, w] & ~second[w], (other_parity[j, w] & second[w]) >> 1
                        low, high = parity[i, w] & ~second[w], (parity[i, w] & second[w]) >> 1
                        owes = (ahead_high & ~high) | (ahead_low & ~low & ~high)
                    for byte in range(8 if owes else 0):
                        owed += tables[w, byte, (owes >> (8 * byte)) & 0xFF]
                    if other_cost[j] + owed > cost_i:
                        break
            if other_cost[j] + owed <= cost_i:
                out[i - first] = True
                break
