"""The route-based (set-partitioning) formulation: one column per feasible route of a vehicle class.

    min  sum_r c_r lambda_r
    sp01_cover   sum_r a_ir lambda_r = 1        for every DC i     (each DC on exactly one route)
    sp02_fleet   sum_{r of class k} lambda_r <= m_k   for every class k   (no more routes than vehicles)
    lambda_r in {0, 1}

A route r of class k carries everything else of Equations 1-14 inside the column: it starts and ends
at the hub, respects Q_k (5), D_k (6) and H_k (7), visits only DCs the class may serve (8, 9), keeps the
consecutive pairs adjacent (10) and uses no damaged road (11).  There are far too many routes to list,
so the LP relaxation is solved by column generation (:mod:`milp_milkrun.solve.column_generation`),
and its bound is much stronger than that of the arc formulations: the LP can no longer mix fractions
of routes that break the capacity or distance limits.

The **Lagrangian bound** makes the bound certified whatever the LP solver returns: for any duals
pi (free) and mu_k <= 0, and c*_k the least reduced cost c_r - pi(a_r) - mu_k over a *relaxation* of
class k's routes, every plan costs at least

    sum_i pi_i + sum_k m_k (mu_k + min(0, c*_k))

(each DC is covered once, class k runs at most m_k routes, each with reduced cost >= c*_k).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import highspy
import numpy as np

from milp_milkrun.implied import VehicleClass, assign_vehicles, vehicle_classes
from milp_milkrun.instance import Instance
from milp_milkrun.limits import exceeds
from milp_milkrun.plan import Plan
from milp_milkrun.runtime.highs import claims_less_than_its_solution, new_highs, search_again_without_start


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


class RouteMaster:
    """The restricted master problem: the columns generated so far, held in one HiGHS model.

    One artificial column per DC (cost ``penalty``) keeps the LP feasible before the columns can cover
    every DC; it is never part of a plan.
    """

    def __init__(self, instance: Instance, classes: list[VehicleClass] | None = None) -> None:
        self.instance = instance
        self.classes = classes if classes is not None else vehicle_classes(instance)
        self.columns: list[RouteColumn] = []
        self._known: set[tuple[int, tuple[int, ...]]] = set()
        n = instance.n_dcs
        self.highs = new_highs()
        no_entries = (0, np.array([], dtype=np.int32), np.array([]))
        for _ in range(n):  # sp01_cover
            self.highs.addRow(1.0, 1.0, *no_entries)
        for vc in self.classes:  # sp02_fleet
            self.highs.addRow(-highspy.kHighsInf, float(vc.count), *no_entries)
        self.penalty = float(2.0 * instance.distance.max() * max(n, 1) + 1.0)
        for i in range(n):
            self.highs.addCol(self.penalty, 0.0, highspy.kHighsInf, 1, np.array([i], dtype=np.int32), np.array([1.0]))
        self._first_route_col = n

    @property
    def n_dcs(self) -> int:
        return self.instance.n_dcs

    def route_cost(self, stops: tuple[int, ...]) -> float:
        path = (0, *stops, 0)
        d = self.instance.distance
        return float(sum(d[a, b] for a, b in itertools.pairwise(path)))

    def add(self, vehicle_class: int, stops: tuple[int, ...]) -> bool:
        """Add the route as a column (False when it is already there)."""
        key = (vehicle_class, stops)
        if key in self._known:
            return False
        self._known.add(key)
        cost = self.route_cost(stops)
        column = RouteColumn(vehicle_class, stops, cost, self._keeps_every_limit(self.classes[vehicle_class], stops, cost))
        visits: dict[int, float] = {}
        for s in stops:  # an ng-route may visit a DC twice: a_ir = 2 (such a column is never in a plan)
            visits[s - 1] = visits.get(s - 1, 0.0) + 1.0
        rows = [*sorted(visits), self.n_dcs + vehicle_class]
        coefs = [visits[r] for r in rows[:-1]] + [1.0]
        self.highs.addCol(column.cost, 0.0, highspy.kHighsInf, len(rows), np.array(rows, dtype=np.int32), np.array(coefs))
        self.columns.append(column)
        return True

    def _keeps_every_limit(self, vc: VehicleClass, stops: tuple[int, ...], cost: float) -> bool:
        load = float(self.instance.demand[list(stops)].sum())
        return (
            len(set(stops)) == len(stops)
            and len(stops) <= vc.max_stops
            and not exceeds(load, vc.capacity)
            and (vc.max_distance is None or not exceeds(cost, vc.max_distance))
        )

    def add_plan(self, plan: Plan) -> None:
        """The routes of a feasible plan as columns (so the LP starts from a real plan)."""
        class_of = {v: k for k, vc in enumerate(self.classes) for v in vc.vehicles}
        index = self.instance.index
        for route in plan.used_routes():
            self.add(class_of[route.vehicle], tuple(index[s] for s in route.stops))

    def solve_lp(self, time_limit: float) -> tuple[float, np.ndarray, np.ndarray] | None:
        """LP value, DC duals pi (pi[0] = 0 for the hub) and class duals mu <= 0; None if not solved."""
        h = self.highs
        h.setOptionValue("time_limit", max(time_limit, 0.01))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        duals = np.array(h.getSolution().row_dual)
        pi = np.concatenate([[0.0], duals[: self.n_dcs]])
        mu = np.minimum(duals[self.n_dcs :], 0.0)  # the bound needs mu <= 0; clamp solver noise
        return h.getInfo().objective_function_value, pi, mu

    def lagrangian_bound(self, pi: np.ndarray, mu: np.ndarray, least_reduced_costs: list[float]) -> float:
        """sum_i pi_i + sum_k m_k (mu_k + min(0, c*_k)): a lower bound on every plan's cost (see module doc)."""
        fleet = sum(vc.count * (mu[k] + min(0.0, least_reduced_costs[k])) for k, vc in enumerate(self.classes))
        return float(pi[1:].sum() + fleet)

    def best_integer_plan(self, time_limit: float, incumbent: Plan | None = None) -> tuple[Plan | None, float]:
        """The cheapest plan made of the generated columns (HiGHS MIP over them) and HiGHS's dual bound of
        that restricted problem (NOT a bound on the instance: columns are missing)."""
        lp = self.highs.getLp()
        mip = new_highs()
        mip.passModel(lp)
        n_cols = lp.num_col_
        mip.changeColsIntegrality(n_cols, np.arange(n_cols, dtype=np.int32), np.full(n_cols, highspy.HighsVarType.kInteger))
        rule_breaking = [self._first_route_col + p for p, c in enumerate(self.columns) if not c.plannable]
        unusable = np.array([*range(self.n_dcs), *rule_breaking], dtype=np.int32)  # artificial columns too
        mip.changeColsBounds(len(unusable), unusable, np.zeros(len(unusable)), np.zeros(len(unusable)))
        if incumbent is not None:
            start = self._start_values(incumbent, n_cols)
            if start is not None:
                mip.setSolution(_solution(start))
        mip.setOptionValue("time_limit", max(time_limit, 0.01))
        mip.run()
        if incumbent is not None and claims_less_than_its_solution(mip):  # a MIP-start fault of HiGHS 1.16
            search_again_without_start(mip, max(time_limit, 0.01))
        if mip.getInfo().primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
            return None, math.inf
        values = np.array(mip.getSolution().col_value)
        chosen = [self.columns[c - self._first_route_col] for c in range(self._first_route_col, n_cols) if values[c] > 0.5]
        return self.plan_of(chosen), mip.getInfo().objective_function_value

    def plan_of(self, columns: list[RouteColumn]) -> Plan:
        """Give each route a distinct vehicle of its class, in name order."""
        return assign_vehicles(self.instance, self.classes, [(c.vehicle_class, c.stops) for c in columns])

    def _start_values(self, plan: Plan, n_cols: int) -> np.ndarray | None:
        class_of = {v: k for k, vc in enumerate(self.classes) for v in vc.vehicles}
        position = {(c.vehicle_class, c.stops): self._first_route_col + p for p, c in enumerate(self.columns)}
        start = np.zeros(n_cols)
        for route in plan.used_routes():
            key = (class_of[route.vehicle], tuple(self.instance.index[s] for s in route.stops))
            if key not in position:
                return None
            start[position[key]] = 1.0
        return start


def _solution(values: np.ndarray) -> highspy.HighsSolution:
    solution = highspy.HighsSolution()
    solution.col_value = list(values)
    return solution
