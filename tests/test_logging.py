"""Progress and solver logs go through ``logging``: the CLI shows them on stderr, the library shows nothing."""

from __future__ import annotations

import ast
import io
import json
from pathlib import Path

import pytest
from cli_helpers import run_cli

from milp_milkrun.heuristics import solve_heuristic
from milp_milkrun.io import load_instance
from milp_milkrun.runtime.logs import show_log

REPO = Path(__file__).resolve().parents[1]
TOY6 = str(REPO / "instances" / "toy6.json")
# Where printing is the job: the CLI and the reports it prints. runtime/highs.py prints only the exit
# message of a SystemExit that os._exit would otherwise swallow (exits_past_abandoned_runs).
MAY_PRINT = {"runtime/highs.py"}
MAY_PRINT_FOLDERS = ("cli/", "reports/")


def test_solve_json_keeps_stdout_clean_and_is_quiet_unless_asked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "solve", TOY6, "--model", "exact", "--json", "--time-limit", "20")
    assert code == 0 and json.loads(out)["status"] == "optimal"
    assert "warm start: heuristic" not in err and "Solving report" not in err


def test_solve_json_with_the_log_on_sends_the_progress_to_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        monkeypatch, capsys, "solve", TOY6, "--model", "exact", "--json", "--log", "--time-limit", "20"
    )
    assert code == 0 and json.loads(out)["status"] == "optimal"  # stdout is the JSON document alone
    assert "warm start: heuristic (seed 20230718) found plan" in err  # the warm start's progress line
    assert "Solving report" in err  # HiGHS's own log


def test_solve_table_streams_the_log_to_stderr_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "solve", TOY6, "--model", "exact", "--time-limit", "20")
    assert code == 0 and "Solving report" in err and "warm start: heuristic" in err
    assert "Solving report" not in out and "warm start: heuristic" not in out


def test_heuristic_json_with_log_prints_its_progress_on_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        monkeypatch, capsys, "heuristic", TOY6, "--json", "--log", "--max-iterations", "50", "--time-limit", "5"
    )
    assert code == 0 and json.loads(out)["status"] == "feasible"
    assert "heuristic: seed 20230718" in err


def test_the_library_shows_nothing_until_the_caller_adds_a_handler(capfd: pytest.CaptureFixture[str]) -> None:
    instance = load_instance(TOY6)
    solve_heuristic(instance, log=True, max_iterations=20, time_limit=5)
    assert capfd.readouterr() == ("", "")  # log=True makes records; with no handler a notebook stays quiet
    shown = io.StringIO()
    with show_log(shown):
        solve_heuristic(instance, log=True, max_iterations=20, time_limit=5)
    assert shown.getvalue().startswith("heuristic: seed 20230718")
    assert capfd.readouterr() == ("", "")


def test_no_module_prints_outside_the_cli_and_the_reports() -> None:
    package = REPO / "milp_milkrun"
    printing = []
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        if name in MAY_PRINT or name.startswith(MAY_PRINT_FOLDERS):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                printing.append(f"{name}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr in ("redirect_stdout", "redirect_stderr"):
                printing.append(f"{name}:{node.lineno} ({node.attr})")
    assert not printing, f"use a logger (logging.getLogger(__name__)) instead: {printing}"
