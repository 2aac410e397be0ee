"""Ruin and recreate, each candidate polished by local search, accepted by descent or annealing.

Each iteration ruins a copy of the current solution (string removal), recreates it (cheapest
insertion), runs the local search over the routes the reinsertion touched, and accepts it:
- ``descent`` (the default): when its value is below the current one;
- ``anneal``: by the rule of SISR, when its value is below current - T ln U, U uniform in (0, 1],
  with T falling geometrically from ``t_start`` to ``t_end`` (multiples of a typical arc length)
  over a cycle of iterations, each cycle restarting from the best plan.
Solutions are compared lexicographically on (unplaced units, value), so the search first repairs
a partial plan and then never leaves the complete ones; the value is the distance, or the cost of
the routes on their vehicles (:mod:`.problem`). With typed vehicle costs every ``resplit_every``-th
candidate is instead the current plan re-split on the best vehicle mix (:mod:`.giant_tour`) and
polished by a full descent: the packing step that fixed costs need.

The default ("auto") is the measured one: for the distance, descent (on ecom74 both rules reach the
same plan with every seed; on a 200-DC hub the descent was 0.1% better on average, within the spread
of seeds, and far ahead of a tabu search over the same moves); with typed vehicle costs, annealing
(closer to the best-known values of the Golden-Taillard fleet benchmarks on average, with large
wins where fixed costs or per-km rates leave plateaus). docs/heuristics.md has the tables. Every schedule is a function of
the iteration number only, never of the clock: a run with a time limit is a prefix of the run with
the same seed and more time, and ``max_iterations`` makes a run fully reproducible.
"""

from __future__ import annotations

import logging
import math
import random
import time
from dataclasses import dataclass, field

from milp_milkrun.heuristics.engine_settings import EngineSettings
from milp_milkrun.heuristics.giant_tour import resplit
from milp_milkrun.heuristics.local_search import descend
from milp_milkrun.heuristics.problem import Problem
from milp_milkrun.heuristics.ruin_recreate import RuinParams, recreate, ruin
from milp_milkrun.heuristics.solution import Solution

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 5.0  # with log on: a progress record at least this often, new best or not


@dataclass(frozen=True)
class SearchParams:
    ruin: RuinParams = field(default_factory=RuinParams)
    acceptance: str = (
        "auto"  # "descent" (only improving candidates), "anneal" (SA), or "auto": descent, anneal with typed costs
    )
    t_start: float = 0.3  # x the typical arc length
    t_end: float = 0.003
    cycle_per_unit: int = 300  # iterations of one cooling cycle, per unit of the instance
    local_search: str = "each"  # polish "each" candidate (around the ruined region), only "best" ones, or "none"
    resplit_every: int = (
        20  # with typed costs: every so many iterations the candidate is a re-split giant tour (0: never)
    )
    stall_cycles: int = 10  # stop after this many cycles of iterations in a row without a new best plan (0: never)
    engine: EngineSettings = field(default_factory=EngineSettings)  # own search, PyVRP, or both (:mod:`.engines`)

    def stall_limit(self, cycle: int, stall_iterations: int | None) -> int | None:
        """The iterations in a row without a new best plan after which the search has stalled and stops.

        Counted in iterations, never in seconds, so the stop is the same for a seed on any machine.

        Parameters
        ----------
        cycle : int
            The iterations of one cooling cycle on this instance.
        stall_iterations : int or None
            A caller's own, tighter limit.

        Returns
        -------
        int or None
            The smaller of ``stall_cycles`` cycles and ``stall_iterations``; None: no limit.
        """
        limits = [
            n for n in (self.stall_cycles * cycle if self.stall_cycles else None, stall_iterations) if n is not None
        ]
        return min(limits) if limits else None


@dataclass
class SearchOutcome:
    best: Solution  # lowest (unplaced, distance); feasible when best.n_unassigned == 0
    iterations: int
    improvements: int
    interrupted: bool = False  # stopped by Ctrl-C
    stalled: bool = False  # stopped by the stall rule (SearchParams.stall_limit)
    since_best: int = 0  # iterations after the last new best plan


def anneal(
    p: Problem,
    initial: Solution,
    rng: random.Random,
    *,
    deadline: float | None,
    max_iterations: int | None,
    stall_iterations: int | None = None,
    params: SearchParams = SearchParams(),
    log: bool = False,
) -> SearchOutcome:
    """Improve ``initial`` until the deadline (perf_counter), the iteration limit, or the stall rule
    (``params.stall_limit``: ``params.stall_cycles`` cooling cycles, or ``stall_iterations`` if fewer,
    in a row without a new best plan). Plans are compared by their value (their distance,
    or their cost on the vehicles they use: see :mod:`.problem`).

    Parameters
    ----------
    p : Problem
        The compiled instance.
    initial : Solution
        The starting solution (e.g. from the savings construction).
    rng : random.Random
        The search's only source of randomness.
    deadline : float or None
        A ``time.perf_counter()`` value at which the search stops.
    max_iterations, stall_iterations : int or None
        Stop after this many iterations, or this many in a row without a new best plan.
    params : SearchParams
        Acceptance rule, temperatures and ruin sizes.
    log : bool
        A logging record for every new best plan.

    Returns
    -------
    SearchOutcome
        The best solution, the iterations and improvements, and whether Ctrl-C stopped the search.
    """
    annealing = params.acceptance == "anneal" or (params.acceptance == "auto" and p.typed)
    current = initial
    best = initial.copy()
    cycle = max(1000, params.cycle_per_unit * p.n_units)
    stall_limit = params.stall_limit(cycle, stall_iterations)
    t_start = params.t_start * p.mean_arc
    ratio = params.t_end / params.t_start
    iteration = improvements = last_improvement = 0
    started = heartbeat = time.perf_counter()
    interrupted = stalled = False
    try:
        while (max_iterations is None or iteration < max_iterations) and (
            deadline is None or time.perf_counter() < deadline
        ):
            if stall_limit is not None and iteration - last_improvement >= stall_limit:
                stalled = True
                break
            if log and time.perf_counter() - heartbeat >= HEARTBEAT_SECONDS:  # a sign of life between new bests
                heartbeat = time.perf_counter()
                _report(
                    best,
                    iteration,
                    heartbeat - started,
                    f"  (no better plan for {iteration - last_improvement:,} iterations)",
                )
            phase = iteration % cycle
            if phase == 0 and iteration:
                current = best.copy()
            temperature = t_start * ratio ** (phase / cycle) if annealing else 0.0
            resplit_now = (
                p.typed and params.resplit_every and iteration % params.resplit_every == params.resplit_every - 1
            )
            candidate = (resplit(current, rng) if resplit_now else None) or current.copy()
            if resplit_now and candidate is not current and candidate.n_unassigned == 0:
                descend(candidate, rng)
            else:
                removed = ruin(candidate, rng, params.ruin)
                recreate(candidate, removed, rng, params.ruin)
                if params.local_search == "each" and candidate.n_unassigned == 0:
                    descend(candidate, rng, _region(candidate, removed))
            threshold = current.cost - temperature * math.log(1.0 - rng.random())
            candidate_score = candidate.cost
            if candidate.n_unassigned < current.n_unassigned or (
                candidate.n_unassigned == current.n_unassigned and candidate_score < threshold
            ):
                if (candidate.n_unassigned, candidate_score) < (best.n_unassigned, best.cost):
                    if params.local_search == "best" and candidate.n_unassigned == 0:
                        descend(candidate, rng)
                    best = candidate.copy()
                    improvements += 1
                    last_improvement = iteration
                    if log:
                        _report(best, iteration, time.perf_counter() - started)
                current = candidate
            iteration += 1
    except KeyboardInterrupt:  # Ctrl-C: stop searching and keep the best plan found so far
        interrupted = True
    return SearchOutcome(best, iteration, improvements, interrupted, stalled, iteration - last_improvement)


def _region(sol: Solution, removed: list[int]) -> list[int]:
    """The units of every route that received a removed unit: where the local search should look."""
    seen: set[int] = set()
    region: list[int] = []
    for u in removed:
        route = sol.route_of[u]
        if route is not None and id(route) not in seen:
            seen.add(id(route))
            region += route.units
    return region


def _report(best: Solution, iteration: int, elapsed: float, note: str = "") -> None:
    unplaced = f", {best.n_unassigned} units unplaced" if best.n_unassigned else ""
    logger.info(
        "  it %8d  %7.2fs  best %.3f  routes %d%s%s", iteration, elapsed, best.cost, len(best.routes), unplaced, note
    )
