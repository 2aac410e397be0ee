"""Certified lower bounds: how far from optimal can a plan be?

Two bounds are computed within the time budget, and the larger one is reported:

1. the **route-based bound** (:mod:`milp_milkrun.routes.column_generation`): the Lagrangian bound of
   the set-partitioning formulation, by column generation over ng-routes, for at most ROUTE_SHARE of
   the budget (less when it converges).  Strong when the fleet is tight (ecom74);
2. the dual bound of the **strong formulation** (:mod:`milp_milkrun.models.strong`) with the time
   left: the LP relaxation tightened by rounded capacity inequalities, then HiGHS's branch and bound,
   which can close small instances completely.

An instance with time is bounded by the route-based branch-and-price (Eq 15-18 in its columns), the
plan as its start, for the whole budget, until the strong model states time
(:data:`~milp_milkrun.timing.ENGINES_STATING_TIME`): its global bound (where its root does not converge,
the larger of the root's and the strong formulation's without time), or its proof that no plan exists.
A route-based bound at or above the master's penalty (more than any plan costs) proves that no feasible
plan exists too.

Each is below the cost of every feasible plan (each model is a relaxation of the problem), so the
bound is never a heuristic number.  A plan from OR-Tools, PyVRP or a spreadsheet can thus be given a
proven gap::

    plan 4,912 km; optimum >= 4,730 km; within 3.8%
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import CheckFailedError, InputError
from milp_milkrun.instance import Instance
from milp_milkrun.limits import FLOAT_NOISE, SOLVER_TOLERANCE
from milp_milkrun.options import SolveOptions
from milp_milkrun.plan import Plan
from milp_milkrun.routes.column_generation import ColumnGeneration, route_lower_bound
from milp_milkrun.solve.routes_backend import solve_branch_price
from milp_milkrun.solve.strong import CutLoop, cut_loop_fits, run_cut_loop
from milp_milkrun.timing import ENGINES_STATING_TIME

ROUTE_SHARE = 0.5  # the route-based bound may use at most this share of the budget


def certified_lower_bound(
    instance: Instance, time_limit: float, *, incumbent: Plan | None = None, log: bool = False
) -> tuple[float, str]:
    """A lower bound on the objective (distance or cost, the instance's) of every feasible plan, and how it was obtained.

    Parameters
    ----------
    instance : Instance
        The instance to bound.
    time_limit : float
        Seconds for both bounding methods together.
    incumbent : Plan, optional
        A feasible plan: it seeds the route columns and lets the cut loop fix arcs by reduced cost;
        the bound returned is then at most the incumbent's cost, still valid for every plan.
    log : bool
        Progress records (logger ``milp_milkrun``): the column generation's and the cut loop's.

    Returns
    -------
    tuple[float, str]
        The bound (``math.inf`` when the instance is proven infeasible) and a sentence saying how it
        was obtained.
    """
    if not time_limit > 0:
        raise InputError("bound_seconds", f"the bound needs a positive number of seconds, got {time_limit}")
    if instance.has_time and "strong" not in ENGINES_STATING_TIME:
        return _tree_bound(instance, time_limit, incumbent, log)
    started = time.perf_counter()
    routes = route_lower_bound(instance, ROUTE_SHARE * time_limit, incumbent=incumbent, log=log)
    if routes.bound >= routes.master.penalty:  # every plan costs less than the penalty: there is none
        return math.inf, f"{_route_how(routes, time.perf_counter() - started)}: no feasible plan exists"
    candidates = [(routes.bound, _route_how(routes, time.perf_counter() - started))]
    left = time_limit - (time.perf_counter() - started)
    strong_states_it = not instance.has_time or "strong" in ENGINES_STATING_TIME
    if strong_states_it and not _closes(routes.bound, incumbent, instance) and cut_loop_fits(instance, left):
        loop_started = time.perf_counter()
        loop = run_cut_loop(instance, SolveOptions(time_limit=left, gap=0.0, log=log), incumbent=incumbent)
        if loop.infeasible:
            return math.inf, f"{loop.reason}: no feasible plan exists"
        candidates.append((loop.best_bound, _loop_how(loop, time.perf_counter() - loop_started)))
    bound, how = max(candidates, key=lambda c: c[0])
    if not math.isfinite(bound):
        return 0.0, f"no relaxation solved within {time_limit:g} s; 0 is the trivial bound (distances are >= 0)"
    return max(0.0, bound), f"{how}; {time.perf_counter() - started:.1f} s in all"


def _tree_bound(instance: Instance, time_limit: float, incumbent: Plan | None, log: bool) -> tuple[float, str]:
    """The global bound of the route-based branch-and-price with time (Eq 1-18 in its columns), the
    plan as its start: the only engine that bounds such an instance while the strong model does not
    state time; its searched tree also proves that no plan exists."""
    started = time.perf_counter()
    result = solve_branch_price(instance, SolveOptions(time_limit=time_limit, gap=0.0, log=log, warm_start=incumbent))
    seconds = time.perf_counter() - started
    if result.status == "infeasible":
        return math.inf, f"route-based branch-and-price with time ({seconds:.1f} s): no feasible plan exists"
    if result.bound is None:
        return 0.0, f"the route-based branch-and-price found no bound within {time_limit:g} s; 0 is the trivial bound"
    return max(0.0, result.bound), f"route-based branch-and-price bound with time (Eq 1-18) in {seconds:.1f} s"


def _closes(bound: float, incumbent: Plan | None, instance: Instance) -> bool:
    """The bound meets the incumbent's cost: nothing left for the strong model to prove."""
    report = check_plan(instance, incumbent) if incumbent is not None else None
    if report is None or not report.feasible:
        return False
    return bound >= report.objective - SOLVER_TOLERANCE * max(1.0, report.objective)


def _route_how(cg: ColumnGeneration, seconds: float) -> str:
    state = "LP optimal" if cg.converged else "LP not converged, Lagrangian bound"
    return (
        f"route-based (set-partitioning) bound by column generation ({len(cg.master.columns)} ng-routes, "
        f"{cg.iterations} iterations, {state}) in {seconds:.1f} s"
    )


def _loop_how(loop: CutLoop, seconds: float) -> str:
    cuts = len(loop.model.block("rci_capacity_cuts").rows)
    stage = f"{loop.mip_runs} branch-and-bound run(s)" if loop.mip_runs else "the LP relaxation"
    return (
        f"dual bound of the strong formulation ({loop.model.kind}, {cuts} rounded capacity cuts, "
        f"{loop.lp_rounds} LP rounds, {stage}) in {seconds:.1f} s"
    )


@dataclass(frozen=True)
class PlanBound:
    """A feasible plan's objective (the instance's: distance or cost), a certified lower bound on the optimum, and the proven gap."""

    objective: float
    bound: float
    how: str
    unit: str

    @property
    def gap(self) -> float:
        """(plan - bound) / plan: the plan is at most this fraction above the optimum."""
        return max(0.0, (self.objective - self.bound) / self.objective) if self.objective > 0 else 0.0

    def line(self) -> str:
        """``plan 4,912 km; optimum >= 4,730 km; within 3.8%`` (bound rounded down, gap rounded up).

        Returns
        -------
        str
            The line ``milkrun check --bound`` prints.
        """
        plan = _amount(self.objective, round)
        bound = _amount(self.bound, math.floor)
        within = math.ceil(self.gap * 1000 - FLOAT_NOISE) / 10
        return f"plan {plan} {self.unit}; optimum \u2265 {bound} {self.unit}; within {within:.1f}%"


def bound_plan(instance: Instance, plan: Plan, time_limit: float, *, log: bool = False) -> PlanBound:
    """Check ``plan`` and bound the optimum: the plan's certified gap.

    Parameters
    ----------
    instance : Instance
        The instance the plan is for.
    plan : Plan
        A plan from any tool.
    time_limit : float
        Seconds for the bound.
    log : bool
        Progress records while bounding (``check --bound`` shows them on a terminal).

    Returns
    -------
    PlanBound
        The plan's distance, the certified bound (never above it) and the gap. A plan that breaks a
        rule gets no gap (``InputError``).
    """
    report = check_plan(instance, plan)
    if not report.feasible:
        raise InputError("PLAN", f"the plan breaks {len(report.violations)} rule(s), so it has no gap to certify")
    bound, how = certified_lower_bound(instance, time_limit, incumbent=plan, log=log)
    if bound > report.objective + SOLVER_TOLERANCE * max(1.0, report.objective):
        raise CheckFailedError(
            f"the certified bound {bound:g} exceeds the cost {report.objective:g} of a feasible plan ({how})"
        )
    unit = instance.distance_unit if instance.objective == "distance" else "(cost)"
    return PlanBound(report.objective, min(bound, report.objective), how, unit)


def _amount(value: float, rounding) -> str:
    """Thousands separators; whole numbers stay whole, others keep one decimal rounded ``rounding``."""
    if abs(value - round(value)) < FLOAT_NOISE:
        return f"{round(value):,}"
    return f"{rounding(value * 10) / 10:,.1f}"
