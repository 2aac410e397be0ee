"""The route-based (set-partitioning) formulation: one column per feasible route of a vehicle class.

    min  sum_r c_r lambda_r
    sp01_cover   sum_r a_ir lambda_r = 1        for every DC i     (each DC on exactly one route)
    sp02_fleet   sum_{r of class k} lambda_r <= m_k   for every class k   (no more routes than vehicles)
    lambda_r in {0, 1}

c_r is the route's value for its class's vehicle type (:mod:`milp_milkrun.objectives`): its length
under the distance objective, F_k + c_k * length under the cost objective, its emissions otherwise.

A route r of class k carries everything else of Equations 1-14 inside the column: it starts and ends
at the hub, respects Q_k (5), D_k (6) and H_k (7), visits only DCs the class may serve (8, 9), keeps the
consecutive pairs adjacent (10) and uses no damaged road (11).  There are far too many routes to list,
so the LP relaxation is solved by column generation (:mod:`milp_milkrun.routes.column_generation`),
and its bound is much stronger than that of the arc formulations: the LP can no longer mix fractions
of routes that break the capacity or distance limits.

The **Lagrangian bound** makes the bound certified whatever the LP solver returns: for any duals
pi (free) and mu_k <= 0, and c*_k the least reduced cost c_r - pi(a_r) - mu_k over a *relaxation* of
class k's routes, every plan costs at least

    sum_i pi_i + sum_k m_k (mu_k + min(0, c*_k))

(each DC is covered once, class k runs at most m_k routes, each with reduced cost >= c*_k); and since
a plan has at most n routes in all, the fleet term may fill the most negative classes first up to n
routes (:meth:`RouteMaster.lagrangian_bound`), and up to fewer once an incumbent's value caps how many routes a
plan worth finding can run (:meth:`RouteMaster.cap_routes`).

**Robust rounded capacity cuts** (Fukasawa et al. 2006) are added as rows on the arc flows of the
routes, x_ij = sum_r (times r drives i -> j) lambda_r:

    sp03_capacity   sum_r e_r(S) lambda_r >= r(S)      for separated DC sets S

where e_r(S) counts the arcs of route r entering S and r(S) is the strong model's route requirement
(the fewest vehicles of the classes that may serve S whose capacities cover l(S) and whose stop
limits cover |S|: valid for the mixed fleet).  Every plan satisfies them, so for cut duals
sigma_S >= 0 the bound above gains sum_S sigma_S r(S) and the pricing sees arc costs
d_ij - pi_j - sum_{S: i not in S, j in S} sigma_S (the cut is robust: the pricing's resources and
dominance are unchanged).

For a mixed fleet r(S) counts every vehicle once, so two more rounded forms are separated, each with a
whole-number weight per class on the arcs entering S (still robust: class k's pricing sees
``weights[k] * sigma_S``): the **weighted capacity cut** sum_r ceil(Q_k/D) e_r(S) lambda_r >=
ceil(l(S)/D) (:func:`~milp_milkrun.routes.separation.weighted_capacity_cut`) and, on the set of all DCs, the **fleet knapsack cut**
(:func:`~milp_milkrun.routes.separation.fleet_knapsack_cut`), a Chvatal-Gomory cut of sum_k Q_k n_k >= l(V) with n_k <= m_k.

**Subset-row cuts** (sp04, :mod:`~milp_milkrun.routes.subset_rows`) are not robust: a route's
coefficient floor(v_r(S)/2) (less with a limited memory) is no sum over its arcs, so their duals sigma_S <= 0 reach the pricing as a
resource of its own; in the Lagrangian bound they count sigma_S * floor(|S|/2) like any row at its bound, valid as
long as c*_k includes what the cuts charge.  They form a pool: a cut slack for some rounds leaves the master
when new ones need room (:meth:`RouteMaster.remove_subset_rows`); a bound computed before stays valid.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from milp_milkrun.implied import VehicleClass, assign_vehicles, vehicle_classes
from milp_milkrun.instance import Instance
from milp_milkrun.limits import FLOAT_NOISE, SOLVER_TOLERANCE
from milp_milkrun.objectives import RouteCosts, route_costs
from milp_milkrun.plan import Plan
from milp_milkrun.route_resources import RouteResources
from milp_milkrun.routes.separation import CapacityCut, separate_capacity_cuts
from milp_milkrun.routes.subset_rows import (
    SubsetRowCut,
    SubsetRowPenalties,
    counted_rows,
    grown_memories,
    separate_subset_rows,
    subset_row_penalties,
    with_memory,
)
from milp_milkrun.runtime.highs import new_highs, solver_seed


@dataclass(frozen=True)
class SolverSetup:
    """HiGHS's threads (every LP and MIP over the master) and random seed (every MIP) of a run:
    ``SolveOptions.threads`` and ``seed``; None leaves HiGHS's default.  The pricing and the enumeration
    run on the calling thread.

    The master LP keeps HiGHS's own seed whatever ``seed`` is: the seed steers the dual simplex's
    perturbation, so which of the LP's many optimal dual solutions the pricing sees, and with it the
    whole column generation (its columns, cuts and time; a different seed made B-n31-k5 and ecom74
    35-45% slower and spreads E-n51-k5 over 6.6-11 s, docs/benchmarks.md).  The engine's speed was
    measured and tuned on HiGHS's seed, and the column generation is deterministic without one.
    """

    threads: int | None = None
    seed: int | None = None

    def new_lp(self) -> highspy.Highs:
        """A new HiGHS object (:func:`~milp_milkrun.runtime.highs.new_highs`) for the master LP: the threads."""
        h = new_highs()
        if self.threads is not None:
            h.setOptionValue("threads", int(self.threads))
        return h

    def new_mip(self) -> highspy.Highs:
        """A new HiGHS object for a MIP over the master's columns: the threads and the seed."""
        h = self.new_lp()
        if self.seed is not None:
            h.setOptionValue("random_seed", solver_seed(self.seed))
        return h


@dataclass(frozen=True)
class RouteColumn:
    """A route of vehicle class ``vehicle_class`` through DC indices ``stops``, and its length.

    ``plannable`` says whether the route keeps every rule exactly (each DC once, load, distance and
    stop limits by :mod:`milp_milkrun.limits`). The pricing works on a relaxation (ng-routes may
    repeat a DC; loads may be rounded down to a coarse unit), so some columns only serve the bound:
    they stay in the LP but can never be part of a plan.
    """

    vehicle_class: int
    stops: tuple[int, ...]
    cost: float
    plannable: bool


@dataclass(frozen=True)
class ArcSetRow:
    """A branching row: how often the routes (of ``vehicle_class``, or of every class when None) use
    the arcs in ``arcs``.  Arcs out of the hub count a class's vehicles; {(i, j), (j, i)} an edge."""

    arcs: frozenset[tuple[int, int]]
    vehicle_class: int | None = None

    def coefficient(self, vehicle_class: int, stops: tuple[int, ...]) -> int:
        if self.vehicle_class is not None and vehicle_class != self.vehicle_class:
            return 0
        return sum(1 for arc in itertools.pairwise((0, *stops, 0)) if arc in self.arcs)

    def arc_mask(self, n: int, vehicle_class: int) -> np.ndarray:
        mask = np.zeros((n, n), dtype=bool)
        if self.vehicle_class is None or vehicle_class == self.vehicle_class:
            for i, j in self.arcs:
                mask[i, j] = True
        return mask


MasterRow = CapacityCut | ArcSetRow | SubsetRowCut


class RouteMaster:
    """The restricted master problem: the columns generated so far, held in one HiGHS model.

    One artificial column per DC (cost ``penalty``) keeps the LP feasible before the columns can cover
    every DC; it is never part of a plan.
    """

    def __init__(
        self,
        instance: Instance,
        classes: Sequence[VehicleClass] | None = None,
        costs: RouteCosts | None = None,
        *,
        solver: SolverSetup = SolverSetup(),
    ) -> None:
        self.instance = instance
        self.solver = solver
        self.classes = classes if classes is not None else vehicle_classes(instance)
        self.costs = costs if costs is not None else route_costs(instance)
        self.rates = [self.costs.rates[vc.vehicle_type] for vc in self.classes]
        self._types = {vt.name: vt for vt in instance.vehicle_types}
        self.resources = {vc.name: RouteResources.of_class(instance, vc) for vc in self.classes}
        self.columns: list[RouteColumn] = []
        self._visits = np.zeros((0, instance.n_dcs + 1), dtype=np.int64)  # visit_counts(), grown with the columns
        self.rows: list[MasterRow] = []  # cuts and branching rows, after the fleet rows
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self._known: set[tuple[int, tuple[int, ...]]] = set()
        n = instance.n_dcs
        self.highs = solver.new_lp()
        no_entries = (0, np.array([], dtype=np.int32), np.array([]))
        for _ in range(n):  # sp01_cover
            self.highs.addRow(1.0, 1.0, *no_entries)
        for vc in self.classes:  # sp02_fleet
            self.highs.addRow(-highspy.kHighsInf, float(vc.count), *no_entries)
        self.penalty = self._dearer_than_any_plan()
        for i in range(n):
            self.highs.addCol(self.penalty, 0.0, highspy.kHighsInf, 1, np.array([i], dtype=np.int32), np.array([1.0]))
        self.artificial: list[int] = list(range(n))  # HiGHS columns that are never part of a plan
        self.route_col: list[int] = []  # HiGHS column of each route column
        self.retired: set[int] = set()  # HiGHS columns fixed to 0 (see :meth:`retire`)
        self.slack_rounds: dict[tuple, int] = {}  # subset-row cut (SubsetRowCut.key) -> rounds slack in a row
        self.removed_subset_rows = 0  # subset-row cuts removed so far (:meth:`remove_subset_rows`)
        self.route_cap = n  # routes a plan the search still looks for can run (:meth:`cap_routes`)

    @property
    def n_dcs(self) -> int:
        return self.instance.n_dcs

    @property
    def first_cut_row(self) -> int:
        """The HiGHS row of :attr:`rows`' first (cuts and branching rows follow a cover row per DC and a fleet row
        per class)."""
        return self.n_dcs + len(self.classes)

    def _dearer_than_any_plan(self) -> float:
        """An artificial column's cost: above the value of every plan, so an LP (or a node) whose value
        reaches it admits no plan. A plan has at most n routes, drives at most 2 n d_max in all (each
        route at most (its DCs + 1) d_max), and carries each unit at most (n + 1) d_max."""
        n, longest = max(self.n_dcs, 1), float(self.instance.distance.max())
        fixed = max((r.fixed for r in self.rates), default=0.0)
        per_km = max((r.per_km for r in self.rates), default=1.0)
        per_unit_km = max((r.per_unit_km for r in self.rates), default=0.0)
        load_distance = float(self.costs.load_weights.sum()) * (n + 1) * longest
        hours = self.instance.hub_hours  # no route lasts longer than the hub is open
        per_hour = max((r.per_hour for r in self.rates), default=0.0) * ((hours[1] - hours[0]) / 60.0 if hours else 0.0)
        return n * (fixed + per_hour) + per_km * 2.0 * n * longest + per_unit_km * load_distance + 1.0

    def route_cost(self, vehicle_class: int, stops: tuple[int, ...]) -> float:
        """c_r: the objective's value of the route for the class's vehicle type, with its cost per hour
        of the shortest schedule's duration (:meth:`~milp_milkrun.objectives.RouteCosts.route_of_type`).
        A route without a schedule is no plan's (it is not plannable): it costs its value without the
        duration, below what the pricing charged, as the bound only needs."""
        cost = self.costs.route_of_type(self._types[self.classes[vehicle_class].vehicle_type], stops)
        return cost if math.isfinite(cost) else self.costs.route_of_nodes(self.rates[vehicle_class], stops)

    def add(self, vehicle_class: int, stops: tuple[int, ...]) -> bool:
        """Add the route as a column (False when it is already there)."""
        key = (vehicle_class, stops)
        if key in self._known:
            return False
        self._known.add(key)
        cost = self.route_cost(vehicle_class, stops)
        column = RouteColumn(vehicle_class, stops, cost, self._keeps_every_limit(self.classes[vehicle_class], stops))
        visits: dict[int, float] = {}
        for s in stops:  # an ng-route may visit a DC twice: a_ir = 2 (such a column is never in a plan)
            visits[s - 1] = visits.get(s - 1, 0.0) + 1.0
        rows = [*sorted(visits), self.n_dcs + vehicle_class]
        coefs = [visits[r] for r in rows[:-1]] + [1.0]
        first = self.first_cut_row
        for c, row in enumerate(self.rows):
            times = row.coefficient(vehicle_class, stops)
            if times:
                rows.append(first + c)
                coefs.append(float(times))
        self.route_col.append(self.highs.getNumCol())
        self.highs.addCol(
            column.cost, 0.0, highspy.kHighsInf, len(rows), np.array(rows, dtype=np.int32), np.array(coefs)
        )
        self.columns.append(column)
        return True

    def retire(self, keep: Callable[[RouteColumn], bool]) -> int:
        """Fix to 0 the route columns ``keep`` rejects (the pricing's relaxation no longer holds them);
        the number newly fixed.  Only a non-plannable column may be rejected: a plan's routes stay."""
        fixed = [
            col for column, col in zip(self.columns, self.route_col) if col not in self.retired and not keep(column)
        ]
        for column, col in zip(self.columns, self.route_col):
            if col in fixed and column.plannable:
                raise ValueError(f"route {column.stops} keeps every rule: it cannot leave the master")
        if fixed:
            self.highs.changeColsBounds(
                len(fixed), np.array(fixed, dtype=np.int32), np.zeros(len(fixed)), np.zeros(len(fixed))
            )
            self.retired.update(fixed)
        return len(fixed)

    def _keeps_every_limit(self, vc: VehicleClass, stops: tuple[int, ...]) -> bool:
        """Each DC once, and every resource of the class within its limit (load, stops, distance, time)."""
        return len(set(stops)) == len(stops) and self.resources[vc.name].fits(stops)

    def add_single_dc_routes(self) -> None:
        """Add hub -> DC -> hub of every class and DC it may serve, when it keeps every limit, as columns:
        a MIP over the columns can then always complete long routes into a plan (set partitioning over
        generated routes alone often has none).  After the LP converged they leave it optimal (exact
        pricing found no route of negative reduced cost), so they change no bound."""
        for k, vc in enumerate(self.classes):
            for j in sorted(vc.nodes):
                if self._keeps_every_limit(vc, (j,)):
                    self.add(k, (j,))

    @property
    def cuts(self) -> list[CapacityCut]:
        return [row for row in self.rows if isinstance(row, CapacityCut)]

    def add_cut(self, cut: CapacityCut) -> None:
        """Add the row sum_r e_r(S) lambda_r >= r(S) (later columns get their entry in :meth:`add`).
        The artificial column of each DC in S counts r(S), so the LP stays feasible."""
        self._add_row(
            cut, float(cut.requirement), math.inf, [(i - 1, float(cut.requirement)) for i in sorted(cut.members)]
        )

    @property
    def subset_rows(self) -> list[SubsetRowCut]:
        return [row for row in self.rows if isinstance(row, SubsetRowCut)]

    def add_subset_row(self, cut: SubsetRowCut) -> None:
        """Add the row sum_r a_r(S) lambda_r <= rhs, a_r(S) = floor(w_r(S) / d) or less with a limited memory
        (w_r(S): the weights of route r's visits to S, d the cut's denominator;
        :mod:`~milp_milkrun.routes.subset_rows`);
        the artificial columns are in no such row, so the LP stays feasible."""
        self._add_row(cut, -math.inf, float(cut.rhs), [])

    def separate_subset_rows(
        self, *, pool: int, slack_rounds: int, max_cuts: int = 30, five: bool = False, thirds: bool = False
    ) -> list[SubsetRowCut]:
        """Subset-row cuts violated by the last LP solution, each with the memory its LP routes need
        (:func:`~milp_milkrun.routes.subset_rows.with_memory`), so that the master holds at most ``pool``
        in all (``RouteSettings.max_subset_rows``): when they do not fit, cuts slack for ``slack_rounds``
        separation rounds make room first (:meth:`remove_slack_subset_rows`); the most violated are kept.
        ``five``: five-DC cuts too; ``thirds``: the cuts of thirds too."""
        known = self.subset_rows
        values = self.route_values()
        keys = {cut.key for cut in known}
        cuts = separate_subset_rows(self.visit_counts(), values, keys, max_cuts=max_cuts, five=five, thirds=thirds)
        used = [column.stops for column, value in zip(self.columns, values) if value > SOLVER_TOLERANCE]
        found = [with_memory(cut, used) for cut in cuts]
        room = pool - len(known)
        if len(found) > room:
            room += self.remove_slack_subset_rows(len(found) - room, slack_rounds)
        return found[: max(room, 0)]

    def note_slack_subset_rows(self, margin: float) -> None:
        """Count, per subset-row cut, the separation rounds in a row whose LP left it slack: its dual 0 and its
        row below its right-hand side by more than ``margin``.  Call it once per round, on the LP the round separates
        on (before any row changes): removing such a cut leaves that LP's solution and duals optimal, so its value."""
        solution = self.highs.getSolution()
        if not (solution.value_valid and solution.dual_valid):
            return
        first = self.first_cut_row
        duals, activity = np.array(solution.row_dual)[first:], np.array(solution.row_value)[first:]
        for p, row in enumerate(self.rows):
            if isinstance(row, SubsetRowCut):
                slack = abs(duals[p]) <= SOLVER_TOLERANCE and activity[p] < row.rhs - margin
                self.slack_rounds[row.key] = self.slack_rounds.get(row.key, 0) + 1 if slack else 0

    def remove_slack_subset_rows(self, count: int, rounds: int) -> int:
        """Remove up to ``count`` subset-row cuts slack for at least ``rounds`` rounds in a row (at least one:
        the last LP's, :meth:`note_slack_subset_rows`), the longest slack first; the number removed."""
        ready = sorted(
            (-self.slack_rounds.get(row.key, 0), p)
            for p, row in enumerate(self.rows)
            if isinstance(row, SubsetRowCut) and self.slack_rounds.get(row.key, 0) >= max(rounds, 1)
        )[:count]
        self.remove_subset_rows([p for _, p in ready])
        return len(ready)

    def remove_subset_rows(self, positions: list[int]) -> None:
        """Delete the subset-row cuts at ``positions`` of :attr:`rows` from the master, their HiGHS rows with them;
        the rows after them move up.  Removing a row can only lower the LP, so every bound computed with the cut
        stays valid, and a cut removed may be separated again.  The tree holds its branching rows by position,
        so no branching row may follow a removed cut (subset-row cuts are separated at the root, before any)."""
        gone = sorted(set(positions))
        if not gone:
            return
        cuts = [row for row in (self.rows[p] for p in gone) if isinstance(row, SubsetRowCut)]
        if len(cuts) < len(gone):
            raise ValueError(f"rows {gone}: only subset-row cuts leave the master")
        if any(isinstance(row, ArcSetRow) for row in self.rows[gone[0] :]):
            raise ValueError("a branching row follows the subset-row cuts to remove: its position would move")
        first = self.first_cut_row
        self.highs.deleteRows(len(gone), np.array([first + p for p in gone], dtype=np.int32))
        for cut in cuts:
            self.slack_rounds.pop(cut.key, None)
        kept = sorted(set(range(len(self.rows))) - set(gone))
        self.rows = [self.rows[p] for p in kept]
        self.row_lower = [self.row_lower[p] for p in kept]
        self.row_upper = [self.row_upper[p] for p in kept]
        self.removed_subset_rows += len(gone)

    def grow_subset_row_memories(self) -> list[SubsetRowCut]:
        """Grow the memory of each subset-row cut that only its memory keeps from being violated by the last
        LP solution (:func:`~milp_milkrun.routes.subset_rows.grown_memories`); the cuts grown.  A column's
        coefficient can only grow with the memory, so the row stays valid."""
        values = self.route_values()
        used = [(column.stops, value) for column, value in zip(self.columns, values) if value > SOLVER_TOLERANCE]
        positions = [p for p, row in enumerate(self.rows) if isinstance(row, SubsetRowCut)]
        cuts = self.subset_rows  # in the order of positions
        grown = grown_memories(cuts, [r for r, _ in used], np.array([v for _, v in used]))
        first = self.first_cut_row
        for c, cut in grown.items():
            old = cuts[c]
            for r in counted_rows(cut, self.visit_counts()):
                column = self.columns[r]
                times = cut.coefficient(column.vehicle_class, column.stops)
                if times != old.coefficient(column.vehicle_class, column.stops):
                    self.highs.changeCoeff(first + positions[c], self.route_col[r], float(times))
            self.rows[positions[c]] = cut
            self.slack_rounds[cut.key] = 0  # violated with its full memory: needed
        return list(grown.values())

    def subset_row_penalties(self, rho: np.ndarray) -> SubsetRowPenalties | None:
        """The subset-row cuts with their duals from ``rho`` (:meth:`usable_duals`), as the pricing charges them."""
        sigma = [value for value, row in zip(rho, self.rows) if isinstance(row, SubsetRowCut)]
        return subset_row_penalties(self.subset_rows, np.array(sigma), self.n_dcs + 1)

    def add_branch_row(self, row: ArcSetRow) -> int:
        """Add a branching row, free until :meth:`set_row_bounds` bounds it; returns its position.
        Its own artificial column keeps the LP feasible under a lower bound."""
        artificial = self.highs.getNumCol()
        self.highs.addCol(self.penalty, 0.0, highspy.kHighsInf, 0, np.array([], dtype=np.int32), np.array([]))
        self.artificial.append(artificial)
        self._add_row(row, -math.inf, math.inf, [(artificial, 1.0)])
        return len(self.rows) - 1

    def set_row_bounds(self, position: int, lower: float, upper: float) -> None:
        self.row_lower[position], self.row_upper[position] = lower, upper
        row = self.first_cut_row + position
        self.highs.changeRowBounds(row, highs_bound(lower), highs_bound(upper))

    def _add_row(self, row: MasterRow, lower: float, upper: float, extra: list[tuple[int, float]]) -> None:
        cols, coefs = self.row_entries(row)
        cols, coefs = [c for c, _ in extra] + cols, [v for _, v in extra] + coefs
        self.highs.addRow(
            highs_bound(lower), highs_bound(upper), len(cols), np.array(cols, dtype=np.int32), np.array(coefs)
        )
        self.rows.append(row)
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def row_entries(self, row: MasterRow) -> tuple[list[int], list[float]]:
        """HiGHS columns and coefficients of ``row`` over the route columns."""
        cols, coefs = [], []
        rows = counted_rows(row, self.visit_counts()) if isinstance(row, SubsetRowCut) else range(len(self.columns))
        for r in rows:
            times = row.coefficient(self.columns[r].vehicle_class, self.columns[r].stops)
            if times:
                cols.append(self.route_col[r])
                coefs.append(float(times))
        return cols, coefs

    def visit_counts(self) -> np.ndarray:
        """visits[r, i]: how often route column r visits node i."""
        if len(self._visits) < len(self.columns):
            more = np.zeros((len(self.columns) - len(self._visits), self.n_dcs + 1), dtype=np.int64)
            for r, column in enumerate(self.columns[len(self._visits) :]):
                np.add.at(more[r], np.array(column.stops, dtype=np.int64), 1)
            self._visits = np.concatenate([self._visits, more])
        return self._visits

    def route_values(self) -> np.ndarray:
        """lambda_r of every route column at the last LP solution."""
        return np.array(self.highs.getSolution().col_value)[self.route_col] if self.route_col else np.zeros(0)

    def unplannable_cols(self) -> np.ndarray:
        """The HiGHS columns no plan may use: the artificial ones and the routes that break a rule (a MIP or a search
        for plans holds them at 0)."""
        rule_breaking = [col for col, column in zip(self.route_col, self.columns) if not column.plannable]
        return np.array([*self.artificial, *rule_breaking], dtype=np.int32)

    def artificial_value(self) -> float:
        return float(np.array(self.highs.getSolution().col_value)[self.artificial].sum())

    def arc_flows(self) -> np.ndarray:
        """x[i, j] = sum_r (times route r drives i -> j) lambda_r at the last LP solution (0 is the hub)."""
        return self.class_arc_flows().sum(axis=0)

    def class_arc_flows(self) -> np.ndarray:
        """x[k, i, j]: :meth:`arc_flows` over the routes of class k only."""
        values = self.route_values()
        n = self.n_dcs + 1
        x = np.zeros((len(self.classes), n, n))
        for column, value in zip(self.columns, values):
            if value > FLOAT_NOISE:
                path = (0, *column.stops, 0)
                np.add.at(x[column.vehicle_class], (np.array(path[:-1]), np.array(path[1:])), value)
        return x

    def separate_cuts(self, *, max_cuts: int = 40) -> list[CapacityCut]:
        """Capacity cuts violated by the last LP solution, most violated first
        (:func:`~milp_milkrun.routes.separation.separate_capacity_cuts`)."""
        return separate_capacity_cuts(self.instance, self.classes, self.class_arc_flows(), self.cuts, max_cuts=max_cuts)

    def usable_duals(self, rho: np.ndarray) -> np.ndarray:
        """Row duals with the sign each row's bounds allow (>= 0 on a lower bound only, <= 0 on an upper
        bound only, 0 on a free row): the Lagrangian bound needs them, and the pricing must see the same."""
        rho = np.asarray(rho, dtype=float).copy()
        lower, upper = np.array(self.row_lower), np.array(self.row_upper)
        rho[np.isinf(lower)] = np.minimum(rho[np.isinf(lower)], 0.0)
        rho[np.isinf(upper)] = np.maximum(rho[np.isinf(upper)], 0.0)
        return rho

    def arc_duals(self, rho: np.ndarray) -> list[np.ndarray]:
        """Per class: sum over the arc rows of rho_row on the row's arcs, what the pricing subtracts from d_ij
        (the subset-row cuts are charged by the pricing's parity resource, :meth:`subset_row_penalties`)."""
        n = self.n_dcs + 1
        out = []
        for k in range(len(self.classes)):
            total = np.zeros((n, n))
            for value, row in zip(rho, self.rows):
                if value != 0.0 and not isinstance(
                    row, SubsetRowCut
                ):  # not a sum over arcs: the pricing charges it apart
                    total += value * row.arc_mask(n, k)
            out.append(total)
        return out

    def add_plan(self, plan: Plan) -> None:
        """The routes of a feasible plan as columns (so the LP starts from a real plan)."""
        class_of = {v: k for k, vc in enumerate(self.classes) for v in vc.vehicles}
        index = self.instance.index
        for route in plan.used_routes():
            self.add(class_of[route.vehicle], tuple(index[s] for s in route.stops))

    def cap_routes(self, value: float) -> None:
        """Only plans costing at most ``value`` (a checked plan's: the incumbent's) matter from now on: cap the routes
        of the Lagrangian bound's fleet term at the most such a plan can run (:func:`most_routes`)."""
        rates = self.rates
        if any(min(r.fixed, r.per_km, r.per_unit_km, r.per_hour) < 0 for r in rates):
            return  # a route could cost less than its fixed cost and round trip: no cap
        per_km = min(r.per_km for r in rates)
        trips = per_km * round_trips(self.instance.distance) if per_km > 0 else np.zeros(self.n_dcs)
        fixed = [(r.fixed, vc.count) for r, vc in zip(rates, self.classes)]
        self.route_cap = min(self.route_cap, most_routes(value, fixed, trips))

    def lagrangian_bound(
        self, pi: np.ndarray, mu: np.ndarray, least_reduced_costs: list[float], rho: np.ndarray | None = None
    ) -> float:
        """sum_i pi_i + sum_rows rho * (the bound it prices) + sum_k m_k (mu_k + min(0, c*_k)): a lower bound
        on every plan meeting the rows' bounds, when c*_k was priced with ``arc_duals(rho)`` on the arcs
        and ``rho`` comes from :meth:`usable_duals` (see module doc).

        The fleet term is the least sum_k n_k (mu_k + min(0, c*_k)) over route counts with n_k <= m_k
        and sum_k n_k <= n (every route visits a DC, each DC is visited once): the most negative terms
        take their m_k first.  Never below the plain sum_k m_k (...), and much above it with unlimited
        types, whose m_k is n each.  Once :meth:`cap_routes` was given an incumbent's value, n is the most routes a
        plan costing no more can run: the bound then holds for those plans, the only ones a search needs."""
        terms = sorted((mu[k] + min(0.0, least_reduced_costs[k]), vc.count) for k, vc in enumerate(self.classes))
        fleet, routes_left = 0.0, self.route_cap
        for term, count in terms:  # each term <= 0: the most negative first
            take = min(count, routes_left)
            fleet += take * term
            routes_left -= take
        rows = 0.0
        for value, lower, upper in zip(rho if rho is not None else [], self.row_lower, self.row_upper):
            rows += value * lower if value > 0 else value * upper if value < 0 else 0.0
        return float(pi[1:].sum() + rows + fleet)

    def plan_of(self, columns: list[RouteColumn]) -> Plan:
        """Give each route a distinct vehicle of its class, in name order."""
        return assign_vehicles(self.instance, self.classes, [(c.vehicle_class, c.stops) for c in columns])


def most_routes(value: float, fixed: list[tuple[float, int]], trips: np.ndarray) -> int:
    """The most routes a plan costing at most ``value`` can run.

    A route of class k costs at least its fixed cost F_k plus the least per-km rate times the round trip to one of
    its DCs, and the routes of a plan visit distinct DCs: R routes cost at least the R least fixed costs (each
    class at most m_k times) plus the R least round trips (``trips``, at the least rate).  The answer is the
    largest R whose sum stays within ``value`` (with :data:`FLOAT_NOISE` to spare).

    Parameters
    ----------
    value : float
        A plan's value.
    fixed : list of (float, int)
        Each class's fixed cost F_k and vehicle count m_k.
    trips : np.ndarray
        Each DC's round trip from the hub, priced at the least per-km rate (inf: not drivable).

    Returns
    -------
    int
        At most the number of DCs.
    """
    n = len(trips)
    fixed_costs = np.sort(np.concatenate([np.full(min(count, n), cost) for cost, count in fixed]))[:n]
    least = np.cumsum(fixed_costs) + np.cumsum(np.sort(trips))[: len(fixed_costs)]  # both nondecreasing
    return int(np.count_nonzero(least <= value + FLOAT_NOISE * max(1.0, abs(value))))


def round_trips(distance: np.ndarray) -> np.ndarray:
    """Each DC's shortest round trip from the hub (node 0), over any nodes (a direct road may be damaged, or longer
    than a detour): a lower bound on the length of every route that visits it."""
    return _shortest_from_hub(distance)[1:] + _shortest_from_hub(distance.T)[1:]


def _shortest_from_hub(distance: np.ndarray) -> np.ndarray:
    """Dijkstra from node 0 over the matrix's arcs (non-negative lengths, inf: no arc)."""
    reach = np.full(len(distance), np.inf)
    reach[0] = 0.0
    done = np.zeros(len(distance), dtype=bool)
    for _ in range(len(distance)):
        node = int(np.argmin(np.where(done, np.inf, reach)))
        if done[node] or not np.isfinite(reach[node]):
            break
        done[node] = True
        reach = np.minimum(reach, reach[node] + distance[node])
    return reach


def highs_bound(value: float) -> float:
    """A row or column bound as HiGHS takes it (its infinity for an infinite one)."""
    return highspy.kHighsInf if value == math.inf else -highspy.kHighsInf if value == -math.inf else value
