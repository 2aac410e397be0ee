"""Settling a node over its enumerated routes: branch and bound on the master's LP, no pricing.

Once route enumeration has made every route that can be part of a plan costing at most ``upper`` a column of a
master (:meth:`~milp_milkrun.routes.tree.BranchAndPrice._enumerate_within`), such a plan is an integer solution
of that master and no route needs pricing any more (VRPSolver's "pricing by inspection" of enumerated nodes).
The search branches as Ryan and Foster (1981) do on set partitioning: a pair of DCs is served by one route, or by
two.  The first branch leaves out every column serving one of the pair without the other, the second every column
serving both; both are column bounds of one LP that HiGHS re-solves warm.  When every pair is integral and the LP
is not (two routes over the same DCs, in another order or of another class), it branches on the most fractional
column: used, or not.  The search goes depth first, the "one route" branch first, so that each LP starts from its
parent's basis (ecom74's two enumerated nodes: 278 LPs, against 356 best bound first and slower ones); a node whose
LP value (made safe, on the cost grain) is above ``upper`` or not below the cheapest plan found so far is pruned.

Why not HiGHS's MIP over the same columns: it runs rounds of its own root cuts first, about 5 s each on the
4,934 columns and 171 rows of a B-n68-k9 node, and took 42 s where this search took 27 LPs (4.5 s); and it
branches on one route column, whose "not used" side leaves the LP almost as it was.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import NamedTuple

import highspy
import numpy as np

from milp_milkrun.limits import SOLVER_TOLERANCE
from milp_milkrun.plan import Plan
from milp_milkrun.routes.column_generation import safe_bound
from milp_milkrun.routes.master import RouteMaster
from milp_milkrun.runtime.highs import limit_next_run


@dataclass(frozen=True)
class PairBranch:
    """DCs ``first`` and ``second`` (master rows) on one route (``together``) or on two."""

    first: int
    second: int
    together: bool

    def keeps(self, serves: np.ndarray) -> np.ndarray:
        """Which columns (``serves``: DC row x column) the branch leaves in."""
        one, other = serves[self.first], serves[self.second]
        return ~(one ^ other) if self.together else ~(one & other)


@dataclass(frozen=True)
class ColumnBranch:
    """Column ``column`` (of the search's columns) in the plan (``used``) or out of it."""

    column: int
    used: bool


Branch = PairBranch | ColumnBranch


@dataclass(frozen=True)
class _Node:
    bound: float  # the parent's LP value: no plan of the node costs less
    branches: tuple[Branch, ...]


class PoolResult(NamedTuple):
    """The cheapest plan of the columns costing at most the limit (None: none found), its cost, whether the search
    proved it the cheapest (or proved that there is none), and the LPs it solved."""

    plan: Plan | None
    cost: float
    proven: bool
    lps: int


class PoolSearch:
    """Branch and bound over a master's columns (see the module's docstring).

    Parameters
    ----------
    master : RouteMaster
        The master holding every route that matters: its cut and branching rows hold as they are.
    grain : float
        Every plan's cost is a whole multiple of it (0.0: no such step), for the pruning.
    """

    def __init__(self, master: RouteMaster, grain: float) -> None:
        self.master, self.grain = master, grain
        self.highs = master.solver.new_lp()
        self.highs.passModel(master.highs.getLp())
        usable = [(column, col) for column, col in zip(master.columns, master.route_col) if column.plannable]
        self.columns = [column for column, _ in usable]
        self.cols = np.array([col for _, col in usable], dtype=np.int32)
        left_out = master.unplannable_cols()
        self.highs.changeColsBounds(len(left_out), left_out, np.zeros(len(left_out)), np.zeros(len(left_out)))
        self.serves = np.zeros((master.n_dcs, len(self.columns)), dtype=bool)
        for j, column in enumerate(self.columns):
            self.serves[np.array(column.stops) - 1, j] = True

    def cheapest_within(self, upper: float, deadline: float) -> PoolResult:
        """The cheapest plan costing at most ``upper``, searched until ``deadline`` (``time.perf_counter()``)."""
        best: tuple[float, Plan | None] = (math.inf, None)
        open_nodes = [_Node(-math.inf, ())]  # a stack: depth first
        lps = 0
        while open_nodes:
            node = open_nodes.pop()
            if not self._may_hold(node.bound, upper, best[0]):
                continue
            if time.perf_counter() >= deadline:
                return PoolResult(best[1], best[0], False, lps)
            lps += 1
            solved = self._solve(node.branches, deadline)
            if solved is None:  # out of time
                return PoolResult(best[1], best[0], False, lps)
            value, x = solved
            if not self._may_hold(value, upper, best[0]):  # also an LP without a solution (value inf)
                continue
            branch = self._branch(x)
            if branch is None:
                best = (value, self.master.plan_of([c for c, v in zip(self.columns, x) if v > 0.5]))
                continue
            open_nodes.extend(_Node(value, (*node.branches, child)) for child in reversed(branch))  # first on top
        return PoolResult(best[1], best[0], True, lps)

    def _may_hold(self, value: float, upper: float, best: float) -> bool:
        """A node whose LP value is ``value`` may hold a plan costing at most ``upper`` and less than ``best``."""
        floor = safe_bound(value, grain=self.grain) if math.isfinite(value) else value
        return floor <= upper and floor < best

    def _solve(self, branches: tuple[Branch, ...], deadline: float) -> tuple[float, np.ndarray] | None:
        """The LP's value and column values under ``branches`` (inf and zeros when it has no solution); None when
        HiGHS ran out of time."""
        keep = np.ones(len(self.columns), dtype=bool)
        lower = np.zeros(len(self.columns))
        for branch in branches:
            if isinstance(branch, PairBranch):
                keep &= branch.keeps(self.serves)
            elif branch.used:
                lower[branch.column] = 1.0
            else:
                keep[branch.column] = False
        h = self.highs
        h.changeColsBounds(len(self.cols), self.cols, lower, np.where(keep, highspy.kHighsInf, 0.0))
        limit_next_run(h, deadline - time.perf_counter())
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return math.inf, np.zeros(len(self.columns))
        if status != highspy.HighsModelStatus.kOptimal:
            return None
        return h.getInfo().objective_function_value, np.array(h.getSolution().col_value)[self.cols]

    def _branch(self, x: np.ndarray) -> tuple[Branch, Branch] | None:
        """The two children of a fractional LP solution ``x``; None when it is integral (a plan)."""
        fractional = np.flatnonzero((x > SOLVER_TOLERANCE) & (x < 1.0 - SOLVER_TOLERANCE))
        if len(fractional) == 0:
            return None
        serves = self.serves[:, fractional].astype(float)
        together = (serves * x[fractional]) @ serves.T  # DC pair -> how much of it one route serves
        np.fill_diagonal(together, 0.0)
        split = (together > SOLVER_TOLERANCE) & (together < 1.0 - SOLVER_TOLERANCE)
        if split.any():
            first, second = np.unravel_index(np.argmin(np.where(split, np.abs(together - 0.5), np.inf)), split.shape)
            return PairBranch(int(first), int(second), True), PairBranch(int(first), int(second), False)
        column = int(fractional[np.argmin(np.abs(x[fractional] - 0.5))])
        return ColumnBranch(column, True), ColumnBranch(column, False)
