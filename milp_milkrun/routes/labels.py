"""The labels of the pricing's labelling (:mod:`~milp_milkrun.routes.pricing`): partial routes as parallel arrays,
and the labels kept at every DC, merged by DC and cheapest first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit


@dataclass
class Labels:
    """Partial routes as parallel arrays, one row a label: ``memory`` is the ng memory as a bitmask local to
    the label's node, ``ident`` the label's index in the trace (after admission) or its parent's (before),
    ``parity`` bit c: the label visited the DCs of subset-row cut c an odd number of times, ``time``,
    ``latest`` and ``drive`` its clock (:func:`~milp_milkrun.routes.clocks.next_clocks`; zeros without time)."""

    cost: np.ndarray
    load: np.ndarray
    dist: np.ndarray
    memory: np.ndarray
    node: np.ndarray
    ident: np.ndarray
    parity: np.ndarray
    time: np.ndarray
    latest: np.ndarray
    drive: np.ndarray

    def take(self, rows: np.ndarray | slice) -> Labels:
        # field by field, not by name: the labelling takes rows about 5,000 times a pricing (R204)
        return Labels(
            self.cost[rows],
            self.load[rows],
            self.dist[rows],
            self.memory[rows],
            self.node[rows],
            self.ident[rows],
            self.parity[rows],
            self.time[rows],
            self.latest[rows],
            self.drive[rows],
        )

    @staticmethod
    def concat(parts: list[Labels]) -> Labels:
        join = np.concatenate
        return Labels(
            join([p.cost for p in parts]),
            join([p.load for p in parts]),
            join([p.dist for p in parts]),
            join([p.memory for p in parts]),
            join([p.node for p in parts]),
            join([p.ident for p in parts]),
            join([p.parity for p in parts]),
            join([p.time for p in parts]),
            join([p.latest for p in parts]),
            join([p.drive for p in parts]),
        )


@dataclass(frozen=True)
class KeptLabels:
    """The labels a labelling kept at every node, in one array: by node, and at each node cheapest first (stored
    before fresh at equal cost, so that a label is compared only with the kept ones that cost no more); node v's
    are rows ``first[v]:first[v + 1]``."""

    labels: Labels | None
    first: np.ndarray

    @staticmethod
    def none(nodes: int) -> KeptLabels:
        return KeptLabels(None, np.zeros(nodes + 1, dtype=np.int64))

    def at(self, node: int) -> Labels | None:
        """The labels kept at ``node``, cheapest first; None if none."""
        lo, hi = self.first[node], self.first[node + 1]
        return None if self.labels is None or lo == hi else self.labels.take(slice(lo, hi))

    def merged(self, fresh: Labels) -> KeptLabels:
        """These and ``fresh`` labels (sorted by node, then cost) kept."""
        labels = fresh
        if self.labels is not None:
            order = _merge_order(self.labels.node, self.labels.cost, fresh.node, fresh.cost)
            labels = Labels.concat([self.labels, fresh]).take(order)
        return KeptLabels(labels, np.searchsorted(labels.node, np.arange(len(self.first))))


@njit(cache=True, nogil=True)
def _merge_order(  # pragma: no cover - compiled; tests/test_labels.py checks it against a stable sort
    node: np.ndarray, cost: np.ndarray, fresh_node: np.ndarray, fresh_cost: np.ndarray
) -> np.ndarray:
    """The rows of the two lists joined (``fresh`` after the others) in the order of (node, cost), the first list's
    row first at a tie: both lists are in that order, so one pass merges them."""
    out = np.empty(len(node) + len(fresh_node), dtype=np.int64)
    a, b = 0, 0
    for k in range(len(out)):
        if b == len(fresh_node) or (
            a < len(node) and (node[a] < fresh_node[b] or (node[a] == fresh_node[b] and cost[a] <= fresh_cost[b]))
        ):
            out[k] = a
            a += 1
        else:
            out[k] = len(node) + b
            b += 1
    return out


@njit(cache=True, nogil=True)
def first_rows(node: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled; tests/test_labels.py checks it
    """Each row's first row of its node, ``node`` sorted: what ``np.searchsorted(node, node)`` gives, in one pass
    (a pricing sorts about 20,000 levels; on the large ones the binary searches cost a hundred times more)."""
    out = np.empty(len(node), dtype=np.int64)
    for k in range(len(node)):
        out[k] = k if k == 0 or node[k] != node[k - 1] else out[k - 1]
    return out


class PricingTimeout(Exception):
    """The deadline passed during pricing: no minimum is known, no bound may be drawn."""
