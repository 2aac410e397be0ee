"""``--model auto``: the engine that proves most for the instance at hand.

Tiny instances go to the seed's Eq. 1-14 model, which HiGHS proves in well under a second there. On
anything larger the route-based branch-and-price-and-cut runs first, for most of the time: its bound
(column generation with capacity cuts, a tree and route enumeration) is the strongest the toolkit
has (ecom74: proven optimal in about 20-30 s). If that leaves a gap, the strong arc model (capacity
cuts, reduced-cost fixing) continues from the best plan in the time left. Both bounds are certified,
so the result carries the larger one and the cheaper plan.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from milp_milkrun.instance import Instance
from milp_milkrun.options import SolveOptions
from milp_milkrun.result import SolveResult, joined_notes, make_result

EXACT_UP_TO_DCS = 8  # the seed's model proves these in well under a second
ROUTES_SHARE = 0.85  # of the time limit, for the route-based branch-and-price; the strong model gets the rest
MIN_SECOND_STAGE_SECONDS = 2.0  # below this the strong model is not started

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
        Whether the first stage starts from the heuristic's plan.

    Returns
    -------
    SolveResult
        Its ``model`` names what answered (``exact``, ``routes`` or ``routes+strong``); its status is
        derived from the best plan and the larger certified bound.
    """
    if options.costs(instance).load_dependent:  # emissions: only the route-based model states them exactly
        result = run(instance, model="routes", options=options, heuristic_start=heuristic_start)
        return dataclasses.replace(result, message=joined_notes("auto: the route-based model (the objective depends on the load)", result.message))
    if instance.has_time:  # time: only the route-based model states it, on every instance size, with no second stage
        result = run(instance, model="routes", options=options, heuristic_start=heuristic_start)
        return dataclasses.replace(result, message=joined_notes("auto: the route-based model (time windows)", result.message))
    if instance.n_dcs <= EXACT_UP_TO_DCS:
        result = run(instance, model="exact", options=options, heuristic_start=heuristic_start)
        return dataclasses.replace(result, message=joined_notes(f"auto: the exact model for {instance.n_dcs} DCs", result.message))
    started = time.perf_counter()
    first = run(instance, model="routes", options=dataclasses.replace(options, time_limit=ROUTES_SHARE * options.time_limit),
                heuristic_start=heuristic_start)
    left = options.time_limit - (time.perf_counter() - started)
    if first.status in ("optimal", "infeasible") or first.plan is None or first.interrupted or left < MIN_SECOND_STAGE_SECONDS:
        return dataclasses.replace(first, message=joined_notes("auto: the route-based model", first.message))
    second = run(instance, model="strong", options=dataclasses.replace(options, time_limit=left, warm_start=first.plan),
                 heuristic_start=False)
    plan = first.plan if second.objective is None or (first.objective or 0.0) <= second.objective else second.plan
    bounds = [b for b in (first.bound, second.bound) if b is not None]
    return make_result(
        instance, costs=options.costs(instance), status="feasible", plan=plan, bound=max(bounds) if bounds else None, requested_gap=options.gap,
        runtime_s=time.perf_counter() - started, model="routes+strong", backend="highs", seed=options.seed,
        message=joined_notes(
            f"auto: route-based model (bound {_shown(first.bound)}), then the strong model (bound {_shown(second.bound)})",
            second.message,
        ),
        interrupted=second.interrupted,
    )


def _shown(bound: float | None) -> str:
    return "none" if bound is None else f"{bound:,.6g}"
