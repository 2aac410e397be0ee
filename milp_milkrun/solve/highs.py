"""Solve the exact model (models/exact.py) with HiGHS, embedded through ``highspy``.

The hand-off (:mod:`milp_milkrun.models.highs_handoff`) reads the rows of the Pyomo model straight
into a ``highspy.Highs`` object. We then drive that object for what a plain solve call cannot do:

* pass a MIP start (``Highs.setSolution``) — the HiGHS log then shows it as an "X" (user solution) line;
* run the search in a worker thread so that Ctrl-C cancels it cleanly and the best plan and bound
  found so far are kept (``Highs.startSolve`` / ``cancelSolve``);
* send the log through the ``logging`` module (a logging callback, records of the
  ``milp_milkrun.solver`` logger), so that the caller decides where it goes and stdout stays valid
  JSON under ``milkrun solve --json``.

The time limit covers the whole call: building, hand-off and search.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import highspy
import numpy as np

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import CheckFailedError, InputError
from milp_milkrun.instance import Instance
from milp_milkrun.models.exact import build_exact_model, time_start
from milp_milkrun.models.families import EXACT_FAMILIES, TIME_FAMILIES
from milp_milkrun.models.highs_handoff import HighsHandoff, hand_off
from milp_milkrun.options import SolveOptions
from milp_milkrun.plan import Plan
from milp_milkrun.result import RunContext, SolveResult, Status, make_result
from milp_milkrun.runtime.highs import (
    SolverAbandoned,
    claims_less_than_its_solution,
    echo_log,
    has_feasible_solution,
    reported_bound,
    run_interruptibly,
    search_again_without_start,
    solver_seed,
)
from milp_milkrun.runtime.iis import irreducible_rows
from milp_milkrun.solve.arcs_to_plan import RouteExtractionError, follow_arcs
from milp_milkrun.time_segments import plan_fits_in_time

MODEL = "exact"
BACKEND = "highs"
MIN_SEARCH_SECONDS = 1.0  # HiGHS always gets this long, even when building used up the time limit
ARC_THRESHOLD = 0.5  # a binary x above this is a selected arc


def solve_exact_highs(instance: Instance, options: SolveOptions) -> SolveResult:
    """Build, hand off and solve the exact model; the result's plan is verified by the checker.

    Parameters
    ----------
    instance : Instance
        The instance to solve.
    options : SolveOptions
        Time limit (the build included), gap, threads, seed, log and MIP start.

    Returns
    -------
    SolveResult
        The checked plan, HiGHS's dual bound and the derived status.
    """
    started = time.perf_counter()
    context = RunContext.of(instance, options, model=MODEL, backend=BACKEND, started=started)
    notes: list[str] = []
    start = _usable_warm_start(instance, options.warm_start, notes)
    try:
        run = hand_off(build_exact_model(instance, context.costs))
    except KeyboardInterrupt:  # Ctrl-C before the search: the warm start is all there is
        return make_result(
            context,
            status="feasible" if start else "no_solution",
            plan=start[1] if start else None,
            bound=None,
            message="; ".join(["interrupted by Ctrl-C while building the model", *notes]),
        )
    log = _Log(echo=options.log)
    _configure(run.highs, options, log, remaining=options.time_limit - (time.perf_counter() - started))
    if start is not None:
        _set_mip_start(run, instance, start[1])
    deadline = started + options.time_limit
    progress = _Progress(run)
    try:
        interrupted = run_interruptibly(run.highs, _search_deadline(deadline))
        if start is not None:
            notes.append(log.start_verdict(start[0]))
            if not interrupted and claims_less_than_its_solution(run.highs):
                reported = run.highs.getInfo().objective_function_value
                notes.append(
                    f"HiGHS reported {reported:.6g} for a plan that costs more, so it searched again without the MIP start"
                )
                progress.reset()
                remaining = options.time_limit - (time.perf_counter() - started)
                interrupted = search_again_without_start(
                    run.highs, max(remaining, MIN_SEARCH_SECONDS), _search_deadline(deadline)
                )
    except SolverAbandoned as abandoned:  # HiGHS is inside a phase that checks no limit: keep what we have
        return progress.result(context, start, abandoned, notes)
    return _result(context, run, start, interrupted, notes, deadline)


def _search_deadline(deadline: float) -> float:
    """The wall-clock point at which the search is cancelled: the deadline, or MIN_SEARCH_SECONDS from now."""
    return max(deadline, time.perf_counter() + MIN_SEARCH_SECONDS)


class _Progress:
    """The best plan and dual bound HiGHS reported through its callbacks, for a run that is abandoned
    (its object may not be read while it still runs)."""

    def __init__(self, run: HighsHandoff) -> None:
        self.run = run
        self.reset()
        run.highs.cbMipImprovingSolution.subscribe(self._solution)
        run.highs.cbMipInterrupt.subscribe(self._bound)

    def reset(self) -> None:
        self.solution: np.ndarray | None = None
        self.bound: float | None = None

    def _solution(self, event: highspy.highs.HighsCallbackEvent) -> None:
        self.solution = np.array(event.data_out.mip_solution)

    def _bound(self, event: highspy.highs.HighsCallbackEvent) -> None:
        value = reported_bound(event.data_out.mip_dual_bound)
        if value is not None:
            self.bound = value

    def result(
        self, context: RunContext, start: tuple[float, Plan] | None, abandoned: SolverAbandoned, notes: list[str]
    ) -> SolveResult:
        """The plan from the last improving solution (or the MIP start, whichever is cheaper) and the last bound."""
        plan = _plan_from_values(context.instance, self.run, self.solution) if self.solution is not None else None
        why = "interrupted by Ctrl-C" if abandoned.interrupted else "time limit reached"
        return make_result(
            context,
            status="feasible" if plan is not None else "no_solution",
            plan=plan,
            bound=self.bound,
            message="; ".join([f"{why}: {abandoned}", *notes]),
            interrupted=abandoned.interrupted,
            start=start[1] if start is not None else None,
        )


# ----- configuration ---------------------------------------------------------------------------
def _configure(highs: highspy.Highs, options: SolveOptions, log: _Log, *, remaining: float) -> None:
    highs.setOptionValue("output_flag", True)  # always on: _Log reads the MIP-start verdict from it
    highs.setOptionValue("log_to_console", False)  # _Log logs instead, when asked to
    highs.cbLogging += log.receive
    _set(highs, "time_limit", max(remaining, MIN_SEARCH_SECONDS), "time_limit")
    _set(highs, "mip_rel_gap", options.gap, "gap")
    _set(highs, "random_seed", solver_seed(options.seed), "seed")
    if options.threads is not None:
        _set(highs, "threads", options.threads, "threads")


def _set(highs: highspy.Highs, option: str, value: float, field: str) -> None:
    """Set a HiGHS option; a value HiGHS rejects (out of its range) is an input error naming ``field``."""
    if highs.setOptionValue(option, value) == highspy.HighsStatus.kError:
        raise InputError(field, f"HiGHS does not accept {option} = {value!r}")


class _Log:
    """Receives HiGHS's log lines; passes them to the ``milp_milkrun.solver`` logger when ``echo``
    and remembers HiGHS's verdict on the MIP start."""

    def __init__(self, *, echo: bool) -> None:
        self.echo = echo
        self.start_lines: list[str] = []

    def receive(self, event: highspy.highs.HighsCallbackEvent) -> None:
        if "MIP start" in event.message or "user-supplied" in event.message:
            self.start_lines.append(event.message.strip())
        if self.echo:
            echo_log(event)

    def start_verdict(self, start_objective: float) -> str:
        said = " / ".join(self.start_lines) or "HiGHS did not report on it"
        return f"warm start of objective {start_objective:.6g} passed to HiGHS: {said}"


# ----- MIP start --------------------------------------------------------------------------------
def _usable_warm_start(instance: Instance, plan: Plan | None, notes: list[str]) -> tuple[float, Plan] | None:
    """The warm-start plan and its distance, or None (with a note) when there is none or it breaks a rule."""
    if plan is None:
        return None
    report = check_plan(instance, plan)
    if not report.feasible:
        broken = "; ".join(f"({v.equation}) {v.message}" for v in report.violations[:3])
        notes.append(f"warm start ignored: it breaks {broken}")
        return None
    if not plan_fits_in_time(instance, plan):  # the checker's tolerance edge: no start values by the segments' rule
        notes.append("warm start ignored: a route has no schedule within its windows by the segments' rule")
        return None
    return report.objective, plan


def _set_mip_start(run: HighsHandoff, instance: Instance, plan: Plan) -> None:
    """Give HiGHS every column of the plan: x = 1 on its arcs, 0 elsewhere, u_i = position of DC i, and
    with time the route's schedule (:func:`~milp_milkrun.models.exact.time_start`)."""
    values = np.zeros(run.highs.getNumCol())
    index = instance.index
    for route in plan.used_routes():
        for a, b in route.arcs(instance.hub.id):
            values[run.x_columns[index[a], index[b], route.vehicle]] = 1.0
        for position, stop in enumerate(route.stops, start=1):
            values[run.u_columns[index[stop]]] = position  # satisfies (12)-(14): u rises by 1 along a route
    if instance.has_time:  # each route's shortest schedule satisfies (15)-(18)
        for name, by_key in time_start(instance, plan).items():
            for key, value in by_key.items():
                values[run.time_columns[name][key]] = value
    solution = highspy.HighsSolution()
    solution.col_value = values.tolist()
    solution.value_valid = True
    run.highs.setSolution(solution)


# ----- reading the result -------------------------------------------------------------------------
def _result(
    context: RunContext,
    run: HighsHandoff,
    start: tuple[float, Plan] | None,
    interrupted: bool,
    notes: list[str],
    deadline: float,
) -> SolveResult:
    highs = run.highs
    model_status = highs.getModelStatus()
    info = highs.getInfo()
    has_incumbent = has_feasible_solution(highs)
    plan = _plan_from_columns(context.instance, run) if has_incumbent else None
    status = _claimed_status(model_status, plan is not None)
    bound = _dual_bound(model_status, info)
    notes.insert(0, _describe(highs, model_status, interrupted))
    if status == "infeasible":
        notes.append(infeasibility_explanation(run, deadline - time.perf_counter()))
    return make_result(
        context,
        status=status,
        plan=plan,
        bound=bound,
        message="; ".join(notes),
    )


def _plan_from_columns(instance: Instance, run: HighsHandoff) -> Plan:
    return _plan_from_values(instance, run, run.highs.getSolution().col_value)


def _plan_from_values(instance: Instance, run: HighsHandoff, values: Sequence[float] | np.ndarray) -> Plan:
    arcs: dict[str, list[tuple[int, int]]] = {v.name: [] for v in instance.vehicles}
    for (i, j, t), col in run.x_columns.items():
        if values[col] > ARC_THRESHOLD:
            arcs[t].append((i, j))
    try:
        return follow_arcs(instance, arcs)
    except RouteExtractionError as exc:
        raise CheckFailedError(f"the arcs HiGHS selected do not form round trips: {exc}") from exc


def _claimed_status(model_status: highspy.HighsModelStatus, has_plan: bool) -> Status:
    """What HiGHS claims; make_result derives the status the result may carry from the plan and bound."""
    if model_status == highspy.HighsModelStatus.kOptimal and has_plan:
        return "optimal"
    if model_status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible"
    return "feasible" if has_plan else "no_solution"


def _dual_bound(model_status: highspy.HighsModelStatus, info: highspy.HighsInfo) -> float | None:
    """HiGHS's proven lower bound on the optimum, or None when it has none (e.g. stopped in presolve)."""
    if model_status == highspy.HighsModelStatus.kOptimal:
        return info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else info.objective_function_value
    return info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None


def _describe(highs: highspy.Highs, model_status: highspy.HighsModelStatus, interrupted: bool) -> str:
    if interrupted:
        return "interrupted by Ctrl-C: best plan and bound found so far"
    if model_status == highspy.HighsModelStatus.kTimeLimit:
        return "time limit reached: best plan and bound found so far"
    if model_status == highspy.HighsModelStatus.kInfeasible:
        return "HiGHS proved that no plan satisfies every constraint"
    return f"HiGHS: {highs.modelStatusToString(model_status)}"


# ----- infeasibility ------------------------------------------------------------------------------
def infeasibility_explanation(run: HighsHandoff, seconds: float) -> str:
    """Name the equation families of an irreducible infeasible subset, when HiGHS finds one in time.

    HiGHS computes an IIS of the LP relaxation, so it finds one only when the relaxation is already
    infeasible (e.g. too little capacity); conflicts that need integrality get a plain statement.

    Parameters
    ----------
    run : HighsHandoff
        The model HiGHS proved infeasible.
    seconds : float
        The time the search for the subset may take (what is left of the run's limit).

    Returns
    -------
    str
        The families of the subset, or the statement that none can be isolated or none was found in time.
    """
    rows = irreducible_rows(run.highs, seconds)
    if rows is None:
        return "no irreducible infeasible subset of rows was isolated within the time limit"
    if not rows:
        return "the LP relaxation is feasible, so HiGHS cannot isolate an irreducible infeasible subset of rows"
    families = [f.name for f in (*EXACT_FAMILIES, *TIME_FAMILIES) if f.name in {run.row_families[r] for r in rows}]
    return (
        f"an irreducible infeasible subset of {len(rows)} rows of the LP relaxation involves "
        f"equation families {', '.join(families)}"
    )
