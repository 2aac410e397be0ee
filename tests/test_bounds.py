"""Certified lower bounds: never above the optimum, and `milkrun check --bound` prints the proven gap."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest
from bruteforce import brute_force, random_tiny_instance
from typer.testing import CliRunner

from milp_milkrun.bounds import PlanBound, bound_plan, certified_lower_bound
from milp_milkrun.cli import app
from milp_milkrun.errors import InputError
from milp_milkrun.io import load_instance, write_plan
from milp_milkrun.plan import Plan

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("seed", range(8))
def test_bound_never_exceeds_the_brute_force_optimum(seed: int) -> None:
    instance = random_tiny_instance(seed)
    expected = brute_force(instance)
    bound, how = certified_lower_bound(instance, 10)
    if expected is None:
        assert bound == math.inf and "no feasible plan" in how
    else:
        assert bound <= expected[0] + 1e-6
        assert "route-based" in how or "strong formulation" in how  # names the relaxation that gave it


def test_a_short_budget_still_gives_a_valid_bound_on_a_larger_instance() -> None:
    """An LP-only budget on ecom74: the bound is certified (below a known feasible plan) and positive."""
    instance = load_instance(REPO / "instances" / "ecom74.json")
    plan = _planted_plan(instance)
    started = time.perf_counter()
    certified = bound_plan(instance, plan, 3)
    assert time.perf_counter() - started < 3 + 15  # the budget is honoured (generous: the machine is shared)
    assert 0 < certified.bound <= certified.objective
    assert certified.gap == pytest.approx((certified.objective - certified.bound) / certified.objective)


def test_the_gap_line_rounds_honestly() -> None:
    assert PlanBound(4912.0, 4730.0, "", "km").line() == "plan 4,912 km; optimum \u2265 4,730 km; within 3.8%"  # 3.705%
    assert PlanBound(4912.0, 4730.46, "", "km").line() == "plan 4,912 km; optimum \u2265 4,730.4 km; within 3.7%"
    assert PlanBound(100.0, 96.01, "", "km").line().endswith("within 4.0%")  # 3.99% rounds up, never down


def test_a_plan_that_breaks_rules_gets_no_gap() -> None:
    instance = random_tiny_instance(4)
    with pytest.raises(InputError, match="breaks"):
        bound_plan(instance, Plan(()), 1)


def test_cli_check_bound_prints_the_proven_gap(tmp_path: Path) -> None:
    instance_path = REPO / "instances" / "toy6.json"
    instance = load_instance(instance_path)
    from milp_milkrun.solve import SolveOptions
    from milp_milkrun.solve.strong import solve_strong

    result = solve_strong(instance, SolveOptions(log=False, time_limit=20))
    assert result.status == "optimal" and result.plan is not None
    plan_path = tmp_path / "plan.json"
    write_plan(result.plan, plan_path, instance)
    out = CliRunner().invoke(app, ["check", str(instance_path), str(plan_path), "--bound", "10"])
    assert out.exit_code == 0, out.output
    assert f"plan {result.objective:,.0f} km; optimum \u2265 {result.objective:,.0f} km; within 0.0%" in out.output
    as_json = CliRunner().invoke(app, ["check", str(instance_path), str(plan_path), "--bound", "10", "--json"])
    verdict = json.loads(as_json.stdout)
    assert verdict["feasible"] and verdict["bound"] == pytest.approx(result.objective) and verdict["gap"] == 0.0


def _planted_plan(instance) -> Plan:
    from milp_milkrun.io import load_plan

    return load_plan(REPO / "instances" / "ecom74_plan13.json", instance)
