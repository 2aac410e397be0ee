"""``--model auto``: the engine that proves most for the instance at hand.

The route-based branch-and-price-and-cut runs first, for most of the time: its bound (column
generation with capacity cuts, a tree and route enumeration) is the strongest the toolkit has
(ecom74: proven optimal in about 20-30 s), and on small instances it is also the fastest to prove,
under the distance and the cost objective alike (docs/benchmarks.md, "Which engine auto picks on
small instances": on 40 random instances of 4-8 DCs per objective it proved every one, median 0.06 s
and 0.08 s, while the seed's Eq. 1-14 model left 5 of the 40 cost instances unproven after 10 s, its
bound stuck at 0 where only fixed costs count). If that leaves a gap, the strong arc model (capacity
cuts, reduced-cost fixing) continues from the best plan in the time left. Both bounds are certified,
so the result carries the larger one and the cheaper plan.

An instance the presolve diagnostics prove infeasible (:mod:`milp_milkrun.solve.feasibility`) is answered
at once, before the heuristic looks for a plan that cannot exist. The route engine proves infeasibility
by closing its tree: a node whose certified bound reaches the artificial columns' penalty, or whose
route enumeration within the whole gap to that penalty finds no plan, admits none; without a plan to
price against it may search until its deadline. HiGHS proves a tiny infeasible instance infeasible
in well under a second on the strong model (docs/benchmarks.md,
"Infeasible tiny instances": the fastest prover there, ahead of the seed's exact model). So when the
heuristic start finds no plan (perhaps none exists), the strong model runs first for a share of the
time, and when the route stage ends with no plan and no proof, the strong model gets the time left. An
instance with time goes to the strong model only once it states time
(:data:`~milp_milkrun.timing.ENGINES_STATING_TIME`); the route-based model states the time of every
instance (several windows per DC beside a shift, a cost per hour), so it answers every one with time;
it proves each of the benchmark's tiny infeasible instances with time within a second (docs/benchmarks.md,
"With time: every side constraint and the clock"). Beyond them its root may not converge without a plan
to price against, where the seed's model (Eq 1-18, which states time) proves infeasibility from its LP:
so with time and no heuristic plan the route engine gets :data:`NO_PLAN_ROUTES_SHARE` of the time, then
the exact model the rest if the route engine neither found a plan nor proved there is none (and the route
engine again, from its plan, if it found one).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from milp_milkrun.heuristics.warm_start import solve_with_heuristic_start
from milp_milkrun.instance import Instance
from milp_milkrun.limits import solver_seconds
from milp_milkrun.options import SolveOptions
from milp_milkrun.result import RunContext, SolveResult, joined_notes, make_result
from milp_milkrun.solve.feasibility import presolve_diagnostics
from milp_milkrun.timing import ENGINES_STATING_TIME

ROUTES_SHARE = 0.85  # of the time limit, for the route-based branch-and-price; the strong model gets the rest
MIN_SECOND_STAGE_SECONDS = 2.0  # below this the strong model is not started
PROOF_SHARE = 0.15  # of the time left, for the strong model first when the heuristic found no plan
NO_PLAN_ROUTES_SHARE = 0.5  # with time and no heuristic plan: the route engine's share before the exact model
PROVEN = ("optimal", "infeasible")

Solve = Callable[..., SolveResult]


def solve_auto(instance: Instance, options: SolveOptions, run: Solve, heuristic_start: bool) -> SolveResult:
    """Pick and chain the models as the module docstring says.

    Parameters
    ----------
    instance : Instance
        The instance to solve.
    options : SolveOptions
        The options of the whole run; the time limit is shared between the stages.
    run : callable
        :func:`milp_milkrun.solve.solve`, which runs each stage.
    heuristic_start : bool
        Whether the heuristic runs first (unless ``options.warm_start`` is given); its plan is the start.

    Returns
    -------
    SolveResult
        Its ``model`` names what answered (``routes``, ``strong``, ``routes+strong`` or
        ``routes+exact``); its status is
        derived from the best plan and the larger certified bound.
    """
    if presolve_diagnostics(instance):  # proven infeasible without a model: no heuristic first
        result = run(instance, model="routes", options=options, heuristic_start=False)
        return dataclasses.replace(result, message=joined_notes("auto: the presolve diagnostics", result.message))
    if options.costs(instance).load_dependent:  # emissions: only the route-based model states them exactly
        result = run(instance, model="routes", options=options, heuristic_start=heuristic_start)
        return dataclasses.replace(
            result,
            message=joined_notes("auto: the route-based model (the objective depends on the load)", result.message),
        )
    if not heuristic_start or options.warm_start is not None:
        return _stages(instance, options, run)
    return solve_with_heuristic_start(instance, options, lambda with_start: _from_heuristic(instance, with_start, run))


def _from_heuristic(instance: Instance, options: SolveOptions, run: Solve) -> SolveResult:
    """The stages from the heuristic's plan; without one, the strong model first, which proves a tiny
    infeasible instance fastest, for :data:`PROOF_SHARE` of the time, then the stages from its plan (if any)."""
    if options.warm_start is not None:
        return _stages(instance, options, run)
    if not _states_time(instance, "strong"):
        return _time_without_plan(instance, options, run)
    started = time.perf_counter()
    proof = run(
        instance,
        model="strong",
        options=dataclasses.replace(options, time_limit=PROOF_SHARE * options.time_limit),
        heuristic_start=False,
    )
    if proof.status in PROVEN or proof.interrupted:
        return dataclasses.replace(
            proof, message=joined_notes("auto: the strong model first (the heuristic found no plan)", proof.message)
        )
    left = options.time_limit - (time.perf_counter() - started)
    return _stages(instance, dataclasses.replace(options, time_limit=solver_seconds(left), warm_start=proof.plan), run)


def _stages(instance: Instance, options: SolveOptions, run: Solve) -> SolveResult:
    """The route-based model from ``options.warm_start`` (if any), then the strong model for the time left.

    When the strong model cannot follow (it does not state the instance's time), the route-based model gets
    the whole time: a share kept for a stage that never runs would only end the search early."""
    started = time.perf_counter()
    follows = _states_time(instance, "strong")
    first = run(
        instance,
        model="routes",
        options=dataclasses.replace(options, time_limit=(ROUTES_SHARE if follows else 1.0) * options.time_limit),
        heuristic_start=False,
    )
    left = options.time_limit - (time.perf_counter() - started)
    settled = first.status in PROVEN or first.interrupted or left < MIN_SECOND_STAGE_SECONDS
    if settled or not follows:
        return dataclasses.replace(first, message=joined_notes("auto: the route-based model", first.message))
    second = run(
        instance,
        model="strong",
        options=dataclasses.replace(options, time_limit=left, warm_start=first.plan),
        heuristic_start=False,
    )
    message = f"auto: the route-based model ({_found(first)}), then the strong model ({_found(second)})"
    return _combined(instance, options, started, (first, second), "routes+strong", message)


def _time_without_plan(instance: Instance, options: SolveOptions, run: Solve) -> SolveResult:
    """With time and no heuristic plan (perhaps none exists): the route engine for :data:`NO_PLAN_ROUTES_SHARE`
    of the time; then, if it ended without a plan and without a proof, the exact model (it states time, and
    its LP proves infeasibility where the route engine's root does not converge without a plan to price
    against: docs/benchmarks.md), or the route engine again from the plan it found."""
    started = time.perf_counter()
    first = run(
        instance,
        model="routes",
        options=dataclasses.replace(options, time_limit=NO_PLAN_ROUTES_SHARE * options.time_limit),
        heuristic_start=False,
    )
    left = options.time_limit - (time.perf_counter() - started)
    if first.status in PROVEN or first.interrupted or left < MIN_SECOND_STAGE_SECONDS:
        return dataclasses.replace(first, message=joined_notes("auto: the route-based model", first.message))
    follower, name, model = (
        ("exact", "the exact model", "routes+exact")
        if first.plan is None
        else ("routes", "the route-based model from its plan", "routes")
    )
    second = run(
        instance,
        model=follower,
        options=dataclasses.replace(options, time_limit=left, warm_start=first.plan),
        heuristic_start=False,
    )
    message = f"auto: the route-based model ({_found(first)}), then {name} ({_found(second)})"
    return _combined(instance, options, started, (first, second), model, message)


def _combined(
    instance: Instance,
    options: SolveOptions,
    started: float,
    stages: tuple[SolveResult, SolveResult],
    model: str,
    message: str,
) -> SolveResult:
    """Two stages as one result: the second's proof (no plan exists, or its plan is optimal), else the cheaper
    plan with the larger of the two certified bounds (a bound holds whatever plan it is compared with)."""
    first, second = stages
    message = joined_notes(message, second.message)
    if second.status in PROVEN:
        return dataclasses.replace(second, model=model, runtime_s=time.perf_counter() - started, message=message)
    plans = [r for r in stages if r.objective is not None]
    best = min(plans, key=lambda r: r.objective or 0.0) if plans else None
    bounds = [b for b in (first.bound, second.bound) if b is not None]
    return make_result(
        RunContext.of(instance, options, model=model, backend="highs", started=started),
        status="feasible" if best is not None else "no_solution",
        plan=best.plan if best is not None else None,
        bound=max(bounds) if bounds else None,
        message=message,
        interrupted=second.interrupted,
    )


def _states_time(instance: Instance, engine: str) -> bool:
    """Whether ``engine`` may run ``instance``: it has no time, or the engine states time."""
    return not instance.has_time or engine in ENGINES_STATING_TIME


def _found(result: SolveResult) -> str:
    """What a stage left: its bound, or that it found no plan."""
    if result.plan is None:
        return f"no plan, {result.status}"
    return f"bound {_shown(result.bound)}"


def _shown(bound: float | None) -> str:
    return "none" if bound is None else f"{bound:,.6g}"
