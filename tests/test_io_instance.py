"""The JSON instance loader: the schema, every semantic validation error, and the CLI's exit code 2."""

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
from milp_milkrun.instance import haversine_matrix
from milp_milkrun.io import instance_from_dict, instance_to_dict, load_instance

REPO = Path(__file__).resolve().parents[1]


def toy() -> dict[str, Any]:
    return {
        "name": "toy",
        "hub": {"id": "HUB", "x": 0, "y": 0},
        "dcs": [
            {"id": "DC1", "x": 10, "y": 0, "demand": 6},
            {"id": "DC2", "x": 10, "y": 10, "demand": 8},
            {"id": "DC3", "x": 0, "y": 10, "demand": 5},
        ],
        "vehicle_types": [
            {"name": "large", "count": 1, "capacity": 30, "max_distance": 60, "max_stops": 4},
            {"name": "small", "count": 2, "capacity": 15},
        ],
        "forbidden": [{"dc": "DC3", "vehicle_type": "large"}],
        "consecutive": [["DC1", "DC2"]],
        "damaged_roads": [["DC2", "HUB"]],
        "distances": {"metric": "euclidean", "round": "nearest"},
    }


def test_toy_loads_with_every_field() -> None:
    instance = instance_from_dict(toy())
    assert instance.node_ids == ("HUB", "DC1", "DC2", "DC3")
    assert [v.name for v in instance.vehicles] == ["large-1", "small-1", "small-2"]
    assert instance.forbidden == {("DC3", "large-1")}
    assert instance.consecutive == (("DC1", "DC2"),)
    assert instance.is_damaged("HUB", "DC2") and instance.is_damaged("DC2", "HUB")
    assert instance.dist("DC1", "DC3") == 14.0  # nint(sqrt(200))
    assert instance.vehicle_types[1].max_distance is None and instance.vehicle_types[1].max_stops is None
    assert instance.coordinates == "xy" and instance.distance_unit == "km"


def test_name_defaults_to_file_name(tmp_path: Path) -> None:
    data = toy()
    del data["name"]
    path = tmp_path / "depot_north.json"
    path.write_text(json.dumps(data))
    assert load_instance(path).name == "depot_north"


def test_haversine_uses_lat_lon_and_road_factor() -> None:
    data = toy()
    data["hub"] = {"id": "HUB", "lat": 28.61, "lon": 77.21}
    data["dcs"] = [
        {"id": f"DC{k}", "lat": 28.61 + 0.1 * k, "lon": 77.21 - 0.05 * (k - 1), "demand": 5} for k in (1, 2, 3)
    ]
    data["distances"] = {"metric": "haversine", "road_factor": 1.3}
    instance = instance_from_dict(data)
    lat = [28.61, 28.71, 28.81, 28.91]
    lon = [77.21, 77.21, 77.16, 77.11]
    assert np.allclose(instance.distance, haversine_matrix(lat, lon, 1.3))
    assert instance.hub.x == 77.21 and instance.hub.y == 28.61  # x = lon, y = lat
    # one degree of latitude is 111.2 km on the 6371.0088 km sphere
    assert instance.dist("HUB", "DC1") == pytest.approx(1.3 * 0.1 * 111.195, rel=1e-4)


def test_explicit_matrix_is_reordered_by_ids_and_asymmetry_warns() -> None:
    data = toy()
    data["distances"] = {
        "ids": ["DC3", "HUB", "DC2", "DC1"],
        "matrix": [[0, 7, 1, 2], [8, 0, 3, 4], [1, 3, 0, 5], [2, 4, 5, 0]],
    }
    instance = instance_from_dict(data)
    assert instance.dist("HUB", "DC3") == 8 and instance.dist("DC3", "HUB") == 7
    assert instance.dist("DC1", "DC2") == 5
    assert any("not symmetric" in w for w in instance.warnings)


def test_instance_to_dict_round_trip_keeps_everything() -> None:
    instance = instance_from_dict(toy())
    again = instance_from_dict(json.loads(json.dumps(instance_to_dict(instance))))
    assert np.array_equal(again.distance, instance.distance)
    assert np.array_equal(again.demand, instance.demand)
    assert again.vehicle_types == instance.vehicle_types
    assert again.forbidden == instance.forbidden
    assert again.consecutive == instance.consecutive
    assert again.damaged_roads == instance.damaged_roads


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation setting a dotted path (``dcs.1.demand``) of the toy document."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is DELETE:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return mutate


DELETE = object()
MATRIX_IDS = ["HUB", "DC1", "DC2", "DC3"]
GOOD_MATRIX = [[0, 1, 2, 3], [1, 0, 4, 5], [2, 4, 0, 6], [3, 5, 6, 0]]

# (case, mutation, field the error must name, text the message must contain)
INVALID: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("duplicate DC id", _set("dcs.2.id", "DC1"), "dcs[2].id", "DC1"),
    ("DC id equals hub id", _set("dcs.0.id", "HUB"), "dcs[0].id", "HUB"),
    ("DC id with slash", _set("dcs.0.id", "DC/1"), "dcs[0].id", "DC/1"),
    ("negative demand", _set("dcs.1.demand", -5), "dcs[1].demand", "DC2"),
    ("demand not a number", _set("dcs.1.demand", "many"), "dcs[1].demand", "DC2"),
    ("missing demand", _set("dcs.2.demand", DELETE), "dcs[2]", "DC3"),
    ("count below one", _set("vehicle_types.1.count", 0), "vehicle_types[1].count", "small"),
    ("count not an integer", _set("vehicle_types.1.count", 2.5), "vehicle_types[1].count", "small"),
    ("capacity zero", _set("vehicle_types.0.capacity", 0), "vehicle_types[0].capacity", "large"),
    ("capacity negative", _set("vehicle_types.1.capacity", -3), "vehicle_types[1].capacity", "small"),
    ("max_distance zero", _set("vehicle_types.0.max_distance", 0), "vehicle_types[0].max_distance", "large"),
    ("max_stops zero", _set("vehicle_types.0.max_stops", 0), "vehicle_types[0].max_stops", "large"),
    ("duplicate vehicle type", _set("vehicle_types.1.name", "large"), "vehicle_types[1].name", "large"),
    # a control character in the name the message shows is escaped (\x1e would start a line of its own)
    ("control character in a name", _set("vehicle_types.1.name", "\x1e"), "vehicle_types[1].name", "type '\\x1e'"),
    ("vehicle type name with space", _set("vehicle_types.1.name", "small van"), "vehicle_types[1].name", "small van"),
    ("forbidden unknown DC", _set("forbidden.0.dc", "DC9"), "forbidden[0].dc", "DC9"),
    ("forbidden unknown type", _set("forbidden.0.vehicle_type", "huge"), "forbidden[0].vehicle_type", "huge"),
    (
        "forbidden unknown vehicle",
        _set("forbidden", [{"dc": "DC1", "vehicle": "small-3"}]),
        "forbidden[0].vehicle",
        "small-3",
    ),
    ("forbidden without vehicle", _set("forbidden", [{"dc": "DC1"}]), "forbidden[0]", "vehicle_type"),
    (
        "forbidden for every vehicle",
        _set("forbidden", [{"dc": "DC3", "vehicle_type": "large"}, {"dc": "DC3", "vehicle_type": "small"}]),
        "forbidden",
        "DC3",
    ),
    ("consecutive unknown DC", _set("consecutive", [["DC1", "DC9"]]), "consecutive[0]", "DC9"),
    ("consecutive with the hub", _set("consecutive", [["HUB", "DC1"]]), "consecutive[0]", "HUB"),
    ("consecutive same DC", _set("consecutive", [["DC1", "DC1"]]), "consecutive[0]", "DC1"),
    ("consecutive not a pair", _set("consecutive", [["DC1", "DC2", "DC3"]]), "consecutive[0]", "at most 2"),
    ("consecutive listed twice", _set("consecutive", [["DC1", "DC2"], ["DC1", "DC2"]]), "consecutive[1]", "DC1"),
    ("consecutive also damaged", _set("damaged_roads", [["DC2", "DC1"]]), "consecutive[0]", "damaged"),
    ("consecutive two-cycle", _set("consecutive", [["DC1", "DC2"], ["DC2", "DC1"]]), "consecutive[1]", "cycle"),
    (
        "consecutive three-cycle",
        _set("consecutive", [["DC1", "DC2"], ["DC2", "DC3"], ["DC3", "DC1"]]),
        "consecutive",
        "cycle",
    ),
    ("consecutive two successors", _set("consecutive", [["DC1", "DC2"], ["DC1", "DC3"]]), "consecutive[1]", "DC1"),
    ("damaged unknown DC", _set("damaged_roads", [["DC9", "HUB"]]), "damaged_roads[0]", "DC9"),
    ("damaged listed both ways", _set("damaged_roads", [["DC2", "DC3"], ["DC3", "DC2"]]), "damaged_roads[1]", "DC3"),
    ("unknown top-level field", _set("vehicles", 3), "instance", "vehicles"),
    ("missing fleet", _set("vehicle_types", DELETE), "instance", "vehicle_types"),
    ("dcs not a list", _set("dcs", {"id": "DC1"}), "dcs", "a list"),
    ("no DCs", _set("dcs", []), "dcs", "at least 1"),
    ("latitude out of range", lambda d: d.update(hub={"id": "HUB", "lat": 95, "lon": 0}), "hub.lat", "<= 90"),
    ("x without y", _set("dcs.0.y", DELETE), "dcs[0]", "DC1"),
    (
        "mixed coordinates",
        lambda d: d["dcs"].__setitem__(1, {"id": "DC2", "lat": 1, "lon": 2, "demand": 3}),
        "dcs[1]",
        "DC2",
    ),
    ("hub with demand", _set("hub.demand", 4), "hub", "HUB"),
    ("haversine without lat/lon", _set("distances", {"metric": "haversine"}), "distances.metric", "lat/lon"),
    ("unknown metric", _set("distances", {"metric": "manhattan"}), "distances.metric", "manhattan"),
    ("road factor on euclidean", _set("distances.road_factor", 1.3), "distances.metric", "road_factor"),
    ("metric and matrix", _set("distances.matrix", GOOD_MATRIX), "distances", "either"),
    ("matrix without ids", _set("distances", {"matrix": GOOD_MATRIX}), "distances", "ids"),
    (
        "matrix ragged",
        _set("distances", {"ids": MATRIX_IDS, "matrix": [[0, 1, 2, 3], [1, 0, 4], [2, 4, 0, 6], [3, 5, 6, 0]]}),
        "distances.matrix[1]",
        "square",
    ),
    (
        "matrix too small for ids",
        _set("distances", {"ids": MATRIX_IDS, "matrix": [[0, 1], [1, 0]]}),
        "distances.ids",
        "4 ids",
    ),
    (
        "matrix missing a DC",
        _set("distances", {"ids": ["HUB", "DC1", "DC2", "DCX"], "matrix": GOOD_MATRIX}),
        "distances.ids",
        "DC3",
    ),
    (
        "matrix negative",
        _set("distances", {"ids": MATRIX_IDS, "matrix": [[0, 1, 2, 3], [1, 0, -4, 5], [2, 4, 0, 6], [3, 5, 6, 0]]}),
        "distances.matrix",
        "DC1 -> DC2",
    ),
    (
        "matrix entry not a number",
        _set("distances", {"ids": MATRIX_IDS, "matrix": [[0, 1, 2, 3], [1, 0, "x", 5], [2, 4, 0, 6], [3, 5, 6, 0]]}),
        "distances.matrix[1][2]",
        "a number",
    ),
    ("split DC in a consecutive pair", _set("dcs.0.demand", 40), "consecutive", "DC1"),
]


@pytest.mark.parametrize(
    ("mutation", "field", "text"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_invalid_instance_names_field_and_id(
    mutation: Callable[[dict[str, Any]], None],
    field: str,
    text: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = copy.deepcopy(toy())
    mutation(data)
    with pytest.raises(InputError) as error:
        instance_from_dict(data)
    assert error.value.field == field
    assert text in error.value.message
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    code, out, err = run_cli(monkeypatch, capsys, "show", str(path))
    assert code == 2
    assert err.startswith(f"error: {field}: ") and text in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in out + err


def test_several_schema_problems_report_the_first_and_count_the_rest() -> None:
    data = toy()
    data["dcs"][0]["demand"] = -1
    data["dcs"][2]["demand"] = "x"
    with pytest.raises(InputError) as error:
        instance_from_dict(data)
    assert error.value.field == "dcs[0].demand" and "1 more schema problem" in error.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"name": "x",\n  "dcs": [1,,2]}', "line 2, column"),
        ('{"name": "x"', "line 1, column"),
        ('{"name": NaN}', "NaN"),
        ("", "line 1, column 1"),
    ],
    ids=["double comma", "unclosed", "NaN", "empty file"],
)
def test_malformed_json_gives_line_and_column(
    text: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        load_instance(path)
    assert error.value.field == str(path) and expected in error.value.message
    code, out, err = run_cli(monkeypatch, capsys, "show", str(path))
    assert code == 2 and err.startswith(f"error: {path}: ") and "Traceback" not in out + err


def test_root_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    with pytest.raises(InputError, match="expected an object"):
        load_instance(path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("missing.json", "no such file"), ("folder.json", "directory"), ("instance.yaml", "unknown instance format")],
)
def test_unreadable_paths(
    name: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "folder.json").mkdir()
    (tmp_path / "instance.yaml").write_text("hub: x\n")
    path = tmp_path / name
    with pytest.raises(InputError, match=expected):
        load_instance(path)
    code, out, err = run_cli(monkeypatch, capsys, "show", str(path))
    assert code == 2 and expected in err and "Traceback" not in out + err


def test_vehicles_argument_is_refused_for_json() -> None:
    with pytest.raises(InputError) as error:
        load_instance(REPO / "instances" / "toy6.json", vehicles=4)
    assert error.value.field == "vehicles"


def test_packaged_schema_is_the_published_one() -> None:
    for name in ("instance", "plan"):
        packaged = json.loads((REPO / "milp_milkrun" / "io" / f"{name}.schema.json").read_text())
        published = json.loads((REPO / "docs" / f"{name}.schema.json").read_text())
        assert packaged == published, f"docs/{name}.schema.json differs from the packaged copy"


def test_every_shipped_instance_validates() -> None:
    files = sorted((REPO / "instances").glob("*.json"))
    instances = [f for f in files if "plan" not in f.stem]
    assert len(instances) >= 7
    for path in instances:
        assert load_instance(path).n_dcs >= 1
