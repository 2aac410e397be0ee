"""Solve the strong formulation with HiGHS: solve, separate, add, re-solve, under one deadline.

HiGHS has no lazy-constraint callback, so the rounded capacity inequalities of
:mod:`milp_milkrun.models.strong` are handled in a loop:

1. LP rounds: solve the LP relaxation, add the violated capacity cuts, repeat until none is found
   or the bound stalls.
2. Reduced-cost fixing: with an incumbent of cost UB, an arc whose reduced cost lifts the LP bound
   above UB cannot be in a better plan and is fixed to 0.
3. MIP with every cut so far.  Each improving integer solution HiGHS finds is checked exactly
   (subtours, load, stops per route); a violated one interrupts the MIP, its cuts are added and
   the loop returns to 1.  Feasible solutions are kept as the incumbent (and passed back as a
   MIP start), and every run's dual bound is a valid lower bound (each model is a relaxation).

The answer is exact: a plan is reported optimal only when HiGHS closed a relaxation of the
problem with that plan feasible for the original one, and every plan passes the independent
checker through :func:`~milp_milkrun.result.make_result`.

Every HiGHS solve runs through :func:`~milp_milkrun.runtime.highs.run_interruptibly`: it is cancelled
when the deadline passes (at the next point where HiGHS checks its limits) or on Ctrl-C, keeping the
plan and bound found so far; Ctrl-C also ends the loop.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field, replace

import highspy
import numpy as np

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import CheckFailedError
from milp_milkrun.implied import assign_vehicles
from milp_milkrun.instance import Instance
from milp_milkrun.limits import FLOAT_NOISE, SOLVER_TOLERANCE
from milp_milkrun.models.strong import StrongModel, build_strong_model
from milp_milkrun.models.strong_cuts import separate_capacity_cuts, separate_weighted_cuts, violated_route_sets
from milp_milkrun.models.strong_routes import routes_from_solution, solution_from_plan, split_giant_tour, trip_sequences
from milp_milkrun.options import SolveOptions
from milp_milkrun.plan import Plan
from milp_milkrun.result import RunContext, SolveResult, make_result
from milp_milkrun.runtime.highs import (
    SolverAbandoned,
    claims_less_than_its_solution,
    limit_next_run,
    reported_bound,
    route_log,
    run_interruptibly,
    search_again_without_start,
    solver_seed,
)
from milp_milkrun.solve.build_time import too_slow_to_build

logger = logging.getLogger(__name__)

MIN_LOOP_SECONDS = 1.0  # a bound's cut loop is not started with less time than this
MAX_LP_ROUNDS = 200
STALL_ROUNDS = 8  # stop LP rounds when the bound gained less than STALL_GAIN over this many rounds
STALL_GAIN = 1e-4
LP_SHARE = 0.5  # LP cut rounds may use at most this share of the time left
MIN_MIP_SECONDS = 0.5  # not worth starting HiGHS's branch and bound with less


@dataclass
class CutLoop:
    """State of one solve: the model with its cuts, the best plan and the best bound so far."""

    model: StrongModel
    options: SolveOptions
    deadline: float
    best_plan: Plan | None = None
    best_cost: float = math.inf
    best_bound: float = -math.inf
    lp_bound: float = -math.inf
    lp_rounds: int = 0
    mip_runs: int = 0
    fixed_arcs: list[int] = field(default_factory=list)
    infeasible: bool = False
    abandoned: str = ""  # a HiGHS run that did not stop in time after a cancel was left behind: stop the loop
    interrupted: bool = False  # Ctrl-C: stop and keep the best plan and bound so far
    error: str = ""  # set when a model point fails the checker: a bug, raised after the MIP stops
    reason: str = "HiGHS proved the strong formulation infeasible"
    _lp: highspy.Highs | None = None
    _lp_duals: np.ndarray | None = None

    # ----- bookkeeping ---------------------------------------------------------------
    def remaining(self) -> float:
        """Seconds left before the deadline.

        Returns
        -------
        float
            Negative once it has passed.
        """
        return self.deadline - time.perf_counter()

    def log(self, message: str) -> None:
        """A progress line, as a record of this module's logger when ``SolveOptions.log`` is on.

        Parameters
        ----------
        message : str
            The line, without the ``[strong]`` prefix.
        """
        if self.options.log:
            logger.info("[strong] %s", message)

    def integral_costs(self) -> bool:
        """Whether every arc costs a whole number (then so does every plan).

        Returns
        -------
        bool
            True when all arc costs are integers.
        """
        return all(float(c).is_integer() for c in self.model.cost)

    def rounded(self, bound: float) -> float:
        """With integer arc costs every plan costs an integer, so a bound may be rounded up.

        Parameters
        ----------
        bound : float
            A lower bound.

        Returns
        -------
        float
            The bound, rounded up when the costs are integral.
        """
        return math.ceil(bound - SOLVER_TOLERANCE) if self.integral_costs() and math.isfinite(bound) else bound

    def raise_bound(self, bound: float) -> None:
        """Keep ``bound`` (rounded) when it is above the best bound so far.

        Parameters
        ----------
        bound : float
            A certified lower bound.
        """
        self.best_bound = max(self.best_bound, self.rounded(bound))

    def offer(self, x: np.ndarray) -> None:
        """Keep the plan of integer arc values ``x`` (which satisfy every cut) if it is cheaper.

        Such a point must pass the checker; if it does not, the model is wrong: the error is kept
        (raising inside a HiGHS callback is unsafe), the MIP interrupted and the error raised after it.

        Parameters
        ----------
        x : np.ndarray
            Integer column values.
        """
        plan = assign_vehicles(self.model.instance, self.model.classes, routes_from_solution(self.model, x))
        report = check_plan(self.model.instance, plan)
        if not report.feasible:
            details = "; ".join(f"({v.equation}) {v.message}" for v in report.violations)
            self.error = f"an integer point of the strong model failed the independent checker: {details}"
        else:
            self.keep_if_cheaper(plan, note="")

    def keep_if_cheaper(self, plan: Plan, *, by: float = FLOAT_NOISE, note: str | None = None) -> None:
        """Make a checked ``plan`` the incumbent when it costs less than the incumbent by more than ``by``.

        Parameters
        ----------
        plan : Plan
            A plan that passed the checker.
        by : float
            The margin it must beat the incumbent by.
        note : str or None
            When given, "incumbent <cost><note>" is logged for a kept plan.
        """
        cost = self.model.costs.plan(plan)
        if cost < self.best_cost - by:
            self.best_plan, self.best_cost = plan, cost
            if note is not None:
                self.log(f"incumbent {cost:,.6g}{note}")

    def repair(self, x: np.ndarray) -> None:
        """Turn an integer point that breaks a cut into a plan: chain its trips and cycles, split optimally.

        Only the undirected model is repaired; a repaired plan is kept when it passes the checker and is
        cheaper than the incumbent.

        Parameters
        ----------
        x : np.ndarray
            Integer column values.
        """
        if self.model.kind != "undirected":
            return
        order = [s for trip in trip_sequences(self.model, x) for s in trip]
        trips = split_giant_tour(self.model, order)
        if trips is not None:
            plan = assign_vehicles(self.model.instance, self.model.classes, [(0, t) for t in trips])
            if check_plan(self.model.instance, plan).feasible:
                self.keep_if_cheaper(plan, note=" (repaired)")

    def add_cuts(self, sets: list[list[int]], weighted: list[tuple[str, list[int]]] = ()) -> None:  # type: ignore[assignment]
        """Add capacity cuts (and weighted cuts) to the model and to the LP being solved.

        Parameters
        ----------
        sets : list[list[int]]
            DC sets S of rounded capacity cuts.
        weighted : list[tuple[str, list[int]]]
            ``(kind, S)`` of weighted cuts.
        """
        rows = [self.model.capacity_cut(s) for s in sets]
        self.model.block("rci_capacity_cuts").rows.extend(rows)
        extra = [self.model.weighted_cut(kind, s) for kind, s in weighted]
        if extra:
            self.model.block("wci_weighted_cuts").rows.extend(extra)
        rows += extra
        if self._lp is not None:
            for cols, coefs, lower, upper in rows:
                self._lp.addRow(lower, upper, len(cols), np.array(cols, dtype=np.int32), np.array(coefs))

    # ----- 1. LP rounds ---------------------------------------------------------------
    def lp_rounds_until_stall(self) -> None:
        """Stage 1: solve the LP, add the cuts it violates, repeat until no cut is found, the bound stalls or
        the LP's share of the time is spent; the LP bound and duals are kept for arc fixing.
        """
        if self._lp is None:
            self._lp = self.model.to_highs(relax=True)
        history: list[float] = []
        phase_end = time.perf_counter() + LP_SHARE * self.remaining()  # keep the rest for branch and bound
        for _ in range(MAX_LP_ROUNDS):
            if time.perf_counter() >= phase_end:
                return
            limit_next_run(self._lp, self.remaining())
            try:
                self.interrupted = run_interruptibly(self._lp, self.deadline)
            except SolverAbandoned as abandoned:
                self._abandon(abandoned)
                self._lp = None
                return
            if self.interrupted:
                return
            status = self._lp.getModelStatus()
            if status == highspy.HighsModelStatus.kInfeasible:
                self.infeasible = True
                return
            if status != highspy.HighsModelStatus.kOptimal:
                return
            self.lp_rounds += 1
            self.lp_bound = self._lp.getInfo().objective_function_value
            self.raise_bound(self.lp_bound)
            self._lp_duals = np.array(self._lp.getSolution().col_dual)
            x = np.array(self._lp.getSolution().col_value[: self.model.n_arcs])
            history.append(self.lp_bound)
            if time.perf_counter() >= phase_end:
                return
            if len(history) > STALL_ROUNDS and history[-1] - history[-1 - STALL_ROUNDS] < STALL_GAIN * abs(history[-1]):
                return
            sets = separate_capacity_cuts(self.model, x)
            weighted = separate_weighted_cuts(self.model, x)
            if not sets and not weighted:
                return
            self.add_cuts(sets, weighted)
        self.log(f"LP bound {self.lp_bound:,.6g} after {self.lp_rounds} rounds")

    # ----- 2. reduced-cost fixing --------------------------------------------------------
    def fix_by_reduced_cost(self) -> None:
        """Arcs with LP bound + reduced cost > incumbent cannot improve it: fix them to 0."""
        if self._lp_duals is None or not math.isfinite(self.best_cost):
            self.fixed_arcs = []
            return
        margin = 1.0 - SOLVER_TOLERANCE if self.integral_costs() else SOLVER_TOLERANCE
        rc = self._lp_duals[: self.model.n_arcs]
        self.fixed_arcs = [int(c) for c in np.flatnonzero(self.lp_bound + rc > self.best_cost - margin + 2e-6)]

    # ----- 3. the MIP ------------------------------------------------------------------
    def run_mip(self) -> str:
        """One MIP over the current cuts, from the best plan as MIP start.

        Returns
        -------
        str
            'optimal', 'cuts' (interrupted to add cuts), 'infeasible' or 'stopped'.
        """
        mip = self.model.to_highs()
        self._configure(mip)
        for c in self.fixed_arcs:
            mip.changeColBounds(c, 0.0, 0.0)
        if self.best_plan is not None:
            start = solution_from_plan(self.model, self.best_plan)
            if start is not None:
                cols = [c for c in range(self.model.n_arcs) if c not in set(self.fixed_arcs) or start[c] == 0]
                mip.setSolution(len(cols), np.array(cols, dtype=np.int32), start[cols])
        pending: list[list[int]] = []
        reported = [-math.inf]  # the best dual bound HiGHS reported: all an abandoned run leaves

        def on_solution(event: highspy.highs.HighsCallbackEvent) -> None:
            if self.abandoned:  # the run was left behind: its late solutions no longer count
                return
            x = np.round(np.array(event.data_out.mip_solution[: self.model.n_arcs]))
            sets = violated_route_sets(self.model, x)
            if sets:
                pending.extend(sets)
                self.repair(x)
            else:
                self.offer(x)

        def on_interrupt(event: highspy.highs.HighsCallbackEvent) -> None:
            bound = reported_bound(event.data_out.mip_dual_bound)
            if bound is not None:
                reported[0] = max(reported[0], bound)
            if pending or self.error:
                event.interrupt()

        mip.cbMipImprovingSolution.subscribe(on_solution)
        mip.cbMipInterrupt.subscribe(on_interrupt)
        self.mip_runs += 1
        try:
            self.interrupted = run_interruptibly(mip, self.deadline)
            if not self.interrupted and self.best_plan is not None and claims_less_than_its_solution(mip):
                self.log(
                    "HiGHS reported less than the plan it returned (a MIP-start fault): searching again without the start"
                )
                self.interrupted = search_again_without_start(mip, self.remaining(), self.deadline)
        except SolverAbandoned as abandoned:
            self._abandon(abandoned)
            if math.isfinite(reported[0]):  # golden_19 HVRPFD: 10,189 at the MIP's root, lost with its run before
                self.raise_bound(min(reported[0], self.best_cost))
            return "stopped"
        if self.error:
            raise CheckFailedError(self.error)
        status = mip.getModelStatus()
        info = mip.getInfo()
        if status != highspy.HighsModelStatus.kInfeasible and info.mip_dual_bound > -1e30:
            self.raise_bound(min(info.mip_dual_bound, self.best_cost))
        if pending:
            self.add_cuts(_unique(pending))
            return "cuts"
        if status == highspy.HighsModelStatus.kInfeasible:
            return "infeasible"
        if status == highspy.HighsModelStatus.kOptimal:
            x = np.round(np.array(mip.getSolution().col_value[: self.model.n_arcs]))
            sets = violated_route_sets(self.model, x)
            if sets:  # an optimum HiGHS reached without reporting it as an improving solution
                self.add_cuts(sets)
                return "cuts"
            self.offer(x)
            if self.error:
                raise CheckFailedError(self.error)
            return "optimal"
        return "stopped"

    def _abandon(self, abandoned: SolverAbandoned) -> None:
        """A cancelled run that did not stop in time: record why and end the loop with what we have."""
        self.abandoned = str(abandoned)
        self.interrupted = self.interrupted or abandoned.interrupted
        self.log(self.abandoned)

    def _configure(self, h: highspy.Highs) -> None:
        opts = self.options
        route_log(h, echo=bool(opts.log))  # the solver log, which `milkrun solve --json` sends to stderr
        limit_next_run(h, self.remaining())
        h.setOptionValue("mip_rel_gap", opts.gap)
        h.setOptionValue("random_seed", solver_seed(opts.seed))
        if self.integral_costs():
            h.setOptionValue("mip_abs_gap", 1.0 - SOLVER_TOLERANCE)  # integer costs: a gap below 1 is closed
        if opts.threads:
            h.setOptionValue("threads", int(opts.threads))


def _unique(sets: list[list[int]]) -> list[list[int]]:
    return [sorted(s) for s in {frozenset(s) for s in sets}]


def run_cut_loop(
    instance: Instance, options: SolveOptions, *, incumbent: Plan | None = None, kind: str = "directed"
) -> CutLoop:
    """Run stages 1-3 until the optimum is proven, infeasibility is proven or the deadline passes.

    Parameters
    ----------
    instance : Instance
        The instance to solve.
    options : SolveOptions
        Time limit, gap, threads, seed, log and MIP start.
    incumbent : Plan, optional
        A feasible plan: the first incumbent, and the cost against which arcs are fixed.
    kind : str
        The formulation (see :func:`~milp_milkrun.models.strong.build_strong_model`).

    Returns
    -------
    CutLoop
        The final state: the best plan and bound, the cuts, and why the loop stopped.
    """
    deadline = time.perf_counter() + options.time_limit
    loop = CutLoop(build_strong_model(instance, kind=kind, costs=options.costs(instance)), options, deadline)
    loop.log(
        f"{loop.model.kind} model: {loop.model.n_arcs} arc variables, classes {[c.name for c in loop.model.classes]}"
    )
    unservable = loop.model.unservable()
    if unservable:  # no class may carry them (forbidden, capacity or distance): nothing to solve
        loop.infeasible = True
        loop.reason = f"no vehicle may serve {', '.join(unservable)} (forbidden, capacity or distance limit)"
        return loop
    for plan in (incumbent, options.warm_start):
        report = check_plan(instance, plan) if plan is not None else None
        if plan is None or report is None or not report.feasible:
            continue
        if solution_from_plan(loop.model, plan) is None:  # the reductions are exact: this is a bug
            raise CheckFailedError("a plan that passes the checker uses an arc the strong model excludes")
        loop.keep_if_cheaper(plan, by=0.0)
    try:
        _alternate_lp_rounds_and_mips(loop)
    except KeyboardInterrupt:  # Ctrl-C between two HiGHS solves (those cancel themselves), e.g. while separating
        loop.interrupted = True
    return loop


def cut_loop_fits(instance: Instance, seconds: float) -> bool:
    """Whether a bound's cut loop on ``instance`` may start with ``seconds``: at least :data:`MIN_LOOP_SECONDS`,
    and its model built within them (the build checks no clock: :mod:`~milp_milkrun.solve.build_time`); a bound
    that must keep to its time asks first."""
    if seconds < MIN_LOOP_SECONDS:
        return False
    too_slow = too_slow_to_build(instance, "strong", seconds)
    if too_slow:
        logger.info(too_slow)
    return too_slow is None


def bound_without_time(instance: Instance, options: SolveOptions, seconds: float, incumbent: Plan | None) -> float:
    """The strong formulation's dual bound on ``instance`` with its time removed: a bound for the instance with time.

    Removing the windows, the hub's hours, the shifts and the cost per hour relaxes the problem (every plan
    in time is a plan without it, at no more cost), so the cut loop's bound holds for the instance with time,
    which the strong model does not state; without time it is the strong formulation's own bound.  The route
    engine's fallback where its own column generation has no bound yet (the long routes of wide windows, the
    fleets of 100 DCs).

    Parameters
    ----------
    instance : Instance
        The instance, with time or without.
    options : SolveOptions
        Threads, seed, log and the objective (its own, or distance or cost: not one with a load term).
    seconds : float
        The cut loop's time limit.
    incumbent : Plan, optional
        A plan in time: the cut loop fixes arcs against its cost.

    Returns
    -------
    float
        The bound (``math.inf``: not even the relaxation has a plan; ``-math.inf``: none within ``seconds``,
        or too few of them for the cut loop, :func:`cut_loop_fits`).
    """
    if not cut_loop_fits(instance, seconds):
        return -math.inf
    timeless = replace(
        instance,
        time=None,
        travel_matrix=None,
        vehicle_types=tuple(replace(vt, shift=None, speed=None, cost_per_hour=0.0) for vt in instance.vehicle_types),
    )
    loop = run_cut_loop(timeless, replace(options, time_limit=seconds, gap=0.0, warm_start=None), incumbent=incumbent)
    if loop.interrupted:  # the loop ended on Ctrl-C: the caller's run ends too
        raise KeyboardInterrupt
    return math.inf if loop.infeasible else loop.best_bound


def _alternate_lp_rounds_and_mips(loop: CutLoop) -> None:
    """Stages 1-3, repeated while a MIP run returns new cuts and time is left."""
    while loop.remaining() > 0:
        loop.lp_rounds_until_stall()
        if (
            loop.abandoned
            or loop.interrupted
            or loop.infeasible
            or loop.best_bound >= loop.best_cost - _closed(loop)
            or loop.remaining() < MIN_MIP_SECONDS
        ):
            return
        loop.fix_by_reduced_cost()
        outcome = loop.run_mip()
        loop.log(f"MIP run {loop.mip_runs}: {outcome}; bound {loop.best_bound:,.6g}, incumbent {loop.best_cost:,.6g}")
        if outcome == "infeasible":
            if loop.best_plan is None and not loop.fixed_arcs:
                loop.infeasible = True
            elif loop.best_plan is not None:
                loop.best_bound = loop.best_cost  # no plan better than the incumbent exists
            return
        if loop.abandoned or loop.interrupted or outcome in ("optimal", "stopped"):
            return


def _closed(loop: CutLoop) -> float:
    return SOLVER_TOLERANCE if loop.integral_costs() else SOLVER_TOLERANCE * max(1.0, abs(loop.best_cost))


def solve_strong(instance: Instance, options: SolveOptions | None = None, *, kind: str = "directed") -> SolveResult:
    """Solve ``instance`` with the strong formulation; the plan is checker-verified.

    Parameters
    ----------
    instance : Instance
        The instance to solve.
    options : SolveOptions, optional
        Time limit, gap, threads, seed, log and MIP start (default: ``SolveOptions()``).
    kind : str
        The formulation (see :func:`~milp_milkrun.models.strong.build_strong_model`).

    Returns
    -------
    SolveResult
        The checked plan, the certified bound and the derived status.
    """
    options = options or SolveOptions()
    context = RunContext.of(instance, options, model="strong", backend="highs", started=time.perf_counter())
    loop = run_cut_loop(instance, options, kind=kind)
    if loop.infeasible:
        return make_result(context, status="infeasible", plan=None, bound=None, message=loop.reason)
    bound = loop.best_bound if math.isfinite(loop.best_bound) else None
    if loop.best_plan is None:
        why = "interrupted by Ctrl-C" if loop.interrupted else "no plan found within the time limit"
        return make_result(
            context, status="no_solution", plan=None, bound=bound, message=why, interrupted=loop.interrupted
        )
    message = f"{loop.model.kind} model, {len(loop.model.block('rci_capacity_cuts').rows)} capacity cuts, {loop.lp_rounds} LP rounds, {loop.mip_runs} MIP runs, {len(loop.fixed_arcs)} arcs fixed by reduced cost"
    if loop.abandoned:
        message += f"; {loop.abandoned}"
    if loop.interrupted:
        message = f"interrupted by Ctrl-C: best plan and bound so far; {message}"
    return make_result(
        context, status="feasible", plan=loop.best_plan, bound=bound, message=message, interrupted=loop.interrupted
    )
