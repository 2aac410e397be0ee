"""The classical VRP neighbourhoods around one unit, evaluated by O(1) distance deltas.

Operators work on units (chains are never split or reversed, so equation 10 always holds):
- relocate: move a unit next to one of its nearest units (same or another route);
- swap: exchange two units;
- two_opt: reverse a segment of one route (units keep their inner direction; the reversed arcs are
  priced in the reverse direction, so asymmetric matrices are exact);
- two_opt_star: exchange the tails of two routes;
- cross_exchange: exchange segments of up to three units between two routes (zero units on one side
  is an or-opt move of a segment);

Inter-route moves are granular (each unit only looks at its nearest units) and priced by their
distance delta first (with ``typed`` vehicle costs: an estimate of the change in value); only the
moves below the caller's threshold are yielded, as :class:`Move` candidates that
:mod:`milp_milkrun.heuristics.local_search` checks and applies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from milp_milkrun.heuristics.solution import Route, Solution
from milp_milkrun.limits import allowance

GRANULAR = 20  # nearest units each unit looks at
MAX_SEGMENT = 3  # longest segment a cross-exchange moves


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
                    delta = p.least_value(
                        sol.free, rb.vehicle, rb.load + p.demand[u], rb.size + p.size[u], rb.length + added, ra.vehicle
                    )
                    delta -= p.base_value(rb.vehicle, rb.length)
                    if len(a_units) == 1:
                        delta -= ra.value
                    else:
                        delta += p.least_value(
                            sol.free,
                            ra.vehicle,
                            ra.load - p.demand[u],
                            ra.size - p.size[u],
                            ra.length - gain,
                            rb.vehicle,
                        )
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
                yield Move(
                    "relocate", delta, ((ra, a_units[:i] + a_units[i + 1 :]), (rb, b_units[:at] + [u] + b_units[at:]))
                )


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
                    p.least_value(
                        sol.free, ra.vehicle, ra.load + shift, ra.size + size_shift, ra.length + delta_a, rb.vehicle
                    )
                    + p.least_value(
                        sol.free, rb.vehicle, rb.load - shift, rb.size - size_shift, rb.length + delta_b, ra.vehicle
                    )
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
        if (
            ra.load + shift <= capacity
            and rb.load - shift <= capacity
            and ra.size + size_shift <= stops
            and rb.size - size_shift <= stops
        ):
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
            yield Move(
                "two_opt_star", delta, ((ra, a_units[: i + 1] + b_units[j:]), (rb, b_units[:j] + a_units[i + 1 :]))
            )


def _two_opt_star_estimate(sol: Solution, ra: Route, i: int, rb: Route, j: int, w: int, pw: int, nu: int) -> float:
    """Estimated value delta of a 2-opt* (whole tails change route): each new route at the least
    fixed plus per-km cost of a vehicle that may carry its load (:meth:`Problem.least_value`)."""
    p = sol.p
    c = p.cost
    new_a = ra.departure[i + 1] + c[ra.units[i]][w] + rb.length - rb.departure[j] - c[pw][w]
    new_b = rb.departure[j] + c[pw][nu] + ra.length - ra.departure[i + 1] - c[ra.units[i]][nu]
    load_a = ra.prefix_load[i + 1] + rb.load - rb.prefix_load[j]
    size_a = ra.prefix_size[i + 1] + rb.size - rb.prefix_size[j]
    change_a = p.least_value(sol.free, ra.vehicle, load_a, size_a, new_a, rb.vehicle) - p.base_value(
        ra.vehicle, ra.length
    )
    if j == 0 and i + 1 == len(ra.units):  # B is left empty
        return change_a - rb.value
    load_b, size_b = ra.load + rb.load - load_a, ra.size + rb.size - size_a
    return (
        change_a
        + p.least_value(sol.free, rb.vehicle, load_b, size_b, new_b, ra.vehicle)
        - p.base_value(rb.vehicle, rb.length)
    )


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
        capacity: float | None = None  # the ceilings, computed at the first pair that needs them
        stops = 0
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
                    delta = _cross_estimate(
                        sol, ra, i, la, rb, j, lb, (a_first, a_last, a_next, broken), (b_prev, w, b_last, b_next)
                    )
                if delta >= threshold:
                    continue
                if capacity is None:
                    capacity, stops = _ceilings(sol, free, ra, rb)
                shift = (rb.prefix_load[j + lb] - rb.prefix_load[j]) - (
                    ra.prefix_load[i + 1 + la] - ra.prefix_load[i + 1]
                )
                size_shift = (rb.prefix_size[j + lb] - rb.prefix_size[j]) - (
                    ra.prefix_size[i + 1 + la] - ra.prefix_size[i + 1]
                )
                if (
                    ra.load + shift > capacity
                    or rb.load - shift > capacity
                    or ra.size + size_shift > stops
                    or rb.size - size_shift > stops
                ):
                    continue
                new_a = a_units[: i + 1] + b_units[j : j + lb] + a_units[i + 1 + la :]
                new_b = b_units[:j] + a_units[i + 1 : i + 1 + la] + b_units[j + lb :]
                yield Move("cross_exchange", delta, ((ra, new_a), (rb, new_b)))


def _cross_estimate(
    sol: Solution,
    ra: Route,
    i: int,
    la: int,
    rb: Route,
    j: int,
    lb: int,
    a_seg: tuple[int, int, int, float],
    b_seg: tuple[int, int, int, int],
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
    change_a = p.least_value(
        sol.free, ra.vehicle, ra.load + shift, ra.size + size_shift, ra.length + delta_a, rb.vehicle
    )
    change_a -= p.base_value(ra.vehicle, ra.length)
    if la == 0 and lb == len(rb.units):  # B is left empty
        return change_a - rb.value
    into_b = c[b_prev][a_first] + inner_a + c[a_last][b_next] if la else c[b_prev][b_next]
    delta_b = into_b - c[b_prev][w] - inner_b - c[b_last][b_next]
    new_b = rb.length + delta_b
    return (
        change_a
        + p.least_value(sol.free, rb.vehicle, rb.load - shift, rb.size - size_shift, new_b, ra.vehicle)
        - p.base_value(rb.vehicle, rb.length)
    )


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
        delta = (
            c[seq[a]][seq[b]]
            + c[seq[a + 1]][seq[b + 1]]
            - c[seq[a]][seq[a + 1]]
            - c[seq[b]][seq[b + 1]]
            + backward
            - forward
        )
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
