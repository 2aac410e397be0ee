"""Plan files: JSON plans (schema-checked) and VRPLIB .sol solutions of JSON instances."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from milp_milkrun.errors import CheckFailedError, InputError
from milp_milkrun.instance import Instance
from milp_milkrun.io import load_instance, load_plan, write_plan
from milp_milkrun.plan import Plan

TOY6 = Path(__file__).resolve().parents[1] / "instances" / "toy6.json"
# toy6's optimum, worked out by hand: 40 + 34 + 20 km
OPTIMUM = Plan.from_routes([("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4", "DC5"]), ("small-2", ["DC6"])])


@pytest.fixture(scope="module")
def toy6() -> Instance:
    return load_instance(TOY6)


def test_json_plan_round_trip(toy6: Instance, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    write_plan(OPTIMUM, path, toy6)
    data = json.loads(path.read_text())
    assert data["objective"] == 94 and data["instance"] == "toy6"
    assert load_plan(path, toy6) == OPTIMUM


def test_sol_uses_fleet_position_and_node_index(toy6: Instance, tmp_path: Path) -> None:
    path = tmp_path / "plan.sol"
    plan = Plan.from_routes([("small-2", ["DC6"]), ("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4", "DC5"])])
    write_plan(plan, path, toy6)
    assert path.read_text() == "Route #1: 1 2 3\nRoute #2: 4 5\nRoute #3: 6\nCost 94\n"
    assert set(load_plan(path, toy6).routes) == set(plan.routes)


def test_sol_keeps_gaps_in_vehicle_numbers(toy6: Instance, tmp_path: Path) -> None:
    plan = Plan.from_routes([("large-1", ["DC4", "DC1", "DC2", "DC3"]), ("small-2", ["DC5", "DC6"])])
    path = tmp_path / "gap.sol"
    write_plan(plan, path, toy6)
    assert path.read_text().startswith("Route #1: 4 1 2 3\nRoute #3: 5 6\n")
    assert load_plan(path, toy6) == plan


def test_writing_an_infeasible_plan_raises(toy6: Instance, tmp_path: Path) -> None:
    bad = Plan.from_routes([("large-1", ["DC1", "DC2", "DC3", "DC4", "DC5", "DC6"])])
    for name in ("bad.json", "bad.sol"):
        with pytest.raises(CheckFailedError):
            write_plan(bad, tmp_path / name, toy6)
        assert not (tmp_path / name).exists()


def test_stops_may_be_integers_and_extra_keys_are_ignored(toy6: Instance, tmp_path: Path) -> None:
    path = tmp_path / "solve_output.json"
    path.write_text(
        json.dumps(
            {"status": "optimal", "routes": [{"vehicle": "small-1", "type": "small", "stops": [7, "DC1"], "load": 3}]}
        )
    )
    assert load_plan(path, toy6) == Plan.from_routes([("small-1", ["7", "DC1"])])


@pytest.mark.parametrize(
    ("content", "field", "text"),
    [
        ({"route": []}, "plan", "'routes' is a required property"),
        ({"routes": {"vehicle": "x"}}, "routes", "a list"),
        ({"routes": [{"vehicle": "large-1"}]}, "routes[0]", "'stops'"),
        ({"routes": [{"vehicle": "large-1", "stops": "DC1 DC2"}]}, "routes[0].stops", "route of large-1"),
        ({"routes": [{"vehicle": 3, "stops": []}]}, "routes[0].vehicle", "a string"),
        ({"routes": [{"vehicle": "small-1", "stops": ["DC1", None]}]}, "routes[0].stops[1]", "route of small-1"),
    ],
)
def test_bad_json_plans_name_the_field(toy6: Instance, tmp_path: Path, content: object, field: str, text: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(content))
    with pytest.raises(InputError) as error:
        load_plan(path, toy6)
    assert error.value.field == field and text in error.value.message


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("Route #1: 1 2 9\n", "Route #1", "node 9"),
        ("Route #1: 0 1\n", "Route #1", "node 0"),
        ("Route #4: 1\n", "Route #4", "3 vehicles"),
        ("Route #1: 1 x\n", "", "not a readable VRPLIB solution"),
    ],
)
def test_bad_sol_files(toy6: Instance, tmp_path: Path, text: str, field: str, message: str) -> None:
    path = tmp_path / "plan.sol"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        load_plan(path, toy6)
    assert error.value.field == (field or str(path)) and message in error.value.message


def test_sol_without_labels_counts_routes(toy6: Instance, tmp_path: Path) -> None:
    path = tmp_path / "plain.sol"
    path.write_text("Route: 1 2 3\nRoute: 4 5\nCost 94\n")
    assert load_plan(path, toy6) == Plan.from_routes([("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4", "DC5"])])


@pytest.mark.parametrize("name", ["plan.txt", "plan"])
def test_unknown_plan_formats(toy6: Instance, tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("{}")
    with pytest.raises(InputError, match="unknown plan format"):
        load_plan(tmp_path / name, toy6)
    with pytest.raises(InputError, match="unsupported extension"):
        write_plan(OPTIMUM, tmp_path / name, toy6)


def test_missing_plan_file(toy6: Instance, tmp_path: Path) -> None:
    for name in ("nope.json", "nope.sol"):
        with pytest.raises(InputError, match="no such file"):
            load_plan(tmp_path / name, toy6)
