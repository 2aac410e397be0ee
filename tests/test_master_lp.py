"""The route master's MIP over its columns (routes/master_lp.py): the exact MIP leaves out the idle cut rows only."""

from __future__ import annotations

import math

import highspy
import numpy as np
import pytest
from shared_data import CVRPLIB, needs_cvrplib

from milp_milkrun.io import load_instance
from milp_milkrun.routes.column_generation import route_lower_bound
from milp_milkrun.routes.master import ArcSetRow, RouteMaster
from milp_milkrun.routes.master_lp import _drop_idle_cuts, solve_integer


def _copy(master: RouteMaster) -> highspy.Highs:
    """The master's LP in a new HiGHS object, the artificial and rule-breaking columns held at 0 as the MIP holds
    them."""
    h = master.solver.new_mip()
    h.passModel(master.highs.getLp())
    rule_breaking = [col for col, column in zip(master.route_col, master.columns) if not column.plannable]
    fixed = np.array([*master.artificial, *rule_breaking], dtype=np.int32)
    h.changeColsBounds(len(fixed), fixed, np.zeros(len(fixed)), np.zeros(len(fixed)))
    return h


def _lp_value(h: highspy.Highs) -> float:
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value


def _mip_value(h: highspy.Highs) -> float:
    n = h.getNumCol()
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value


@pytest.fixture(scope="module")
def master_with_a_branch_row() -> RouteMaster:
    """P-n16-k8's root master (its capacity cuts) and a branching row that binds nowhere (its dual is 0)."""
    master = route_lower_bound(load_instance(CVRPLIB / "P-n16-k8.vrp"), 60).master
    master.set_row_bounds(master.add_branch_row(ArcSetRow(frozenset({(1, 2), (2, 1)}))), 0.0, math.inf)
    return master


@needs_cvrplib
def test_the_idle_cut_rows_leave_the_lp_and_its_value_stays(master_with_a_branch_row: RouteMaster) -> None:
    master = master_with_a_branch_row
    h = _copy(master)
    cuts = sum(not isinstance(row, ArcSetRow) for row in master.rows)
    before, value = h.getNumRow(), _lp_value(_copy(master))
    _drop_idle_cuts(master, h, 60)
    assert 0 < before - h.getNumRow() < cuts  # some cuts idle at the optimum, some not
    assert _lp_value(h) == pytest.approx(value, abs=1e-6)
    lp = h.getLp()
    rows = list(zip(lp.row_lower_, lp.row_upper_))
    assert rows[-1] == (0.0, highspy.kHighsInf)  # the branching row, idle too, stays


@needs_cvrplib
def test_the_exact_mip_without_the_idle_cuts_keeps_the_optimum_of_all_rows(
    master_with_a_branch_row: RouteMaster,
) -> None:
    master = master_with_a_branch_row
    plan, cost, proven = solve_integer(master, 60, exact=True)
    assert proven and plan is not None
    assert cost == pytest.approx(_mip_value(_copy(master)), abs=1e-6)
