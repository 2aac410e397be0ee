"""A model whose build would outlast the time limit is not started (milp_milkrun/solve/build_time.py)."""

from __future__ import annotations

import random

import pytest

from milp_milkrun.checker import check_plan
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.solve import SolveOptions, solve
from milp_milkrun.solve.build_time import build_seconds, too_slow_to_build


def hub(n_dcs: int) -> Instance:
    """DCs uniform on a 100 x 100 plane around a central hub, one vehicle type of spare count."""
    rng = random.Random(n_dcs)
    dcs = [DC(f"D{k}", rng.randint(1, 9), rng.uniform(0, 100), rng.uniform(0, 100)) for k in range(1, n_dcs + 1)]
    return build_instance(
        name=f"hub-{n_dcs}",
        hub=Site("H", 50, 50),
        dcs=dcs,
        vehicle_types=[VehicleType("truck", n_dcs // 4, 50, None, None)],
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        coordinates="xy",
    )


def test_the_estimates_grow_with_the_instance_and_spare_the_route_engine() -> None:
    small, large = hub(20), hub(200)
    for model in ("exact", "strong"):
        assert 0 < build_seconds(small, model) < 0.1 < build_seconds(large, model)
        assert too_slow_to_build(small, model, 1.0) is None
    assert build_seconds(large, "routes") == 0.0 and too_slow_to_build(large, "routes", 0.01) is None
    why = too_slow_to_build(large, "exact", 1.0)
    assert why is not None and "exact model of 200 DCs was not built" in why and "the 1.0 s left" in why


@pytest.mark.parametrize("model", ["exact", "strong"])
def test_a_model_too_slow_to_build_keeps_the_start_plan_and_says_why(model: str) -> None:
    large = hub(200)  # the exact model estimated at about 55 s to build, the strong one at 5 s (under 1 s left here)
    result = solve(large, model=model, options=SolveOptions(time_limit=1.0))
    assert result.status == "feasible" and result.bound is None
    assert result.plan is not None and check_plan(large, result.plan).feasible  # the heuristic's, checked
    assert (
        f"the {model} model of 200 DCs was not built" in result.message and "the plan is the start's" in result.message
    )


def test_without_a_start_plan_there_is_no_solution_and_the_reason() -> None:
    result = solve(hub(200), model="exact", options=SolveOptions(time_limit=2.0), heuristic_start=False)
    assert result.status == "no_solution" and result.plan is None
    assert "was not built" in result.message and "the 2.0 s left" in result.message
