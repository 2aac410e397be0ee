"""Re-split a plan's routes, joined into one giant tour, on the best mix of vehicles (Prins's split).

With fixed costs per vehicle the fleet mix is a packing problem: going from three medium trucks to
four small ones (cheaper in total) means passing through plans that cost more, which a descent
never accepts and a ruin of ten units rarely finds. The split does it in one step: the routes are
chained into a giant tour (each route keeps its direction; the next route is the one whose first
unit is nearest to the previous route's last unit, from a random first route), and a shortest path
over the tour's cut points (Prins 2004; for a heterogeneous fleet Prins 2009) gives the optimal
routes along that order, each segment on the vehicle class it is worth least on. A segment must fit
a class (capacity, stops, route distance, forbidden DCs); the fleet's counts are honoured when the
routes get their vehicles (heaviest first, each the cheapest free vehicle that fits), and a split
that the fleet cannot drive, or that its counts make no cheaper than the plan, is dropped.
"""

from __future__ import annotations

import math
import random

from milp_milkrun.heuristics.problem import Problem
from milp_milkrun.heuristics.solution import Solution
from milp_milkrun.limits import allowance

MAX_SEGMENT = 60  # units per route the split considers (routes are far shorter in practice)


def resplit(sol: Solution, rng: random.Random) -> Solution | None:
    """A better solution: ``sol``'s routes chained into a giant tour and split optimally.

    Parameters
    ----------
    sol : Solution
        A complete solution (not changed).
    rng : random.Random
        Picks the route the giant tour starts with.

    Returns
    -------
    Solution or None
        The re-split solution; None when it is no cheaper than ``sol`` (cutting the tour at the
        routes' own ends gives ``sol`` back, so the split is never dearer before the fleet's counts
        apply), when the fleet cannot drive it, or when ``sol`` is incomplete.
    """
    if sol.n_unassigned or not sol.routes:
        return None
    p = sol.p
    tour = _giant_tour(sol, rng)
    split = _split(p, tour)
    if split is None or split[1] >= sol.cost - 1e-9 * max(1.0, abs(sol.cost)):
        return None
    segments = [tour[start:end] for start, end in split[0]]
    totals = [_segment_totals(p, units) for units in segments]
    out = Solution(p)
    for k in sorted(range(len(segments)), key=lambda k: -totals[k][0]):  # heaviest first: a short fleet goes to them
        load, size, length, mask, weighted = totals[k]
        v, _ = p.cheapest_free_fit(out.free, load, size, length, weighted, mask)
        if v < 0:
            return None
        out.set_route(None, segments[k], v)
    return out if out.cost < sol.cost - 1e-9 * max(1.0, abs(sol.cost)) else None


def _giant_tour(sol: Solution, rng: random.Random) -> list[int]:
    cost = sol.p.cost
    left = list(sol.routes)
    route = left.pop(rng.randrange(len(left)))
    tour = list(route.units)
    while left:
        last = tour[-1]
        k = min(range(len(left)), key=lambda i: cost[last][left[i].units[0]])
        tour += left.pop(k).units
    return tour


def _split(p: Problem, tour: list[int]) -> tuple[list[tuple[int, int]], float] | None:
    """Cut points and value of the cheapest split of ``tour`` into routes (Bellman over its prefixes)."""
    n = len(tour)
    best = [0.0] + [math.inf] * n
    previous = [-1] * (n + 1)
    cost, inner, demand, size, unit_mask = p.cost, p.inner, p.demand, p.size, p.mask
    weight, unit_weighted = p.weight, p.unit_weighted
    max_capacity = allowance(max(cls.capacity for cls in p.classes))
    max_stops = max(cls.max_stops for cls in p.classes)
    for i in range(n):
        if best[i] == math.inf:
            continue
        load, stops, mask, driven, weighted, prev = 0.0, 0, p.all_vehicles, 0.0, 0.0, 0
        for j in range(i, min(n, i + MAX_SEGMENT)):
            u = tour[j]
            load += demand[u]
            stops += size[u]
            mask &= unit_mask[u]
            if load > max_capacity or stops > max_stops or not mask:
                break
            driven += cost[prev][u]
            weighted += weight[u] * driven + unit_weighted[u]
            driven += inner[u]
            prev = u
            length = driven + cost[u][0]
            value = _cheapest_class_value(p, load, stops, length, weighted, mask)
            if best[i] + value < best[j + 1]:
                best[j + 1] = best[i] + value
                previous[j + 1] = i
    if best[n] == math.inf:
        return None
    cuts = []
    j = n
    while j > 0:
        cuts.append((previous[j], j))
        j = previous[j]
    return cuts[::-1], best[n]


def _cheapest_class_value(p: Problem, load: float, stops: int, length: float, weighted: float, mask: int) -> float:
    best = math.inf
    for cls in p.classes:
        members = cls.members & mask
        if members:
            v = (members & -members).bit_length() - 1
            if p.fits(v, load, stops, length, mask):
                best = min(best, p.value(v, length, weighted))
    return best


def _segment_totals(p: Problem, units: list[int]) -> tuple[float, int, float, int, float]:
    load = sum(p.demand[u] for u in units)
    size = sum(p.size[u] for u in units)
    mask = p.all_vehicles
    for u in units:
        mask &= p.mask[u]
    return load, size, p.route_length(units), mask, p.route_weighted(units)
