"""The checker with time: hand-computed schedules, every violation named with its equation, the
departure that makes a route shortest, the check command's times and the plan file's schedule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run_cli

from milp_milkrun.checker import check_plan
from milp_milkrun.io import instance_from_dict
from milp_milkrun.io.plans import write_plan_json
from milp_milkrun.plan import Plan


def line(
    windows: dict[str, list[list[float]]],
    *,
    shift: float | None = None,
    hub: tuple[float, float] = (0, 600),
    service: float = 10,
) -> dict[str, Any]:
    """DC1 at x = 30, DC2 at x = 40, DC3 at x = 100 on a line; 60 km/h, so 1 km takes 1 minute."""
    dcs = []
    for name, x in (("DC1", 30), ("DC2", 40), ("DC3", 100)):
        dc: dict[str, Any] = {"id": name, "x": x, "y": 0, "demand": 1, "service": service}
        if name in windows:
            dc["windows"] = windows[name]
        dcs.append(dc)
    van: dict[str, Any] = {"name": "van", "count": 3, "capacity": 10}
    if shift is not None:
        van["shift"] = shift
    return {
        "name": "line",
        "hub": {"id": "HUB", "x": 0, "y": 0},
        "dcs": dcs,
        "vehicle_types": [van],
        "distances": {"metric": "euclidean"},
        "time": {"hub_hours": list(hub), "speed": 60},
    }


def plan(*routes: list[str]) -> Plan:
    return Plan.from_routes((f"van-{k}", stops) for k, stops in enumerate(routes, start=1))


def times(report: Any, vehicle: str = "van-1") -> list[tuple[float, ...]]:
    schedule = next(r.schedule for r in report.routes if r.vehicle == vehicle)
    return [(schedule.departure, schedule.return_time), *((s.arrival, s.wait, s.start, s.end) for s in schedule.stops)]


def test_a_route_leaves_just_in_time_for_its_window() -> None:
    instance = instance_from_dict(line({"DC1": [[60, 90]]}))
    report = check_plan(instance, plan(["DC1", "DC2"], ["DC3"]))
    assert report.feasible, report.violations
    # leave at 30, DC1 60-70, DC2 at 80-90, back at 90 + 40 = 130
    assert times(report) == [(30, 130), (60, 0, 60, 70), (80, 0, 80, 90)]
    assert times(report, "van-2") == [(0, 210), (100, 0, 100, 110)]


def test_one_minute_late_is_rejected_with_eq16() -> None:
    instance = instance_from_dict(line({"DC2": [[0, 49]]}))  # via DC1: 30 + 10 + 10 = 50
    report = check_plan(instance, plan(["DC1", "DC2"], ["DC3"]))
    assert not report.feasible
    assert [(v.equation, v.message) for v in report.violations] == [
        ("16", "DC2 reached at 00:50 by van-1, its window closed at 00:49 (1 min late)")
    ]
    assert check_plan(instance, plan(["DC2", "DC1"], ["DC3"])).feasible  # DC2 first: at 40


def test_on_time_to_the_minute_is_accepted() -> None:
    instance = instance_from_dict(line({"DC2": [[0, 50]]}))
    assert check_plan(instance, plan(["DC1", "DC2"], ["DC3"])).feasible


def test_a_missed_window_waits_for_the_next_one() -> None:
    # DC1 by 35, so leave by 5; DC2 at 55 misses 0-35 and waits for 100-120; back at 150
    instance = instance_from_dict(line({"DC1": [[0, 35]], "DC2": [[0, 35], [100, 120]]}))
    report = check_plan(instance, plan(["DC1", "DC2"], ["DC3"]))
    assert report.feasible, report.violations
    assert times(report) == [(5, 150), (35, 0, 35, 45), (55, 45, 100, 110)]


def test_several_windows_and_the_shortest_departure() -> None:
    # DC1 receives 40-50 or 200-260; DC2 receives 0-60 only. DC2 then DC1: DC2 at 40 (leave 0),
    # end 50, DC1 at 60: missed 50, so it waits until 200 -> back 240; or leave later? DC2 closes at
    # 60, so leave by 20: DC1 at 80, waits to 200 -> duration 240 - 20 = 220.
    instance = instance_from_dict(line({"DC1": [[40, 50], [200, 260]], "DC2": [[0, 60]]}))
    report = check_plan(instance, plan(["DC2", "DC1"], ["DC3"]))
    assert report.feasible
    assert times(report) == [(20, 240), (60, 0, 60, 70), (80, 120, 200, 210)]
    # DC1 then DC2: leave 10, DC1 40-50, DC2 at 60 (closes 60: on time), back 110: 100 minutes
    report = check_plan(instance, plan(["DC1", "DC2"], ["DC3"]))
    assert report.feasible
    assert times(report) == [(10, 110), (40, 0, 40, 50), (60, 0, 60, 70)]


def test_shift_is_judged_on_the_shortest_departure() -> None:
    data = line({"DC1": [[40, 50], [200, 260]], "DC2": [[0, 60]]}, shift=219)
    instance = instance_from_dict(data)
    report = check_plan(instance, plan(["DC2", "DC1"], ["DC3"]))
    assert [(v.equation, v.message) for v in report.violations] == [
        ("18", "vehicle van-1's route lasts 3h40 at best (leaving 00:20), longer than its shift of 3h39")
    ]
    data["vehicle_types"][0]["shift"] = 220
    assert check_plan(instance_from_dict(data), plan(["DC2", "DC1"], ["DC3"])).feasible


def test_returning_after_the_hub_closes_is_eq17() -> None:
    instance = instance_from_dict(line({}, hub=(0, 229)))
    report = check_plan(instance, plan(["DC1", "DC2", "DC3"]))
    # leave 0: DC1 30-40, DC2 50-60, DC3 120-130, back 230
    assert [(v.equation, v.message) for v in report.violations] == [
        ("17", "vehicle van-1 returns to the hub at 03:50, after it closes at 03:49")
    ]


def test_the_check_command_prints_times_and_json_schedules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    instance_path = tmp_path / "line.json"
    instance_path.write_text(json.dumps(line({"DC1": [[60, 90]]})))
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(plan(["DC1", "DC2"], ["DC3"]).to_dict()))
    code, out, err = run_cli(monkeypatch, capsys, "check", str(instance_path), str(plan_path))
    assert code == 0, err
    assert "van-1  leaves HUB 00:30, back 02:10: 1h40" in out
    assert "DC1  arrives 01:00, unloads 01:00-01:10" in out
    code, out, err = run_cli(monkeypatch, capsys, "check", str(instance_path), str(plan_path), "--json")
    schedules = json.loads(out)["schedules"]
    assert schedules[0]["departure"] == "00:30" and schedules[0]["stop_times"][1]["arrival_min"] == 80


def test_the_plan_file_records_the_schedule(tmp_path: Path) -> None:
    instance = instance_from_dict(line({"DC1": [[60, 90]]}))
    path = tmp_path / "plan.json"
    write_plan_json(plan(["DC1", "DC2"], ["DC3"]), path, instance)
    routes = json.loads(path.read_text())["routes"]
    assert routes[0]["schedule"]["departure"] == "00:30"
    assert routes[0]["schedule"]["duration_min"] == 100
    assert [s["start"] for s in routes[0]["schedule"]["stop_times"]] == ["01:00", "01:20"]


def test_the_map_popups_carry_the_times_and_windows() -> None:
    from milp_milkrun.plotting.web_map import map_data

    instance = instance_from_dict(line({"DC1": [[60, 90]]}))
    data = map_data(instance, plan(["DC1", "DC2"], ["DC3"]))
    dcs = {dc["id"]: dc for dc in data["dcs"]}  # type: ignore[attr-defined]
    assert dcs["DC1"]["windows"] == "01:00-01:30"
    assert dcs["DC2"]["visit"]["times"] == "arrives 01:20, unloads 01:20-01:30"
    assert data["routes"][0]["times"] == "leaves 00:30, back 02:10 (1h40)"  # type: ignore[index]
