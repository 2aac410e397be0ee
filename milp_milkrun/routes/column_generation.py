"""Column generation for the route-based formulation: a certified lower bound, and plans from its routes.

The loop (:class:`ColumnGeneration`):

1. solve the restricted master LP (:class:`~milp_milkrun.routes.master.RouteMaster`) for duals;
2. price every vehicle class (:mod:`milp_milkrun.routes.pricing`): the fast heuristic, one width at a time
   over every class, while it finds routes of negative reduced cost (with ``settings.skip_costly_widths``
   each wider width only while its labels are fewer than the exact pricing's: :mod:`milp_milkrun.routes.pricing_work`),
   the exact ng-route labelling when it finds none (bidirectional where routes are long:
   :mod:`milp_milkrun.routes.bidirectional`);
3. add the routes found and repeat;
4. when no route of negative reduced cost is left, separate rounded capacity cuts on the arc flows of
   the LP (``cuts=True``), add the violated ones as master rows and go back to 1; their duals lower
   the arc costs the pricing sees, so the cuts stay robust (the pricing is unchanged);
5. with ``subset_rows=True``, once no capacity cut is violated, separate subset-row cuts of three (and five) DCs
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
from functools import partial

import numpy as np

from milp_milkrun.checker import check_plan
from milp_milkrun.implied import vehicle_classes
from milp_milkrun.instance import Instance
from milp_milkrun.limits import FLOAT_NOISE, SOLVER_TOLERANCE
from milp_milkrun.objectives import RouteCosts, route_costs
from milp_milkrun.plan import Plan
from milp_milkrun.routes.bidirectional import price_bidirectionally, runs_bidirectionally
from milp_milkrun.routes.labels import PricingTimeout
from milp_milkrun.routes.master import RouteMaster, SolverSetup
from milp_milkrun.routes.master_lp import MasterLP, central_duals, solve_lp
from milp_milkrun.routes.networks import (
    ClassNetwork,
    class_networks,
    grow_ng_masks,
    is_ng_route,
    with_allowed,
    with_ng_masks,
)
from milp_milkrun.routes.pricing import arc_lower_bounds, heuristic_widths, over_the_clock, price, walk_bounds
from milp_milkrun.routes.pricing_work import PricingWork
from milp_milkrun.routes.separation import CapacityCut
from milp_milkrun.routes.settings import RouteSettings
from milp_milkrun.routes.subset_rows import SubsetRowCut, SubsetRowPenalties
from milp_milkrun.timing import require_time_support

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """Where a run of the loop stopped: whether the LP converged (optimal over all routes, no cut
    violated: its value is the bound), the best certified bound and the last LP value."""

    converged: bool
    bound: float
    lp_value: float


@dataclass(frozen=True)
class ExactPricing:
    """The last exact pricing of every class: its Lagrangian bound (as computed, before :func:`safe_bound`),
    the arc costs and the class duals it priced with, the least reduced cost of each class, and the
    subset-row cuts as its duals charged them; what reduced-cost fixing and route enumeration start from."""

    value: float
    arc_cost: list[np.ndarray]
    mu: np.ndarray
    least: list[float]
    penalties: SubsetRowPenalties | None


@dataclass
class ColumnGeneration:
    """State of one column generation run under a deadline.

    The tree drives it through its methods (:meth:`run`, :meth:`run_with_subset_rows`,
    :meth:`solve_node`, :meth:`use_networks`, :meth:`fix_arcs`) and reads ``master``, ``networks`` and
    :attr:`last_exact`; it writes none of its fields.
    """

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
    subset_rows: bool = False  # subset-row cuts after the capacity cuts (with ``cuts``)
    subset_row_rounds: int = 0
    penalties: SubsetRowPenalties | None = None  # the subset-row cuts as the current duals charge them
    settings: RouteSettings = RouteSettings()
    solver: SolverSetup = SolverSetup()  # HiGHS threads and seed of the master's LPs and MIPs
    _last_exact: ExactPricing | None = None  # for arc fixing and route enumeration
    _stalled: int = 0  # iterations in a row whose LP value did not move (degenerate master: see _price_at_centre)
    # plans whose routes wait for the first run's end (add_plan); None once a run() has ended
    _held: list[Plan] | None = field(default_factory=list)
    _work: list[PricingWork] = field(init=False)  # of each class: which heuristic widths are worth trying

    def __post_init__(self) -> None:
        classes = vehicle_classes(self.instance)
        self.costs = self.costs if self.costs is not None else route_costs(self.instance)
        self.master = RouteMaster(self.instance, classes, self.costs, solver=self.solver)
        self.networks = class_networks(self.instance, classes, self.master.rates, self.costs.load_weights)
        self._work = [PricingWork() for _ in self.networks]

    def log(self, message: str) -> None:
        """A progress line, as a record of this module's logger when ``log_progress`` is on."""
        if self.log_progress:
            logger.info("[routes] %s", message)

    def remaining(self) -> float:
        return self.deadline - time.perf_counter()

    def run(self, deadline: float | None = None) -> Outcome:
        """Iterate until the LP is optimal over all routes and cuts, or ``deadline`` (default: the
        run's) passes; where it stopped."""
        if deadline is not None:
            self.deadline = deadline
        self._iterate()
        held, self._held = self._held, None
        for plan in held or ():
            self.master.add_plan(plan)
        return self.outcome()

    def add_plan(self, plan: Plan) -> None:
        """A checked plan's routes as columns: at once, or on an instance without time of ``settings.start_routes_below``
        DCs or more while the first :meth:`run` has not ended (its LP would sit at the plan's value, degenerate; the
        columns come in at its end, for the MIP over the routes and the tree)."""
        instance = self.instance
        if self._held is not None and not instance.has_time and instance.n_dcs >= self.settings.start_routes_below:
            self._held.append(plan)
        else:
            self.master.add_plan(plan)

    def outcome(self) -> Outcome:
        """Whether the LP converged, the best certified bound and the last LP value."""
        return Outcome(self.converged, self.bound, self.lp_value)

    def run_with_subset_rows(self) -> Outcome:
        """Go on from a converged root with subset-row cuts: their rounds, and the pricing under their duals."""
        self.subset_rows, self.converged = True, False
        return self.run()

    def solve_node(self, deadline: float) -> Outcome:
        """Solve again after the master's row bounds changed (a branch-and-bound node, no new cuts): the
        bound is the node's."""
        self.restart(deadline, cuts=False)
        return self.run()

    def use_networks(self, networks: list[ClassNetwork]) -> None:
        """Price over these networks from now on (a node's arcs: the root's less those fixed above it)."""
        self.networks = list(networks)

    def _iterate(self) -> None:
        last_round_lp = last_subset_lp = -math.inf
        settings = self.settings
        while self.remaining() > 0 and not self.converged:
            solved = solve_lp(self.master, self.remaining())
            if solved is None:
                return
            moved = abs(solved.value - self.lp_value) > SOLVER_TOLERANCE * max(1.0, abs(solved.value))
            self._stalled = 0 if moved else self._stalled + 1
            self.lp_value = solved.value
            self.iterations += 1
            if self._forbid_cycles():
                continue
            try:
                added = self._price_at_centre()
                if added is None:  # no central duals, or they did not prove the LP optimal: the LP's own
                    added = self._price_round(solved)
            except PricingTimeout:
                return
            if added == 0:
                raised = self.lp_value - last_round_lp > settings.tailing_off * max(1.0, abs(self.lp_value))
                cuts: list[CapacityCut] | list[SubsetRowCut]
                cuts = (
                    self.master.separate_cuts()
                    if self.cuts and self.cut_rounds < settings.max_cut_rounds and raised
                    else []
                )
                for cut in cuts:
                    self.master.add_cut(cut)
                if cuts:
                    self.cut_rounds += 1
                    last_round_lp = self.lp_value
                    self.log(f"cut round {self.cut_rounds}: {len(cuts)} capacity cuts ({len(self.master.cuts)} in all)")
                elif (
                    self.cuts
                    and self.subset_rows
                    and self.subset_row_rounds < settings.max_subset_row_rounds
                    and self._subset_rows_pay(last_subset_lp)
                ):
                    cuts = self._add_subset_rows()
                    last_subset_lp = self.lp_value
                self.converged = not cuts
        self.log(
            f"LP {self.lp_value:,.6g}, bound {self.bound:,.6g}, {len(self.master.columns)} routes, {self.iterations} iterations"
        )

    def _price_round(self, duals: MasterLP) -> int:
        """Price every class at ``duals``: heuristically, and exactly when that finds nothing; the columns added."""
        self.penalties = self.master.subset_row_penalties(duals.rho)
        arc_cost = self.arc_costs(duals)
        added = self.price_heuristically(arc_cost, duals.mu)
        return added or self._price_exactly(duals.pi, duals.mu, duals.rho, arc_cost)

    def arc_costs(self, duals: MasterLP) -> list[np.ndarray]:
        """The reduced arc costs of every class at ``duals``: c_k d_ij - pi_j, less the duals of the capacity and
        subset-row cuts on each arc."""
        return [
            rates.per_km * self.instance.distance - duals.pi[None, :] - extra
            for rates, extra in zip(self.master.rates, self.master.arc_duals(duals.rho))
        ]

    def _price_at_centre(self) -> int | None:
        """Once the LP value has stalled (``settings.central_duals_after`` iterations): price at the master's
        central duals (:func:`central_duals`); the columns added, 0 when their exact pricing found none and
        proved the LP optimal (its Lagrangian bound reached the LP value), None when the LP's own (vertex)
        duals must be priced instead."""
        after = self.settings.central_duals_after
        if after is None or self._stalled < after:
            return None
        centre = central_duals(self.master, self.remaining())
        if centre is None:
            return None
        added = self._price_round(centre)
        if added:
            return added
        last = self._last_exact
        proven = last is not None and last.value >= self.lp_value - SOLVER_TOLERANCE  # the same number (limits.py)
        return 0 if proven else None

    def _subset_rows_pay(self, last_lp: float) -> bool:
        """The last subset-row round (if any: they start when the capacity cuts stop) raised the LP."""
        return self.lp_value - last_lp > self.settings.tailing_off * max(1.0, abs(self.lp_value))

    def _add_subset_rows(self) -> list[SubsetRowCut]:
        """One round of subset-row separation on the LP's routes: the cuts whose memory the LP's routes need
        grow, and new ones are added; the rows it changed (none: the round found nothing)."""
        settings, master = self.settings, self.master
        master.note_slack_subset_rows(settings.subset_row_slack)  # on the LP the round separates on
        grown = master.grow_subset_row_memories()
        removed = master.removed_subset_rows
        cuts = master.separate_subset_rows(
            pool=settings.max_subset_rows,
            slack_rounds=settings.subset_row_slack_rounds,
            five=settings.five_dc_subset_rows,
            thirds=settings.subset_rows_of_thirds,
        )
        for cut in cuts:
            master.add_subset_row(cut)
        if cuts or grown:
            self.subset_row_rounds += 1
            self.log(
                f"subset-row round {self.subset_row_rounds}: {len(cuts)} cuts ({_kinds(cuts)}),"
                f" {len(grown)} memories grown,"
                f" {master.removed_subset_rows - removed} slack cuts removed ({len(master.subset_rows)} in all)"
            )
        return cuts + grown

    def _forbid_cycles(self) -> bool:
        """At the root: when the LP uses routes that revisit a DC, enlarge the ng-neighbourhoods so the
        pricing no longer produces those cycles and retire the columns that are no longer ng-routes;
        True when the relaxation changed (the LP must be solved again)."""
        if not self.grow_ng:
            return False
        cycling = [
            c.stops
            for c, v in zip(self.master.columns, self.master.route_values())
            if v > SOLVER_TOLERANCE and len(set(c.stops)) < len(c.stops)
        ]
        masks = self.networks[0].ng_masks
        grown = grow_ng_masks(masks, cycling)
        if grown == masks:
            return False
        self.networks = with_ng_masks(self.networks, grown)
        retired = self.master.retire(lambda column: is_ng_route(column.stops, grown))
        self.log(f"ng-neighbourhoods grown against {len(cycling)} cycling routes: {retired} columns retired")
        return True

    def price_heuristically(self, arc_cost: list[np.ndarray], mu: np.ndarray) -> int:
        """Heuristic pricing one width at a time over every class, a wider one only when no class found a route
        at the narrower: the columns added.

        The widths past the narrowest prune with the bound over time too: on Solomon's R2 files neither stops nor load
        bind and the walks that ignore the clock prune little (R207 with 50 customers at its root's duals after 60 s,
        width (50, 1,000): 2.1 million labels in 1.0 s without it, 0.7 million in 0.5 s with it, the same routes); the
        narrowest, most rounds' only width, does without (the bound costs about as much as its search)."""
        walks = [walk_bounds(net, arc_cost[k]) for k, net in enumerate(self.networks)]
        for step, width in enumerate(heuristic_widths(self.instance.n_dcs, timed=self.instance.has_time)):
            if step == 1 and self.instance.has_time:
                walks = [over_the_clock(walks[k], net, arc_cost[k]) for k, net in enumerate(self.networks)]
            added, found_any = 0, False
            for k, net in enumerate(self.networks):
                found = price(
                    net,
                    arc_cost[k],
                    self.start_cost(k, mu),
                    exact=False,
                    max_routes=self.settings.routes_per_class,
                    deadline=self.deadline,
                    subset_rows=self.penalties,
                    work=self._work[k] if self.settings.skip_costly_widths else None,
                    widths=(width,),
                    walks=walks[k],
                )
                added += sum(self.master.add(k, r.stops) for r in found.routes)
                found_any = found_any or bool(found.routes)
            if found_any:
                return added
        return 0

    def start_cost(self, k: int, mu: np.ndarray) -> float:
        """What a route of class k pays before its first arc: the fixed cost F_k less the fleet row's dual."""
        return self.master.rates[k].fixed - mu[k]

    def _price_exactly(self, pi: np.ndarray, mu: np.ndarray, rho: np.ndarray, arc_cost: list[np.ndarray]) -> int:
        """Exact pricing of every class: new routes, and a Lagrangian bound from the least reduced costs."""
        added, least = 0, []
        for k, net in enumerate(self.networks):
            bidirectional = runs_bidirectionally(net, self.settings.bidirectional)
            exact_price = price_bidirectionally if bidirectional else partial(price, exact=True)
            found = exact_price(
                net,
                arc_cost[k],
                self.start_cost(k, mu),
                max_routes=self.settings.routes_per_class,
                deadline=self.deadline,
                subset_rows=self.penalties,
            )
            self._work[k].exact = found.labels
            least.append(found.minimum)
            added += sum(self.master.add(k, r.stops) for r in found.routes)
        self.exact_pricings += 1
        value = self.master.lagrangian_bound(pi, mu, least, rho)
        self._last_exact = ExactPricing(value, arc_cost, mu, least, self.penalties)
        self._raise_bound(value)
        self.log(f"iteration {self.iterations}: LP {self.lp_value:,.6g}, bound {self.bound:,.6g}")
        return added

    @property
    def last_exact(self) -> ExactPricing | None:
        """The last exact pricing (None before the first, or since the last :meth:`restart`)."""
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
        last = self._last_exact
        value, arc_cost, mu, least = last.value, last.arc_cost, last.mu, last.least
        removed = 0
        for k, net in enumerate(self.networks):
            try:
                through = arc_lower_bounds(net, arc_cost[k], deadline) + self.start_cost(k, mu)
            except PricingTimeout:
                break
            slack = cutoff - value + min(0.0, least[k])
            drop = net.allowed & (through > slack + SOLVER_TOLERANCE * max(1.0, abs(cutoff)))
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
        self.bound = max(self.bound, safe_bound(value, grain=self.master.costs.grain))


def safe_bound(value: float, *, grain: float) -> float:
    """A computed lower bound on the safe side of floating-point sums (:data:`FLOAT_NOISE` relative below), rounded up
    to the next multiple of ``grain`` when every plan's value is one (:attr:`~milp_milkrun.objectives.RouteCosts.grain`).

    Parameters
    ----------
    value : float
        The bound as computed.
    grain : float
        Every plan's value is a whole multiple of it (0.0: no such step).

    Returns
    -------
    float
        A bound no larger than any plan's value that ``value`` bounds.
    """
    safe = value - FLOAT_NOISE * max(1.0, abs(value))
    if not grain:
        return safe
    # a value a solver's tolerance above a step is that step; steps / (steps per unit) is the float nearest the
    # decimal (646.8, where steps * 0.1 gives 646.8000000000001)
    return math.ceil((safe - SOLVER_TOLERANCE) / grain) / round(1.0 / grain)


def route_lower_bound(
    instance: Instance,
    time_limit: float,
    *,
    incumbent: Plan | None = None,
    log: bool = False,
    costs: RouteCosts | None = None,
) -> ColumnGeneration:
    """Run column generation for ``time_limit`` seconds (less when it converges); ``.bound`` is certified.

    Parameters
    ----------
    instance
        The instance.
    time_limit
        Seconds.
    incumbent
        A plan whose routes seed the master (ignored unless it passes the checker); the bound then holds for every
        plan costing no more than it (so for the optimum), see :meth:`~milp_milkrun.routes.master.RouteMaster.cap_routes`.
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
        cg.add_plan(incumbent)
        cg.master.cap_routes(cg.master.costs.plan(incumbent))
    cg.run()
    return cg


def _kinds(cuts: list[SubsetRowCut]) -> str:
    """How many of ``cuts`` are triples, five-DC cuts of halves, and cuts of thirds, for the log."""
    thirds = sum(cut.denominator == 3 for cut in cuts)
    fives = sum(cut.denominator == 2 and len(cut.members) == 5 for cut in cuts)
    return f"{len(cuts) - thirds - fives} triples, {fives} of five DCs, {thirds} of thirds"
