"""Solving the route master (:mod:`milp_milkrun.routes.master`): its LP (value and duals for the
pricing), strong branching's trial LPs, and the MIP over its columns (plans).  Every HiGHS object comes
from the master's :class:`~milp_milkrun.routes.master.SolverSetup`, so the run's threads hold for each
and its seed for each MIP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import highspy
import numpy as np

from milp_milkrun.plan import Plan
from milp_milkrun.routes.master import ArcSetRow, RouteMaster, highs_bound
from milp_milkrun.runtime.highs import claims_less_than_its_solution, limit_next_run, search_again_without_start


@dataclass(frozen=True)
class MasterLP:
    """The restricted master LP at its optimum: its value, the DC duals pi (pi[0] = 0 for the hub), the
    class duals mu <= 0 and the duals of the cuts and branching rows (:meth:`RouteMaster.usable_duals`)."""

    value: float
    pi: np.ndarray
    mu: np.ndarray
    rho: np.ndarray


def solve_lp(master: RouteMaster, time_limit: float) -> MasterLP | None:
    """Solve the restricted master LP (warm, from the last basis) for its value and duals.

    Parameters
    ----------
    master : RouteMaster
        The master.
    time_limit : float
        Seconds for HiGHS.

    Returns
    -------
    MasterLP or None
        The LP's value and duals; None if HiGHS did not solve it to optimality.
    """
    h = master.highs
    limit_next_run(h, time_limit)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return _lp_of(master, h)


def central_duals(master: RouteMaster, time_limit: float) -> MasterLP | None:
    """The restricted master LP's duals near the centre of its optimal dual face, for the pricing.

    When a few long routes cover every DC (one plan's columns, wide windows, large capacities), the
    master is highly degenerate: its value does not move while the dual simplex jumps from one vertex
    of the optimal dual face to another, and the pricing chases each vertex's extreme duals (RC208 of
    Solomon: 120 iterations at the start plan's value).  HiGHS's interior point method without crossover
    (and without presolve, which would hand back a vertex) stops inside that face: duals that every
    column generation iteration can trust (primal-dual column generation, Gondzio, Gonzalez-Brevis and
    Munari 2013; Rousseau, Gendreau and Feillet 2007).  It solves a copy, so the master keeps its basis;
    the value returned is the copy's (to the interior point's tolerance), the duals' signs are the
    bound's (:meth:`RouteMaster.usable_duals`): any duals give a certified Lagrangian bound.

    Parameters
    ----------
    master : RouteMaster
        The master (just solved by :func:`solve_lp`).
    time_limit : float
        Seconds for HiGHS.

    Returns
    -------
    MasterLP or None
        The value and central duals; None if the interior point method did not reach an optimum.
    """
    h = master.solver.new_lp()
    h.passModel(master.highs.getLp())
    for option, value in (("solver", "ipm"), ("run_crossover", "off"), ("presolve", "off")):
        h.setOptionValue(option, value)
    limit_next_run(h, time_limit)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return _lp_of(master, h)


def _lp_of(master: RouteMaster, h: highspy.Highs) -> MasterLP:
    """The value and duals of a solved master LP ``h`` (its rows as the master's)."""
    duals = np.array(h.getSolution().row_dual)
    pi = np.concatenate([[0.0], duals[: master.n_dcs]])
    first = master.first_cut_row
    mu = np.minimum(duals[master.n_dcs : first], 0.0)  # the bound needs mu <= 0; clamp solver noise
    return MasterLP(h.getInfo().objective_function_value, pi, mu, master.usable_duals(duals[first:]))


def trial_lp_value(master: RouteMaster, row: ArcSetRow, lower: float, upper: float, time_limit: float) -> float:
    """The restricted LP's value with ``row`` bounded to [lower, upper], for strong branching; the master
    is left with its rows and basis as they were.

    Only the routes generated so far take part, so the value estimates a branch's LP bound (from
    above): it ranks branching candidates and bounds nothing.

    Parameters
    ----------
    master : RouteMaster
        The master at the node's LP solution.
    row : ArcSetRow
        The branching row to try.
    lower, upper : float
        Its bounds in the branch.
    time_limit : float
        Seconds for HiGHS.

    Returns
    -------
    float
        The branch's LP value; inf when it has no LP solution, nan when not solved in time.
    """
    h = master.highs
    basis = h.getBasis()
    cols, coefs = master.row_entries(row)
    h.addRow(highs_bound(lower), highs_bound(upper), len(cols), np.array(cols, dtype=np.int32), np.array(coefs))
    limit_next_run(h, time_limit)
    try:
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            value = float(h.getInfo().objective_function_value)
        else:
            value = math.inf if status == highspy.HighsModelStatus.kInfeasible else math.nan
    finally:
        h.deleteRows(1, np.array([h.getNumRow() - 1], dtype=np.int32))
        h.setBasis(basis)
    return value


def best_integer_plan(
    master: RouteMaster, time_limit: float, incumbent: Plan | None = None
) -> tuple[Plan | None, float]:
    """The cheapest plan made of the generated columns (HiGHS MIP over them) and its value: a plan, no bound on the
    instance (columns are missing).  An exact search over columns that hold every route that matters is
    :mod:`~milp_milkrun.routes.pool_search`'s.

    Parameters
    ----------
    master : RouteMaster
        The master: its columns and rows.
    time_limit : float
        Seconds for HiGHS.
    incumbent : Plan, optional
        A MIP start, used when all its routes are columns.

    Returns
    -------
    tuple[Plan | None, float]
        The plan (None if none was found) and its value.
    """
    lp = master.highs.getLp()
    mip = master.solver.new_mip()
    mip.passModel(lp)
    n_cols = lp.num_col_
    unusable = master.unplannable_cols()
    mip.changeColsBounds(len(unusable), unusable, np.zeros(len(unusable)), np.zeros(len(unusable)))
    mip.changeColsIntegrality(n_cols, np.arange(n_cols, dtype=np.int32), np.full(n_cols, highspy.HighsVarType.kInteger))
    if incumbent is not None:
        start = _start_values(master, incumbent, n_cols)
        if start is not None:
            mip.setSolution(_solution(start))
    limit_next_run(mip, time_limit)
    mip.run()
    if incumbent is not None and claims_less_than_its_solution(mip):  # a MIP-start fault of HiGHS 1.16
        search_again_without_start(mip, time_limit - mip.getRunTime())  # what the first run left
    if mip.getInfo().primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        return None, math.inf
    values = np.array(mip.getSolution().col_value)
    chosen = [c for c, col in zip(master.columns, master.route_col) if values[col] > 0.5]
    return master.plan_of(chosen), mip.getInfo().objective_function_value


def _start_values(master: RouteMaster, plan: Plan, n_cols: int) -> np.ndarray | None:
    class_of = {v: k for k, vc in enumerate(master.classes) for v in vc.vehicles}
    position = {(c.vehicle_class, c.stops): col for c, col in zip(master.columns, master.route_col)}
    start = np.zeros(n_cols)
    for route in plan.used_routes():
        key = (class_of[route.vehicle], tuple(master.instance.index[s] for s in route.stops))
        if key not in position:
            return None
        start[position[key]] = 1.0
    return start


def _solution(values: np.ndarray) -> highspy.HighsSolution:
    solution = highspy.HighsSolution()
    solution.col_value = list(values)
    return solution
