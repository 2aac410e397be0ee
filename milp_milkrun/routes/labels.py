"""The labels of the pricing's labelling (:mod:`~milp_milkrun.routes.pricing`): partial routes as parallel arrays,
and the kept labels of a DC merged cheapest first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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

    def by_node(self) -> list[tuple[int, np.ndarray]]:
        """(node, rows of its labels, cheapest first) for every node with labels."""
        order = np.lexsort((self.cost, self.node))
        nodes, starts = np.unique(self.node[order], return_index=True)
        bounds = [*starts[1:], len(order)]
        return [(int(v), order[a:b]) for v, a, b in zip(nodes, starts, bounds)]


def merged_by_cost(stored: Labels | None, fresh: Labels) -> Labels:
    """The kept labels of a DC and ``fresh`` ones (both cheapest first), cheapest first and stored first at
    equal cost: a label is compared only with the kept ones that cost no more."""
    if stored is None:
        return fresh
    merged = Labels.concat([stored, fresh])
    if fresh.cost[0] >= stored.cost[-1]:  # already in order
        return merged
    return merged.take(np.argsort(merged.cost, kind="stable"))
