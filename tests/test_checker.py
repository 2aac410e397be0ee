"""The independent checker: every rule it enforces, each reported with its equation number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from milp_milkrun.checker import check_plan, verify_plan
from milp_milkrun.errors import CheckFailedError
from milp_milkrun.instance import Instance
from milp_milkrun.io import instance_from_dict, instance_to_dict, load_instance
from milp_milkrun.plan import Plan

TOY6 = Path(__file__).resolve().parents[1] / "instances" / "toy6.json"
OPTIMUM = [("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4", "DC5"]), ("small-2", ["DC6"])]


@pytest.fixture(scope="module")
def toy6() -> Instance:
    return load_instance(TOY6)


def labels(instance: Instance, routes: list[tuple[str, list[str]]]) -> list[str]:
    return [v.equation for v in check_plan(instance, Plan.from_routes(routes)).violations]


def test_hand_optimum_is_feasible_with_recomputed_figures(toy6: Instance) -> None:
    report = check_plan(toy6, Plan.from_routes(OPTIMUM))
    assert report.feasible and report.violations == ()
    assert report.objective == 94
    by_vehicle = {r.vehicle: r for r in report.routes}
    assert (by_vehicle["large-1"].load, by_vehicle["large-1"].distance, by_vehicle["large-1"].n_stops) == (19, 40, 3)
    assert (by_vehicle["small-1"].load, by_vehicle["small-1"].distance) == (13, 34)
    assert by_vehicle["small-2"].capacity == 15 and by_vehicle["small-2"].max_distance == 40


@pytest.mark.parametrize(
    ("routes", "expected"),
    [
        pytest.param([("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4", "DC5"])], ["3,4"], id="DC missed"),
        pytest.param([*OPTIMUM[:2], ("small-2", ["DC6", "DC5"])], ["3,4"], id="DC twice"),
        pytest.param(
            [("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4", "DC5"]), ("small-1", ["DC6"])],
            ["2b"],
            id="vehicle twice",
        ),
        pytest.param(
            [("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4", "DC5"]), ("truck-9", ["DC6"])],
            ["ids"],
            id="unknown vehicle",
        ),
        pytest.param([*OPTIMUM[:2], ("small-2", ["DC6", "DC9"])], ["ids"], id="unknown DC"),
        pytest.param([*OPTIMUM[:2], ("small-2", ["HUB", "DC6"])], ["ids"], id="hub as a stop"),
        pytest.param(
            [("large-1", ["DC1", "DC2", "DC3", "DC4"]), ("small-1", ["DC5"]), ("small-2", ["DC6"])],
            ["11"],
            id="damaged road",
        ),
        pytest.param([("large-1", ["DC2", "DC1", "DC3"]), *OPTIMUM[1:]], ["10"], id="consecutive reversed"),
        pytest.param(
            [("large-1", ["DC4", "DC1"]), ("small-1", ["DC5", "DC6"]), ("small-2", ["DC2", "DC3"])],
            ["10"],
            id="consecutive on two routes",
        ),
        pytest.param([("large-1", ["DC1", "DC3", "DC2"]), *OPTIMUM[1:]], ["10"], id="consecutive with a DC between"),
        pytest.param(
            [("large-1", ["DC4", "DC5", "DC6"]), ("small-1", ["DC1", "DC2"]), ("small-2", ["DC3"])],
            ["8,9"],
            id="forbidden",
        ),
        pytest.param(
            [("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4", "DC5", "DC6"])],
            ["5", "7"],
            id="capacity and stops",
        ),
        pytest.param(
            [("large-1", ["DC1", "DC2", "DC3", "DC5"]), ("small-1", ["DC4"]), ("small-2", ["DC6"])],
            ["6"],
            id="distance",
        ),
        pytest.param(
            [("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4", "DC5"]), ("small-2", ["DC6"]), ("small-3", [])],
            ["ids"],
            id="unknown vehicle without stops",
        ),
    ],
)
def test_each_rule_is_caught_with_its_equation(
    toy6: Instance, routes: list[tuple[str, list[str]]], expected: list[str]
) -> None:
    assert labels(toy6, routes) == expected


def test_stop_limit_alone(toy6: Instance) -> None:
    # with room and range to spare, three DCs on a small vehicle break only its 2-stop limit
    data = instance_to_dict(toy6)
    data["vehicle_types"][1]["capacity"] = 100
    data["vehicle_types"][1]["max_distance"] = 100
    instance = instance_from_dict(data)
    assert labels(
        instance, [("large-1", ["DC1", "DC2"]), ("small-1", ["DC3", "DC4", "DC5"]), ("small-2", ["DC6"])]
    ) == ["7", "11"]
    assert labels(
        instance, [("large-1", ["DC1", "DC2"]), ("small-1", ["DC4", "DC5", "DC3"]), ("small-2", ["DC6"])]
    ) == ["7"]


def test_capacity_alone(toy6: Instance) -> None:
    assert labels(toy6, [("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC6", "DC5"]), ("small-2", ["DC4"])]) == []
    data = instance_to_dict(toy6)
    data["dcs"][3]["demand"] = 10  # DC4: 10 + DC5: 6 > 15
    assert labels(instance_from_dict(data), OPTIMUM) == ["5"]


def test_damaged_hub_road_forbids_both_directions(toy6: Instance) -> None:
    data = instance_to_dict(toy6)
    data["damaged_roads"] = [["HUB", "DC6"]]
    instance = instance_from_dict(data)
    messages = [v.message for v in check_plan(instance, Plan.from_routes(OPTIMUM)).violations]
    assert len(messages) == 2 and all("HUB - DC6" in m or "DC6 - HUB" in m for m in messages)
    assert labels(instance, [*OPTIMUM[:2], ("small-2", ["DC6"])]) == ["11", "11"]


def test_consecutive_pair_at_route_end_is_followed_by_the_hub(toy6: Instance) -> None:
    report = check_plan(toy6, Plan.from_routes([("large-1", ["DC3", "DC2", "DC1"]), *OPTIMUM[1:]]))
    assert [v.equation for v in report.violations] == ["10"]
    assert "followed by the hub" in report.violations[0].message


def test_vehicle_level_forbidden(toy6: Instance) -> None:
    data = instance_to_dict(toy6)
    data["forbidden"].append({"dc": "DC6", "vehicle": "small-2"})
    instance = instance_from_dict(data)
    assert labels(instance, OPTIMUM) == ["8,9"]
    assert labels(instance, [*OPTIMUM[:1], ("small-2", ["DC4", "DC5"]), ("small-1", ["DC6"])]) == []


def test_split_dc_must_be_visited_by_its_parts(toy6: Instance) -> None:
    data = instance_to_dict(toy6)
    data["dcs"][5]["demand"] = 20  # DC6 is forbidden for large, so it splits into 15 + 5
    instance = instance_from_dict(data)
    assert dict(instance.splits) == {"DC6": ("DC6/1", "DC6/2")}
    report = check_plan(instance, Plan.from_routes([*OPTIMUM[:2], ("small-2", ["DC6"])]))
    assert {v.equation for v in report.violations} == {"ids", "3,4"}
    assert any("split" in v.message for v in report.violations)


def test_distance_allowance_is_float_noise_only(toy6: Instance) -> None:
    data = instance_to_dict(toy6)
    data["vehicle_types"][0]["max_distance"] = 40  # large-1's route is exactly 40
    assert labels(instance_from_dict(data), OPTIMUM) == []
    data["vehicle_types"][0]["max_distance"] = 40 * (1 - 1e-11)  # rounding noise of a sum
    assert labels(instance_from_dict(data), OPTIMUM) == []
    data["vehicle_types"][0]["max_distance"] = 40 * (1 - 1e-7)  # a real excess, however small
    assert labels(instance_from_dict(data), OPTIMUM) == ["6"]


def test_report_to_dict_is_the_json_of_check(toy6: Instance) -> None:
    bad = Plan.from_routes([("large-1", ["DC2", "DC1", "DC3"]), *OPTIMUM[1:]])
    data = json.loads(json.dumps(check_plan(toy6, bad).to_dict()))
    assert data["feasible"] is False and data["objective"] == 102  # 14 + 10 + 14 + 10 + 34 + 20
    assert data["violations"] == [{"equation": "10", "message": data["violations"][0]["message"]}]


def test_verify_plan_raises_on_violations(toy6: Instance) -> None:
    assert verify_plan(toy6, Plan.from_routes(OPTIMUM), source="test").feasible
    with pytest.raises(CheckFailedError, match=r"\(3,4\)"):
        verify_plan(toy6, Plan.from_routes(OPTIMUM[:2]), source="test")
