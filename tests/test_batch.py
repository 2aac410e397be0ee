"""`milkrun batch`: every hub solved and checked, results written atomically and reused on a rerun,
failures retried once then recorded, killed workers (local pool and a real Dask LocalCluster) and
Ctrl-C lose nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from cli_helpers import run_cli

from milp_milkrun.batch import BatchOptions, BatchReport, load_hubs, run_batch, summary_rows
from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.heuristics import solve_heuristic
from milp_milkrun.io import load_instance, load_plan
from milp_milkrun.reports.batch_progress import summary_table

REPO = Path(__file__).resolve().parents[1]
FAST = BatchOptions(time_limit=2.0)


def _network(folder: Path, hubs: int = 4, seed: int = 1) -> Path:
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "instances" / "generate.py"),
            "network",
            "--hubs",
            str(hubs),
            "--dcs",
            str(20 * hubs),
            "--seed",
            str(seed),
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return folder / "manifest.json"


def _batch(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "milp_milkrun.cli", "batch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )  # type: ignore[call-overload]


def _assert_every_hub_has_a_checked_plan(manifest: Path, out: Path) -> None:
    for task in load_hubs(manifest):
        stored = json.loads((out / task.hub / "result.json").read_text())
        assert stored["status"] in ("optimal", "feasible"), stored
        instance = load_instance(task.instance)
        assert check_plan(instance, load_plan(out / task.hub / "plan.json", instance)).feasible


def test_the_generated_network_has_varied_feasible_hubs(tmp_path: Path) -> None:
    manifest = _network(tmp_path / "net", hubs=3)
    data = json.loads(manifest.read_text())
    assert [h["dcs"] for h in data["hubs"]] and sum(h["dcs"] for h in data["hubs"]) == 60
    for task in load_hubs(manifest):
        instance = load_instance(task.instance)
        assert len(instance.vehicle_types) == 2 and instance.unit_mass_kg
        assert solve_heuristic(instance, max_iterations=50, seed=1).plan is not None


def test_a_batch_solves_every_hub_and_a_rerun_reuses_current_results(tmp_path: Path) -> None:
    manifest = _network(tmp_path / "net", hubs=3)
    out = tmp_path / "out"
    report = run_batch(load_hubs(manifest), out, FAST, workers=2)
    assert not report.failed and report.reused == 0 and len(report.rows) == 3
    _assert_every_hub_has_a_checked_plan(manifest, out)
    summary = (out / "summary.csv").read_text().splitlines()
    assert summary[0].startswith(
        "hub,status,distance,distance_unit,objective,objective_kind,objective_unit,vehicles"
    ) and summary[-1].startswith("NETWORK")
    assert run_batch(load_hubs(manifest), out, FAST, workers=2).reused == 3
    first = load_hubs(manifest)[0]
    data = json.loads(first.instance.read_text())
    data["dcs"][0]["demand"] += 48
    first.instance.write_text(json.dumps(data))
    assert run_batch(load_hubs(manifest), out, FAST, workers=2).reused == 2  # the changed hub is solved again
    assert run_batch(load_hubs(manifest), out, BatchOptions(time_limit=3.0), workers=2).reused == 0  # a changed option


def test_a_hub_with_bad_input_is_refused_before_any_hub_runs(tmp_path: Path) -> None:
    manifest = _network(tmp_path / "net", hubs=2)
    load_hubs(manifest)[1].instance.write_text('{"hub": ')  # malformed
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "milp_milkrun.cli",
            "batch",
            str(manifest),
            "--out",
            str(tmp_path / "out"),
            "--time-limit",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "H002: " in done.stderr and "malformed JSON" in done.stderr
    assert not (tmp_path / "out").exists()  # nothing was run, nothing written


def test_an_input_that_breaks_after_the_check_fails_once_and_is_not_retried(tmp_path: Path) -> None:
    manifest = _network(tmp_path / "net", hubs=2)
    hubs = load_hubs(manifest)

    def break_the_second_hub(progress: object, line: str) -> None:
        if line == "H001: started":  # checked already: the worker finds the file changed
            hubs[1].instance.write_text('{"hub": ')

    report = run_batch(hubs, tmp_path / "out", FAST, show=break_the_second_hub)
    stored = json.loads((tmp_path / "out" / "H002" / "result.json").read_text())
    assert report.failed == ["H002"] and stored["attempts"] == 1 and "malformed JSON" in stored["reason"]
    assert json.loads((tmp_path / "out" / "H001" / "result.json").read_text())["status"] in ("optimal", "feasible")


def _children(pid: int) -> list[int]:
    import psutil

    return [p.pid for p in psutil.Process(pid).children(recursive=True)]


def test_a_killed_local_worker_loses_no_hub(tmp_path: Path) -> None:
    manifest = _network(tmp_path / "net", hubs=4)
    batch = _batch(str(manifest), "--out", str(tmp_path / "out"), "--workers", "2", "--time-limit", "3")
    deadline = time.time() + 60
    while time.time() < deadline and len(_children(batch.pid)) < 2:
        time.sleep(0.2)
    time.sleep(1.0)  # the workers are solving
    os.kill(_children(batch.pid)[-1], signal.SIGKILL)
    out, err = batch.communicate(timeout=300)
    assert batch.returncode == 0, err
    _assert_every_hub_has_a_checked_plan(manifest, tmp_path / "out")
    attempts = [
        json.loads((tmp_path / "out" / t.hub / "result.json").read_text())["attempts"] for t in load_hubs(manifest)
    ]
    assert max(attempts) == 2  # the hubs in flight when the worker died ran again


def test_ctrl_c_keeps_every_finished_result(tmp_path: Path) -> None:
    manifest = _network(tmp_path / "net", hubs=4)
    out = tmp_path / "out"
    batch = _batch(str(manifest), "--out", str(out), "--workers", "1", "--time-limit", "3")
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob("*/result.json")):
        time.sleep(0.2)
    batch.send_signal(signal.SIGINT)
    _, err = batch.communicate(timeout=120)
    assert batch.returncode == 130 and "interrupted by Ctrl-C" in err and "Traceback" not in err
    finished = list(out.glob("*/result.json"))
    network = json.loads((out / "summary.json").read_text())[-1]["status"]  # counts out of the whole batch
    assert network.startswith(f"{len(finished)} of 4 with a plan") and (
        len(finished) == 4 or f"{4 - len(finished)} not run" in network
    )
    assert finished and all(json.loads(p.read_text())["status"] in ("optimal", "feasible") for p in finished)


def test_a_dask_cluster_with_a_killed_worker_loses_no_hub(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    manifest = _network(tmp_path / "net", hubs=4)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = list(client.run(os.getpid).values())
        killer = threading.Timer(3.0, os.kill, (pids[0], signal.SIGKILL))
        killer.start()
        try:
            report = run_batch(load_hubs(manifest), tmp_path / "out", FAST, scheduler=cluster.scheduler_address)
        finally:
            killer.cancel()
    assert not report.failed and len(report.rows) == 4
    _assert_every_hub_has_a_checked_plan(manifest, tmp_path / "out")


def test_a_batch_after_solving_in_this_process_does_not_hang(tmp_path: Path) -> None:
    """A forked worker of a process that has run HiGHS can deadlock; the pool spawns fresh workers."""
    from milp_milkrun.batch.tasks import solve_hub

    manifest = _network(tmp_path / "net", hubs=2, seed=5)
    tasks = load_hubs(manifest)
    solve_hub(str(tasks[0].instance), FAST.__dict__)  # HiGHS has now run in this process
    report = run_batch(tasks, tmp_path / "out", FAST, workers=2)
    assert not report.failed and len(report.rows) == 2


def _row(
    hub: str, kind: str = "distance", unit: str = "km", gap: float | None = 0.0, **extra: object
) -> dict[str, object]:
    return {
        "hub": hub,
        "status": "optimal",
        "distance": 100.0,
        "distance_unit": "km",
        "objective": 50.0,
        "objective_kind": kind,
        "objective_unit": unit,
        "vehicles": 2,
        "load": 30.0,
        "capacity": 40.0,
        "utilisation": 0.75,
        "gap": gap,
        "runtime_s": 1.0,
        "attempts": 1,
        "reason": None,
        **extra,
    }


def test_the_network_row_never_adds_different_objectives_and_keeps_distance_apart() -> None:
    report = BatchReport(rows={"A": _row("A"), "B": _row("B", kind="cost", unit="cost")}, hubs=["A", "B"])
    network = summary_rows(report)[-1]
    assert network["distance"] == 200.0 and network["distance_unit"] == "km"
    assert network["objective"] is None and network["objective_unit"] is None  # km and cost are not added
    assert network["utilisation"] == 0.75  # 60 carried / 80 of capacity
    table = summary_table(summary_rows(report))
    assert "50.0 cost" in table and "200.0 km" in table and table.splitlines()[-1].split()[-5] == "-"


def test_the_network_gap_is_unknown_when_any_hub_has_none_and_counts_are_out_of_the_whole() -> None:
    report = BatchReport(rows={"A": _row("A", gap=0.01), "B": _row("B", gap=None)}, hubs=["A", "B", "C", "D"])
    rows = summary_rows(report)
    assert rows[-1]["gap"] is None and rows[-1]["status"] == "2 of 4 with a plan, 2 not run"
    assert [r["status"] for r in rows[:-1]] == ["optimal", "optimal", "not run", "not run"]
    assert summary_rows(BatchReport(rows={"A": _row("A", gap=0.01)}, hubs=["A"]))[-1]["gap"] == 0.01


def _toy_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "net"
    folder.mkdir()
    (folder / "toy6.json").write_text((REPO / "instances" / "toy6.json").read_text())
    return folder


def test_a_results_folder_that_holds_an_input_is_refused(tmp_path: Path) -> None:
    folder = _toy_folder(tmp_path)
    with pytest.raises(InputError, match="holds the input toy6.json") as info:
        run_batch(load_hubs(folder), folder, FAST)
    assert info.value.field == "out" and sorted(p.name for p in folder.iterdir()) == ["toy6.json"]


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("not a url", "is not a scheduler address"),
        ("tcp://127.0.0.1", "is not a scheduler address"),
        ("tcp://127.0.0.1:1", "no Dask scheduler answered"),
    ],
)
def test_a_scheduler_that_is_malformed_or_unreachable_is_one_line_and_exit_2(
    address: str, words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if "answered" in words:
        pytest.importorskip("distributed")
    started = time.perf_counter()
    code, out, err = run_cli(
        monkeypatch, capsys, "batch", str(_toy_folder(tmp_path)), "--out", str(tmp_path / "out"), "--scheduler", address
    )
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("error: --scheduler: ") and words in err
    assert time.perf_counter() - started < 30  # a short connect timeout (5 s), not Dask's default


def test_bad_factors_are_refused_before_any_hub_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    factors = tmp_path / "factors.json"
    factors.write_text('{"vehicle_types": {"large": "no_such_profile"}}')
    code, out, err = run_cli(
        monkeypatch,
        capsys,
        "batch",
        str(_toy_folder(tmp_path)),
        "--out",
        str(tmp_path / "out"),
        "--objective",
        "emissions",
        "--factors",
        str(factors),
    )
    assert (
        code == 2
        and out == ""
        and err.count("\n") == 1
        and "no_such_profile" in err
        and not (tmp_path / "out").exists()
    )
