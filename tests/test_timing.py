"""Time in the instance: reading minutes and HH:MM, every validation error, splits, the round trip
and the guard of the engines that do not state time."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cli_helpers import run_cli

from milp_milkrun.errors import InputError
from milp_milkrun.io import instance_from_dict, instance_to_dict
from milp_milkrun.timing import ENGINES, ENGINES_STATING_TIME, clock, parse_time, require_time_support


def timed() -> dict[str, Any]:
    """Three DCs 10 km apart on a grid, 60 km/h (1 km = 1 minute), hub open 05:00-21:00."""
    return {
        "name": "timed",
        "hub": {"id": "HUB", "x": 0, "y": 0},
        "dcs": [
            {
                "id": "DC1",
                "x": 10,
                "y": 0,
                "demand": 6,
                "windows": [["06:00", "09:00"], [840, "16:00"]],
                "service": "00:15",
            },
            {"id": "DC2", "x": 10, "y": 10, "demand": 8, "service_per_unit": 0.5},
            {"id": "DC3", "x": 0, "y": 10, "demand": 5, "windows": [["07:00", "07:30"]]},
        ],
        "vehicle_types": [
            {"name": "van", "count": 2, "capacity": 10, "shift": "08:00"},
            {"name": "bike", "count": 1, "capacity": 6, "speed": 30},
        ],
        "distances": {"metric": "euclidean"},
        "time": {"hub_hours": ["05:00", "21:00"], "speed": 60},
    }


def test_times_are_read_in_minutes_with_hub_hours_as_default_window() -> None:
    instance = instance_from_dict(timed())
    assert instance.has_time
    assert instance.hub_hours == (300.0, 1260.0)
    assert instance.windows[0] == ((300.0, 1260.0),)
    assert instance.windows[1] == ((360.0, 540.0), (840.0, 960.0))
    assert instance.windows[2] == ((300.0, 1260.0),)  # no windows: the hub's hours
    assert instance.service_time.tolist() == [0.0, 15.0, 4.0, 0.0]
    van, bike = instance.vehicle_types
    assert van.shift == 480.0 and van.speed is None and bike.speed == 30.0
    assert instance.travel_time(van)[0, 1] == pytest.approx(10.0)
    assert instance.travel_time("bike")[0, 1] == pytest.approx(20.0)
    assert instance.travel_time(van)[1, 2] == pytest.approx(10.0)


def test_an_instance_without_time_has_none() -> None:
    data = timed()
    del data["time"]
    for dc in data["dcs"]:
        for key in ("windows", "service", "service_per_unit"):
            dc.pop(key, None)
    for vt in data["vehicle_types"]:
        vt.pop("shift", None)
        vt.pop("speed", None)
    instance = instance_from_dict(data)
    assert not instance.has_time and instance.hub_hours is None
    assert "time" not in instance_to_dict(instance)
    with pytest.raises(ValueError, match="no time"):
        instance.travel_time("van")


def test_round_trip_keeps_every_time_field() -> None:
    instance = instance_from_dict(timed())
    again = instance_from_dict(instance_to_dict(instance))
    assert again.windows == instance.windows
    assert again.hub_hours == instance.hub_hours
    assert np.array_equal(again.service_time, instance.service_time)
    assert [(vt.shift, vt.speed) for vt in again.vehicle_types] == [
        (vt.shift, vt.speed) for vt in instance.vehicle_types
    ]
    assert np.array_equal(again.travel_time("bike"), instance.travel_time("bike"))


def test_travel_time_matrix_replaces_speeds_and_round_trips() -> None:
    data = timed()
    del data["time"]["speed"]
    del data["vehicle_types"][1]["speed"]
    ids = ["DC3", "HUB", "DC1", "DC2"]
    matrix = [[0, 7, 1, 2], [7, 0, 3, 4], [1, 3, 0, 5], [2, 4, 5, 0]]
    data["time"]["travel_time"] = {"ids": ids, "matrix": matrix}
    instance = instance_from_dict(data)
    travel = instance.travel_time("van")
    assert travel[0, 3] == 7 and travel[1, 3] == 1 and travel[0, 1] == 3
    assert instance.travel_time("bike") is travel
    again = instance_from_dict(instance_to_dict(instance))
    assert np.array_equal(again.travel_time("van"), travel)


def test_split_parts_keep_windows_and_take_their_own_service() -> None:
    data = timed()
    data["dcs"][1]["demand"] = 25  # split into 10 + 10 + 5 by the vans
    instance = instance_from_dict(data)
    parts = [dc for dc in instance.dcs if dc.origin == "DC2"]
    assert [p.demand for p in parts] == [10, 10, 5]
    index = [instance.index[p.id] for p in parts]
    assert instance.service_time[index].tolist() == [5.0, 5.0, 2.5]
    data["dcs"][2]["demand"] = 25
    instance = instance_from_dict(data)
    assert all(
        instance.windows[instance.index[dc.id]] == ((420.0, 450.0),) for dc in instance.dcs if dc.origin == "DC3"
    )
    assert instance_to_dict(instance)["dcs"][2]["windows"] == [[420, 450]]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            lambda d: d["dcs"][0].update(windows=[["09:00", "06:00"]]),
            "dcs[0].windows[0]",
            "closes at 06:00, before it opens at 09:00",
        ),
        (
            lambda d: d["dcs"][0].update(windows=[["06:00", "09:00"], ["08:00", "10:00"]]),
            "dcs[0].windows[1]",
            "sorted and disjoint",
        ),
        (
            lambda d: d["dcs"][0].update(windows=[["10:00", "11:00"], ["06:00", "07:00"]]),
            "dcs[0].windows[1]",
            "sorted and disjoint",
        ),
        (
            lambda d: d["dcs"][0].update(windows=[["06:00", "09:00"], ["09:00", "10:00"]]),
            "dcs[0].windows[1]",
            "merge touching",
        ),
        (lambda d: d["dcs"][0].update(windows=[[-5, 60]]), "dcs[0].windows[0][0]", "minutes"),
        (lambda d: d["dcs"][0].update(service=-1), "dcs[0].service", "minutes"),
        (lambda d: d["dcs"][0].update(service="7:5"), "dcs[0].service", "HH:MM"),
        (lambda d: d["dcs"][0].update(service_per_unit=-1), "dcs[0].service_per_unit", ">= 0"),
        (lambda d: d["dcs"][0].update(windows=[["21:30", "22:00"]]), "dcs[0].windows", "no vehicle can leave the hub"),
        (lambda d: d["dcs"][0].update(windows=[["04:00", "05:05"]]), "dcs[0].windows", "no vehicle can leave the hub"),
        (lambda d: d["dcs"][0].update(service=1000), "dcs[0].windows", "be back by 21:00"),
        (lambda d: d["time"].update(hub_hours=["21:00", "05:00"]), "time.hub_hours", "not after it opens"),
        (lambda d: d["time"].update(speed=0), "time.speed", "> 0"),
        (lambda d: d["vehicle_types"][1].update(speed=-3), "vehicle_types[1].speed", "> 0"),
        (lambda d: d["vehicle_types"][0].update(shift=0), "vehicle_types[0].shift", "> 0"),
        (lambda d: d["time"].pop("speed"), "vehicle_types[0].speed", "has no speed"),
        (
            lambda d: d["time"].update(travel_time={"ids": ["HUB"], "matrix": [[0]]}),
            "vehicle_types[1].speed",
            "give one or the other",
        ),
        (
            lambda d: (
                d["vehicle_types"][1].pop("speed"),
                d["time"].update(travel_time={"ids": ["HUB"], "matrix": [[0]]}),
            ),
            "time.speed",
            "not both",
        ),
        (lambda d: d.pop("time"), "dcs[0].windows", "no 'time' block"),
        (lambda d: d["hub"].update(service=5), "hub", "the hub has no demand, windows or service"),
        (lambda d: d["time"].pop("hub_hours"), "time", "hub_hours"),
    ],
)
def test_bad_time_fields_name_their_field(change: Callable[[dict[str, Any]], Any], field: str, words: str) -> None:
    data = copy.deepcopy(timed())
    change(data)
    with pytest.raises(InputError) as error:
        instance_from_dict(data)
    assert error.value.field == field, str(error.value)
    assert words in str(error.value)


def test_travel_matrix_shape_and_ids_are_checked() -> None:
    data = timed()
    del data["time"]["speed"]
    del data["vehicle_types"][1]["speed"]
    data["time"]["travel_time"] = {"ids": ["HUB", "DC1", "DC2"], "matrix": [[0, 1, 2], [1, 0, 3], [2, 3, 0]]}
    with pytest.raises(InputError, match=r"time\.travel_time\.ids: no matrix row for DC3"):
        instance_from_dict(data)
    data["time"]["travel_time"] = {
        "ids": ["HUB", "DC1", "DC2", "DC3"],
        "matrix": [[0, 1, 2, 3], [1, 0, 3], [2, 3, 0, 1], [3, 1, 1, 0]],
    }
    with pytest.raises(InputError, match=r"time\.travel_time\.matrix\[1\]"):
        instance_from_dict(data)


def test_a_window_reached_only_through_another_node_is_not_rejected() -> None:
    """The reachability check is a necessary condition: it uses shortest travel times, so a slow direct
    road does not make a DC unreachable when a faster detour exists."""
    data = timed()
    del data["time"]["speed"]
    del data["vehicle_types"][1]["speed"]
    data["time"]["hub_hours"] = [0, 100]
    data["dcs"][2]["windows"] = [[0, 30]]
    ids = ["HUB", "DC1", "DC2", "DC3"]
    data["time"]["travel_time"] = {
        "ids": ids,
        "matrix": [[0, 10, 40, 50], [10, 0, 50, 10], [40, 50, 0, 50], [50, 10, 50, 0]],
    }
    data["dcs"][0]["windows"] = [[0, 100]]
    data["dcs"][0]["service"] = 0
    instance_from_dict(data)  # DC3 at 20 through DC1, back at 40


@pytest.mark.parametrize(("text", "minutes"), [("06:30", 390), ("0:05", 5), ("26:00", 1560), (45, 45), (12.5, 12.5)])
def test_parse_time(text: float | str, minutes: float) -> None:
    assert parse_time(text, "f") == minutes


def test_clock_rounds_to_the_minute() -> None:
    assert clock(390) == "06:30"
    assert clock(1560.4) == "26:00"
    assert clock(59.6) == "01:00"


def test_every_engine_refuses_time_until_it_states_it() -> None:
    instance = instance_from_dict(timed())
    for engine in set(ENGINES) - ENGINES_STATING_TIME:
        with pytest.raises(InputError, match="does not handle time windows") as error:
            require_time_support(instance, engine)
        assert error.value.field == "time"
    data = timed()
    del data["time"]
    for dc in data["dcs"]:
        for key in ("windows", "service", "service_per_unit"):
            dc.pop(key, None)
    for vt in data["vehicle_types"]:
        vt.pop("shift", None)
        vt.pop("speed", None)
    for engine in ENGINES:
        require_time_support(instance_from_dict(data), engine)


@pytest.mark.parametrize(
    "args",
    [
        ["solve", "--model", "strong"],
        ["solve", "--model", "routes"],
        ["heuristic"],
        ["solve", "--model", "exact", "--backend", "pulp"],
        ["inspect"],
    ],
)
def test_cli_refuses_time_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    path = tmp_path / "timed.json"
    path.write_text(json.dumps(timed()))
    code, _, err = run_cli(monkeypatch, capsys, *args, str(path))
    if code == 0:
        pytest.skip(f"{' '.join(args)} states time")
    assert code == 2, err
    assert err.strip().count("\n") == 0 and "does not handle time windows" in err, err
