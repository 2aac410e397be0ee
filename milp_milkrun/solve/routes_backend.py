"""The route-based backend (``--model routes``): branch-and-price-and-cut (:mod:`milp_milkrun.routes.tree`)
under a :class:`~milp_milkrun.options.SolveOptions`, its best plan and bound as a checked :class:`SolveResult`."""

from __future__ import annotations

import math
import time

from milp_milkrun.errors import InputError
from milp_milkrun.instance import Instance
from milp_milkrun.options import SolveOptions
from milp_milkrun.result import SolveResult, make_result
from milp_milkrun.routes.tree import BranchAndPrice
from milp_milkrun.timing import require_time_support


def solve_branch_price(instance: Instance, options: SolveOptions) -> SolveResult:
    """Branch-and-price-and-cut under ``options.time_limit``: the checked best plan and the certified bound.

    Parameters
    ----------
    instance : Instance
        The instance to solve.
    options : SolveOptions
        Time limit, gap, seed, log and MIP start.

    Returns
    -------
    SolveResult
        The checked plan, the global bound of the tree and the derived status.
    """
    require_time_support(instance, "routes")
    refuse_shifts(instance)
    started = time.perf_counter()
    bp = BranchAndPrice(instance, started + options.time_limit, options.costs(instance))
    bp.cg.log_progress = bool(options.log)
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
        f"route-based branch-and-price: {bp.nodes} nodes searched ({bp.enumerated} settled by route enumeration), {len(master.columns)} routes, {len(master.cuts)} capacity cuts, {bp.fixed_arcs} arcs fixed at the root and {bp.fixed_below_root} below, "
        f"root {'converged' if searched else 'not converged (plan from the generated routes)'}"
    )
    if bp.interrupted:
        message += "; interrupted"
    if bp.unresolved:
        message += f"; {len(bp.unresolved)} nodes with integral arc flows of rule-breaking routes left open"
    runtime = time.perf_counter() - started
    if bp.incumbent is None:  # a searched tree whose every node closed (bound inf) proves there is no plan
        proven = searched and not bp.interrupted and bp.bound == math.inf
        return make_result(instance, costs=options.costs(instance), status="infeasible" if proven else "no_solution", plan=None, bound=bound, runtime_s=runtime, model="routes",
                           backend="highs", seed=options.seed, message=message + "; no plan found", interrupted=bp.interrupted)
    return make_result(instance, costs=options.costs(instance), status="feasible", plan=bp.incumbent, bound=bound, requested_gap=options.gap,
                       runtime_s=runtime, model="routes", backend="highs", seed=options.seed, message=message,
                       interrupted=bp.interrupted)


def refuse_shifts(instance: Instance) -> None:
    """Refuse a shift (Eq 18) beside a DC with several windows in one clear line: the labelling's
    shortest duration assumes one window per DC (:func:`milp_milkrun.routes.pricing.next_clocks`).

    Parameters
    ----------
    instance : Instance
        The instance to solve.
    """
    several = next((dc for dc in instance.dcs if len(dc.windows) > 1), None)
    for k, vt in enumerate(instance.vehicle_types):
        if vt.shift is not None and several is not None:
            raise InputError(
                f"vehicle_types[{k}].shift",
                f"the route engine (--model routes) does not handle time windows and shifts together yet when a DC has several "
                f"windows (DC {several.origin}) and vehicle type {vt.name} has a shift; drop one or use another engine",
            )
