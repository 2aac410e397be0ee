"""Pre-solve infeasibility diagnostics: each cause is named, and none is ever claimed for a feasible instance."""

from __future__ import annotations

import dataclasses

import pytest
from bruteforce import brute_force, random_tiny_instance

from milp_milkrun.implied import consecutive_chains
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.solve import SolveOptions, solve
from milp_milkrun.solve.feasibility import presolve_diagnostics


def _line(**changes: object) -> Instance:
    """Three DCs on a line east of the hub (at 10, 20, 30); a big and a small vehicle type."""
    spec: dict[str, object] = dict(
        name="line",
        hub=Site("H", 0, 0),
        dcs=[DC("A", 3, 10, 0), DC("B", 3, 20, 0), DC("C", 3, 30, 0)],
        vehicle_types=[VehicleType("big", 1, 10, 100, 3), VehicleType("small", 2, 5, 100, 2)],
        distance_spec=DistanceSpec("euclidean"),
    )
    spec.update(changes)
    return build_instance(**spec)  # type: ignore[arg-type]


def test_a_plain_instance_has_no_diagnostics() -> None:
    assert presolve_diagnostics(_line()) == []


def test_dc_no_vehicle_may_serve() -> None:
    # build_instance already refuses this; an Instance built another way is still diagnosed
    base = _line()
    instance = dataclasses.replace(base, forbidden=frozenset(("B", v.name) for v in base.vehicles))
    assert any("DC B: every vehicle is forbidden" in r for r in presolve_diagnostics(instance))


def test_dc_beyond_every_allowed_vehicles_reach() -> None:
    instance = _line(vehicle_types=[VehicleType("big", 1, 10, 55), VehicleType("small", 2, 5, 50)])
    reasons = presolve_diagnostics(instance)
    assert any(r.startswith("DC C is out of reach: the shortest round trip hub -> C -> hub is 60") for r in reasons)
    assert not any("DC B is out of reach" in r for r in reasons)  # 40 <= 50


def test_reach_uses_vehicles_allowed_for_the_dc_only() -> None:
    instance = _line(
        vehicle_types=[VehicleType("big", 1, 10, 100), VehicleType("small", 2, 5, 50)],
        forbidden=[{"dc": "C", "vehicle_type": "big"}],
    )
    assert any("DC C is out of reach" in r and "small: 50" in r for r in presolve_diagnostics(instance))


def test_reach_takes_detours_around_a_damaged_hub_road() -> None:
    """With the direct road H-A damaged the trip to A detours via B (no shorter than 2 x 20 + 2 x 10)."""
    ok = _line(
        damaged_roads=[["H", "A"]], vehicle_types=[VehicleType("big", 1, 10, 60), VehicleType("small", 2, 5, 60)]
    )
    assert not any("out of reach" in r for r in presolve_diagnostics(ok))
    short = _line(
        damaged_roads=[["H", "A"]], vehicle_types=[VehicleType("big", 1, 10, 59), VehicleType("small", 2, 5, 59)]
    )
    assert any("DC A is out of reach" in r for r in presolve_diagnostics(short))


def test_demand_above_every_allowed_capacity() -> None:
    base = _line()
    heavy = dataclasses.replace(base, dcs=(base.dcs[0], DC("B", 12, 20, 0), base.dcs[2]))  # bypasses splitting
    assert any("DC B needs 12" in r for r in presolve_diagnostics(heavy))


def test_total_demand_above_fleet_capacity() -> None:
    instance = _line(dcs=[DC("A", 7, 10, 0), DC("B", 7, 20, 0), DC("C", 7, 30, 0)])
    assert any(
        "total demand 21 exceeds the capacity of the whole fleet 20" in r for r in presolve_diagnostics(instance)
    )


def test_more_dcs_than_the_fleets_stop_limits_allow() -> None:
    instance = _line(vehicle_types=[VehicleType("big", 1, 10, None, 1), VehicleType("small", 1, 5, None, 1)])
    assert any("3 DCs but the fleet's stop limits allow only 2" in r for r in presolve_diagnostics(instance))


def test_consecutive_pair_sharing_no_allowed_vehicle() -> None:
    instance = _line(
        consecutive=[["A", "B"]],
        forbidden=[{"dc": "A", "vehicle_type": "big"}, {"dc": "B", "vehicle_type": "small"}],
    )
    assert any("consecutive pair A -> B: no vehicle is allowed" in r for r in presolve_diagnostics(instance))


def test_consecutive_chain_longer_than_every_stop_limit() -> None:
    instance = _line(
        consecutive=[["A", "B"], ["B", "C"]],
        vehicle_types=[VehicleType("big", 1, 10, None, 2), VehicleType("small", 2, 9, None, 2)],
    )
    assert [[instance.node_ids[i] for i in chain] for chain in consecutive_chains(instance)] == [["A", "B", "C"]]
    assert any("consecutive chain A -> B -> C has 3 DCs" in r for r in presolve_diagnostics(instance))


def test_consecutive_chain_load_above_every_capacity() -> None:
    instance = _line(
        consecutive=[["A", "B"]],
        dcs=[DC("A", 4, 10, 0), DC("B", 4, 20, 0), DC("C", 1, 30, 0)],
        vehicle_types=[VehicleType("big", 1, 7), VehicleType("small", 2, 5)],
    )
    assert any("consecutive chain A -> B carries 8" in r for r in presolve_diagnostics(instance))


def test_consecutive_chain_beyond_every_distance_limit() -> None:
    instance = _line(
        consecutive=[["C", "A"]], vehicle_types=[VehicleType("big", 1, 10, 75), VehicleType("small", 2, 5, 75)]
    )
    # hub -> C (30) -> A (20) -> hub (10) = 60 <= 75: fine; with C -> A forced and a limit of 59 it is not
    assert presolve_diagnostics(instance) == []
    tight = _line(
        consecutive=[["C", "A"]], vehicle_types=[VehicleType("big", 1, 10, 59), VehicleType("small", 2, 5, 59)]
    )
    assert any("consecutive chain C -> A needs a round trip of at least 60" in r for r in presolve_diagnostics(tight))


@pytest.mark.parametrize("seed", range(30))
def test_diagnostics_never_claim_a_feasible_instance_infeasible(seed: int) -> None:
    instance = random_tiny_instance(seed)
    if brute_force(instance) is not None:
        assert presolve_diagnostics(instance) == []


def test_solve_reports_the_causes_without_building_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    import milp_milkrun.solve.highs as highs_backend

    def refuse(instance: Instance) -> None:
        raise AssertionError("the model must not be built for a diagnosed instance")

    monkeypatch.setattr(highs_backend, "build_exact_model", refuse)
    instance = _line(dcs=[DC("A", 7, 10, 0), DC("B", 7, 20, 0), DC("C", 7, 30, 0)])
    result = solve(instance, options=SolveOptions(log=False))
    assert result.status == "infeasible" and result.plan is None
    assert "exceeds the capacity of the whole fleet" in result.message
