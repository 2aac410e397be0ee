"""The route engine on mixed fleets: weighted capacity cuts, fleet knapsack cuts, dynamic ng-routes.

Validity is checked against the brute-force oracle (tests/bruteforce.py) on tiny instances with three
vehicle types, fixed costs, per-km rates and an unlimited type: every cut the separation can produce
holds for the optimal plan, the root bound never exceeds the optimum, and the tree proves it.  A
deliberately wrong form of the cut (coefficients rounded down instead of up, or the fleet limits of
the complemented classes ignored) is caught by the same oracle.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
import time

import numpy as np
import pytest
from bruteforce import brute_force, random_tiny_instance

from milp_milkrun.implied import vehicle_classes
from milp_milkrun.instance import DC, DistanceSpec, Instance, Site, VehicleType, build_instance
from milp_milkrun.routes.column_generation import route_lower_bound
from milp_milkrun.routes.master import RouteMaster, most_routes, round_trips
from milp_milkrun.routes.networks import class_networks, grow_ng_masks, is_ng_route, ng_masks, with_ng_masks
from milp_milkrun.routes.pricing import price
from milp_milkrun.routes.separation import CapacityCut, fleet_knapsack_cut, weighted_capacity_cut
from milp_milkrun.routes.tree import BranchAndPrice


def three_type_instance(seed: int, *, limited: bool) -> Instance:
    """4-6 DCs, three types (small cheap, medium, large dear per km and per vehicle), fixed costs;
    the small type unlimited unless ``limited`` (then every count is small, so the fleet binds)."""
    rng = random.Random(seed)
    n = rng.randint(4, 6)
    dcs = [DC(f"D{k}", rng.randint(2, 9), rng.randint(0, 60), rng.randint(0, 60)) for k in range(1, n + 1)]
    total = sum(dc.demand for dc in dcs)
    small = rng.randint(9, 12)
    types = [
        VehicleType("S", 2 if limited else None, small, None, None, fixed_cost=rng.randint(20, 60), cost_per_km=1.0),
        VehicleType(
            "M",
            1,
            rng.randint(small + 3, max(small + 4, total // 2)),
            None,
            None,
            fixed_cost=rng.randint(60, 120),
            cost_per_km=1.25,
        ),
        VehicleType("L", 1, max(total, 20), None, None, fixed_cost=rng.randint(150, 300), cost_per_km=2.0),
    ]
    return build_instance(
        name=f"mixed-{seed}",
        hub=Site("H", 30, 30),
        dcs=dcs,
        vehicle_types=types,
        distance_spec=DistanceSpec("euclidean", rounding="nearest"),
        coordinates="xy",
        distance_unit="units",
        objective="cost",
    )


CASES = (
    [("three", s, False) for s in range(4)]
    + [("three", s, True) for s in range(4, 8)]
    + [("tiny", s, True) for s in range(6)]
)


def _instance(kind: str, seed: int, limited: bool) -> Instance:
    if kind == "three":
        return three_type_instance(seed, limited=limited)
    return random_tiny_instance(seed, costs=True, unlimited=True)


def _entries(instance: Instance, plan, members: frozenset[int]) -> list[int]:
    """Per class, how many times the plan's routes enter the DC set."""
    classes = vehicle_classes(instance)
    class_of = {v: k for k, vc in enumerate(classes) for v in vc.vehicles}
    counts = [0] * len(classes)
    for route in plan.used_routes():
        inside = [False, *(instance.index[s] in members for s in route.stops), False]
        counts[class_of[route.vehicle]] += sum(1 for a, b in itertools.pairwise(inside) if b and not a)
    return counts


def _holds(cut: CapacityCut, entries: list[int]) -> bool:
    return sum(cut.weight(k) * e for k, e in enumerate(entries)) >= cut.requirement


def _every_cut(instance: Instance):
    """Every weighted capacity cut (each DC set, each divisor the separation tries) and every fleet
    knapsack cut (each complemented subset and divisor), with the correct forms."""
    classes = vehicle_classes(instance)
    capacities = [vc.capacity for vc in classes]
    n = instance.n_dcs
    for size in range(1, n + 1):
        for members in itertools.combinations(range(1, n + 1), size):
            load = float(instance.demand[list(members)].sum())
            divisors = {*capacities, *(load / t for t in range(1, math.ceil(load / min(capacities)) + 1))}
            for d in divisors:
                yield weighted_capacity_cut(frozenset(members), load, capacities, d)
    every = frozenset(range(1, n + 1))
    for size in range(len(classes)):
        for complemented in itertools.combinations(range(len(classes)), size):
            for d in capacities:
                cut = fleet_knapsack_cut(
                    every,
                    float(instance.demand.sum()),
                    capacities,
                    [vc.count for vc in classes],
                    d,
                    frozenset(complemented),
                )
                if cut is not None:
                    yield cut


@pytest.mark.parametrize(("kind", "seed", "limited"), CASES)
def test_every_mixed_fleet_cut_holds_for_the_brute_force_optimum(kind: str, seed: int, limited: bool) -> None:
    instance = _instance(kind, seed, limited)
    expected = brute_force(instance)
    if expected is None:
        pytest.skip("no plan")
    plan = expected[1]
    checked = 0
    for cut in _every_cut(instance):
        assert _holds(cut, _entries(instance, plan, cut.members)), (cut, plan)
        checked += 1
    assert checked > 0


@pytest.mark.parametrize(("kind", "seed", "limited"), CASES)
def test_root_bound_and_tree_match_the_brute_force_optimum(kind: str, seed: int, limited: bool) -> None:
    instance = _instance(kind, seed, limited)
    expected = brute_force(instance)
    cg = route_lower_bound(instance, 20)
    assert cg.converged
    if expected is None:
        return
    assert cg.bound <= expected[0] + 1e-6
    bp = BranchAndPrice(instance, time.perf_counter() + 30)
    bp.run(time.perf_counter(), 30)
    assert bp.incumbent_cost == pytest.approx(expected[0], abs=1e-6)
    assert bp.bound <= expected[0] + 1e-6


def _wrong_weighted(members: frozenset[int], load: float, capacities: list[float], divisor: float) -> CapacityCut:
    """The weighted cut with its coefficients rounded down (a large vehicle counted as fewer small ones)."""
    return CapacityCut(members, math.ceil(load / divisor), tuple(max(1, math.floor(q / divisor)) for q in capacities))


def test_a_wrongly_rounded_weighted_cut_is_caught_by_the_oracle() -> None:
    caught = 0
    for seed in range(8):
        instance = three_type_instance(seed, limited=seed % 2 == 1)
        expected = brute_force(instance)
        if expected is None:
            continue
        capacities = [vc.capacity for vc in vehicle_classes(instance)]
        every = frozenset(range(1, instance.n_dcs + 1))
        for d in capacities:
            cut = _wrong_weighted(every, float(instance.demand.sum()), capacities, d)
            caught += not _holds(cut, _entries(instance, expected[1], every))
    assert caught >= 1


def test_a_fleet_cut_that_ignores_the_fleet_limits_is_caught_by_the_oracle() -> None:
    """Complementing a class with a count larger than it has (pretending the fleet is bigger) asks for
    fewer of the others than needed, which is harmless; pretending it is smaller (count 0) asks for
    more of the others than a plan uses: the oracle's optimum breaks that cut."""
    caught = 0
    for seed in range(4, 12):
        instance = three_type_instance(seed, limited=True)
        expected = brute_force(instance)
        if expected is None:
            continue
        classes = vehicle_classes(instance)
        capacities = [vc.capacity for vc in classes]
        every = frozenset(range(1, instance.n_dcs + 1))
        entries = _entries(instance, expected[1], every)
        for k in range(len(classes)):
            if entries[k] == 0:
                continue
            counts = [vc.count for vc in classes]
            counts[k] = 0  # wrong: class k may not be used at all
            for d in capacities:
                cut = fleet_knapsack_cut(every, float(instance.demand.sum()), capacities, counts, d, frozenset({k}))
                caught += cut is not None and not _holds(cut, entries)
    assert caught >= 1


def test_grown_ng_neighbourhoods_forbid_the_cycles_and_keep_every_elementary_route() -> None:
    rng = random.Random(7)
    points = [(rng.randint(0, 50), rng.randint(0, 50)) for _ in range(13)]
    distance = np.array([[math.dist(a, b) for b in points] for a in points])
    masks = ng_masks(distance, 3)
    cycling = (1, 5, 9, 2, 5, 3, 1, 4)
    assert not is_ng_route(cycling, tuple((1 << 13) - 1 for _ in masks))  # complete memories: elementary only
    grown = grow_ng_masks(masks, [cycling], max_size=12)
    assert not is_ng_route(cycling, grown)
    for _ in range(200):
        route = tuple(rng.sample(range(1, 13), rng.randint(1, 8)))
        assert is_ng_route(route, grown)  # an elementary route is an ng-route for any neighbourhoods
    capped = grow_ng_masks(masks, [cycling], max_size=3)
    assert capped == masks  # full neighbourhoods stay as they are (the relaxation stays valid, only weaker)


def test_separation_adds_weighted_cuts_on_a_binding_mixed_fleet() -> None:
    """Seed 7 (three types, small fleets): the root adds cuts whose weights count a large vehicle as
    several small ones, and its bound stays at or below the brute-force optimum."""
    instance = three_type_instance(7, limited=True)
    expected = brute_force(instance)
    cg = route_lower_bound(instance, 20)
    assert cg.converged and any(cut.weights is not None and max(cut.weights) > 1 for cut in cg.master.cuts)
    assert expected is not None and cg.bound <= expected[0] + 1e-6


def _solved_cases() -> list[tuple[Instance, int, float]]:
    """(instance, seed, brute-force optimum) of every case of CASES that has a plan."""
    solved = []
    for kind, seed, limited in CASES:
        instance = _instance(kind, seed, limited)
        expected = brute_force(instance)
        if expected is not None:
            solved.append((instance, seed, expected[0]))
    return solved


def _lagrangian(instance: Instance, seed: int, capped_at: float | None = None) -> tuple[float, float, float]:
    """(the master's Lagrangian bound, the plain sum_k m_k (...) form, sum_i pi_i) for random duals
    pi >= 0 and mu <= 0, from exact pricing of every class; ``capped_at``: the routes capped by that plan value."""
    rng = random.Random(seed)
    master = RouteMaster(instance)
    if capped_at is not None:
        master.cap_routes(capped_at)
    scale = float(instance.distance.max())
    pi = np.array([0.0] + [rng.uniform(0, 2.5 * scale) for _ in range(instance.n_dcs)])
    mu = np.array([-rng.uniform(0, scale) if rng.random() < 0.5 else 0.0 for _ in master.classes])
    networks = class_networks(instance, list(master.classes), master.rates)
    least = []
    for k, (rates, net) in enumerate(zip(master.rates, networks)):
        found = price(
            net, rates.per_km * instance.distance - pi[None, :], rates.fixed - mu[k], exact=True, max_routes=5
        )
        least.append(found.minimum)
    plain = float(pi[1:].sum() + sum(vc.count * (mu[k] + least[k]) for k, vc in enumerate(master.classes)))
    return master.lagrangian_bound(pi, mu, least), plain, float(pi[1:].sum())


@pytest.mark.parametrize(("kind", "seed", "limited"), CASES)
def test_lagrangian_bound_with_the_route_count_cap_stays_below_the_optimum(kind: str, seed: int, limited: bool) -> None:
    instance = _instance(kind, seed, limited)
    expected = brute_force(instance)
    if expected is None:
        pytest.skip("no plan")
    for draw in range(3):
        bound, plain, _ = _lagrangian(instance, 100 * seed + draw)
        assert plain - 1e-9 <= bound <= expected[0] + 1e-6


@pytest.mark.parametrize(("kind", "seed", "limited"), CASES)
def test_the_route_cap_from_the_optimums_value_admits_its_plan_and_keeps_the_bound_below_it(
    kind: str, seed: int, limited: bool
) -> None:
    """Capped by the optimum's value (as by an optimal incumbent), the cap leaves room for the optimal plan's routes
    and the Lagrangian bound stays at or below the optimum, and at or above the uncapped bound."""
    instance = _instance(kind, seed, limited)
    expected = brute_force(instance)
    if expected is None:
        pytest.skip("no plan")
    master = RouteMaster(instance)
    master.cap_routes(expected[0])
    assert len(expected[1].used_routes()) <= master.route_cap <= instance.n_dcs
    for draw in range(3):
        capped, _, _ = _lagrangian(instance, 100 * seed + draw, capped_at=expected[0])
        uncapped, _, _ = _lagrangian(instance, 100 * seed + draw)
        assert uncapped - 1e-9 <= capped <= expected[0] + 1e-6


def test_the_route_cap_binds_where_fixed_costs_are_large() -> None:
    """On some of the cases the optimum's value admits fewer routes than DCs, and the capped bound is higher."""
    raised = sum(
        _lagrangian(instance, seed, capped_at=optimum)[0] > _lagrangian(instance, seed)[0] + 1e-6
        for instance, seed, optimum in _solved_cases()
    )
    assert raised >= 1


def test_most_routes_counts_the_least_fixed_costs_and_round_trips() -> None:
    """Two vehicles of fixed cost 10 and one of 4, round trips 1, 2, 3: one route costs at least 5, two 17, three
    30; a class's vehicles beyond the DCs are never counted."""
    fixed = [(10.0, 2), (4.0, 1)]
    trips = np.array([3.0, 1.0, 2.0])
    assert [most_routes(v, fixed, trips) for v in (4.9, 5.0, 16.9, 17.0, 29.9, 30.0, 1e6)] == [0, 1, 1, 2, 2, 3, 3]
    assert most_routes(1e6, [(0.0, 100)], trips) == 3
    assert most_routes(5.0, fixed, np.array([np.inf, 1.0, np.inf])) == 1


def test_round_trips_go_round_a_damaged_direct_road() -> None:
    """Hub -> DC2 is damaged (inf) and DC1 -> hub longer than the way through DC2: the shortest ways count."""
    inf = np.inf
    distance = np.array([[0.0, 3.0, inf], [9.0, 0.0, 4.0], [5.0, 6.0, 0.0]])
    assert round_trips(distance).tolist() == [3.0 + 4.0 + 5.0, 7.0 + 5.0]


def test_new_ng_neighbourhoods_share_one_set_of_memory_tables() -> None:
    """Every class's network gets the new neighbourhoods and the same memory tables, equal to a fresh build."""
    instance = three_type_instance(2, limited=False)
    master = RouteMaster(instance)
    networks = class_networks(instance, list(master.classes), master.rates)
    grown = (0, 0b00110, 0b01100, 0b01010, 0b10010)  # each DC and one other (bit j: DC j)
    assert instance.n_dcs == 4 and grown != networks[0].ng_masks
    new = with_ng_masks(networks, grown)
    fresh = dataclasses.replace(class_networks(instance, list(master.classes), master.rates)[1], ng_masks=grown)
    assert [net.ng_masks for net in new] == [grown] * len(networks)
    assert all(net.memory_moves is new[0].memory_moves for net in new)
    assert new[0].memory_moves.table.tolist() == fresh.memory_moves.table.tolist()


def test_a_route_count_cap_below_what_plans_use_is_caught_by_the_oracle() -> None:
    """Capping the routes at 0 (dropping the fleet term) overstates the bound for large duals."""
    caught = sum(_lagrangian(instance, seed)[2] > optimum + 1e-6 for instance, seed, optimum in _solved_cases())
    assert caught >= 1


@pytest.mark.parametrize("seed", range(5))
def test_a_capacity_cuts_coefficient_counts_the_routes_arcs_into_its_set(seed: int) -> None:
    """The master's coefficient of a route (the pricing's arc mask summed over the route's arcs, hub to hub), also
    for routes that enter the set several times, start or end in it, or never touch it."""
    rng = random.Random(seed)
    for _ in range(200):
        members = frozenset(rng.sample(range(1, 10), rng.randint(1, 5)))
        cut = CapacityCut(members, 1, (3, 1)) if rng.random() < 0.5 else CapacityCut(members, 1)
        stops = tuple(rng.sample(range(1, 10), rng.randint(1, 9)))
        k = rng.randint(0, 1)
        mask = cut.arc_mask(10, k)
        arcs = itertools.pairwise((0, *stops, 0))
        assert cut.coefficient(k, stops) == sum(int(mask[i, j]) for i, j in arcs)
