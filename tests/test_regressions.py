"""The cases in ../shared/regressions where a result was once wrong, and the rules that fixed them:
a status is derived from the checked plan and a certified bound, never copied from a solver; no route
that breaks a rule reaches a plan; one definition of "within a limit" for the checker and the models."""

from __future__ import annotations

import random

import pytest
from bruteforce import brute_force, random_tiny_instance
from shared_data import REGRESSIONS, needs_regressions

from milp_milkrun.checker import check_plan
from milp_milkrun.instance import Instance
from milp_milkrun.io import load_instance, load_plan
from milp_milkrun.plan import Plan
from milp_milkrun.result import derive_status
from milp_milkrun.solve import SolveOptions, solve

WARM_START_OPTIMUM = 242.3527


def _options(**changes: object) -> SolveOptions:
    return SolveOptions(**{"time_limit": 20, "gap": 0.0, "log": False, **changes})


# ----- a solver's "optimal" is not taken on trust -----------------------------------------------
@needs_regressions
@pytest.mark.parametrize(
    ("model", "backend", "solver"),
    [
        ("exact", "highs", None),
        ("strong", "highs", None),
        ("routes", "highs", None),
        ("exact", "pulp", "cbc"),
        ("exact", "pulp", "highs"),
    ],
)
def test_a_mip_start_never_turns_into_a_false_optimum(model: str, backend: str, solver: str | None) -> None:
    instance = load_instance(REGRESSIONS / "exact_warmstart_s197.json")
    start = load_plan(REGRESSIONS / "exact_warmstart_s197_start.plan.json", instance)
    result = solve(instance, model=model, backend=backend, solver=solver, options=_options(warm_start=start))
    assert result.objective is not None and result.objective <= check_plan(instance, start).objective + 1e-6
    assert result.bound is not None and result.bound <= WARM_START_OPTIMUM + 1e-3
    if result.status == "optimal":
        assert result.objective == pytest.approx(WARM_START_OPTIMUM, abs=1e-3)
    if model in ("exact", "strong"):  # HiGHS is asked again without the start when it claims less than it returns
        assert (result.status, round(result.objective, 3)) == ("optimal", round(WARM_START_OPTIMUM, 3))


def test_a_claimed_optimum_with_an_open_gap_is_reported_as_feasible_with_a_note() -> None:
    status, note = derive_status("optimal", 306.4, 238.49, 0.0)
    assert status == "feasible"
    assert "claimed optimality" in note and "22.16%" in note


@pytest.mark.parametrize(
    ("claimed", "objective", "bound", "gap", "expected"),
    [
        ("optimal", 100.0, 100.0, 0.0, "optimal"),
        ("optimal", 100.0, 99.995, 1e-4, "optimal"),  # within the requested gap
        ("optimal", 100.0, 99.9, 1e-4, "feasible"),
        ("optimal", 100.0, None, 1e-4, "feasible"),  # no bound: nothing proven
        ("feasible", 100.0, 100.0, 0.0, "optimal"),  # the bound proves it even if the solver stopped early
        ("feasible", 100.0, 100.0 - 5e-7, 0.0, "optimal"),  # within the absolute gap of HiGHS
        ("optimal", None, None, 0.0, "no_solution"),
        ("infeasible", None, None, 0.0, "infeasible"),
    ],
)
def test_derived_status(claimed: str, objective: float | None, bound: float | None, gap: float, expected: str) -> None:
    assert derive_status(claimed, objective, bound, gap)[0] == expected  # type: ignore[arg-type]


def _random_feasible_plan(instance: Instance, rng: random.Random, attempts: int = 400) -> Plan | None:
    """A random plan that passes the checker (DCs dealt to random vehicles in random order), or None."""
    dcs = [dc.id for dc in instance.dcs]
    vehicles = [v.name for v in instance.vehicles]
    for _ in range(attempts):
        rng.shuffle(dcs)
        routes: dict[str, list[str]] = {}
        for dc in dcs:
            routes.setdefault(rng.choice(vehicles), []).append(dc)
        plan = Plan.from_routes(routes.items())
        if check_plan(instance, plan).feasible:
            return plan
    return None


@pytest.mark.parametrize("seed", range(16))
def test_random_feasible_mip_starts_lead_every_model_to_the_brute_force_optimum(seed: int) -> None:
    instance = random_tiny_instance(seed)
    expected = brute_force(instance)
    start = _random_feasible_plan(instance, random.Random(seed))
    if expected is None or start is None:
        pytest.skip("no feasible plan to start from")
    for model in ("exact", "strong", "routes"):
        for highs_seed in (2, 3):  # seeds at which HiGHS 1.16.0 mishandled the start of the case above
            options = _options(warm_start=start, seed=highs_seed)
            result = solve(instance, model=model, options=options)
            assert result.objective is not None and result.objective <= check_plan(instance, start).objective + 1e-6
            assert result.bound is not None and result.bound <= expected[0] + 1e-6
            if result.status == "optimal":
                assert result.objective == pytest.approx(expected[0], abs=1e-6), (model, highs_seed)
            if model != "routes":
                assert result.status == "optimal", (model, highs_seed, result.message)


# ----- no route that breaks a rule reaches a plan -----------------------------------------------
@needs_regressions
@pytest.mark.parametrize(
    ("name", "optimum"),
    [
        ("routes_unit_overload", 202.0),
        ("routes_overload_s51", 150.45),
        ("routes_overload_s134", 84.0),
    ],
)
@pytest.mark.parametrize("heuristic_start", [False, True])
def test_route_model_plans_respect_capacity_when_loads_are_rounded(
    name: str, optimum: float, heuristic_start: bool
) -> None:
    instance = load_instance(REGRESSIONS / f"{name}.json")
    result = solve(instance, model="routes", options=_options(), heuristic_start=heuristic_start)
    assert result.check is not None and result.check.feasible  # the plan went through the checker
    assert result.objective is not None and result.objective >= optimum - 1e-6
    assert result.bound is not None and result.bound <= optimum + 1e-6


# ----- one definition of feasible ---------------------------------------------------------------
@needs_regressions
@pytest.mark.parametrize(("name", "equation", "optimum"), [("tol_cap", "5", 200.0), ("tol_dist", "6", 180.0)])
def test_the_checker_and_every_model_agree_on_a_limit_exceeded_by_a_hair(
    name: str, equation: str, optimum: float
) -> None:
    instance = load_instance(REGRESSIONS / f"{name}.json")
    report = check_plan(instance, load_plan(REGRESSIONS / f"{name}_plan.json", instance))
    assert not report.feasible and [v.equation for v in report.violations] == [equation]
    for model in ("exact", "strong", "routes"):
        result = solve(instance, model=model, options=_options())
        assert (result.status, result.objective) == ("optimal", pytest.approx(optimum)), model
