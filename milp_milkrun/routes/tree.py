"""Branch-and-price-and-cut over the route-based formulation: a plan and a certified global bound.

The root is solved by column generation with robust rounded capacity cuts
(:class:`~milp_milkrun.routes.column_generation.ColumnGeneration`); a MIP over its routes gives a first
plan.  Then best-bound branch and bound:

* **branching** (:mod:`~milp_milkrun.routes.branching`) first on the number of vehicles of a class (sum of
  lambda_r over the class's routes, i.e. its arcs out of the hub), then on the aggregated flow of an edge {i, j}
  (x_ij + x_ji over all classes), the edge chosen by strong branching over the restricted master.  Both are rows
  over arc sets (:class:`~milp_milkrun.routes.master.ArcSetRow`), so their duals go onto the pricing's arc costs
  exactly like the cuts: the pricing is unchanged;
* **one master, one column pool**: a node only sets the bounds of the branching rows, so HiGHS
  re-optimises from the previous basis (warm start) and every column stays available;
* **each node's bound is certified** as the root's: a Lagrangian bound from an exact pricing with the
  node's duals, valid for every plan meeting the node's branching rows;
* a node whose LP solution is integral gives a plan, kept only when the independent checker accepts it;
* **route enumeration** (:mod:`~milp_milkrun.routes.enumeration`): every route that could be part of a
  plan within g of the node's bound is listed and searched exactly (:mod:`~milp_milkrun.routes.pool_search`):
  its plan, or its proof that there is none within the whole gap, settles the node, else the bound rises by g;
* a root whose column generation did not converge in its share (long routes under wide windows, the
  heterogeneous fleets of 100 DCs) asks ``relaxed_bound``, when given, for the bound of a relaxation of the
  problem (the backend's: the strong formulation, without time where there is time); the larger of the
  two is the run's bound;
* the deadline or Ctrl-C ends the search with the best plan and the global bound: the least bound of
  the open nodes (and of any node that could not be split).
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from milp_milkrun.checker import check_plan
from milp_milkrun.errors import CheckFailedError
from milp_milkrun.instance import Instance
from milp_milkrun.limits import FLOAT_NOISE, SOLVER_TOLERANCE
from milp_milkrun.objectives import RouteCosts, route_costs
from milp_milkrun.plan import Plan
from milp_milkrun.routes.branching import BranchingRule, BranchKey, describe
from milp_milkrun.routes.column_generation import ColumnGeneration, Outcome, safe_bound
from milp_milkrun.routes.enumeration import TooManyRoutes, enumerate_routes
from milp_milkrun.routes.labels import PricingTimeout
from milp_milkrun.routes.master import ArcSetRow, RouteMaster, SolverSetup
from milp_milkrun.routes.master_lp import best_integer_plan
from milp_milkrun.routes.networks import with_allowed
from milp_milkrun.routes.pool_search import PoolSearch
from milp_milkrun.routes.separation import CapacityCut
from milp_milkrun.routes.settings import RouteSettings
from milp_milkrun.routes.subset_rows import SubsetRowCut

log = logging.getLogger(__name__)

ENUMERATION_MARGIN = 1e-7  # relative: the search's cost limit sits this far above L + g, so no plan within is cut off


@dataclass(order=True)
class Node:
    """Open node: its parent's certified bound (the heap key; among equal bounds the deepest first, a dive
    towards a plan) and its branching bounds."""

    bound: float
    depth: int  # negated: deeper nodes sort first
    order: int
    bounds: dict[int, tuple[float, float]] = field(compare=False)  # branching row position -> (lower, upper)
    allowed: tuple[np.ndarray, ...] | None = field(compare=False, default=None)  # per class, arcs its parent kept


@dataclass
class BranchAndPrice:
    """State of one branch-and-price run; :meth:`run` fills ``incumbent`` and ``bound``."""

    instance: Instance
    deadline: float
    costs: RouteCosts | None = None  # the objective; None: the instance's own
    incumbent: Plan | None = None
    incumbent_cost: float = math.inf
    bound: float = -math.inf  # certified global lower bound
    root_bound: float = -math.inf  # the root's certified bound (before the tree and the enumeration)
    nodes: int = 0
    total: float = math.inf  # the run's time limit (shares of it bound the MIPs)
    interrupted: bool = False  # Ctrl-C ended the search
    fixed_arcs: int = 0  # arcs removed from the pricing by reduced-cost fixing at the root
    fixed_below_root: int = 0  # arcs removed at other nodes (for their subtrees)
    root_networks: list = field(default_factory=list)  # the pricing networks after the root's fixing
    unresolved: list[float] = field(default_factory=list)  # bounds of nodes no rule could split
    enumerated: int = 0  # nodes settled by a search over every route that could improve the incumbent
    enumeration_cap: float | None = None  # largest gap to enumerate within (adapts to what stays few)
    rows: dict[BranchKey, int] = field(default_factory=dict)  # the branching rows added: their positions
    settings: RouteSettings = RouteSettings()
    solver: SolverSetup = SolverSetup()  # HiGHS threads and seed of every LP and MIP of the tree
    log_progress: bool = False  # the column generation's progress lines as logging records (SolveOptions.log)
    # a lower bound from a relaxation of the problem within the seconds given (-inf: none; the seconds may be too few
    # or past the deadline), the incumbent its start: asked when the root's share ran out (None: never)
    relaxed_bound: Callable[[float, Plan | None], float] | None = None
    relaxation_bound: float = -math.inf  # what relaxed_bound returned (certified, rounded to the grain)
    # a plan of the heuristic searched again with the seed this many past the run's, within the seconds given (None:
    # none found): asked while the tree is open (settings.heuristic_restarts); None: never
    heuristic_plan: Callable[[float, int], Plan | None] | None = None
    restarts: int = 0  # times heuristic_plan was asked

    def __post_init__(self) -> None:
        self.costs = self.costs if self.costs is not None else route_costs(self.instance)
        forced = self.settings.subset_rows is True  # None: off until the converged root's gap asks for them
        self.cg = ColumnGeneration(
            self.instance,
            self.deadline,
            self.log_progress,
            costs=self.costs,
            subset_rows=forced,
            settings=self.settings,
            solver=self.solver,
        )
        self.cost_grain = self.costs.grain

    def offer(self, plan: Plan | None) -> bool:
        """Keep ``plan`` when the independent checker accepts it and it is cheaper; False if it rejects it."""
        if plan is None:
            return True
        assert self.costs is not None  # __post_init__ sets it
        feasible = check_plan(self.instance, plan).feasible
        cost = self.costs.plan(plan) if feasible else math.inf
        if cost < self.incumbent_cost:
            self.incumbent, self.incumbent_cost = plan, cost
            self.cg.add_plan(plan)
            self.cg.master.cap_routes(cost)  # only cheaper plans matter now: they run fewer routes
            log.info("branch-and-price: plan of cost %.6g", self.incumbent_cost)
        return feasible

    def cutoff(self) -> float:
        """Only plans costing at most this can beat the incumbent (costs in steps of a grain: by at least one step)."""
        if not math.isfinite(self.incumbent_cost):  # no incumbent yet (inf - FLOAT_NOISE * inf would be nan)
            return math.inf
        return self.incumbent_cost - (
            self.cost_grain * (1.0 - SOLVER_TOLERANCE)
            if self.cost_grain
            else FLOAT_NOISE * max(1.0, abs(self.incumbent_cost))
        )

    def prunes(self, bound: float) -> bool:
        """No plan below ``bound`` can beat the incumbent."""
        return bound > self.cutoff()

    def run(self, started: float, total: float) -> bool:
        """Root, root MIP, then best-bound search; True when the root converged (a tree was searched)."""
        self.total = total
        root = self._solve_root(started)
        if not root.converged:
            return self._stop_at_an_open_root()
        if self.incumbent is not None:  # only a better plan matters now: drop the arcs none can use
            self.fixed_arcs = self.cg.fix_arcs(self.cutoff(), self.deadline)
        self.root_networks = list(self.cg.networks)
        heap = [Node(root.bound, 0, 0, {})]
        try:
            self._search(heap)
        except KeyboardInterrupt:
            log.warning("branch-and-price interrupted: best plan and global bound so far")
            self.interrupted = True
        open_bounds = [n.bound for n in heap] + self.unresolved
        self.bound = max(self.bound, min(open_bounds, default=self.incumbent_cost))
        if self.incumbent is not None:
            self.bound = min(self.bound, self.incumbent_cost)
        return True

    def _solve_root(self, started: float) -> Outcome:
        """The root's column generation in its share of the time, the MIP over its routes, and its
        subset-row rounds when its gap asks for them; a root still open then goes on in the time its MIP
        leaves (:meth:`_resume_open_root`); where the root's loop stopped."""
        settings = self.settings
        root = self.cg.run(min(self.deadline, started + settings.root_share * self.total))
        self.bound = self.root_bound = root.bound
        if not root.converged and self._gap_asks_for_a_relaxation():
            self._bound_by_relaxation()
        if root.converged:
            self._offer_root_plan(settings.root_mip_share)
            if self._root_needs_subset_rows():
                root = self.cg.run_with_subset_rows()
                self.root_bound = root.bound
                self.bound = max(self.bound, root.bound)
        if not root.converged:  # its share ran out, before or in its subset-row rounds
            root = self._resume_open_root()
        return root

    def _search(self, heap: list[Node]) -> None:
        """Best-bound search from the converged root until the heap is empty, pruned or out of time;
        ``heap`` keeps the nodes left open (also when Ctrl-C stops it)."""
        settings, counter, at_root = self.settings, itertools.count(1), True
        searched_from = time.perf_counter()
        while heap:
            if self.prunes(heap[0].bound):
                heap.clear()
                break
            if time.perf_counter() >= self.deadline:
                break
            if not at_root and self._tree_needs_subset_rows(searched_from):
                heap[:] = self._add_subset_rows_at_root(heap)
                continue
            node = heapq.heappop(heap)
            children = self._solve_node(node, at_root)
            at_root = False
            if children is None:  # deadline inside the node: it stays open with its parent's bound
                heapq.heappush(heap, node)
                break
            kept = tuple(net.allowed for net in self.cg.networks)  # with the arcs fixed at this node
            for child in children:
                heapq.heappush(heap, Node(child[0], node.depth - 1, next(counter), child[1], kept))
            if self.nodes % settings.mip_every == 0 and heap:  # new routes since the root: look for a better plan
                self._offer_pool_plan(settings.node_mip_share)
            if heap and self._heuristic_due():
                self._search_heuristic_again()

    def _heuristic_due(self) -> bool:
        """The tree has searched ``heuristic_first_node`` x ``heuristic_growth`` ^ restarts nodes (restarts left)."""
        settings = self.settings
        return (
            self.heuristic_plan is not None
            and self.restarts < settings.heuristic_restarts
            and self.nodes >= settings.heuristic_first_node * settings.heuristic_growth**self.restarts
        )

    def _search_heuristic_again(self) -> None:
        """The heuristic's plan with the next seed, offered and its routes put into the pool; then the MIP over all
        routes, within the root's rows, for a plan that mixes them with the generated ones."""
        assert self.heuristic_plan is not None and self.costs is not None  # _heuristic_due asks; __post_init__ sets
        self.restarts += 1
        left = self.deadline - time.perf_counter()
        if left < self.settings.node_mip_share * self.total:  # too little left for a search and its MIP
            return
        plan = self.heuristic_plan(left, self.restarts)
        if plan is None:
            return
        log.info(
            "branch-and-price: the heuristic again (seed +%d): plan of cost %.6g", self.restarts, self.costs.plan(plan)
        )
        self.offer(plan)
        self.cg.add_plan(plan)  # also when it is no better: its routes may mix with the generated ones
        if time.perf_counter() >= self.deadline:
            return
        self._enter({}, None)
        self._offer_pool_plan(self.settings.node_mip_share)

    def _resume_open_root(self) -> Outcome:
        """The root did not converge in its share: a plan from its routes now, then its column generation
        again until ``settings.open_root_mip_share`` of the time is left (for a last plan from its routes),
        so that the time the MIP leaves unused goes to the bound; where the root's loop stopped."""
        self._offer_root_plan(self.settings.root_mip_share)
        root = self.cg.run(self.deadline - self.settings.open_root_mip_share * self.total)
        self.root_bound = root.bound
        self.bound = max(self.bound, root.bound)
        return root

    def _gap_asks_for_a_relaxation(self) -> bool:
        """No plan, no bound, or a bound more than ``settings.relaxed_bound_gap`` below the plan."""
        if self.incumbent is None or not math.isfinite(self.bound):
            return True
        return self.incumbent_cost - self.bound > self.settings.relaxed_bound_gap * abs(self.incumbent_cost)

    def _bound_by_relaxation(self) -> None:
        """The root's share ran out before its column generation converged: ``relaxed_bound`` within
        ``settings.relaxed_bound_share`` of the time, kept where it is above the root's."""
        if self.relaxed_bound is None:
            return
        seconds = min(self.settings.relaxed_bound_share * self.total, self.deadline - time.perf_counter())
        value = self.relaxed_bound(seconds, self.incumbent)
        if value == -math.inf:  # none within its time (or too little time to start)
            return
        self.relaxation_bound = value if math.isinf(value) else safe_bound(value, grain=self.cost_grain)
        if self.relaxation_bound > self.incumbent_cost:
            raise CheckFailedError(
                f"the relaxation's bound {self.relaxation_bound:.6g} is above the cost {self.incumbent_cost:.6g} of a "
                "plan the checker accepted: it does not relax the problem"
            )
        log.info("branch-and-price: bound of the relaxation %.6g (the root's %.6g)", self.relaxation_bound, self.bound)
        self.bound = max(self.bound, self.relaxation_bound)

    def _offer_root_plan(self, share: float) -> None:
        """The MIP over the root's routes, within ``share`` of the time (at most the time left): its plan offered."""
        self._complete_columns()
        self._offer_pool_plan(share)

    def _offer_pool_plan(self, share: float) -> None:
        """The MIP over every route in the master (within its rows as they are), for ``share`` of the time at most
        the time left: its plan offered."""
        limit = min(share * self.total, self.deadline - time.perf_counter())
        self.offer(best_integer_plan(self.cg.master, limit, self.incumbent)[0])

    def _stop_at_an_open_root(self) -> bool:
        """The root did not converge in its time: no tree; the best plan of its routes in the time left."""
        self._offer_root_plan(1.0)
        return False

    def _complete_columns(self) -> None:
        """Without a plan yet on an instance with time (no start plan found), give the root's MIP
        the single-DC routes, after its column generation (they would steer it elsewhere)."""
        if self.incumbent is None and self.instance.has_time:
            self.cg.master.add_single_dc_routes()

    def _tree_needs_subset_rows(self, searched_from: float) -> bool:
        """Whether the tree, searched without subset-row cuts for ``settings.subset_row_tree_share`` of the time
        (``subset_row_tree_seconds`` at most), should get them: a root close to its plan skips them
        (:meth:`_root_needs_subset_rows`), but a near-optimal start makes every root close (B-n63-k10: 0.4% below
        PyVRP's plan, proven in 52 s with them, open at 600 s without)."""
        settings = self.settings
        waited = min(settings.subset_row_tree_share * self.total, settings.subset_row_tree_seconds)
        return self._subset_rows_by_rule() and time.perf_counter() - searched_from > waited

    def _add_subset_rows_at_root(self, heap: list[Node]) -> list[Node]:
        """Back at the root (every branching row free, the root's arcs), its subset-row rounds and the pricing under
        their duals, then a route enumeration there; the open nodes, each with the larger of its bound and the root's
        (a bound for every plan), or none when the root's enumeration settled the whole tree.  The cuts hold in every
        node: the search goes on over the same nodes, now priced with them."""
        master = self.cg.master
        self._enter({}, None)
        self.cg.restart(self.deadline, cuts=True)
        root = self.cg.run_with_subset_rows()
        self.root_bound = max(self.root_bound, root.bound)
        log.info(
            "branch-and-price: subset-row cuts at the root after %d nodes: bound %.6g (%d cuts)",
            self.nodes,
            root.bound,
            len(master.subset_rows),
        )
        # the cuts' duals price routes dearer: the cap the tree shrank without them (A-n62-k8: to 0.18, which then
        # kept every node from enumerating) starts again, and the root's gap, now small, may be enumerated whole
        learned, self.enumeration_cap = self.enumeration_cap, None
        bound = self._enumerate(self.root_bound) if root.converged else self.root_bound  # no lower than root_bound
        if bound is None:  # every plan that could beat the incumbent was in the root's enumeration
            return []
        # a trial that proved nothing leaves the nodes the smaller of its cap and the one learned before the cuts
        # (X-n106-k14: after the root's trial failed on labels, its nodes failed twice more from the trial's cap, 97 s)
        if bound <= self.root_bound and learned is not None:
            cap = self.enumeration_cap
            self.enumeration_cap = learned if cap is None else min(learned, cap)
        raised = [dataclasses.replace(node, bound=max(node.bound, bound)) for node in heap]  # bounds of every plan
        heapq.heapify(raised)
        return raised

    def _root_needs_subset_rows(self) -> bool:
        """Whether the converged root (without subset-row cuts so far) should separate them: by
        ``settings.subset_rows``, or when None by its gap to the plan (its own share with time)."""
        settings = self.settings
        share = settings.subset_row_root_gap_with_time if self.instance.has_time else settings.subset_row_root_gap
        return self._subset_rows_by_rule() and self.incumbent_cost - self.cg.bound > share * abs(self.incumbent_cost)

    def _subset_rows_by_rule(self) -> bool:
        """Subset-row cuts are not on yet and left to the rules (``settings.subset_rows`` None: True forces them from
        the start, False never), which weigh the gap to a plan."""
        return not self.cg.subset_rows and self.settings.subset_rows is None and self.incumbent is not None

    def _enumerate(self, bound: float) -> float | None:
        """Settle the node by route enumeration, or raise its bound; None when settled, else the bound.

        With the node's last exact pricing (Lagrangian value L), every plan of the node costing at most
        L + g uses only routes of reduced cost <= g + min(0, c*_k) (see :mod:`~milp_milkrun.routes.enumeration`).
        They are enumerated for g = the gap to the incumbent, capped so that they stay few, and searched
        (:class:`~milp_milkrun.routes.pool_search.PoolSearch`, with the node's cuts and branching rows) for
        the cheapest plan costing at most L + g.  Its plan (checked, offered as incumbent) settles the node;
        so does its proof that there is none when g covered the whole gap; otherwise no plan of the node costs L + g or
        less, which is the node's new bound, and while the routes stay few the node is enumerated again
        with a wider g: branching would hand its children this bound, which their own, lower Lagrangian
        values can only beat by enumerating within a still wider gap.

        Without an incumbent the question is whether the node has a plan at all, and the whole gap (to
        the artificial columns' penalty, above every plan) answers it: once an enumeration listed few
        routes, the next covers the whole gap at once instead of growing g step by step (an infeasible
        instance with time took 17 steps of 1.25 before). Such a jump leaves the cap as it was, and
        when it lists too many routes the node goes on step by step.
        """
        if self.cg.last_exact is None:
            return bound
        value, settings = self.cg.last_exact.value, self.settings
        if self.enumeration_cap is None:
            self.enumeration_cap = settings.enumeration_first_gap * max(1.0, abs(value))
        listed = None  # routes the last enumeration at this node listed
        may_jump = True
        while True:
            whole = (
                min(self.cutoff(), self.cg.master.penalty) - value
            )  # no plan costs the penalty: without an incumbent, a finite gap
            gap = min(
                whole, max(self.enumeration_cap, settings.enumeration_grow * (bound - value))
            )  # beyond what the node shows
            cheap = listed is not None and listed <= settings.enumeration_widen_routes
            if gap <= 0 or (gap > settings.enumeration_stretch * self.enumeration_cap and not cheap):
                return bound
            jump = may_jump and cheap and self.incumbent is None and gap < whole
            cap = self.enumeration_cap
            settled, proved, listed = self._enumerate_within(value, whole if jump else gap, whole)
            if jump:  # says nothing of the gaps that stay few elsewhere: the cap stays as it was
                self.enumeration_cap, may_jump = cap, False
            if settled:
                return None
            if jump:  # too many routes within the whole gap: on step by step
                continue
            if proved is None:
                return bound
            bound = max(bound, proved)
            if time.perf_counter() >= self.deadline:
                return bound

    def _enumerate_within(self, value: float, gap: float, whole: float) -> tuple[bool, float | None, int]:
        """One enumeration within ``gap`` of the Lagrangian value ``value``: whether it settled the node,
        the node bound it proved (None: nothing), and how many routes it listed."""
        last, settings = self.cg.last_exact, self.settings
        assert last is not None  # _enumerate calls this only after an exact pricing
        arc_cost, mu, least = last.arc_cost, last.mu, last.least
        routes = self._node_rows()
        began = time.perf_counter()
        stop = min(self.deadline, began + settings.enumeration_share * self.total)
        closed = self._closed_classes()
        listed = 0
        try:
            for k, net in enumerate(self.cg.networks):
                if k in closed:  # no route of the class is in a plan of this node
                    continue
                class_routes = enumerate_routes(
                    net,
                    arc_cost[k],
                    self.cg.start_cost(k, mu),
                    gap + min(0.0, least[k]),
                    max_labels=settings.enumeration_labels,
                    deadline=stop,
                    subset_rows=last.penalties,
                )
                listed += len(set(class_routes))  # the columns they make (a class's routes are new to this master)
                if listed > settings.enumeration_routes:  # before the master computes their rows for nothing
                    raise TooManyRoutes("routes")
                for stops in class_routes:
                    routes.add(k, stops)
        except (TooManyRoutes, PricingTimeout) as stopped:
            self.enumeration_cap = settings.enumeration_shrink * gap
            reason = "out of time" if isinstance(stopped, PricingTimeout) else f"too many {stopped.args[0]}"
            log.info(
                "route enumeration within %.6g of the bound: %s after %.1f s", gap, reason, time.perf_counter() - began
            )
            return False, None, listed
        limit = min(settings.enumeration_search_share * self.total, self.deadline - time.perf_counter())
        within = value + gap
        upper = within + ENUMERATION_MARGIN * max(1.0, abs(within))
        plan, cost, proven, lps = PoolSearch(routes, self.cost_grain).cheapest_within(
            upper, time.perf_counter() + limit
        )
        found = plan is not None and cost <= upper
        log.info(
            "route enumeration within %.6g of the bound: %d routes, %d LPs: %s (%.1f s)",
            gap,
            len(routes.columns),
            lps,
            "not solved" if not proven else f"{cost:.6g}" if found else "no plan within",
            time.perf_counter() - began,
        )
        if not (self.offer(plan) and proven):
            self.enumeration_cap = settings.enumeration_shrink * gap
            return False, None, len(routes.columns)
        self.enumeration_cap = settings.enumeration_grow * gap
        if found or gap >= whole:
            self.enumerated += 1
            return True, None, len(routes.columns)
        return False, safe_bound(within, grain=self.cost_grain), len(routes.columns)

    def _closed_classes(self) -> set[int]:
        """Classes whose vehicle count the node's branching rows hold at 0: the enumeration skips them (their
        routes may still price at reduced cost 0 when the row's dual is 0, and long ones are countless)."""
        master = self.cg.master
        return {
            k
            for (arcs, k), position in self.rows.items()
            if k is not None and all(i == 0 for i, _ in arcs) and master.row_upper[position] < 1.0 - SOLVER_TOLERANCE
        }

    def _node_rows(self) -> RouteMaster:
        """An empty master with the node's rows: its capacity and subset-row cuts, and its branching rows at the node's
        bounds (the search over the enumerated routes then has the node's LP bound to start from)."""
        master = self.cg.master
        routes = RouteMaster(self.instance, master.classes, self.costs, solver=self.solver)
        for row, lower, upper in zip(master.rows, master.row_lower, master.row_upper):
            if isinstance(row, CapacityCut):
                routes.add_cut(row)
            elif isinstance(row, SubsetRowCut):
                routes.add_subset_row(row)
            elif math.isfinite(lower) or math.isfinite(upper):
                routes.set_row_bounds(routes.add_branch_row(row), lower, upper)
        return routes

    def _solve_node(self, node: Node, root: bool) -> list[tuple[float, dict[int, tuple[float, float]]]] | None:
        """Solve one node; its children (bound, branching bounds), [] when pruned or integral, None on timeout."""
        self.nodes += 1
        master = self.cg.master
        self._enter(node.bounds, node.allowed)
        if not root and not self.cg.solve_node(self.deadline).converged:
            return None
        bound: float | None  # None once the enumeration settles the node
        bound = max(node.bound, self.cg.bound)
        if self.prunes(bound) or bound >= master.penalty:  # the penalty: the node's rows admit no plan
            return []
        values = master.route_values()
        integral = np.all(np.minimum(values - np.floor(values), np.ceil(values) - values) <= SOLVER_TOLERANCE)
        if integral and master.artificial_value() <= SOLVER_TOLERANCE:
            chosen = [c for c, v in zip(master.columns, values) if v > 0.5]
            if all(c.plannable for c in chosen):
                self.offer(master.plan_of(chosen))
                return []
        if self.incumbent is not None and not root:  # below the root: fixing valid for this node's plans
            self.fixed_below_root += self.cg.fix_arcs(self.cutoff(), self.deadline)
        bound = self._enumerate(bound)
        if bound is None or self.prunes(bound):
            return []
        rule = BranchingRule(master, self.settings, self.deadline, self.total).row(values, self.cg.lp_value)
        if rule is None:
            self.unresolved.append(bound)
            return []
        key, value = rule
        position = self.rows.get(key)
        if position is None:
            position = master.add_branch_row(ArcSetRow(*key))
            self.rows[key] = position
        lower, upper = node.bounds.get(position, (-math.inf, math.inf))
        down = {**node.bounds, position: (lower, float(math.floor(value)))}
        up = {**node.bounds, position: (float(math.ceil(value)), upper)}
        log.info(
            "node %d: bound %.6g, branch on %s = %.3f",
            self.nodes,
            bound,
            describe(key, master, self.instance.node_ids),
            value,
        )
        return [(bound, down), (bound, up)]

    def _enter(self, bounds: dict[int, tuple[float, float]], allowed: tuple[np.ndarray, ...] | None) -> None:
        """The master's branching rows at a node's ``bounds`` (free where it has none) and the pricing over its arcs
        (``allowed``: per class, the arcs its parent kept; None: the root's)."""
        for held in set(self.rows.values()):
            lower, upper = bounds.get(held, (-math.inf, math.inf))
            self.cg.master.set_row_bounds(held, lower, upper)
        if allowed is None:
            self.cg.use_networks(self.root_networks)
        else:
            self.cg.use_networks([with_allowed(net, kept) for net, kept in zip(self.root_networks, allowed)])
