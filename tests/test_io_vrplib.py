"""VRPLIB .vrp instances and .sol solutions: the five CVRPLIB files, conversion round trips, edge cases."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
import pytest
import vrplib
from cli_helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shared_data import CVRPLIB, needs_cvrplib

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io import load_instance, load_plan, write_instance, write_plan
from milp_milkrun.plan import Plan, Route

FILES = {"P-n16-k8": (8, 35), "P-n19-k2": (2, 160), "E-n22-k4": (4, 6000), "B-n31-k5": (5, 100), "E-n51-k5": (5, 160)}


def greedy_plan(instance: Instance) -> Plan:
    """Fill vehicles in node order up to capacity: a simple plan that is feasible with a large fleet."""
    routes: list[list[str]] = [[]]
    load = 0.0
    capacity = instance.vehicle_types[0].capacity
    for dc in instance.dcs:
        if load + dc.demand > capacity:
            routes.append([])
            load = 0.0
        routes[-1].append(dc.id)
        load += dc.demand
    return Plan.from_routes((vehicle.name, stops) for vehicle, stops in zip(instance.vehicles, routes))


@needs_cvrplib
@pytest.mark.parametrize("name", sorted(FILES))
def test_cvrplib_file_reads_with_published_conventions(name: str) -> None:
    instance = load_instance(CVRPLIB / f"{name}.vrp")
    raw = vrplib.read_instance(CVRPLIB / f"{name}.vrp")
    vehicles, capacity = FILES[name]
    assert instance.name == name
    assert instance.hub.id == "1" and [dc.id for dc in instance.dcs] == [str(k) for k in range(2, raw["dimension"] + 1)]
    assert [v.name for v in instance.vehicles] == [f"truck-{k}" for k in range(1, vehicles + 1)]
    assert instance.vehicle_types[0].capacity == capacity
    assert instance.vehicle_types[0].max_distance is None and instance.vehicle_types[0].max_stops is None
    assert np.array_equal(instance.demand, raw["demand"])
    assert np.array_equal(instance.distance, np.floor(raw["edge_weight"] + 0.5))  # EUC_2D, TSPLIB nint
    assert f"-k{vehicles}" in instance.description


@needs_cvrplib
@pytest.mark.parametrize("name", sorted(FILES))
def test_convert_round_trip(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = load_instance(CVRPLIB / f"{name}.vrp")
    out = tmp_path / f"{name}.json"
    code, stdout, _ = run_cli(monkeypatch, capsys, "convert", str(CVRPLIB / f"{name}.vrp"), str(out))
    assert code == 0 and out.name in stdout
    again = load_instance(out)
    assert again.node_ids == instance.node_ids
    assert np.array_equal(again.distance, instance.distance)
    assert np.array_equal(again.demand, instance.demand)
    assert again.vehicle_types == instance.vehicle_types
    assert again.distance_spec == instance.distance_spec


@needs_cvrplib
@pytest.mark.parametrize("name", sorted(FILES))
def test_sol_write_read_round_trip(name: str, tmp_path: Path) -> None:
    instance = load_instance(CVRPLIB / f"{name}.vrp", vehicles=40)  # a fleet large enough for the greedy plan
    plan = greedy_plan(instance)
    assert check_plan(instance, plan).feasible
    path = tmp_path / f"{name}.sol"
    write_plan(plan, path, instance)
    assert load_plan(path, instance) == plan
    parsed = vrplib.read_solution(path)  # the file is standard VRPLIB: sol number = node number - 1
    assert parsed["routes"] == [[int(s) - 1 for s in r.stops] for r in plan.routes]
    assert parsed["cost"] == pytest.approx(check_plan(instance, plan).objective)


@needs_cvrplib
def test_sol_written_by_vrplib_maps_route_k_to_vehicle_k(tmp_path: Path) -> None:
    instance = load_instance(CVRPLIB / "P-n16-k8.vrp")
    path = tmp_path / "external.sol"
    vrplib.write_solution(path, [[1, 2], [3]], {"Cost": 0})
    plan = load_plan(path, instance)
    assert plan == Plan((Route("truck-1", ("2", "3")), Route("truck-2", ("4",))))


def _write_vrp(path: Path, header: str, sections: str) -> Path:
    path.write_text(f"NAME : {path.stem}\nTYPE : CVRP\n{header}{sections}EOF\n")
    return path


DEMANDS = "DEMAND_SECTION\n1 0\n2 3\n3 4\n4 5\nDEPOT_SECTION\n1\n-1\n"
COORDS = "NODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\n4 0 5\n"


def test_explicit_lower_row_matrix(tmp_path: Path) -> None:
    header = "DIMENSION : 4\nCAPACITY : 10\nVEHICLES : 2\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : LOWER_ROW\n"
    path = _write_vrp(tmp_path / "lower.vrp", header, "EDGE_WEIGHT_SECTION\n5\n7 2\n9 4 6\n" + DEMANDS)
    instance = load_instance(path)
    assert instance.distance_spec.metric == "matrix" and instance.coordinates == "none"
    assert instance.dist("1", "2") == 5 and instance.dist("3", "2") == 2 and instance.dist("4", "3") == 6
    assert len(instance.vehicles) == 2 and "VEHICLES field" in instance.description


def test_explicit_full_matrix_may_be_asymmetric(tmp_path: Path) -> None:
    header = "DIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : FULL_MATRIX\n"
    matrix = "EDGE_WEIGHT_SECTION\n0 1 2 3\n9 0 4 5\n2 4 0 6\n3 5 6 0\n"
    instance = load_instance(_write_vrp(tmp_path / "full.vrp", header, matrix + DEMANDS), vehicles=3)
    assert instance.dist("1", "2") == 1 and instance.dist("2", "1") == 9
    assert instance.warnings and len(instance.vehicles) == 3


def test_depot_need_not_be_node_one(tmp_path: Path) -> None:
    header = "DIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n"
    demands = "DEMAND_SECTION\n1 3\n2 0\n3 4\n4 5\nDEPOT_SECTION\n2\n-1\n"
    instance = load_instance(_write_vrp(tmp_path / "d-k2.vrp", header, COORDS + demands))
    assert instance.hub.id == "2" and [dc.id for dc in instance.dcs] == ["1", "3", "4"]
    assert instance.dist("2", "3") == 5  # (3,4) -> (6,8)


def test_vehicles_field_beats_name_suffix_and_argument_beats_both(tmp_path: Path) -> None:
    header = "DIMENSION : 4\nCAPACITY : 10\nVEHICLES : 3\nEDGE_WEIGHT_TYPE : EUC_2D\n"
    path = _write_vrp(tmp_path / "x-k7.vrp", header, COORDS + DEMANDS)
    assert len(load_instance(path).vehicles) == 3
    assert (
        len(load_instance(path, vehicles=2).vehicles) == 2
    )  # (a count above the 3 DC nodes is built as 3: request_limits)


def test_demand_above_capacity_is_split(tmp_path: Path) -> None:
    header = "DIMENSION : 4\nCAPACITY : 4\nEDGE_WEIGHT_TYPE : EUC_2D\n"
    instance = load_instance(_write_vrp(tmp_path / "s-k4.vrp", header, COORDS + DEMANDS))
    assert dict(instance.splits) == {"4": ("4/1", "4/2")}
    assert instance.dist("4/1", "2") == instance.dist("4/2", "2") == 3  # nint(sqrt(9 + 1))


@pytest.mark.parametrize(
    ("name", "header", "sections", "field"),
    [
        ("nofleet", "DIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n", COORDS + DEMANDS, "VEHICLES"),
        ("nocap-k2", "DIMENSION : 4\nEDGE_WEIGHT_TYPE : EUC_2D\n", COORDS + DEMANDS, "CAPACITY"),
        ("nodemand-k2", "DIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n", COORDS, "DEMAND_SECTION"),
        (
            "twodepots-k2",
            "DIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n",
            COORDS + "DEMAND_SECTION\n1 0\n2 0\n3 4\n4 5\nDEPOT_SECTION\n1\n2\n-1\n",
            "DEPOT_SECTION",
        ),
        (
            "depotdemand-k2",
            "DIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n",
            COORDS + "DEMAND_SECTION\n1 2\n2 3\n3 4\n4 5\n",
            "DEMAND_SECTION",
        ),
        (
            "service-k2",
            "DIMENSION : 4\nCAPACITY : 10\nSERVICE_TIME : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n",
            COORDS + DEMANDS,
            "SERVICE_TIME",
        ),
        ("geo-k2", "DIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : GEO\n", COORDS + DEMANDS, "EDGE_WEIGHT_TYPE"),
        ("infcap-k2", "DIMENSION : 4\nCAPACITY : 1e400\nEDGE_WEIGHT_TYPE : EUC_2D\n", COORDS + DEMANDS, "CAPACITY"),
        (
            "hugedemand-k2",
            "DIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n",
            COORDS + DEMANDS.replace("3 4\n", "3 " + "9" * 400 + "\n"),
            "DEMAND_SECTION",
        ),
        (
            "ragged-k2",
            "DIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n",
            COORDS.replace("3 6 8", "3 6") + DEMANDS,
            "NODE_COORD_SECTION",
        ),
        (
            "infcoord-k2",
            "DIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n",
            COORDS.replace("3 6 8", "3 6 1e400") + DEMANDS,
            "NODE_COORD_SECTION",
        ),
        ("noweights-k2", "DIMENSION : 4\nCAPACITY : 10\n", COORDS + DEMANDS, "EDGE_WEIGHT_TYPE"),
        ("twodims-k2", "DIMENSION : 4 5\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n", COORDS + DEMANDS, "DIMENSION"),
        (
            "textfleet",
            "DIMENSION : 4\nCAPACITY : 10\nVEHICLES : many\nEDGE_WEIGHT_TYPE : EUC_2D\n",
            COORDS + DEMANDS,
            "VEHICLES",
        ),
    ],
)
def test_bad_vrp_files_name_the_field(
    name: str,
    header: str,
    sections: str,
    field: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _write_vrp(tmp_path / f"{name}.vrp", header, sections)
    with pytest.raises(InputError) as error:
        load_instance(path)
    assert error.value.field == field
    code, out, err = run_cli(monkeypatch, capsys, "show", str(path))
    assert code == 2 and err.startswith(f"error: {field}: ") and "Traceback" not in out + err


def test_missing_fleet_size_is_solved_by_the_vehicles_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write_vrp(
        tmp_path / "nofleet.vrp", "DIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n", COORDS + DEMANDS
    )
    with pytest.raises(InputError, match="--vehicles"):
        load_instance(path)
    code, out, _ = run_cli(monkeypatch, capsys, "show", str(path), "--vehicles", "2")
    assert code == 0 and "2 vehicles" in out


def test_garbage_vrp_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "garbage.vrp"
    path.write_text("this is not\na vrplib file\n")
    code, out, err = run_cli(monkeypatch, capsys, "show", str(path))
    assert code == 2 and err.startswith(f"error: {path}: ") and "Traceback" not in out + err


def test_converted_explicit_instance_loads_back(tmp_path: Path) -> None:
    header = "DIMENSION : 4\nCAPACITY : 10\nVEHICLES : 2\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : LOWER_ROW\n"
    instance = load_instance(
        _write_vrp(tmp_path / "lower.vrp", header, "EDGE_WEIGHT_SECTION\n5\n7 2\n9 4 6\n" + DEMANDS)
    )
    write_instance(instance, tmp_path / "lower.json")
    again = load_instance(tmp_path / "lower.json")
    assert np.array_equal(again.distance, instance.distance) and again.vehicle_types == instance.vehicle_types


def test_a_sol_line_without_a_route_number_is_one_input_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.sol"
    path.write_text("Route #1: 1 2\nRoute\nCost 9\n")  # vrplib's own parser fails with IndexError here
    with pytest.raises(InputError, match="not a readable VRPLIB solution"):
        load_plan(
            path,
            load_instance(
                _write_vrp(
                    tmp_path / "x-k2.vrp", "DIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n", COORDS + DEMANDS
                )
            ),
        )


VALID_VRP = f"NAME : f-k3\nTYPE : CVRP\nDIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n{COORDS}{DEMANDS}EOF\n"
TOKENS = [
    "",
    "-1",
    "0",
    "1.5",
    "1e400",
    "9" * 400,
    "nan",
    "inf",
    "x",
    ":",
    "EOF",
    "1 2",
    "DIMENSION : 3",
    "CAPACITY : 0",
    "NODE_COORD_SECTION",
    "DEMAND_SECTION",
    "DEPOT_SECTION",
    "EDGE_WEIGHT_TYPE : EXPLICIT",
    "Route #0: 1",
    "Route #9: 1",
    "Route",
]


@st.composite
def damaged_lines(draw: st.DrawFn, text: str) -> str:
    """``text`` with one to three lines, or words of a line, replaced, deleted or inserted."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        token = draw(st.sampled_from(TOKENS))
        action = draw(st.sampled_from(["replace", "delete", "insert", "word"]))
        if action == "replace":
            lines[at] = token
        elif action == "delete":
            del lines[at]
        elif action == "insert":
            lines.insert(at, token)
        elif words := lines[at].split():
            words[draw(st.integers(0, len(words) - 1))] = token
            lines[at] = " ".join(words)
    return "\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(vrp=damaged_lines(VALID_VRP), sol=damaged_lines("Route #1: 1 2\nRoute #2: 3\nCost 9\n"))
def test_damaged_vrp_and_sol_files_are_input_errors(vrp: str, sol: str, tmp_path: Path) -> None:
    vrp_path, sol_path = tmp_path / "f-k3.vrp", tmp_path / "f.sol"
    vrp_path.write_text(vrp)
    sol_path.write_text(sol)
    with contextlib.suppress(InputError):
        load_instance(vrp_path)
    with contextlib.suppress(InputError):
        load_plan(
            sol_path,
            load_instance(
                _write_vrp(
                    tmp_path / "g-k3.vrp", "DIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n", COORDS + DEMANDS
                )
            ),
        )


HETEROGENEOUS = """NAME : het-test
TYPE : HFVRP
DIMENSION : 4
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 10 0
3 0 10
4 10 10
DEMAND_SECTION
1 0
2 5
3 6
4 7
DEPOT_SECTION
1
-1
CAPACITY_SECTION
1 10
2 10
3 20
VEHICLES_FIXED_COST_SECTION
1 5
2 5
3 30
VEHICLES_UNIT_DISTANCE_COST_SECTION
1 1
2 1
3 1.5
"""


def test_a_per_vehicle_fleet_becomes_types_of_identical_vehicles_with_costs(tmp_path: Path) -> None:
    path = tmp_path / "het.vrp"
    path.write_text(HETEROGENEOUS)
    instance = load_instance(path)
    assert instance.objective == "cost"
    assert [(vt.name, vt.count, vt.capacity, vt.fixed_cost, vt.cost_per_km) for vt in instance.vehicle_types] == [
        ("truck1", 2, 10, 5, 1),
        ("truck2", 1, 20, 30, 1.5),
    ]


def test_per_vehicle_sections_of_different_lengths_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "het.vrp"
    path.write_text(HETEROGENEOUS.replace("3 30\n", ""))
    with pytest.raises(InputError) as error:
        load_instance(path)
    assert "different numbers of vehicles" in str(error.value)


def test_a_numeric_edge_weight_type_is_an_input_error(tmp_path: Path) -> None:
    # found by the fuzz test above: vrplib reads "EDGE_WEIGHT_TYPE : -1" as a number
    path = tmp_path / "f-k3.vrp"
    path.write_text(VALID_VRP.replace("EDGE_WEIGHT_TYPE : EUC_2D", "EDGE_WEIGHT_TYPE : -1"))
    with pytest.raises(InputError) as error:
        load_instance(path)
    assert error.value.field == "EDGE_WEIGHT_TYPE"


def test_allowed_clients_become_forbidden_pairs_and_vehicle_order_is_kept(tmp_path: Path) -> None:
    """PyVRP's VEHICLES_ALLOWED_CLIENTS_SECTION; a run of identical vehicles is one type, so an interleaved
    fleet keeps vehicle k of the file as vehicle k (what Route #k of a .sol file means)."""
    path = tmp_path / "allowed.vrp"
    allowed = "VEHICLES_ALLOWED_CLIENTS_SECTION\n1 2 3 4\n2 2 3 4\n3 3 4\n"
    path.write_text(
        HETEROGENEOUS.replace("2 10\n3 20", "2 20\n3 10")
        .replace("2 5\n3 30", "2 30\n3 5")
        .replace("2 1\n3 1.5", "2 1.5\n3 1")
        .replace("DEPOT_SECTION", allowed + "DEPOT_SECTION")
    )
    instance = load_instance(path)
    assert [(v.name, v.capacity) for v in instance.vehicles] == [("truck1-1", 10), ("truck2-1", 20), ("truck3-1", 10)]
    assert instance.forbidden == {("2", "truck3-1")}


def test_a_per_vehicle_value_given_once_applies_to_every_vehicle(tmp_path: Path) -> None:
    path = _write_vrp(
        tmp_path / "one-k2.vrp",
        "DIMENSION : 4\nCAPACITY : 10\nVEHICLES_MAX_DISTANCE : 60\nEDGE_WEIGHT_TYPE : EUC_2D\n",
        COORDS + DEMANDS,
    )
    assert [(v.capacity, v.max_distance) for v in load_instance(path).vehicles] == [(10, 60), (10, 60)]
