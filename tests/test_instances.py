"""The shipped instances: ecom74 carries every published figure, toy6 solves by hand, small_* bind."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bruteforce import brute_force

from milp_milkrun.checker import check_plan
from milp_milkrun.instance import Instance
from milp_milkrun.io import instance_from_dict, instance_to_dict, load_instance, load_plan

INSTANCES = Path(__file__).resolve().parents[1] / "instances"


@pytest.fixture(scope="module")
def ecom74() -> Instance:
    return load_instance(INSTANCES / "ecom74.json")


def test_ecom74_has_the_published_figures(ecom74: Instance) -> None:
    assert [dc.id for dc in ecom74.dcs] == [f"DC{k}" for k in range(1, 75)] and not ecom74.splits
    assert ecom74.total_demand == 17_424
    large, small = ecom74.vehicle_types
    assert (large.count, large.capacity, large.max_stops, large.max_distance) == (3, 2600, 10, 750)
    assert (small.count, small.capacity, small.max_stops, small.max_distance) == (12, 1100, 7, 500)
    assert ecom74.forbidden == {(dc, f"large-{k}") for dc in ("DC5", "DC11") for k in (1, 2, 3)}
    assert ecom74.consecutive == (("DC55", "DC24"),) and ecom74.damaged_roads == ()
    assert ecom74.distance_spec.metric == "haversine" and ecom74.distance_spec.road_factor == 1.3
    assert np.allclose(ecom74.distance, ecom74.distance.T) and ecom74.warnings == ()
    assert (
        "synthetic" in ecom74.description.lower()
        and "4,823" in ecom74.description
        and "NOT comparable" in ecom74.description
    )


def test_ecom74_needs_at_least_13_vehicles(ecom74: Instance) -> None:
    # demands are whole cages of 48 bags, so a vehicle carries at most floor(capacity / 48) cages
    assert all(dc.demand % 48 == 0 for dc in ecom74.dcs)
    best_load = {vt.name: 48 * math.floor(vt.capacity / 48) for vt in ecom74.vehicle_types}
    assert 3 * best_load["large"] + 9 * best_load["small"] < ecom74.total_demand  # no plan with 12 vehicles
    assert 3 * best_load["large"] + 10 * best_load["small"] >= ecom74.total_demand


def test_ecom74_reference_plan_is_feasible_with_13_vehicles(ecom74: Instance) -> None:
    report = check_plan(ecom74, load_plan(INSTANCES / "ecom74_plan13.json", ecom74))
    assert report.feasible and len(report.routes) == 13
    assert 2_000 < report.objective < 6_000  # "a few thousand km", like the published 4,823 km


def test_every_ecom74_dc_is_reachable_by_either_vehicle_type(ecom74: Instance) -> None:
    round_trips = 2 * ecom74.distance[0, 1:]
    assert round_trips.max() < 0.8 * 500
    assert round_trips.max() > 0.5 * 500  # far DCs exist, so the 500 km limit shapes the routes


def test_generator_reproduces_the_files() -> None:
    result = subprocess.run(
        [sys.executable, str(INSTANCES / "generate.py"), "--check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "seed 20240521" in result.stdout


def test_toy6_optimum_worked_out_by_hand() -> None:
    toy6 = load_instance(INSTANCES / "toy6.json")
    assert len(toy6.dcs) == 6 and len(toy6.vehicle_types) == 2
    assert toy6.forbidden and toy6.consecutive and toy6.damaged_roads
    best = brute_force(toy6)
    assert best is not None and best[0] == 94  # large DC1-DC2-DC3 40 km, small DC4-DC5 34 km, small DC6 20 km


def _relax(data: dict[str, Any], name: str) -> None:
    """Remove the one side constraint that gives the small instance its name."""
    if name == "small_forbidden":
        data["forbidden"] = []
    elif name == "small_consecutive":
        data["consecutive"] = []
    elif name == "small_damaged":
        data["damaged_roads"] = []
    else:
        key = "max_distance" if name == "small_distance" else "max_stops"
        for vt in data["vehicle_types"]:
            vt.pop(key, None)


BINDING = {
    "small_forbidden": "8,9",
    "small_consecutive": "10",
    "small_damaged": "11",
    "small_distance": "6",
    "small_stops": "7",
}


@pytest.mark.parametrize(("name", "equation"), sorted(BINDING.items()))
def test_small_instance_constraint_binds(name: str, equation: str) -> None:
    instance = load_instance(INSTANCES / f"{name}.json")
    assert instance.n_dcs <= 12
    data = instance_to_dict(instance)
    _relax(data, name)
    relaxed = instance_from_dict(data)
    constrained_best, relaxed_best = brute_force(instance), brute_force(relaxed)
    assert constrained_best is not None and relaxed_best is not None
    assert constrained_best[0] > relaxed_best[0] + 1e-9, "the constraint does not change the optimum"
    assert equation in {v.equation for v in check_plan(instance, relaxed_best[1]).violations}


def test_ecom74_tw_keeps_the_planted_plan_and_breaks_the_optimum_without_time(ecom74: Instance) -> None:
    timed = load_instance(INSTANCES / "ecom74_tw.json")
    assert timed.has_time and timed.hub_hours == (240.0, 1320.0)
    assert [(vt.name, vt.shift, timed.speed(vt)) for vt in timed.vehicle_types] == [
        ("large", 900.0, 45.0),
        ("small", 600.0, 50.0),
    ]
    assert all(len(dc.windows) == 1 for dc in timed.dcs)  # one window a DC: every engine states the case
    assert np.array_equal(timed.distance, ecom74.distance) and timed.total_demand == ecom74.total_demand
    assert check_plan(timed, load_plan(INSTANCES / "ecom74_plan13.json", ecom74)).feasible
    optimum = load_plan(INSTANCES / "ecom74_optimum_plan.json", ecom74)
    assert check_plan(ecom74, optimum).objective == pytest.approx(3542.6165, abs=1e-3)
    broken = check_plan(timed, optimum).violations
    assert broken and {v.equation for v in broken} <= {"16", "17", "18"}
