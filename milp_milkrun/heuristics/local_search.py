"""Local search: the classical VRP neighbourhoods, evaluated by O(1) distance deltas.

Operators work on units (chains are never split or reversed, so equation 10 always holds):
- relocate: move a unit next to one of its nearest units (same or another route);
- swap: exchange two units;
- two_opt: reverse a segment of one route (units keep their inner direction; the reversed arcs are
  priced in the reverse direction, so asymmetric matrices are exact);
- two_opt_star: exchange the tails of two routes;
- cross_exchange: exchange segments of up to three units between two routes (zero units on one side
  is an or-opt move of a segment);

Inter-route moves are granular (each unit only looks at its nearest units) and priced by their
distance delta first; only a move that improves is built and checked for capacity, distance, stops
and forbidden DCs. When the routes' own vehicles no longer fit, the move may swap the two vehicles or
take free ones (smallest class first): the vehicle change is part of every inter-route move.

With ``typed`` vehicle costs (fixed costs, per-km rates by type, a load term) a move is priced by the
change in value: each changed route at the least fixed plus per-km cost of its own vehicle, the other
route's (they may trade) or a free class that may carry its new load, minus its old cost (an emptied route gives back its whole
value), selects candidates, and :func:`try_apply` then gives every changed route the
vehicle it is worth least on and applies the move only when the plan's exact value falls. Four
route moves belong to the fleet: ``retype`` (the cheapest free vehicle that fits the route; or
``exchange``, the vehicles of two routes swapped),
``split`` (a route cut in two, each part on its cheapest vehicle) and ``merge`` (two routes joined on
one vehicle, usually a larger one).
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from milp_milkrun.heuristics.solution import Route, Solution, route_totals
from milp_milkrun.limits import allowance

GRANULAR = 20  # nearest units each unit looks at
MAX_SEGMENT = 3  # longest segment a cross-exchange moves
IMPROVEMENT = -1e-9  # a move must shorten the plan by more than this


@dataclass(frozen=True)
class Move:
    """A candidate: its distance delta (with ``typed`` costs: an estimate of its value delta) and the
    new unit lists of the routes it touches (route None: a new route)."""

    kind: str
    delta: float
    changes: tuple[tuple[Route | None, list[int]], ...]


Operator = Callable[[Solution, int, float], Iterator[Move]]


def _free_ceiling(sol: Solution) -> tuple[float, int]:
    """Largest capacity and stop limit among free vehicles: with the routes' own vehicles, an upper
    bound of what a changed route may carry, to reject most infeasible moves before building them."""
    p = sol.p
    capacity, stops = 0.0, 0
    for cls in p.classes:
        if cls.members & sol.free:
            capacity = max(capacity, cls.capacity)
            stops = max(stops, cls.max_stops)
    return capacity, stops


def _ceilings(sol: Solution, free: tuple[float, int], ra: Route, rb: Route) -> tuple[float, int]:
    p = sol.p
    capacity = max(free[0], p.capacity[ra.vehicle], p.capacity[rb.vehicle])
    return allowance(capacity), max(free[1], p.max_stops[ra.vehicle], p.max_stops[rb.vehicle])


# ----- operators: each yields the moves around unit u whose delta is below ``threshold`` ---------
def relocate(sol: Solution, u: int, threshold: float) -> Iterator[Move]:
    """Move unit u next to one of its nearest units, in its own route or another.

    Parameters
    ----------
    sol : Solution
        The solution searched (not changed).
    u : int
        The unit the moves are around.
    threshold : float
        Only moves whose delta (with typed costs: estimated value delta) is below it are yielded.

    Returns
    -------
    Iterator[Move]
        The candidate moves; :func:`try_apply` checks a move (and finds its vehicles) before applying it.
    """
    p = sol.p
    c = p.cost
    ra, i = sol.route_of[u], sol.pos_of[u]
    if ra is None:
        return
    a_units = ra.units
    pu = a_units[i - 1] if i > 0 else 0
    nu = a_units[i + 1] if i + 1 < len(a_units) else 0
    gain = c[pu][u] + c[u][nu] - c[pu][nu]
    typed, per_km = p.typed, p.per_km
    free = _free_ceiling(sol)
    for w in p.neighbours[u][:GRANULAR]:
        rb = sol.route_of[w]
        if rb is None:
            continue
        j = sol.pos_of[w]
        b_units = rb.units
        pw = b_units[j - 1] if j > 0 else 0
        nw = b_units[j + 1] if j + 1 < len(b_units) else 0
        for x, y, at in ((w, nw, j + 1), (pw, w, j)):  # after w, before w
            if rb is ra and u in (x, y):
                continue
            added = c[x][u] + c[u][y] - c[x][y]
            delta = added - gain
            if typed:
                if rb is ra:
                    delta *= per_km[ra.vehicle]
                else:
                    delta = p.least_value(sol.free, rb.vehicle, rb.load + p.demand[u], rb.size + p.size[u], rb.length + added, ra.vehicle)
                    delta -= p.base_value(rb.vehicle, rb.length)
                    if len(a_units) == 1:
                        delta -= ra.value
                    else:
                        delta += p.least_value(sol.free, ra.vehicle, ra.load - p.demand[u], ra.size - p.size[u], ra.length - gain, rb.vehicle)
                        delta -= p.base_value(ra.vehicle, ra.length)
            if delta >= threshold:
                continue
            if rb is ra:
                units = list(a_units)
                units.insert(at, u)
                del units[i if i < at else i + 1]
                yield Move("relocate", delta, ((ra, units),))
                continue
            capacity, stops = _ceilings(sol, free, ra, rb)
            if rb.load + p.demand[u] <= capacity and rb.size + p.size[u] <= stops:
                yield Move("relocate", delta, ((ra, a_units[:i] + a_units[i + 1 :]), (rb, b_units[:at] + [u] + b_units[at:])))


def swap(sol: Solution, u: int, threshold: float) -> Iterator[Move]:
    """Exchange unit u with one of its nearest units, in its own route or another.

    Parameters
    ----------
    sol : Solution
        The solution searched (not changed).
    u : int
        The unit the moves are around.
    threshold : float
        Only moves whose delta (with typed costs: estimated value delta) is below it are yielded.

    Returns
    -------
    Iterator[Move]
        The candidate moves; :func:`try_apply` checks a move (and finds its vehicles) before applying it.
    """
    p = sol.p
    c = p.cost
    ra, i = sol.route_of[u], sol.pos_of[u]
    if ra is None:
        return
    a_units = ra.units
    pu = a_units[i - 1] if i > 0 else 0
    nu = a_units[i + 1] if i + 1 < len(a_units) else 0
    typed, per_km = p.typed, p.per_km
    free = _free_ceiling(sol)
    for w in p.neighbours[u][:GRANULAR]:
        rb = sol.route_of[w]
        if rb is None:
            continue
        j = sol.pos_of[w]
        b_units = rb.units
        pw = b_units[j - 1] if j > 0 else 0
        nw = b_units[j + 1] if j + 1 < len(b_units) else 0
        if rb is ra and j == i + 1:
            delta = c[pu][w] + c[w][u] + c[u][nw] - c[pu][u] - c[u][w] - c[w][nw]
        elif rb is ra and i == j + 1:
            delta = c[pw][u] + c[u][w] + c[w][nu] - c[pw][w] - c[w][u] - c[u][nu]
        else:
            delta_a = c[pu][w] + c[w][nu] - c[pu][u] - c[u][nu]
            delta = delta_a + c[pw][u] + c[u][nw] - c[pw][w] - c[w][nw]
            if typed:
                delta_b = c[pw][u] + c[u][nw] - c[pw][w] - c[w][nw]
                shift, size_shift = p.demand[w] - p.demand[u], p.size[w] - p.size[u]
                delta = (
                    p.least_value(sol.free, ra.vehicle, ra.load + shift, ra.size + size_shift, ra.length + delta_a, rb.vehicle)
                    + p.least_value(sol.free, rb.vehicle, rb.load - shift, rb.size - size_shift, rb.length + delta_b, ra.vehicle)
                    - p.base_value(ra.vehicle, ra.length)
                    - p.base_value(rb.vehicle, rb.length)
                )
        if typed and rb is ra:
            delta *= per_km[ra.vehicle]
        if delta >= threshold:
            continue
        if rb is ra:
            units = list(a_units)
            units[i], units[j] = w, u
            yield Move("swap", delta, ((ra, units),))
            continue
        capacity, stops = _ceilings(sol, free, ra, rb)
        shift, size_shift = p.demand[w] - p.demand[u], p.size[w] - p.size[u]
        if ra.load + shift <= capacity and rb.load - shift <= capacity and ra.size + size_shift <= stops and rb.size - size_shift <= stops:
            a, b = list(a_units), list(b_units)
            a[i], b[j] = w, u
            yield Move("swap", delta, ((ra, a), (rb, b)))


def two_opt_star(sol: Solution, u: int, threshold: float) -> Iterator[Move]:
    """Routes A = a..u | tail_A and B = head_B | w..: new A = a..u w.., new B = head_B tail_A.

    Parameters
    ----------
    sol : Solution
        The solution searched (not changed).
    u : int
        The unit the moves are around.
    threshold : float
        Only moves whose delta (with typed costs: estimated value delta) is below it are yielded.

    Returns
    -------
    Iterator[Move]
        The candidate moves; :func:`try_apply` checks a move (and finds its vehicles) before applying it.
    """
    p = sol.p
    c = p.cost
    ra, i = sol.route_of[u], sol.pos_of[u]
    if ra is None:
        return
    a_units = ra.units
    nu = a_units[i + 1] if i + 1 < len(a_units) else 0
    free = _free_ceiling(sol)
    for w in p.neighbours[u][:GRANULAR]:
        rb = sol.route_of[w]
        if rb is None or rb is ra:
            continue
        j = sol.pos_of[w]
        b_units = rb.units
        pw = b_units[j - 1] if j > 0 else 0
        delta = c[u][w] + c[pw][nu] - c[u][nu] - c[pw][w]
        if p.typed:
            delta = _two_opt_star_estimate(sol, ra, i, rb, j, w, pw, nu)
        if delta >= threshold:
            continue
        capacity, stops = _ceilings(sol, free, ra, rb)
        load_a = ra.prefix_load[i + 1] + rb.load - rb.prefix_load[j]
        load_b = rb.prefix_load[j] + ra.load - ra.prefix_load[i + 1]
        size_a = ra.prefix_size[i + 1] + rb.size - rb.prefix_size[j]
        size_b = rb.prefix_size[j] + ra.size - ra.prefix_size[i + 1]
        if load_a <= capacity and load_b <= capacity and size_a <= stops and size_b <= stops:
            yield Move("two_opt_star", delta, ((ra, a_units[: i + 1] + b_units[j:]), (rb, b_units[:j] + a_units[i + 1 :])))


def _two_opt_star_estimate(sol: Solution, ra: Route, i: int, rb: Route, j: int, w: int, pw: int, nu: int) -> float:
    """Estimated value delta of a 2-opt* (whole tails change route): each new route at the least
    fixed plus per-km cost of a vehicle that may carry its load (:meth:`Problem.least_value`)."""
    p = sol.p
    c = p.cost
    new_a = ra.departure[i + 1] + c[ra.units[i]][w] + rb.length - rb.departure[j] - c[pw][w]
    new_b = rb.departure[j] + c[pw][nu] + ra.length - ra.departure[i + 1] - c[ra.units[i]][nu]
    load_a = ra.prefix_load[i + 1] + rb.load - rb.prefix_load[j]
    size_a = ra.prefix_size[i + 1] + rb.size - rb.prefix_size[j]
    change_a = p.least_value(sol.free, ra.vehicle, load_a, size_a, new_a, rb.vehicle) - p.base_value(ra.vehicle, ra.length)
    if j == 0 and i + 1 == len(ra.units):  # B is left empty
        return change_a - rb.value
    load_b, size_b = ra.load + rb.load - load_a, ra.size + rb.size - size_a
    return change_a + p.least_value(sol.free, rb.vehicle, load_b, size_b, new_b, ra.vehicle) - p.base_value(rb.vehicle, rb.length)


def cross_exchange(sol: Solution, u: int, threshold: float) -> Iterator[Move]:
    """A = ..u [seg_A] ..; B = .. [w..] ..: the segment after u and the segment from w trade places.

    Parameters
    ----------
    sol : Solution
        The solution searched (not changed).
    u : int
        The unit the moves are around.
    threshold : float
        Only moves whose delta (with typed costs: estimated value delta) is below it are yielded.

    Returns
    -------
    Iterator[Move]
        The candidate moves; :func:`try_apply` checks a move (and finds its vehicles) before applying it.
    """
    p = sol.p
    c = p.cost
    ra, i = sol.route_of[u], sol.pos_of[u]
    if ra is None:
        return
    a_units = ra.units
    n_a = len(a_units)
    typed = p.typed
    free = _free_ceiling(sol)
    # per segment length la: (first, last, next after the segment, cost of the arcs it breaks in A)
    segments_a = []
    for la in range(0, min(MAX_SEGMENT, n_a - i - 1) + 1):
        a_first = a_units[i + 1] if la else 0
        a_last = a_units[i + la] if la else 0
        a_next = a_units[i + 1 + la] if i + 1 + la < n_a else 0
        broken = c[u][a_first] + c[a_last][a_next] if la else c[u][a_next]
        segments_a.append((la, a_first, a_last, a_next, broken))
    for w in p.neighbours[u][:GRANULAR]:
        rb = sol.route_of[w]
        if rb is None or rb is ra:
            continue
        j = sol.pos_of[w]
        b_units = rb.units
        n_b = len(b_units)
        b_prev = b_units[j - 1] if j > 0 else 0
        c_uw = c[u][w]
        c_prev_w = c[b_prev][w]
        capacity = stops = None
        for lb in range(1, min(MAX_SEGMENT, n_b - j) + 1):
            b_last = b_units[j + lb - 1]
            b_next = b_units[j + lb] if j + lb < n_b else 0
            fixed = c_uw - c_prev_w - c[b_last][b_next]
            c_last = c[b_last]
            for la, a_first, a_last, a_next, broken in segments_a:
                if la:
                    delta = fixed + c_last[a_next] + c[b_prev][a_first] + c[a_last][b_next] - broken
                else:
                    delta = fixed + c_last[a_next] + c[b_prev][b_next] - broken
                if typed:
                    delta = _cross_estimate(sol, ra, i, la, rb, j, lb, (a_first, a_last, a_next, broken), (b_prev, w, b_last, b_next))
                if delta >= threshold:
                    continue
                if capacity is None:
                    capacity, stops = _ceilings(sol, free, ra, rb)
                shift = (rb.prefix_load[j + lb] - rb.prefix_load[j]) - (ra.prefix_load[i + 1 + la] - ra.prefix_load[i + 1])
                size_shift = (rb.prefix_size[j + lb] - rb.prefix_size[j]) - (ra.prefix_size[i + 1 + la] - ra.prefix_size[i + 1])
                if ra.load + shift > capacity or rb.load - shift > capacity or ra.size + size_shift > stops or rb.size - size_shift > stops:
                    continue
                new_a = a_units[: i + 1] + b_units[j : j + lb] + a_units[i + 1 + la :]
                new_b = b_units[:j] + a_units[i + 1 : i + 1 + la] + b_units[j + lb :]
                yield Move("cross_exchange", delta, ((ra, new_a), (rb, new_b)))


def _cross_estimate(
    sol: Solution, ra: Route, i: int, la: int, rb: Route, j: int, lb: int,
    a_seg: tuple[int, int, int, float], b_seg: tuple[int, int, int, int],
) -> float:
    """Estimated value delta of a cross-exchange (the segments carry their inner length to the other
    route), each new route at the least fixed plus per-km cost of a vehicle that may carry it."""
    p = sol.p
    c = p.cost
    a_first, a_last, a_next, broken = a_seg
    b_prev, w, b_last, b_next = b_seg
    u = ra.units[i]
    inner_a = ra.departure[i + 1 + la] - ra.departure[i + 1] - c[u][a_first] if la else 0.0
    inner_b = rb.departure[j + lb] - rb.departure[j] - c[b_prev][w]
    delta_a = c[u][w] + inner_b + c[b_last][a_next] - broken - inner_a
    shift = (rb.prefix_load[j + lb] - rb.prefix_load[j]) - (ra.prefix_load[i + 1 + la] - ra.prefix_load[i + 1])
    size_shift = (rb.prefix_size[j + lb] - rb.prefix_size[j]) - (ra.prefix_size[i + 1 + la] - ra.prefix_size[i + 1])
    change_a = p.least_value(sol.free, ra.vehicle, ra.load + shift, ra.size + size_shift, ra.length + delta_a, rb.vehicle)
    change_a -= p.base_value(ra.vehicle, ra.length)
    if la == 0 and lb == len(rb.units):  # B is left empty
        return change_a - rb.value
    into_b = c[b_prev][a_first] + inner_a + c[a_last][b_next] if la else c[b_prev][b_next]
    delta_b = into_b - c[b_prev][w] - inner_b - c[b_last][b_next]
    new_b = rb.length + delta_b
    return change_a + p.least_value(sol.free, rb.vehicle, rb.load - shift, rb.size - size_shift, new_b, ra.vehicle) - p.base_value(rb.vehicle, rb.length)


def two_opt(sol: Solution, u: int, threshold: float) -> Iterator[Move]:
    """Reverse the segment that starts right after u in its route (every segment end is tried).

    Parameters
    ----------
    sol : Solution
        The solution searched (not changed).
    u : int
        The unit the moves are around.
    threshold : float
        Only moves whose delta (with typed costs: estimated value delta) is below it are yielded.

    Returns
    -------
    Iterator[Move]
        The candidate moves; :func:`try_apply` checks a move (and finds its vehicles) before applying it.
    """
    c = sol.p.cost
    ra, i = sol.route_of[u], sol.pos_of[u]
    if ra is None:
        return
    rate = sol.p.per_km[ra.vehicle] if sol.p.typed else 1.0
    seq = [0, *ra.units, 0]
    a = i + 1  # u's index in seq; the segment is seq[a+1 .. b]
    forward = backward = 0.0
    for b in range(a + 2, len(seq) - 1):
        forward += c[seq[b - 1]][seq[b]]
        backward += c[seq[b]][seq[b - 1]]
        delta = c[seq[a]][seq[b]] + c[seq[a + 1]][seq[b + 1]] - c[seq[a]][seq[a + 1]] - c[seq[b]][seq[b + 1]] + backward - forward
        if rate * delta < threshold:
            units = seq[1 : a + 1] + seq[a + 1 : b + 1][::-1] + seq[b + 1 : -1]
            yield Move("two_opt", rate * delta, ((ra, units),))


def two_opt_from_hub(sol: Solution, route: Route, threshold: float) -> Iterator[Move]:
    """Reverse a prefix of the route (the segment starts right after the hub).

    Parameters
    ----------
    sol : Solution
        The solution searched (not changed).
    route : Route
        The route whose prefixes are reversed.
    threshold : float
        Only moves whose delta (with typed costs: estimated value delta) is below it are yielded.

    Returns
    -------
    Iterator[Move]
        The candidate moves; :func:`try_apply` checks a move (and finds its vehicles) before applying it.
    """
    c = sol.p.cost
    rate = sol.p.per_km[route.vehicle] if sol.p.typed else 1.0
    seq = [0, *route.units, 0]
    forward = backward = 0.0
    for b in range(2, len(seq) - 1):
        forward += c[seq[b - 1]][seq[b]]
        backward += c[seq[b]][seq[b - 1]]
        delta = c[0][seq[b]] + c[seq[1]][seq[b + 1]] - c[0][seq[1]] - c[seq[b]][seq[b + 1]] + backward - forward
        if rate * delta < threshold:
            yield Move("two_opt", rate * delta, ((route, seq[1 : b + 1][::-1] + seq[b + 1 : -1]),))


UNIT_OPERATORS: dict[str, Operator] = {
    "relocate": relocate,
    "swap": swap,
    "two_opt": two_opt,
    "two_opt_star": two_opt_star,
    "cross_exchange": cross_exchange,
}


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
        if p.fits(w, route.load, route.size, route.length, route.mask) and p.fits(v, other.load, other.size, other.length, other.mask):
            estimate = p.value(w, route.length, route.weighted) + p.value(v, other.length, other.weighted) - route.value - other.value
            if estimate < threshold:
                yield Move("exchange", estimate, ((route, route.units), (other, other.units)))


ROUTE_OPERATORS: dict[str, Callable[[Solution, Route, float], Iterator[Move]]] = {
    "retype": retype,
    "exchange": exchange,
    "split": split,
    "merge": merge,
}


# ----- feasibility and application -----------------------------------------------------------
def fit_vehicles(sol: Solution, move: Move) -> list[tuple[Route, list[int], int]] | None:
    """Vehicles for the routes of ``move``: their own, else swapped, else free ones.

    Parameters
    ----------
    sol : Solution
        The solution (not changed).
    move : Move
        A candidate move.

    Returns
    -------
    list[tuple[Route, list[int], int]] or None
        Each changed route with its new units and vehicle, or None when no vehicles fit.
    """
    p = sol.p
    totals = [route_totals(p, units) if units else None for _, units in move.changes]
    own = [r.vehicle for r, _ in move.changes]
    for preferred in ([own] if len(own) == 1 else [own, own[::-1]]):
        pool = sol.free
        for v in own:
            pool |= 1 << v
        chosen: list[int] = []
        for v, t in zip(preferred, totals):
            if t is None:
                chosen.append(-1)
                continue
            if not (pool >> v & 1 and p.fits(v, *t)):
                v = p.smallest_free_fit(pool, *t)
                if v < 0:
                    break
            pool &= ~(1 << v)
            chosen.append(v)
        else:
            return [(r, units, v) for (r, units), v in zip(move.changes, chosen)]
    return None


def priced_vehicles(sol: Solution, move: Move) -> tuple[list[tuple[Route | None, list[int], int]], float] | None:
    """With typed costs: the vehicles that make the routes of ``move`` worth least, and the exact
    change in the plan's value.

    Parameters
    ----------
    sol : Solution
        The solution (not changed).
    move : Move
        A candidate move; a change with route None opens a new route.

    Returns
    -------
    tuple or None
        (route, units, vehicle) per change and the value delta; candidates are the routes' own
        vehicles and the two lowest free vehicles of each class; None when some route fits none.
    """
    p = sol.p
    candidates = [r.vehicle for r, _ in move.changes if r is not None]
    for cls in p.classes:
        spare = cls.members & sol.free
        for _ in range(2):
            if not spare:
                break
            candidates.append((spare & -spare).bit_length() - 1)
            spare &= spare - 1
    options: list[list[tuple[float, int]]] = []
    for _, units in move.changes:
        if not units:
            options.append([(0.0, -1)])
            continue
        load, size, length, mask = route_totals(p, units)
        weighted = p.route_weighted(units)
        fitting = sorted((p.value(v, length, weighted) + p.hourly(v, units), v) for v in candidates if p.fits(v, load, size, length, mask))
        if not fitting:
            return None
        options.append(fitting)
    old = sum(r.value for r, _ in move.changes if r is not None)
    if len(options) == 1:
        value, v = options[0][0]
        return [(move.changes[0][0], move.changes[0][1], v)], value - old
    best: tuple[float, int, int] | None = None
    for value_a, va in options[0]:
        if best is not None and value_a + options[1][0][0] >= best[0]:
            break
        for value_b, vb in options[1]:
            if vb != va or va < 0:
                if best is None or value_a + value_b < best[0]:
                    best = (value_a + value_b, va, vb)
                break
    if best is None:
        return None
    (ra, units_a), (rb, units_b) = move.changes
    return [(ra, units_a, best[1]), (rb, units_b, best[2])], best[0] - old


def try_apply(sol: Solution, move: Move) -> bool:
    """Apply ``move`` when it is feasible (with a vehicle change if needed) and, with typed costs, when
    it lowers the plan's value.

    Parameters
    ----------
    sol : Solution
        The solution, changed in place when the move is applied.
    move : Move
        A candidate move.

    Returns
    -------
    bool
        Whether the move was applied.
    """
    if sol.p.typed:
        priced = priced_vehicles(sol, move)
        if priced is None or priced[1] >= IMPROVEMENT:
            return False
        sol.apply_changes(priced[0])
        return True
    assignment = fit_vehicles(sol, move)
    if assignment is None:
        return False
    sol.apply_changes(assignment)
    return True


def descend(sol: Solution, rng: random.Random, focus: list[int] | None = None, deadline: float | None = None) -> int:
    """First-improvement descent until no move improves.

    A queue of units to examine ("don't look bits"): it starts with ``focus`` (every assigned unit
    when None, in random order) and each applied move re-queues the units of the routes it changed,
    so polishing a solution that a ruin touched in one region costs work in that region only.

    Parameters
    ----------
    sol : Solution
        The solution, improved in place.
    rng : random.Random
        Orders the first queue.
    focus : list[int], optional
        The units to examine first (default: every assigned unit).
    deadline : float, optional
        A ``time.perf_counter()`` value that stops it early, leaving a feasible, partly polished solution.

    Returns
    -------
    int
        The number of moves applied.
    """
    if focus is None:
        focus = [u for r in sol.routes for u in r.units]
        rng.shuffle(focus)
    queue = deque(focus)
    queued = set(focus)
    applied = 0
    examined = 0
    while queue:
        examined += 1
        if deadline is not None and examined % 64 == 0 and time.perf_counter() > deadline:
            break
        u = queue.popleft()
        queued.discard(u)
        route = sol.route_of[u]
        if route is None:
            continue
        changed = _first_improvement(sol, u, route)
        if changed is None:
            continue
        applied += 1
        for r in changed:
            for w in r.units:
                if w not in queued:
                    queued.add(w)
                    queue.append(w)
    return applied


def _opened(sol: Solution, move: Move) -> list[Route]:
    """The new route a move opened (a split's second part), found through its first unit."""
    return [route for r, units in move.changes if r is None and (route := sol.route_of[units[0]]) is not None]


def _first_improvement(sol: Solution, u: int, route: Route) -> list[Route] | None:
    """Apply the first improving move around u; return the routes it changed (None if none)."""
    moves = [operator(sol, u, IMPROVEMENT) for operator in UNIT_OPERATORS.values()]
    if sol.pos_of[u] == 0:
        moves.append(two_opt_from_hub(sol, route, IMPROVEMENT))
        if sol.p.typed:
            moves += [operator(sol, route, IMPROVEMENT) for operator in ROUTE_OPERATORS.values()]
    for candidates in moves:
        for move in candidates:
            if try_apply(sol, move):
                return [r for r, _ in move.changes if r is not None and r in sol.routes] + _opened(sol, move)
    return None
