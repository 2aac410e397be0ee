"""Ruin and recreate: remove strings of nearby units, then reinsert them greedily.

The ruin is the string removal of SISR (Christiaens and Vanden Berghe, Transportation Science 2020):
starting from a random unit, it removes a short string (consecutive units) from that unit's route
and from the routes of its nearest units, so the removed units are close together and the recreate
can rearrange a whole region. The recreate inserts them in one of four orders (random, largest
demand first, farthest from the hub first, closest first) at the cheapest feasible position, skipping
each position with a small "blink" probability for diversity.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from milp_milkrun.heuristics.insertion import insert_all
from milp_milkrun.heuristics.solution import Route, Solution
from milp_milkrun.limits import FLOAT_NOISE


@dataclass(frozen=True)
class RuinParams:
    mean_removed: float = 10.0  # c-bar of SISR: average number of units removed
    max_string: int = 10  # L-max of SISR: longest string removed from one route
    blink: float = 0.01


def ruin(sol: Solution, rng: random.Random, params: RuinParams) -> list[int]:
    """Remove strings around a random unit.

    Parameters
    ----------
    sol : Solution
        The solution, changed in place.
    rng : random.Random
        Draws the seed unit and the strings.
    params : RuinParams
        How much to remove.

    Returns
    -------
    list[int]
        The removed units.
    """
    assigned = [u for r in sol.routes for u in r.units]
    if not assigned:
        return []
    string_max = min(float(params.max_string), len(assigned) / len(sol.routes))
    strings_max = 4.0 * params.mean_removed / (1.0 + string_max) - 1.0
    n_strings = int(rng.uniform(1.0, strings_max + 1.0))
    seed = assigned[rng.randrange(len(assigned))]
    ruined: set[int] = set()
    removed: list[int] = []
    for u in [seed, *sol.p.neighbours[seed]]:
        if len(ruined) >= n_strings:
            break
        route = sol.route_of[u]
        if route is None or id(route) in ruined:
            continue
        ruined.add(id(route))
        removed += _string_through(route, sol.pos_of[u], string_max, rng)
    touched = {id(sol.route_of[u]): sol.route_of[u] for u in removed}
    before = set(sol.unassigned)
    sol.remove_units(removed)
    for route in touched.values():
        if route is not None and route in sol.routes:
            _release_large_vehicle(sol, route)
    return [u for u in removed if u not in before] + sorted(sol.unassigned - before - set(removed))


def _string_through(route: Route, position: int, string_max: float, rng: random.Random) -> list[int]:
    """A random string of consecutive units of ``route`` that contains the unit at ``position``."""
    n = len(route.units)
    length = int(rng.uniform(1.0, min(float(n), string_max) + 1.0))
    length = max(1, min(length, n))
    first = rng.randint(max(0, position - length + 1), min(position, n - length))
    return route.units[first : first + length]


def _release_large_vehicle(sol: Solution, route: Route) -> None:
    """After a ruin a route may fit a smaller vehicle: switch, so large vehicles are free for others
    (with typed costs: switch to the vehicle the route is now worth least on)."""
    p = sol.p
    if p.typed:
        pool = sol.free | (1 << route.vehicle)
        cheapest, value = p.cheapest_free_fit(pool, route.load, route.size, route.length, route.weighted, route.mask)
        if cheapest >= 0 and value + p.hourly(cheapest, route.units) < route.value - FLOAT_NOISE:
            sol.set_route(route, route.units, cheapest)
        return
    v = p.smallest_free_fit(sol.free | (1 << route.vehicle), route.load, route.size, route.length, route.mask)
    if v >= 0 and v != route.vehicle and p.capacity[v] < p.capacity[route.vehicle]:
        sol.set_route(route, route.units, v)


def recreate(sol: Solution, units: list[int], rng: random.Random, params: RuinParams) -> None:
    """Reinsert ``units`` (and any other unassigned unit) in a randomly chosen order.

    Parameters
    ----------
    sol : Solution
        The solution, changed in place.
    units : list[int]
        The units removed by :func:`ruin`.
    rng : random.Random
        Draws the order and the blinks.
    params : RuinParams
        The blink probability.
    """
    p = sol.p
    pending = sorted(set(units) | sol.unassigned)
    pick = rng.random() * 11.0
    if pick < 4.0:
        rng.shuffle(pending)
    elif pick < 8.0:
        pending.sort(key=lambda u: -p.demand[u])
    elif pick < 10.0:
        pending.sort(key=lambda u: -(p.cost[0][u] + p.cost[u][0]))
    else:
        pending.sort(key=lambda u: p.cost[0][u] + p.cost[u][0])
    insert_all(sol, pending, rng, params.blink)
