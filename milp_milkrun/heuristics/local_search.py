"""Local search: first-improvement descent over the neighbourhoods, with the vehicle change of each move.

The candidates come from :mod:`.neighbourhoods` (relocate, swap, 2-opt, 2-opt*, cross-exchange around
a unit) and, with typed costs, :mod:`.fleet_moves` (retype, exchange, split, merge of a route). Only a
move that improves is built and checked for capacity, distance, stops and forbidden DCs. When the
routes' own vehicles no longer fit, the move may swap the two vehicles or take free ones (smallest
class first): the vehicle change is part of every inter-route move.

With ``typed`` vehicle costs (fixed costs, per-km rates by type, a load term) a move is priced by the
change in value: each changed route at the least fixed plus per-km cost of its own vehicle, the other
route's (they may trade) or a free class that may carry its new load, minus its old cost (an emptied
route gives back its whole value), selects candidates, and :func:`try_apply` then gives every changed
route the vehicle it is worth least on and applies the move only when the plan's exact value falls.
"""

from __future__ import annotations

import random
import time
from collections import deque
from typing import cast

from milp_milkrun.heuristics.fleet_moves import ROUTE_OPERATORS
from milp_milkrun.heuristics.neighbourhoods import UNIT_OPERATORS, Move, two_opt_from_hub
from milp_milkrun.heuristics.solution import Route, Solution, route_totals
from milp_milkrun.limits import FLOAT_NOISE

IMPROVEMENT = -FLOAT_NOISE  # a move must shorten the plan by more than this


# ----- feasibility and application -----------------------------------------------------------
def fit_vehicles(sol: Solution, move: Move) -> list[tuple[Route | None, list[int], int]] | None:
    """Vehicles for the routes of ``move``: their own, else swapped, else free ones.

    Parameters
    ----------
    sol : Solution
        The solution (not changed).
    move : Move
        A candidate move.

    Returns
    -------
    list[tuple[Route or None, list[int], int]] or None
        Each changed route with its new units and vehicle, or None when no vehicles fit.
    """
    p = sol.p
    totals = [route_totals(p, units) if units else None for _, units in move.changes]
    own = [cast(Route, r).vehicle for r, _ in move.changes]  # these moves change existing routes only
    for preferred in [own] if len(own) == 1 else [own, own[::-1]]:
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
        fitting = sorted(
            (p.value(v, length, weighted) + p.hourly(v, units), v)
            for v in candidates
            if p.fits(v, load, size, length, mask)
        )
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
