"""`milkrun show`, `check` and `convert`: output, exit codes and the error line format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import run_cli

from milp_milkrun.io import load_instance

REPO = Path(__file__).resolve().parents[1]
INSTANCES = REPO / "instances"
TOY6 = str(INSTANCES / "toy6.json")


def write_plan_file(tmp_path: Path, routes: list[tuple[str, list[str]]]) -> str:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"routes": [{"vehicle": v, "stops": s} for v, s in routes]}))
    return str(path)


GOOD = [("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4", "DC5"]), ("small-2", ["DC6"])]


def test_show_ecom74_prints_the_published_figures(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "show", str(INSTANCES / "ecom74.json"))
    assert code == 0 and err == ""
    for figure in [
        "DCs            74",
        "total demand   17,424",
        "15 vehicles, total capacity 21,000",
        "3 x capacity   2,600   <= 10 DCs",
        "<= 750 km",
        "12 x capacity   1,100   <= 7 DCs",
        "<= 500 km",
        "DC5 not by large",
        "DC11 not by large",
        "DC55 -> DC24",
        "road factor 1.3",
        "splits         none",
    ]:
        assert figure in out, figure


def test_show_reports_splits_and_sends_warnings_to_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(Path(TOY6).read_text())
    data["dcs"][3]["demand"] = 70  # DC4 > 30: split into 30 + 30 + 10
    data["distances"] = {
        "ids": ["HUB", *(f"DC{k}" for k in range(1, 7))],
        "matrix": [[0 if i == j else 10 + i + 2 * j for j in range(7)] for i in range(7)],
    }
    path = tmp_path / "split.json"
    path.write_text(json.dumps(data))
    code, out, err = run_cli(monkeypatch, capsys, "show", str(path))
    assert code == 0
    assert "DC4 (70) -> DC4/1 (30), DC4/2 (30), DC4/3 (10)" in out and "6 (8 nodes after splitting)" in out
    assert "warning: the distance matrix is not symmetric" in err and "note: DC4" in err
    assert "warning:" not in out


def test_check_feasible_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, "check", TOY6, write_plan_file(tmp_path, GOOD))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("FEASIBLE") and "total distance 94 km, 3 routes" in lines[0]
    assert any(line.split()[:4] == ["large-1", "3/4", "19/30", "(63%)"] and "40/60" in line for line in lines)
    assert any("HUB DC4 DC5 HUB" in line for line in lines)


def test_check_infeasible_plan_lists_violations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = write_plan_file(tmp_path, [("large-1", ["DC2", "DC1", "DC3", "DC6"]), ("small-1", ["DC4", "DC5"])])
    code, out, _ = run_cli(monkeypatch, capsys, "check", TOY6, plan)
    assert code == 1 and out.startswith("INFEASIBLE: 3 violations")
    assert "(6) vehicle large-1 drives 68 > limit 60" in out
    assert "(8,9) DC DC6 may not be served by vehicle large-1" in out and "(10) DC2 must immediately follow DC1" in out


def test_check_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, "check", TOY6, write_plan_file(tmp_path, GOOD[:2]), "--json")
    data = json.loads(out)
    assert code == 1 and set(data) == {"feasible", "objective", "distance", "cost", "violations"}
    assert data["feasible"] is False and data["objective"] == 74
    assert data["violations"] == [{"equation": "3,4", "message": "DC DC6 is not visited"}]


def test_check_reads_sol_plans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.sol"
    path.write_text("Route #1: 1 2 3\nRoute #2: 4 5\nRoute #3: 6\nCost 94\n")
    code, out, _ = run_cli(monkeypatch, capsys, "check", TOY6, str(path))
    assert code == 0 and out.startswith("FEASIBLE")


def test_check_with_a_bad_plan_file_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"routes": [{"vehicle": "large-1", "stops": "DC1"}]}')
    code, out, err = run_cli(monkeypatch, capsys, "check", TOY6, str(path))
    assert code == 2 and err.startswith("error: routes[0].stops: route of large-1: expected a list") and out == ""


def test_convert_json_to_json_is_stable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert run_cli(monkeypatch, capsys, "convert", str(INSTANCES / "ecom74.json"), str(first))[0] == 0
    assert run_cli(monkeypatch, capsys, "convert", str(first), str(second))[0] == 0
    assert first.read_text() == second.read_text()
    original, converted = load_instance(INSTANCES / "ecom74.json"), load_instance(second)
    assert (original.distance == converted.distance).all() and original.forbidden == converted.forbidden


def test_convert_refuses_other_output_formats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "convert", TOY6, str(tmp_path / "out.txt"))
    assert code == 2 and "unsupported extension '.txt'; use .json, .vrp" in err and not (tmp_path / "out.txt").exists()


@pytest.mark.parametrize(
    "args",
    [["show", "missing.json"], ["check", TOY6, "missing.sol"], ["convert", "missing.vrp", "out.json"]],
    ids=["show", "check", "convert"],
)
def test_console_entry_point_gives_one_error_line(args: list[str], tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "milp_milkrun.cli", *args], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: missing.") and "no such file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stdout + result.stderr
