"""Which row a branch-and-price node branches on: a vehicle class's count, else an edge's flow by strong branching.

Both are rows over arc sets (:class:`~milp_milkrun.routes.master.ArcSetRow`), named by a key (the arcs, and the class
whose routes count, None for every class): the tree adds the row once and sets its bounds at each node.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from milp_milkrun.limits import SOLVER_TOLERANCE
from milp_milkrun.routes.master import ArcSetRow, RouteMaster
from milp_milkrun.routes.master_lp import trial_lp_value
from milp_milkrun.routes.settings import RouteSettings

BranchKey = tuple[frozenset[tuple[int, int]], int | None]  # a branching row's arcs and class (None: every class)


@dataclass(frozen=True)
class BranchingRule:
    """The branching row of a node of ``master``'s tree; strong branching stops ``settings.strong_reserve`` of the
    run's ``total`` seconds before its ``deadline``."""

    master: RouteMaster
    settings: RouteSettings
    deadline: float
    total: float

    def row(self, values: np.ndarray, parent: float) -> tuple[BranchKey, float] | None:
        """At the route values ``values`` of an LP of value ``parent``: the most fractional class vehicle count, else
        the edge flow chosen by strong branching among those closest to 1/2; with its value; None when every count and
        flow is integral."""
        master = self.master
        counts = np.zeros(len(master.classes))
        for column, value in zip(master.columns, values):
            counts[column.vehicle_class] += value
        frac = np.abs(counts - np.round(counts))
        if len(counts) and frac.max() > SOLVER_TOLERANCE:
            k = int(frac.argmax())
            return (frozenset((0, j) for j in range(1, master.n_dcs + 1)), k), float(counts[k])
        x = master.arc_flows()
        y = np.triu(x + x.T, 1)
        frac = np.abs(y - np.round(y))
        if frac.max() <= SOLVER_TOLERANCE:
            return None
        closeness = np.where(frac > SOLVER_TOLERANCE, 0.5 - np.abs(y - np.floor(y) - 0.5), -1.0)  # 0.5 at a flow of 1/2
        order = np.argsort(closeness, axis=None)[::-1][: self.settings.strong_candidates]
        edges = [np.unravel_index(int(e), y.shape) for e in order if closeness.flat[e] >= 0]
        candidates = [((frozenset({(int(i), int(j)), (int(j), int(i))}), None), float(y[i, j])) for i, j in edges]
        return self.strongest(candidates, parent)

    def strongest(self, candidates: Sequence[tuple[BranchKey, float]], parent: float) -> tuple[BranchKey, float]:
        """Strong branching over the restricted master: the candidate whose two branches raise its LP (of value
        ``parent``) most
        (product of the two rises, Achterberg's rule); the first (flow closest to 1/2) when time is short.

        The branches' LP values use only the routes generated so far (no pricing): a ranking, not a bound.
        """
        settings, master = self.settings, self.master
        if len(candidates) < 2 or self.deadline - time.perf_counter() < settings.strong_reserve * self.total:
            return candidates[0]
        floor = settings.strong_epsilon * max(1.0, abs(parent))
        best, best_score = candidates[0], -math.inf
        for (arcs, k), value in candidates:
            row = ArcSetRow(arcs, k)
            limit = min(settings.strong_lp_seconds, self.deadline - time.perf_counter())
            if limit <= 0:
                break
            down = trial_lp_value(master, row, -math.inf, float(math.floor(value)), limit)
            up = trial_lp_value(master, row, float(math.ceil(value)), math.inf, limit)
            if math.isnan(down) or math.isnan(up):
                continue
            score = max(down - parent, floor) * max(up - parent, floor)
            if score > best_score:
                best, best_score = ((arcs, k), value), score
        return best


def describe(key: BranchKey, master: RouteMaster, node_ids: Sequence[str]) -> str:
    """A branching row in words: a class's vehicle count, or an edge's flow between two nodes."""
    arcs, k = key
    if k is not None:
        return f"the vehicles of class {master.classes[k].name}"
    i, j = sorted(next(iter(arcs)))
    return f"the edge {node_ids[i]}-{node_ids[j]}"
