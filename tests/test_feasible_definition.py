"""One definition of feasible, used by the checker and every model (docs/formulation.md, "What feasible
means"): whole-number loads, distances and stop counts are compared with their limits exactly; only a sum
of non-whole terms gets a float-noise slack of FLOAT_NOISE times the sum, never one that scales with the
limit."""

from __future__ import annotations

import pytest
from cli_helpers import run_cli
from shared_data import REGRESSIONS, needs_regressions

from milp_milkrun.checker import FLOAT_NOISE, check_plan
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.io import load_instance, load_plan
from milp_milkrun.plan import Plan
from milp_milkrun.solve import SolveOptions, solve

CASES = [("tol_cap", 200.0, "5"), ("tol_dist", 180.0, "6")]


@needs_regressions
@pytest.mark.parametrize(("name", "optimum", "equation"), CASES)
def test_the_checker_rejects_a_limit_exceeded_by_a_hair(name: str, optimum: float, equation: str) -> None:
    instance = load_instance(REGRESSIONS / f"{name}.json")
    report = check_plan(instance, load_plan(REGRESSIONS / f"{name}_plan.json", instance))
    assert not report.feasible
    assert [v.equation for v in report.violations] == [equation]
    assert report.objective < optimum  # the plan is cheaper than the optimum: accepting it would contradict the models


@needs_regressions
@pytest.mark.parametrize(("name", "optimum", "equation"), CASES)
def test_milkrun_check_says_infeasible(name: str, optimum: float, equation: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, "check", str(REGRESSIONS / f"{name}.json"), str(REGRESSIONS / f"{name}_plan.json"))
    assert code == 1 and "INFEASIBLE" in out and f"({equation})" in out


@needs_regressions
@pytest.mark.parametrize(("name", "optimum", "equation"), CASES)
@pytest.mark.parametrize(("model", "backend", "solver"), [("exact", "highs", None), ("strong", "highs", None),
                                                         ("routes", "highs", None), ("exact", "pulp", "cbc")])
def test_every_model_agrees_with_the_checker(name: str, optimum: float, equation: str, model: str, backend: str, solver: str | None) -> None:
    instance = load_instance(REGRESSIONS / f"{name}.json")
    r = solve(instance, model=model, backend=backend, solver=solver, options=SolveOptions(time_limit=20, gap=0.0))
    assert r.status == "optimal" and r.objective == pytest.approx(optimum, abs=1e-6), r.message
    # and the over-the-limit plan, given as a MIP start, is ignored rather than kept
    plan = load_plan(REGRESSIONS / f"{name}_plan.json", instance)
    r = solve(instance, model=model, backend=backend, solver=solver, options=SolveOptions(time_limit=20, gap=0.0, warm_start=plan))
    assert r.objective == pytest.approx(optimum, abs=1e-6), r.message


def _line(demands: list[float], capacity: float, max_distance: float | None = None) -> Instance:
    dcs = [DC(f"D{k}", q, 10 * k, 0) for k, q in enumerate(demands, start=1)]
    return build_instance(name="line", hub=Site("H", 0, 0), dcs=dcs, coordinates="xy",
                          vehicle_types=[VehicleType("van", 1, capacity, max_distance)], distance_spec=DistanceSpec("euclidean"))


def test_whole_numbers_are_compared_exactly_at_any_scale() -> None:
    assert check_plan(_line([5e8, 5e8], 1e9), Plan.from_routes([("van-1", ["D1", "D2"])])).feasible
    report = check_plan(_line([5e8, 5e8 + 1], 1e9), Plan.from_routes([("van-1", ["D1", "D2"])]))
    assert [v.equation for v in report.violations] == ["5"]


def test_a_float_sum_a_few_ulps_over_its_limit_is_within_it() -> None:
    assert 0.1 + 0.2 > 0.3  # the float noise the slack is for
    assert check_plan(_line([0.1, 0.2], 0.3), Plan.from_routes([("van-1", ["D1", "D2"])])).feasible
    over = 0.3 * (1 + 100 * FLOAT_NOISE)
    report = check_plan(_line([0.1, 0.2 + 100 * FLOAT_NOISE * 0.3 + 1e-12], 0.3), Plan.from_routes([("van-1", ["D1", "D2"])]))
    assert 0.1 + 0.2 + 100 * FLOAT_NOISE * 0.3 > over - 1e-15
    assert [v.equation for v in report.violations] == ["5"]


def test_a_distance_over_its_limit_by_more_than_float_noise_is_infeasible() -> None:
    instance = _line([1, 1], 10, max_distance=40.0)  # H-D1-D2-H = 10 + 10 + 20 = 40, whole legs
    assert check_plan(instance, Plan.from_routes([("van-1", ["D1", "D2"])])).feasible
    tight = _line([1, 1], 10, max_distance=40.0 - 1e-7)
    assert not check_plan(tight, Plan.from_routes([("van-1", ["D1", "D2"])])).feasible
