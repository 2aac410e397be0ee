"""Column generation for the route-based formulation: a certified lower bound, and plans from its routes.

The loop (:class:`ColumnGeneration`):

1. solve the restricted master LP (:class:`~milp_milkrun.routes.master.RouteMaster`) for duals;
2. price every vehicle class (:mod:`milp_milkrun.routes.pricing`): the fast heuristic while it finds
   routes of negative reduced cost, the exact ng-route labelling when it finds none;
3. add the routes found and repeat;
4. when no route of negative reduced cost is left, separate rounded capacity cuts on the arc flows of
   the LP (``cuts=True``), add the violated ones as master rows and go back to 1; their duals lower
   the arc costs the pricing sees, so the cuts stay robust (the pricing is unchanged);
5. with ``subset_rows=True``, once no capacity cut is violated, separate subset-row cuts of three DCs
   (:mod:`milp_milkrun.routes.subset_rows`); their duals reach the pricing as penalties on a parity
   resource (non-robust), and the exact pricing's minimum includes them, so the bound stays valid.

Every exact pricing yields a Lagrangian bound, valid whatever the LP returned, so the best one is kept
even when the deadline interrupts the loop.  When exact pricing finds no negative route the LP is
solved to optimality and the bound equals its value.  :mod:`milp_milkrun.routes.tree` searches
a tree over this loop for plans and a global bound.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np

from milp_milkrun.checker import check_plan
from milp_milkrun.instance import Instance
from milp_milkrun.routes.master import RouteMaster
from milp_milkrun.routes.subset_rows import SubsetRowCut, SubsetRowPenalties
from milp_milkrun.objectives import RouteCosts, route_costs
from milp_milkrun.implied import vehicle_classes
from milp_milkrun.plan import Plan
from milp_milkrun.routes.pricing import (
    PricingTimeout,
    arc_lower_bounds,
    class_networks,
    grow_ng_masks,
    is_ng_route,
    price,
    with_allowed,
    with_ng_masks,
)
from milp_milkrun.timing import require_time_support

logger = logging.getLogger(__name__)

MAX_CUT_ROUNDS = 25  # separation rounds at most (each after the LP converged over all routes)
TAILING_OFF = 1e-4  # stop separating when a round raised the LP by less than this share
ROUTES_PER_CLASS = 60  # columns added per class and iteration
SUBSET_ROWS = False  # ColumnGeneration.subset_rows unless told (the tree turns them on by its root gap: branch_price.SUBSET_ROWS)
MAX_SUBSET_ROW_ROUNDS = 8  # subset-row separation rounds at most (after the capacity cuts)


@dataclass
class ColumnGeneration:
    """State of one column generation run under a deadline."""

    instance: Instance
    deadline: float
    log_progress: bool = False  # progress lines as logging records (SolveOptions.log)
    cuts: bool = True  # separate robust rounded capacity cuts once the LP converges
    costs: RouteCosts | None = None  # the objective; None: the instance's own
    master: RouteMaster = field(init=False)
    bound: float = -math.inf  # best certified Lagrangian bound so far
    lp_value: float = math.inf  # value of the last restricted master LP
    iterations: int = 0
    exact_pricings: int = 0
    converged: bool = False  # exact pricing found no negative route and no cut is violated: LP optimum = bound
    cut_rounds: int = 0
    grow_ng: bool = True  # enlarge the ng-neighbourhoods against the LP's cycles (the root only: see restart)
    subset_rows: bool = field(default_factory=lambda: SUBSET_ROWS)  # subset-row cuts after the capacity cuts (with ``cuts``)
    subset_row_rounds: int = 0
    penalties: SubsetRowPenalties | None = None  # the subset-row cuts as the current duals charge them
    last_penalties: SubsetRowPenalties | None = None  # ... as the last exact pricing's duals did (enumeration)
    _last_exact: tuple[float, list[np.ndarray], np.ndarray, list[float]] | None = None  # for arc fixing

    def __post_init__(self) -> None:
        classes = vehicle_classes(self.instance)
        self.costs = self.costs if self.costs is not None else route_costs(self.instance)
        self.master = RouteMaster(self.instance, classes, self.costs)
        self.networks = class_networks(self.instance, classes, self.master.rates, self.costs.load_weights)

    def log(self, message: str) -> None:
        """A progress line, as a record of this module's logger when ``log_progress`` is on."""
        if self.log_progress:
            logger.info("[routes] %s", message)

    def remaining(self) -> float:
        return self.deadline - time.perf_counter()

    def run(self) -> None:
        """Iterate until the LP is optimal over all routes and cuts, or the deadline passes."""
        last_round_lp = last_subset_lp = -math.inf
        while self.remaining() > 0 and not self.converged:
            solved = self.master.solve_lp(self.remaining())
            if solved is None:
                return
            self.lp_value, pi, mu, rho = solved
            self.iterations += 1
            if self._forbid_cycles():
                continue
            self.penalties = self.master.subset_row_penalties(rho)
            arc_cost = [
                rates.per_km * self.instance.distance - pi[None, :] - extra
                for rates, extra in zip(self.master.rates, self.master.arc_duals(rho))
            ]
            try:
                added = self._price(arc_cost, mu, exact=False)
                if not added:
                    added = self._price_exactly(pi, mu, rho, arc_cost)
            except PricingTimeout:
                return
            if added == 0:
                raised = self.lp_value - last_round_lp > TAILING_OFF * max(1.0, abs(self.lp_value))
                cuts = self.master.separate_cuts() if self.cuts and self.cut_rounds < MAX_CUT_ROUNDS and raised else []
                for cut in cuts:
                    self.master.add_cut(cut)
                if cuts:
                    self.cut_rounds += 1
                    last_round_lp = self.lp_value
                    self.log(f"cut round {self.cut_rounds}: {len(cuts)} capacity cuts ({len(self.master.cuts)} in all)")
                elif self.cuts and self.subset_rows and self.subset_row_rounds < MAX_SUBSET_ROW_ROUNDS and self._subset_rows_pay(last_subset_lp):
                    cuts = self._add_subset_rows()
                    last_subset_lp = self.lp_value
                self.converged = not cuts
        self.log(f"LP {self.lp_value:,.6g}, bound {self.bound:,.6g}, {len(self.master.columns)} routes, {self.iterations} iterations")

    def _subset_rows_pay(self, last_lp: float) -> bool:
        """The last subset-row round (if any: they start when the capacity cuts stop) raised the LP."""
        return self.lp_value - last_lp > TAILING_OFF * max(1.0, abs(self.lp_value))

    def _add_subset_rows(self) -> list[SubsetRowCut]:
        """One round of subset-row separation on the LP's routes; the cuts added."""
        cuts = self.master.separate_subset_rows()
        for cut in cuts:
            self.master.add_subset_row(cut)
        if cuts:
            self.subset_row_rounds += 1
            self.log(f"subset-row round {self.subset_row_rounds}: {len(cuts)} cuts ({len(self.master.subset_rows)} in all)")
        return cuts

    def _forbid_cycles(self) -> bool:
        """At the root: when the LP uses routes that revisit a DC, enlarge the ng-neighbourhoods so the
        pricing no longer produces those cycles and retire the columns that are no longer ng-routes;
        True when the relaxation changed (the LP must be solved again)."""
        if not self.grow_ng:
            return False
        cycling = [c.stops for c, v in zip(self.master.columns, self.master.route_values()) if v > 1e-6 and len(set(c.stops)) < len(c.stops)]
        masks = self.networks[0].ng_masks
        grown = grow_ng_masks(masks, cycling)
        if grown == masks:
            return False
        self.networks = [with_ng_masks(net, grown) for net in self.networks]
        retired = self.master.retire(lambda column: is_ng_route(column.stops, grown))
        self.log(f"ng-neighbourhoods grown against {len(cycling)} cycling routes: {retired} columns retired")
        return True

    def _price(self, arc_cost: list[np.ndarray], mu: np.ndarray, *, exact: bool) -> int:
        added = 0
        for k, net in enumerate(self.networks):
            found = price(net, arc_cost[k], self.start_cost(k, mu), exact=exact, max_routes=ROUTES_PER_CLASS, deadline=self.deadline, subset_rows=self.penalties)
            added += sum(self.master.add(k, r.stops) for r in found.routes)
        return added

    def start_cost(self, k: int, mu: np.ndarray) -> float:
        """What a route of class k pays before its first arc: the fixed cost F_k less the fleet row's dual."""
        return self.master.rates[k].fixed - mu[k]

    def _price_exactly(self, pi: np.ndarray, mu: np.ndarray, rho: np.ndarray, arc_cost: list[np.ndarray]) -> int:
        """Exact pricing of every class: new routes, and a Lagrangian bound from the least reduced costs."""
        added, least = 0, []
        for k, net in enumerate(self.networks):
            found = price(net, arc_cost[k], self.start_cost(k, mu), exact=True, max_routes=ROUTES_PER_CLASS, deadline=self.deadline, subset_rows=self.penalties)
            least.append(found.minimum)
            added += sum(self.master.add(k, r.stops) for r in found.routes)
        self.exact_pricings += 1
        value = self.master.lagrangian_bound(pi, mu, least, rho)
        self._last_exact = (value, arc_cost, mu, least)
        self.last_penalties = self.penalties
        self._raise_bound(value)
        self.log(f"iteration {self.iterations}: LP {self.lp_value:,.6g}, bound {self.bound:,.6g}")
        return added

    @property
    def last_exact(self) -> tuple[float, list[np.ndarray], np.ndarray, list[float]] | None:
        """(Lagrangian bound, arc costs per class, class duals mu, least reduced costs) of the last exact pricing."""
        return self._last_exact

    def fix_arcs(self, cutoff: float, deadline: float) -> int:
        """Remove from the pricing the arcs no plan costing at most ``cutoff`` can use; the number removed.

        Reduced-cost fixing with the last exact pricing's duals (its Lagrangian bound L holds for every
        plan at the root, for every plan of the node at a branch-and-bound node): a plan with route r of
        class k costs at least L + rc_r - min(0, c*_k), so an arc every route through which has
        rc_r > cutoff - L + min(0, c*_k) is in no plan (of the node) costing at most ``cutoff``.
        Columns already in the master keep their arcs.  Fixing is optional: past ``deadline`` the classes
        not yet done keep all their arcs.  The subset-row penalties are left out of the arc bounds: they
        only raise reduced costs, so fewer arcs are fixed, never a wrong one.
        """
        if self._last_exact is None:
            return 0
        value, arc_cost, mu, least = self._last_exact
        removed = 0
        for k, net in enumerate(self.networks):
            try:
                through = arc_lower_bounds(net, arc_cost[k], deadline) + self.start_cost(k, mu)
            except PricingTimeout:
                break
            slack = cutoff - value + min(0.0, least[k])
            drop = net.allowed & (through > slack + 1e-6 * max(1.0, abs(cutoff)))
            drop[0, :] = drop[:, 0] = False
            if drop.any():
                self.networks[k] = with_allowed(net, net.allowed & ~drop)
                removed += int(drop.sum())
        return removed

    def restart(self, deadline: float, *, cuts: bool) -> None:
        """Solve again after the master's row bounds changed (a branch-and-bound node): the bound is the node's."""
        self.deadline, self.cuts = deadline, cuts
        self.grow_ng = False  # the tree's networks were copied from the root's
        self.bound, self.lp_value, self.converged, self.cut_rounds = -math.inf, math.inf, False, 0
        self._last_exact = None

    def _raise_bound(self, value: float) -> None:
        self.bound = max(self.bound, safe_bound(value, integral=self.master.costs.integral))


def safe_bound(value: float, *, integral: bool) -> float:
    """A computed lower bound on the safe side of floating-point sums (1e-9 relative below), rounded up
    when every plan costs a whole number (``integral``).

    Parameters
    ----------
    value : float
        The bound as computed.
    integral : bool
        Every plan's value is a whole number.

    Returns
    -------
    float
        A bound no larger than any plan's value that ``value`` bounds.
    """
    safe = value - 1e-9 * max(1.0, abs(value))
    return float(math.ceil(safe - 1e-6)) if integral else safe


def route_lower_bound(
    instance: Instance, time_limit: float, *, incumbent: Plan | None = None, log: bool = False, costs: RouteCosts | None = None
) -> ColumnGeneration:
    """Run column generation for ``time_limit`` seconds (less when it converges); ``.bound`` is certified.

    Parameters
    ----------
    instance
        The instance.
    time_limit
        Seconds.
    incumbent
        A plan whose routes seed the master (ignored unless it passes the checker).
    log
        Progress lines as logging records.
    costs
        The objective; None means the instance's own.

    Returns
    -------
    ColumnGeneration
        The run: ``bound`` (certified), ``lp_value``, ``master`` with its columns.
    """
    require_time_support(instance, "routes")
    cg = ColumnGeneration(instance, time.perf_counter() + time_limit, log, costs=costs)
    if incumbent is not None and check_plan(instance, incumbent).feasible:
        cg.master.add_plan(incumbent)
    cg.run()
    return cg
