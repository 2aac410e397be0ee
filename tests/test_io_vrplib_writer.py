"""Instances written as VRPLIB: read back by this toolkit, by ``vrplib`` and by PyVRP as the same problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import pyvrp
import vrplib
from bruteforce import brute_force, random_tiny_instance
from cli_helpers import run_cli
from shared_data import CVRPLIB, cvrplib_optimum, needs_cvrplib

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io import (
    instance_from_dict,
    instance_to_dict,
    load_golden_taillard,
    load_instance,
    load_plan,
    write_instance,
)
from milp_milkrun.io.vrplib_writer import (
    cost_scale,
    no_distance_limit,
    prohibitive_distance,
    unrepresentable,
    vrplib_text,
)

INSTANCES = Path(__file__).resolve().parents[1] / "instances"
HFVRP = Path(__file__).resolve().parents[2] / "shared" / "hfvrp"
SHIPPED = ["toy6", "ecom74", "small_forbidden", "small_damaged", "small_distance", "small_stops", "small_consecutive"]


def representable(instance: Instance) -> Instance:
    """The instance without what VRPLIB cannot state (stop limits, consecutive pairs)."""
    data = instance_to_dict(instance)
    data["consecutive"] = []
    for vt in data["vehicle_types"]:
        vt.pop("max_stops", None)
    return instance_from_dict(data)


def written(instance: Instance, folder: Path) -> Path:
    path = folder / f"{instance.name}.vrp"
    write_instance(instance, path)
    return path


def pyvrp_rounding(path: Path) -> str:
    """The round_func the file's COMMENT names (``round`` for integral data, ``exact`` otherwise)."""
    comment = vrplib.read_instance(path, compute_edge_weights=False)["comment"]
    return "round" if "round_func='round'" in comment else "exact"


def assert_same_problem(original: Instance, again: Instance) -> None:
    """Same nodes in order, demands, distances (damaged roads prohibitive), fleet and forbidden pairs, by position."""
    assert again.n_dcs == original.n_dcs and np.array_equal(again.demand, original.demand)
    expected = original.distance.copy()
    for a, b in original.damaged_roads:
        i, j = original.index[a], original.index[b]
        expected[i, j] = expected[j, i] = prohibitive_distance(original)
    assert np.array_equal(again.distance, expected)
    assert again.objective == original.objective and not again.consecutive and not again.damaged_roads
    no_limit = no_distance_limit(expected)
    for v, w in zip(original.vehicles, again.vehicles, strict=True):
        assert w.capacity == v.capacity
        assert w.max_distance == v.max_distance or (v.max_distance is None and w.max_distance == no_limit)
        if original.objective == "cost":
            scale = cost_scale(original)  # PyVRP reads whole costs per km: all costs are written times this
            assert (w.type.fixed_cost, w.type.cost_per_km) == pytest.approx(
                (scale * v.type.fixed_cost, scale * v.type.cost_per_km)
            )
        for dc, dc_again in zip(original.dcs, again.dcs):
            assert original.is_allowed(dc.id, v.name) == again.is_allowed(dc_again.id, w.name)


@pytest.mark.parametrize("name", SHIPPED)
def test_json_to_vrplib_to_json_is_the_same_instance_where_representable(name: str, tmp_path: Path) -> None:
    original = load_instance(INSTANCES / f"{name}.json")
    again = load_instance(written(original, tmp_path))
    assert_same_problem(original, again)
    json_again = tmp_path / "again.json"
    write_instance(again, json_again)
    assert_same_problem(original, load_instance(json_again))


def test_a_golden_taillard_fleet_with_costs_and_unlimited_types_survives(tmp_path: Path) -> None:
    if not HFVRP.is_dir():
        pytest.skip("../shared/hfvrp not found")
    original = load_golden_taillard(HFVRP / "golden_13.json", "FSMFD")
    text = vrplib_text(original).text
    assert "VEHICLES_FIXED_COST_SECTION" in text and "is unlimited" in text and not unrepresentable(original)
    assert_same_problem(original, load_instance(written(original, tmp_path)))


@pytest.mark.parametrize("seed", range(12))
def test_the_written_file_has_the_same_optimum(seed: int, tmp_path: Path) -> None:
    """Random tiny instances with every representable constraint (damaged roads, forbidden pairs,
    distance limits, costs): the brute-force optimum of the file read back is the original's, and where
    only a damaged road makes a plan possible, the file's optimum is at least the prohibitive length."""
    original = representable(random_tiny_instance(seed, costs=seed % 2 == 1))
    again = load_instance(written(original, tmp_path))
    best, best_again = brute_force(original), brute_force(again)
    scale = cost_scale(original) if original.objective == "cost" else 1
    if best is None:
        cheapest_rate = min(vt.cost_per_km for vt in again.vehicle_types)
        assert best_again is None or best_again[0] >= prohibitive_distance(original) * cheapest_rate
    else:
        assert best_again is not None and best_again[0] == pytest.approx(scale * best[0])


def test_split_dcs_are_written_as_their_parts(tmp_path: Path) -> None:
    data = json.loads((INSTANCES / "toy6.json").read_text())
    data["dcs"][2]["demand"] = 40  # above every capacity (30): split into 30 + 10
    original = instance_from_dict(data)
    assert original.splits
    again = load_instance(written(original, tmp_path))
    assert again.n_dcs == original.n_dcs == 7 and np.array_equal(again.demand, original.demand)
    assert "written as its parts DC3/1, DC3/2" in vrplib_text(original).text


@needs_cvrplib
@pytest.mark.parametrize("name", ["P-n16-k8", "P-n19-k2", "E-n22-k4", "B-n31-k5", "E-n51-k5"])
def test_cvrplib_files_survive_vrplib_json_vrplib(name: str, tmp_path: Path) -> None:
    source = CVRPLIB / f"{name}.vrp"
    original = load_instance(source)
    write_instance(original, tmp_path / "x.json")
    write_instance(load_instance(tmp_path / "x.json"), tmp_path / "x.vrp")
    first, second = vrplib.read_instance(source), vrplib.read_instance(tmp_path / "x.vrp")
    for key in ("dimension", "capacity", "edge_weight_type", "node_coord", "demand", "depot", "edge_weight"):
        assert np.array_equal(np.asarray(first[key]), np.asarray(second[key])), key
    again = load_instance(tmp_path / "x.vrp")
    assert np.array_equal(again.distance, original.distance) and again.vehicle_types == original.vehicle_types


@needs_cvrplib
def test_pyvrp_reaches_the_published_optimum_on_the_rewritten_file(tmp_path: Path) -> None:
    name = "P-n16-k8"
    write_instance(load_instance(CVRPLIB / f"{name}.vrp"), tmp_path / "x.json")
    write_instance(load_instance(tmp_path / "x.json"), tmp_path / "x.vrp")
    result = pyvrp.solve(
        pyvrp.read(tmp_path / "x.vrp", round_func="round"), stop=pyvrp.stop.MaxIterations(300), seed=1, display=False
    )
    assert result.is_feasible() and result.cost() == cvrplib_optimum(name)


@pytest.mark.parametrize("name", ["toy6", "ecom74"])
def test_vrplib_and_pyvrp_read_the_same_numbers_entry_by_entry(name: str, tmp_path: Path) -> None:
    instance = load_instance(INSTANCES / f"{name}.json")
    path = written(instance, tmp_path)
    raw = vrplib.read_instance(path)
    expected = load_instance(path).distance
    assert np.array_equal(raw["edge_weight"], expected) and np.array_equal(raw["demand"], instance.demand)
    rounding = pyvrp_rounding(path)
    scale = 1 if rounding == "round" else 1000
    data = pyvrp.read(path, round_func=rounding)
    assert data.num_clients == instance.n_dcs and data.num_vehicles == len(instance.vehicles)
    assert [c.delivery[0] for c in data.clients()] == [round(scale * d) for d in instance.demand[1:]]
    for vehicle_type in data.vehicle_types():
        vehicles = [instance.vehicles[int(k)] for k in vehicle_type.name.split(",")]
        assert len(vehicles) == vehicle_type.num_available
        for v in vehicles:
            assert vehicle_type.capacity == [round(scale * v.capacity)]
            assert vehicle_type.max_distance == round(scale * v.max_distance)  # both instances limit every type
            assert vehicle_type.fixed_cost == 0 and vehicle_type.unit_distance_cost == 1  # the distance objective
        allowed = np.array([True, *(instance.is_allowed(dc.id, vehicles[0].name) for dc in instance.dcs)])
        both = allowed[:, None] & allowed[None, :]
        profile = np.where(both, np.round(scale * expected), pyvrp.constants.MAX_VALUE)  # PyVRP forbids a client so
        np.fill_diagonal(profile, 0)
        assert np.array_equal(data.distance_matrix(vehicle_type.profile), profile.astype(np.int64))


def pyvrp_sol(instance: Instance, data: Any, solution: Any) -> str:
    """PyVRP's routes as a .sol file: Route #k is vehicle k of the fleet (the vehicle type's name lists them)."""
    free = {t: [int(k) for k in vt.name.split(",")] for t, vt in enumerate(data.vehicle_types())}
    lines = []
    for route in solution.routes():
        vehicle = free[route.vehicle_type()].pop(0)
        stops = [
            visit.idx + data.num_depots for visit in route.schedule() if visit.is_client()
        ]  # client k is node k + 1
        lines.append(f"Route #{vehicle + 1}: " + " ".join(map(str, stops)))
    return (
        "\n".join(sorted(lines, key=lambda line: int(line.split("#")[1].split(":")[0])))
        + f"\nCost {solution.distance()}\n"
    )


@pytest.mark.parametrize("name", ["small_forbidden", "small_damaged", "small_distance"])
def test_a_pyvrp_plan_for_the_written_file_is_checked_here(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = INSTANCES / f"{name}.json"
    instance = load_instance(source)
    path = written(instance, tmp_path)
    data = pyvrp.read(path, round_func=pyvrp_rounding(path))
    result = pyvrp.solve(data, stop=pyvrp.stop.MaxIterations(300), seed=1, display=False)
    sol = tmp_path / "pyvrp.sol"
    sol.write_text(pyvrp_sol(instance, data, result.best))
    report = check_plan(instance, load_plan(sol, instance))
    optimum = brute_force(instance)
    assert report.feasible and optimum is not None and report.objective == pytest.approx(optimum[0])
    code, out, _ = run_cli(monkeypatch, capsys, "check", str(source), str(sol), "--bound", "10")
    assert code == 0 and "FEASIBLE" in out


def test_pyvrp_minimises_the_same_costs_on_a_fleet_size_and_mix_instance(tmp_path: Path) -> None:
    """golden_13 FSMFD: costs per km 1.1, 1.2, ... are written times 10, which PyVRP reads whole; the cost PyVRP
    reports for its plan is the checker's cost of that plan times 10 and times 1000 (``round_func='exact'``)."""
    if not HFVRP.is_dir():
        pytest.skip("../shared/hfvrp not found")
    instance = load_golden_taillard(HFVRP / "golden_13.json", "FSMFD")
    path = written(instance, tmp_path)
    assert cost_scale(instance) == 10 and pyvrp_rounding(path) == "exact"
    data = pyvrp.read(path, round_func="exact")
    result = pyvrp.solve(data, stop=pyvrp.stop.MaxIterations(200), seed=1, display=False)
    sol = tmp_path / "pyvrp.sol"
    sol.write_text(pyvrp_sol(instance, data, result.best))
    report = check_plan(instance, load_plan(sol, instance))
    assert report.feasible and result.cost() == pytest.approx(10 * 1000 * report.objective, rel=1e-5)


def test_convert_names_what_vrplib_cannot_state_and_strict_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    toy6, target = str(INSTANCES / "toy6.json"), tmp_path / "toy6.vrp"
    code, out, err = run_cli(monkeypatch, capsys, "convert", toy6, str(target))
    assert code == 0 and "wrote" in out
    for phrase in (
        "max_stops 4 of vehicle type large",
        "max_stops 2 of vehicle type small",
        "consecutive pair DC1 -> DC2",
    ):
        assert f"not representable in VRPLIB, written as a comment line only: {phrase}" in err
        assert f"# not representable in VRPLIB (not applied by readers): {phrase}" in target.read_text()
    code, _, err = run_cli(monkeypatch, capsys, "show", str(target))
    assert (
        code == 0
        and "not applied: max_stops 4 of vehicle type large; max_stops 2 of vehicle type small; consecutive pair" in err
    )
    strict = tmp_path / "strict.vrp"
    code, out, err = run_cli(monkeypatch, capsys, "convert", toy6, str(strict), "--strict")
    assert code == 2 and err.startswith("error: --strict: VRPLIB cannot state max_stops 4") and not strict.exists()
    code, _, err = run_cli(
        monkeypatch, capsys, "convert", str(INSTANCES / "small_forbidden.json"), str(strict), "--strict"
    )
    assert code == 0 and err == "" and "VEHICLES_ALLOWED_CLIENTS_SECTION" in strict.read_text()


def test_names_that_would_end_the_header_are_written_so_vrplib_reads_on(tmp_path: Path) -> None:
    data = json.loads((INSTANCES / "small_forbidden.json").read_text())
    data["name"], data["description"] = "GEOFF_SECTION", "line one\nEOF\nNAME : x"
    instance = instance_from_dict(data)
    again = load_instance(written(instance, tmp_path))
    assert again.n_dcs == instance.n_dcs and np.array_equal(again.distance, instance.distance)


def test_strict_is_an_input_error_in_the_api(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        write_instance(load_instance(INSTANCES / "small_stops.json"), tmp_path / "x.vrp", strict=True)
    assert error.value.field == "strict" and "max_stops" in error.value.message


SOLOMON = Path(__file__).resolve().parents[2] / "shared" / "solomon"


@pytest.mark.skipif(not SOLOMON.is_dir(), reason=f"Solomon files not found at {SOLOMON}")
def test_time_windows_and_service_times_survive_json_vrplib_json(tmp_path: Path) -> None:
    original = load_instance(SOLOMON / "R101.txt", variant="25")
    again = load_instance(written(original, tmp_path))
    assert np.allclose(again.distance, original.distance)
    assert again.windows == original.windows
    assert np.allclose(again.service_time, original.service_time)
    data = pyvrp.read(str(tmp_path / f"{original.name}.vrp"), round_func="exact")  # "exact": values times 1000
    first = data.clients()[0]
    assert (first.tw_early, first.tw_late) == tuple(round(1000 * t) for t in original.windows[1][0])
    assert first.service_duration == round(1000 * original.service_time[1])


def test_time_vrplib_cannot_state_is_named_never_dropped() -> None:
    instance = next(
        i
        for i in (random_tiny_instance(seed, time=True) for seed in range(200))
        if any(vt.shift is not None for vt in i.vehicle_types) or any(len(dc.windows) > 1 for dc in i.dcs)
    )
    lost = unrepresentable(instance)
    assert any("shift" in phrase or "windows" in phrase for phrase in lost)
