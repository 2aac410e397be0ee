"""Branch-and-price-and-cut: optimal against the brute-force oracle, certified bounds, and defects caught.

The oracle comparisons run without the heuristic start so the tree has to find and prove the optimum
itself; the defect tests inject a cut that removes the optimum and a branching rule that drops a child,
and check that the oracle comparison notices (so the tests above would fail on such a defect).
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import re
import time
from pathlib import Path

import numpy as np
import pytest
from bruteforce import brute_force, random_tiny_instance
from random_instances import random_side_instance
from shared_data import CVRPLIB, REGRESSIONS, needs_cvrplib, needs_regressions
from time_oracle import brute_force_time, random_timed_instance

from milp_milkrun.checker import check_plan
from milp_milkrun.io import load_instance
from milp_milkrun.plan import Plan
from milp_milkrun.routes import tree
from milp_milkrun.routes.branching import BranchingRule
from milp_milkrun.routes.column_generation import route_lower_bound
from milp_milkrun.routes.master import ArcSetRow, RouteMaster, SolverSetup
from milp_milkrun.routes.master_lp import solve_lp, trial_lp_value
from milp_milkrun.routes.separation import CapacityCut
from milp_milkrun.routes.settings import RouteSettings
from milp_milkrun.routes.tree import BranchAndPrice
from milp_milkrun.runtime.logs import show_log
from milp_milkrun.solve import SolveOptions, solve
from milp_milkrun.solve.routes_backend import searched_again


@pytest.mark.parametrize("make", [random_tiny_instance, random_side_instance], ids=["tiny", "side"])
@pytest.mark.parametrize("seed", range(10))
def test_branch_and_price_proves_the_brute_force_optimum(make, seed: int) -> None:
    instance = make(seed)
    expected = brute_force(instance)
    result = solve(
        instance, model="routes", options=SolveOptions(time_limit=60, gap=0.0, log=False), heuristic_start=False
    )
    if expected is None:
        assert result.plan is None
        return
    assert result.plan is not None and check_plan(instance, result.plan).feasible
    assert result.bound is not None and result.bound <= expected[0] + 1e-6
    assert result.objective == pytest.approx(expected[0], abs=1e-6)
    assert result.status == "optimal"


def _tree_result(instance, *, inject=None, skip_next_values: bool = False, enumeration: bool = True) -> BranchAndPrice:
    """Run the tree directly, optionally with an injected master row, or with a wrong branching rule whose
    children skip the integers next to the fractional value (x <= floor - 1 and x >= ceil + 1), or
    without route enumeration (a zero gap cap: only branching closes the gap)."""
    bp = BranchAndPrice(instance, time.perf_counter() + 60)
    if not enumeration:
        bp.enumeration_cap = 0.0
    if inject is not None:
        bp.cg.master.add_cut(inject)
    if skip_next_values:
        solve_node = bp._solve_node

        def wrong(node, root):
            children = solve_node(node, root)
            if not children:
                return children
            shifted = []
            for side, (bound, rows) in zip((-1.0, 1.0), children):
                new = {
                    p: (lo + max(side, 0), hi + min(side, 0)) if node.bounds.get(p) != (lo, hi) else (lo, hi)
                    for p, (lo, hi) in rows.items()
                }
                shifted.append((bound, new))
            return shifted

        bp._solve_node = wrong
    bp.run(time.perf_counter(), 60)
    return bp


def test_an_invalid_cut_is_caught_by_the_oracle() -> None:
    """A 'capacity cut' asking more routes into a set than the optimum uses removes the optimum: the
    engine's root bound then exceeds the brute-force optimum, which the oracle test would flag (the final
    bound is capped by the plan, which route enumeration may still find: its MIP has no cut rows)."""
    caught = 0
    for seed in range(6):
        instance = random_tiny_instance(seed)
        expected = brute_force(instance)
        if expected is None or instance.n_dcs < 2:
            continue
        members = frozenset(range(1, instance.n_dcs + 1))
        honest = _tree_result(instance)
        assert honest.bound <= expected[0] + 1e-6
        wrong = _tree_result(instance, inject=CapacityCut(members, instance.n_dcs))  # one route per DC
        caught += wrong.root_bound > expected[0] + 1e-6 or wrong.incumbent_cost > expected[0] + 1e-6
    assert caught >= 1


@needs_cvrplib
def test_a_branching_rule_that_loses_a_child_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """P-n16-k8 (optimum 450, root bound 448) with plans from integral nodes only (no MIP over the
    routes, no route enumeration): the honest tree proves 450; a tree whose children skip the nearest
    integers does not."""
    monkeypatch.setattr(tree, "best_integer_plan", lambda *args, **kwargs: (None, math.inf))
    instance = load_instance(CVRPLIB / "P-n16-k8.vrp")
    honest = _tree_result(instance, enumeration=False)
    assert honest.nodes > 1 and honest.incumbent_cost == pytest.approx(450) and honest.bound == pytest.approx(450)
    wrong = _tree_result(instance, skip_next_values=True, enumeration=False)
    assert not (wrong.incumbent_cost == pytest.approx(450) and wrong.bound == pytest.approx(450))


@needs_cvrplib
@pytest.mark.parametrize("name", ["P-n16-k8", "E-n22-k4", "B-n31-k5"])
def test_root_bound_with_capacity_cuts_never_exceeds_the_cvrplib_optimum(name: str) -> None:
    optimum = json.loads((CVRPLIB / "optima.json").read_text())[name]["optimum"]
    cg = route_lower_bound(load_instance(CVRPLIB / f"{name}.vrp"), 120)
    assert cg.converged and len(cg.master.cuts) > 0
    assert 0.99 * optimum <= cg.bound <= optimum  # B-n31-k5: 612 without the cuts


@needs_cvrplib
def test_branch_and_price_proves_p_n16_k8_through_the_tree() -> None:
    """The root bound (448) is below the optimum (450): only the tree closes it."""
    instance = load_instance(CVRPLIB / "P-n16-k8.vrp")
    result = solve(
        instance, model="routes", options=SolveOptions(time_limit=120, gap=0.0, log=False), heuristic_start=False
    )
    assert result.status == "optimal" and result.objective == pytest.approx(450) and math.isclose(result.bound, 450)


@needs_regressions
@pytest.mark.parametrize(
    ("name", "optimum"),
    [("routes_unit_overload", 202.0), ("routes_overload_s51", 150.45), ("routes_overload_s134", 84.0)],
)
def test_tree_without_heuristic_proves_the_coarse_unit_regressions(name: str, optimum: float) -> None:
    """Loads rounded to a coarse unit in the pricing: the capacity cuts (exact demands) and the tree still
    prove the brute-force optimum, and no rule-breaking route reaches the plan."""
    instance = load_instance(REGRESSIONS / f"{name}.json")
    result = solve(
        instance, model="routes", options=SolveOptions(time_limit=60, gap=0.0, log=False), heuristic_start=False
    )
    assert result.plan is not None and check_plan(instance, result.plan).feasible
    assert result.bound is not None and result.bound <= optimum + 1e-6
    assert result.objective == pytest.approx(optimum, abs=1e-6) and result.status == "optimal"


@needs_cvrplib
@pytest.mark.parametrize("subset_rows", [None, True])
@pytest.mark.parametrize("open_root_mip_share", [0.05, 1.0])
def test_a_root_open_after_its_share_goes_on_in_the_time_its_mip_leaves(
    open_root_mip_share: float, subset_rows: bool | None
) -> None:
    """A root given no time of its own (root_share 0) is still open after its share: its MIP over the start
    routes, then its column generation again (with its subset-row rounds when they are on), until a last
    MIP's share is left; P-n16-k8 is then proven through the tree.  With that last share the whole run, the
    root stays open and nothing is proven."""
    settings = RouteSettings(root_share=0.0, open_root_mip_share=open_root_mip_share, subset_rows=subset_rows)
    started = time.perf_counter()
    bp = BranchAndPrice(load_instance(CVRPLIB / "P-n16-k8.vrp"), started + 60, settings=settings)
    searched = bp.run(started, 60)
    if open_root_mip_share < 1.0:
        assert searched and bp.cg.converged
        assert bp.incumbent is not None and check_plan(bp.instance, bp.incumbent).feasible
        assert bp.incumbent_cost == pytest.approx(450) and bp.bound == pytest.approx(450)
    else:
        assert not searched and not bp.cg.converged and bp.bound < 450


def test_deadline_returns_the_best_plan_and_a_certified_global_bound() -> None:
    """ecom74 cannot be proven in 8 s: the tree stops at its deadline with a checked plan and a bound
    below the best known plan (3,542.6 km)."""
    instance = load_instance(Path(__file__).resolve().parents[1] / "instances" / "ecom74.json")
    started = time.perf_counter()
    result = solve(instance, model="routes", options=SolveOptions(time_limit=8, log=False))
    assert time.perf_counter() - started < 8 + 20  # generous: a LP solve or a pricing pass may overrun a little
    assert result.plan is not None and check_plan(instance, result.plan).feasible
    assert result.status == "feasible" and (result.bound is None or result.bound <= 3542.62)


@pytest.mark.parametrize("make", [random_tiny_instance, random_side_instance], ids=["tiny", "side"])
@pytest.mark.parametrize("seed", range(10))
def test_reduced_cost_fixing_keeps_every_arc_of_an_optimal_plan(make, seed: int) -> None:
    """Fixing with the optimum itself as cutoff (the tightest the tree ever uses) keeps the optimal plan's arcs."""
    instance = make(seed)
    expected = brute_force(instance)
    if expected is None:
        return
    cg = route_lower_bound(instance, 20)
    cg.fix_arcs(expected[0] + 1e-9, math.inf)
    class_of = {v: k for k, vc in enumerate(cg.master.classes) for v in vc.vehicles}
    for route in expected[1].used_routes():
        path = [0, *(instance.index[s] for s in route.stops), 0]
        allowed = cg.networks[class_of[route.vehicle]].allowed
        assert all(allowed[a, b] for a, b in zip(path, path[1:]))


@needs_cvrplib
def test_reduced_cost_fixing_removes_arcs_on_p_n16_k8() -> None:
    cg = route_lower_bound(load_instance(CVRPLIB / "P-n16-k8.vrp"), 60)
    before = int(cg.networks[0].allowed.sum())
    assert cg.fix_arcs(449.0, math.inf) > 0 and int(cg.networks[0].allowed.sum()) < before  # root bound 448, cutoff 449


@needs_cvrplib
def test_reduced_cost_fixing_past_its_deadline_keeps_every_arc() -> None:
    """Fixing is optional work: past the deadline it stops (the A-n53-k7 run overran 600 s by 20 s in it)."""
    cg = route_lower_bound(load_instance(CVRPLIB / "P-n16-k8.vrp"), 60)
    before = [net.allowed.copy() for net in cg.networks]
    assert cg.fix_arcs(449.0, time.perf_counter() - 1.0) == 0
    assert all(np.array_equal(net.allowed, kept) for net, kept in zip(cg.networks, before))


@needs_cvrplib
def test_ctrl_c_in_the_tree_returns_the_global_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """P-n16-k8 (root bound 448, optimum 450), plans only from integral nodes, no route enumeration: Ctrl-C while the second node
    is solved stops the search with the certified global bound and says so."""
    instance = load_instance(CVRPLIB / "P-n16-k8.vrp")
    calls = {"n": 0}
    original = BranchAndPrice._solve_node

    def interrupt_second(self, node, root):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return original(self, node, root)

    monkeypatch.setattr(BranchAndPrice, "_solve_node", interrupt_second)
    monkeypatch.setattr(tree, "best_integer_plan", lambda *args, **kwargs: (None, math.inf))
    no_enumeration = RouteSettings(enumeration_first_gap=0.0)  # the root stays open
    result = solve(
        instance,
        model="routes",
        options=SolveOptions(time_limit=60, log=False, routes=no_enumeration),
        heuristic_start=False,
    )
    assert calls["n"] == 2 and "interrupted" in result.message
    assert result.bound is not None and 440 <= result.bound <= 450 and result.status != "optimal"
    assert result.plan is None or check_plan(instance, result.plan).feasible


def test_a_wrong_route_enumeration_is_caught_by_the_oracle(monkeypatch: pytest.MonkeyPatch) -> None:
    """An enumeration that misses the routes of the optimal plan settles nodes wrongly: with plans only from
    integral nodes and the enumeration (no MIP over the generated routes), the tree then claims a plan
    above the brute-force optimum as optimal, or a bound above it, which the oracle comparison above
    would flag."""
    monkeypatch.setattr(tree, "best_integer_plan", lambda *args, **kwargs: (None, math.inf))
    honest_enumeration = tree.enumerate_routes
    caught = 0
    for seed in (12, 13, 16):  # the seeds (of 0..19) whose root LP is fractional: only there enumeration acts
        instance = random_tiny_instance(seed)
        expected = brute_force(instance)
        optimal_sets = {frozenset(instance.index[s] for s in route.stops) for route in expected[1].used_routes()}

        def missing_the_optimum(*args, optimal_sets=optimal_sets, **kwargs):
            return [r for r in honest_enumeration(*args, **kwargs) if frozenset(r) not in optimal_sets]

        monkeypatch.setattr(tree, "enumerate_routes", honest_enumeration)
        honest = _tree_result(instance)
        assert honest.bound <= expected[0] + 1e-6 and honest.incumbent_cost == pytest.approx(expected[0])
        monkeypatch.setattr(tree, "enumerate_routes", missing_the_optimum)
        wrong = _tree_result(instance)
        caught += wrong.bound > expected[0] + 1e-6 or wrong.incumbent_cost > expected[0] + 1e-6
    assert caught >= 1


@pytest.mark.parametrize("seed", [12, 13, 16, None])  # fractional roots; None: timed-37, infeasible
def test_without_an_incumbent_a_node_enumerates_within_the_whole_gap_to_the_penalty(
    monkeypatch: pytest.MonkeyPatch, seed: int | None
) -> None:
    """With no plan before the enumeration (no MIP over the generated routes), the root's second enumeration
    covers the whole gap to the artificial columns' penalty: it finds the brute-force optimum of a feasible
    instance (a penalty below some plan would lose it there) and proves timed-37 infeasible, each within two
    enumerations (timed-37 took 17 growing by 1.25)."""
    monkeypatch.setattr(tree, "best_integer_plan", lambda *args, **kwargs: (None, math.inf))
    gaps: list[float] = []
    honest = BranchAndPrice._enumerate_within

    def recorded(self, value, gap, whole):
        gaps.append(gap)
        return honest(self, value, gap, whole)

    monkeypatch.setattr(BranchAndPrice, "_enumerate_within", recorded)
    instance = random_tiny_instance(seed) if seed is not None else random_timed_instance(37, priced=True)
    expected = brute_force(instance) if seed is not None else brute_force_time(instance)
    bp = _tree_result(instance)
    assert 1 <= len(gaps) <= 2 and bp.nodes == 1
    if expected is None:
        assert bp.incumbent is None and bp.bound == math.inf
    else:
        assert bp.incumbent_cost == pytest.approx(expected[0]) and bp.bound == pytest.approx(expected[0])


@pytest.mark.parametrize("seed", [12, 13, 16])  # the tiny instances (of 0..19) whose root LP is fractional
def test_reduced_cost_fixing_at_a_node_keeps_every_arc_of_an_optimal_plan_in_its_subtree(seed: int) -> None:
    """Below the root the fixing uses the node's duals: with the optimum as cutoff, at the child of the
    root that the optimal plan belongs to, every arc of that plan stays."""
    instance = random_tiny_instance(seed)
    cost, optimum = brute_force(instance)
    bp = BranchAndPrice(instance, time.perf_counter() + 60)
    bp.cg.run()
    rule = BranchingRule(bp.cg.master, bp.settings, bp.deadline, 60.0).row(bp.cg.master.route_values(), bp.cg.lp_value)
    assert rule is not None
    row = ArcSetRow(*rule[0])
    class_of = {v: k for k, vc in enumerate(bp.cg.master.classes) for v in vc.vehicles}
    paths = [(class_of[r.vehicle], (0, *(instance.index[s] for s in r.stops), 0)) for r in optimum.used_routes()]
    at_optimum = sum(row.coefficient(k, path[1:-1]) for k, path in paths)
    position = bp.cg.master.add_branch_row(row)
    side = (-math.inf, math.floor(rule[1])) if at_optimum <= rule[1] else (math.ceil(rule[1]), math.inf)
    bp.cg.master.set_row_bounds(position, *side)
    assert bp.cg.solve_node(time.perf_counter() + 60).converged
    assert bp.cg.fix_arcs(cost + 1e-9, math.inf) > 0  # the node's duals remove arcs
    for k, path in paths:
        assert all(bp.cg.networks[k].allowed[a, b] for a, b in zip(path, path[1:]))


@needs_cvrplib
@pytest.mark.parametrize("widen", [True, False])
def test_a_node_bounded_by_enumeration_is_enumerated_wider_before_it_branches(
    monkeypatch: pytest.MonkeyPatch, widen: bool
) -> None:
    """P-n16-k8 (root bound 448, optimum 450 as the start plan), plans only from enumeration, a first gap
    cap of 0.2: the first enumeration only raises the root's bound; widening the gap while the routes stay
    few settles the root itself, where without widening the root branches."""
    instance = load_instance(CVRPLIB / "P-n16-k8.vrp")
    start = solve(
        instance, model="routes", options=SolveOptions(time_limit=60, gap=0.0, log=False), heuristic_start=False
    ).plan
    monkeypatch.setattr(tree, "best_integer_plan", lambda *args, **kwargs: (None, math.inf))
    settings = RouteSettings(enumeration_first_gap=0.2 / 448, enumeration_widen_routes=3_000 if widen else -1)
    thresholds = []
    honest_enumeration = tree.enumerate_routes

    def recorded(net, arc_cost, start_cost, threshold, **kwargs):
        thresholds.append(threshold)
        return honest_enumeration(net, arc_cost, start_cost, threshold, **kwargs)

    monkeypatch.setattr(tree, "enumerate_routes", recorded)
    bp = BranchAndPrice(instance, time.perf_counter() + 60, settings=settings)
    bp.offer(start)
    bp.run(time.perf_counter(), 60)
    assert bp.incumbent_cost == pytest.approx(450) and bp.bound == pytest.approx(450)
    if widen:
        assert bp.nodes == 1 and bp.enumerated == 1 and len(thresholds) == 2 and thresholds[1] > 4 * thresholds[0]
    else:
        assert bp.nodes > 1


@needs_cvrplib
def test_a_trial_branch_leaves_the_master_as_it_was() -> None:
    """Strong branching's trial LPs: each branch of a fractional edge costs at least the parent LP, and
    afterwards the master has its rows and LP value back."""
    cg = route_lower_bound(load_instance(CVRPLIB / "P-n16-k8.vrp"), 60)
    master = cg.master
    parent, rows = solve_lp(master, 60).value, master.highs.getNumRow()
    x = master.arc_flows()
    y = np.triu(x + x.T, 1)
    i, j = np.unravel_index(int(np.argmax(np.where(np.abs(y - np.round(y)) > 1e-6, 1.0, 0.0))), y.shape)
    assert 1e-6 < y[i, j] % 1 < 1 - 1e-6, "the root LP of P-n16-k8 has a fractional edge"
    row = ArcSetRow(frozenset({(int(i), int(j)), (int(j), int(i))}))
    down = trial_lp_value(master, row, -math.inf, float(math.floor(y[i, j])), 60)
    up = trial_lp_value(master, row, float(math.ceil(y[i, j])), math.inf, 60)
    assert down >= parent - 1e-6 and up >= parent - 1e-6 and max(down, up) > parent + 1e-6
    assert master.highs.getNumRow() == rows and solve_lp(master, 60).value == pytest.approx(parent)


@needs_cvrplib
@pytest.mark.parametrize(
    ("setting", "threshold", "expected"), [(None, 0.001, True), (None, 0.015, False), (False, 0.0, False)]
)
def test_the_root_separates_subset_rows_when_its_gap_asks_for_them(setting, threshold: float, expected: bool) -> None:
    """P-n16-k8 (root bound 448, optimum 450: a 0.44% root gap): subset-row cuts come on only above the
    gap threshold, never when switched off, and either way the tree proves 450."""
    settings = RouteSettings(subset_rows=setting, subset_row_root_gap=threshold)
    bp = BranchAndPrice(load_instance(CVRPLIB / "P-n16-k8.vrp"), time.perf_counter() + 60, settings=settings)
    bp.run(time.perf_counter(), 60)  # the root MIP's plan costs at least the optimum 450: a root gap of 0.44% or more
    assert bp.cg.subset_rows is expected
    assert bp.incumbent_cost == pytest.approx(450) and bp.bound == pytest.approx(450)


@needs_cvrplib
@pytest.mark.parametrize(
    ("share", "seconds", "expected"), [(0.0, 150.0, True), (10.0, 0.0, True), (10.0, 150.0, False)]
)
def test_a_tree_that_does_not_close_gets_subset_rows_at_its_root(share: float, seconds: float, expected: bool) -> None:
    """P-n16-k8's root (0.44% below its plan) skips subset-row cuts at a 1.5% threshold and, with no enumeration,
    must branch; once the tree has searched ``subset_row_tree_share`` of the time (``subset_row_tree_seconds`` at
    most) without closing, its root gets them (the cuts then close it at once), and it proves 450 either way."""
    settings = RouteSettings(
        subset_row_root_gap=0.015,
        subset_row_tree_share=share,
        subset_row_tree_seconds=seconds,
        enumeration_routes=1,
        enumeration_first_gap=0.0,
    )
    bp = BranchAndPrice(load_instance(CVRPLIB / "P-n16-k8.vrp"), time.perf_counter() + 60, settings=settings)
    bp.run(time.perf_counter(), 60)
    assert bp.cg.subset_rows is expected and (len(bp.cg.master.subset_rows) > 0) is expected
    assert expected or bp.nodes > 1  # without them the tree branched
    assert bp.incumbent_cost == pytest.approx(450) and bp.bound == pytest.approx(450)


@pytest.mark.parametrize("case", [pytest.param("P-n16-k8", marks=needs_cvrplib), "tiny-16"])
def test_the_tree_enumerates_its_root_again_once_subset_rows_come(case: str) -> None:
    """The subset-row cuts' duals price routes dearer than the duals the tree shrank its enumeration's gap cap under
    (A-n62-k8: to 0.18, after which no node enumerated): when the tree turns them on, the cap starts again and the root
    is enumerated within its whole gap.  Here the enumeration is off until then (a cap of 0) and the cuts add nothing
    (a pool of 0): the root's enumeration alone must settle the tree, without a second node (3 and 5 without it)."""
    instance = load_instance(CVRPLIB / f"{case}.vrp") if case.startswith("P-") else random_tiny_instance(16)
    expected = 450.0 if case.startswith("P-") else brute_force(instance)[0]
    settings = RouteSettings(subset_row_root_gap=1.0, subset_row_tree_share=0.0, max_subset_rows=0)
    bp = BranchAndPrice(instance, time.perf_counter() + 60, settings=settings)
    bp.enumeration_cap = 0.0
    bp.run(time.perf_counter(), 60)
    assert bp.root_bound < expected - 1.0  # the root's column generation alone does not close it
    assert (bp.nodes, bp.enumerated) == (1, 1)
    assert bp.incumbent_cost == pytest.approx(expected) and bp.bound == pytest.approx(expected)


@pytest.mark.parametrize("case", [pytest.param("P-n16-k8", marks=needs_cvrplib), "tiny-16"])
def test_a_root_enumeration_that_fails_under_the_cuts_leaves_the_learned_cap(case: str) -> None:
    """The root's enumeration when the cuts come is one trial: failing (here on labels, a limit of 1), it proves
    nothing, and the nodes go on with the cap the tree had learned (X-n106-k14: its nodes failed twice more, 97 s,
    from the trial's wide cap), here 0, so that no node enumerates; the tree still ends on the optimum."""
    instance = load_instance(CVRPLIB / f"{case}.vrp") if case.startswith("P-") else random_tiny_instance(16)
    expected = 450.0 if case.startswith("P-") else brute_force(instance)[0]
    settings = RouteSettings(
        subset_row_root_gap=1.0, subset_row_tree_share=0.0, max_subset_rows=0, enumeration_labels=1
    )
    bp = BranchAndPrice(instance, time.perf_counter() + 60, settings=settings)
    bp.enumeration_cap = 0.0
    bp.run(time.perf_counter(), 60)
    assert (bp.enumerated, bp.enumeration_cap) == (0, 0.0)
    assert bp.incumbent_cost == pytest.approx(expected) and bp.bound == pytest.approx(expected)


@needs_cvrplib
def test_an_enumeration_past_its_route_limit_adds_none_of_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Routes listed past ``enumeration_routes`` are counted and the enumeration gives up before the master builds
    their columns (each computes a coefficient for every row: thousands of routes cost a node seconds)."""
    bp = BranchAndPrice(load_instance(CVRPLIB / "P-n16-k8.vrp"), time.perf_counter() + 60)
    bp.cg.run()  # the root's column generation: an exact pricing to enumerate from
    bp.settings = dataclasses.replace(bp.settings, enumeration_routes=3)
    added = []
    monkeypatch.setattr(RouteMaster, "add", lambda self, k, stops: added.append(stops) or True)
    settled, proved, listed = bp._enumerate_within(bp.cg.last_exact.value, 50.0, 100.0)
    assert (settled, proved) == (False, None) and listed > 3
    assert added == []


def test_the_threads_reach_the_master_lp_and_the_seed_its_mips() -> None:
    setup = SolverSetup(threads=1, seed=2**31 + 6)
    master = RouteMaster(random_tiny_instance(0), solver=setup)
    assert master.highs.getOptionValue("threads")[1] == 1
    assert master.highs.getOptionValue("random_seed")[1] == 0  # the LP keeps HiGHS's seed (see SolverSetup)
    mip = setup.new_mip()
    assert mip.getOptionValue("threads")[1] == 1
    assert mip.getOptionValue("random_seed")[1] == 7  # wrapped to 31 bits as for every backend
    assert SolverSetup().new_mip().getOptionValue("random_seed")[1] == 0  # no seed given: HiGHS's own


@pytest.mark.parametrize(
    "seed", [12, 16]
)  # tiny instances whose root LP is fractional: the tree branches or enumerates
def test_the_same_seed_gives_the_same_plan_and_the_same_log(seed: int) -> None:
    instance = random_tiny_instance(seed)

    def run() -> tuple[object, float | None, list[str]]:
        out = io.StringIO()
        with show_log(out):
            result = solve(
                instance,
                model="routes",
                options=SolveOptions(time_limit=60, gap=0.0, log=True, seed=5),
                heuristic_start=False,
            )
        lines = [re.sub(r"\d+\.\d+ s\b", "_ s", line) for line in out.getvalue().splitlines()]  # wall times differ
        return result.plan, result.bound, lines

    first, second = run(), run()
    assert first == second and first[2], "a second run with the same seed took another path"


def test_the_heuristic_searches_again_after_growing_node_counts() -> None:
    """With first node 2 and growth 3: due after 2 nodes, then 6, then 18, and never past the restarts allowed or
    without a heuristic."""
    settings = RouteSettings(heuristic_first_node=2, heuristic_growth=3, heuristic_restarts=2)
    bp = BranchAndPrice(random_tiny_instance(0), time.perf_counter() + 60, settings=settings)

    def due() -> list[bool]:
        answers = []
        for restarts, nodes in [(0, 1), (0, 2), (1, 5), (1, 6), (2, 18)]:
            bp.restarts, bp.nodes = restarts, nodes
            answers.append(bp._heuristic_due())
        return answers

    assert due() == [False, False, False, False, False]  # no heuristic given
    bp.heuristic_plan = lambda seconds, offset: None
    assert due() == [False, True, False, True, False]


@pytest.mark.parametrize("seed", [0, 1, 3, 4])  # tiny-2 has no plan
def test_a_plan_of_the_heuristic_again_enters_the_pool_even_when_it_is_no_better(seed: int) -> None:
    """The heuristic (asked with seed offset 1) returns the optimum with its routes reversed, no cheaper than the
    incumbent optimum: the incumbent stays, and its routes become columns for the MIP over all routes. (Without
    consecutive pairs, which hold in one direction only.)"""
    instance = dataclasses.replace(random_tiny_instance(seed), consecutive=())
    found = brute_force(instance)
    assert found is not None
    optimum, best = found
    reversed_plan = Plan.from_routes((r.vehicle, r.stops[::-1]) for r in best.used_routes())
    assert check_plan(instance, reversed_plan).feasible  # symmetric distances
    asked: list[tuple[float, int]] = []

    def heuristic(seconds: float, offset: int) -> Plan:
        asked.append((seconds, offset))
        return reversed_plan

    bp = BranchAndPrice(instance, time.perf_counter() + 60, heuristic_plan=heuristic)
    bp.total = 60.0
    bp.offer(best)  # the master: its routes only (a column generation would list the reversed ones too)
    wanted = _route_columns(bp.cg.master, reversed_plan)
    assert wanted - _columns(bp.cg.master)  # a route of it is new
    bp._search_heuristic_again()
    assert bp.incumbent is best and bp.incumbent_cost == pytest.approx(optimum)
    assert wanted <= _columns(bp.cg.master)
    assert [offset for _, offset in asked] == [1] and 0 < asked[0][0] <= 60


@needs_cvrplib
def test_the_tree_searches_with_the_heuristic_again_and_still_proves_p_n16_k8() -> None:
    """A tree forced to branch (no enumeration, no subset rows) asks the heuristic again after node 1 and node 2, each
    time with the next seed, and proves 450; every plan it returns is checked."""
    settings = RouteSettings(
        subset_rows=False,
        enumeration_routes=1,
        enumeration_first_gap=0.0,
        heuristic_first_node=1,
        heuristic_growth=2,
        heuristic_restarts=2,
    )
    instance = load_instance(CVRPLIB / "P-n16-k8.vrp")
    offsets: list[int] = []
    options = SolveOptions(time_limit=60)

    def heuristic(seconds: float, offset: int) -> Plan | None:
        offsets.append(offset)
        return searched_again(instance, options, options.costs(instance), seconds, offset)

    bp = BranchAndPrice(instance, time.perf_counter() + 60, settings=settings, heuristic_plan=heuristic)
    bp.run(time.perf_counter(), 60)
    assert bp.nodes >= 2 and offsets == [1, 2]
    assert bp.incumbent_cost == pytest.approx(450) and bp.bound == pytest.approx(450)


def test_the_heuristic_is_not_asked_again_in_the_last_share_of_the_time() -> None:
    """With less than a node MIP's share of the time left (4% of 60 s: 2.4 s; 1 s left), neither the search nor its
    MIP runs: they could not end before the deadline."""
    asked: list[int] = []
    bp = BranchAndPrice(
        random_tiny_instance(0), time.perf_counter() + 1.0, heuristic_plan=lambda s, k: asked.append(k) or None
    )
    bp.total = 60.0
    bp._search_heuristic_again()
    assert asked == [] and bp.restarts == 1
    bp.deadline = time.perf_counter() + 30.0
    bp._search_heuristic_again()
    assert asked == [2]


# the root's column generation never iterates and never resumes: a relaxation's bound is the run's
OPEN_ROOT = dataclasses.replace(RouteSettings(), root_share=0.0, open_root_mip_share=1.0)


@pytest.mark.parametrize("seed", range(0, 40, 5))
def test_a_root_open_after_its_share_takes_the_strong_formulations_bound(seed: int) -> None:
    """Without time too (the fleets of 100 DCs): an open root asks the strong formulation, whose
    bound lies below the oracle's optimum and whose proof that no plan exists is the run's."""
    instance = random_tiny_instance(seed, costs=True, unlimited=seed % 2 == 0)
    expected = brute_force(instance)
    result = solve(instance, model="routes", options=SolveOptions(time_limit=40, gap=0.0, log=False, routes=OPEN_ROOT))
    if expected is None:
        assert result.plan is None and result.status == "infeasible", (seed, result.message)
        return
    assert result.plan is not None and check_plan(instance, result.plan).feasible
    assert result.bound is not None and result.bound <= expected[0] + 1e-6, (seed, result.bound, expected[0])
    assert "of the strong formulation (the root's" in result.message, result.message


def _route_columns(master: RouteMaster, plan: Plan) -> set[tuple[int, tuple[int, ...]]]:
    """(class, stops) of each route of ``plan``, as the master would list it as a column."""
    class_of = {v: k for k, vc in enumerate(master.classes) for v in vc.vehicles}
    return {(class_of[r.vehicle], tuple(master.instance.index[s] for s in r.stops)) for r in plan.used_routes()}


def _columns(master: RouteMaster) -> set[tuple[int, tuple[int, ...]]]:
    """(class, stops) of every column of ``master``."""
    return {(c.vehicle_class, c.stops) for c in master.columns}


@pytest.mark.parametrize("held", [False, True], ids=["at-once", "held"])
@pytest.mark.parametrize("seed", [0, 1, 3, 4, 5, 7, 8, 9])
def test_a_start_plan_held_out_of_the_roots_lp_enters_at_its_end(seed: int, held: bool) -> None:
    """On an instance of ``start_routes_below`` DCs or more (0: every one) the start plan's routes are no columns
    while the root's first run prices, and all are once it ended (here at once: its deadline has passed); below,
    they are columns at once.  Either way the tree proves the brute-force optimum."""
    instance = random_tiny_instance(seed)
    found = brute_force(instance)
    assert found is not None
    optimum, best = found
    settings = RouteSettings(start_routes_below=0 if held else instance.n_dcs + 1)
    bp = BranchAndPrice(instance, time.perf_counter() + 60, settings=settings)
    bp.offer(best)
    routes = _route_columns(bp.cg.master, best)
    assert not routes & _columns(bp.cg.master) if held else routes <= _columns(bp.cg.master)
    bp.cg.run(time.perf_counter())
    assert routes <= _columns(bp.cg.master)
    tree_run = BranchAndPrice(instance, time.perf_counter() + 60, settings=settings)
    tree_run.offer(best)
    assert tree_run.run(time.perf_counter(), 60)
    assert tree_run.incumbent_cost == pytest.approx(optimum) and tree_run.bound == pytest.approx(optimum)


def test_with_time_a_start_plans_routes_are_columns_at_once() -> None:
    """The rule holds a start plan's routes back only on instances without time: with windows they enter at once,
    whatever ``start_routes_below`` says."""
    seed = next(s for s in range(20) if brute_force_time(random_timed_instance(s)) is not None)
    instance = random_timed_instance(seed)
    found = brute_force_time(instance)
    assert found is not None and instance.has_time
    bp = BranchAndPrice(instance, time.perf_counter() + 60, settings=RouteSettings(start_routes_below=0))
    bp.offer(found[1])
    assert _route_columns(bp.cg.master, found[1]) <= _columns(bp.cg.master)
