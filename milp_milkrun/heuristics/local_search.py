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
    """A candidate: its distance delta and the new unit lists of the routes it touches."""

    kind: str
    delta: float
    changes: tuple[tuple[Route, list[int]], ...]


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
        Only moves whose distance delta is below it are yielded.

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
            delta = c[x][u] + c[u][y] - c[x][y] - gain
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
        Only moves whose distance delta is below it are yielded.

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
            delta = c[pu][w] + c[w][nu] - c[pu][u] - c[u][nu] + c[pw][u] + c[u][nw] - c[pw][w] - c[w][nw]
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
        Only moves whose distance delta is below it are yielded.

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
        if delta >= threshold:
            continue
        capacity, stops = _ceilings(sol, free, ra, rb)
        load_a = ra.prefix_load[i + 1] + rb.load - rb.prefix_load[j]
        load_b = rb.prefix_load[j] + ra.load - ra.prefix_load[i + 1]
        size_a = ra.prefix_size[i + 1] + rb.size - rb.prefix_size[j]
        size_b = rb.prefix_size[j] + ra.size - ra.prefix_size[i + 1]
        if load_a <= capacity and load_b <= capacity and size_a <= stops and size_b <= stops:
            yield Move("two_opt_star", delta, ((ra, a_units[: i + 1] + b_units[j:]), (rb, b_units[:j] + a_units[i + 1 :])))


def cross_exchange(sol: Solution, u: int, threshold: float) -> Iterator[Move]:
    """A = ..u [seg_A] ..; B = .. [w..] ..: the segment after u and the segment from w trade places.

    Parameters
    ----------
    sol : Solution
        The solution searched (not changed).
    u : int
        The unit the moves are around.
    threshold : float
        Only moves whose distance delta is below it are yielded.

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


def two_opt(sol: Solution, u: int, threshold: float) -> Iterator[Move]:
    """Reverse the segment that starts right after u in its route (every segment end is tried).

    Parameters
    ----------
    sol : Solution
        The solution searched (not changed).
    u : int
        The unit the moves are around.
    threshold : float
        Only moves whose distance delta is below it are yielded.

    Returns
    -------
    Iterator[Move]
        The candidate moves; :func:`try_apply` checks a move (and finds its vehicles) before applying it.
    """
    c = sol.p.cost
    ra, i = sol.route_of[u], sol.pos_of[u]
    if ra is None:
        return
    seq = [0, *ra.units, 0]
    a = i + 1  # u's index in seq; the segment is seq[a+1 .. b]
    forward = backward = 0.0
    for b in range(a + 2, len(seq) - 1):
        forward += c[seq[b - 1]][seq[b]]
        backward += c[seq[b]][seq[b - 1]]
        delta = c[seq[a]][seq[b]] + c[seq[a + 1]][seq[b + 1]] - c[seq[a]][seq[a + 1]] - c[seq[b]][seq[b + 1]] + backward - forward
        if delta < threshold:
            units = seq[1 : a + 1] + seq[a + 1 : b + 1][::-1] + seq[b + 1 : -1]
            yield Move("two_opt", delta, ((ra, units),))


def two_opt_from_hub(sol: Solution, route: Route, threshold: float) -> Iterator[Move]:
    """Reverse a prefix of the route (the segment starts right after the hub).

    Parameters
    ----------
    sol : Solution
        The solution searched (not changed).
    route : Route
        The route whose prefixes are reversed.
    threshold : float
        Only moves whose distance delta is below it are yielded.

    Returns
    -------
    Iterator[Move]
        The candidate moves; :func:`try_apply` checks a move (and finds its vehicles) before applying it.
    """
    c = sol.p.cost
    seq = [0, *route.units, 0]
    forward = backward = 0.0
    for b in range(2, len(seq) - 1):
        forward += c[seq[b - 1]][seq[b]]
        backward += c[seq[b]][seq[b - 1]]
        delta = c[0][seq[b]] + c[seq[1]][seq[b + 1]] - c[0][seq[1]] - c[seq[b]][seq[b + 1]] + backward - forward
        if delta < threshold:
            yield Move("two_opt", delta, ((route, seq[1 : b + 1][::-1] + seq[b + 1 : -1]),))


UNIT_OPERATORS: dict[str, Operator] = {
    "relocate": relocate,
    "swap": swap,
    "two_opt": two_opt,
    "two_opt_star": two_opt_star,
    "cross_exchange": cross_exchange,
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


def try_apply(sol: Solution, move: Move) -> bool:
    """Apply ``move`` when it is feasible (with a vehicle change if needed).

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


def _first_improvement(sol: Solution, u: int, route: Route) -> list[Route] | None:
    """Apply the first improving move around u; return the routes it changed (None if none)."""
    moves = [operator(sol, u, IMPROVEMENT) for operator in UNIT_OPERATORS.values()]
    if sol.pos_of[u] == 0:
        moves.append(two_opt_from_hub(sol, route, IMPROVEMENT))
    for candidates in moves:
        for move in candidates:
            if try_apply(sol, move):
                return [r for r, _ in move.changes if r in sol.routes]
    return None
