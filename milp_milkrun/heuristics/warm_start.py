"""The heuristic plan as the MIP start of an exact solve, and the promise that comes with it.

``solve()`` calls :func:`solve_with_heuristic_start` when no warm start was given: the heuristic runs
for a short budget (:class:`WarmStartSettings`: the own engine on small instances, PyVRP and the own
engine in turns on large ones), its plan goes to the backend as ``options.warm_start``, and the final result is
never worse than that plan. If the MIP returns no plan or a longer one, the heuristic plan is
returned with the MIP's bound (the bound is valid whatever incumbent it is compared with).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from milp_milkrun.heuristics.engine_settings import EngineSettings
from milp_milkrun.heuristics.metaheuristic import SearchParams
from milp_milkrun.heuristics.pyvrp_engine import states_instance
from milp_milkrun.heuristics.solver import solve_heuristic
from milp_milkrun.instance import Instance
from milp_milkrun.limits import solver_seconds
from milp_milkrun.objectives import RouteCosts
from milp_milkrun.options import SolveOptions
from milp_milkrun.result import RunContext, SolveResult, joined_notes, make_result

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WarmStartSettings:
    """How the heuristic searches for an exact solve's start.

    Below ``large_dcs`` DCs (``large_dcs_without_stop_limits`` where no vehicle type limits its stops), or
    where PyVRP cannot state the instance (time, a load term): the own engine for min(``max_seconds``,
    ``share`` x the time limit), stopping after ``stall_iterations`` iterations without a better plan (tiny
    instances: ~0.2 s, ecom74: ~2 s). From there on, where PyVRP states it: the ``auto`` engine for
    ``iterations_per_dc`` iterations per DC, within min(``large_max_seconds``, ``share`` x the time limit).
    On 100+ DCs the own stall rule stopped within 2 s, 1.4% above the optimum of X-n106-k14, a gap the route
    engine's tree did not close in 10 minutes; PyVRP's iterations reach 0.1-0.2% in 5-17 s, by load. On the
    CVRPLIB instances of 75-80 nodes the own start was 0.7-3% above the optimum (P-n76-k4 601 for 593,
    E-n76-k7 702 for 682) and PyVRP's within 0.2% in about 5 s; on ecom74, whose stop limits PyVRP states
    as a second load, both start at the optimum and the route engine proves it 7-9 s later from PyVRP's
    (docs/benchmarks.md). Both rules count iterations, so a seed gives the same start on any machine
    unless the time cap binds first.
    """

    max_seconds: float = 10.0
    share: float = 0.2
    stall_iterations: int = 300
    large_dcs: int = 100
    large_dcs_without_stop_limits: int = 50
    iterations_per_dc: int = 100
    large_max_seconds: float = 30.0

    def is_large(self, instance: Instance, costs: RouteCosts) -> bool:
        """Whether ``instance`` gets the large instances' start: enough DCs, and PyVRP states it."""
        free = all(vehicle.max_stops is None for vehicle in instance.vehicles)
        least = self.large_dcs_without_stop_limits if free else self.large_dcs
        return len(instance.dcs) >= least and states_instance(instance, costs)

    def budget(self, time_limit: float, large: bool = False) -> float:
        """The heuristic's seconds: min(max_seconds, or large_max_seconds, share x ``time_limit``)."""
        return min(self.large_max_seconds if large else self.max_seconds, self.share * time_limit)

    def search(
        self, instance: Instance, costs: RouteCosts, time_limit: float, seed: int, at_most: float | None = None
    ) -> SolveResult:
        """The start: the heuristic run by these settings on ``instance`` within ``time_limit``.

        Parameters
        ----------
        instance : Instance
            The instance to solve.
        costs : RouteCosts
            The objective of the solve.
        time_limit : float
            The time limit of the whole solve.
        seed : int
            The seed of the search.
        at_most : float, optional
            Seconds the search may take at most, whatever its budget (the time a solve has left).

        Returns
        -------
        SolveResult
            The heuristic's checked plan (or none).
        """
        large = self.is_large(instance, costs)
        budget = self.budget(time_limit, large)
        return solve_heuristic(
            instance,
            time_limit=budget if at_most is None else min(budget, at_most),
            seed=seed,
            max_iterations=self.iterations_per_dc * len(instance.dcs) if large else None,
            stall_iterations=self.stall_iterations,  # under auto: its closing own phase
            # one PyVRP trajectory, as measured (docs/benchmarks.md): the heuristic's opening of independent
            # starts would split the start's iteration budget into eighths
            params=SearchParams(engine=EngineSettings("auto", opening_below_dcs=0) if large else EngineSettings("own")),
            costs=costs,
        )


def solve_with_heuristic_start(
    instance: Instance,
    options: SolveOptions,
    run_backend: Callable[[SolveOptions], SolveResult],
    settings: WarmStartSettings | None = None,
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
    settings : WarmStartSettings, optional
        How the heuristic searches (default: ``WarmStartSettings()``).

    Returns
    -------
    SolveResult
        The backend's result, never worse than the heuristic's plan, with the MIP's bound.
    """
    started = time.perf_counter()
    settings = settings or WarmStartSettings()
    start = settings.search(instance, options.costs(instance), options.time_limit, options.seed)
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
