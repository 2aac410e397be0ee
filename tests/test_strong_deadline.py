"""Deadlines and Ctrl-C around HiGHS: ``run_interruptibly`` (runtime/highs.py) and the strong model's cut
loop (solve/strong.py), which runs every LP and MIP through it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import highspy
import numpy as np

from milp_milkrun.checker import check_plan
from milp_milkrun.io import load_instance, load_plan
from milp_milkrun.models.strong import build_strong_model
from milp_milkrun.models.strong_routes import solution_from_plan
from milp_milkrun.runtime.highs import run_interruptibly

REPO = Path(__file__).resolve().parents[1]
SLACK_SECONDS = 5.0  # generous: the suite may run on a loaded 2-core machine


def _ecom74_and_plan():
    instance = load_instance(REPO / "instances" / "ecom74.json")
    plan = load_plan(REPO / "instances" / "ecom74_plan13.json", instance)
    return instance, plan, check_plan(instance, plan).objective


def test_a_mip_cancelled_at_its_deadline_keeps_its_incumbent_and_a_valid_bound() -> None:
    """ecom74's MIP is far from solved after 3 s and HiGHS has no time limit here: only the deadline stops
    it. The callbacks the cut loop relies on fire in HiGHS's worker thread, and the bound survives the cancel."""
    instance, plan, cost = _ecom74_and_plan()
    model = build_strong_model(instance)
    mip = model.to_highs()
    arcs = np.arange(model.n_arcs, dtype=np.int32)
    mip.setSolution(len(arcs), arcs, solution_from_plan(model, plan)[arcs])
    improving: list[float] = []
    limit_checks: list[float] = []
    mip.cbMipImprovingSolution.subscribe(lambda event: improving.append(event.data_out.objective_function_value))
    mip.cbMipInterrupt.subscribe(lambda event: limit_checks.append(event.data_out.mip_dual_bound))
    started = time.perf_counter()
    ctrl_c = run_interruptibly(mip, deadline=started + 3)
    assert time.perf_counter() - started < 3 + SLACK_SECONDS
    assert not ctrl_c and mip.getModelStatus() == highspy.HighsModelStatus.kInterrupt
    assert improving and limit_checks
    info = mip.getInfo()
    assert info.objective_function_value <= cost + 1e-6  # the incumbent (at worst the MIP start) is kept
    assert 0 < info.mip_dual_bound <= cost  # a finite, valid bound, not -inf


CTRL_C_IN_THE_CUT_LOOP = """
import json, os, signal, sys, threading
from milp_milkrun.io import load_instance, load_plan
from milp_milkrun.solve import SolveOptions
from milp_milkrun.solve.strong import solve_strong
instance = load_instance(sys.argv[1])
plan = load_plan(sys.argv[2], instance)
threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGINT)).start()
try:
    result = solve_strong(instance, SolveOptions(log=False, time_limit=60, warm_start=plan))
except KeyboardInterrupt:
    print(json.dumps({"escaped": True}))
else:
    print(json.dumps({"escaped": False, "interrupted": result.interrupted, "message": result.message,
                      "status": result.status, "objective": result.objective, "bound": result.bound}))
"""


def test_ctrl_c_stops_the_cut_loop_and_keeps_the_best_plan() -> None:
    """Ctrl-C during the LP rounds (in a HiGHS solve or between two) ends the solve with the plan so far.

    It runs in a process of its own: in the test process a signal can land in another library's
    garbage-collector callback (hypothesis installs one), where Python swallows the KeyboardInterrupt.
    """
    _, _, cost = _ecom74_and_plan()
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CTRL_C_IN_THE_CUT_LOOP,
            str(REPO / "instances" / "ecom74.json"),
            str(REPO / "instances" / "ecom74_plan13.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.perf_counter() - started
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert not outcome["escaped"], "Ctrl-C escaped the cut loop: the plan and bound found so far were lost"
    assert elapsed < 1.5 + SLACK_SECONDS + 3.0  # + starting Python and loading the instance
    assert outcome["interrupted"] and "interrupted by Ctrl-C" in outcome["message"]
    assert outcome["status"] == "feasible" and outcome["objective"] is not None and outcome["objective"] <= cost + 1e-6
    assert outcome["bound"] is None or 0 < outcome["bound"] <= outcome["objective"]


def test_a_mip_run_abandoned_past_its_deadline_keeps_the_bound_highs_reported(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A run left behind in a phase that checks no limit (golden_19 HVRPFD's MIP root, 10,189 reported) still
    raises the loop's bound to the best dual bound HiGHS reported through its callbacks before."""
    import milp_milkrun.solve.strong as strong
    from milp_milkrun.runtime.highs import SolverAbandoned
    from milp_milkrun.solve import SolveOptions

    instance, plan, cost = _ecom74_and_plan()
    options = SolveOptions(log=False, time_limit=60)
    loop = strong.CutLoop(build_strong_model(instance), options, time.perf_counter() + 60)
    loop.keep_if_cheaper(plan, by=0.0)
    reported: list[float] = []

    def abandoned_after_three_seconds(highs: highspy.Highs, deadline: float | None = None) -> bool:
        highs.cbMipInterrupt.subscribe(lambda event: reported.append(event.data_out.mip_dual_bound))
        run_interruptibly(highs, deadline=time.perf_counter() + 3)
        raise SolverAbandoned(interrupted=False)

    monkeypatch.setattr(strong, "run_interruptibly", abandoned_after_three_seconds)
    assert loop.best_bound == -np.inf
    assert loop.run_mip() == "stopped" and loop.abandoned
    finite = [b for b in reported if np.isfinite(b) and abs(b) < highspy.kHighsInf]
    assert finite, "HiGHS reported no dual bound within 3 s"
    assert loop.best_bound == loop.rounded(min(max(finite), cost))
    assert 0 < loop.best_bound <= cost
