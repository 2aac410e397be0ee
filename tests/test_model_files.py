"""Model files a student can read: names in DC ids and vehicle names, single rows in algebra, LP bounds."""

from __future__ import annotations

from pathlib import Path

import highspy
import pytest
from cli_helpers import run_cli

from milp_milkrun.errors import InputError
from milp_milkrun.io import load_instance
from milp_milkrun.models.exact import build_exact_model
from milp_milkrun.reports.model_files import family_rows, lp_safe, mps_safe, node_table, write_readable_model
from milp_milkrun.runtime.highs import new_highs
from milp_milkrun.solve import SolveOptions, solve

ROOT = Path(__file__).resolve().parents[1]
TOY6 = ROOT / "instances" / "toy6.json"


@pytest.fixture(scope="module")
def toy6_optimum() -> float:
    result = solve(load_instance(TOY6), model="exact", options=SolveOptions(time_limit=30, log=False))
    assert result.status == "optimal" and result.check.feasible
    return result.objective


@pytest.mark.parametrize(
    ("suffix", "column", "row"),
    [(".lp", "x(HUB,DC1,large_1)", "eq05_capacity(large_1)"), (".mps", "x[HUB,DC1,large-1]", "eq05_capacity[large-1]")],
)
def test_written_file_names_dcs_and_vehicles_and_keeps_the_optimum(
    tmp_path: Path, suffix: str, column: str, row: str, toy6_optimum: float
) -> None:
    instance = load_instance(TOY6)
    path = tmp_path / f"model{suffix}"
    write_readable_model(instance, build_exact_model(instance), path)
    highs = new_highs()  # a plain HiGHS object reading the file alone
    assert highs.readModel(str(path)) == highspy.HighsStatus.kOk
    lp = highs.getLp()
    assert column in lp.col_names_ and "u" + ("(DC6)" if suffix == ".lp" else "[DC6]") in lp.col_names_
    assert row in lp.row_names_ and len(set(lp.row_names_)) == len(lp.row_names_)
    highs.run()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert highs.getInfo().objective_function_value == pytest.approx(toy6_optimum, abs=1e-6)


def test_names_are_made_safe_for_each_format() -> None:
    assert lp_safe("x[DC 5,DC-9,large+1]") == "x(DC_5,DC_9,large_1)"
    assert mps_safe("x[DC 5,DC-9,large-1]") == "x[DC_5,DC-9,large-1]"


def test_family_rows_in_readable_algebra() -> None:
    instance = load_instance(TOY6)
    model = build_exact_model(instance)
    (line,) = family_rows(instance, model, "eq05_capacity", vehicle="large-1")
    assert line.startswith("eq05_capacity[large-1]:  6 x[HUB,DC1,large-1] + 8 x[HUB,DC2,large-1]") and line.endswith(
        "<= 30"
    )
    (pair,) = family_rows(instance, model, "eq10_consecutive")
    assert pair == "eq10_consecutive[DC1,DC2]:  x[DC1,DC2,large-1] + x[DC1,DC2,small-1] + x[DC1,DC2,small-2] = 1"
    rows = family_rows(instance, model, "eq14_mtz", dc="DC3", limit=2)
    assert len(rows) == 3 and rows[-1] == "... and 8 more rows (--limit shows more)"
    with pytest.raises(InputError, match="unknown vehicle 'big-1'"):
        family_rows(instance, model, "eq05_capacity", vehicle="big-1")
    with pytest.raises(InputError, match="unknown equation family 'eq5'"):
        family_rows(instance, model, "eq5")


def test_node_table_maps_numbers_to_ids() -> None:
    lines = node_table(load_instance(TOY6)).splitlines()
    assert lines[1].split()[:2] == ["0", "HUB"] and lines[4].split()[:3] == ["3", "DC3", "5"]


def test_relaxations_are_ordered_and_below_the_optimum(toy6_optimum: float) -> None:
    from milp_milkrun.reports.relaxations import compare_relaxations

    exact, strong, routes = compare_relaxations(load_instance(TOY6), 20)
    assert exact.bound is not None and strong.bound is not None and routes.bound is not None
    assert exact.bound < routes.bound <= toy6_optimum + 1e-6  # the lesson: MTZ's LP is the weakest
    assert strong.bound <= toy6_optimum + 1e-6


def test_cli_inspect_shows_nodes_rows_and_writes_files(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, "inspect", str(TOY6), "--write", str(tmp_path / "m.lp"))
    assert code == 0 and "   3  DC3" in out and (tmp_path / "m.lp").exists()
    code, out, _ = run_cli(monkeypatch, capsys, "inspect", str(TOY6), "--family", "eq07_stops", "--vehicle", "small-1")
    assert code == 0 and out.startswith("eq07_stops[small-1]:")
    code, _, err = run_cli(monkeypatch, capsys, "inspect", str(TOY6), "--vehicle", "small-1")
    assert code == 2 and err.strip() == "error: --vehicle: needs --family (the family whose rows to print)"
    code, out, _ = run_cli(monkeypatch, capsys, "inspect", str(TOY6), "--relaxation", "--time-limit", "10")
    assert code == 0 and "route-based (set partitioning)" in out and "exact (three-index, MTZ)" in out
