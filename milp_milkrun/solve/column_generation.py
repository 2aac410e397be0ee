"""Column generation for the route-based formulation: a certified lower bound, and plans from its routes.

The loop (:class:`ColumnGeneration`):

1. solve the restricted master LP (:class:`~milp_milkrun.models.set_partitioning.RouteMaster`) for duals;
2. price every vehicle class (:mod:`milp_milkrun.solve.pricing`): the fast heuristic while it finds
   routes of negative reduced cost, the exact ng-route labelling when it finds none;
3. add the routes found and repeat.

Every exact pricing yields a Lagrangian bound, valid whatever the LP returned, so the best one is kept
even when the deadline interrupts the loop.  When exact pricing finds no negative route the LP is
solved to optimality and the bound equals its value.  :func:`solve_routes` then searches the
generated routes for the best plan (price-and-branch: a heuristic for the plan, the bound stays certified).
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from milp_milkrun.checker import check_plan
from milp_milkrun.instance import Instance
from milp_milkrun.models.set_partitioning import RouteMaster
from milp_milkrun.implied import vehicle_classes
from milp_milkrun.plan import Plan
from milp_milkrun.solve.options import SolveOptions
from milp_milkrun.solve.pricing import PricingTimeout, class_networks, price
from milp_milkrun.solve.result import SolveResult, make_result

ROUTES_PER_CLASS = 60  # columns added per class and iteration
LP_SHARE = 0.7  # solve_routes: column generation may use this share of the time, the rest is for the plan


@dataclass
class ColumnGeneration:
    """State of one column generation run under a deadline."""

    instance: Instance
    deadline: float
    log_to_stderr: bool = False
    master: RouteMaster = field(init=False)
    bound: float = -math.inf  # best certified Lagrangian bound so far
    lp_value: float = math.inf  # value of the last restricted master LP
    iterations: int = 0
    exact_pricings: int = 0
    converged: bool = False  # exact pricing found no negative route: the LP optimum is the bound

    def __post_init__(self) -> None:
        classes = vehicle_classes(self.instance)
        self.master = RouteMaster(self.instance, classes)
        self.networks = class_networks(self.instance, classes)

    def log(self, message: str) -> None:
        if self.log_to_stderr:
            print(f"[routes] {message}", file=sys.stderr, flush=True)

    def remaining(self) -> float:
        return self.deadline - time.perf_counter()

    def run(self) -> None:
        """Iterate until the LP is optimal over all routes or the deadline passes."""
        while self.remaining() > 0 and not self.converged:
            solved = self.master.solve_lp(self.remaining())
            if solved is None:
                return
            self.lp_value, pi, mu = solved
            self.iterations += 1
            arc_cost = self.instance.distance - pi[None, :]
            try:
                added = self._price(arc_cost, mu, exact=False)
                if not added:
                    added = self._price_exactly(pi, mu, arc_cost)
            except PricingTimeout:
                return
            self.converged = added == 0
        self.log(f"LP {self.lp_value:,.6g}, bound {self.bound:,.6g}, {len(self.master.columns)} routes, {self.iterations} iterations")

    def _price(self, arc_cost: np.ndarray, mu: np.ndarray, *, exact: bool) -> int:
        added = 0
        for k, net in enumerate(self.networks):
            found = price(net, arc_cost, -mu[k], exact=exact, max_routes=ROUTES_PER_CLASS, deadline=self.deadline)
            added += sum(self.master.add(k, r.stops) for r in found.routes)
        return added

    def _price_exactly(self, pi: np.ndarray, mu: np.ndarray, arc_cost: np.ndarray) -> int:
        """Exact pricing of every class: new routes, and a Lagrangian bound from the least reduced costs."""
        added, least = 0, []
        for k, net in enumerate(self.networks):
            found = price(net, arc_cost, -mu[k], exact=True, max_routes=ROUTES_PER_CLASS, deadline=self.deadline)
            least.append(found.minimum)
            added += sum(self.master.add(k, r.stops) for r in found.routes)
        self.exact_pricings += 1
        self._raise_bound(self.master.lagrangian_bound(pi, mu, least))
        self.log(f"iteration {self.iterations}: LP {self.lp_value:,.6g}, bound {self.bound:,.6g}")
        return added

    def _raise_bound(self, value: float) -> None:
        safe = value - 1e-9 * max(1.0, abs(value))  # floating-point sums: stay on the safe side
        if np.all(np.mod(self.instance.distance, 1.0) == 0):  # integer distances: every plan costs an integer
            safe = math.ceil(safe - 1e-6)
        self.bound = max(self.bound, safe)


def route_lower_bound(instance: Instance, time_limit: float, *, incumbent: Plan | None = None, log: bool = False) -> ColumnGeneration:
    """Run column generation for ``time_limit`` seconds (less when it converges); ``.bound`` is certified."""
    cg = ColumnGeneration(instance, time.perf_counter() + time_limit, log)
    if incumbent is not None and check_plan(instance, incumbent).feasible:
        cg.master.add_plan(incumbent)
    cg.run()
    return cg


def solve_routes(instance: Instance, options: SolveOptions) -> SolveResult:
    """Price-and-branch: the column generation bound, then the best plan among the generated routes."""
    started = time.perf_counter()
    deadline = started + options.time_limit
    cg = ColumnGeneration(instance, started + LP_SHARE * options.time_limit, bool(options.log))
    incumbent = options.warm_start if options.warm_start is not None and check_plan(instance, options.warm_start).feasible else None
    if incumbent is not None:
        cg.master.add_plan(incumbent)
    cg.run()
    plan, _ = cg.master.best_integer_plan(deadline - time.perf_counter(), incumbent)
    plan = _cheaper(instance, plan, incumbent)
    bound = cg.bound if math.isfinite(cg.bound) else None
    runtime = time.perf_counter() - started
    message = (
        f"route-based model: {len(cg.master.columns)} routes, {cg.iterations} LP iterations, "
        f"{cg.exact_pricings} exact pricings, LP {'optimal' if cg.converged else 'not converged'}"
    )
    if plan is None:
        return make_result(instance, status="no_solution", plan=None, bound=bound, runtime_s=runtime, model="routes",
                           backend="highs", seed=options.seed, message=message + "; no plan among the generated routes")
    return make_result(instance, status="feasible", plan=plan, bound=bound, requested_gap=options.gap, runtime_s=runtime,
                       model="routes", backend="highs", seed=options.seed, message=message)


def _cheaper(instance: Instance, plan: Plan | None, other: Plan | None) -> Plan | None:
    candidates = [p for p in (plan, other) if p is not None]
    return min(candidates, key=lambda p: check_plan(instance, p).objective, default=None)
