"""`crosscheck`: Pyomo + HiGHS against PuLP + CBC, and both against the brute-force oracle."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from bruteforce import brute_force, random_tiny_instance
from hypothesis import given, settings
from hypothesis import strategies as st
from model_instances import plane_instance, side_constrained_instance

from milp_milkrun.crosscheck import SIDES, CrosscheckReport, RunSummary, _compare_runs, crosscheck
from milp_milkrun.models.families import EXACT_FAMILIES


@settings(max_examples=20, deadline=None, derandomize=True)
@given(seed=st.integers(min_value=0, max_value=1_000_000))
def test_both_builds_and_brute_force_agree_on_random_tiny_instances(seed: int) -> None:
    instance = random_tiny_instance(seed)
    report = crosscheck(instance, time_limit=60)
    assert report.agree, report.table()
    assert all(pyomo == pulp for pyomo, pulp in report.rows.values())
    expected = brute_force(instance)
    for side in SIDES:
        run = report.runs[side]
        if expected is None:
            assert run.status == "infeasible", f"seed {seed}: {side} says {run.status}"
        else:
            assert run.status == "optimal", f"seed {seed}: {side} says {run.status}"
            assert run.objective == pytest.approx(expected[0], rel=1e-9)


@pytest.mark.parametrize("family", [f.name for f in EXACT_FAMILIES])
def test_a_model_missing_any_family_is_caught(family: str) -> None:
    report = crosscheck(side_constrained_instance(), time_limit=30, drop_family=family)
    assert not report.agree
    assert any(family in d for d in report.differences)
    assert "verdict: " in report.table() and "<- differs" in report.table()


# (3) is not among them: flow balance (2) and (4) imply it, so only the row counts reveal its loss,
# which is why crosscheck compares counts family by family as well as optima.
@pytest.mark.parametrize("family", ["eq05_capacity", "eq14_mtz", "eq11_damaged", "eq10_consecutive"])
def test_a_missing_family_changes_what_the_solvers_find_not_only_the_counts(family: str) -> None:
    report = crosscheck(side_constrained_instance(), time_limit=30, drop_family=family)
    beyond_counts = [d for d in report.differences if not d.startswith("family ")]
    assert beyond_counts, report.table()


def test_runs_stopped_by_the_time_limit_are_compared_by_bounds_only() -> None:
    report = crosscheck(plane_instance(seed=1, n_dcs=15), time_limit=2)
    assert report.agree, report.table()
    assert any("stopped at the time limit" in note for note in report.notes)
    assert report.to_dict()["agree"] is True


def _report_with(pyomo: RunSummary, pulp: RunSummary) -> CrosscheckReport:
    return CrosscheckReport("fake", {}, {}, {}, {SIDES[0]: pyomo, SIDES[1]: pulp}, 1e-6, seed=1)


def test_a_bound_above_the_other_runs_plan_is_a_difference() -> None:
    report = _report_with(RunSummary("feasible", 110.0, 105.0, 1.0), RunSummary("feasible", 104.0, 90.0, 1.0))
    _compare_runs(report)
    assert report.differences == ["the bound 105 of pyomo/highs exceeds the checked plan 104 of pulp/cbc"]


def test_infeasible_against_a_checked_plan_is_a_difference() -> None:
    report = _report_with(RunSummary("infeasible", None, None, 1.0), RunSummary("optimal", 88.0, 88.0, 1.0))
    _compare_runs(report)
    assert report.differences == ["pyomo/highs proved the model infeasible but pulp/cbc found a checked plan of 88"]


def test_different_optima_are_a_difference() -> None:
    report = _report_with(RunSummary("optimal", 88.0, 88.0, 1.0), RunSummary("optimal", 88.01, 88.01, 1.0))
    _compare_runs(report)
    assert report.differences == ["optimum: 88 in Pyomo/HiGHS but 88.01 in PuLP/CBC"]


# ----- the command line ---------------------------------------------------------------------------
REPO = Path(__file__).resolve().parents[1]


def _milkrun(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "milp_milkrun.cli", *args], capture_output=True, text=True, cwd=REPO, timeout=120
    )


def test_crosscheck_command_agrees_on_toy6_and_prints_json() -> None:
    done = _milkrun("crosscheck", "instances/toy6.json", "--time-limit", "30", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["agree"] is True and report["differences"] == []
    assert report["runs"]["pyomo/highs"]["objective"] == pytest.approx(report["runs"]["pulp/cbc"]["objective"])


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_solve_command_with_the_pulp_backend(solver: str) -> None:
    done = _milkrun(
        "solve", "instances/toy6.json", "--backend", "pulp", "--solver", solver, "--json", "--time-limit", "30"
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)  # the solver log went to stderr, so stdout is pure JSON
    assert (result["status"], result["backend"]) == ("optimal", f"pulp-{solver}")
    assert result["bound"] <= result["objective"] and result["gap"] <= 1e-4


def test_a_solver_without_the_pulp_backend_is_bad_input() -> None:
    done = _milkrun("solve", "instances/toy6.json", "--solver", "cbc")
    assert done.returncode == 2 and "--solver" in done.stderr and "Traceback" not in done.stderr
