"""Branch and bound over enumerated routes (routes/pool_search.py): the cheapest plan of the columns, or a proof that
none costs at most the limit, against the brute-force oracle and against HiGHS's MIP over the same master."""

from __future__ import annotations

import math
import time

import highspy
import numpy as np
import pytest
from bruteforce import brute_force, random_tiny_instance
from model_instances import plane_instance
from pricing_oracle import feasible_routes
from shared_data import CVRPLIB, needs_cvrplib

from milp_milkrun.checker import check_plan
from milp_milkrun.implied import vehicle_classes
from milp_milkrun.instance import Instance
from milp_milkrun.io import load_instance
from milp_milkrun.objectives import route_costs
from milp_milkrun.routes.column_generation import route_lower_bound
from milp_milkrun.routes.master import ArcSetRow, RouteMaster
from milp_milkrun.routes.pool_search import ColumnBranch, PairBranch, PoolSearch

FAR = 60.0  # seconds: a deadline no search here reaches (each takes well under a second)


def _every_route(instance: Instance) -> RouteMaster:
    """A master whose columns are every route any vehicle class may drive."""
    master = RouteMaster(instance, vehicle_classes(instance))
    for k, vc in enumerate(master.classes):
        for order in feasible_routes(instance, vc):
            master.add(k, order)
    return master


def _search(master: RouteMaster, upper: float = math.inf):
    return PoolSearch(master, master.costs.grain).cheapest_within(upper, time.perf_counter() + FAR)


@pytest.mark.parametrize("time_windows", [False, True])
@pytest.mark.parametrize("seed", range(12))
def test_the_search_finds_the_brute_force_optimum(seed: int, time_windows: bool) -> None:
    instance = random_tiny_instance(seed, time=time_windows)
    expected = brute_force(instance)
    plan, cost, proven, _ = _search(_every_route(instance))
    assert proven
    if expected is None:
        assert plan is None
        return
    assert plan is not None and check_plan(instance, plan).feasible
    assert cost == pytest.approx(expected[0], abs=1e-6)
    assert route_costs(instance).plan(plan) == pytest.approx(expected[0], abs=1e-6)


@pytest.mark.parametrize("seed", [1, 4, 7])
def test_a_limit_below_the_optimum_is_proven_to_hold_no_plan(seed: int) -> None:
    instance = random_tiny_instance(seed, costs=True)
    expected = brute_force(instance)
    assert expected is not None  # these seeds have plans
    master = _every_route(instance)
    below = _search(master, expected[0] - 0.5)
    assert below.plan is None and below.proven
    at = _search(master, expected[0])
    assert at.plan is not None and at.proven and at.cost == pytest.approx(expected[0], abs=1e-6)


def test_a_search_out_of_time_proves_nothing() -> None:
    instance = random_tiny_instance(3)
    result = PoolSearch(_every_route(instance), 0.0).cheapest_within(math.inf, time.perf_counter())
    assert not result.proven and result.plan is None and result.lps == 0


def test_a_pair_is_served_by_one_route_or_by_two() -> None:
    serves = np.array(
        [[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1]], dtype=bool
    )  # DC row x column; column 3 serves neither
    assert PairBranch(0, 1, together=True).keeps(serves).tolist() == [True, False, False, True]
    assert PairBranch(0, 1, together=False).keeps(serves).tolist() == [False, True, True, True]


def test_routes_over_the_same_dcs_are_split_by_a_column() -> None:
    instance = plane_instance(1, 4)
    master = RouteMaster(instance, vehicle_classes(instance))
    for order in [(1, 2), (2, 1), (3,), (4,)]:
        master.add(1, order)  # the small class: four vehicles, 1,100 each
    search = PoolSearch(master, 0.0)
    assert search._branch(np.array([0.5, 0.5, 1.0, 1.0])) == (ColumnBranch(0, True), ColumnBranch(0, False))
    assert search._branch(np.array([0.0, 1.0, 1.0, 1.0])) is None  # every pair of DCs integral, and every column
    for used in (0, 1):  # either order in the plan, as the branch says
        value, x = search._solve((ColumnBranch(used, True),), time.perf_counter() + FAR)
        assert math.isfinite(value) and x[used] == pytest.approx(1.0) and x[1 - used] == pytest.approx(0.0)
    value, x = search._solve((ColumnBranch(0, False), ColumnBranch(1, False)), time.perf_counter() + FAR)
    assert value == math.inf  # DCs 1 and 2 have no other route


@pytest.fixture(scope="module")
def root_master() -> RouteMaster:
    """P-n16-k8's root master: its routes, capacity cuts and a branching row (fractional LPs to branch on)."""
    master = route_lower_bound(load_instance(CVRPLIB / "P-n16-k8.vrp"), 60).master
    master.set_row_bounds(master.add_branch_row(ArcSetRow(frozenset({(1, 2), (2, 1)}))), 0.0, math.inf)
    return master


def _highs_mip_optimum(master: RouteMaster) -> float:
    """HiGHS's MIP over the master's columns (artificial and rule-breaking ones at 0), no gap tolerance."""
    h = master.solver.new_mip()
    h.passModel(master.highs.getLp())
    fixed = master.unplannable_cols()
    h.changeColsBounds(len(fixed), fixed, np.zeros(len(fixed)), np.zeros(len(fixed)))
    n = h.getNumCol()
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value


@needs_cvrplib
def test_the_search_equals_highs_mip_over_a_root_master_with_cuts(root_master: RouteMaster) -> None:
    plan, cost, proven, lps = _search(root_master)
    assert proven and plan is not None and lps > 1  # it branched
    assert cost == pytest.approx(_highs_mip_optimum(root_master), abs=1e-6)
    assert check_plan(root_master.instance, plan).feasible
