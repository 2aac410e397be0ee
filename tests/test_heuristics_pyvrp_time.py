"""PyVRP with time (milp_milkrun/heuristics/pyvrp_time.py): what it states, in which integers, and what it refuses."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from time_oracle import assert_heuristic_matches, brute_force_time, random_timed_instance
from timed_instances import rebuilt

from milp_milkrun.checker import check_plan
from milp_milkrun.heuristics import solve_heuristic
from milp_milkrun.heuristics.engine_settings import EngineSettings
from milp_milkrun.heuristics.metaheuristic import SearchParams
from milp_milkrun.heuristics.problem import compile_problem
from milp_milkrun.heuristics.pyvrp_engine import build_model, refusal
from milp_milkrun.heuristics.pyvrp_time import UNBOUNDED, pyvrp_time
from milp_milkrun.instance import Instance
from milp_milkrun.io import load_instance

SOLOMON = Path(__file__).resolve().parents[2] / "shared" / "solomon"
PYVRP = SearchParams(engine=EngineSettings("pyvrp"))


def one_window(instance: Instance) -> Instance:
    """The instance with each DC's first window only."""
    return rebuilt(instance, [replace(dc, windows=dc.windows[:1]) for dc in instance.dcs], instance.vehicle_types)


def with_speed(instance: Instance, speed: float) -> Instance:
    """The instance driven at ``speed`` distance units per hour."""
    assert instance.time is not None
    return rebuilt(instance, list(instance.dcs), list(instance.vehicle_types), time=replace(instance.time, speed=speed))


@pytest.mark.parametrize("seed", range(16))
def test_pyvrp_equals_the_time_oracle_with_windows_hub_hours_and_shifts(seed: int) -> None:
    """Whole minutes (scale 1): windows that bind or not, shifts, and instances without a plan."""
    instance = one_window(random_timed_instance(seed))
    assert refusal(compile_problem(instance)) is None
    result = solve_heuristic(instance, time_limit=20.0, max_iterations=300, seed=seed, params=PYVRP)
    assert_heuristic_matches(instance, result, brute_force_time(instance))


def test_times_that_are_not_whole_round_towards_infeasibility() -> None:
    """At 45 units an hour a unit takes 4/3 minutes: no scale makes that whole, so travel rounds up."""
    instance = with_speed(one_window(random_timed_instance(3)), 45.0)
    timed = pyvrp_time(instance)
    assert timed.scale == 1000
    travel = instance.travel_time(instance.vehicle_types[0]) * timed.scale
    stated = timed.travel[instance.vehicle_types[0].name]
    assert np.all(stated >= travel - 1e-6) and np.all(stated < travel + 1)
    assert np.any(stated > travel + 1e-6)  # some are rounded, up
    for (early, late), node in zip(timed.windows[1:], instance.windows[1:]):
        ((opens, closes),) = node
        assert opens * 1000 <= early < opens * 1000 + 1 and closes * 1000 - 1 < late <= closes * 1000
    result = solve_heuristic(instance, time_limit=20.0, max_iterations=200, seed=1, params=PYVRP)
    assert result.plan is None or check_plan(instance, result.plan).feasible


def test_the_model_holds_each_window_service_and_shift() -> None:
    instance = one_window(random_timed_instance(2))  # both types have a shift
    p = compile_problem(instance)
    model = build_model(p)
    assert pyvrp_time(instance).scale == 1
    for u in range(1, p.n_units + 1):
        (node,) = p.units[u]
        client = model.data.clients()[u - 1]
        ((opens, closes),) = instance.windows[node]
        assert (client.tw_early, client.tw_late) == (opens, closes)
        assert client.service_duration == instance.service_time[node]
    hub_open, hub_close = instance.hub_hours  # type: ignore[misc]
    for k, members in enumerate(model.members):
        vehicle_type = model.data.vehicle_type(k)
        shift = instance.vehicles[members[0]].type.shift or UNBOUNDED
        assert (vehicle_type.tw_early, vehicle_type.tw_late, vehicle_type.shift_duration) == (
            hub_open,
            hub_close,
            shift,
        )
        durations = model.data.duration_matrix(vehicle_type.profile)
        travel = instance.travel_time(instance.vehicles[members[0]].type)
        assert np.array_equal(np.asarray(durations), travel)


def test_what_pyvrp_does_not_state_is_named_in_one_line() -> None:
    several = random_timed_instance(0)
    reason = refusal(compile_problem(several))
    assert reason == "PyVRP states one time window per DC; DC D2 has 2"
    fallback = solve_heuristic(
        several, time_limit=5, seed=1, max_iterations=5, params=SearchParams(engine=EngineSettings("auto"))
    )
    assert "own search alone (PyVRP states one time window per DC" in fallback.message
    chains = load_instance(Path(__file__).resolve().parents[1] / "instances" / "ecom74_tw.json")
    reason = refusal(compile_problem(chains))
    assert reason is not None and reason.startswith("PyVRP does not state time windows on a chain of consecutive DCs (")
    hourly = one_window(random_timed_instance(3, priced=True))
    rates = [(0.0, 1.0, 0.0, 60.0)] * len(hourly.vehicles)
    assert refusal(compile_problem(hourly, rates)) == (
        "PyVRP does not state time windows beside a cost per hour of route duration"
    )


@pytest.mark.skipif(not SOLOMON.is_dir(), reason=f"Solomon's files not found at {SOLOMON}")
@pytest.mark.parametrize("name", ["R101", "RC204"])
def test_pyvrp_finds_the_published_value_of_solomon_files(name: str) -> None:
    """Solomon's convention (distances truncated to a tenth, travel time = distance) is whole at scale 10."""
    instance = load_instance(SOLOMON / f"{name}.txt", variant="25")
    assert pyvrp_time(instance).scale == 10
    result = solve_heuristic(instance, time_limit=30.0, max_iterations=2000, seed=1, params=PYVRP)
    published = json.loads((SOLOMON / "optima.json").read_text())["25"][name]["value"]
    assert result.plan is not None and check_plan(instance, result.plan).feasible
    assert math.isclose(result.objective, published, abs_tol=1e-6)
