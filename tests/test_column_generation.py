"""Column generation: the route-based bound is certified (never above an optimum) and strong.

Validity is tested against the brute-force optimum on random instances with every side constraint
and against the proven CVRPLIB optima; strength against the CVRPLIB optima (the set-partitioning LP
bound is known to be within a few percent there); the deadline and the plans of ``solve_routes``
(checked by the independent checker inside make_result) as well.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest
from bruteforce import brute_force, random_tiny_instance
from cli_helpers import run_cli
from random_instances import random_side_instance
from shared_data import CVRPLIB, cvrplib_optimum, needs_cvrplib

from milp_milkrun.io import load_instance, load_plan
from milp_milkrun.routes.column_generation import route_lower_bound, safe_bound
from milp_milkrun.solve import SolveOptions, solve

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("make", [random_tiny_instance, random_side_instance], ids=["tiny", "side"])
@pytest.mark.parametrize("seed", range(12))
def test_route_bound_never_exceeds_the_brute_force_optimum(make, seed: int) -> None:
    instance = make(seed)
    expected = brute_force(instance)
    cg = route_lower_bound(instance, 20)
    assert cg.converged  # tiny: the LP is solved over all routes
    if expected is not None:
        assert cg.bound <= expected[0] + 1e-6
        assert cg.lp_value <= expected[0] + 1e-6  # the LP optimum is a relaxation of the problem too


@needs_cvrplib
@pytest.mark.parametrize(("name", "least_share"), [("P-n16-k8", 0.97), ("E-n22-k4", 0.99)])
def test_route_bound_on_cvrplib_is_valid_and_strong(name: str, least_share: float) -> None:
    """Optima from ../shared/cvrplib/optima.json (proven, EUC_2D rounded)."""
    optimum = cvrplib_optimum(name)
    instance = load_instance(CVRPLIB / f"{name}.vrp")
    cg = route_lower_bound(instance, 60)
    assert cg.converged
    assert least_share * optimum <= cg.bound <= optimum


def test_route_bound_respects_its_deadline_and_stays_valid() -> None:
    instance = load_instance(REPO / "instances" / "ecom74.json")
    plan = load_plan(REPO / "instances" / "ecom74_plan13.json", instance)
    started = time.perf_counter()
    cg = route_lower_bound(instance, 1, incumbent=plan)
    assert time.perf_counter() - started < 1 + 3  # pricing checks the clock between labels
    assert cg.bound == -math.inf or cg.bound <= 3542.6  # a bound only from a completed exact pricing


def test_solve_routes_returns_a_checked_plan_and_a_certified_bound() -> None:
    instance = random_side_instance(3)
    expected = brute_force(instance)
    result = solve(instance, model="routes", options=SolveOptions(time_limit=20, log=False))
    if expected is None:
        assert result.status in ("infeasible", "no_solution")
        return
    assert result.plan is not None and result.check is not None and result.check.feasible
    assert result.bound is not None and result.bound <= expected[0] + 1e-6 <= result.objective + 2e-6


def test_cli_solve_model_routes(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        monkeypatch,
        capsys,
        "solve",
        str(REPO / "instances" / "toy6.json"),
        "--model",
        "routes",
        "--time-limit",
        "20",
        "--json",
    )
    result = json.loads(out)
    assert code == 0 and result["model"] == "routes" and result["status"] in ("optimal", "feasible")
    assert result["bound"] <= result["objective"] + 1e-6


def test_cli_rejects_routes_on_pulp(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        monkeypatch, capsys, "solve", str(REPO / "instances" / "toy6.json"), "--model", "routes", "--backend", "pulp"
    )
    assert code == 2 and "--backend" in err and "routes" in err


def test_a_safe_bound_rises_to_the_next_step_of_the_cost_grain_and_never_past_a_step_it_touches() -> None:
    assert safe_bound(1142.81, grain=0.1) == pytest.approx(1142.9)
    assert safe_bound(449.3, grain=1.0) == 450.0
    assert safe_bound(1143.2, grain=0.1) == pytest.approx(1143.2)  # already a step: stays
    assert safe_bound(1143.2 + 5e-7, grain=0.1) == pytest.approx(1143.2)  # a solver's tolerance above: the step
    assert safe_bound(450.0000004, grain=1.0) == 450.0
    assert 2.99999999 < safe_bound(3.0, grain=0.0) < 3.0  # no grain: a hair below, for float sums


@pytest.mark.parametrize(
    ("value", "grain", "shown"), [(646.8, 0.1, "646.8"), (123.45, 0.01, "123.45"), (7.0, 1.0, "7.0")]
)
def test_a_bound_on_a_step_is_the_float_nearest_the_decimal(value: float, grain: float, shown: str) -> None:
    """A bound on a step prints as the decimal a plan's value prints as (not 646.8000000000001)."""
    assert repr(safe_bound(value, grain=grain)) == shown
