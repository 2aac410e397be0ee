"""Cheapest feasible insertion of one unit, the building block of construction and recreate.

An insertion may also *upgrade* the route to a free vehicle of a larger class when the route's own
vehicle can no longer carry it: with a heterogeneous fleet, a route should not be stuck with a small
truck just because it was opened small.

With ``typed`` vehicle costs an insertion is priced by what it adds to the plan's value: the route's
new value on the vehicle it is worth least on (its own, or a free one of another class) minus its old
value; opening a new route pays the fixed cost of the cheapest vehicle that may drive it.

With time, a position is taken only when the grown route keeps to the windows, the hub's hours and
the shift of the vehicle that would drive it (:func:`in_time`, by concatenated segments).
"""

from __future__ import annotations

import random

from milp_milkrun.heuristics.problem import Problem
from milp_milkrun.heuristics.solution import Route, Solution
from milp_milkrun.heuristics.time_feasibility import time_mask
from milp_milkrun.limits import allowance

Insertion = tuple[float, Route | None, int, int]  # (value delta, route or None = new, position, vehicle)
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
    in_routes = _best_in_routes_typed if p.typed else _best_in_routes
    candidates = _nearby_routes(sol, u)
    best = in_routes(sol, u, candidates, rng, blink)
    if best is None and len(candidates) < len(sol.routes):
        best = in_routes(sol, u, sol.routes, rng, blink)  # granularity must never lose a placement
    alone = p.cost[0][u] + p.inner[u] + p.cost[u][0]
    mask = in_time(p, [u], p.mask[u])
    if p.typed:
        weighted = p.weight[u] * p.cost[0][u] + p.unit_weighted[u] if p.load_dependent else 0.0
        v, value = p.cheapest_free_fit(sol.free, p.demand[u], p.size[u], alone, weighted, mask)
    else:
        v, value = p.smallest_free_fit(sol.free, p.demand[u], p.size[u], alone, mask), alone
    if v >= 0 and (best is None or value < best[0]):
        best = (value, None, 0, v)
    return best


def in_time(p: Problem, units: list[int], mask: int) -> int:
    """``mask`` without the vehicles that cannot drive ``units`` in time (unchanged without time).

    Parameters
    ----------
    p : Problem
        The compiled instance.
    units : list[int]
        A route's units in driving order.
    mask : int
        Bit mask of candidate vehicles.

    Returns
    -------
    int
        The candidates that may drive the route within its windows, the hub's hours and their shift.
    """
    return mask & time_mask(p.time, units) if p.time is not None and mask else mask


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
                    if vehicle >= 0 and p.fits(
                        vehicle, load, size, length, in_time(p, [*units[:k], u, *units[k:]], mask)
                    ):
                        best_delta = delta
                        best = (delta, r, k, vehicle)
            prev = nxt
    return best


def _best_in_routes_typed(
    sol: Solution, u: int, routes: list[Route], rng: random.Random, blink: float
) -> Insertion | None:
    """As :func:`_best_in_routes`, priced by value: each route's cheapest position (by distance, or by
    the route's own rates with a load term), on the vehicle the grown route is worth least on."""
    p = sol.p
    cost = p.cost
    cost_u = cost[u]
    inner, demand, weight, unit_weighted = p.inner[u], p.demand[u], p.weight[u], p.unit_weighted[u]
    load_term = p.load_dependent
    best: Insertion | None = None
    best_delta = float("inf")
    for r in routes:
        load = r.load + demand
        size = r.size + p.size[u]
        mask = r.mask & p.mask[u]
        carriers = _carriers(sol, r.vehicle, load, size, mask)
        if not carriers:
            continue
        limit = allowance(max(p.max_distance[v] for v in carriers))
        per_km, per_unit_km = p.per_km[carriers[0]], p.per_unit_km[carriers[0]]
        units = r.units
        position, score, grown, weighted, timely = -1, float("inf"), 0.0, 0.0, 0
        prev = 0
        for k in range(len(units) + 1):
            nxt = units[k] if k < len(units) else 0
            if blink and rng.random() < blink:
                prev = nxt
                continue
            added = cost[prev][u] + inner + cost_u[nxt] - cost[prev][nxt]
            if r.length + added <= limit:
                if load_term:  # u's own term, and every later DC arrives ``added`` later
                    later = r.prefix_weight[-1] - r.prefix_weight[k]
                    added_weight = weight * (r.departure[k] + cost[prev][u]) + unit_weighted + added * later
                    here = per_km * added + per_unit_km * added_weight
                else:
                    added_weight, here = 0.0, added
                if here < score:
                    fits_in_time = in_time(p, [*units[:k], u, *units[k:]], mask)
                    if fits_in_time:
                        position, score, grown, weighted, timely = k, here, added, added_weight, fits_in_time
            prev = nxt
        if position < 0:
            continue
        length = r.length + grown
        weighted += r.weighted
        for v in carriers:
            if length <= allowance(p.max_distance[v]) and timely >> v & 1:
                delta = p.value(v, length, weighted) + p.hourly(v, [*units[:position], u, *units[position:]]) - r.value
                if delta < best_delta:
                    best_delta = delta
                    best = (delta, r, position, v)
    return best


def _carriers(sol: Solution, own: int, load: float, size: int, mask: int) -> list[int]:
    """Vehicles that may carry this load and stop count for the units of ``mask`` (distance not tested):
    the route's own vehicle first, then the lowest free vehicle of each other class."""
    p = sol.p
    found = [own] if (mask >> own) & 1 and load <= allowance(p.capacity[own]) and size <= p.max_stops[own] else []
    for cls in p.classes:
        candidates = cls.members & sol.free & mask
        if candidates and not (cls.members >> own) & 1:
            v = (candidates & -candidates).bit_length() - 1
            if load <= allowance(cls.capacity) and size <= cls.max_stops:
                found.append(v)
    return found


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
