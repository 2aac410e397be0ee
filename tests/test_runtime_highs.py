"""No HiGHS object the toolkit creates writes to standard output (HiGHS 1.16 prints a banner on fd 1)."""

from __future__ import annotations

import subprocess
import sys

import highspy


def _stdout_of(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_new_highs_and_later_plain_highs_objects_leave_stdout_empty() -> None:
    code = (
        "from milp_milkrun.runtime.highs import new_highs\nimport highspy\nnew_highs(); highspy.Highs(); print('end')"
    )
    assert _stdout_of(code) == "end\n"


def test_new_highs_is_silent_and_has_its_output_switched_off() -> None:
    from milp_milkrun.runtime.highs import new_highs

    assert new_highs().getOptionValue("output_flag")[1] is False
    assert isinstance(new_highs(), highspy.Highs)


# ----- the shared runtime: seed, log, status, interruptible runs ------------------------------------
def _knapsack() -> highspy.Highs:
    """max 5a + 4b + 3c s.t. 2a + 3b + c <= 4, binary: optimum 8 (a, c)."""
    import numpy as np

    from milp_milkrun.runtime.highs import new_highs

    h = new_highs()
    for cost in (-5.0, -4.0, -3.0):
        h.addVar(0.0, 1.0)
        h.changeColCost(h.getNumCol() - 1, cost)
    h.addRow(-highspy.kHighsInf, 4.0, 3, np.array([0, 1, 2], dtype=np.int32), np.array([2.0, 3.0, 1.0]))
    h.changeColsIntegrality(3, np.array([0, 1, 2], dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * 3))
    return h


def test_the_seed_is_wrapped_once_to_31_bits() -> None:
    from milp_milkrun.runtime.highs import MAX_SEED, solver_seed

    assert solver_seed(20230718) == 20230718
    assert solver_seed(MAX_SEED) == 0 and solver_seed(2**40 + 3) == (2**40 + 3) % MAX_SEED
    h = _knapsack()
    assert h.setOptionValue("random_seed", solver_seed(2**40 + 3)) == highspy.HighsStatus.kOk


def test_the_solver_log_goes_through_logging_only_when_asked(caplog, capsys) -> None:  # type: ignore[no-untyped-def]
    import logging

    from milp_milkrun.runtime.highs import SOLVER_LOG, route_log, run_interruptibly

    with caplog.at_level(logging.INFO, logger=SOLVER_LOG.name):
        quiet = _knapsack()
        route_log(quiet, echo=False)
        run_interruptibly(quiet)
        assert not [r for r in caplog.records if r.name == SOLVER_LOG.name]
        loud = _knapsack()
        route_log(loud, echo=True)
        run_interruptibly(loud)
    lines = [r.getMessage() for r in caplog.records if r.name == SOLVER_LOG.name]
    assert any("Solving report" in line for line in lines)
    assert all("\n" not in line for line in lines)  # one record per line
    assert capsys.readouterr().out == ""  # the library shows nothing itself: the caller's handlers decide


def test_status_helpers_read_the_enum_not_a_number() -> None:
    from milp_milkrun.runtime.highs import claims_optimal, dual_bound, has_feasible_solution, run_interruptibly

    h = _knapsack()
    assert not has_feasible_solution(h) and dual_bound(h) is None
    assert run_interruptibly(h, deadline=None) is False
    assert has_feasible_solution(h) and claims_optimal(h)
    assert dual_bound(h) == -8.0


def test_a_reported_bound_is_none_where_highs_has_none() -> None:
    from milp_milkrun.runtime.highs import reported_bound

    assert reported_bound(-8.0) == -8.0
    for none in (float("inf"), -float("inf"), float("nan"), highspy.kHighsInf, -highspy.kHighsInf):
        assert reported_bound(none) is None


def test_no_backend_keeps_its_own_copy_of_the_runtime() -> None:
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "milp_milkrun"
    for path in package.rglob("*.py"):
        if path.name == "highs.py" and path.parent.name == "runtime":
            continue
        text = path.read_text()
        assert "def run_interruptibly" not in text and "def _echo_log" not in text, path
        assert "2_147_483_647" not in text and "primal_solution_status == 2" not in text, path


def _tiny_lp(highs: highspy.Highs) -> None:
    """min x s.t. x >= 1."""
    highs.addVar(1.0, highspy.kHighsInf)
    highs.changeColCost(0, 1.0)


def test_a_run_still_going_elsewhere_does_not_block_a_new_object() -> None:
    # highspy 1.16 shares its run locks between all Highs objects: a run abandoned in another thread
    # made every later startSolve fail with "Solver is already running."
    import threading

    from milp_milkrun.runtime.highs import new_highs, run_interruptibly

    busy = new_highs()
    held, release = threading.Event(), threading.Event()

    def running_elsewhere() -> None:  # holds busy's run lock, as its solver thread does while it runs
        with busy._Highs__solver_stopped:
            held.set()
            release.wait(10)

    thread = threading.Thread(target=running_elsewhere)
    thread.start()
    held.wait(10)
    try:
        fresh = new_highs()
        _tiny_lp(fresh)
        assert run_interruptibly(fresh) is False
        assert fresh.getInfo().objective_function_value == 1.0
    finally:
        release.set()
        thread.join()


def _covering_lp(rows: int = 300, cols: int = 400) -> highspy.Highs:
    """min c x s.t. A x >= 1, x >= 0 with a dense random A (seed 0): a run of some hundredths of a second."""
    import numpy as np

    from milp_milkrun.runtime.highs import new_highs

    rng = np.random.default_rng(0)
    h = new_highs()
    for _ in range(cols):
        h.addVar(0.0, highspy.kHighsInf)
        h.changeColCost(h.getNumCol() - 1, 1.0 + rng.random())
    every = np.arange(cols, dtype=np.int32)
    for _ in range(rows):
        h.addRow(1.0, highspy.kHighsInf, cols, every, rng.random(cols))
    return h


def test_the_next_run_of_a_long_used_object_gets_its_whole_limit() -> None:
    """HiGHS's clock runs on across the runs of one object: once its runs took longer in all than the next limit, that
    limit given bare stops the run at once; given through limit_next_run, the run solves."""
    import time

    from milp_milkrun.runtime.highs import limit_next_run

    h = _covering_lp()
    started = time.perf_counter()
    h.run()
    one = time.perf_counter() - started
    while h.getRunTime() < 10 * one + 0.5:
        h.clearSolver()
        h.run()
    limit = 5 * one + 0.2  # well above a run, below the clock
    h.clearSolver()
    h.setOptionValue("time_limit", limit)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit  # HiGHS 1.16's clock, the trap
    h.clearSolver()
    limit_next_run(h, limit)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
