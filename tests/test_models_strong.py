"""The strong formulation describes exactly the plans of the exact model: same status, same optimum.

Each random instance is solved three ways -- strong model, exact model (Pyomo + HiGHS) and the
independent brute-force enumeration -- and all three must agree.  The instances carry every side
constraint: type- and vehicle-level forbidden pairs, consecutive pairs, damaged roads (hub roads
too), asymmetric matrices, split DCs, zero demands, distance and stop limits drawn to bind.
"""

from __future__ import annotations

import numpy as np
import pytest
from bruteforce import brute_force, random_tiny_instance
from random_instances import random_cvrp_instance, random_side_instance

from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.models.strong import build_strong_model, can_be_undirected, vehicle_classes
from milp_milkrun.models.strong_cuts import separate_capacity_cuts
from milp_milkrun.models.strong_routes import solution_from_plan
from milp_milkrun.solve import SolveOptions, solve
from milp_milkrun.solve.highs import solve_exact_highs
from milp_milkrun.solve.strong import solve_strong

QUIET = SolveOptions(log=False, time_limit=30)


def assert_same_answer(instance: Instance, kind: str = "directed") -> None:
    expected = brute_force(instance)
    strong = solve_strong(instance, QUIET, kind=kind)
    exact = solve_exact_highs(instance, QUIET)
    if expected is None:
        assert strong.status == exact.status == "infeasible"
        assert strong.plan is None
        return
    assert strong.status == exact.status == "optimal"
    assert (
        solution_from_plan(build_strong_model(instance, kind=kind), expected[1]) is not None
    )  # no reduction cut it off
    assert strong.objective == pytest.approx(expected[0], abs=1e-6)
    assert exact.objective == pytest.approx(expected[0], abs=1e-6)
    assert strong.bound == pytest.approx(expected[0], abs=1e-4 * max(1.0, expected[0]))
    assert strong.check is not None and strong.check.feasible


@pytest.mark.parametrize("seed", range(10))
def test_tiny_instances_agree_with_exact_and_brute_force(seed: int) -> None:
    assert_same_answer(random_tiny_instance(seed))


@pytest.mark.parametrize("seed", range(12))
def test_side_constrained_instances_agree(seed: int) -> None:
    assert_same_answer(random_side_instance(seed))


@pytest.mark.parametrize("seed", range(6))
def test_undirected_cvrp_instances_agree(seed: int) -> None:
    instance = random_cvrp_instance(seed)
    assert can_be_undirected(instance, vehicle_classes(instance))
    assert_same_answer(instance, kind="undirected")
    assert_same_answer(instance, kind="directed")


def test_the_generators_cover_every_feature() -> None:
    """Guard the equivalence tests: the seeds above really exercise each side constraint and model kind."""
    side = [random_side_instance(s) for s in range(12)]
    assert any(inst.warnings for inst in side)  # an asymmetric matrix
    assert any(inst.splits for inst in side)
    assert any(inst.consecutive for inst in side)
    assert any(
        any(instance_hub in road for road in inst.damaged_roads) for inst in side for instance_hub in [inst.hub.id]
    )
    assert any(len(vehicle_classes(inst)) > len(inst.vehicle_types) for inst in side)  # per-vehicle B entry
    assert any((inst.demand[1:] == 0).any() for inst in side)
    assert any(brute_force(inst) is None for inst in side)
    assert not any(can_be_undirected(inst, vehicle_classes(inst)) for inst in side)


# ----- binding limits: the strong model must not relax (5), (6), (7) per route ---------------------------
def _line(**type_changes: object) -> Instance:
    """Four DCs on a line right of the hub at 10, 20, 30, 40 with demand 5 each, one type of 2 trucks."""
    truck = dict(name="truck", count=2, capacity=20.0, max_distance=None, max_stops=None)
    truck.update(type_changes)
    return build_instance(
        name="line",
        hub=Site("H", 0, 0),
        dcs=[DC(f"D{k}", 5, 10 * k, 0) for k in range(1, 5)],
        vehicle_types=[VehicleType(**truck)],  # type: ignore[arg-type]
        distance_spec=DistanceSpec("euclidean"),
        coordinates="xy",
    )


@pytest.mark.parametrize(
    ("changes", "optimum"),
    [
        ({}, 80.0),  # one truck drives out to 40 and back
        ({"capacity": 10.0}, 120.0),  # two per truck: 0-20-0 (40) and 0-40-0 (80)
        ({"max_stops": 3}, 100.0),  # one truck takes D1 alone (20), the other D2..D4 (80)
        ({"max_distance": 70.0}, None),  # D4 alone needs 80 > 70: infeasible
        ({"max_distance": 80.0, "count": 1}, 80.0),
    ],
)
def test_route_limits_bind_in_the_strong_model(changes: dict[str, object], optimum: float | None) -> None:
    instance = _line(**changes)
    result = solve_strong(instance, QUIET)
    if optimum is None:
        assert result.status == "infeasible"
    else:
        assert result.status == "optimal" and result.objective == pytest.approx(optimum)


# ----- model structure ------------------------------------------------------------------------------------
def test_vehicle_level_forbidden_entry_splits_the_type_into_classes() -> None:
    instance = _line()
    instance = build_instance(
        name="split-class",
        hub=instance.hub,
        dcs=instance.dcs,
        vehicle_types=[VehicleType("truck", 3, 20.0)],
        distance_spec=DistanceSpec("euclidean"),
        coordinates="xy",
        forbidden=[{"dc": "D2", "vehicle": "truck-2"}],
    )
    classes = vehicle_classes(instance)
    assert sorted(c.vehicles for c in classes) == [("truck-1", "truck-3"), ("truck-2",)]
    assert [2 in c.nodes for c in classes] == [c.vehicles != ("truck-2",) for c in classes]
    assert not can_be_undirected(instance, classes)
    model = build_strong_model(instance)
    assert model.kind == "directed"
    assert model.block("eq02b_fleet").rows[0][3] in (1.0, 2.0)


def test_named_blocks_of_the_directed_model() -> None:
    model = build_strong_model(random_side_instance(3))
    names = set(model.row_counts())
    assert {
        "eq03_one_in",
        "eq02_flow_balance",
        "eq02b_fleet",
        "eq10_consecutive",
        "eq05_load_order",
        "eq05_capacity",
        "rci_capacity_cuts",
    } <= names


def test_separation_finds_the_subtours_of_an_integer_point() -> None:
    """Two DC pairs joined by a doubled edge and no hub edge: both violate x(delta(S)) >= 2."""
    model = build_strong_model(random_cvrp_instance(1), kind="undirected")
    edges = [(c, i, j) for c, (i, j, _) in enumerate(model.arcs) if i > 0]
    first, a, b = edges[0]
    second, p, q = next(e for e in edges if not {e[1], e[2]} & {a, b})
    x = np.zeros(model.n_arcs)
    x[[first, second]] = 2.0
    found = [set(s) for s in separate_capacity_cuts(model, x)]
    assert {a, b} in found and {p, q} in found


def test_solve_dispatches_the_strong_model() -> None:
    instance = random_tiny_instance(4)
    result = solve(instance, model="strong", options=QUIET)
    assert result.model == "strong" and result.backend == "highs"
    expected = brute_force(instance)
    assert (result.objective if result.plan else None) == (expected[0] if expected else None)


def test_a_model_point_that_fails_the_checker_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never a silently wrong answer: an integer point the checker rejects is a bug and surfaces."""
    import milp_milkrun.solve.strong as strong_module
    from milp_milkrun.checker import CheckReport, Violation
    from milp_milkrun.errors import CheckFailedError

    instance = _line()
    monkeypatch.setattr(
        strong_module, "check_plan", lambda inst, plan: CheckReport(False, 0.0, (Violation("5", "planted"),))
    )
    with pytest.raises(CheckFailedError, match="planted"):
        solve_strong(instance, QUIET)


def test_cli_solve_model_strong_json_keeps_stdout_valid_json_with_the_log_on() -> None:
    """With `--json --log` HiGHS's log and the cut loop's progress go to stderr: stdout stays JSON."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    toy = Path(__file__).resolve().parents[1] / "instances" / "toy6.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "milp_milkrun.cli",
            "solve",
            str(toy),
            "--model",
            "strong",
            "--json",
            "--log",
            "--time-limit",
            "30",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["status"] == "optimal" and result["model"] == "strong"
    assert "Solving report" in run.stderr and "[strong]" in run.stderr
