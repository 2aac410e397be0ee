"""The first plan: Clarke-Wright savings adapted to a heterogeneous fleet and the side constraints.

Each unit (a DC or a consecutive chain) starts on its own route; routes are merged end-to-start in
decreasing order of saving s_ab = d(a, hub) + d(hub, b) - d(a, b) (directed: a is the last unit of one
route, b the first of the other, so asymmetric distances are respected). A merge is kept only when
some vehicle class may drive the merged route (capacity, distance, stop limit, forbidden DCs; damaged
roads make a route infeasible through its length) and the fleet can still cover every route's
smallest fitting class. Routes then get vehicles, largest demand first, each the smallest class that
fits (with typed costs: the free vehicle the route is worth least on). Units left without a vehicle
are placed by cheapest insertion, largest demand first; any that still fit nowhere remain unassigned
for the metaheuristic to place.
"""

from __future__ import annotations

import random

import numpy as np

from milp_milkrun.heuristics.insertion import insert_all
from milp_milkrun.heuristics.problem import BLOCKED, Problem
from milp_milkrun.heuristics.solution import Solution, route_totals


def savings_solution(p: Problem, rng: random.Random) -> Solution:
    """The first plan: savings merges, vehicles by smallest fitting class, then cheapest insertion.

    Parameters
    ----------
    p : Problem
        The compiled instance.
    rng : random.Random
        Breaks ties in the insertion of leftover units.

    Returns
    -------
    Solution
        Routes with vehicles; units that fit nowhere stay unassigned.
    """
    routes = _merge_by_savings(p)
    sol = Solution(p)
    leftover: list[int] = []
    for units in sorted(routes, key=lambda us: (-_smallest_class(p, us), -route_totals(p, us)[0], us[0])):
        load, size, length, mask = route_totals(p, units)
        if p.typed:
            v, _ = p.cheapest_free_fit(sol.free, load, size, length, p.route_weighted(units), mask)
        else:
            v = p.smallest_free_fit(sol.free, load, size, length, mask)
        if v >= 0:
            sol.set_route(None, units, v)
        else:
            leftover += units
    insert_all(sol, sorted(leftover, key=lambda u: (-p.demand[u], u)), rng)
    return sol


def _smallest_class(p: Problem, units: list[int]) -> int:
    """Index (in p.classes) of the smallest vehicle class able to drive this route, or -1."""
    load, size, length, mask = route_totals(p, units)
    for k, cls in enumerate(p.classes):
        v = (cls.members & -cls.members).bit_length() - 1
        if p.fits(v, load, size, length, mask):
            return k
    return -1


def _merge_by_savings(p: Problem) -> list[list[int]]:
    n = p.n_units
    cost = np.array(p.cost)
    saving = cost[1:, [0]] + cost[[0], 1:] - cost[1:, 1:]
    saving[cost[1:, 1:] >= BLOCKED] = -np.inf
    np.fill_diagonal(saving, -np.inf)
    order = np.argsort(-saving, axis=None, kind="stable")
    route_of: dict[int, list[int]] = {u: [u] for u in range(1, n + 1)}
    smallest = {u: _smallest_class(p, [u]) for u in range(1, n + 1)}
    need = _class_need([k for k in smallest.values() if k >= 0], len(p.classes))
    supply = [bin(cls.members).count("1") for cls in p.classes]
    for flat in order:
        a, b = divmod(int(flat), n)
        if saving[a, b] <= 0:
            break
        a, b = a + 1, b + 1
        ra, rb = route_of[a], route_of[b]
        if ra is rb or ra[-1] != a or rb[0] != b:
            continue
        merged = ra + rb
        k = _smallest_class(p, merged)
        if k < 0:
            continue
        trial = list(need)
        for old in (smallest[ra[0]], smallest[rb[0]]):
            if old >= 0:
                trial[old] -= 1
        trial[k] += 1
        if not _fleet_can_cover(trial, supply):
            continue
        need = trial
        for u in merged:
            route_of[u] = merged
        smallest[merged[0]] = k
    unique = {id(r): r for r in route_of.values()}
    return list(unique.values())


def _class_need(smallest: list[int], n_classes: int) -> list[int]:
    need = [0] * n_classes
    for k in smallest:
        need[k] += 1
    return need


def _fleet_can_cover(need: list[int], supply: list[int]) -> bool:
    """Routes needing class k or larger never outnumber the vehicles of class k or larger."""
    demand_above, supply_above = 0, 0
    for k in range(len(need) - 1, -1, -1):
        demand_above += need[k]
        supply_above += supply[k]
        if demand_above > supply_above:
            return False
    return True
