"""The route-based backend (``--model routes``): branch-and-price-and-cut (:mod:`milp_milkrun.routes.tree`)
under a :class:`~milp_milkrun.options.SolveOptions`, its best plan and bound as a checked :class:`SolveResult`."""

from __future__ import annotations

import math
import time
from functools import partial

from milp_milkrun.heuristics.warm_start import WarmStartSettings
from milp_milkrun.instance import Instance
from milp_milkrun.objectives import RouteCosts
from milp_milkrun.options import SolveOptions
from milp_milkrun.plan import Plan
from milp_milkrun.result import RunContext, SolveResult, make_result
from milp_milkrun.routes.master import SolverSetup
from milp_milkrun.routes.tree import BranchAndPrice
from milp_milkrun.solve.strong import bound_without_time
from milp_milkrun.timing import require_time_support


def solve_branch_price(instance: Instance, options: SolveOptions) -> SolveResult:
    """Branch-and-price-and-cut under ``options.time_limit``: the checked best plan and the certified bound.

    Parameters
    ----------
    instance : Instance
        The instance to solve.
    options : SolveOptions
        Time limit, gap, threads and seed (of HiGHS's LPs and MIPs), log, MIP start and the engine's settings.

    Returns
    -------
    SolveResult
        The checked plan, the global bound of the tree and the derived status.
    """
    require_time_support(instance, "routes")
    started = time.perf_counter()
    solver = SolverSetup(options.threads, options.seed)
    costs = options.costs(instance)
    bp = BranchAndPrice(
        instance,
        started + options.time_limit,
        costs,
        settings=options.routes,
        solver=solver,
        log_progress=bool(options.log),
        relaxed_bound=None if costs.load_dependent else partial(bound_without_time, instance, options),
        heuristic_plan=partial(searched_again, instance, options, costs),
    )
    if options.warm_start is not None:
        bp.offer(options.warm_start)
    try:
        searched = bp.run(started, options.time_limit)
    except KeyboardInterrupt:  # during the root: its certified bound holds for every plan
        searched, bp.interrupted = False, True
        bp.bound = max(bp.bound, bp.cg.bound)
    bound = bp.bound if math.isfinite(bp.bound) else None
    master = bp.cg.master
    message = (
        f"route-based branch-and-price: {bp.nodes} nodes searched ({bp.enumerated} settled by route enumeration), "
        f"{len(master.columns)} routes, {len(master.cuts)} capacity cuts, "
        f"{bp.fixed_arcs} arcs fixed at the root and {bp.fixed_below_root} below, "
        f"root {'converged' if searched else 'not converged (plan from the generated routes)'}"
    )
    if bp.relaxation_bound > bp.root_bound:
        root = f"{bp.root_bound:,.6g}" if math.isfinite(bp.root_bound) else "none"
        message += (
            f"; bound {bp.relaxation_bound:,.6g} of the strong formulation{' without time' if instance.has_time else ''}"
            f" (the root's: {root})"
        )
    if bp.interrupted:
        message += "; interrupted"
    if bp.unresolved:
        message += f"; {len(bp.unresolved)} nodes with integral arc flows of rule-breaking routes left open"
    context = RunContext.of(instance, options, model="routes", backend="highs", started=started)
    if bp.incumbent is None:  # a searched tree whose every node closed (bound inf) proves there is no plan
        # or the strong formulation (without time) has no plan either
        proven = (searched and not bp.interrupted and bp.bound == math.inf) or bp.relaxation_bound == math.inf
        return make_result(
            context,
            status="infeasible" if proven else "no_solution",
            plan=None,
            bound=bound,
            message=message + "; no plan found",
            interrupted=bp.interrupted,
        )
    return make_result(
        context, status="feasible", plan=bp.incumbent, bound=bound, message=message, interrupted=bp.interrupted
    )


def searched_again(
    instance: Instance, options: SolveOptions, costs: RouteCosts, seconds: float, offset: int
) -> Plan | None:
    """The heuristic's start search (:class:`WarmStartSettings`) again on the run's ``costs`` with the seed ``offset``
    past the run's, within ``seconds`` at most: its checked plan, or None. Ctrl-C during the search ends the run as
    it would the tree."""
    found = WarmStartSettings().search(instance, costs, options.time_limit, options.seed + offset, at_most=seconds)
    if found.interrupted:
        raise KeyboardInterrupt
    return found.plan
