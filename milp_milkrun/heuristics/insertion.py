"""Cheapest feasible insertion of one unit, the building block of construction and recreate.

An insertion may also *upgrade* the route to a free vehicle of a larger class when the route's own
vehicle can no longer carry it: with a heterogeneous fleet, a route should not be stuck with a small
truck just because it was opened small.
"""

from __future__ import annotations

import random

from milp_milkrun.heuristics.solution import Route, Solution
from milp_milkrun.limits import allowance

Insertion = tuple[float, Route | None, int, int]  # (distance delta, route or None = new, position, vehicle)
GRANULAR_ROUTES = 30  # look first at the routes of this many nearest units


def best_insertion(sol: Solution, u: int, rng: random.Random, blink: float = 0.0) -> Insertion | None:
    """The cheapest feasible way to place unit u, or None; positions are skipped with prob. ``blink``.

    Parameters
    ----------
    sol : Solution
        The solution (not changed).
    u : int
        An unassigned unit.
    rng : random.Random
        Draws the blinks.
    blink : float
        The probability of skipping a position (SISR's blinks).

    Returns
    -------
    Insertion or None
        Where and with which vehicle ``u`` goes at least cost, or None when it fits nowhere.
    """
    p = sol.p
    candidates = _nearby_routes(sol, u)
    best = _best_in_routes(sol, u, candidates, rng, blink)
    if best is None and len(candidates) < len(sol.routes):
        best = _best_in_routes(sol, u, sol.routes, rng, blink)  # granularity must never lose a placement
    alone = p.cost[0][u] + p.inner[u] + p.cost[u][0]
    v = p.smallest_free_fit(sol.free, p.demand[u], p.size[u], alone, p.mask[u])
    if v >= 0 and (best is None or alone < best[0]):
        best = (alone, None, 0, v)
    return best


def _nearby_routes(sol: Solution, u: int) -> list[Route]:
    seen: dict[int, Route] = {}
    route_of = sol.route_of
    for w in sol.p.neighbours[u][:GRANULAR_ROUTES]:
        r = route_of[w]
        if r is not None and id(r) not in seen:
            seen[id(r)] = r
    return list(seen.values())


def _best_in_routes(sol: Solution, u: int, routes: list[Route], rng: random.Random, blink: float) -> Insertion | None:
    p = sol.p
    cost = p.cost
    cost_u = cost[u]
    inner = p.inner[u]
    best: Insertion | None = None
    best_delta = float("inf")
    for r in routes:
        load = r.load + p.demand[u]
        size = r.size + p.size[u]
        mask = r.mask & p.mask[u]
        v = r.vehicle
        own = (mask >> v) & 1 and load <= allowance(p.capacity[v]) and size <= p.max_stops[v]
        own_limit = p.max_distance[v] if own else -1.0
        upgrade = -1 if own else p.smallest_free_fit(sol.free, load, size, 0.0, mask)
        up_limit = p.max_distance[upgrade] if upgrade >= 0 else -1.0
        if not own and upgrade < 0:
            continue
        limit = allowance(max(own_limit, up_limit))
        prev = 0
        units = r.units
        for k in range(len(units) + 1):
            nxt = units[k] if k < len(units) else 0
            if blink and rng.random() < blink:
                prev = nxt
                continue
            delta = cost[prev][u] + inner + cost_u[nxt] - cost[prev][nxt]
            if delta < best_delta:
                length = r.length + delta
                if length <= limit:
                    vehicle = v if own and length <= allowance(own_limit) else upgrade
                    if vehicle >= 0 and p.fits(vehicle, load, size, length, mask):
                        best_delta = delta
                        best = (delta, r, k, vehicle)
            prev = nxt
    return best


def insert_all(sol: Solution, order: list[int], rng: random.Random, blink: float = 0.0) -> None:
    """Insert units in this order at their cheapest feasible place; the ones that fit nowhere stay unassigned.

    Parameters
    ----------
    sol : Solution
        The solution, changed in place.
    order : list[int]
        The units, in insertion order.
    rng : random.Random
        Draws the blinks.
    blink : float
        The probability of skipping a position.
    """
    for u in order:
        found = best_insertion(sol, u, rng, blink)
        if found is not None:
            _, route, position, vehicle = found
            sol.insert(u, route, position, vehicle)
