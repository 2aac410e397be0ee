"""Every request bounded before work starts: counts typed in never grow memory, sizes and
cores have documented limits, a stalled search stops, and messages are clear and grammatical."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from cli_helpers import run_cli

from milp_milkrun.errors import InputError
from milp_milkrun.heuristics import solve_heuristic
from milp_milkrun.heuristics.metaheuristic import SearchParams
from milp_milkrun.io import load_instance
from milp_milkrun.reports.fleet_table import saving_line
from milp_milkrun.request_limits import MAX_DC_NODES, MAX_FILE_BYTES, available_cores, check_file_size, usable_count
from milp_milkrun.solve import SolveOptions, solve

ROOT = Path(__file__).resolve().parents[1]
TOY6 = ROOT / "instances" / "toy6.json"
VRP = """NAME : tiny-n4
TYPE : CVRP
DIMENSION : 4
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 0 0
2 3 0
3 0 4
4 3 4
DEMAND_SECTION
1 0
2 4
3 5
4 6
DEPOT_SECTION
1
-1
EOF
"""


def _toy6(tmp_path: Path, **changes: object) -> Path:
    data = json.loads(TOY6.read_text())
    for key, value in changes.items():
        kind, k, field = key.split("__")
        data[kind][int(k)][field] = value
    path = tmp_path / "toy6x.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("count", [7, 100_000, 10**9, 10**15])
def test_a_huge_vehicle_count_builds_only_the_vehicles_a_plan_can_use(count: int, tmp_path: Path) -> None:
    instance = load_instance(_toy6(tmp_path, vehicle_types__0__count=count))
    large = instance.vehicle_types[0]
    assert large.count == 6 and not large.unlimited  # six DC nodes: no plan uses a seventh large vehicle
    assert any(f"{count:,} vehicles stated, no plan uses more than 6" in w for w in instance.warnings)
    # as many as you like: the same optimum as an unlimited large type (built by its own rule)
    unlimited = json.loads(TOY6.read_text())
    del unlimited["vehicle_types"][0]["count"]
    (tmp_path / "unlimited.json").write_text(json.dumps(unlimited))
    expected = solve(load_instance(tmp_path / "unlimited.json"), options=SolveOptions(time_limit=30))
    assert solve(instance, options=SolveOptions(time_limit=30)).objective == pytest.approx(expected.objective)


def test_vehicles_named_in_a_forbidden_entry_are_kept_beyond_the_cap(tmp_path: Path) -> None:
    data = json.loads(TOY6.read_text())
    data["vehicle_types"][0]["count"] = 10**9
    data["forbidden"].append({"dc": "DC1", "vehicle": "large-500"})
    path = tmp_path / "named.json"
    path.write_text(json.dumps(data))
    instance = load_instance(path)
    assert instance.vehicle_types[0].count == 506 and ("DC1", "large-500") in instance.forbidden
    assert usable_count(10, 6, 0) == 6 and usable_count(3, 6, 0) == 3 and usable_count(10**9, 6, 500) == 506


def test_the_vehicles_flag_of_a_vrp_file_is_capped_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tiny.vrp").write_text(VRP)
    code, out, err = run_cli(monkeypatch, capsys, "show", str(tmp_path / "tiny.vrp"), "--vehicles", "1000000000")
    assert code == 0 and "3 vehicles" in out and "1,000,000,000 vehicles stated" in err


def test_dc_nodes_and_file_sizes_have_documented_limits(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"at most {MAX_DC_NODES:,} are supported") as info:
        load_instance(_toy6(tmp_path, dcs__0__demand=1e14))  # 3.3e12 split parts
    assert info.value.field == "dcs"
    with pytest.raises(InputError, match="input files may be at most"):
        check_file_size(TOY6, MAX_FILE_BYTES + 1)
    check_file_size(TOY6, MAX_FILE_BYTES)
    assert (
        f"{MAX_DC_NODES:,}" in (ROOT / "docs" / "formats.md").read_text()
        and f"{MAX_FILE_BYTES:,}" in (ROOT / "docs" / "formats.md").read_text()
    )


def test_a_device_or_pipe_is_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.json")  # reading it would wait forever; /dev/zero would fill the memory
    (tmp_path / "zero.vrp").symlink_to("/dev/zero")
    for name in ("pipe.json", "zero.vrp"):
        code, out, err = run_cli(monkeypatch, capsys, "show", str(tmp_path / name))
        assert code == 2 and out == "" and err == f"error: {tmp_path / name}: is not a regular file\n"


def test_threads_above_the_cores_available_are_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cores = available_cores()
    code, out, err = run_cli(monkeypatch, capsys, "solve", str(TOY6), "--threads", str(cores + 1))
    assert (
        code == 2
        and out == ""
        and err
        == f"error: --threads: solver threads must be between 1 and the {cores} core{'s' if cores > 1 else ''} available, got {cores + 1}\n"
    )
    assert SolveOptions(threads=cores).threads == cores


def test_a_stalled_search_stops_at_the_same_iteration_for_a_seed() -> None:
    instance = load_instance(TOY6)
    runs = [solve_heuristic(instance, time_limit=60, seed=3, params=SearchParams(stall_cycles=1)) for _ in range(2)]
    assert (
        all("stopped early: no better plan in the last" in r.message for r in runs)
        and runs[0].message == runs[1].message
    )
    assert runs[0].objective == 94  # the optimum, found long before the stall
    assert SearchParams(stall_cycles=0).stall_limit(1500, None) is None and SearchParams().stall_limit(1500, 300) == 300


def test_a_saving_against_an_unbounded_current_plan_is_qualified() -> None:
    result = SimpleNamespace(bound=None)
    rec = SimpleNamespace(
        current=SimpleNamespace(cost=125_451.0, result=result), saving=6_038.7, proven_saving=None, currency="INR"
    )
    line = saving_line(rec, rec.saving)  # type: ignore[arg-type]
    assert line.startswith("saves 6,038.7 INR (4.8%)") and "not proven: the current fleet's plan has no bound" in line


def test_messages_are_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(TOY6.read_text())
    for vt in data["vehicle_types"]:
        del vt["count"]
    (tmp_path / "unlimited.json").write_text(json.dumps(data))
    code, out, _ = run_cli(monkeypatch, capsys, "convert", str(tmp_path / "unlimited.json"), str(tmp_path / "out.json"))
    assert code == 0 and out.strip().endswith("(6 DCs, unlimited fleet)")
    code, _, err = run_cli(monkeypatch, capsys, "show", str(_toy6(tmp_path, dcs__0__id="DC\x001")))
    assert code == 2 and "must be printable" in err
    code, _, err = run_cli(monkeypatch, capsys, "show", str(_toy6(tmp_path, vehicle_types__0__name="big truck")))
    assert code == 2 and "may not contain spaces" in err and "^[" not in err  # no regular expression shown
    plan = tmp_path / "one.json"
    plan.write_text('{"routes": [{"vehicle": "large-1", "stops": ["DC1", "DC2"]}]}')
    code, out, _ = run_cli(monkeypatch, capsys, "map", str(TOY6), str(plan), "-o", str(tmp_path / "m.html"))
    assert code == 1 and "(1 route, " in out and "broken rules marked" in out
