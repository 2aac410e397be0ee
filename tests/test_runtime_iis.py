"""The irreducible infeasible subset of an exact model's LP relaxation, searched in a child process that
stops when the run's time is up (HiGHS's own search checks no time limit)."""

from __future__ import annotations

import time

from bruteforce import random_tiny_instance

from milp_milkrun.models.exact import build_exact_model
from milp_milkrun.models.highs_handoff import hand_off
from milp_milkrun.options import SolveOptions
from milp_milkrun.runtime.iis import MIN_CHILD_SECONDS, irreducible_rows
from milp_milkrun.solve import solve


def test_an_infeasible_lp_relaxation_is_explained_by_its_equation_families() -> None:
    """tiny-67 (cost): more demand than capacity already in the LP relaxation."""
    result = solve(random_tiny_instance(67, costs=True), model="exact", options=SolveOptions(time_limit=20))
    assert result.status == "infeasible"
    assert "irreducible infeasible subset of" in result.message and "eq05_capacity" in result.message


def test_a_feasible_lp_relaxation_isolates_no_rows() -> None:
    instance = random_tiny_instance(0)
    run = hand_off(build_exact_model(instance, SolveOptions().costs(instance)))
    assert irreducible_rows(run.highs, 20.0) == []


def test_the_search_stops_when_its_time_is_up() -> None:
    """tiny-3 of 25 DCs with time: HiGHS proves its MIP infeasible in under a second and then searched an
    irreducible subset for 22-25 s, past the run's time limit; given 1.5 s the search gives up in time."""
    instance = random_tiny_instance(3, 25, costs=True, time=True)
    run = hand_off(build_exact_model(instance, SolveOptions().costs(instance)))
    started = time.perf_counter()
    assert irreducible_rows(run.highs, 1.5) is None
    assert 1.5 <= time.perf_counter() - started < 1.5 + 1.0  # stopped at its time, not failed at once
    assert irreducible_rows(run.highs, MIN_CHILD_SECONDS / 2) is None
