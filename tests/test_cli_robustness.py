"""What a user meets first: stdout that stays JSON, output files checked before any work and written
whole, input that is huge, deep or out of range, and flags validated before anything runs."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import json_paths, patch_commands, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milp_milkrun.errors import InputError
from milp_milkrun.io import load_instance, load_plan, write_plan
from milp_milkrun.io.files import write_atomically
from milp_milkrun.plan import Plan

REPO = Path(__file__).resolve().parents[1]
TOY6 = str(REPO / "instances" / "toy6.json")
OPTIMUM = Plan.from_routes([("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4"]), ("small-2", ["DC6", "DC5"])])


def _milkrun(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "milp_milkrun", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


# ----- stdout stays valid JSON for every command that takes --json ------------------------------
@pytest.fixture(scope="module")
def toy6_plan(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    write_plan(OPTIMUM, path, load_instance(TOY6))
    return str(path)


PLAN = "<toy6 plan>"  # replaced by the path of a written plan of toy6
JSON_CASES = [
    ("solve", TOY6, "--time-limit", "20"),
    ("solve", TOY6, "--model", "strong", "--time-limit", "20"),
    ("solve", TOY6, "--model", "routes", "--time-limit", "20"),
    ("solve", TOY6, "--backend", "pulp", "--time-limit", "20"),
    ("solve", TOY6, "--backend", "pulp", "--solver", "highs", "--time-limit", "20"),
    ("heuristic", TOY6, "--time-limit", "2", "--log"),
    ("crosscheck", TOY6, "--time-limit", "20"),
    ("check", TOY6, PLAN),
    ("check", TOY6, PLAN, "--bound", "10"),
    ("emissions", TOY6, PLAN),
    ("fleet", TOY6, "--time-limit", "10", "--log"),
]


@pytest.mark.parametrize("args", JSON_CASES, ids=lambda args: " ".join(a for a in args if a not in (TOY6, PLAN)))
def test_every_json_command_prints_only_json_on_stdout(args: tuple[str, ...], toy6_plan: str) -> None:
    done = _milkrun(*(toy6_plan if a == PLAN else a for a in args), "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert isinstance(document, dict)
    if "--bound" in args:
        assert document["gap"] == pytest.approx(0.0, abs=1e-9)


def test_the_json_cases_cover_every_command_that_takes_json() -> None:
    import typer.main

    from milp_milkrun.cli import app

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    with_json = {name for name, command in commands.items() if any("--json" in p.opts for p in command.params)}
    assert with_json and with_json <= {args[0] for args in JSON_CASES}


# ----- output files ---------------------------------------------------------------------------------
def test_an_output_that_is_the_input_is_refused_and_the_input_is_untouched(tmp_path: Path) -> None:
    instance = tmp_path / "hub.json"
    instance.write_text(Path(TOY6).read_text())
    before = instance.read_bytes()
    done = _milkrun("solve", "hub.json", "--output", "./hub.json", "--time-limit", "5", cwd=tmp_path)
    assert done.returncode == 2 and "is an input of this command" in done.stderr and "Traceback" not in done.stderr
    assert instance.read_bytes() == before


@pytest.mark.parametrize(
    ("command", "flag", "target", "message"),
    [
        ("solve", "--output", "missing/plan.json", "does not exist"),
        ("solve", "--output", ".", "is a directory"),
        ("solve", "--output", "plan.txt", "unsupported extension"),
        ("solve", "--plot", "missing/routes.png", "does not exist"),
        ("solve", "--plot", "routes.gif", "unsupported extension"),
        ("heuristic", "--output", "missing/plan.json", "does not exist"),
        ("fleet", "--output", "missing/plan.json", "does not exist"),
        ("inspect", "--write", "missing/model.lp", "does not exist"),
        ("inspect", "--write", "model.txt", "unsupported extension"),
    ],
)
def test_unusable_output_paths_are_refused_before_any_work(
    command: str,
    flag: str,
    target: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    patch_commands(monkeypatch, "load_instance_for_cli", _must_not_run)
    code, out, err = run_cli(monkeypatch, capsys, command, TOY6, flag, target)
    assert code == 2 and message in err and flag in err and out == ""


def _must_not_run(*_: object, **__: object) -> None:
    raise AssertionError("the command started working before checking its output paths")


def test_convert_refuses_to_overwrite_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "a.json"
    source.write_text(Path(TOY6).read_text())
    code, _, err = run_cli(monkeypatch, capsys, "convert", str(source), str(source))
    assert code == 2 and "is an input of this command" in err


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old")

    def half_then_fail(temporary: Path) -> None:
        temporary.write_text("half a pl")
        raise OSError(28, "No space left on device")

    with pytest.raises(InputError, match="No space left on device"):
        write_atomically(target, half_then_fail)
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["plan.json"]


def test_a_write_error_after_the_solve_keeps_the_printed_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def disk_full(*_: object, **__: object) -> None:
        raise InputError(str(tmp_path / "plan.json"), "cannot write: No space left on device")

    monkeypatch.setattr("milp_milkrun.cli.solving.write_plan", disk_full)
    code, out, err = run_cli(monkeypatch, capsys, "solve", TOY6, "--output", str(tmp_path / "plan.json"), "--quiet")
    assert code == 2 and "No space left on device" in err
    assert "OPTIMAL" in out  # the result was printed before the write failed


def test_an_output_that_is_the_factors_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    factors = tmp_path / "factors.json"
    factors.write_text("{}")
    patch_commands(monkeypatch, "load_instance_for_cli", _must_not_run)
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "heuristic",
        TOY6,
        "--objective",
        "emissions",
        "--factors",
        str(factors),
        "--output",
        str(factors),
    )
    assert code == 2 and "--output" in err and "is an input of this command" in err
    assert factors.read_text() == "{}"


def test_a_rewritten_file_keeps_its_permissions_and_its_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    real.chmod(0o600)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomically(link, lambda temporary: temporary.write_text("new"))
    assert link.is_symlink() and real.read_text() == "new"
    assert real.stat().st_mode & 0o777 == 0o600
    fresh = tmp_path / "fresh.json"
    write_atomically(fresh, lambda temporary: temporary.write_text("x"))
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600


@pytest.mark.parametrize(
    ("out", "message"), [("toy6.json", "is a file; give a folder"), ("toy6.json/results", "cannot create the folder")]
)
def test_a_batch_results_folder_that_cannot_be_made_is_one_line(
    out: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "toy6.json").write_text(Path(TOY6).read_text())
    monkeypatch.setattr("milp_milkrun.batch.run_batch", _must_not_run)
    code, _, err = run_cli(monkeypatch, capsys, "batch", str(tmp_path), "--out", str(tmp_path / out))
    assert code == 2 and err.startswith("error: --out: ") and message in err


@pytest.mark.parametrize("hub", ["../outside", "a/b", "..", ""])
def test_a_batch_hub_name_cannot_write_outside_the_results_folder(hub: str, tmp_path: Path) -> None:
    from milp_milkrun.batch import load_hubs

    (tmp_path / "toy6.json").write_text(Path(TOY6).read_text())
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"hubs": [{"hub": hub, "instance": "toy6.json"}]}))
    with pytest.raises(InputError, match="plain name") as error:
        load_hubs(manifest)
    assert error.value.field.endswith("hubs[0].hub")


# ----- input that is huge, deep or out of range -------------------------------------------------
def _toy6_with(tmp_path: Path, text_change: tuple[str, str]) -> Path:
    text = Path(TOY6).read_text()
    assert text_change[0] in text
    path = tmp_path / "bad.json"
    path.write_text(text.replace(*text_change, 1))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('"demand": 6', '"demand": ' + "9" * 400), "dcs[0].demand: a 400-digit integer is out of range"),
        (
            ('"demand": 6', '"demand": ' + "9" * 5000),
            "dcs[0].demand: a 5000-digit integer is out of range",
        ),  # beyond Python's int parsing
        (('"capacity": 30', '"capacity": 1e400'), "vehicle_types[0].capacity: inf is out of range"),
        (('"capacity": 30', '"capacity": NaN'), "NaN is not a valid number"),
    ],
)
def test_numbers_out_of_range_name_their_field(
    change: tuple[str, str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "show", str(_toy6_with(tmp_path, change)))
    assert code == 2 and message in err and "Traceback" not in err


def test_deeply_nested_json_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000)
    code, _, err = run_cli(monkeypatch, capsys, "show", str(path))
    assert code == 2 and "nested too deeply" in err


def test_a_matrix_entry_that_is_not_a_number_is_named(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(
        json.dumps(
            {
                "hub": {"id": "H"},
                "dcs": [{"id": "A", "demand": 1}],
                "vehicle_types": [{"name": "t", "count": 1, "capacity": 5}],
                "distances": {"ids": ["H", "A"], "matrix": [[0, 3], [3, "x"]]},
            }
        )
    )
    with pytest.raises(InputError, match=r"distances\.matrix\[1\]\[1\]: expected a number"):
        load_instance(path)


def test_a_long_description_does_not_slow_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(Path(TOY6).read_text())
    data["description"] = "x" * 5_000_000  # one 5 MB word: textwrap alone takes minutes on it
    path = tmp_path / "long.json"
    path.write_text(json.dumps(data))
    code, out, _ = run_cli(monkeypatch, capsys, "show", str(path))
    assert code == 0 and "5,000,000 characters in all" in out and len(out) < 5_000


def test_a_large_matrix_still_names_an_entry_out_of_range(tmp_path: Path) -> None:
    size = 300
    matrix = [[float(abs(i - j)) for j in range(size)] for i in range(size)]
    matrix[217][5] = 1e300
    path = tmp_path / "m.json"
    path.write_text(
        json.dumps(
            {
                "hub": {"id": "H"},
                "dcs": [{"id": f"D{i}", "demand": 1} for i in range(1, size)],
                "vehicle_types": [{"name": "t", "count": size, "capacity": 5}],
                "distances": {"ids": ["H", *(f"D{i}" for i in range(1, size))], "matrix": matrix},
            }
        )
    )
    with pytest.raises(InputError, match=r"distances\.matrix\[217\]\[5\]: 1e\+300 is out of range"):
        load_instance(path)


def test_show_does_not_copy_the_distance_matrix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("milp_milkrun.io.json_instance._distances_dict", _must_not_run)  # the bulk of a large file
    code, out, _ = run_cli(monkeypatch, capsys, "show", TOY6)
    assert code == 0 and "forbidden      1: DC6 not by large" in out and "damaged roads  1: DC3 - DC4" in out


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "hub",
                    "dcs",
                    "id",
                    "demand",
                    "routes",
                    "stops",
                    "vehicle",
                    "vehicle_types",
                    "distances",
                    "x",
                    "y",
                    "capacity",
                    "count",
                    "name",
                ]
            )
            | st.text(max_size=6),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=JSON_VALUES | st.text(max_size=40))
def test_loaders_turn_any_malformed_json_into_an_input_error(document: object, tmp_path: Path) -> None:
    path = tmp_path / "fuzz.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    toy6 = load_instance(TOY6)
    for load in (load_instance, lambda p: load_plan(p, toy6)):
        try:
            load(path)
        except InputError:
            pass


@st.composite
def near_valid(draw: st.DrawFn, document: object) -> object:
    """``document`` with one to three fields replaced by any JSON value or deleted: it gets past the
    JSON parser and most of the schema, so the checks behind them are fuzzed too."""
    document = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(json_paths(document)))
        if not where:
            return draw(JSON_VALUES)
        parent: Any = document
        for part in where[:-1]:
            parent = parent[part]
        if draw(st.booleans()):
            del parent[where[-1]]
        else:
            parent[where[-1]] = draw(
                JSON_VALUES | st.sampled_from(["HUB", "DC1", "DC6", "large", "small-2", 0, -1, 10**20, 1e300])
            )
    return document


TOY6_PLAN = {"instance": "toy6", **OPTIMUM.to_dict()}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(instance=near_valid(json.loads(Path(TOY6).read_text())), plan=near_valid(TOY6_PLAN))
def test_loaders_turn_any_damaged_instance_or_plan_into_an_input_error(
    instance: object, plan: object, tmp_path: Path
) -> None:
    instance_path, plan_path = tmp_path / "instance.json", tmp_path / "plan.json"
    instance_path.write_text(json.dumps(instance))
    plan_path.write_text(json.dumps(plan))
    with contextlib.suppress(InputError):
        load_instance(instance_path)
    with contextlib.suppress(InputError):
        load_plan(plan_path, load_instance(TOY6))


# ----- flags and small things ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ("heuristic", TOY6, "--time-limit", "-1"),
        ("heuristic", TOY6, "--max-iterations", "-3"),
        ("heuristic", TOY6, "--seed", "-1"),
        ("solve", TOY6, "--gap", "-1"),
        ("solve", TOY6, "--gap", "2"),
        ("solve", TOY6, "--model", "strong", "--backend", "pulp"),
        ("batch", TOY6, "--out", "results", "--workers", "0"),
    ],
)
def test_bad_flags_are_refused_before_any_work(
    args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    patch_commands(monkeypatch, "load_instance_for_cli", _must_not_run)
    code, out, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2 and out == "" and err.startswith(f"error: {args[-2]}: ")


def test_choices_are_typed_and_listed(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "solve", TOY6, "--model", "nope")
    assert code == 2 and "'nope' is not one of 'auto', 'exact', 'strong', 'routes'" in err and "Traceback" not in err


@pytest.mark.parametrize(("flag", "value"), [("--seed", "-1"), ("--time-limit", "0"), ("--time-limit", "inf")])
def test_bad_batch_flags_are_refused_before_any_work(
    flag: str, value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("milp_milkrun.batch.load_hubs", _must_not_run)
    code, out, err = run_cli(
        monkeypatch, capsys, "batch", str(REPO / "instances"), "--out", str(tmp_path / "results"), flag, value
    )
    assert code == 2 and out == "" and err.startswith(f"error: {flag}: ")
    assert not (tmp_path / "results").exists()


def test_check_bound_zero_fails_before_the_verdict(
    toy6_plan: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "check", TOY6, toy6_plan, "--bound", "0")
    assert code == 2 and out == "" and "--bound: must be a positive number" in err


def test_a_plan_of_another_instance_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"instance": "ecom74", **OPTIMUM.to_dict()}))
    code, _, err = run_cli(monkeypatch, capsys, "check", TOY6, str(plan))
    assert code == 2 and "'ecom74'" in err and "'toy6'" in err


def test_routes_written_with_the_hub_at_both_ends_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps({"routes": [{"vehicle": r.vehicle, "stops": ["HUB", *r.stops, "HUB"]} for r in OPTIMUM.routes]})
    )
    code, out, _ = run_cli(monkeypatch, capsys, "check", TOY6, str(plan))
    assert code == 0 and "FEASIBLE" in out


def test_a_fleet_too_small_is_a_warning(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from shared_data import CVRPLIB

    if not CVRPLIB.is_dir():
        pytest.skip(f"CVRPLIB samples not found at {CVRPLIB}")
    code, out, err = run_cli(monkeypatch, capsys, "show", str(CVRPLIB / "P-n16-k8.vrp"), "--vehicles", "3")
    assert code == 0 and "exceeds the fleet's capacity" in out and "warning:" in err


def test_help_shows_flags_as_flags_and_no_ticket_numbers() -> None:
    import typer.main
    from typer.testing import CliRunner

    from milp_milkrun.cli import app

    runner = CliRunner()
    commands = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert {"solve", "check", "heuristic", "batch"} <= set(commands)
    for command in [None, *commands]:
        result = runner.invoke(app, [command, "--help"] if command else ["--help"], terminal_width=200)
        assert result.exit_code == 0 and "<bool>" not in result.output and "issue" not in result.output.lower(), command


def test_no_ticket_numbers_in_what_a_user_reads() -> None:
    """Docs, help texts, messages, benchmark scripts and tests: ticket numbers mean nothing to a user."""
    ticket = re.compile(r"\bissues? ?#?\d+", re.IGNORECASE)
    files = [
        REPO / "README.md",
        *(REPO / "docs").glob("*.md"),
        *(REPO / "milp_milkrun").rglob("*.py"),
        *(REPO / "benchmarks").glob("*.py"),
        *(REPO / "tests").glob("*.py"),
        *(REPO / "instances").glob("*.py"),
    ]
    found = [
        f"{path.relative_to(REPO)}: {match.group()}"
        for path in files
        for match in ticket.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found


def test_the_python_api_is_quiet_by_default(capfd: pytest.CaptureFixture[str]) -> None:
    from milp_milkrun.solve import solve

    result = solve(load_instance(TOY6))
    out, err = capfd.readouterr()
    assert result.status == "optimal" and out == "" and err == ""
    assert result.bound == result.objective and result.gap == 0.0  # float noise clamped
