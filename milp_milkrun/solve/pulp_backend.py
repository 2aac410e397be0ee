"""Solve the PuLP build of the exact model with CBC (bundled with PuLP) or with HiGHS through PuLP.

PuLP's own status codes are lossy (CBC stopped on its time limit with a plan comes back as
"Optimal"), so the status is decided here from PuLP's *solution* status and the solver itself: the
CBC log (best possible bound, gap exit) or the HiGHS model status and dual bound.  A bound the
solver did not report stays ``None``; every plan goes through the independent checker via
:func:`make_result`.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import highspy
import pulp

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.models.exact_pulp import PulpExactModel, build_exact_pulp
from milp_milkrun.options import SolveOptions
from milp_milkrun.plan import Plan
from milp_milkrun.result import RunContext, SolveResult, Status, make_result
from milp_milkrun.runtime.highs import (  # importing it consumes HiGHS's stdout banner before PuLP makes a Highs
    GRACE_SECONDS,
    SOLVER_LOG,
    SolverAbandoned,
    has_feasible_solution,
    reported_bound,
    route_log,
    run_interruptibly,
    solver_seed,
)
from milp_milkrun.solve.arcs_to_plan import follow_arcs
from milp_milkrun.time_segments import plan_fits_in_time, plan_times, window_of

SOLVERS = ("cbc", "highs")
MIN_SOLVER_SECONDS = 1.0  # the solver always gets at least this much, even when building used the budget
OVERRUN_NOTE_SECONDS = 2.0  # a run longer than the time limit plus this says so in its message
CBC_STOP_MARGIN = 0.5  # CBC's own limit ends this long before the deadline, so it usually stops by itself
MIN_CBC_SECONDS = 0.1  # CBC's -sec when less is left (the deadline still stops it)


def _seconds_left(deadline: float) -> float:
    return max(MIN_SOLVER_SECONDS, deadline - time.perf_counter())


@dataclass(frozen=True)
class Outcome:
    """What a solver run established: status, whether x holds a plan, the best bound, a note."""

    status: Status
    has_plan: bool
    bound: float | None
    message: str = ""


def solve_exact_pulp(instance: Instance, options: SolveOptions | None = None, solver: str = "cbc") -> SolveResult:
    """Build Equations 1-14 + (2b) in PuLP and solve with ``solver`` ("cbc" or "highs").

    The time limit covers building, hand-off and search: the solver gets what is left (at least 1 s).

    Parameters
    ----------
    instance : Instance
        The instance to solve.
    options : SolveOptions, optional
        Time limit, gap, threads, seed, log and MIP start (default: ``SolveOptions()``).
    solver : str
        ``cbc`` or ``highs``.

    Returns
    -------
    SolveResult
        The checked plan, the bound the solver reported and the derived status.
    """
    started = time.perf_counter()
    options = options or SolveOptions()
    return solve_pulp_model(build_exact_pulp(instance, objective=options.objective), options, solver, started=started)


def solve_pulp_model(
    model: PulpExactModel, options: SolveOptions | None = None, solver: str = "cbc", *, started: float | None = None
) -> SolveResult:
    """Solve an already built PuLP model (``crosscheck`` hands it a deliberately perturbed one).

    Parameters
    ----------
    model : PulpExactModel
        A model from :func:`~milp_milkrun.models.exact_pulp.build_exact_pulp`.
    options : SolveOptions, optional
        Time limit, gap, threads, seed, log and MIP start (default: ``SolveOptions()``).
    solver : str
        ``cbc`` or ``highs``.
    started : float, optional
        The ``time.perf_counter()`` at which the time limit began (default: now).

    Returns
    -------
    SolveResult
        The checked plan, the bound the solver reported and the derived status.
    """
    options = options or SolveOptions()
    if solver not in SOLVERS:
        raise InputError("solver", f"unknown solver {solver!r} for the pulp backend; choose from {', '.join(SOLVERS)}")
    started = time.perf_counter() if started is None else started
    notes: list[str] = []
    start = options.warm_start
    start_objective = _set_warm_start(model, start, notes) if start is not None else None
    deadline = started + options.time_limit
    try:
        outcome = _run_cbc(model, options, deadline) if solver == "cbc" else _run_highs(model, options, deadline)
    except SolverAbandoned as abandoned:  # HiGHS did not stop in time after its cancel: keep the start, no bound
        outcome = Outcome("no_solution", False, None, str(abandoned))
    plan = follow_arcs(model.instance, model.arcs_by_vehicle()) if outcome.has_plan else None
    runtime = time.perf_counter() - started
    if runtime > options.time_limit + OVERRUN_NOTE_SECONDS:  # CBC checks its clock only now and then
        notes.append(f"{solver} overran the time limit: {runtime:.1f} s for a limit of {options.time_limit:g} s")
    return make_result(
        RunContext.of(model.instance, options, model="exact", backend=f"pulp-{solver}", started=started),
        status=outcome.status,
        plan=plan,
        bound=outcome.bound,
        runtime_s=runtime,
        message="; ".join(n for n in [*notes, outcome.message] if n),
        start=start if start_objective is not None else None,  # never worse than a start that passes the checker
    )


def solve_relaxation_pulp(model: PulpExactModel, time_limit: float) -> tuple[str, float | None]:
    """The LP relaxation (integrality dropped) solved by CBC's LP solver CLP.

    Parameters
    ----------
    model : PulpExactModel
        A model from :func:`~milp_milkrun.models.exact_pulp.build_exact_pulp`.
    time_limit : float
        Seconds for the LP.

    Returns
    -------
    tuple[str, float or None]
        The status, "optimal", "infeasible" or "unknown", and the optimum (None unless optimal).
    """
    solver = pulp.PULP_CBC_CMD(mip=False, msg=False, timeLimit=time_limit, _skip_v4_deprecation=True)
    model.problem.solve(solver)
    if model.problem.status == pulp.LpStatusInfeasible:
        return "infeasible", None
    if model.problem.sol_status == pulp.LpSolutionOptimal:
        return "optimal", _objective_value(model.problem)
    return "unknown", None


# ----- MIP start ---------------------------------------------------------------------------------
def _set_warm_start(model: PulpExactModel, plan: Plan, notes: list[str]) -> float | None:
    """Give every x and u an initial value from ``plan`` and return its distance.

    A plan the checker rejects is not used (None, with a note saying why).
    """
    instance = model.instance
    report = check_plan(instance, plan)
    if not report.feasible:
        notes.append(f"warm start ignored: it breaks ({report.violations[0].equation}) {report.violations[0].message}")
        return None
    if not plan_fits_in_time(instance, plan):  # the checker's tolerance edge: no start values by the segments' rule
        notes.append("warm start ignored: a route has no schedule within its windows by the segments' rule")
        return None
    t_of = {v.name: t for t, v in enumerate(instance.vehicles)}
    chosen: set[tuple[int, int, int]] = set()
    for route in plan.used_routes():
        path = [0, *(instance.index[s] for s in route.stops), 0]
        chosen.update((t_of[route.vehicle], i, j) for i, j in zip(path, path[1:]))
        for position, stop in enumerate(route.stops, start=1):
            model.u[instance.index[stop]].setInitialValue(float(position))
    for key, var in model.x.items():
        var.setInitialValue(1.0 if key in chosen else 0.0)
    if instance.has_time:
        _set_time_start(model, plan)
    notes.append(f"warm start: a plan of distance {report.objective:.6g}")
    return report.objective


def _set_time_start(model: PulpExactModel, plan: Plan) -> None:
    """Each route's shortest schedule as the start of theta, dep, ret and y (Eq 15-18); service at a DC
    starts at the same time for every vehicle, an unused vehicle stays at the hub's opening."""
    instance = model.instance
    schedules = plan_times(instance, plan)
    opening = instance.hub_hours[0]  # type: ignore[index]
    for t, vehicle in enumerate(instance.vehicles):
        times = schedules.get(vehicle.name)
        model.dep[t].setInitialValue(times.departure if times else opening)
        model.ret[t].setInitialValue(times.return_time if times else opening)
    for route in plan.used_routes():
        for dc, start in zip(route.stops, schedules[route.vehicle].starts):
            j = instance.index[dc]
            for t in range(len(instance.vehicles)):
                model.theta[t, j].setInitialValue(start)
            chosen = window_of(instance, j, start)
            for (dc_index, w), var in model.y.items():
                if dc_index == j:
                    var.setInitialValue(float(w == chosen))


# ----- CBC -----------------------------------------------------------------------------------------
class _CbcWithDeadline(pulp.PULP_CBC_CMD):
    """PuLP's bundled CBC, run so that the deadline holds whatever CBC does.

    CBC's own limit (``-sec``) is checked only between phases: preprocessing and the root cut loop run
    past it (ecom74 with a 3 s limit took 8.3 s). So CBC is given the time left at its start minus
    :data:`CBC_STOP_MARGIN`, and at the deadline it is stopped like Ctrl-C stops it (SIGINT: CBC ends
    its search and writes the best plan it has); one that has not ended :data:`GRACE_SECONDS` later
    is killed, and the run keeps the MIP start (:func:`run_until`).
    """

    def __init__(self, *, deadline: float, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.deadline = deadline
        self.stopped = ""  # how the deadline ended the run: "stopped", "killed" or "late" (CBC not started)

    def actualSolve(self, lp: pulp.LpProblem, **kwargs: object) -> int:  # noqa: N802 (PuLP's name)
        """PuLP's ``solve_CBC`` with a deadline: the same files and options, CBC run by :func:`run_until`."""
        mps, sol, mst = (os.path.join(self.tmpDir, f"{uuid.uuid4().hex}-pulp.{ext}") for ext in ("mps", "sol", "mst"))
        try:
            if time.perf_counter() >= self.deadline:  # building used the time: CBC is not started
                return self._not_started(lp)
            names: Any = lp.writeMPS(mps, rename=1)
            if time.perf_counter() >= self.deadline:  # so did handing the model over
                return self._not_started(lp)
            args = [self.path, mps]
            if self.optionsDict.get("warmStart", False):
                self.writesol(mst, lp, *names[:3])
                args += ["-mips", mst]
            seconds = max(MIN_CBC_SECONDS, self.deadline - time.perf_counter() - CBC_STOP_MARGIN)
            args += ["-sec", f"{seconds:.3f}", *(f"-{option}" for option in self.options + self.getOptions())]
            args = [word for arg in args for word in arg.split(" ")]
            args += ["-solve", "-printingOptions", "all", "-solution", sol]
            self.stopped = run_until(args, self.optionsDict["logPath"], self.deadline)
            return self._read_solution(sol, lp, names[:3])
        finally:
            self.delete_tmp_files(mps, sol, mst)

    def _read_solution(self, path: str, lp: pulp.LpProblem, names: Any) -> int:
        """Assign CBC's values and status from its solution file; not solved when CBC left none whole."""
        if self.stopped != "killed" and os.path.exists(path):
            try:
                status, values, _, _, _, sol_status = self.readsol_MPS(path, lp, *names)
            except (IndexError, ValueError):  # a file cut short as CBC was stopped
                return _not_solved(lp)
            lp.assignVarsVals(values)
            lp.assignStatus(status, sol_status)
            return status
        return _not_solved(lp)

    def _not_started(self, lp: pulp.LpProblem) -> int:
        self.stopped = "late"
        return _not_solved(lp)


def _not_solved(lp: pulp.LpProblem) -> int:
    lp.assignStatus(pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound)
    return pulp.LpStatusNotSolved


def run_until(args: list[str], log_path: str, deadline: float, *, grace: float = GRACE_SECONDS) -> str:
    """Run a solver process with its output in ``log_path``, and stop it at ``deadline``.

    Parameters
    ----------
    args : list[str]
        The command line.
    log_path : str
        Where its standard output and error go.
    deadline : float
        The ``time.perf_counter()`` by which it must have ended: then it gets SIGINT (a solver's
        Ctrl-C: CBC ends its search and writes its best plan), and ``grace`` seconds later SIGKILL.
    grace : float
        Seconds between the two signals.

    Returns
    -------
    str
        ``""`` when the process ended by itself, ``"stopped"`` when it ended on SIGINT, ``"killed"``.
    """
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        try:
            process.wait(timeout=max(0.0, deadline - time.perf_counter()))
            return ""
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=grace)
                return "stopped"
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                return "killed"
        finally:
            if process.poll() is None:  # Ctrl-C while waiting: the solver must not outlive the run
                process.kill()
                process.wait()


def _run_cbc(model: PulpExactModel, options: SolveOptions, deadline: float) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="milkrun-cbc-") as tmp:
        log_path = os.path.join(tmp, "cbc.log")
        solver = _CbcWithDeadline(
            deadline=deadline,
            msg=False,
            gapRel=options.gap,
            threads=options.threads,
            warmStart=options.warm_start is not None,
            logPath=log_path,
            options=[f"randomSeed {solver_seed(options.seed)}", f"randomCbcSeed {solver_seed(options.seed)}"],
            _skip_v4_deprecation=True,
        )
        with _LogTail(log_path, enabled=options.log):
            model.problem.solve(solver)
        log = (
            Path(log_path).read_text(encoding="utf-8", errors="replace") if os.path.exists(log_path) else ""
        )  # none: not started
    outcome = _cbc_outcome(model.problem, log, options.gap)
    if solver.stopped:
        note = STOP_NOTES[solver.stopped]
        return Outcome(outcome.status, outcome.has_plan, outcome.bound, f"{note}; {outcome.message}")
    return outcome


STOP_NOTES = {
    "stopped": "CBC ran past its own limit and was stopped at the time limit (as by Ctrl-C)",
    "killed": "CBC did not stop at the time limit (a phase that checks no clock) and was ended",
    "late": "the time limit passed while the model was built and written for CBC, which was not started",
}


def _cbc_outcome(problem: pulp.LpProblem, log: str, gap: float) -> Outcome:
    """Decide the status from PuLP's solution status and the CBC log (PuLP's status alone is lossy)."""
    if problem.status == pulp.LpStatusInfeasible:
        if cbc_ran_out_of_time(log):  # seen on ecom74: preprocessing cut short by the limit says "infeasible"
            return Outcome(
                "no_solution", False, None, "CBC claimed infeasibility as its time limit expired; not trusted"
            )
        return Outcome("infeasible", False, None, "CBC proved the model infeasible")
    bound = cbc_bound(log)
    if problem.sol_status == pulp.LpSolutionOptimal:
        return Outcome("optimal", True, bound, "CBC: optimal within the requested gap")
    if problem.sol_status == pulp.LpSolutionIntegerFeasible:
        objective = _objective_value(problem)
        if bound is not None and (objective - bound) <= gap * abs(objective):
            return Outcome("optimal", True, bound, "CBC stopped with the gap already closed")
        return Outcome("feasible", True, bound, "CBC stopped on its time limit with a plan; gap open")
    return Outcome("no_solution", False, bound, "CBC stopped before finding a plan")


def _objective_value(problem: pulp.LpProblem) -> float:
    """The objective at the solver's values (0 for a problem without objective: a dropped eq01)."""
    return 0.0 if problem.objective is None else float(problem.objective.value() or 0.0)


def _last_float(pattern: str, text: str) -> float | None:
    found = re.findall(pattern, text, flags=re.MULTILINE)
    return float(found[-1]) if found else None


NUMBER = r"([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)"  # a float as CBC prints it


def cbc_bound(log: str) -> float | None:
    """The best lower bound CBC's log states.

    Parameters
    ----------
    log : str
        The text of a CBC log.

    Returns
    -------
    float or None
        The bound, or None when the log states none.
    """
    partial = _last_float(rf"Partial search - best objective \S+ \(best possible {NUMBER}\)", log)
    if partial is not None:  # stopped early: the search's own bound, to more digits than the summary
        return partial
    completed = _last_float(rf"Search completed - best objective {NUMBER}", log)
    gap_exit = _last_float(rf"Exiting as integer gap of {NUMBER}", log)
    if completed is not None and gap_exit is not None:  # stopped on the requested gap
        return completed - gap_exit
    if re.search(r"^Result - Optimal solution found\s*$", log, flags=re.MULTILINE):  # proven, no gap left
        return _last_float(rf"^Objective value:\s+{NUMBER}", log)
    return _last_float(rf"^Lower bound:\s+{NUMBER}", log)


def cbc_ran_out_of_time(log: str) -> bool:
    """True when CBC's wall clock reached the time limit it was given (both read from its log).

    Parameters
    ----------
    log : str
        The text of a CBC log.

    Returns
    -------
    bool
        Whether the run ended on its time limit.
    """
    limit = _last_float(rf"seconds was changed from \S+ to {NUMBER}", log)
    wall = _last_float(rf"\(Wallclock seconds\):\s+{NUMBER}", log)
    return limit is not None and (wall is None or wall >= limit)


class _LogTail:
    """Pass a growing log file, line by line, to the ``milp_milkrun.solver`` logger while the solver
    writes it (CBC's progress for the user)."""

    def __init__(self, path: str, *, enabled: bool) -> None:
        self.path = path
        self.enabled = enabled
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, daemon=True)

    def __enter__(self) -> _LogTail:
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._stop.set()
            self._thread.join()

    def _follow(self) -> None:
        while not os.path.exists(self.path):
            if self._stop.wait(0.05):
                return
        partial = ""  # a line CBC has not finished writing yet
        with open(self.path, encoding="utf-8", errors="replace") as f:
            while True:
                stopping = self._stop.wait(0.2)
                *lines, partial = (partial + f.read()).split("\n")
                if stopping and partial:
                    lines.append(partial)
                for line in lines:
                    SOLVER_LOG.info("%s", line)
                if stopping:
                    return


# ----- HiGHS through PuLP ---------------------------------------------------------------------------
class _HighsWithStart(pulp.HiGHS):
    """PuLP's HiGHS interface plus a MIP start taken from the variables' initial values."""

    def __init__(self, *, warm_start: bool, deadline: float, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.warm_start = warm_start
        self.deadline = deadline

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:
        super().createAndConfigureSolver(lp)
        lp.solverModel.setOptionValue("log_to_console", False)
        if self.msg:  # through the logging module: the caller decides where the log goes
            route_log(lp.solverModel, echo=True)

    def callSolver(self, lp: pulp.LpProblem) -> None:
        # PuLP hands the model over column by column before this point: count that time too
        lp.solverModel.setOptionValue("time_limit", _seconds_left(self.deadline))
        if self.warm_start:
            columns = lp.variables()
            values = [0.0] * len(columns)
            for var in columns:
                values[var.index] = var.varValue or 0.0
            start = highspy.HighsSolution()
            start.col_value = values
            lp.solverModel.setSolution(start)
        # in HiGHS's worker thread: cancelled at the deadline or on Ctrl-C, abandoned if it does not stop
        run_interruptibly(lp.solverModel, self.deadline)


def _run_highs(model: PulpExactModel, options: SolveOptions, deadline: float) -> Outcome:
    solver = _HighsWithStart(
        warm_start=options.warm_start is not None,
        deadline=deadline,
        msg=options.log,
        gapRel=options.gap,
        threads=options.threads,
        random_seed=solver_seed(options.seed),
    )
    model.problem.solve(solver)
    return _highs_outcome(model.problem.solverModel)


def _highs_outcome(highs: highspy.Highs) -> Outcome:
    """Decide the status from HiGHS itself: model status, primal solution status, dual bound."""
    status = highs.getModelStatus()
    info = highs.getInfo()
    has_plan = has_feasible_solution(highs)
    bound = reported_bound(info.mip_dual_bound)
    name = highs.modelStatusToString(status)
    # x is binary and u is not in the objective, so "unbounded or infeasible" can only be infeasible
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return Outcome("infeasible", False, None, "HiGHS proved the model infeasible")
    if status == highspy.HighsModelStatus.kOptimal and has_plan:
        return Outcome("optimal", True, bound, "HiGHS: optimal within the requested gap")
    if has_plan:
        return Outcome("feasible", True, bound, f"HiGHS stopped ({name}) with a plan; gap open")
    return Outcome("no_solution", False, bound, f"HiGHS stopped ({name}) before finding a plan")
