"""solve_heuristic: savings construction, then ruin and recreate (descent acceptance for the distance, annealing with vehicle costs), checker-verified result."""

from __future__ import annotations

import logging
import random
import time

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import InputError
from milp_milkrun.heuristics.engine_settings import EngineSettings
from milp_milkrun.heuristics.engines import Budget, alternate, pyvrp_only, savings_start
from milp_milkrun.heuristics.metaheuristic import SearchOutcome, SearchParams, anneal
from milp_milkrun.heuristics.problem import Problem, compile_problem
from milp_milkrun.heuristics.pyvrp_engine import refusal
from milp_milkrun.instance import Instance
from milp_milkrun.limits import FLOAT_NOISE
from milp_milkrun.objectives import RouteCosts, route_costs
from milp_milkrun.options import DEFAULT_SEED, check_seconds
from milp_milkrun.plan import Plan, Route
from milp_milkrun.result import RunContext, SolveResult, make_result
from milp_milkrun.timing import require_time_support

logger = logging.getLogger(__name__)


def solve_heuristic(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    seed: int = DEFAULT_SEED,
    log: bool = False,
    max_iterations: int | None = None,
    stall_iterations: int | None = None,
    params: SearchParams | None = None,
    costs: RouteCosts | None = None,
) -> SolveResult:
    """The best feasible plan found within ``time_limit`` seconds (and ``max_iterations``, if given;
    ``stall_iterations`` also stops it after that many iterations without a better plan).

    ``costs`` is the objective (None: the instance's own); the search prices every route natively at
    its vehicle type's rates (fixed cost, per-km rate, load term). Under a load-dependent objective
    (emissions) each route finally runs in whichever direction is cheaper (heavy drops first), when
    the reversed route keeps every rule.

    Same seed and ``max_iterations`` give the same plan on any machine; with only a time limit the
    number of iterations depends on the machine.

    Parameters
    ----------
    instance : Instance
        The instance to solve.
    time_limit : float
        Seconds of search.
    seed : int
        The seed of the search (printed with the result).
    log : bool
        Logging records of the start and of every new best plan (logger ``milp_milkrun.heuristics``).
    max_iterations, stall_iterations : int, optional
        Stop after this many iterations, or this many in a row without a better plan.
    params : SearchParams, optional
        Acceptance rule, ruin sizes and engine (default: the measured defaults and the own engine;
        ``SearchParams(engine=EngineSettings("auto"))`` adds PyVRP where it can state the instance).
    costs : RouteCosts, optional
        The objective: distance, cost or emissions (None: the instance's own).

    Returns
    -------
    SolveResult
        Status ``feasible`` with a checked plan, or ``no_solution`` when no complete feasible plan was
        found; the bound is always None (a heuristic proves nothing).
    """
    require_time_support(instance, "heuristic")
    check_heuristic_limits(time_limit, max_iterations, seed)
    costs = costs if costs is not None else route_costs(instance)
    started = time.perf_counter()
    deadline = started + time_limit
    run = RunContext(instance, "heuristic", "milkrun", seed, started, costs=costs)
    p = compile_problem(instance, vehicle_rates(instance, costs), costs.load_weights)
    stranded = _units_no_vehicle_can_serve(p)
    if stranded:
        return _no_solution(
            run, f"no vehicle may carry {', '.join(stranded)} (capacity, stop limit or forbidden pairs)"
        )
    params = params or SearchParams()
    rng = random.Random(seed)
    engine, engine_note = _engine_to_run(p, params.engine)
    budget = Budget(started, deadline, max_iterations)
    if log and engine != "own":
        logger.info("heuristic: seed %d, %d units, engine %s", seed, p.n_units, engine)
    if engine == "pyvrp":
        outcome = pyvrp_only(p, seed, budget)
    elif engine == "auto":
        outcome, note = alternate(p, rng, seed, budget, params.engine, params, stall_iterations, log)
        engine_note = engine_note or note
    else:
        outcome = _own_search(p, rng, seed, deadline, max_iterations, stall_iterations, params, log)
    runtime = time.perf_counter() - started
    if outcome.best.n_unassigned:
        message = f"no feasible plan after {outcome.iterations} iterations: {outcome.best.n_unassigned} units could not be placed"
        return _no_solution(run, message + (f"; {engine_note}" if engine_note else ""))
    plan = outcome.best.to_plan()
    message = f"{_count(outcome.iterations, 'iteration')}, {_count(outcome.improvements, 'improvement')}"
    if engine_note:
        message += f"; {engine_note}"
    if outcome.stalled:
        message += (
            f"; stopped early: no better plan in the last {outcome.since_best:,} (the stall rule, docs/heuristics.md)"
        )
    if costs.load_dependent:
        plan = cleaner_directions(instance, plan, costs)
    return make_result(
        run,
        status="feasible",
        plan=plan,
        bound=None,
        runtime_s=runtime,
        message=message + ("; interrupted (Ctrl-C): the best plan so far" if outcome.interrupted else ""),
        interrupted=outcome.interrupted,
    )


def _engine_to_run(p: Problem, settings: EngineSettings) -> tuple[str, str]:
    """The engine that runs (own when PyVRP cannot state the instance, under ``auto``) and a note why.

    ``pyvrp`` on an instance PyVRP cannot state is an input error: the user asked for PyVRP alone.
    """
    if settings.name == "own":
        return "own", ""
    reason = refusal(p)
    if reason is None:
        return settings.name, ""
    if settings.name == "pyvrp":
        raise InputError("engine", f"{reason}; use --engine auto or own")
    return "own", f"engine auto ran the own search alone ({reason})"


def _own_search(
    p: Problem,
    rng: random.Random,
    seed: int,
    deadline: float,
    max_iterations: int | None,
    stall_iterations: int | None,
    params: SearchParams,
    log: bool,
) -> SearchOutcome:
    """The own engine: savings construction, descent, then ruin and recreate."""
    sol = savings_start(p, rng, deadline)
    if log:
        logger.info(
            "heuristic: seed %d, %d units, savings start %.3f with %d unplaced",
            seed,
            p.n_units,
            sol.cost,
            sol.n_unassigned,
        )
    return anneal(
        p,
        sol,
        rng,
        deadline=deadline,
        max_iterations=max_iterations,
        stall_iterations=stall_iterations,
        params=params,
        log=log,
    )


def vehicle_rates(instance: Instance, costs: RouteCosts) -> list[tuple[float, float, float, float]]:
    """The rates the search prices each vehicle's routes at.

    Parameters
    ----------
    instance : Instance
        The instance.
    costs : RouteCosts
        The objective.

    Returns
    -------
    list of (float, float, float, float)
        (fixed, per_km, per_unit_km, per_hour) of each vehicle of ``instance.vehicles``, in order.
    """
    rates = [costs.of_vehicle(v.name) for v in instance.vehicles]
    return [(r.fixed, r.per_km, r.per_unit_km, r.per_hour) for r in rates]


def cleaner_directions(instance: Instance, plan: Plan, costs: RouteCosts) -> Plan:
    """Each route in the direction that is cheaper (emits less), where the reversed route keeps every rule.

    Parameters
    ----------
    instance : Instance
        The instance of the plan.
    plan : Plan
        A feasible plan.
    costs : RouteCosts
        Prices a route in either direction.

    Returns
    -------
    Plan
        The same routes, some reversed.
    """
    routes = list(plan.routes)
    for k, route in enumerate(routes):
        reverse = Route(route.vehicle, route.stops[::-1])
        if costs.route(reverse.vehicle, reverse.stops) < costs.route(route.vehicle, route.stops) - FLOAT_NOISE:
            trial = Plan(tuple(routes[:k] + [reverse] + routes[k + 1 :]))
            if check_plan(instance, trial).feasible:
                routes[k] = reverse
    return Plan(tuple(routes))


def check_heuristic_limits(time_limit: float, max_iterations: int | None, seed: int = DEFAULT_SEED) -> None:
    """Reject a time limit that is not a positive number of seconds, a negative iteration count, or
    a negative seed (Python's random module seeds with its absolute value: -1 would repeat seed 1).

    Parameters
    ----------
    time_limit : float
        Seconds of search.
    max_iterations : int or None
        The iteration limit.
    seed : int
        The seed.
    """
    check_seconds("time_limit", time_limit)
    if max_iterations is not None and max_iterations < 0:
        raise InputError("max_iterations", f"must be >= 0, got {max_iterations}")
    if seed < 0:
        raise InputError("seed", f"must be >= 0, got {seed}")


def _units_no_vehicle_can_serve(p: Problem) -> list[str]:
    """Units too heavy or too long (stops) for every vehicle allowed to serve them.

    Distance is not tested: with a damaged hub road a unit may be unreachable alone yet fine between
    two other DCs, so only the search can tell.
    """
    stranded = []
    for u in range(1, p.n_units + 1):
        if p.smallest_free_fit(p.all_vehicles, p.demand[u], p.size[u], 0.0, p.mask[u]) < 0:
            stranded.append("-".join(p.stops_of([u])))
    return stranded


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _no_solution(run: RunContext, message: str) -> SolveResult:
    return make_result(run, status="no_solution", plan=None, bound=None, message=message)
