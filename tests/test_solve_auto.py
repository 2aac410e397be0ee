"""`--model auto`: the seed's model on tiny instances, the route-based then the strong model above."""

from __future__ import annotations

import pytest
from bruteforce import brute_force, random_tiny_instance
from shared_data import CVRPLIB, cvrplib_optimum, needs_cvrplib

from milp_milkrun.io import load_instance
from milp_milkrun.solve import SolveOptions, solve
from milp_milkrun.solve.auto import EXACT_UP_TO_DCS


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
