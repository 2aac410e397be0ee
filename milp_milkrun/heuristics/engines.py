"""The ``pyvrp`` and ``auto`` engines of the heuristic (:class:`.engine_settings.EngineSettings`).

``auto`` opens (below ``opening_below_dcs`` DCs) with ``pyvrp_starts`` independent PyVRP runs from random starts (different seeds: PyVRP
itself never restarts afresh, and on a tight limited fleet a seed can settle on a fleet mix far from
another's), then alternates PyVRP (:mod:`.pyvrp_engine`) and the own ruin and recreate
(:mod:`.metaheuristic`), each starting from the best plan so far: PyVRP until it stalls, the own
search until it stalls (with a time limit alone, for at most ``own_phase_share`` of it), again, and
the own search alone over the last share of the time to polish. The two searches find different
improvements (PyVRP's SWAP* and granular moves on the whole plan, the own search's string removals
and chain moves), so each restarts the other from a plan it could not improve.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass

from milp_milkrun.heuristics.construction import savings_solution
from milp_milkrun.heuristics.engine_settings import EngineSettings
from milp_milkrun.heuristics.local_search import descend
from milp_milkrun.heuristics.metaheuristic import SearchOutcome, SearchParams, anneal
from milp_milkrun.heuristics.problem import Problem
from milp_milkrun.heuristics.pyvrp_engine import PhaseStop, build_model, run_pyvrp
from milp_milkrun.heuristics.solution import Solution

logger = logging.getLogger(__name__)


@dataclass
class Budget:
    """The run's limits: a deadline (perf_counter), and an iteration budget shared by both engines."""

    started: float
    deadline: float
    max_iterations: int | None
    used: int = 0

    def left(self) -> int | None:
        return None if self.max_iterations is None else max(0, self.max_iterations - self.used)

    def polish_point(self, share: float) -> tuple[float, int | None]:
        """When the alternation ends and the polish begins: a time, and the iterations before it."""
        at = self.deadline - share * (self.deadline - self.started)
        before = None if self.max_iterations is None else int(self.max_iterations * (1.0 - share))
        return at, before

    def exhausted(self, at: float, before: int | None) -> bool:
        return time.perf_counter() >= at or (before is not None and self.used >= before)


def savings_start(p: Problem, rng: random.Random, deadline: float) -> Solution:
    """The own search's start: the savings plan, polished by descent when it places every unit."""
    start = savings_solution(p, rng)
    if start.n_unassigned == 0:
        descend(start, rng, deadline=deadline)
    return start


def pyvrp_only(p: Problem, seed: int, budget: Budget) -> SearchOutcome:
    """PyVRP alone until the deadline or the iteration budget."""
    run = run_pyvrp(p, build_model(p), PhaseStop(budget.deadline, budget.max_iterations), seed)
    best = run.best if run.best is not None else Solution(p)
    return SearchOutcome(best, run.iterations, int(run.best is not None), run.interrupted)


def alternate(
    p: Problem,
    rng: random.Random,
    seed: int,
    budget: Budget,
    settings: EngineSettings,
    params: SearchParams,
    stall_iterations: int | None = None,
    log: bool = False,
) -> tuple[SearchOutcome, str]:
    """The ``auto`` engine: PyVRP and the own search in turns, then the own search to polish.

    Returns
    -------
    (SearchOutcome, str)
        The best solution with the iterations of both engines, and a note on the rounds run.
    """
    model = build_model(p)
    polish_at, before_polish = budget.polish_point(settings.polish_share)
    time_limit = budget.deadline - budget.started
    best: Solution | None = None
    starts = settings.starts_for(len(p.instance.dcs))
    improvements = rounds = own_iterations = 0
    while not budget.exhausted(polish_at, before_polish):
        counted = before_polish is not None
        opening = rounds < starts
        stop = _round_stop(budget, settings, polish_at, before_polish, opening)
        run = run_pyvrp(p, model, stop, seed + rounds, None if opening else best)
        budget.used += run.iterations
        rounds += 1
        if run.best is not None and (best is None or run.best.cost < best.cost):
            best, improvements = run.best, improvements + 1
        if log:
            found = f"best {best.cost:.3f}" if best is not None else "no plan yet"
            start = " (own random start)" if opening else ""
            logger.info("  PyVRP round %d%s: %s after %d of its iterations", rounds, start, found, run.iterations)
        if run.interrupted:
            return _outcome(best, p, budget, improvements, True), _note(rounds, own_iterations)
        if budget.exhausted(polish_at, before_polish):
            break
        if rounds < starts:
            continue  # the next independent start: the own search joins once the best of them is known
        own_until = (
            polish_at if counted else min(polish_at, time.perf_counter() + settings.own_phase_share * time_limit)
        )
        outcome = _own(
            p, best, rng, own_until, _left_before(budget, before_polish), settings.own_stall_iterations, params
        )
        budget.used += outcome.iterations
        own_iterations += outcome.iterations
        if best is None or outcome.best.key() < best.key():
            best, improvements = outcome.best, improvements + outcome.improvements
        if outcome.interrupted:
            return _outcome(best, p, budget, improvements, True), _note(rounds, own_iterations)
    polish = _own(p, best, rng, budget.deadline, budget.left(), stall_iterations, params, log)
    budget.used += polish.iterations
    own_iterations += polish.iterations
    if best is None or polish.best.key() < best.key():
        best, improvements = polish.best, improvements + polish.improvements
    outcome = _outcome(best, p, budget, improvements, polish.interrupted)
    outcome.stalled = polish.stalled
    return outcome, _note(rounds, own_iterations)


def _round_stop(
    budget: Budget, settings: EngineSettings, polish_at: float, before_polish: int | None, opening: bool
) -> PhaseStop:
    """When a PyVRP round ends: at its stall, at the polish, and for one of the independent starts of the
    opening also after its share (``opening_share`` / ``pyvrp_starts``) of the time limit, or of the
    iteration budget when there is one (then no clock decides, so a seed repeats on any machine)."""
    time_limit = budget.deadline - budget.started
    if before_polish is not None:
        left = before_polish - budget.used
        if opening and budget.max_iterations is not None:
            left = min(left, max(1, int(settings.opening_share * budget.max_iterations / settings.pyvrp_starts)))
        return PhaseStop(polish_at, left, stall_iterations=settings.pyvrp_stall_iterations)
    until = polish_at
    if opening:
        until = min(until, time.perf_counter() + settings.opening_share * time_limit / settings.pyvrp_starts)
    return PhaseStop(until, stall_seconds=settings.pyvrp_stall_share * time_limit)


def _own(
    p: Problem,
    start: Solution | None,
    rng: random.Random,
    deadline: float,
    max_iterations: int | None,
    stall_iterations: int | None,
    params: SearchParams,
    log: bool = False,
) -> SearchOutcome:
    """The own search from ``start`` (the savings plan, polished, when PyVRP found none)."""
    return anneal(
        p,
        start.copy() if start is not None else savings_start(p, rng, deadline),
        rng,
        deadline=deadline,
        max_iterations=max_iterations,
        stall_iterations=stall_iterations,
        params=params,
        log=log,
    )


def _left_before(budget: Budget, before: int | None) -> int | None:
    return None if before is None else max(0, before - budget.used)


def _outcome(best: Solution | None, p: Problem, budget: Budget, improvements: int, interrupted: bool) -> SearchOutcome:
    return SearchOutcome(best if best is not None else Solution(p), budget.used, improvements, interrupted)


def _note(rounds: int, own_iterations: int) -> str:
    return f"engine auto: {rounds} PyVRP round{'s' if rounds != 1 else ''}, {own_iterations:,} of the iterations by the own search"
