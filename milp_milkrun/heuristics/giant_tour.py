"""Re-split a plan's routes, joined into one giant tour, on the best mix of vehicles (Prins's split).

With fixed costs per vehicle the fleet mix is a packing problem: going from three medium trucks to
four small ones (cheaper in total) means passing through plans that cost more, which a descent
never accepts and a ruin of ten units rarely finds. The split does it in one step: the routes are
chained into a giant tour (each route keeps its direction; the next route is the one whose first
unit is nearest to the previous route's last unit, from a random first route), and a shortest path
over the tour's cut points (Prins 2004; for a heterogeneous fleet Prins 2009) gives the optimal
routes along that order, each segment on the vehicle class it is worth least on. A segment must fit
a class (capacity, stops, route distance, forbidden DCs, and with time the windows, the hub's hours
and the shift: each segment's time pieces are extended unit by unit, so a cut is tested in constant
time per class). With a limited fleet the split counts the
vehicles each prefix uses per class (a beam of the cheapest count vectors per prefix), so every
route it returns has a vehicle; a split no cheaper than the plan is dropped.
"""

from __future__ import annotations

import random

from milp_milkrun.heuristics.problem import Problem
from milp_milkrun.heuristics.solution import Solution
from milp_milkrun.heuristics.time_feasibility import closed_mask, extend, start
from milp_milkrun.limits import FLOAT_NOISE, allowance

MAX_SEGMENT = 60  # units per route the split considers (routes are far shorter in practice)
BEAM = 12  # labels (vehicle counts used) each prefix keeps when the fleet is limited


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
    if split is None or split[1] >= sol.cost - FLOAT_NOISE * max(1.0, abs(sol.cost)):
        return None
    out = Solution(p)
    for begin, stop, k in split[0]:
        members = p.classes[k].members & out.free
        out.set_route(None, tour[begin:stop], (members & -members).bit_length() - 1)
    return out


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


def _split(p: Problem, tour: list[int]) -> tuple[list[tuple[int, int, int]], float] | None:
    """The cheapest split of ``tour`` into routes: (start, end, class) per route, and its value.

    Bellman over the tour's prefixes. A class with fewer vehicles than there are units is counted:
    each prefix keeps labels (value, vehicles used per counted class), the cheapest per count vector
    and at most ``BEAM`` of them, so the split honours a limited fleet; with an unlimited fleet there
    is one label per prefix and the split is exact.
    """
    n = len(tour)
    classes = p.classes
    counted = [k for k, cls in enumerate(classes) if bin(cls.members).count("1") < p.n_units]
    slot = {k: i for i, k in enumerate(counted)}
    supply = [bin(classes[k].members).count("1") for k in counted]
    # labels[i]: {used vector: (value, previous position, previous used vector, class of the last route)}
    labels: list[dict[tuple[int, ...], tuple[float, int, tuple[int, ...], int]]] = [{} for _ in range(n + 1)]
    labels[0][tuple(0 for _ in counted)] = (0.0, -1, (), -1)
    cost, inner, demand, size, unit_mask = p.cost, p.inner, p.demand, p.size, p.mask
    weight, unit_weighted = p.weight, p.unit_weighted
    max_capacity = allowance(max(cls.capacity for cls in classes))
    hourly = any(p.per_hour)  # routes cost per hour of duration: the segment's units are priced
    max_stops = max(cls.max_stops for cls in classes)
    for i in range(n):
        if not labels[i]:
            continue
        if len(labels[i]) > BEAM:
            labels[i] = dict(sorted(labels[i].items(), key=lambda item: item[1][0])[:BEAM])
        load, stops, mask, driven, weighted, prev = 0.0, 0, p.all_vehicles, 0.0, 0.0, 0
        segments = start(p.time) if p.time is not None else []
        for j in range(i, min(n, i + MAX_SEGMENT)):
            u = tour[j]
            load += demand[u]
            stops += size[u]
            mask &= unit_mask[u]
            if load > max_capacity or stops > max_stops or not mask:
                break
            if p.time is not None:  # the path hub .. u in time, per time class
                segments = extend(p.time, segments, prev, u)
                if not any(segments):
                    break
            driven += cost[prev][u]
            weighted += weight[u] * driven + unit_weighted[u]
            driven += inner[u]
            prev = u
            length = driven + cost[u][0]
            timely = mask & closed_mask(p.time, segments, u) if p.time is not None else mask
            for k, value in _class_values(p, load, stops, length, weighted, timely, tour[i : j + 1] if hourly else []):
                for used, (before, _, _, _) in labels[i].items():
                    if k in slot:
                        if used[slot[k]] >= supply[slot[k]]:
                            continue
                        after = used[: slot[k]] + (used[slot[k]] + 1,) + used[slot[k] + 1 :]
                    else:
                        after = used
                    total = before + value
                    known = labels[j + 1].get(after)
                    if known is None or total < known[0]:
                        labels[j + 1][after] = (total, i, used, k)
    if not labels[n]:
        return None
    used = min(labels[n], key=lambda key: labels[n][key][0])
    best = labels[n][used][0]
    routes = []
    j = n
    while j > 0:
        _, i, previous, k = labels[j][used]
        routes.append((i, j, k))
        j, used = i, previous
    return routes[::-1], best


def _class_values(
    p: Problem, load: float, stops: int, length: float, weighted: float, mask: int, units: list[int]
) -> list[tuple[int, float]]:
    """(class index, value) of every class that may drive this segment (the route of ``units``)."""
    out = []
    for k, cls in enumerate(p.classes):
        members = cls.members & mask
        if members:
            v = (members & -members).bit_length() - 1
            if p.fits(v, load, stops, length, mask):
                out.append((k, p.value(v, length, weighted) + p.hourly(v, units)))
    return out
