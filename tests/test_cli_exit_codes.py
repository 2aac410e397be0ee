"""One exit-code rule for every command (README "Exit codes", docs/formats.md "Limits and exit codes"):
0 done; 1 a plan or a batch failed its checks; 2 the request is wrong (one line on stderr, nothing on
stdout, nothing written); 130 interrupted (the outputs not written are named). Every command of the
app is run here; a new command must be added to COMMANDS."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import run_cli

from milp_milkrun.cli import HELP_ORDER, app
from milp_milkrun.plan import Plan

ROOT = Path(__file__).resolve().parents[1]
TOY6 = str(ROOT / "instances" / "toy6.json")
BROKEN = Plan.from_routes([("large-1", ["DC2", "DC1", "DC3", "DC4"]), ("small-1", ["DC5", "DC6"])])
GOOD = Plan.from_routes([("large-1", ["DC1", "DC2", "DC3"]), ("small-1", ["DC4"]), ("small-2", ["DC6", "DC5"])])


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """A broken plan, a plan naming a DC toy6 lacks, an infeasible instance (fleet too small), a network folder."""
    (tmp_path / "broken.json").write_text(json.dumps(BROKEN.to_dict()))
    (tmp_path / "good.json").write_text(json.dumps(GOOD.to_dict()))
    (tmp_path / "unknown_dc.json").write_text('{"routes": [{"vehicle": "large-1", "stops": ["DC1", "DC2", "DC99"]}]}')
    data = json.loads(Path(TOY6).read_text())
    data["vehicle_types"] = [dict(data["vehicle_types"][0], capacity=20), dict(data["vehicle_types"][1], count=1)]
    (tmp_path / "short.json").write_text(json.dumps(data))
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "toy6.json").write_text(Path(TOY6).read_text())
    return {k: str(tmp_path / f"{k}.json") for k in ("broken", "good", "unknown_dc", "short")} | {
        "net": str(tmp_path / "net"),
        "tmp": str(tmp_path),
    }


# command -> (arguments that succeed, that fail the checks (None: only reachable by a solver's
# disagreement or a failing hub, see test_batch / test_crosscheck), that are a wrong request)
COMMANDS: dict[str, tuple[list[str], list[str] | None, list[str]]] = {
    "show": ([TOY6], None, [TOY6, "--vehicles", "3"]),
    "check": ([TOY6, "{good}", "--json"], [TOY6, "{broken}"], [TOY6, "{broken}", "--bound", "inf"]),
    "convert": ([TOY6, "{tmp}/out.json"], None, [TOY6, TOY6]),
    "solve": ([TOY6, "--quiet", "--time-limit", "10"], ["{short}", "--quiet"], [TOY6, "--threads", "100000"]),
    "inspect": ([TOY6], None, [TOY6, "--relaxation", "--time-limit", "inf"]),
    "crosscheck": ([TOY6, "--time-limit", "20"], None, [TOY6, "--threads", "0"]),
    "heuristic": ([TOY6, "--max-iterations", "20"], ["{short}", "--max-iterations", "20"], [TOY6, "--seed", "-1"]),
    "emissions": ([TOY6, "{good}"], [TOY6, "{unknown_dc}"], [TOY6, "{broken}", "--json", "--csv"]),
    "batch": (["{net}", "--out", "{tmp}/results", "--time-limit", "5"], None, ["{net}", "--out", "{net}"]),
    "map": (
        [TOY6, "{good}", "-o", "{tmp}/ok.html"],
        [TOY6, "{broken}", "-o", "{tmp}/m.html"],
        [TOY6, "{broken}", "-o", "{tmp}/m.png"],
    ),
    "fleet": ([TOY6, "--time-limit", "10"], None, [TOY6, "--time-limit", "0"]),
    "serve": (["--openapi", "{tmp}/api.json"], None, ["--port", "70000"]),
}


def _args(args: list[str], files: dict[str, str]) -> list[str]:
    return [a.format(**files) for a in args]


def test_every_command_of_the_app_is_run_here() -> None:
    assert {c.name or c.callback.__name__ for c in app.registered_commands} == set(COMMANDS)  # type: ignore[union-attr]


def test_every_command_is_registered_in_help_order_and_reports_interrupts() -> None:
    assert [c.name for c in app.registered_commands] == list(HELP_ORDER)  # every command module was imported
    assert all(hasattr(c.callback, "__wrapped__") for c in app.registered_commands)  # wrapped by reports_interrupts


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_exit_codes_of_every_command(
    command: str, files: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ok, failing, wrong = COMMANDS[command]
    before = sorted(Path(files["tmp"]).rglob("*"))
    code, out, err = run_cli(monkeypatch, capsys, command, *_args(wrong, files))
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    assert sorted(Path(files["tmp"]).rglob("*")) == before  # a wrong request writes nothing
    code, out, err = run_cli(monkeypatch, capsys, command, *_args(ok, files))
    assert code == 0, err
    if failing is not None:
        code, out, err = run_cli(monkeypatch, capsys, command, *_args(failing, files))
        assert code == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("command", "engine", "outputs"),
    [
        (
            "solve",
            "milp_milkrun.cli.solving.solve_instance",
            ["--output", "{tmp}/p.json", "--plot", "{tmp}/p.png", "--map", "{tmp}/p.html"],
        ),
        (
            "heuristic",
            "milp_milkrun.heuristics.solve_heuristic",
            ["--output", "{tmp}/p.json", "--plot", "{tmp}/p.png", "--map", "{tmp}/p.html"],
        ),
        ("fleet", "milp_milkrun.fleet.recommend_fleet", ["--output", "{tmp}/p.json"]),
        ("show", "milp_milkrun.cli.instances.load_instance_for_cli", []),
    ],
)
def test_ctrl_c_is_exit_130_and_names_what_was_not_written(
    command: str,
    engine: str,
    outputs: list[str],
    files: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, interrupted)
    code, _, err = run_cli(monkeypatch, capsys, command, TOY6, *_args(outputs, files))
    assert code == 130 and err.count("\n") == 1 and err.startswith("interrupted (Ctrl-C)") and "Traceback" not in err
    for path in _args(outputs[1::2], files):
        assert path in err and not Path(path).exists()


def test_usage_errors_are_one_line_and_version_and_help_are_complete(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (
        ["solve"],
        ["solve", TOY6, "--threads", "x"],
        ["nope"],
        ["solve", TOY6, "--bogus"],
        ["inspect", TOY6, "--limit", "0"],
    ):
        code, out, err = run_cli(monkeypatch, capsys, *args)
        assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("error: "), (args, err)
    code, out, _ = run_cli(monkeypatch, capsys, "--version")
    assert code == 0 and out.startswith("milkrun ") and out.strip().split()[-1][0].isdigit()
    code, out, _ = run_cli(monkeypatch, capsys, "--help")
    listed = out[out.index("Commands:") :].splitlines()[1:]
    assert (
        code == 0
        and len(listed) == len(COMMANDS)
        and not any(line.rstrip().endswith(("...", "(e.g.")) for line in listed)
    )
    assert "130 interrupted" in out


def test_repeated_ctrl_c_during_a_heuristic_writes_or_names_every_output(tmp_path: Path) -> None:
    outputs = {"--output": tmp_path / "p.json", "--plot": tmp_path / "p.png", "--map": tmp_path / "p.html"}
    command = [
        sys.executable,
        "-m",
        "milp_milkrun",
        "heuristic",
        str(ROOT / "instances" / "ecom74.json"),
        "--time-limit",
        "60",
    ]
    proc = subprocess.Popen(
        [*command, *(str(a) for pair in outputs.items() for a in pair)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509 (a background shell ignores SIGINT)
    )
    time.sleep(4.0)  # searching by now
    for _ in range(3):
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        time.sleep(0.15)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (130, -signal.SIGINT) and "Traceback" not in err, err
    if proc.returncode == 130:  # (death by SIGINT only if Ctrl-C came while the interpreter was starting)
        assert all(path.exists() or str(path) in err for path in outputs.values()), (
            err
        )  # written, or named as not written
