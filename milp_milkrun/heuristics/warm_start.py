"""The heuristic plan as the MIP start of an exact solve, and the promise that comes with it.

``solve()`` calls :func:`solve_with_heuristic_start` when no warm start was given: the heuristic runs
for a short budget, its plan goes to the backend as ``options.warm_start``, and the final result is
never worse than that plan. If the MIP returns no plan or a longer one, the heuristic plan is
returned with the MIP's bound (the bound is valid whatever incumbent it is compared with).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

from milp_milkrun.heuristics.engine_settings import EngineSettings
from milp_milkrun.heuristics.metaheuristic import SearchParams
from milp_milkrun.heuristics.solver import solve_heuristic
from milp_milkrun.instance import Instance
from milp_milkrun.limits import solver_seconds
from milp_milkrun.options import SolveOptions
from milp_milkrun.result import RunContext, SolveResult, joined_notes, make_result

logger = logging.getLogger(__name__)

MAX_SECONDS = 10.0  # the heuristic gets min(MAX_SECONDS, SHARE x time limit)
SHARE = 0.2
STALL_ITERATIONS = 300  # and stops early after this many iterations without a better plan (tiny instances: ~0.2 s)


def heuristic_budget(time_limit: float) -> float:
    """The heuristic's share of a solve: min(MAX_SECONDS, SHARE x time limit).

    Parameters
    ----------
    time_limit : float
        The time limit of the whole solve.

    Returns
    -------
    float
        Seconds for the heuristic.
    """
    return min(MAX_SECONDS, SHARE * time_limit)


def solve_with_heuristic_start(
    instance: Instance, options: SolveOptions, run_backend: Callable[[SolveOptions], SolveResult]
) -> SolveResult:
    """Run the heuristic, then ``run_backend`` with its plan as MIP start and the time that is left.

    Parameters
    ----------
    instance : Instance
        The instance to solve.
    options : SolveOptions
        The options of the whole solve (its ``log`` also logs the heuristic's result).
    run_backend : callable
        Runs the backend with the given options (the MIP start and the remaining time set).

    Returns
    -------
    SolveResult
        The backend's result, never worse than the heuristic's plan, with the MIP's bound.
    """
    started = time.perf_counter()
    budget = heuristic_budget(options.time_limit)
    start = solve_heuristic(  # the own engine: an exact solve's start stays what it was, PyVRP or not
        instance,
        time_limit=budget,
        seed=options.seed,
        stall_iterations=STALL_ITERATIONS,
        params=SearchParams(engine=EngineSettings("own")),
        costs=options.costs(instance),
    )
    spent = time.perf_counter() - started
    if options.log:
        found = f"plan {start.objective:.6g}" if start.plan is not None else "no plan"
        logger.info("warm start: heuristic (seed %d) found %s in %.1f s", options.seed, found, spent)
    if start.interrupted:  # Ctrl-C during the heuristic: the user wants to stop, not to start the MIP
        return start
    remaining = solver_seconds(
        options.time_limit - spent
    )  # SolveOptions needs a positive limit; the backend stops at once
    result = run_backend(dataclasses.replace(options, time_limit=remaining, warm_start=start.plan))
    total = time.perf_counter() - started
    if start.plan is None or start.objective is None:
        return dataclasses.replace(
            result, runtime_s=total, message=joined_notes("heuristic found no warm start", result.message)
        )
    note = f"warm start from the heuristic: {start.objective:.6g} after {spent:.1f} s"
    run = RunContext.of(instance, options, model=result.model, backend=result.backend, started=started)
    return make_result(  # never worse than the heuristic plan: make_result keeps the better of the two
        run,
        status=result.status,
        plan=result.plan,
        bound=result.bound,
        runtime_s=total,
        message=joined_notes(note, result.message),
        interrupted=result.interrupted,
        start=start.plan,
    )
