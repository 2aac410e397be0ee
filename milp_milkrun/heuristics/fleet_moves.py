"""The fleet's route moves, for typed vehicle costs (fixed costs, per-km rates by type, a load term).

Four route moves belong to the fleet: ``retype`` (the cheapest free vehicle that fits the route; or
``exchange``, the vehicles of two routes swapped), ``split`` (a route cut in two, each part on its
cheapest vehicle) and ``merge`` (two routes joined on one vehicle, usually a larger one). Each yields
:class:`~milp_milkrun.heuristics.neighbourhoods.Move` candidates whose estimate is below the threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from milp_milkrun.heuristics.neighbourhoods import GRANULAR, Move
from milp_milkrun.heuristics.solution import Route, Solution


# ----- fleet moves (typed costs only): each yields moves of one route whose estimate is below ``threshold``
def retype(sol: Solution, route: Route, threshold: float) -> Iterator[Move]:
    """The route on the cheapest free vehicle that fits it (its load, stops, length, forbidden DCs).

    Parameters
    ----------
    sol : Solution
        The solution searched (not changed).
    route : Route
        The route the moves change.
    threshold : float
        Only moves whose estimated value delta is below it are yielded.

    Returns
    -------
    Iterator[Move]
        The candidate moves; :func:`try_apply` prices a move exactly (and finds its vehicles) before applying it.
    """
    p = sol.p
    v, value = p.cheapest_free_fit(sol.free, route.load, route.size, route.length, route.weighted, route.mask)
    if v >= 0 and value - route.value < threshold:
        yield Move("retype", value - route.value, ((route, route.units),))


def split(sol: Solution, route: Route, threshold: float) -> Iterator[Move]:
    """The best cut of the route into two routes, each on the cheapest free vehicle that fits it.

    Parameters
    ----------
    sol : Solution
        The solution searched (not changed).
    route : Route
        The route the moves change.
    threshold : float
        Only moves whose estimated value delta is below it are yielded.

    Returns
    -------
    Iterator[Move]
        The candidate moves; :func:`try_apply` prices a move exactly (and finds its vehicles) before applying it.
    """
    p = sol.p
    c, units, n = p.cost, route.units, len(route.units)
    best: tuple[float, int] | None = None
    for k in range(1, n):
        last, first = units[k - 1], units[k]
        head = route.departure[k] + c[last][0]
        tail = c[0][first] + route.length - route.departure[k] - c[last][first]
        load_head, size_head = route.prefix_load[k], route.prefix_size[k]
        estimate = (
            p.least_value(sol.free, route.vehicle, load_head, size_head, head)
            + p.least_value(sol.free, -1, route.load - load_head, route.size - size_head, tail)
            - route.value
        )
        if estimate < threshold and (best is None or estimate < best[0]):
            best = (estimate, k)
    if best is not None:
        estimate, k = best
        yield Move("split", estimate, ((route, units[:k]), (None, units[k:])))


def merge(sol: Solution, route: Route, threshold: float) -> Iterator[Move]:
    """The route joined end-to-start with a route near either of its ends, on one vehicle.

    Parameters
    ----------
    sol : Solution
        The solution searched (not changed).
    route : Route
        The route the moves change.
    threshold : float
        Only moves whose estimated value delta is below it are yielded.

    Returns
    -------
    Iterator[Move]
        The candidate moves; :func:`try_apply` prices a move exactly (and finds its vehicles) before applying it.
    """
    p = sol.p
    c = p.cost
    first, last = route.units[0], route.units[-1]
    seen: set[int] = {id(route)}
    for w in p.neighbours[first][:GRANULAR] + p.neighbours[last][:GRANULAR]:
        other = sol.route_of[w]
        if other is None or id(other) in seen:
            continue
        seen.add(id(other))
        load, size = route.load + other.load, route.size + other.size
        for a, b in ((route, other), (other, route)):
            length = a.length + b.length - c[a.units[-1]][0] - c[0][b.units[0]] + c[a.units[-1]][b.units[0]]
            cheapest = p.least_value(sol.free, a.vehicle, load, size, length, b.vehicle)
            estimate = cheapest - a.value - b.value
            if estimate < threshold:
                yield Move("merge", estimate, ((a, a.units + b.units), (b, [])))


def exchange(sol: Solution, route: Route, threshold: float) -> Iterator[Move]:
    """The route and another route trade vehicles (a tight fleet has no free vehicle to retype to).

    Parameters
    ----------
    sol : Solution
        The solution searched (not changed).
    route : Route
        The route the moves change.
    threshold : float
        Only moves whose estimated value delta is below it are yielded.

    Returns
    -------
    Iterator[Move]
        The candidate moves; :func:`try_apply` prices a move exactly (and finds its vehicles) before applying it.
    """
    p = sol.p
    v = route.vehicle
    for other in sol.routes:
        w = other.vehicle
        if other is route or (p.fixed[w], p.per_km[w], p.per_unit_km[w]) == (p.fixed[v], p.per_km[v], p.per_unit_km[v]):
            continue  # same rates: trading vehicles changes nothing
        if p.fits(w, route.load, route.size, route.length, route.mask) and p.fits(
            v, other.load, other.size, other.length, other.mask
        ):
            estimate = (
                p.value(w, route.length, route.weighted)
                + p.value(v, other.length, other.weighted)
                - route.value
                - other.value
            )
            if estimate < threshold:
                yield Move("exchange", estimate, ((route, route.units), (other, other.units)))


ROUTE_OPERATORS: dict[str, Callable[[Solution, Route, float], Iterator[Move]]] = {
    "retype": retype,
    "exchange": exchange,
    "split": split,
    "merge": merge,
}
