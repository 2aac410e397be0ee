"""Solomon's VRPTW text files and VRPLIB files with time windows: every file reads, values match the
file by hand, the literature's convention reproduces a published optimum, conversion keeps it all."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import run_cli

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.io import instance_from_dict, instance_to_dict, load_instance
from milp_milkrun.plan import Plan

SOLOMON = Path(__file__).resolve().parents[2] / "shared" / "solomon"
FILES = sorted(SOLOMON.glob("*.txt"))
OPTIMA = json.loads((SOLOMON / "optima.json").read_text()) if SOLOMON.exists() else {}
pytestmark = pytest.mark.skipif(not FILES, reason="../shared/solomon is not available")

C101_25 = [
    [5, 3, 7, 8, 10, 11, 9, 6, 4, 2, 1],
    [13, 17, 18, 19, 15, 16, 14, 12],
    [20, 24, 25, 23, 22, 21],
]  # 191.3, 3 routes


def plan_of(routes: list[list[int]]) -> Plan:
    return Plan.from_routes((f"truck-{k}", [str(c) for c in route]) for k, route in enumerate(routes, start=1))


def test_every_file_reads_in_all_three_sizes() -> None:
    assert len(FILES) == 56
    for path in FILES:
        for customers in (25, 50, None):
            instance = load_instance(path, variant=str(customers) if customers else None)
            assert instance.n_dcs == (customers or 100)
            assert instance.has_time and instance.vehicle_types[0].unlimited
            # one route per customer is feasible in every Solomon instance: the reader's windows,
            # service times and hub hours agree with the checker's arithmetic on real data
            singles = Plan.from_routes((f"truck-{k}", [dc.id]) for k, dc in enumerate(instance.dcs, start=1))
            assert check_plan(instance, singles).feasible, path.name


def test_c101_values_match_the_file_by_hand() -> None:
    instance = load_instance(SOLOMON / "C101.txt", variant="25")
    assert instance.name == "C101.25"
    assert instance.hub_hours == (0.0, 1236.0)
    assert instance.vehicle_types[0].capacity == 200
    one = instance.index["1"]  # 45 68 demand 10, window 912-967, service 90; the depot is at 40 50
    assert instance.demand[one] == 10
    assert instance.windows[one] == ((912.0, 967.0),)
    assert instance.service_time[one] == 90
    assert instance.dist("0", "1") == 18.6  # sqrt(5^2 + 18^2) = 18.68..., truncated
    assert instance.travel_time("truck")[0, one] == 18.6
    assert instance.dist("1", "2") == 2.0  # (45, 68) - (45, 70)
    unrounded = load_instance(SOLOMON / "C101.txt", variant="25,none")
    assert unrounded.dist("0", "1") == pytest.approx(math.sqrt(349))
    assert "truncated to one decimal" in instance.description and "unrounded" in unrounded.description


def test_a_published_optimum_is_reproduced_under_the_default_convention() -> None:
    instance = load_instance(SOLOMON / "C101.txt", variant="25")
    report = check_plan(instance, plan_of(C101_25))
    assert report.feasible, report.violations
    assert report.distance == pytest.approx(OPTIMA["25"]["C101"]["value"], abs=1e-9)


@pytest.mark.parametrize(("closes", "late"), [(940, "0.6"), (941, None)])
def test_a_published_optimum_late_by_less_than_a_minute_is_rejected(
    tmp_path: Path, closes: int, late: str | None
) -> None:
    """Close customer 1's window just before or after the optimal plan reaches it (at 940.6)."""
    lines = (SOLOMON / "C101.txt").read_text().splitlines()
    row = next(k for k, line in enumerate(lines) if line.split()[:1] == ["1"])
    parts = lines[row].split()
    assert parts[4:6] == ["912", "967"]
    lines[row] = "  ".join([*parts[:5], str(closes), parts[6]])
    changed = tmp_path / "C101.txt"
    changed.write_text("\n".join(lines))
    report = check_plan(load_instance(changed, variant="25"), plan_of(C101_25))
    expected = (
        [] if late is None else [("16", f"1 reached at 15:41 by truck-1, its window closed at 15:40 ({late} min late)")]
    )
    assert [(v.equation, v.message) for v in report.violations] == expected


def test_convert_records_the_convention_and_round_trips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "r101_25.json"
    code, _, err = run_cli(monkeypatch, capsys, "convert", str(SOLOMON / "R101.txt"), str(target), "--variant", "25")
    assert code == 0, err
    data = json.loads(target.read_text())
    assert data["distances"] == {"metric": "euclidean", "round": "truncate1"}
    assert data["time"] == {"hub_hours": [0, 230], "speed": 60}
    original = load_instance(SOLOMON / "R101.txt", variant="25")
    again = load_instance(target)
    assert np.array_equal(again.distance, original.distance)
    assert again.windows == original.windows and np.array_equal(again.service_time, original.service_time)
    assert again.vehicle_types[0].unlimited


def test_fleet_size_and_bad_variants() -> None:
    instance = load_instance(SOLOMON / "RC201.txt", vehicles=25, variant="50")
    assert instance.vehicle_types[0].count == 25 and not instance.vehicle_types[0].unlimited
    for variant, words in (("101", "has 100 customers"), ("0", "cannot keep"), ("25,rounded", "not a Solomon variant")):
        with pytest.raises(InputError, match=words) as error:
            load_instance(SOLOMON / "C101.txt", variant=variant)
        assert error.value.field == "variant"


def test_vrplib_time_window_and_service_sections(tmp_path: Path) -> None:
    path = tmp_path / "tiny.vrp"
    path.write_text(
        "NAME : tiny\nTYPE : VRPTW\nDIMENSION : 3\nCAPACITY : 10\nVEHICLES : 2\nEDGE_WEIGHT_TYPE : EUC_2D\n"
        "NODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\nDEMAND_SECTION\n1 0\n2 3\n3 4\n"
        "TIME_WINDOW_SECTION\n1 0 100\n2 5 20\n3 10 50\nSERVICE_TIME_SECTION\n1 0\n2 2\n3 3\nDEPOT_SECTION\n1\n-1\nEOF\n"
    )
    instance = load_instance(path)
    assert instance.hub_hours == (0.0, 100.0)
    assert instance.windows[1:] == (((5.0, 20.0),), ((10.0, 50.0),))
    assert instance.service_time.tolist() == [0.0, 2.0, 3.0]
    assert instance.travel_time("truck")[0, 2] == 10.0  # EUC_2D, travel time = distance
    again = instance_from_dict(instance_to_dict(instance))
    assert again.windows == instance.windows
    report = check_plan(instance, Plan.from_routes([("truck-1", ["2", "3"])]))
    assert report.feasible  # leave 0: 2 at 5, ends 7; 3 at 12, ends 15; back 25
    schedule = report.routes[0].schedule
    assert schedule is not None and (schedule.departure, schedule.return_time) == (0.0, 25.0)
