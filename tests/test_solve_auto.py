"""`--model auto`: the seed's model on tiny instances, the route-based then the strong model above."""

from __future__ import annotations

import pytest
from bruteforce import brute_force, random_tiny_instance
from shared_data import CVRPLIB, cvrplib_optimum, needs_cvrplib
from time_oracle import brute_force_time, random_timed_instance

from milp_milkrun.io import load_instance
from milp_milkrun.solve import SolveOptions, solve
from milp_milkrun.solve.auto import EXACT_UP_TO_DCS
from milp_milkrun.timing import ENGINES_STATING_TIME


@pytest.mark.parametrize("seed", range(4))
def test_tiny_instances_go_to_the_exact_model(seed: int) -> None:
    instance = random_tiny_instance(seed)
    assert instance.n_dcs <= EXACT_UP_TO_DCS
    result = solve(instance, options=SolveOptions(time_limit=20))
    expected = brute_force(instance)
    assert result.model == "exact" and "auto: the exact model" in result.message
    if expected is not None:
        assert result.status == "optimal" and result.objective == pytest.approx(expected[0])


@needs_cvrplib
def test_a_larger_instance_is_proven_by_the_route_and_strong_models() -> None:
    instance = load_instance(CVRPLIB / "P-n16-k8.vrp")
    result = solve(instance, options=SolveOptions(time_limit=60))
    assert result.model in ("routes", "routes+strong")
    assert result.status == "optimal" and result.objective == pytest.approx(cvrplib_optimum("P-n16-k8"))
    assert result.check is not None and result.check.feasible


def test_the_pulp_backend_takes_auto_as_the_exact_model() -> None:
    result = solve(random_tiny_instance(2), backend="pulp", options=SolveOptions(time_limit=20))
    assert result.model == "exact" and result.backend == "pulp-cbc"


@pytest.mark.parametrize("seed", [0, 4, 6])  # 6 has no plan
def test_auto_solves_tiny_instances_with_time_exactly(seed: int) -> None:
    instance = random_timed_instance(seed)
    result = solve(instance, options=SolveOptions(time_limit=20))
    expected = brute_force_time(instance)
    assert result.model in ENGINES_STATING_TIME
    if expected is None:
        assert result.status == "infeasible"
    else:
        assert result.status == "optimal" and result.objective == pytest.approx(expected[0])


def test_auto_never_picks_an_engine_that_ignores_time() -> None:
    instance = random_timed_instance(1, n_dcs=EXACT_UP_TO_DCS + 2)
    result = solve(instance, options=SolveOptions(time_limit=4), heuristic_start=False)
    assert all(engine in ENGINES_STATING_TIME for engine in result.model.split("+")), result.model
    assert result.plan is None or result.check is not None and result.check.feasible
