"""The Pyomo exact model: its families, their row counts, (2b), and the LP/MPS files it writes."""

from __future__ import annotations

from pathlib import Path

import highspy
import pyomo.environ as pyo
import pytest
from bruteforce import brute_force, random_tiny_instance

from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.models.exact import build_exact_model
from milp_milkrun.models.families import EXACT_FAMILIES
from milp_milkrun.models.highs_handoff import hand_off
from milp_milkrun.models.inspect import format_inspection, inspect_model
from milp_milkrun.reports.model_files import write_readable_model

TOY6 = Path(__file__).resolve().parents[1] / "instances" / "toy6.json"


def expected_rows(instance: Instance) -> dict[str, int]:
    """Rows per family from the formulas of docs/formulation.md."""
    n, vehicles = instance.n_dcs, instance.vehicles
    t = len(vehicles)
    return {
        "eq01_objective": 1,
        "eq02_flow_balance": (n + 1) * t,
        "eq02b_single_trip": t,
        "eq03_one_in": n,
        "eq04_one_out": n,
        "eq05_capacity": t,
        "eq06_distance": sum(v.max_distance is not None for v in vehicles),
        "eq07_stops": sum(v.max_stops is not None for v in vehicles),
        "eq08_forbidden_in": len(instance.forbidden),
        "eq09_forbidden_out": len(instance.forbidden),
        "eq10_consecutive": len(instance.consecutive),
        "eq11_damaged": len(instance.damaged_roads),
        "eq12_order_lower": n,
        "eq13_order_upper": n,
        "eq14_mtz": n * (n - 1),
    }


@pytest.mark.parametrize("seed", range(8))
def test_rows_per_family_match_the_formulas(seed: int) -> None:
    instance = random_tiny_instance(seed)
    inspection = inspect_model(instance, build_exact_model(instance))
    counted = {fc.family.name: fc.rows for fc in inspection.families}
    assert counted == expected_rows(instance)
    n, t = instance.n_dcs, len(instance.vehicles)
    assert inspection.binaries == (n + 1) * n * t  # x^t_ij for i != j only
    assert inspection.continuous == n


def test_components_are_named_after_the_families_in_order() -> None:
    model = build_exact_model(random_tiny_instance(1))
    names = [c.name for c in model.component_objects((pyo.Constraint, pyo.Objective), descend_into=False)]
    assert names == [f.name for f in EXACT_FAMILIES]


def test_families_6_and_7_omit_vehicles_without_limits_and_say_so() -> None:
    instance = _two_types(big_limits=(None, None), small_limits=(40.0, 3))
    inspection = inspect_model(instance, build_exact_model(instance))
    rows = {fc.family.name: fc for fc in inspection.families}
    assert rows["eq06_distance"].rows == 2 and rows["eq07_stops"].rows == 2
    assert "omitted for 1 vehicle without a distance limit (big)" in rows["eq06_distance"].note
    assert "omitted for 1 vehicle without a stop limit (big)" in rows["eq07_stops"].note
    text = format_inspection(inspection)
    assert "eq14_mtz" in text and "omitted for 1 vehicle" in text


def test_rows_12_and_13_are_explicit_rows_not_bounds() -> None:
    model = build_exact_model(random_tiny_instance(3))
    assert all(v.lb == 0 and v.ub is None for v in model.u.values())
    assert len(model.eq12_order_lower) == len(model.eq13_order_upper) == len(model.Vp)


def test_single_trip_row_2b_is_needed() -> None:
    """One vehicle, two DCs, the road between them damaged: no plan exists (brute force agrees), yet
    without (2b) the model lets the vehicle leave the hub twice, (5)-(7) counting both trips as one."""
    instance = build_instance(
        name="two-trips",
        hub=Site("H", 0, 0),
        dcs=[DC("A", 3, 10, 0), DC("B", 3, -10, 0)],
        vehicle_types=[VehicleType("van", 1, 10, max_distance=100, max_stops=3)],
        distance_spec=DistanceSpec("euclidean"),
        damaged_roads=[["A", "B"]],
    )
    assert brute_force(instance) is None
    with_2b = _solve_model(build_exact_model(instance))
    assert with_2b.getModelStatus() == highspy.HighsModelStatus.kInfeasible
    model = build_exact_model(instance)
    model.eq02b_single_trip.deactivate()
    without_2b = _solve_model(model)
    assert without_2b.getModelStatus() == highspy.HighsModelStatus.kOptimal
    departures = sum(pyo.value(model.x[0, j, "van-1"]) for j in model.Vp)
    assert round(departures) == 2


@pytest.mark.parametrize("suffix", [".lp", ".mps"])
@pytest.mark.parametrize("source", ["toy6", "tiny"])
def test_written_model_is_solved_alone_by_highs_to_the_same_optimum(tmp_path: Path, suffix: str, source: str) -> None:
    instance = _instance(source)
    model = build_exact_model(instance)
    path = tmp_path / f"model{suffix}"
    write_readable_model(instance, model, path)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    assert highs.readModel(str(path)) == highspy.HighsStatus.kOk
    highs.run()
    optimum = brute_force(instance)
    assert optimum is not None
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert highs.getInfo().objective_function_value == pytest.approx(optimum[0], abs=1e-6)
    assert highs.getNumRow() == sum(v for k, v in expected_rows(instance).items() if k != "eq01_objective")
    row_names = [highs.getRowName(r)[1] for r in range(highs.getNumRow())]
    assert any("eq14_mtz" in name for name in row_names) and any("eq05_capacity" in name for name in row_names)


def test_write_refuses_unknown_suffix(tmp_path: Path) -> None:
    from milp_milkrun.errors import InputError

    with pytest.raises(InputError, match="unsupported extension '.txt'; use .lp, .mps"):
        instance = random_tiny_instance(1)
        write_readable_model(instance, build_exact_model(instance), tmp_path / "model.txt")


# ----- helpers --------------------------------------------------------------------------------------
def _instance(source: str) -> Instance:
    if source == "toy6":
        from milp_milkrun.io import load_instance

        return load_instance(TOY6)
    return next(i for i in map(random_tiny_instance, range(100)) if brute_force(i) is not None and i.n_dcs >= 5)


def _two_types(big_limits: tuple[float | None, int | None], small_limits: tuple[float | None, int | None]) -> Instance:
    return build_instance(
        name="two-types",
        hub=Site("H", 0, 0),
        dcs=[DC("A", 3, 10, 0), DC("B", 3, 0, 10), DC("C", 2, 5, 5)],
        vehicle_types=[VehicleType("big", 1, 10, *big_limits), VehicleType("small", 2, 5, *small_limits)],
        distance_spec=DistanceSpec("euclidean"),
    )


def _solve_model(model: pyo.ConcreteModel) -> highspy.Highs:
    """Solve a (possibly modified) model with plain HiGHS and load x back into it."""
    run = hand_off(model)
    run.highs.setOptionValue("output_flag", False)
    run.highs.run()
    if run.highs.getInfo().primal_solution_status == 2:
        values = run.highs.getSolution().col_value
        for key, col in run.x_columns.items():
            model.x[key].set_value(round(values[col]))
    return run.highs
