"""The heuristic: feasible plans only, optimal on most tiny instances, deterministic, exact move deltas."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
from bruteforce import brute_force, random_tiny_instance
from shared_data import CVRPLIB, cvrplib_optimum, needs_cvrplib

from milp_milkrun.checker import check_plan
from milp_milkrun.heuristics import solve_heuristic
from milp_milkrun.heuristics.construction import savings_solution
from milp_milkrun.heuristics.fleet_moves import ROUTE_OPERATORS, merge, split
from milp_milkrun.heuristics.giant_tour import resplit
from milp_milkrun.heuristics.local_search import descend, priced_vehicles, try_apply
from milp_milkrun.heuristics.metaheuristic import SearchParams, anneal
from milp_milkrun.heuristics.neighbourhoods import UNIT_OPERATORS
from milp_milkrun.heuristics.problem import compile_problem
from milp_milkrun.heuristics.ruin_recreate import RuinParams, recreate, ruin
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.io import load_instance

TINY_SEEDS = range(60)


def random_instance(
    seed: int, n_dcs: int = 40, *, asymmetric: bool = False, spare: int = 0, costs: bool = False
) -> Instance:
    """A mid-size instance with every side constraint: chains (one of three DCs), type- and
    vehicle-level forbidden pairs, damaged roads including one at the hub, optional asymmetry;
    ``spare`` more vehicles of each type than the tight default fleet; ``costs``: the cost objective
    with fixed costs and per-km rates by type (the large type dearer per km)."""
    rng = random.Random(seed)
    ids = [f"D{k}" for k in range(1, n_dcs + 1)]
    xy = {i: (rng.uniform(0, 100), rng.uniform(0, 100)) for i in ["H", *ids]}
    dcs = [DC(i, rng.randint(1, 20), *xy[i]) for i in ids]
    total = sum(dc.demand for dc in dcs)
    fleet = [
        VehicleType(
            "big", 3 + spare, 80, 400.0, 10, fixed_cost=60.0 if costs else 0.0, cost_per_km=1.4 if costs else 1.0
        ),
        VehicleType("small", max(4, int(total / 40)) + spare, 40, 300.0, 6, fixed_cost=25.0 if costs else 0.0),
    ]
    a, b, c, d, e, f, g, h = rng.sample(ids, 8)
    spec = DistanceSpec("euclidean")
    matrix = ids_all = None
    if asymmetric:
        ids_all = ["H", *ids]
        base = np.array([[np.hypot(xy[p][0] - xy[q][0], xy[p][1] - xy[q][1]) for q in ids_all] for p in ids_all])
        skew = np.array([[rng.uniform(1.0, 1.3) for _ in ids_all] for _ in ids_all])
        matrix = base * skew
        spec = DistanceSpec("matrix")
    return build_instance(
        name=f"mid-{seed}",
        hub=Site("H", *xy["H"]),
        dcs=dcs,
        vehicle_types=fleet,
        distance_spec=spec,
        matrix=matrix,
        matrix_ids=ids_all,
        forbidden=[
            {"dc": a, "vehicle_type": "big"},
            {"dc": b, "vehicle": "small-1"},
            {"dc": c, "vehicle_type": "small"},
        ],
        consecutive=[[d, e], [e, f], [g, a]],
        damaged_roads=[[d, h], ["H", h], [b, c]],
        coordinates="xy",
        distance_unit="units",
        objective="cost" if costs else "distance",
    )


def assert_side_constraints_hold(instance: Instance, plan) -> None:  # noqa: ANN001
    """Re-state chains, forbidden pairs and damaged roads directly (beside the checker)."""
    hub = instance.hub.id
    arcs = {arc for route in plan.used_routes() for arc in route.arcs(hub)}
    for a, b in instance.consecutive:
        assert (a, b) in arcs, f"chain {a} -> {b} broken"
    for route in plan.used_routes():
        assert all(instance.is_allowed(s, route.vehicle) for s in route.stops)
    assert not any(instance.is_damaged(a, b) for a, b in arcs)


# ----- whole-run properties -------------------------------------------------------------------
def test_tiny_instances_agree_with_brute_force() -> None:
    equal = solved = 0
    for seed in TINY_SEEDS:
        instance = random_tiny_instance(seed)
        oracle = brute_force(instance)
        result = solve_heuristic(instance, time_limit=60, seed=seed, max_iterations=100)
        if oracle is None:
            assert result.status == "no_solution" and result.plan is None, f"seed {seed}: a plan where none exists"
            continue
        solved += 1
        assert result.status == "feasible", f"seed {seed}: brute force found a plan, the heuristic did not"
        assert result.check is not None and result.check.feasible
        assert result.objective >= oracle[0] - 1e-6, f"seed {seed}: below the brute-force optimum"
        equal += abs(result.objective - oracle[0]) < 1e-6
    assert solved >= 30
    assert equal / solved >= 0.9, f"optimal on only {equal} of {solved} tiny instances"


def test_tiny_instances_with_costs_agree_with_brute_force() -> None:
    """Fixed costs, per-km rates by type and an unlimited type: the heuristic reaches the oracle's optimum."""
    equal = solved = 0
    for seed in range(40):
        instance = random_tiny_instance(seed, costs=True, unlimited=True)
        oracle = brute_force(instance)
        result = solve_heuristic(instance, time_limit=60, seed=seed, max_iterations=100)
        if oracle is None:
            assert result.status == "no_solution", f"seed {seed}: a plan where none exists"
            continue
        solved += 1
        assert result.status == "feasible" and result.check is not None and result.check.feasible, f"seed {seed}"
        assert result.check.cost == pytest.approx(result.objective)
        assert result.objective >= oracle[0] - 1e-6, f"seed {seed}: below the brute-force optimum"
        equal += abs(result.objective - oracle[0]) < 1e-6
    assert solved >= 25
    assert equal / solved >= 0.9, f"optimal on only {equal} of {solved} tiny instances"


def test_cost_with_unit_rates_is_the_distance_objective_exactly() -> None:
    """fixed_cost 0 and cost_per_km 1 under the cost objective: the same search, the same plan, bit for bit."""
    for seed, asymmetric in ((31, False), (32, True)):
        by_distance = random_instance(seed, asymmetric=asymmetric)
        by_cost = dataclasses.replace(by_distance, objective="cost")
        first = solve_heuristic(by_distance, time_limit=60, seed=seed, max_iterations=60)
        second = solve_heuristic(by_cost, time_limit=60, seed=seed, max_iterations=60)
        assert first.plan == second.plan and first.objective == second.objective
        assert second.check is not None and second.check.cost == pytest.approx(second.check.distance)


@pytest.mark.parametrize("seed,asymmetric", [(1, False), (2, True), (3, False), (4, True)])
def test_mid_size_plans_are_feasible(seed: int, asymmetric: bool) -> None:
    instance = random_instance(seed, asymmetric=asymmetric)
    result = solve_heuristic(instance, time_limit=60, seed=seed, max_iterations=150)
    assert result.status == "feasible" and result.model == "heuristic" and result.backend == "milkrun"
    assert result.bound is None
    report = check_plan(instance, result.plan)
    assert report.feasible, report.violations
    assert result.objective == pytest.approx(report.objective)
    assert_side_constraints_hold(instance, result.plan)


def test_same_seed_same_plan_and_search_improves() -> None:
    instance = random_instance(7)
    first = solve_heuristic(instance, time_limit=60, seed=5, max_iterations=120)
    again = solve_heuristic(instance, time_limit=60, seed=5, max_iterations=120)
    assert first.plan == again.plan and first.objective == again.objective
    p = compile_problem(instance)
    start = savings_solution(p, random.Random(5))
    if start.n_unassigned == 0:
        assert first.objective <= start.cost + 1e-9


def test_same_seed_same_plan_with_costs() -> None:
    """Typed pricing, fleet moves, re-splits and annealing keep the run a function of seed and iterations."""
    instance = random_instance(8, asymmetric=True, spare=2, costs=True)
    first = solve_heuristic(instance, time_limit=60, seed=3, max_iterations=45)
    again = solve_heuristic(instance, time_limit=60, seed=3, max_iterations=45)
    assert first.plan == again.plan and first.objective == again.objective
    assert first.check is not None and first.check.feasible and first.objective == pytest.approx(first.check.cost)
    assert_side_constraints_hold(instance, first.plan)
    p = compile_problem(instance, [(v.type.fixed_cost, v.type.cost_per_km, 0.0) for v in instance.vehicles])
    start = savings_solution(p, random.Random(3))
    if start.n_unassigned == 0:
        assert first.objective <= start.cost + 1e-9


def test_unservable_dc_gives_no_solution() -> None:
    instance = build_instance(
        name="heavy",
        hub=Site("H", 0, 0),
        dcs=[DC("A", 5, 1, 0), DC("B", 5, 0, 1)],
        vehicle_types=[VehicleType("t", 2, 10, None, 1)],
        distance_spec=DistanceSpec("euclidean"),
        consecutive=[["A", "B"]],  # the chain needs two stops, every vehicle allows one
    )
    result = solve_heuristic(instance, time_limit=5, seed=1)
    assert result.status == "no_solution" and result.plan is None and "A-B" in result.message


# ----- move operators -------------------------------------------------------------------------
def _polished_start(instance: Instance, seed: int):  # noqa: ANN202
    p = compile_problem(instance)
    rng = random.Random(seed)
    sol = savings_solution(p, rng)
    if sol.n_unassigned:  # the savings start may leave a unit out; the annealing places it
        sol = anneal(p, sol, rng, deadline=None, max_iterations=50).best
    assert sol.n_unassigned == 0
    return p, sol


@pytest.mark.parametrize("name", sorted(UNIT_OPERATORS))
@pytest.mark.parametrize("asymmetric", [False, True])
def test_every_move_is_feasible_and_its_delta_exact(name: str, asymmetric: bool) -> None:
    instance = random_instance(11, n_dcs=30, asymmetric=asymmetric)
    p, sol = _polished_start(instance, 11)
    operator = UNIT_OPERATORS[name]
    tried = applied = 0
    for u in range(1, p.n_units + 1):
        n_moves = sum(1 for _ in operator(sol, u, float("inf")))
        for k in range(0, n_moves, max(1, n_moves // 6)):
            trial = sol.copy()  # same routes, same order: the k-th move is the same move
            move = list(operator(trial, u, float("inf")))[k]
            before = trial.cost
            tried += 1
            if not try_apply(trial, move):
                assert trial.is_consistent() and trial.cost == pytest.approx(before)  # rejected moves change nothing
                continue
            applied += 1
            assert trial.cost == pytest.approx(before + move.delta, abs=1e-7)
            assert trial.is_consistent()
            report = check_plan(instance, trial.to_plan())
            assert report.feasible, (name, report.violations)
            assert report.objective == pytest.approx(trial.cost)
    assert applied > 0 and tried > applied  # both outcomes occur: the feasibility test is exercised


def test_descent_and_ruin_recreate_keep_every_route_feasible() -> None:
    instance = random_instance(13, asymmetric=True)
    _, sol = _polished_start(instance, 13)
    rng = random.Random(13)
    cost = sol.cost
    descend(sol, rng)
    assert sol.is_consistent() and sol.cost <= cost + 1e-9
    for _ in range(30):
        removed = ruin(sol, rng, RuinParams())
        assert removed and sol.is_consistent() and set(removed) <= sol.unassigned
        recreate(sol, removed, rng, RuinParams())
        assert sol.is_consistent()
        if sol.n_unassigned == 0:
            plan = sol.to_plan()
            assert check_plan(instance, plan).feasible
            assert_side_constraints_hold(instance, plan)


def test_chains_are_units_that_keep_their_direction() -> None:
    instance = random_instance(14)
    p = compile_problem(instance)
    chains = [p.units[u] for u in range(1, p.n_units + 1) if p.size[u] > 1]
    names = sorted(tuple(instance.node_ids[n] for n in c) for c in chains)
    d, e, f = next(c for c in names if len(c) == 3)
    assert ((d, e) in instance.consecutive) and ((e, f) in instance.consecutive)
    assert sum(p.size[1:]) == instance.n_dcs  # every DC in exactly one unit


def test_time_limit_stops_the_search() -> None:
    instance = random_instance(15, n_dcs=60)
    result = solve_heuristic(instance, time_limit=1.0, seed=1)
    assert result.status == "feasible"
    assert result.runtime_s < 1.0 + 5.0  # generous: a loaded machine; the limit is checked every iteration


@needs_cvrplib
@pytest.mark.parametrize("name", ["P-n16-k8", "E-n22-k4"])
def test_cvrplib_tight_fleets_are_solved_near_the_proven_optimum(name: str) -> None:
    """P-n16-k8 fills 8 vehicles to 88%: the search must first place every DC, then shorten."""
    optimum = cvrplib_optimum(name)
    instance = load_instance(CVRPLIB / f"{name}.vrp")
    result = solve_heuristic(instance, time_limit=60, seed=1, max_iterations=150)
    assert result.status == "feasible"
    assert optimum - 1e-6 <= result.objective <= 1.03 * optimum


# ----- vehicle costs: typed pricing and the fleet moves ------------------------------------------
def typed_rates(instance: Instance, load_term: bool = False) -> list[tuple[float, float, float]]:
    """Fixed costs and per-km rates that make the large type dearer per km (a fleet-mix trade-off)."""
    by_type = {"big": (60.0, 1.4, 0.002 if load_term else 0.0), "small": (25.0, 1.0, 0.004 if load_term else 0.0)}
    return [by_type[v.type.name] for v in instance.vehicles]


def plan_value(instance: Instance, plan, rates: list[tuple[float, float, float]]) -> float:  # noqa: ANN001
    """The plan's value recomputed from the checker's route distances and the raw matrix (load term:
    demand x distance driven from the hub), sharing nothing with the search."""
    of = {v.name: r for v, r in zip(instance.vehicles, rates)}
    report = check_plan(instance, plan)
    total = 0.0
    for route, checked in zip(plan.used_routes(), report.routes):
        fixed, per_km, per_unit_km = of[route.vehicle]
        driven = weighted = 0.0
        here = 0
        for stop in route.stops:
            driven += instance.distance[here, instance.index[stop]]
            here = instance.index[stop]
            weighted += instance.demand[here] * driven
        total += fixed + per_km * checked.distance + per_unit_km * weighted
    return total


def _complete(p, sol, seed: int):  # noqa: ANN001, ANN202
    """The savings plan, with any unit it left out placed by a short unpolished search."""
    if sol.n_unassigned:
        sol = anneal(
            p, sol, random.Random(seed), deadline=None, max_iterations=50, params=SearchParams(local_search="none")
        ).best
    assert sol.n_unassigned == 0
    return sol


def _typed_start(instance: Instance, rates: list[tuple[float, float, float]], seed: int):  # noqa: ANN202
    """The savings plan made worse on purpose, so that every kind of improving move exists: long
    routes cut in two (every other one) where a vehicle is free, then every route on the dearest free
    vehicle that fits."""
    p = compile_problem(instance, rates)
    sol = _complete(p, savings_solution(p, random.Random(seed)), seed)
    assert p.typed
    for route in [r for r in sol.routes if len(r.units) >= 4][::2]:
        cut = next(split(sol, route, float("inf")), None)
        fitted = priced_vehicles(sol, cut) if cut is not None else None
        if fitted is not None:
            sol.apply_changes(fitted[0])
    for route in list(sol.routes):
        pool = sol.free | (1 << route.vehicle)
        fitting = [
            v
            for v in range(len(p.vehicle_names))
            if pool >> v & 1 and p.fits(v, route.load, route.size, route.length, route.mask)
        ]
        sol.set_route(route, route.units, max(fitting, key=lambda v: (p.value(v, route.length, route.weighted), -v)))
    assert sol.is_consistent()
    return p, sol


@pytest.mark.parametrize("load_term", [False, True])
def test_typed_moves_keep_plans_feasible_and_only_lower_the_value(load_term: bool) -> None:
    """Every unit and fleet move, priced with fixed costs, per-km rates and a load term: an applied
    move leaves a plan the checker accepts, whose independently recomputed value fell by the priced delta."""
    instance = random_instance(21, n_dcs=30, asymmetric=True, spare=3)
    rates = typed_rates(instance, load_term)
    p, sol = _typed_start(instance, rates, 21)
    assert sol.cost == pytest.approx(plan_value(instance, sol.to_plan(), rates))
    operators = {
        **{k: (op, False) for k, op in UNIT_OPERATORS.items()},
        **{k: (op, True) for k, op in ROUTE_OPERATORS.items()},
    }
    applied = {name: 0 for name in operators}
    rejected = 0
    for name, (operator, per_route) in operators.items():
        starts = [r.units[0] for r in sol.routes] if per_route else range(1, p.n_units + 1)
        for u in starts:
            n_moves = sum(1 for _ in operator(sol, sol.route_of[u] if per_route else u, float("inf")))
            for k in range(0, n_moves, max(1, n_moves // 8)):
                trial = sol.copy()
                move = list(operator(trial, trial.route_of[u] if per_route else u, float("inf")))[k]
                before = trial.cost
                priced = priced_vehicles(trial, move)
                if not try_apply(trial, move):
                    rejected += 1
                    assert trial.is_consistent() and trial.cost == before
                    continue
                applied[name] += 1
                assert priced is not None and priced[1] < 0
                assert trial.is_consistent()
                plan = trial.to_plan()
                assert check_plan(instance, plan).feasible, name
                assert_side_constraints_hold(instance, plan)
                assert plan_value(instance, plan, rates) == pytest.approx(before + priced[1])
    assert rejected and sum(applied.values()) >= 10 and applied["retype"] and applied["merge"], applied


@pytest.mark.parametrize("spare", [0, 3])
def test_resplit_gives_a_cheaper_feasible_plan_within_the_fleet(spare: int) -> None:
    """The giant-tour split of a plan made worse on purpose: cheaper, every route on a vehicle of its
    own (a tight fleet's counts hold), every rule kept."""
    instance = random_instance(23, n_dcs=30, asymmetric=True, spare=spare)
    rates = typed_rates(instance)
    _, sol = _typed_start(instance, rates, 23)
    found = [again for seed in range(8) if (again := resplit(sol, random.Random(seed))) is not None]
    assert found, "no re-split improved a plan made worse on purpose"
    for again in found:
        assert again.is_consistent() and again.cost < sol.cost
        plan = again.to_plan()
        assert check_plan(instance, plan).feasible
        assert plan_value(instance, plan, rates) == pytest.approx(again.cost)
        assert_side_constraints_hold(instance, plan)


def test_fleet_moves_change_the_mix() -> None:
    """retype moves a route to the cheapest vehicle that fits; split and merge change the number of routes."""
    instance = random_instance(22, n_dcs=30, spare=4)
    p = compile_problem(instance, typed_rates(instance))
    sol = _complete(p, savings_solution(p, random.Random(22)), 22)
    assert sol.free
    n_routes = len(sol.routes)
    trial = sol.copy()
    route = max(trial.routes, key=lambda r: len(r.units))
    cut = list(split(trial, route, float("inf")))
    assert len(cut) == 1 and cut[0].changes[1][0] is None
    trial.apply_changes(priced_vehicles(trial, cut[0])[0])
    assert len(trial.routes) == n_routes + 1 and trial.is_consistent()
    assert check_plan(instance, trial.to_plan()).feasible
    joined = next(
        m for r in trial.routes for m in merge(trial, r, float("inf")) if priced_vehicles(trial, m) is not None
    )
    trial.apply_changes(priced_vehicles(trial, joined)[0])
    assert len(trial.routes) == n_routes and trial.is_consistent()
    assert check_plan(instance, trial.to_plan()).feasible
    # after a descent no route sits on a vehicle dearer than a free one that fits it
    descend(sol, random.Random(1))
    for r in sol.routes:
        v, value = p.cheapest_free_fit(sol.free | (1 << r.vehicle), r.load, r.size, r.length, r.weighted, r.mask)
        assert value >= r.value - 1e-9
